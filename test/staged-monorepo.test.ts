/**
 * `zerodown --staged` (plain git hooks: the index, history included) and monorepos (the nearest
 * configuration governs each migrations directory), through the built CLI in temporary repositories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from './helpers.ts';
import { BAD, git, migrationsRepo, write } from './hooks/git-repo.ts';

const dirs: string[] = [];
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function repo(): string {
  const dir = migrationsRepo('zerodown-staged-');
  dirs.push(dir);
  return dir;
}

function zerodown(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '--format', 'compact', '--rule', 'lock-timeout-missing=off', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('--staged', () => {
  it('nothing staged: exit 0, no output', () => {
    const dir = repo();
    write(dir, 'db/migrations/002_idx.up.sql', BAD); // untracked, not staged
    const r = zerodown(dir, '--staged');
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('lints the staged content of a partly staged file, not the work tree', () => {
    const dir = repo();
    write(dir, 'db/migrations/002_idx.up.sql', BAD);
    git(dir, 'add', '.');
    write(dir, 'db/migrations/002_idx.up.sql', BAD.replace('INDEX', 'INDEX CONCURRENTLY'));
    const staged = zerodown(dir, '--staged');
    expect(staged.code).toBe(1);
    expect(staged.stdout).toMatch(/^db\/migrations\/002_idx\.up\.sql:1:1: error \[index-not-concurrent\]/m);
    expect(zerodown(dir, 'db/migrations/002_idx.up.sql').code).toBe(0);
    // From a subdirectory, paths are shown relative to it.
    expect(zerodown(path.join(dir, 'db'), '--staged').stdout).toMatch(/^migrations\/002_idx\.up\.sql:1:1: error/m);
  });

  it('replays the history as staged: a column type staged as varchar(10) widens without a rewrite', () => {
    const dir = repo();
    write(dir, 'db/migrations/001_users.up.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, code varchar(10));\n');
    write(dir, 'db/migrations/002_widen.up.sql', 'ALTER TABLE users ALTER COLUMN code TYPE varchar(20);\n');
    git(dir, 'add', '.');
    // Unstaged: the history says integer, from which varchar(20) is a rewrite.
    write(dir, 'db/migrations/001_users.up.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, code integer);\n');
    expect(zerodown(dir, 'db/migrations/002_widen.up.sql').stdout).toMatch(/002_widen\.up\.sql:1:\d+: error \[column-type-rewrite\]/);
    const staged = zerodown(dir, '--staged');
    expect(staged.stdout).not.toContain('column-type-rewrite');
    expect(staged.code).toBe(0);
  });

  it('paths limit the staged files; outside git: exit 2, one line', () => {
    const dir = repo();
    write(dir, 'db/migrations/002_idx.up.sql', BAD);
    write(dir, 'other/migrations/001_idx.up.sql', BAD.replace('users', 'orders'));
    git(dir, 'add', '.');
    git(dir, 'rm', '-q', '--cached', 'db/migrations/001_users.up.sql');
    const limited = zerodown(dir, '--staged', 'other');
    expect(limited.stdout.trim().split('\n')).toHaveLength(1);
    expect(limited.stdout).toMatch(/^other\/migrations\/001_idx\.up\.sql:1:1: error \[index-not-concurrent\]/);
    const outside = zerodown(path.dirname(dir), '--staged');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toBe('zerodown: --staged: not inside a git repository\n');
  });
});

describe('monorepos', () => {
  it('each migrations directory follows the nearest config (its rule settings here)', () => {
    const dir = repo();
    write(dir, 'zerodown.config.json', '{ "postgresVersion": 15 }\n');
    write(dir, 'services/legacy/zerodown.config.json', '{ "postgresVersion": 13, "rules": { "index-not-concurrent": "off" } }\n');
    write(dir, 'services/legacy/db/migrations/001_users.up.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
    write(dir, 'services/legacy/db/migrations/002_idx.up.sql', BAD);
    write(dir, 'db/migrations/002_idx.up.sql', BAD);
    const all = zerodown(dir);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^db\/migrations\/002_idx\.up\.sql:1:1: error \[index-not-concurrent\]/m);
    expect(all.stdout).not.toContain('services/legacy/db/migrations/002_idx.up.sql');
    // The same files named explicitly (a hook's list), from inside the package too.
    const listed = zerodown(dir, 'db/migrations/002_idx.up.sql', 'services/legacy/db/migrations/002_idx.up.sql');
    expect(listed.stdout).toMatch(/^db\/migrations\/002_idx\.up\.sql:1:1: error/m);
    expect(listed.stdout).not.toContain('legacy');
    expect(zerodown(path.join(dir, 'services/legacy'), '../../db/migrations/002_idx.up.sql').stdout).toMatch(/index-not-concurrent/);
    // --config makes one file govern everything.
    const one = zerodown(dir, '--config', 'zerodown.config.json');
    expect(one.stdout).toMatch(/^services\/legacy\/db\/migrations\/002_idx\.up\.sql:1:1: error \[index-not-concurrent\]/m);
    // A problem in a nested config names it relative to the working directory.
    write(dir, 'services/legacy/zerodown.config.json', '{ "rules": { "no-such-rule": "off" } }\n');
    const bad = zerodown(dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^zerodown: services\/legacy\/zerodown\.config\.json: rules: unknown rule "no-such-rule"/);
  });
});
