// Lints every project of ../shared/corpus/sql with the built CLI (one process per project, as a
// user would run it) and fails if a file crashes the run or if a statement that libpg-query
// accepts is reported as parse-error, or if naming a project's files one by one reports anything
// other than the directory run. Prints per-project statement and finding counts.
// Run by .ci/run (not by npm test: the corpus lives outside the repository).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, parseSync } from 'libpg-query';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, process.argv[2] ?? '../shared/corpus/sql');
if (!fs.existsSync(corpus)) {
  console.error(`corpus-check: ${corpus} not found (expected ../shared beside the checkout)`);
  process.exit(2);
}
await loadModule();

const projects = fs.readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
let failures = 0;
const rows = [];
for (const project of projects) {
  const dir = path.join(corpus, project);
  let out;
  let code = 0;
  try {
    out = execFileSync(process.execPath, [path.join(root, 'dist/cli.cjs'), dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    code = e.status;
    out = e.stdout;
    if (code !== 1) {
      console.error(`FAIL ${project}: exit ${code}\n${e.stderr}`);
      failures++;
      continue;
    }
  }
  const report = JSON.parse(out);
  if (report.errors.length) {
    for (const e of report.errors) console.error(`FAIL ${project}: ${e.path}: ${e.message}`);
    failures += report.errors.length;
  }
  // The same files named one by one (as pre-commit and lint-staged pass them): identical findings.
  const listed = spawnSync(process.execPath, [path.join(root, 'dist/cli.cjs'), ...report.files.map((f) => f.path), '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (listed.status !== code || listed.stdout !== out) {
    console.error(`FAIL ${project}: the explicit file list (exit ${listed.status}) reports differently from the directory (exit ${code})`);
    failures++;
  }
  const perRule = {};
  let statements = 0;
  let files = 0;
  for (const f of report.files) {
    files++;
    statements += f.statements;
    const parseErrors = f.findings.filter((x) => x.ruleId === 'parse-error');
    for (const x of f.findings) perRule[x.ruleId] = (perRule[x.ruleId] ?? 0) + 1;
    if (parseErrors.length === 0) continue;
    // libpg-query's own verdict on the whole file: if it accepts it, no statement may be a parse-error.
    const text = fs.readFileSync(path.resolve(root, f.path), 'utf8');
    let accepted = true;
    try {
      parseSync(text);
    } catch {
      accepted = false;
    }
    if (accepted) {
      console.error(`FAIL ${f.path}: libpg-query accepts the file but zerodown reported parse-error at ${parseErrors.map((x) => `${x.line}:${x.column}`).join(', ')}`);
      failures++;
    } else {
      // Each reported statement must itself be rejected by libpg-query.
      const lines = text.split('\n');
      for (const x of parseErrors) {
        const line = lines[x.line - 1] ?? '';
        console.log(`  parse-error ${f.path}:${x.line}:${x.column} ${x.message.replace(/^\(down migration\) /, '')} | ${line.trim().slice(0, 80)}`);
      }
    }
  }
  rows.push({ project, files, statements, findings: Object.values(perRule).reduce((a, b) => a + b, 0), perRule });
}
console.log('\nproject     files  statements  findings  per rule');
for (const r of rows) {
  const rules = Object.entries(r.perRule).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`${r.project.padEnd(10)} ${String(r.files).padStart(6)} ${String(r.statements).padStart(11)} ${String(r.findings).padStart(9)}  ${rules}`);
}
failures += tsCorpus(path.resolve(root, process.argv[3] ?? path.join(path.dirname(corpus), 'ts')));
if (failures) {
  console.error(`\ncorpus-check: ${failures} failure(s)`);
  process.exit(1);
}
console.log('\ncorpus-check: no crashes, no parse-error on statements libpg-query accepts');

/**
 * TS/JS migrations (../shared/corpus/ts): `extract` and `lint` on every project must exit 0 or 1
 * without an internal error. Prints files, statements extracted (raw/builder), unanalyzable calls
 * and findings per project (docs/corpus-report.md keeps the reviewed table).
 */
function tsCorpus(dir) {
  if (!fs.existsSync(dir)) {
    console.log(`\n(no TS corpus at ${dir})`);
    return 0;
  }
  let failed = 0;
  const run = (args) => {
    try {
      return { code: 0, out: execFileSync(process.execPath, [path.join(root, 'dist/cli.cjs'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }), err: '' };
    } catch (e) {
      return { code: e.status, out: e.stdout, err: String(e.stderr) };
    }
  };
  console.log('\nTS project              files  raw  builder  unanalyzable  findings  per rule');
  for (const project of fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const target = path.join(dir, project);
    const ex = run(['extract', target, '--no-cache']);
    const lint = run([target, '--format', 'json', '--no-cache']);
    for (const [what, r] of [['extract', ex], ['lint', lint]]) {
      if ((what === 'extract' ? r.code !== 0 : r.code > 1) || /internal error/.test(r.err)) {
        console.error(`FAIL ts/${project} (${what}): exit ${r.code}\n${r.err}`);
        failed++;
      }
    }
    if (lint.code > 1 || ex.code !== 0) continue;
    const extracted = JSON.parse(ex.out).files.filter((f) => !f.path.endsWith('.sql'));
    const count = (origin) => extracted.reduce((n, f) => n + f.statements.filter((s) => s.origin === origin).length, 0);
    const report = JSON.parse(lint.out);
    const perRule = {};
    let files = 0;
    for (const f of report.files) {
      if (f.path.endsWith('.sql')) continue;
      files++;
      for (const x of f.findings) perRule[x.ruleId] = (perRule[x.ruleId] ?? 0) + 1;
    }
    const findings = Object.values(perRule).reduce((a, b) => a + b, 0);
    const rules = Object.entries(perRule).sort().map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${project.padEnd(22)} ${String(files).padStart(6)} ${String(count('raw')).padStart(4)} ${String(count('builder')).padStart(8)} ${String(perRule['unanalyzable-sql'] ?? 0).padStart(13)} ${String(findings).padStart(9)}  ${rules}`);
  }
  return failed;
}
