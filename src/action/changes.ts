/**
 * The files the pull request (or push) changed, with the new-side lines of each: from git when the
 * base commit can be reached (fetching more history when the checkout is too shallow), else from the
 * REST API's list of PR files (paginated; GitHub lists at most 3,000).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { changeSetSince, gitRoot, hunkLines, type ChangeSet } from '../source/git.ts';
import type { RunEvent } from './event.ts';
import type { GitHubApi } from './github-api.ts';

export interface Changes {
  set: ChangeSet;
  /** Real absolute path → new-side lines of the diff; a file absent here (no patch) counts as all changed. */
  lines: Map<string, Set<number>>;
  via: 'git' | 'api';
}

function git(cwd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() };
}

/** Fetches history until HEAD and `base` share a merge-base (actions/checkout fetches one commit by default). */
function reachBase(cwd: string, base: string): boolean {
  const has = (): boolean => git(cwd, ['merge-base', 'HEAD', base]).ok;
  if (has()) return true;
  if (git(cwd, ['rev-parse', '--is-shallow-repository']).out !== 'true' && git(cwd, ['cat-file', '-e', `${base}^{commit}`]).ok) return false;
  for (const depth of [50, 500, 5000]) {
    core.info(`zerodown: fetching ${depth} more commits to reach the base ${base.slice(0, 10)}`);
    git(cwd, ['fetch', '--no-tags', '--quiet', '--no-recurse-submodules', `--deepen=${depth}`, 'origin']);
    git(cwd, ['fetch', '--no-tags', '--quiet', '--no-recurse-submodules', `--depth=${depth}`, 'origin', base]);
    if (has()) return true;
  }
  git(cwd, ['fetch', '--no-tags', '--quiet', '--no-recurse-submodules', '--unshallow', 'origin']);
  return has();
}

function real(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

export async function findChanges(cwd: string, base: string, event: RunEvent, api: GitHubApi | undefined): Promise<Changes | undefined> {
  if (gitRoot(cwd) && reachBase(cwd, base)) {
    const set = { ...changeSetSince(cwd, base), base: `${event.pr !== undefined ? "the pull request's base" : 'the previous push'} ${base.slice(0, 10)}` };
    return { set, lines: set.lines ?? new Map(), via: 'git' };
  }
  if (!api || event.pr === undefined) return undefined;
  core.info(`zerodown: the base ${base.slice(0, 10)} is not in the checkout; reading the pull request's files from the API`);
  const root = real(gitRoot(cwd) ?? process.env.GITHUB_WORKSPACE ?? cwd);
  const files = await api.pullFiles(event.pr);
  const set: ChangeSet = { base: `the pull request's base ${base.slice(0, 10)}`, changed: [], edited: {} };
  const lines = new Map<string, Set<number>>();
  for (const f of files) {
    if (f.status === 'removed' || f.status === 'unchanged') continue;
    const abs = path.join(root, f.filename);
    set.changed.push(abs);
    const changed = f.patch === undefined ? undefined : hunkLines(f.patch);
    if (changed) lines.set(abs, changed);
    // Renamed files are new paths; a modified file existed at the base.
    if (f.status === 'modified' || f.status === 'changed') set.edited[abs] = changed?.size ? Math.min(...changed) : 1;
  }
  return { set, lines, via: 'api' };
}
