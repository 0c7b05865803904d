/**
 * --fix never damages a file or an applied migration: bytes outside the edit survive (encoding, BOM,
 * line endings), migrations already on the deployed branch are left alone (real git repositories
 * built in temp dirs), a failed write names the files already changed, and a fix never produces a
 * finding — checked on every fixture. Runs the built CLI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.ts';
import { fixFiles } from '../src/front/fix-files.ts';
import { lintPaths, type LintOptions } from '../src/engine/lint.ts';
import type { LintReport } from '../src/findings/model.ts';
import { CLI, engineOptions } from './helpers.ts';
import { FIXTURES, header, presetRules } from './fixture-files.ts';

let dir: string;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function mk(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-fixtrust-'));
  return dir;
}

function zerodown(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ZERODOWN_CACHE_DIR: path.join(cwd, '.zd-cache') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A statement the lock_timeout fix rewrites (SET lock_timeout inserted before it). */
const ALTER = 'ALTER TABLE towns ADD COLUMN note text;';

describe('--fix keeps the bytes it does not edit', () => {
  it('a Latin-1 file: ü stays the byte 0xFC; lint says once that the file is not UTF-8', () => {
    const cwd = mk();
    const original = Buffer.from(`INSERT INTO towns (name) VALUES ('Z\u00fcrich');\n${ALTER}\n`, 'latin1');
    fs.writeFileSync(path.join(cwd, 'm.sql'), original);
    const lint = zerodown(cwd, 'm.sql', '--format', 'json', '--runner', 'psql');
    expect(lint.stderr.match(/not valid UTF-8/g)).toHaveLength(1);
    expect(lint.stderr).toContain('m.sql: file is not valid UTF-8 (byte 0xFC at 1:36)');
    zerodown(cwd, '--fix', 'm.sql', '--runner', 'psql');
    const after = fs.readFileSync(path.join(cwd, 'm.sql'));
    expect(after.toString('latin1')).toBe(`INSERT INTO towns (name) VALUES ('Z\u00fcrich');\nSET lock_timeout = '2s';\n${ALTER}\n`);
    expect(after.includes(Buffer.from([0xfc]))).toBe(true);
    expect(after.includes(Buffer.from('\ufffd', 'utf8'))).toBe(false);
  });

  it('a UTF-8 file with a BOM and CRLF line endings keeps both; columns do not count the BOM', () => {
    const cwd = mk();
    const text = `\ufeff${ALTER}\r\nSELECT 1;\r\n`;
    fs.writeFileSync(path.join(cwd, 'm.sql'), text, 'utf8');
    const lint = JSON.parse(zerodown(cwd, 'm.sql', '--format', 'json', '--runner', 'psql').stdout) as { files: { findings: { ruleId: string; line: number; column: number }[] }[] };
    expect(lint.files[0].findings.map((f) => `${f.ruleId} ${f.line}:${f.column}`)).toEqual(['lock-timeout-missing 1:1']);
    zerodown(cwd, '--fix', 'm.sql', '--runner', 'psql');
    expect(fs.readFileSync(path.join(cwd, 'm.sql'), 'utf8')).toBe(`\ufeffSET lock_timeout = '2s';\r\n${ALTER}\r\nSELECT 1;\r\n`);
  });

  it('a UTF-16 file is read as UTF-16 (not "binary"), and fixed in UTF-16', () => {
    const cwd = mk();
    const text = `\ufeff${ALTER}\n`;
    fs.writeFileSync(path.join(cwd, 'm.sql'), Buffer.from(text, 'utf16le'));
    const lint = zerodown(cwd, 'm.sql', '--format', 'json', '--runner', 'psql');
    expect(lint.stderr).toContain('file is UTF-16 LE');
    expect(lint.stderr).not.toContain('binary');
    expect(JSON.parse(lint.stdout).files[0].findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['lock-timeout-missing']);
    zerodown(cwd, '--fix', 'm.sql', '--runner', 'psql');
    expect(fs.readFileSync(path.join(cwd, 'm.sql')).toString('utf16le')).toBe(`\ufeffSET lock_timeout = '2s';\n${ALTER}\n`);
  });

  it('a fix through a symlink edits the file it points to and keeps the link', () => {
    const cwd = mk();
    fs.mkdirSync(path.join(cwd, 'shared'));
    fs.mkdirSync(path.join(cwd, 'migrations'));
    fs.writeFileSync(path.join(cwd, 'shared', '001_towns.sql'), `${ALTER}\n`);
    fs.symlinkSync(path.join('..', 'shared', '001_towns.sql'), path.join(cwd, 'migrations', '001_towns.sql'));
    zerodown(cwd, '--fix', 'migrations', '--runner', 'psql');
    expect(fs.lstatSync(path.join(cwd, 'migrations', '001_towns.sql')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(cwd, 'shared', '001_towns.sql'), 'utf8')).toBe(`SET lock_timeout = '2s';\n${ALTER}\n`);
  });
});

describe('--fix edits only migrations that are new relative to the deployed revision', () => {
  function repo(): string {
    const cwd = mk();
    git(cwd, 'init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(cwd, 'migrations'));
    fs.writeFileSync(path.join(cwd, 'migrations', '001_applied.sql'), `${ALTER}\n`);
    git(cwd, 'add', '.');
    git(cwd, 'commit', '-q', '-m', 'applied');
    git(cwd, 'checkout', '-q', '-b', 'feature');
    fs.writeFileSync(path.join(cwd, 'migrations', '002_committed.sql'), 'ALTER TABLE towns ADD COLUMN a int;\n');
    git(cwd, 'add', '.');
    git(cwd, 'commit', '-q', '-m', 'on the branch');
    fs.writeFileSync(path.join(cwd, 'migrations', '003_staged.sql'), 'ALTER TABLE towns ADD COLUMN b int;\n');
    git(cwd, 'add', 'migrations/003_staged.sql');
    fs.writeFileSync(path.join(cwd, 'migrations', '004_untracked.sql'), 'ALTER TABLE towns ADD COLUMN c int;\n');
    fs.writeFileSync(path.join(cwd, '.gitignore'), '.zd-cache\n');
    return cwd;
  }
  const read = (cwd: string, name: string): string => fs.readFileSync(path.join(cwd, 'migrations', name), 'utf8');

  it('leaves a migration already on main unchanged, says why, and fixes the branch\'s committed, staged and untracked ones', () => {
    const cwd = repo();
    const r = zerodown(cwd, '--fix', 'migrations', '--runner', 'psql');
    expect(read(cwd, '001_applied.sql')).toBe(`${ALTER}\n`);
    for (const f of ['002_committed.sql', '003_staged.sql', '004_untracked.sql']) expect(read(cwd, f)).toMatch(/^SET lock_timeout = '2s';\n/);
    expect(r.stderr).toMatch(/left 1 file\(s\) with fixable findings unchanged: they are already in main \(merge-base [0-9a-f]{10}\)/);
    expect(r.stderr).toContain('Flyway and Prisma Migrate');
    expect(r.stderr).toContain('--fix-all');
    expect(r.stderr).toContain('fixed 3 problem(s) in 3 file(s)');
  });

  it('--fix-all edits the applied migration too; --deployed-ref chooses the deployed revision', () => {
    const cwd = repo();
    // With the branch itself as the deployed revision, only the staged and untracked files are new.
    zerodown(cwd, '--fix', 'migrations', '--runner', 'psql', '--deployed-ref', 'feature');
    expect(read(cwd, '002_committed.sql')).toBe('ALTER TABLE towns ADD COLUMN a int;\n');
    expect(read(cwd, '003_staged.sql')).toMatch(/^SET lock_timeout/);
    const all = zerodown(cwd, '--fix-all', 'migrations', '--runner', 'psql');
    expect(read(cwd, '001_applied.sql')).toBe(`SET lock_timeout = '2s';\n${ALTER}\n`);
    expect(all.stderr).not.toContain('left');
  });

  it('an unknown --deployed-ref is a usage error that changes nothing', () => {
    const cwd = repo();
    const r = zerodown(cwd, '--fix', 'migrations', '--runner', 'psql', '--deployed-ref', 'origin/nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('zerodown: --deployed-ref origin/nope: git does not know this ref\n');
    expect(read(cwd, '004_untracked.sql')).toBe('ALTER TABLE towns ADD COLUMN c int;\n');
  });
});

describe('--fix that cannot write a file', () => {
  it('names the file left unchanged and the files already changed, and exits 2', () => {
    const cwd = mk();
    fs.mkdirSync(path.join(cwd, 'a'));
    fs.mkdirSync(path.join(cwd, 'b'));
    fs.writeFileSync(path.join(cwd, 'a', 'one.sql'), `${ALTER}\n`);
    const locked = path.join(cwd, 'b', 'two.sql');
    fs.writeFileSync(locked, `${ALTER}\n`);
    // The file cannot be replaced: immutable for root, a read-only directory for anyone else.
    const immutable = spawnSync('chattr', ['+i', locked]).status === 0;
    if (!immutable) fs.chmodSync(path.join(cwd, 'b'), 0o555);
    try {
      const r = zerodown(cwd, '--fix', 'a/one.sql', 'b/two.sql', '--runner', 'psql');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/b\/two\.sql: cannot write \(E[A-Z]+\); it is unchanged\./);
      expect(r.stderr).toContain('files already fixed (each complete): a/one.sql');
      expect(fs.readFileSync(locked, 'utf8')).toBe(`${ALTER}\n`);
      expect(fs.readdirSync(path.join(cwd, 'b'))).toEqual(['two.sql']);
    } finally {
      if (immutable) spawnSync('chattr', ['-i', locked]);
      else fs.chmodSync(path.join(cwd, 'b'), 0o755);
    }
  });
});

describe('a fix never produces a finding', () => {
  it('NOT VALID + VALIDATE is not offered in a one-statement golang-migrate file (it would become one implicit transaction)', () => {
    const cwd = mk();
    fs.mkdirSync(path.join(cwd, 'db'));
    const text = 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n';
    fs.writeFileSync(path.join(cwd, 'db', '000002_fk.up.sql'), text);
    zerodown(cwd, '--fix', 'db', '--runner', 'golang-migrate', '--rule', 'lock-timeout-missing=off');
    const ids = (JSON.parse(zerodown(cwd, 'db', '--runner', 'golang-migrate', '--format', 'json').stdout) as { files: { findings: { ruleId: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.ruleId));
    expect(ids).not.toContain('validate-in-same-transaction');
  });

  it('on every fixture: lint after --fix-all has no finding of a rule that had fewer findings before', async () => {
    const cwd = mk();
    fs.cpSync(FIXTURES, path.join(cwd, 'fixtures'), { recursive: true });
    const targets: { target: string; h: ReturnType<typeof header> }[] = [];
    for (const entry of fs.readdirSync(path.join(cwd, 'fixtures'), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const rule = entry.name;
      const ruleDir = path.join(cwd, 'fixtures', rule);
      if (rule === 'demo') {
        targets.push({ target: ruleDir, h: {} });
        continue;
      }
      for (const e of fs.readdirSync(ruleDir, { withFileTypes: true })) {
        const full = path.join(ruleDir, e.name);
        if (e.isDirectory()) targets.push({ target: full, h: {} });
        else if (e.name.endsWith('.sql')) targets.push({ target: full, h: header(fs.readFileSync(full, 'utf8')) });
      }
    }
    const counts = (r: LintReport): Map<string, number> => {
      const m = new Map<string, number>();
      for (const f of r.files) for (const x of f.findings) m.set(`${f.path} ${x.ruleId}`, (m.get(`${f.path} ${x.ruleId}`) ?? 0) + 1);
      return m;
    };
    let fixedTargets = 0;
    const problems: string[] = [];
    for (const { target, h } of targets) {
      const options: LintOptions = {
        ...engineOptions(),
        rules: presetRules(h.preset, h.enable),
        pgVersion: h.pgVersion ?? 15,
        runner: h.runner ?? null,
        assumeInTransaction: h.assumeInTransaction,
        pgVersionSource: 'test',
        detectRunner: false,
      };
      // Each fixture file fixed and re-linted alone (as a user runs it); a fixture directory as a whole.
      const lint = (): Promise<LintReport> => lintPaths([target], RULES, options, { cwd });
      const before = counts(await lint());
      const log: string[] = [];
      const fixed = await fixFiles(lint, { cwd, all: true, log: (l) => log.push(l) });
      expect(fixed.code).toBe(0);
      if (log.some((l) => /fixed \d+ problem/.test(l))) fixedTargets++;
      for (const [k, n] of counts(await lint())) if (n > (before.get(k) ?? 0)) problems.push(k);
    }
    expect(problems).toEqual([]);
    expect(fixedTargets).toBeGreaterThan(10);
  }, 300_000);
});
