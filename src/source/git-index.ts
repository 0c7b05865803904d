/**
 * The git index as a file set, for `zerodown --staged` in a plain git hook: a commit records the
 * index, not the work tree, so a partly staged migration must be linted as staged (`git show :path`),
 * and so must the history before it. Two git processes in all: `ls-files` for the paths and one
 * `cat-file --batch` for every .sql blob.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export class GitIndexError extends Error {
  override name = 'GitIndexError';
}

function git(cwd: string, args: string[], input?: Buffer): Buffer {
  const r = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (r.error) throw new GitIndexError(`git: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH' : r.error.message}`);
  if (r.status !== 0) throw new GitIndexError(r.stderr.toString('utf8').trim().split('\n')[0] || `git ${args[0]} failed`);
  return r.stdout;
}

export interface StagedSet {
  /** Absolute paths of the .sql files added, copied, modified or renamed in the index. */
  staged: string[];
  /** Every .sql file in the index (stage 0) by absolute path, with its staged bytes. */
  files: Map<string, Buffer>;
}

export function readStaged(cwd: string): StagedSet {
  let top: string;
  try {
    top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new GitIndexError('--staged: not inside a git repository');
  }
  const isSql = (p: string): boolean => p.toLowerCase().endsWith('.sql');
  const staged = git(top, ['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z'])
    .toString('utf8')
    .split('\0')
    .filter((p) => p && isSql(p))
    .map((p) => path.join(top, p));
  const files = new Map<string, Buffer>();
  if (!staged.length) return { staged, files };
  // "<mode> <object> <stage>\t<path>"; stages 1–3 are an unresolved merge, which git refuses to commit.
  const entries: { path: string; object: string }[] = [];
  for (const line of git(top, ['ls-files', '--stage', '-z']).toString('utf8').split('\0')) {
    const m = /^(\d+) ([0-9a-f]+) 0\t(.+)$/s.exec(line);
    if (m && m[1] !== '160000' && isSql(m[3])) entries.push({ path: path.join(top, m[3]), object: m[2] });
  }
  const out = git(top, ['cat-file', '--batch'], Buffer.from(entries.map((e) => `${e.object}\n`).join('')));
  // Each answer: "<object> blob <size>\n<bytes>\n", in the order asked.
  let at = 0;
  for (const e of entries) {
    const nl = out.indexOf(10, at);
    const size = Number(/ (\d+)$/.exec(out.subarray(at, nl).toString('latin1'))?.[1] ?? -1);
    if (size < 0) throw new GitIndexError(`--staged: cannot read ${path.relative(top, e.path)} from the index`);
    files.set(e.path, out.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return { staged, files };
}
