/**
 * Streaming reporters: every format writes byte for byte what the reporters wrote before streaming
 * (test/reporters-before-streaming.ts, kept verbatim), on every fixture, on a large generated
 * input, and through the built CLI (standard output, --output-file, --quiet, --stdin). JSON, GitHub
 * and compact write each file's part as soon as the file is given to them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths, type LintOptions } from '../src/engine/lint.ts';
import type { FileResult, LintReport } from '../src/findings/model.ts';
import { REPORT_STREAMS, REPORTERS } from '../src/report/index.ts';
import type { ReporterContext } from '../src/report/types.ts';
import { RULES } from '../rules/index.ts';
import * as before from './reporters-before-streaming.ts';
import { CLI, engineOptions, ROOT } from './helpers.ts';

const STREAMED = ['json', 'sarif', 'markdown', 'github', 'compact'] as const;
const CTX: ReporterContext = { rules: RULES, color: false };
let tmp: string;

function lintOptions(): LintOptions {
  // All rules at their defaults, companions included: the most findings per statement.
  return { ...engineOptions(), rules: new Map(), down: 'warning', pgVersion: 16, pgVersionSource: 'test', detectRunner: true };
}

async function lint(paths: string[], cwd: string): Promise<LintReport> {
  return lintPaths(paths, RULES, lintOptions(), { cwd });
}

/** Statements that trip many rules, with paths and text that need escaping in every format. */
function generate(dir: string, files: number): void {
  const names = ['plain', 'with,comma', 'colon:name', 'pipe|bar', 'percent%25', 'ünïcode—dash', 'space name', 'back`tick'];
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `app${i % 3}`, 'migrations');
    fs.mkdirSync(sub, { recursive: true });
    const t = `t${i}`;
    // A table from an earlier file of the same directory: locks on it are findings.
    const old = `t${i >= 3 ? i - 3 : i}`;
    const sql = [
      `CREATE TABLE ${t} (id int, email text, note text);`,
      `-- zerodown-ignore index-not-concurent -- typo ${i}`,
      `CREATE INDEX ${t}_email ON ${old} (email);`,
      `ALTER TABLE ${old} ADD COLUMN c${i} uuid NOT NULL DEFAULT gen_random_uuid();`,
      `ALTER TABLE ${old} ALTER COLUMN email SET NOT NULL;`,
      `ALTER TABLE ${t} ADD CONSTRAINT ${t}_fk FOREIGN KEY (id) REFERENCES ${t} (id);`,
      `UPDATE ${t} SET note = 'a | b ''quoted'' ${'`'.repeat(i % 4)} % <tag> & \r\nnext';`,
      i % 17 === 0 ? 'SELEC broken;' : `ALTER TABLE ${t} RENAME COLUMN note TO "note—${i}";`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(sub, `${String(i).padStart(5, '0')}_${names[i % names.length]}.sql`), sql);
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-stream-'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectSameAsBefore(report: LintReport): void {
  for (const format of STREAMED) {
    const old = before[format](report, CTX);
    expect(REPORTERS[format](report, CTX) === old, `${format}: streaming output differs from before`).toBe(true);
  }
}

describe('byte-identical to the reporters before streaming', () => {
  it('on every fixture directory, linted as the CLI lints them', async () => {
    const report = await lint(['fixtures'], ROOT);
    expect(report.files.length).toBeGreaterThan(100);
    expect(report.files.reduce((n, f) => n + f.findings.length, 0)).toBeGreaterThan(150);
    expectSameAsBefore(report);
  });

  it('on a large generated input with paths and text that need escaping, fatal errors included', async () => {
    const dir = path.join(tmp, 'large');
    generate(dir, 400);
    const report = await lint(['.', 'missing-dir'], dir);
    expect(report.files.length).toBe(400);
    expect(report.fatal.map((e) => e.path)).toContain('missing-dir');
    const ids = new Set(report.files.flatMap((f) => f.findings.map((x) => x.ruleId)));
    for (const id of ['parse-error', 'invalid-ignore', 'index-not-concurrent', 'add-column-rewrite']) expect(ids.has(id), id).toBe(true);
    expect(REPORTERS.json(report, CTX).length).toBeGreaterThan(1_000_000);
    expectSameAsBefore(report);
  });

  it('on empty and clean reports', async () => {
    const clean = path.join(tmp, 'clean');
    fs.mkdirSync(clean);
    fs.writeFileSync(path.join(clean, '001.sql'), 'CREATE TABLE t (id bigint);\n');
    expectSameAsBefore(await lint(['.'], clean));
    expectSameAsBefore({ postgresVersion: 18, postgresVersionSource: 'default', files: [], fatal: [] });
    expectSameAsBefore({ postgresVersion: 18, postgresVersionSource: 'default', files: [], fatal: [{ path: 'x.sql', message: 'no such file' }] });
  });
});

describe('written as files finish', () => {
  it('json, github and compact write a file\'s part when the file is given, before the report ends', async () => {
    const report = await lint(['fixtures/demo'], ROOT);
    const flagged = report.files.find((f) => f.findings.length > 0) as FileResult;
    for (const format of ['json', 'github', 'compact'] as const) {
      const pieces: string[] = [];
      const writer = REPORT_STREAMS[format]((c) => pieces.push(c), report, CTX);
      writer.file(flagged);
      expect(pieces.join(''), format).toContain(flagged.findings[0].message.slice(0, 40).replace(/\n/g, '%0A'));
    }
  });
});

describe('through the CLI', () => {
  function cli(args: string[], cwd: string, input = ''): { code: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'GITHUB_ACTIONS']) delete env[k];
    const r = spawnSync(process.execPath, [CLI, ...args, '--no-cache', '--pg-version', '16'], { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 30 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('stdout and --output-file hold what the reporters wrote before, in every streamed format', async () => {
    const dir = path.join(tmp, 'cli');
    generate(dir, 150);
    const report = await lint(['.'], dir);
    for (const format of STREAMED) {
      const r = cli(['--format', format], dir);
      expect(r.code, r.stderr).toBe(1);
      const old = before[format]({ ...report, postgresVersionSource: '--pg-version' }, CTX);
      expect(r.stdout === old, `${format} on stdout`).toBe(true);
      const out = path.join(tmp, `report.${format}`);
      expect(cli(['--format', format, '-o', out], dir).stdout).toBe('');
      expect(fs.readFileSync(out, 'utf8') === old, `${format} in --output-file`).toBe(true);
    }
  });

  it('--quiet and --stdin stream the same bytes as before', async () => {
    const report = await lint(['fixtures/demo'], ROOT);
    const quiet: LintReport = {
      ...report,
      postgresVersionSource: '--pg-version',
      files: report.files.map((f) => ({ ...f, findings: f.findings.filter((x) => x.severity === 'error') })),
    };
    for (const format of STREAMED) expect(cli(['fixtures/demo', '--format', format, '--quiet'], ROOT).stdout, format).toBe(before[format](quiet, CTX));
    const text = fs.readFileSync(path.join(ROOT, 'fixtures/demo/002_order_tracking.up.sql'), 'utf8');
    const r = cli(['--stdin', '--stdin-filename', 'db/002.sql', '--format', 'json'], ROOT, text);
    const single = await lintPaths(['db/002.sql'], RULES, lintOptions(), { cwd: ROOT, overrides: new Map([[path.join(ROOT, 'db/002.sql'), text]]) });
    expect(r.stdout).toBe(before.json({ ...single, postgresVersionSource: '--pg-version' }, CTX));
  });

  it('an unwritable --output-file is a one-line error, exit 2', () => {
    const r = cli(['fixtures/demo', '--format', 'json', '-o', path.join(tmp, 'no-such-dir', 'r.json')], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zerodown: .*no-such-dir\/r\.json: cannot write \(ENOENT\)\n$/);
  });
});
