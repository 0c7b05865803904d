#!/usr/bin/env node
/**
 * docs/github-action.md's generated parts: the inputs and outputs tables from action.yml (so every
 * input is documented), and the PR comment and job summary of a real run of the committed bundle
 * (dist-action/index.cjs) on a pull request in a temporary git repository, against a stand-in for
 * the GitHub API on 127.0.0.1. `--check` fails when the file differs from what they give now (CI).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docPath = path.join(root, 'docs', 'github-action.md');
const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8'));

// Every input has a description and is read by the Action, and the Action reads no undeclared input.
const readSource = fs.readFileSync(path.join(root, 'src', 'action', 'inputs.ts'), 'utf8');
const read = new Set([...readSource.matchAll(/(?:getInput|optional|bool)\('([\w-]+)'/g)].map((m) => m[1]));
const declared = Object.keys(action.inputs);
const set = new Set([...fs.readFileSync(path.join(root, 'src', 'action', 'main.ts'), 'utf8').matchAll(/setOutput\('([\w-]+)'/g)].map((m) => m[1]));
const problems = [
  ...declared.filter((n) => !action.inputs[n].description).map((n) => `action.yml: input ${n} has no description`),
  ...declared.filter((n) => !read.has(n)).map((n) => `action.yml: input ${n} is declared but src/action/inputs.ts never reads it`),
  ...[...read].filter((n) => !declared.includes(n)).map((n) => `src/action/inputs.ts reads input ${n}, which action.yml does not declare`),
  ...Object.entries(action.outputs).filter(([, o]) => !o.description).map(([n]) => `action.yml: output ${n} has no description`),
  ...Object.keys(action.outputs).filter((n) => !set.has(n)).map((n) => `action.yml: output ${n} is declared but src/action/main.ts never sets it`),
];
if (problems.length) {
  for (const p of problems) console.error(`gen-action-docs: ${p}`);
  process.exit(1);
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ').trim();
const inputs = [
  '| Input | Default | Description |',
  '| --- | --- | --- |',
  ...Object.entries(action.inputs).map(([name, i]) => `| \`${name}\` | ${i.default === '' || i.default === undefined ? '—' : `\`${cell(i.default)}\``} | ${cell(i.description)} |`),
].join('\n');
const outputs = ['| Output | Description |', '| --- | --- |', ...Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)].join('\n');

// A pull request that edits an applied migration and adds one that builds an index under lock.
const files = {
  base: {
    'db/migration/V1__users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
    'db/migration/V2__orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);\n',
  },
  change: {
    'db/migration/V2__orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, total numeric);\n',
    'db/migration/V3__orders_user_idx.sql': 'ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT \'new\';\nCREATE INDEX orders_user_id ON orders (user_id);\n',
  },
};
const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-action-doc-')));
// Fixed identity and dates: the same commit ids, so the same text, on every run.
const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'docs', GIT_AUTHOR_EMAIL: 'docs@example.com', GIT_COMMITTER_NAME: 'docs', GIT_COMMITTER_EMAIL: 'docs@example.com', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' };
const git = (...args) => execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim();
const write = (set) => {
  for (const [rel, text] of Object.entries(set)) {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  }
};
git('init', '-q', '-b', 'main');
write(files.base);
git('add', '-A');
git('commit', '-qm', 'base');
const base = git('rev-parse', 'HEAD');
git('checkout', '-qb', 'pr');
write(files.change);
git('add', '-A');
git('commit', '-qm', 'change');
const head = git('rev-parse', 'HEAD');

let comment = '';
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.method === 'POST') comment = JSON.parse(body).body;
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(req.method === 'POST' ? JSON.stringify({ id: 1, body: comment }) : '[]');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const scratch = path.join(repo, '.runner');
fs.mkdirSync(scratch);
const event = path.join(scratch, 'event.json');
fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 1, base: { sha: base, repo: { full_name: 'acme/shop' } }, head: { sha: head, repo: { full_name: 'acme/shop' } } } }));
for (const f of ['summary.md', 'output.txt']) fs.writeFileSync(path.join(scratch, f), '');
const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, [path.join(root, 'dist-action', 'index.cjs')], {
    cwd: repo,
    stdio: process.env.ZD_DEBUG ? 'inherit' : 'ignore',
    env: {
      PATH: process.env.PATH,
      HOME: scratch,
      GITHUB_WORKSPACE: repo,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: `http://127.0.0.1:${server.address().port}`,
      GITHUB_STEP_SUMMARY: path.join(scratch, 'summary.md'),
      GITHUB_OUTPUT: path.join(scratch, 'output.txt'),
      RUNNER_TEMP: scratch,
      INPUT_TOKEN: 'not-a-real-token',
    },
  });
  child.on('exit', resolve);
});
server.close();
const summary = fs.readFileSync(path.join(scratch, 'summary.md'), 'utf8');
fs.rmSync(repo, { recursive: true, force: true });
if (code !== 1 || !comment) {
  console.error(`gen-action-docs: expected the example run to fail with findings and comment, got exit ${code}${comment ? '' : ' and no comment'}`);
  process.exit(2);
}

const blocks = {
  inputs,
  outputs,
  comment: comment.trim(),
  summary: `<details><summary>Job summary of the same run</summary>\n\n${summary.trim()}\n\n</details>`,
};
let doc = fs.readFileSync(docPath, 'utf8');
for (const [name, text] of Object.entries(blocks)) {
  const start = `<!-- ${name}:start (generated by scripts/gen-action-docs.mjs) -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`gen-action-docs: docs/github-action.md has no ${start} … ${end} block`);
    process.exit(2);
  }
  doc = doc.slice(0, from) + `${start}\n${text}\n${end}` + doc.slice(to + end.length);
}
const current = fs.readFileSync(docPath, 'utf8');
if (process.argv.includes('--check')) {
  if (doc !== current) {
    console.error('gen-action-docs: docs/github-action.md is stale: run node scripts/gen-action-docs.mjs');
    process.exit(1);
  }
  console.log('docs/github-action.md is up to date');
} else {
  fs.writeFileSync(docPath, doc);
  console.log('docs/github-action.md regenerated');
}
