/**
 * The pre-commit framework (https://pre-commit.com) with this repository's .pre-commit-hooks.yaml:
 * pre-commit installs the hook from a clone of this repository at HEAD (language: node, npm) and
 * runs it on `git commit` in a temporary repository. Run by scripts/hooks-check.sh, which installs
 * pre-commit and sets PRE_COMMIT_BIN (vitest.hooks.config.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { BAD, GOOD, git, migrationsRepo, sh, shAsync, WARNING, write } from './git-repo.ts';

const PRE_COMMIT = process.env.PRE_COMMIT_BIN ?? 'pre-commit';
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-pre-commit-home-'));
const env = { PRE_COMMIT_HOME: home, NO_COLOR: '1' };
const repos: string[] = [];

function repo(): string {
  const dir = migrationsRepo('zerodown-pre-commit-');
  repos.push(dir);
  const rev = git(ROOT, 'rev-parse', 'HEAD').out.trim();
  write(dir, '.pre-commit-config.yaml', `repos:\n  - repo: ${ROOT}\n    rev: ${rev}\n    hooks:\n      - id: zerodown\n`);
  git(dir, 'add', '.pre-commit-config.yaml');
  git(dir, 'commit', '-q', '-m', 'pre-commit config');
  expect(sh(PRE_COMMIT, ['install'], dir, env).code).toBe(0);
  return dir;
}

function commit(dir: string): { code: number | null; out: string } {
  return sh('git', ['commit', '-m', 'migration'], dir, env);
}

beforeAll(async () => {
  // Installs the hook environment once (npm installs this repository): the tests below reuse it.
  const dir = repo();
  const r = await shAsync(PRE_COMMIT, ['install-hooks'], dir, env);
  expect(r.code, r.out).toBe(0);
}, 900_000);

afterAll(() => {
  for (const d of [...repos, home]) fs.rmSync(d, { recursive: true, force: true });
});

describe('pre-commit hook "zerodown"', () => {
  it('blocks a commit whose staged migration has an error, naming file:line:col', () => {
    const dir = repo();
    write(dir, 'db/migrations/002_email_idx.up.sql', `-- index for login\n${BAD}`);
    git(dir, 'add', '.');
    const r = commit(dir);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain('zerodown (PostgreSQL migration safety)');
    expect(r.out).toMatch(/^db\/migrations\/002_email_idx\.up\.sql:2:1: error \[index-not-concurrent\] .*SHARE lock on users/m);
    expect(git(dir, 'log', '--oneline').out.trim().split('\n')).toHaveLength(2);
  });

  it('allows a commit with warnings only, and one that is clean', () => {
    const dir = repo();
    write(dir, 'db/migrations/002_note.up.sql', WARNING);
    git(dir, 'add', '.');
    const warned = commit(dir);
    expect(warned.code, warned.out).toBe(0);
    write(dir, 'db/migrations/003_more.up.sql', GOOD.replace('note', 'more'));
    git(dir, 'add', '.');
    const clean = commit(dir);
    expect(clean.code, clean.out).toBe(0);
    // Quiet when clean: pre-commit prints the hook's output only when it fails.
    expect(clean.out).toMatch(/zerodown \(PostgreSQL migration safety\)\.+Passed/);
    expect(clean.out).not.toContain('warning [');
    expect(git(dir, 'log', '--oneline').out.trim().split('\n')).toHaveLength(4);
  });

  it('lints what is staged, not the work tree', () => {
    const dir = repo();
    write(dir, 'db/migrations/002_email_idx.up.sql', BAD);
    git(dir, 'add', '.');
    // Fixed in the work tree but not staged: the commit would still record the bad file.
    write(dir, 'db/migrations/002_email_idx.up.sql', BAD.replace('INDEX', 'INDEX CONCURRENTLY'));
    const blocked = commit(dir);
    expect(blocked.code, blocked.out).not.toBe(0);
    expect(blocked.out).toMatch(/002_email_idx\.up\.sql:1:1: error \[index-not-concurrent\]/);
    // And the other way round: good staged, bad in the work tree only.
    git(dir, 'add', '.');
    write(dir, 'db/migrations/002_email_idx.up.sql', BAD);
    const allowed = commit(dir);
    expect(allowed.code, allowed.out).toBe(0);
    expect(git(dir, 'show', 'HEAD:db/migrations/002_email_idx.up.sql').out).toContain('CONCURRENTLY');
  });

  it('only migration files match: other staged .sql files are not linted', () => {
    const dir = repo();
    write(dir, 'queries/report.sql', BAD);
    git(dir, 'add', '.');
    const r = commit(dir);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/zerodown \(PostgreSQL migration safety\)\.+\(no files to check\)Skipped/);
  });
});
