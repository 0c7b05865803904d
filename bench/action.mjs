// (g) The GitHub Action's own work on a pull request that adds one migration to a 700-file history:
// the committed bundle (dist-action/index.cjs) started as the runner starts it, until it exits with
// annotations printed, the job summary written and the PR comment posted to a stand-in for the
// GitHub API on 127.0.0.1. Cold: a new process each run (there is no cache between CI runs).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { generateHistory } from './gen-history.mjs';
import { isMain, ROOT } from './lib.mjs';

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com' };

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export default async function run({ runs = 7, node = process.env.BENCH_NODE || process.execPath } = {}) {
  if (process.env.BENCH_RUNS) runs = Math.min(runs, Number(process.env.BENCH_RUNS));
  const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-bench-action-')));
  const git = (...args) => execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  generateHistory(path.join(repo, 'migrations'), 700);
  git('add', '-A');
  git('commit', '-qm', 'history');
  const base = git('rev-parse', 'HEAD');
  git('checkout', '-qb', 'pr');
  fs.writeFileSync(path.join(repo, 'migrations', '0701_add_index.up.sql'), 'CREATE INDEX t1_score_idx ON t1 (score);\n');
  git('add', '-A');
  git('commit', '-qm', 'pr');
  const head = git('rev-parse', 'HEAD');

  let posted = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') posted++;
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(req.method === 'POST' ? '{"id":1}' : '[]');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-bench-runner-'));
  const event = path.join(scratch, 'event.json');
  fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 1, base: { sha: base, repo: { full_name: 'o/r' } }, head: { sha: head, repo: { full_name: 'o/r' } } } }));
  const env = {
    PATH: process.env.PATH,
    HOME: scratch,
    GITHUB_WORKSPACE: repo,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_API_URL: `http://127.0.0.1:${server.address().port}`,
    GITHUB_STEP_SUMMARY: path.join(scratch, 'summary.md'),
    GITHUB_OUTPUT: path.join(scratch, 'output.txt'),
    RUNNER_TEMP: scratch,
    INPUT_TOKEN: 'bench',
  };
  const once = () =>
    new Promise((resolve) => {
      fs.writeFileSync(env.GITHUB_STEP_SUMMARY, '');
      fs.writeFileSync(env.GITHUB_OUTPUT, '');
      const start = process.hrtime.bigint();
      let stdout = '';
      const child = spawn(node, [path.join(ROOT, 'dist-action', 'index.cjs')], { cwd: repo, env, stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ wall: Number(process.hrtime.bigint() - start) / 1e6, code, annotations: (stdout.match(/^::(error|warning) /gm) ?? []).length }));
    });
  await once(); // warm the OS file cache, as a runner that just checked out the repository has it
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  server.close();
  fs.rmSync(repo, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
  const wall = median(results.map((r) => r.wall));
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\n## (g) GitHub Action on a PR adding one migration to a 700-file history (node ${nodeVersion})`);
  console.log(`runs: ${runs}, cold processes; wall ms median ${wall.toFixed(0)} (min ${Math.min(...results.map((r) => r.wall)).toFixed(0)}, max ${Math.max(...results.map((r) => r.wall)).toFixed(0)}); exit ${[...new Set(results.map((r) => r.code))].join(',')}; annotations per run ${results[0].annotations}; comments posted ${posted}`);
  return { wall, node: nodeVersion };
}

if (isMain(import.meta.url)) await run();
