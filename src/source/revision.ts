/**
 * The application code of one revision as a read-only file system, for the ORM model check:
 * a git commit (the deployed revision), read with ONE `git cat-file --batch` process, or the
 * working tree (tracked and untracked, not ignored files). Shaped as analyze/models' RevisionFiles.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { globMatcher } from './discover.ts';
import { GitError } from './git.ts';

/** Files a model reader may need: schemas and application scripts; large files (generated bundles) are skipped. */
const CANDIDATE = /\.(prisma|ts|tsx|mts|cts|js|mjs|cjs)$/i;
const SKIP = /(^|\/)(node_modules|\.git|dist|build|coverage|\.next|vendor)\//;
const MAX_BYTES = 1024 * 1024;

export interface RevisionSource {
  label: string;
  paths(): readonly string[];
  read(path: string): string | undefined;
}

/** `models` globs from the configuration (repository-relative); none = every candidate file. */
function selector(globs: readonly string[] | undefined): (p: string) => boolean {
  const matchers = (globs ?? []).map(globMatcher);
  // Declaration files stay: kysely-codegen writes its DB interface to one (db.d.ts).
  return (p) => CANDIDATE.test(p) && (matchers.length ? matchers.some((m) => m(p)) : !SKIP.test(p));
}

function run(cwd: string, args: string[], input?: Buffer, okStatus: readonly number[] = [0]): Buffer {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (r.error) throw new GitError(`git ${args[0]}: ${r.error.message}`);
  if (!okStatus.includes(r.status ?? -1)) throw new GitError(`git ${args[0]}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

/**
 * Paths whose text matches `hint` (an extended regular expression), found by `git grep` in C
 * instead of reading every file here: in a commit, or (no commit) in the working tree with
 * untracked files. Exit status 1 means no match.
 */
function grep(root: string, hint: string, commit?: string): Set<string> {
  const args = ['grep', '-l', '-z', '-I', '-E', '-e', hint];
  if (commit) args.push(commit);
  else args.push('--untracked');
  const out = run(root, args, undefined, [0, 1]).toString('utf8');
  const prefix = commit ? `${commit}:` : '';
  return new Set(out.split('\0').filter(Boolean).map((p) => (prefix && p.startsWith(prefix) ? p.slice(prefix.length) : p)));
}

/**
 * Every candidate file of `commit` whose text matches `hint` (and every .prisma file), read at once.
 * The hint is the front door's union of the readers' markers (ORM package names, decorators).
 */
export function gitRevision(root: string, commit: string, label: string, hint: string, globs?: readonly string[]): RevisionSource {
  const wanted = selector(globs);
  const hits = grep(root, hint, commit);
  const entries: { path: string; oid: string }[] = [];
  for (const line of run(root, ['ls-tree', '-r', '-z', '-l', commit]).toString('utf8').split('\0')) {
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const m = /^\d+ blob ([0-9a-f]+) +(\d+|-)\t(.*)$/s.exec(line);
    if (!m || !wanted(m[3]) || Number(m[2]) > MAX_BYTES || !(hits.has(m[3]) || m[3].endsWith('.prisma'))) continue;
    entries.push({ path: m[3], oid: m[1] });
  }
  const texts = new Map<string, string>();
  if (entries.length) {
    const out = run(root, ['cat-file', '--batch'], Buffer.from(entries.map((e) => e.oid).join('\n') + '\n'));
    let at = 0;
    for (const e of entries) {
      const nl = out.indexOf(0x0a, at);
      const header = out.toString('utf8', at, nl).split(' ');
      const size = Number(header[2]);
      const body = out.subarray(nl + 1, nl + 1 + size);
      at = nl + 1 + size + 1;
      if (!body.subarray(0, 8192).includes(0)) texts.set(e.path, body.toString('utf8'));
    }
  }
  const paths = [...texts.keys()];
  return { label, paths: () => paths, read: (p) => texts.get(p) };
}

/**
 * The working tree below `root`: git's view (tracked + untracked, not ignored; with `hint`, only
 * files matching it and .prisma files) inside a repository, else a directory walk.
 */
export function workingTree(root: string, inGit: boolean, globs?: readonly string[], hint?: string): RevisionSource {
  const wanted = selector(globs);
  let all: string[];
  if (inGit) {
    all = run(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).toString('utf8').split('\0').filter(Boolean);
    if (hint) {
      const hits = grep(root, hint);
      all = all.filter((p) => hits.has(p) || p.endsWith('.prisma'));
    }
  } else {
    all = [];
    const walk = (dir: string, rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const d of entries) {
        const r = rel ? `${rel}/${d.name}` : d.name;
        if (d.isDirectory()) {
          if (!SKIP.test(`${r}/`) && !d.name.startsWith('.')) walk(path.join(dir, d.name), r);
        } else if (d.isFile()) all.push(r);
      }
    };
    walk(root, '');
  }
  const paths = [...new Set(all)].filter(wanted);
  const cache = new Map<string, string | undefined>();
  return {
    label: 'working tree',
    paths: () => paths,
    read(p) {
      if (!cache.has(p)) {
        let text: string | undefined;
        try {
          const buf = fs.readFileSync(path.join(root, p));
          text = buf.length > MAX_BYTES || buf.subarray(0, 8192).includes(0) ? undefined : buf.toString('utf8');
        } catch {
          text = undefined; // deleted but still in the index
        }
        cache.set(p, text);
      }
      return cache.get(p);
    },
  };
}
