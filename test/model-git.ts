/**
 * Real git repositories for the ORM model check's end-to-end tests: `main` is the deployed
 * revision, `feature` the change; lint runs the built CLI with JSON output.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { CLI } from './helpers.ts';

export const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export function write(dir: string, files: Record<string, string | null>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (text === null) fs.rmSync(file, { force: true });
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
}

/** A repository whose `main` holds `deployed`; `feature` adds `change` on top, as one commit. */
export function repo(deployed: Record<string, string>, ...changes: Record<string, string | null>[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-models-'));
  dirs.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, deployed);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'deployed');
  git(dir, 'checkout', '-q', '-b', 'feature');
  for (const change of changes) {
    write(dir, change);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'change');
  }
  return dir;
}

/** Merges feature into main (it is deployed) and starts a new branch. */
export function deploy(dir: string): void {
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'merge', '-q', '--ff-only', 'feature');
  git(dir, 'checkout', '-q', '-b', 'next');
}

export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  help: string;
  relatedLocations?: { path: string; line: number; column: number; message: string }[];
}

export function lint(cwd: string, ...args: string[]): { code: number | null; findings: JsonFinding[]; notes: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'lint', 'migrations', '--format', 'json', '--no-cache', '--rule', 'lock-timeout-missing=off', ...args], { cwd, encoding: 'utf8' });
  const out = JSON.parse(r.stdout) as { files: { findings: JsonFinding[]; notes: string[] }[] };
  return { code: r.status, findings: out.files.flatMap((f) => f.findings), notes: out.files.flatMap((f) => f.notes), stderr: r.stderr };
}

