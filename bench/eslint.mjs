// (h) The ESLint plugin as an editor uses it: ESLint#lintText of the newest migration of a 700-file
// history (bench/gen-history.mjs), the buffer changing on every call (a keystroke), warm (median;
// target ≤ 20 ms); and the first lint in a fresh process: importing ESLint and the plugin (which
// loads the WASM parser), replaying the history, analyzing the buffer (target ≤ 300 ms), measured
// inside the process and as the whole process's wall time. Uses dist/ (npm run build).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generateHistory } from './gen-history.mjs';
import { isMain, ROOT } from './lib.mjs';

const KEYSTROKES = 40;
const FRESH_RUNS = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function project() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-bench-eslint-'));
  const files = generateHistory(path.join(root, 'db', 'migrations'), 700);
  const plugin = pathToFileURL(path.join(ROOT, 'dist', 'eslint-plugin.js')).href;
  fs.writeFileSync(path.join(root, 'eslint.config.js'), `import zerodown from ${JSON.stringify(plugin)};\nexport default [...zerodown.configs.sql];\n`);
  fs.writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n');
  return { root, last: files.at(-1) };
}

// The script a fresh process runs: the time from its first line to the first result.
const FIRST_LINT = `
const t0 = performance.now();
const { ESLint } = await import(process.env.ZD_ESLINT);
const eslint = new ESLint({ cwd: process.cwd() });
const [r] = await eslint.lintText(process.env.ZD_TEXT, { filePath: process.env.ZD_FILE });
console.log(JSON.stringify({ ms: performance.now() - t0, messages: r.messages.length }));
`;

export default async function run() {
  const { root, last } = project();
  const text = fs.readFileSync(last, 'utf8');
  const eslintEntry = pathToFileURL(path.join(ROOT, 'node_modules', 'eslint', 'lib', 'api.js')).href;
  try {
    // First lint in a fresh process (the analysis cache is warm after the first of these runs, as
    // in an editor that restarts its ESLint server; the first run is reported apart).
    const fresh = [];
    const walls = [];
    for (let i = 0; i < FRESH_RUNS; i++) {
      const t = performance.now();
      const r = spawnSync(process.env.BENCH_NODE || process.execPath, ['--input-type=module', '-e', FIRST_LINT], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ZD_ESLINT: eslintEntry, ZD_TEXT: text, ZD_FILE: last },
      });
      walls.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`first lint failed: ${r.stderr}`);
      fresh.push(JSON.parse(r.stdout).ms);
    }

    // Warm: one ESLint instance, the buffer edited between calls.
    process.chdir(root);
    const { ESLint } = await import(eslintEntry);
    const eslint = new ESLint({ cwd: root });
    await eslint.lintText(text, { filePath: last });
    const warm = [];
    // CPU time of the process per call as well: on a loaded machine wall time mostly measures the wait for a core.
    const cpu = [];
    let messages = 0;
    for (let i = 0; i < KEYSTROKES; i++) {
      const buffer = `${text}-- edit ${i}\n`;
      const t = performance.now();
      const c = process.cpuUsage();
      const [r] = await eslint.lintText(buffer, { filePath: last });
      warm.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      messages = r.messages.length;
    }
    process.chdir(ROOT);
    const result = {
      warmMedianMs: median(warm),
      warmCpuMedianMs: median(cpu),
      firstLintColdCacheMs: fresh[0],
      firstLintMedianMs: median(fresh.slice(1)),
      processWallMedianMs: median(walls.slice(1)),
      messages,
    };
    console.log(`\n## (h) ESLint: lintText of the newest migration in a 700-file history`);
    console.log(`warm lintText (buffer edited each call): median ${result.warmMedianMs.toFixed(1)} ms (CPU ${result.warmCpuMedianMs.toFixed(1)} ms) over ${KEYSTROKES} (target ≤ 20 ms); ${messages} findings`);
    console.log(`first lint in a fresh process: ${result.firstLintColdCacheMs.toFixed(0)} ms with an empty analysis cache, median ${result.firstLintMedianMs.toFixed(0)} ms after (target ≤ 300 ms); whole process ${result.processWallMedianMs.toFixed(0)} ms`);
    return result;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
