/**
 * husky + lint-staged, the real packages (devDependencies), in a temporary git repository set up as
 * docs/pre-commit.md says: `husky init`, `.husky/pre-commit` running lint-staged, and a lint-staged
 * entry for migrations running zerodown. lint-staged hides unstaged changes while its tasks run, so
 * zerodown reads the staged content from disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { CLI, ROOT } from './helpers.ts';
import { BAD, git, migrationsRepo, sh, WARNING, write } from './hooks/git-repo.ts';

const repos: string[] = [];
const env = { HUSKY: '', NO_COLOR: '1', FORCE_COLOR: '0' };

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

afterEach(() => {
  for (const d of repos.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The project's node_modules/.bin as npm would lay it out for a project depending on these three. */
function bin(dir: string, name: string, target: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
  fs.symlinkSync(target, path.join(dir, 'node_modules/.bin', name));
}

function huskyRepo(): string {
  const dir = migrationsRepo('zerodown-husky-');
  repos.push(dir);
  write(dir, '.gitignore', 'node_modules/\n');
  write(dir, 'package.json', `${JSON.stringify({ name: 'app', private: true, 'lint-staged': { '**/migrations/**/*.sql': 'zerodown' } }, null, 2)}\n`);
  bin(dir, 'zerodown', CLI);
  bin(dir, 'lint-staged', path.join(ROOT, 'node_modules/lint-staged/bin/lint-staged.js'));
  const init = sh(process.execPath, [path.join(ROOT, 'node_modules/husky/bin.js'), 'init'], dir, env);
  expect(init.code, init.out).toBe(0);
  fs.writeFileSync(path.join(dir, '.husky/pre-commit'), 'npx lint-staged\n');
  git(dir, 'add', '.');
  expect(sh('git', ['commit', '-q', '-m', 'husky'], dir, env).code).toBe(0);
  return dir;
}

const commit = (dir: string): { code: number | null; out: string } => sh('git', ['commit', '-m', 'migration'], dir, env);

describe('husky + lint-staged', () => {
  it('blocks the commit on an error (file:line:col), allows warnings', () => {
    const dir = huskyRepo();
    write(dir, 'db/migrations/002_email_idx.up.sql', BAD);
    git(dir, 'add', '.');
    const blocked = commit(dir);
    expect(blocked.code, blocked.out).not.toBe(0);
    expect(blocked.out).toMatch(/db\/migrations\/002_email_idx\.up\.sql:1:1: error \[index-not-concurrent\] CREATE INDEX on users takes a SHARE lock/);
    expect(git(dir, 'log', '--oneline').out.trim().split('\n')).toHaveLength(2);

    write(dir, 'db/migrations/002_email_idx.up.sql', WARNING);
    git(dir, 'add', '.');
    const warned = commit(dir);
    expect(warned.code, warned.out).toBe(0);
    expect(git(dir, 'log', '--oneline').out.trim().split('\n')).toHaveLength(3);
  });

  it('lints the staged content and keeps the unstaged change', () => {
    const dir = huskyRepo();
    const file = 'db/migrations/002_email_idx.up.sql';
    write(dir, file, BAD);
    git(dir, 'add', '.');
    write(dir, file, BAD.replace('INDEX', 'INDEX CONCURRENTLY'));
    const blocked = commit(dir);
    expect(blocked.code, blocked.out).not.toBe(0);
    expect(blocked.out).toMatch(/002_email_idx\.up\.sql:1:1: error \[index-not-concurrent\]/);
    // lint-staged restores the work tree as it was.
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toContain('CONCURRENTLY');

    git(dir, 'add', '.');
    write(dir, file, BAD);
    const allowed = commit(dir);
    expect(allowed.code, allowed.out).toBe(0);
    expect(git(dir, 'show', `HEAD:${file}`).out).toContain('CONCURRENTLY');
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(BAD);
  });
});
