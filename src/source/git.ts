/**
 * Which migrations are new relative to the deployed revision. A migration that is already on the
 * upstream/default branch has (probably) run somewhere: Flyway and Prisma Migrate checksum applied
 * migrations and refuse or report drift when one changes; golang-migrate, goose and diesel never
 * re-run it, so an edit does nothing where it ran. New means: absent from the merge-base of HEAD and
 * the deployed ref (committed on this branch, staged, or untracked).
 * Shared by --fix, the ORM model check (--deployed-ref) and the GitHub Action (--changed-since).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Refs tried in order when no --deployed-ref is given: the branch's upstream, then the usual defaults. */
export const DEFAULT_DEPLOYED_REFS = ['@{upstream}', 'origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'] as const;

export class GitError extends Error {
  override name = 'GitError';
}

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (r.error) return { ok: false, out: '', err: r.error.message };
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

/** The top of the git work tree containing `dir`, or undefined outside one (or without git). */
export function gitRoot(dir: string): string | undefined {
  let start = dir;
  while (!fs.existsSync(start)) start = path.dirname(start);
  if (!fs.statSync(start).isDirectory()) start = path.dirname(start);
  const r = git(start, ['rev-parse', '--show-toplevel']);
  return r.ok ? fs.realpathSync(r.out.trim()) : undefined;
}

export interface DeployedBase {
  /** The git work tree. */
  root: string;
  /** The ref that stands for the deployed revision, e.g. origin/main. */
  ref: string;
  /** The merge-base of HEAD and `ref`. */
  commit: string;
}

/**
 * The merge-base of HEAD with the deployed ref: `ref` when given (an error when git does not know
 * it), else the first of DEFAULT_DEPLOYED_REFS that resolves. Undefined when `dir` is outside a git
 * repository, or no default ref exists (a repository without commits or branches).
 */
export function deployedBase(dir: string, ref?: string, flag = '--deployed-ref'): DeployedBase | undefined {
  const root = gitRoot(dir);
  if (!root) {
    if (ref) throw new GitError(`${flag} ${ref}: ${dir} is not in a git repository`);
    return undefined;
  }
  const candidates = ref ? [ref] : DEFAULT_DEPLOYED_REFS;
  for (const candidate of candidates) {
    const resolved = git(root, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]);
    if (!resolved.ok) continue;
    const base = git(root, ['merge-base', 'HEAD', resolved.out.trim()]);
    if (base.ok) return { root, ref: candidate, commit: base.out.trim() };
    if (ref) throw new GitError(`${flag} ${ref}: no common ancestor with HEAD (${base.err || 'git merge-base failed'})`);
  }
  if (ref) throw new GitError(`${flag} ${ref}: git does not know this ref`);
  return undefined;
}

/** Paths (relative to the work tree, '/'-separated) of every file in the tree of `commit`. */
function filesAt(root: string, commit: string): Set<string> {
  const r = git(root, ['ls-tree', '-r', '-z', '--name-only', commit]);
  if (!r.ok) throw new GitError(`git ls-tree ${commit}: ${r.err}`);
  return new Set(r.out.split('\0').filter(Boolean));
}

function relativeTo(root: string, file: string): string {
  let abs = path.resolve(file);
  try {
    abs = fs.realpathSync(abs);
  } catch {
    // a file that does not exist yet is still placed by its path
  }
  return path.relative(root, abs).split(path.sep).join('/');
}

/** Splits `files` (absolute paths) into those absent from the base's tree (new) and those present (deployed). */
export function newSince(base: DeployedBase, files: readonly string[]): { fresh: string[]; deployed: string[] } {
  const known = filesAt(base.root, base.commit);
  const fresh: string[] = [];
  const deployed: string[] = [];
  for (const f of files) (known.has(relativeTo(base.root, f)) ? deployed : fresh).push(f);
  return { fresh, deployed };
}

/**
 * Absolute paths of files added, copied, modified or renamed since `commit`: committed, staged and
 * unstaged changes, and untracked files (not ignored). For "lint what this branch changed".
 */
export function changedSince(root: string, commit: string): string[] {
  const diff = git(root, ['diff', '-z', '--name-only', '--diff-filter=ACMR', commit]);
  if (!diff.ok) throw new GitError(`git diff ${commit}: ${diff.err}`);
  const untracked = git(root, ['ls-files', '-z', '--others', '--exclude-standard']);
  if (!untracked.ok) throw new GitError(`git ls-files: ${untracked.err}`);
  const names = new Set([...diff.out.split('\0'), ...untracked.out.split('\0')].filter(Boolean));
  return [...names].map((n) => path.join(root, n));
}

/**
 * Lines (1-based, of the files as they are now) added or changed since `commit`, per absolute path,
 * from one `git diff -U0` of the work tree (untracked files are absent: every line of them is new).
 * For placing findings on the lines a change touched.
 */
export function changedLines(root: string, commit: string): Map<string, Set<number>> {
  const r = git(root, ['diff', '-U0', '--no-color', '--no-ext-diff', '--no-renames', commit]);
  if (!r.ok) throw new GitError(`git diff ${commit}: ${r.err}`);
  const out = new Map<string, Set<number>>();
  // Each file's part starts with `diff --git`; its new name is on the `+++ b/<path>` line.
  for (const part of r.out.split(/^diff --git /m).slice(1)) {
    const name = /^\+\+\+ b\/(.*)$/m.exec(part)?.[1];
    if (name) out.set(path.join(root, name), hunkLines(part));
  }
  return out;
}

/** The new-side lines of a unified diff's hunks (`@@ -a,b +c,d @@`); also reads the REST API's `patch` field. */
export function hunkLines(patch: string): Set<number> {
  const lines = new Set<number>();
  for (const m of patch.matchAll(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    for (let i = 0; i < count; i++) lines.add(start + i);
  }
  return lines;
}

/**
 * What changed since `ref` (merge-base of HEAD with it): the changed files, and those of them that
 * already existed at the base (edited, not added), each with its first changed line. For
 * `--changed-since` and the GitHub Action.
 */
export interface ChangeSet {
  /** Describes the base for messages, e.g. "origin/main (merge-base 1a2b3c4d5e)". */
  base: string;
  /** Absolute paths of added, copied, modified or renamed files. */
  changed: string[];
  /** Absolute path → first changed line, for changed files that exist in the base's tree. */
  edited: Record<string, number>;
  /** The work tree and the base commit, when git gave the change set (the Action's API fallback has none). */
  root?: string;
  commit?: string;
  /** Absolute path → new-side lines changed (files absent: every line is new). */
  lines?: Map<string, Set<number>>;
}

export function changeSetSince(dir: string, ref: string): ChangeSet {
  const base = deployedBase(dir, ref, '--changed-since');
  if (!base) throw new GitError(`--changed-since ${ref}: ${dir} is not in a git repository`);
  const changed = changedSince(base.root, base.commit);
  const { deployed } = newSince(base, changed);
  const lines = changedLines(base.root, base.commit);
  const edited: Record<string, number> = {};
  for (const f of deployed) {
    const at = lines.get(f);
    edited[f] = at?.size ? Math.min(...at) : 1;
  }
  return { base: `${ref} (merge-base ${base.commit.slice(0, 10)})`, changed, edited, root: base.root, commit: base.commit, lines };
}
