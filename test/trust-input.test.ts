/**
 * Odd inputs a new user or a hostile tester gives the CLI: symlinked migrations, invalid PL/pgSQL in
 * DO, BOMs, UTF-16, a directory as --stdin-filename, a broken package.json, hex version numbers, an
 * empty directory, `rules --format json`, unreadable paths, very long lines. Runs the built CLI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from './helpers.ts';

let dir: string;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function mk(files: Record<string, string | Buffer> = {}): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-input-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function zerodown(cwd: string, args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, ZERODOWN_CACHE_DIR: path.join(cwd, '.zd-cache'), NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Json {
  files: { path: string; findings: { ruleId: string; line: number; column: number; message: string }[] }[];
}
const findings = (stdout: string): string[] => (JSON.parse(stdout) as Json).files.flatMap((f) => f.findings.map((x) => `${f.path}:${x.line}:${x.column} ${x.ruleId}`));

describe('symlinked migrations', () => {
  it('a symlinked migration file in a directory run is linted like the others', () => {
    const cwd = mk({ 'elsewhere/idx.sql': 'CREATE INDEX users_email_idx ON users (email);\n', 'migrations/001_init.sql': 'CREATE TABLE users (id bigint, email text);\n' });
    fs.symlinkSync(path.join('..', 'elsewhere', 'idx.sql'), path.join(cwd, 'migrations', '002_idx.sql'));
    const r = zerodown(cwd, ['migrations', '--format', 'json', '--rule', 'lock-timeout-missing=off']);
    expect(r.code).toBe(1);
    expect(findings(r.stdout)).toEqual(['migrations/002_idx.sql:1:1 index-not-concurrent']);
  });

  it('a directory symlink loop is walked once; a dangling .sql link is reported', () => {
    const cwd = mk({ 'migrations/001_init.sql': 'CREATE TABLE users (id bigint);\n' });
    fs.symlinkSync('..', path.join(cwd, 'migrations', 'loop'));
    fs.symlinkSync('nowhere.sql', path.join(cwd, 'migrations', '002_gone.sql'));
    const r = zerodown(cwd, ['migrations', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('002_gone.sql: dangling symbolic link (ENOENT)');
    expect((JSON.parse(r.stdout) as Json).files.map((f) => f.path)).toEqual(['migrations/001_init.sql']);
  });
});

describe('PL/pgSQL in DO', () => {
  it('an invalid body is a parse error at the token PostgreSQL names', () => {
    // PostgreSQL 18: ERROR: syntax error at or near "NOTICE", LINE 3: RAISE NOTICE 'x'; (the missing ; after PERFORM 1).
    const cwd = mk({ 'm.sql': "CREATE TABLE t (id int);\nDO $$ BEGIN\n  PERFORM 1\n  RAISE NOTICE 'x';\nEND $$;\n" });
    const r = zerodown(cwd, ['m.sql', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(findings(r.stdout)).toEqual(['m.sql:4:9 parse-error']);
    expect(JSON.parse(r.stdout).files[0].findings[0].message).toContain('syntax error at or near "NOTICE"');
  });

  it('the failing token is the one that fails, not its first occurrence', () => {
    const cwd = mk({ 'm.sql': 'DO $$\nBEGIN\n  IF true THEN\n    PERFORM 1;\n  END;\nEND $$;\n' });
    expect(findings(zerodown(cwd, ['m.sql', '--format', 'json']).stdout)).toEqual(['m.sql:5:6 parse-error']);
  });

  it('a valid body passes', () => {
    const cwd = mk({ 'm.sql': "DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM pg_class; RAISE NOTICE '%', n; END $$;\n" });
    expect(zerodown(cwd, ['m.sql', '--format', 'json']).code).toBe(0);
  });
});

describe('encodings and positions', () => {
  it('a BOM does not shift columns, in compact output', () => {
    const cwd = mk({ 'm.sql': '\ufeffCREATE INDEX i ON t (a);\n' });
    expect(zerodown(cwd, ['m.sql', '--format', 'compact', '--rule', 'lock-timeout-missing=off']).stdout).toMatch(/^m\.sql:1:1: error \[index-not-concurrent\]/);
  });

  it('a UTF-16 file without a BOM is analyzed and called UTF-16, not binary', () => {
    const cwd = mk({ 'm.sql': Buffer.from('CREATE INDEX i ON t (a);\n', 'utf16le') });
    const r = zerodown(cwd, ['m.sql', '--format', 'json', '--rule', 'lock-timeout-missing=off']);
    expect(findings(r.stdout)).toEqual(['m.sql:1:1 index-not-concurrent']);
    expect(r.stderr).toContain('file is UTF-16 LE without a byte-order mark');
  });
});

describe('command-line edges', () => {
  it('--stdin-filename naming a directory is a usage error, not a lint of that directory', () => {
    const cwd = mk({ 'migrations/001.sql': 'CREATE INDEX i ON t (a);\n' });
    const r = zerodown(cwd, ['--stdin', '--stdin-filename', 'migrations'], 'SELECT 1;');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stdin-filename migrations: is a directory');
    expect(r.stdout).toBe('');
  });

  it('a broken package.json without zerodown config does not block lint', () => {
    const cwd = mk({ 'package.json': '{ "name": "x", ', 'm.sql': 'SELECT 1;\n' });
    const r = zerodown(cwd, ['m.sql', '--format', 'compact']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--pg-version and --max-warnings take decimal numbers only', () => {
    const cwd = mk({ 'm.sql': 'SELECT 1;\n' });
    const r = zerodown(cwd, ['m.sql', '--pg-version', '0x10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pg-version: expected a major version from 10 to 18, got "0x10"');
    expect(zerodown(cwd, ['m.sql', '--max-warnings', '0x1']).code).toBe(2);
  });

  it('a directory without migrations says so, and exits 0', () => {
    const cwd = mk({ 'empty/readme.txt': 'nothing' });
    const r = zerodown(cwd, ['empty', '--format', 'compact']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('zerodown: no migrations found under empty');
  });

  it('rules --format json prints JSON', () => {
    const cwd = mk();
    const rules = JSON.parse(zerodown(cwd, ['rules', '--format', 'json']).stdout) as { id: string; severity: string }[];
    expect(rules.map((r) => r.id)).toContain('index-not-concurrent');
  });

  it('a path that cannot be stat-ed says why (not always "no such file")', () => {
    const cwd = mk({ 'afile.sql': 'SELECT 1;\n' });
    const r = zerodown(cwd, ['afile.sql/child.sql']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('afile.sql/child.sql: a parent of this path is not a directory');
  });

  it('pretty output caps the code frame of a very long line', () => {
    const long = `CREATE INDEX i ON t (a) WHERE b IN (${Array.from({ length: 50_000 }, (_, i) => i).join(', ')});\n`;
    const cwd = mk({ 'm.sql': long });
    const r = zerodown(cwd, ['m.sql', '--format', 'pretty', '--rule', 'lock-timeout-missing=off']);
    expect(r.code).toBe(1);
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThan(400);
  });
});
