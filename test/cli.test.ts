/**
 * The command line as a user meets it: the built binary (dist/cli.js) run in throw-away directories.
 * Asserts exit codes (0 clean, 1 error findings or too many warnings, 2 usage/config/IO), what lands
 * on stdout and stderr, and that no stack trace ever reaches the user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.ts';
import { CLI, ROOT } from './helpers.ts';

const PKG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

// ---------------------------------------------------------------------------------------------
// Harness

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd: string;
  input?: string;
  env?: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
  /** Keep lock-timeout-missing and locks-held-across-statements on. */
  companions?: boolean;
}

function run(args: string[], opts: RunOptions): Run {
  const env: Record<string, string | undefined> = { ...process.env };
  // The user's terminal settings must not leak into the assertions.
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'ZERODOWN_DEBUG', 'CI', 'GITHUB_ACTIONS']) delete env[k];
  Object.assign(env, opts.env ?? {});
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  // The companion warnings that accompany most lock hazards are silenced unless a test asks for them.
  const quiet = opts.companions ? [] : ['--rule', 'lock-timeout-missing=off', '--rule', 'locks-held-across-statements=off'];
  const r = spawnSync(process.execPath, [CLI, ...args, ...quiet], {
    cwd: opts.cwd,
    input: opts.input ?? '',
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 60_000,
    uid: opts.uid,
    gid: opts.gid,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK_FRAME_PAREN = /at .*\(.*:\d+:\d+\)/;
const STACK_FRAME_BARE = /^\s+at \S+:\d+:\d+/m;

function expectNoStackTrace(r: Run): void {
  expect(r.stderr).not.toMatch(STACK_FRAME_PAREN);
  expect(r.stderr).not.toMatch(STACK_FRAME_BARE);
  expect(r.stdout).not.toMatch(STACK_FRAME_PAREN);
  expect(r.stderr).not.toMatch(/internal error/);
}

/** stderr is exactly one line, prefixed with the tool name, that names `what`. */
function expectOneStderrLine(r: Run, ...mentions: (string | RegExp)[]): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr:\n${r.stderr}`).toHaveLength(1);
  const line = lines[0];
  expect(line).toMatch(/^zerodown: /);
  for (const m of mentions) {
    if (typeof m === 'string') expect(line).toContain(m);
    else expect(line).toMatch(m);
  }
  expectNoStackTrace(r);
  return line;
}

const dirs: string[] = [];

function tmp(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-cli-')));
  dirs.push(dir);
  return dir;
}

function chmodTree(p: string): void {
  try {
    fs.chmodSync(p, 0o755);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chmodTree(path.join(p, e));
  } catch {
    // best effort
  }
}

afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodTree(d);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function write(dir: string, rel: string, content: string | Buffer): string {
  const full = path.join(dir, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  return full;
}

/** A repository root: `git init` so that upward searches (postgres image) stop here. */
function repo(): string {
  const dir = tmp();
  try {
    execFileSync('git', ['init', '-q', dir], { stdio: 'ignore' });
  } catch {
    fs.mkdirSync(path.join(dir, '.git'));
  }
  return dir;
}

const BAD_INDEX = 'CREATE INDEX users_email_idx ON users (email);\n';
const BAD_ADD_COLUMN = 'ALTER TABLE users ADD COLUMN n int DEFAULT random();\n';
const SAFE = 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n';

/** compact lines `path:line:col: severity [rule] message`. */
function compactFindings(stdout: string): { path: string; line: number; col: number; severity: string; rule: string; message: string }[] {
  const out = [];
  for (const l of stdout.split('\n')) {
    const m = /^(.+?):(\d+):(\d+): (error|warning) \[([a-z0-9-]+)\] (.+)$/.exec(l);
    if (m) out.push({ path: m[1], line: Number(m[2]), col: Number(m[3]), severity: m[4], rule: m[5], message: m[6] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON contract (version 1)

type Json = Record<string, unknown>;

const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

function expectJsonContract(doc: Json): void {
  expect(Object.keys(doc).sort()).toEqual(['errors', 'files', 'postgresVersion', 'postgresVersionSource', 'summary', 'tool', 'version'].sort());
  expect(doc.version).toBe(1);
  expect(doc.tool).toEqual({ name: 'zerodown', version: PKG_VERSION });
  expect(Number.isInteger(doc.postgresVersion)).toBe(true);
  expect(typeof doc.postgresVersionSource).toBe('string');
  expect(Array.isArray(doc.files)).toBe(true);
  for (const f of doc.files as Json[]) {
    expect(typeof f.path).toBe('string');
    expect(Number.isInteger(f.statements)).toBe(true);
    expect(Array.isArray(f.findings)).toBe(true);
    for (const x of f.findings as Json[]) {
      const keys = Object.keys(x).filter((k) => k !== 'direction');
      expect(keys.sort()).toEqual(['ruleId', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'lock', 'help', 'safeAlternative'].sort());
      if ('direction' in x) expect(['up', 'down']).toContain(x.direction);
      expect(x.ruleId).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(['error', 'warning']).toContain(x.severity);
      expect(typeof x.message).toBe('string');
      expect(typeof x.help).toBe('string');
      for (const k of ['line', 'column', 'endLine', 'endColumn']) {
        expect(Number.isInteger(x[k]), k).toBe(true);
        expect(x[k] as number, k).toBeGreaterThanOrEqual(1);
      }
      if (x.lock !== null) {
        const lock = x.lock as Json;
        expect(Object.keys(lock).sort()).toEqual(['blocks', 'mode', 'relations', 'rewrite', 'scan']);
        expect(LOCK_MODES).toContain(lock.mode);
        expect(Array.isArray(lock.relations)).toBe(true);
        for (const r of lock.relations as unknown[]) expect(typeof r).toBe('string');
        for (const b of lock.blocks as unknown[]) expect(['reads', 'writes', 'ddl']).toContain(b);
        expect(typeof lock.rewrite).toBe('boolean');
        expect(typeof lock.scan).toBe('boolean');
      }
      if (x.safeAlternative !== null) {
        const alt = x.safeAlternative as Json;
        expect(typeof alt.summary).toBe('string');
        expect(Array.isArray(alt.steps)).toBe(true);
        for (const s of alt.steps as Json[]) {
          expect(typeof s.title).toBe('string');
          expect(typeof s.sql).toBe('string');
          expect(['own', 'outside', 'any']).toContain(s.transaction);
        }
      }
    }
  }
  const summary = doc.summary as Json;
  for (const k of ['files', 'statements', 'errors', 'warnings', 'fatal']) expect(Number.isInteger(summary[k]), `summary.${k}`).toBe(true);
  expect(Array.isArray(doc.errors)).toBe(true);
}

function parseJson(r: Run): Json {
  let doc: Json;
  try {
    doc = JSON.parse(r.stdout) as Json;
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  expectJsonContract(doc);
  return doc;
}

function findingsOf(doc: Json, file?: string): Json[] {
  const files = doc.files as Json[];
  return files.filter((f) => file === undefined || f.path === file).flatMap((f) => f.findings as Json[]);
}

// ---------------------------------------------------------------------------------------------

describe('information commands', () => {
  it('--version / -v print the package version', () => {
    const cwd = tmp();
    for (const flag of ['--version', '-v']) {
      const r = run([flag], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(PKG_VERSION);
      expect(r.stderr).toBe('');
    }
  });

  it('--help / -h mention every option', () => {
    const cwd = tmp();
    // Every option the parser accepts, read from the source so that new options need documenting.
    const src = fs.readFileSync(path.join(ROOT, 'src', 'cli', 'cli.ts'), 'utf8');
    const block = /const OPTIONS[^=]*=\s*\{([\s\S]*?)\n\};/.exec(src)?.[1] ?? '';
    const fromSource = [...block.matchAll(/^\s*'?([a-z][a-z-]*)'?\s*:\s*\{([^}]*)\}/gm)].map((m) => ({ long: m[1], short: /short:\s*'(\w)'/.exec(m[2])?.[1] }));
    expect(fromSource.length).toBeGreaterThan(10);
    const expected = [
      'format', 'pg-version', 'runner', 'migration-format', 'assume-in-transaction', 'no-assume-in-transaction', 'config', 'rule',
      'lock-timeout', 'down', 'max-warnings', 'quiet', 'report-unused-ignores', 'stdin', 'stdin-filename', 'output-file', 'color',
      'no-color', 'version', 'help',
    ];
    const longs = new Set([...expected, ...fromSource.map((o) => o.long)]);
    const shorts = new Set(['f', 'c', 'q', 'o', 'v', 'h', ...fromSource.flatMap((o) => (o.short ? [o.short] : []))]);
    for (const flag of ['--help', '-h']) {
      const r = run([flag], { cwd });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const o of longs) expect(r.stdout, `--${o}`).toMatch(new RegExp(`--${o}(?![a-z-])`));
      for (const s of shorts) expect(r.stdout, `-${s}`).toMatch(new RegExp(`(^|\\s)-${s},`, 'm'));
      for (const cmd of ['rules', 'explain']) expect(r.stdout).toContain(cmd);
    }
  });

  it('rules lists every rule', () => {
    const r = run(['rules'], { cwd: tmp() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const id of ['add-column-rewrite', 'index-not-concurrent', 'set-not-null-scan', 'concurrent-in-transaction']) {
      expect(r.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
    }
    for (const rule of RULES) expect(r.stdout).toContain(rule.id);
  });

  it('explain <rule> prints why, a bad and a good example', () => {
    const rule = RULES.find((x) => x.id === 'index-not-concurrent');
    expect(rule).toBeDefined();
    const r = run(['explain', 'index-not-concurrent'], { cwd: tmp() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('index-not-concurrent');
    expect(r.stdout).toContain(rule!.docs.why);
    expect(r.stdout).toContain(rule!.docs.bad);
    expect(r.stdout).toContain(rule!.docs.good);
    expect(r.stdout).toMatch(/\bBad\b/);
    expect(r.stdout).toMatch(/\bGood\b/);
    expect(r.stdout).toContain('CREATE INDEX CONCURRENTLY');
  });

  it('explain with a misspelled rule exits 2 with "did you mean"', () => {
    const r = run(['explain', 'index-not-concurent'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, 'index-not-concurent', 'did you mean "index-not-concurrent"');
  });

  it('explain nope exits 2 and tells how to find the right id', () => {
    // Nothing is close to "nope", so a suggestion cannot be made: the message must still be
    // actionable (a hint or a pointer to `zerodown rules`, as the config error gives).
    const r = run(['explain', 'nope'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, '"nope"', /did you mean|zerodown rules/);
  });

  it('explain without a rule id exits 2', () => {
    const r = run(['explain'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'explain');
  });
});

describe('exit codes and findings', () => {
  it('exits 0 with no output for a clean migration', () => {
    const cwd = tmp();
    write(cwd, '001_safe.sql', SAFE);
    const r = run(['001_safe.sql'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  it('exits 1 on error findings; compact is the default off a terminal', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', `SELECT 1;\n${BAD_INDEX}`);
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const found = compactFindings(r.stdout);
    expect(found).toEqual([expect.objectContaining({ path: '001_idx.sql', line: 2, col: 1, severity: 'error', rule: 'index-not-concurrent' })]);
  });

  it('lints the current directory when no path is given', () => {
    const cwd = tmp();
    write(cwd, 'migrations/001_idx.sql', BAD_INDEX);
    const r = run([], { cwd });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => f.path)).toEqual([path.join('migrations', '001_idx.sql')]);
  });

  it('an unknown flag is a usage error (exit 2), not a crash', () => {
    const cwd = tmp();
    const r = run(['--bogus'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--bogus');
    expectNoStackTrace(r);
  });
});

describe('IO errors', () => {
  it('a missing path: exit 2, one stderr line naming it, and the other files are still reported', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', 'missing.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'missing.sql', /no such file/);
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ path: '001_idx.sql', rule: 'index-not-concurrent' })]);
  });

  it('a missing path with --format json: exit 2, findings and the error are both in the report', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--format', 'json', '001_idx.sql', 'missing.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'missing.sql');
    const doc = parseJson(r);
    expect(findingsOf(doc, '001_idx.sql').map((f) => f.ruleId)).toEqual(['index-not-concurrent']);
    expect(doc.errors).toEqual([{ path: 'missing.sql', message: expect.stringMatching(/no such file/) }]);
    expect(doc.summary).toMatchObject({ errors: 1, fatal: 1 });
  });

  it('a binary file (NUL bytes): exit 2, one stderr line naming it', () => {
    const cwd = tmp();
    write(cwd, 'blob.sql', Buffer.from([0x43, 0x52, 0x00, 0x01, 0x02, 0x00, 0x45]));
    const r = run(['blob.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'blob.sql', /binary/);
  });

  it('a binary file inside a directory argument is reported, the others still linted', () => {
    const cwd = tmp();
    write(cwd, 'db/001_idx.sql', BAD_INDEX);
    write(cwd, 'db/002_blob.sql', Buffer.from('SELECT\0 1;'));
    const r = run(['db'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, path.join('db', '002_blob.sql'), /binary/);
    expect(compactFindings(r.stdout).map((f) => f.rule)).toEqual(['index-not-concurrent']);
  });

  it('an unreadable directory argument: exit 2, one stderr line naming it; the other paths are still linted', () => {
    const cwd = tmp();
    write(cwd, 'locked/001_idx.sql', BAD_INDEX);
    write(cwd, 'open/001_idx.sql', BAD_INDEX);
    fs.chmodSync(path.join(cwd, 'locked'), 0o000);
    // root reads everything: run the CLI as an unprivileged user then.
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (asRoot) {
      fs.chmodSync(cwd, 0o755);
      chmodTree(path.join(cwd, 'open'));
    }
    const r = run(['locked', 'open'], { cwd, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    expect(compactFindings(r.stdout).map((f) => f.path)).toEqual([path.join('open', '001_idx.sql')]);
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'locked', /permission denied|cannot read|EACCES/i);
  });

  it('--output-file to a directory that does not exist: exit 2 naming the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', '--output-file', 'no/such/dir/report.json'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'no/such/dir/report.json');
  });
});

describe('usage and config errors', () => {
  it('an unknown option in zerodown.config.json: exit 2, "did you mean", names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    write(cwd, 'zerodown.config.json', JSON.stringify({ rulez: { 'index-not-concurrent': 'off' } }));
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, 'zerodown.config.json', '"rulez"', 'did you mean "rules"');
  });

  it('an unknown rule in the config: exit 2, "did you mean", names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    write(cwd, 'zerodown.config.json', JSON.stringify({ rules: { 'index-not-concurent': 'off' } }));
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, 'zerodown.config.json', 'index-not-concurent', 'did you mean "index-not-concurrent"');
  });

  it('invalid JSON in the config: exit 2, names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    write(cwd, 'zerodown.config.json', '{ "rules": ');
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'zerodown.config.json');
  });

  it('--config pointing to a missing file: exit 2, names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--config', 'nope.json', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'nope.json');
  });

  it('an unknown rule in --rule: exit 2 with "did you mean"', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--rule', 'index-not-concurent=off', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, '--rule', 'index-not-concurent', 'did you mean "index-not-concurrent"');
  });

  it('a malformed --rule or severity: exit 2', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    for (const value of ['index-not-concurrent', 'index-not-concurrent=loud']) {
      const r = run(['--rule', value, '001_idx.sql'], { cwd });
      expect(r.code, value).toBe(2);
      expectOneStderrLine(r, '--rule');
    }
  });

  it('a bad --format value: exit 2 with "did you mean" and the allowed values', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--format', 'jsn', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const line = expectOneStderrLine(r, '--format', '"jsn"', 'did you mean "json"');
    for (const f of ['pretty', 'compact', 'json', 'sarif', 'github', 'markdown']) expect(line).toContain(f);
  });

  it('a bad --pg-version: exit 2', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    for (const v of ['9', '19', 'abc', '16.2', '']) {
      const r = run(['--pg-version', v, '001_idx.sql'], { cwd });
      expect(r.code, v).toBe(2);
      expect(r.stdout, v).toBe('');
      expectOneStderrLine(r, '--pg-version');
    }
  });

  it('a bad --max-warnings: exit 2', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--max-warnings', 'lots', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, '--max-warnings');
  });
});

describe('--stdin', () => {
  it('reads SQL from standard input and reports it under --stdin-filename', () => {
    const cwd = tmp();
    const r = run(['--stdin', '--stdin-filename', 'x.sql'], { cwd, input: BAD_INDEX });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ path: 'x.sql', line: 1, col: 1, rule: 'index-not-concurrent' })]);
  });

  it('clean SQL on stdin exits 0', () => {
    const r = run(['--stdin', '--stdin-filename', 'x.sql'], { cwd: tmp(), input: SAFE });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('--stdin-filename inside a migrations directory replays the earlier files as history', () => {
    const cwd = tmp();
    write(cwd, 'db/migrations/001_create_users.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
    const input = [
      'CREATE INDEX users_email_idx ON users (email);', // users exists before this file: reported
      'CREATE TABLE audit (id bigint, at timestamptz);',
      'CREATE INDEX audit_at_idx ON audit (at);', // created in this very content: not reported
      '',
    ].join('\n');
    const r = run(['--stdin', '--stdin-filename', 'db/migrations/002_index.sql', '--format', 'json'], { cwd, input });
    expect(r.code).toBe(1);
    const doc = parseJson(r);
    // Only the stdin file is reported; history is replayed, not reported.
    expect((doc.files as Json[]).map((f) => f.path)).toEqual([path.join('db', 'migrations', '002_index.sql')]);
    const findings = findingsOf(doc);
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['index-not-concurrent', 1]]);
    expect((findings[0].lock as Json).relations).toEqual(['public.users']);
  });

  it('history from an earlier file shapes the analysis (a partitioned table gets the partition recipe)', () => {
    const cwd = tmp();
    write(
      cwd,
      'db/001_events.sql',
      "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n",
    );
    // A later file on disk is not history for 002.
    write(cwd, 'db/003_later.sql', 'CREATE TABLE later (id bigint, at date) PARTITION BY RANGE (at);\n');
    const input = 'CREATE INDEX events_at_idx ON events (at);\nCREATE INDEX later_at_idx ON later (at);\n';
    const r = run(['--stdin', '--stdin-filename', 'db/002_index.sql', '--format', 'json'], { cwd, input });
    expect(r.code).toBe(1);
    const findings = findingsOf(parseJson(r));
    expect(findings.map((f) => f.ruleId)).toEqual(['index-not-concurrent', 'index-not-concurrent']);
    const [events, later] = findings.map((f) => f.safeAlternative as { summary: string; steps: { sql: string }[] });
    expect(events.summary).toMatch(/partitioned/);
    expect(events.steps.map((s) => s.sql).join('\n')).toContain('events_2024');
    expect(later.summary).not.toMatch(/partitioned/);

    // Without the directory there is no history: the same content gets the plain recipe.
    const alone = run(['--stdin', '--stdin-filename', 'elsewhere/002_index.sql', '--format', 'json'], { cwd, input });
    const plain = findingsOf(parseJson(alone)).map((f) => (f.safeAlternative as { summary: string }).summary);
    expect(plain[0]).not.toMatch(/partitioned/);
  });

  it('stdin content replaces the file of the same name on disk', () => {
    const cwd = tmp();
    write(cwd, 'db/001_safe.sql', SAFE);
    const r = run(['--stdin', '--stdin-filename', 'db/001_safe.sql'], { cwd, input: BAD_INDEX });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ path: path.join('db', '001_safe.sql'), rule: 'index-not-concurrent' })]);
  });
});

describe('output options', () => {
  it('--output-file writes the report there and nothing to stdout; exit code unchanged', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', '--format', 'json', '--output-file', 'report.json'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const doc = JSON.parse(fs.readFileSync(path.join(cwd, 'report.json'), 'utf8')) as Json;
    expectJsonContract(doc);
    expect(findingsOf(doc).map((f) => f.ruleId)).toEqual(['index-not-concurrent']);

    const short = run(['001_idx.sql', '-o', 'report.txt'], { cwd });
    expect(short.code).toBe(1);
    expect(short.stdout).toBe('');
    expect(compactFindings(fs.readFileSync(path.join(cwd, 'report.txt'), 'utf8'))).toHaveLength(1);
  });

  it('--output-file never contains ANSI escapes, even with FORCE_COLOR', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', '--format', 'pretty', '--output-file', 'report.txt'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(r.code).toBe(1);
    const text = fs.readFileSync(path.join(cwd, 'report.txt'), 'utf8');
    expect(text).toContain('index-not-concurrent');
    expect(text).not.toContain('\u001b[');
  });

  it('--quiet drops warnings and keeps errors', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX + BAD_ADD_COLUMN);
    const loud = run(['001.sql', '--rule', 'index-not-concurrent=warn'], { cwd });
    expect(compactFindings(loud.stdout).map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning index-not-concurrent', 'error add-column-rewrite']);
    for (const q of ['--quiet', '-q']) {
      const r = run(['001.sql', '--rule', 'index-not-concurrent=warn', q], { cwd });
      expect(r.code).toBe(1);
      expect(compactFindings(r.stdout).map((f) => `${f.severity} ${f.rule}`)).toEqual(['error add-column-rewrite']);
      expect(r.stdout).not.toContain('warning');
    }
  });

  it('--quiet with only warnings prints nothing and exits 0', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX);
    const r = run(['001.sql', '--rule', 'index-not-concurrent=warn', '--quiet'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('--max-warnings: exit 1 when exceeded, 0 when within', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX + 'CREATE INDEX users_name_idx ON users (name);\n');
    const base = ['001.sql', '--rule', 'index-not-concurrent=warn'];
    const none = run(base, { cwd });
    expect(none.code).toBe(0);
    expect(compactFindings(none.stdout).map((f) => f.severity)).toEqual(['warning', 'warning']);

    const over = run([...base, '--max-warnings', '1'], { cwd });
    expect(over.code).toBe(1);
    expect(compactFindings(over.stdout)).toHaveLength(2);
    expectOneStderrLine(over, /max-warnings/);

    for (const n of ['2', '5']) {
      const within = run([...base, '--max-warnings', n], { cwd });
      expect(within.code, n).toBe(0);
      expect(within.stderr).toBe('');
    }
  });

  it('--rule <id>=off silences the rule', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX);
    const r = run(['001.sql', '--rule', 'index-not-concurrent=off'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });
});

describe('configuration discovery', () => {
  it('zerodown.config.json is found upward from the working directory', () => {
    const root = tmp();
    write(root, 'zerodown.config.json', JSON.stringify({ rules: { 'index-not-concurrent': 'off' } }));
    write(root, 'app/db/001.sql', BAD_INDEX + BAD_ADD_COLUMN);
    const r = run(['001.sql'], { cwd: path.join(root, 'app', 'db') });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => f.rule)).toEqual(['add-column-rewrite']);
  });

  it('the "zerodown" key of package.json is read', () => {
    const root = tmp();
    write(root, 'package.json', JSON.stringify({ name: 'app', version: '1.0.0', zerodown: { rules: { 'index-not-concurrent': 'warn' } } }));
    write(root, 'db/001.sql', BAD_INDEX);
    const r = run(['001.sql'], { cwd: path.join(root, 'db') });
    expect(r.code).toBe(0);
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ severity: 'warning', rule: 'index-not-concurrent' })]);
  });

  it('an invalid "zerodown" key in package.json names package.json', () => {
    const root = tmp();
    write(root, 'package.json', JSON.stringify({ name: 'app', zerodown: { postgresVerison: 16 } }));
    write(root, '001.sql', BAD_INDEX);
    const r = run(['001.sql'], { cwd: root });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'package.json', 'did you mean "postgresVersion"');
  });

  it('--rule on the command line wins over the config file', () => {
    const root = tmp();
    write(root, 'zerodown.config.json', JSON.stringify({ rules: { 'index-not-concurrent': 'off' } }));
    write(root, '001.sql', BAD_INDEX);
    const r = run(['001.sql', '--rule', 'index-not-concurrent=error'], { cwd: root });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => f.rule)).toEqual(['index-not-concurrent']);
  });
});

describe('suppression comments', () => {
  it('-- zerodown-ignore on the line before a multi-line statement suppresses it (only it)', () => {
    const cwd = tmp();
    write(
      cwd,
      '001.sql',
      [
        '-- zerodown-ignore index-not-concurrent -- users has 40 rows',
        'CREATE INDEX',
        '  users_email_idx',
        '  ON users',
        '  (email);',
        'CREATE INDEX users_name_idx ON users (name);',
        '',
      ].join('\n'),
    );
    const r = run(['001.sql'], { cwd });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => `${f.line} ${f.rule}`)).toEqual(['6 index-not-concurrent']);
  });

  it('an unknown rule id in an ignore comment is reported as invalid-ignore and suppresses nothing', () => {
    const cwd = tmp();
    write(cwd, '001.sql', `-- zerodown-ignore index-not-concurent -- typo\n${BAD_INDEX}`);
    const r = run(['001.sql'], { cwd });
    expect(r.code).toBe(1);
    const found = compactFindings(r.stdout);
    expect(found.map((f) => `${f.line} ${f.rule}`)).toEqual(['1 invalid-ignore', '2 index-not-concurrent']);
    expect(found[0].message).toContain('index-not-concurent');
    expect(found[0].message).toContain('did you mean "index-not-concurrent"');
  });

  it('--report-unused-ignores reports ignore comments that suppress nothing', () => {
    const cwd = tmp();
    write(cwd, '001.sql', `-- zerodown-ignore add-column-rewrite -- not needed\n${SAFE}`);
    const quiet = run(['001.sql'], { cwd });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    const r = run(['001.sql', '--report-unused-ignores', '--format', 'json'], { cwd });
    const findings = findingsOf(parseJson(r));
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['unused-ignore', 1]]);
    expect(findings[0].message).toContain('add-column-rewrite');
  });

  it('a used ignore is not reported by --report-unused-ignores', () => {
    const cwd = tmp();
    write(cwd, '001.sql', `-- zerodown-ignore index-not-concurrent -- small table\n${BAD_INDEX}`);
    const r = run(['001.sql', '--report-unused-ignores'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('--format json', () => {
  it('follows the version 1 contract', () => {
    const cwd = tmp();
    const sql = `SELECT 1;\n${BAD_INDEX}${BAD_ADD_COLUMN}`;
    write(cwd, '001.sql', sql);
    const r = run(['001.sql', '--format', 'json', '--pg-version', '14'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const doc = parseJson(r);
    expect(doc.postgresVersion).toBe(14);
    expect(doc.postgresVersionSource).toBe('--pg-version');
    const files = doc.files as Json[];
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: '001.sql', statements: 3 });
    expect(doc.summary).toEqual({ files: 1, statements: 3, errors: 2, warnings: 0, fatal: 0 });
    expect(doc.errors).toEqual([]);
    const [idx, add] = findingsOf(doc);
    expect(idx).toMatchObject({ ruleId: 'index-not-concurrent', severity: 'error', line: 2, column: 1, endLine: 2 });
    expect(idx.lock).toMatchObject({ mode: 'SHARE', relations: ['public.users'], rewrite: false });
    expect((idx.safeAlternative as { steps: { sql: string; transaction: string }[] }).steps[0]).toMatchObject({
      sql: expect.stringContaining('CREATE INDEX CONCURRENTLY'),
      transaction: 'outside',
    });
    expect(add).toMatchObject({ ruleId: 'add-column-rewrite', line: 3 });
    expect(add.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', rewrite: true });
    // Positions are 1-based with an exclusive end: they cut the offending text out of the source.
    const lines = sql.split('\n');
    expect(lines[(idx.line as number) - 1].slice((idx.column as number) - 1, (idx.endColumn as number) - 1)).toBe('CREATE INDEX');
    expect(lines[(add.line as number) - 1].slice((add.column as number) - 1, (add.endColumn as number) - 1)).toMatch(/^ADD COLUMN n/);
  });

  it('an empty directory is a clean report', () => {
    const cwd = tmp();
    fs.mkdirSync(path.join(cwd, 'db'));
    const r = run(['db', '--format', 'json'], { cwd });
    expect(r.code).toBe(0);
    const doc = parseJson(r);
    expect(doc.files).toEqual([]);
    expect(doc.summary).toEqual({ files: 0, statements: 0, errors: 0, warnings: 0, fatal: 0 });
  });
});

describe('--format pretty', () => {
  const SQL = 'SELECT 1;\nALTER TABLE users ADD COLUMN n int DEFAULT random();\n';

  it('NO_COLOR: no ANSI escapes', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('add-column-rewrite');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('FORCE_COLOR=1: ANSI escapes even off a terminal', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\u001b\[\d+(;\d+)*m/);
  });

  it('no color settings and not a terminal: no ANSI escapes', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd });
    expect(r.stdout).toContain('add-column-rewrite');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('shows the statement with ^^^ under the offending span, and a lock line', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { NO_COLOR: '1' } });
    const out = r.stdout.split('\n');
    expect(out[0]).toMatch(/^001\.sql:2:19\s+error\s+add-column-rewrite/);
    const src = 'ALTER TABLE users ADD COLUMN n int DEFAULT random();';
    const i = out.findIndex((l) => l.includes(`2 | ${src}`));
    expect(i, r.stdout).toBeGreaterThan(0);
    const underline = out[i + 1];
    expect(underline).toMatch(/^\s*\|\s*\^+$/);
    const col = out[i].indexOf(src) + src.indexOf('ADD COLUMN');
    expect(underline.indexOf('^')).toBe(col);
    expect(underline.trimEnd().length - col).toBe('ADD COLUMN n int DEFAULT random()'.length);
    const lock = out.find((l) => /^\s*lock:/.test(l));
    expect(lock).toBeDefined();
    expect(lock).toMatch(/ACCESS EXCLUSIVE on users/);
    expect(lock).toMatch(/rewrites the table/);
    expect(r.stdout).toMatch(/PostgreSQL 15/);
  });

  it('underlines a multi-line statement on its first line', () => {
    const cwd = tmp();
    write(cwd, '001.sql', 'SELECT 1;\nCREATE INDEX users_email_idx\n  ON users (email);\n');
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { NO_COLOR: '1' } });
    const out = r.stdout.split('\n');
    const i = out.findIndex((l) => /2 \| CREATE INDEX users_email_idx$/.test(l));
    expect(i, r.stdout).toBeGreaterThan(0);
    expect(out[i + 1].indexOf('^')).toBe(out[i].indexOf('CREATE'));
    expect(out[i + 1].trim()).toBe(`| ${'^'.repeat('CREATE INDEX'.length)}`);
  });
});

describe('PostgreSQL version detection', () => {
  it('a postgres image in docker-compose.yml at the repository root sets the version', () => {
    const root = repo();
    write(root, 'docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n');
    write(root, 'db/migrations/001.sql', SAFE);
    for (const cwd of [root, path.join(root, 'db', 'migrations')]) {
      const r = run(['.', '--format', 'json'], { cwd });
      expect(r.code).toBe(0);
      const doc = parseJson(r);
      expect(doc.postgresVersion).toBe(16);
      expect(doc.postgresVersionSource).toContain('docker-compose.yml');
    }
  });

  it('--pg-version wins over detection', () => {
    const root = repo();
    write(root, 'docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n');
    write(root, '001.sql', SAFE);
    const doc = parseJson(run(['001.sql', '--format', 'json', '--pg-version', '13'], { cwd: root }));
    expect(doc.postgresVersion).toBe(13);
    expect(doc.postgresVersionSource).toBe('--pg-version');
  });

  it('an image newer than supported: the version used and its stated source agree', () => {
    const root = repo();
    write(root, 'docker-compose.yml', 'services:\n  db:\n    image: postgres:19\n');
    write(root, '001.sql', SAFE);
    const r = run(['001.sql', '--format', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    const doc = parseJson(r);
    const source = doc.postgresVersionSource as string;
    // Either clamp to the newest supported major (as 9.6 is clamped up to 10), or do not claim
    // that the version used was detected.
    const consistent = doc.postgresVersion === 18 || !/^detected/.test(source);
    expect(consistent, `postgresVersion ${String(doc.postgresVersion)} with source "${source}"`).toBe(true);
  });

  it('without any hint the default is used, and says so', () => {
    const root = repo();
    write(root, '001.sql', SAFE);
    const doc = parseJson(run(['001.sql', '--format', 'json'], { cwd: root }));
    expect(doc.postgresVersion).toBe(15);
    expect(doc.postgresVersionSource).toMatch(/default/);
  });
});
