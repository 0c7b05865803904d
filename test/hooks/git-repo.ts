/** Throw-away git repositories for the hook tests: real git, a committed history, staged changes. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Result {
  code: number | null;
  out: string;
}

export function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Result {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** As sh, without blocking the event loop (vitest's worker must keep answering during long installs). */
export function shAsync(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

export function git(cwd: string, ...args: string[]): Result {
  const r = sh('git', args, cwd);
  if (r.code !== 0 && args[0] !== 'commit') throw new Error(`git ${args.join(' ')}: ${r.out}`);
  return r;
}

export function write(dir: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

/** A repository with users(id, email) created by a committed first migration. */
export function migrationsRepo(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'dev');
  git(dir, 'config', 'commit.gpgsign', 'false');
  write(dir, 'db/migrations/001_users.up.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'users');
  return dir;
}

/** Blocks writes while it builds: an error. */
export const BAD = 'CREATE INDEX users_email_idx ON users (email);\n';
/** lock-timeout-missing only: a warning. */
export const WARNING = 'ALTER TABLE users ADD COLUMN note text;\n';
export const GOOD = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\n";
