/** Real git repositories in temp directories for the --changed-since and GitHub Action tests. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** git with a fixed identity and no user or system configuration. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

export function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A repository with `base` committed on main and `change` committed on branch pr (checked out). */
export function repoWithChange(base: Record<string, string>, change: Record<string, string>): { dir: string; base: string; head: string } {
  const dir = tempDir('zd-git-');
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, base);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  const baseSha = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-qb', 'pr');
  writeFiles(dir, change);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'change');
  return { dir, base: baseSha, head: git(dir, 'rev-parse', 'HEAD') };
}
