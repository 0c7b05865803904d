/**
 * Shared harness for test/cli-*.test.ts: runs the built binary (dist/cli.js) in throw-away directories
 * and checks what a user sees (exit code, stdout, stderr, the JSON contract version 1).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, expect } from 'vitest';
import { CLI, ROOT } from './helpers.ts';

export const PKG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

// ---------------------------------------------------------------------------------------------
// Harness

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  input?: string;
  env?: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
  /** Keep lock-timeout-missing and locks-held-across-statements on. */
  companions?: boolean;
}

export function run(args: string[], opts: RunOptions): Run {
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

export const STACK_FRAME_PAREN = /at .*\(.*:\d+:\d+\)/;
export const STACK_FRAME_BARE = /^\s+at \S+:\d+:\d+/m;

export function expectNoStackTrace(r: Run): void {
  expect(r.stderr).not.toMatch(STACK_FRAME_PAREN);
  expect(r.stderr).not.toMatch(STACK_FRAME_BARE);
  expect(r.stdout).not.toMatch(STACK_FRAME_PAREN);
  expect(r.stderr).not.toMatch(/internal error/);
}

/** stderr is exactly one line, prefixed with the tool name, that names `what`. */
export function expectOneStderrLine(r: Run, ...mentions: (string | RegExp)[]): string {
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

export const dirs: string[] = [];

export function tmp(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-cli-')));
  dirs.push(dir);
  return dir;
}

export function chmodTree(p: string): void {
  try {
    fs.chmodSync(p, 0o755);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chmodTree(path.join(p, e));
  } catch {
    // best effort
  }
}

export function write(dir: string, rel: string, content: string | Buffer): string {
  const full = path.join(dir, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  return full;
}

/** A repository root: `git init` so that upward searches (postgres image) stop here. */
export function repo(): string {
  const dir = tmp();
  try {
    execFileSync('git', ['init', '-q', dir], { stdio: 'ignore' });
  } catch {
    fs.mkdirSync(path.join(dir, '.git'));
  }
  return dir;
}

export const BAD_INDEX = 'CREATE INDEX users_email_idx ON users (email);\n';
export const BAD_ADD_COLUMN = 'ALTER TABLE users ADD COLUMN n int DEFAULT random();\n';
export const SAFE = 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n';

/** compact lines `path:line:col: severity [rule] message`. */
export function compactFindings(stdout: string): { path: string; line: number; col: number; severity: string; rule: string; message: string }[] {
  const out = [];
  for (const l of stdout.split('\n')) {
    const m = /^(.+?):(\d+):(\d+): (error|warning) \[([a-z0-9-]+)\] (.+)$/.exec(l);
    if (m) out.push({ path: m[1], line: Number(m[2]), col: Number(m[3]), severity: m[4], rule: m[5], message: m[6] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON contract (version 1)

export type Json = Record<string, unknown>;

export const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

export function expectJsonContract(doc: Json): void {
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

export function parseJson(r: Run): Json {
  let doc: Json;
  try {
    doc = JSON.parse(r.stdout) as Json;
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`, { cause: e });
  }
  expectJsonContract(doc);
  return doc;
}

export function findingsOf(doc: Json, file?: string): Json[] {
  const files = doc.files as Json[];
  return files.filter((f) => file === undefined || f.path === file).flatMap((f) => f.findings as Json[]);
}

// ---------------------------------------------------------------------------------------------

/** Builds dist/ once per test file and removes each test's temp directories. */
export function useBuiltCli(): void {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);
  afterEach(() => {
    for (const d of dirs.splice(0)) {
      chmodTree(d);
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
}
