/**
 * `zerodown --staged`: what a plain git pre-commit hook should lint. The staged .sql files, as
 * staged, with the index (not the work tree) as the history before them. The configuration's
 * include/exclude globs choose among staged files as they do in a directory.
 */
import path from 'node:path';
import { pathFilter } from '../source/discover.ts';
import { readStaged, type IndexView } from '../source/git-index.ts';

export interface StagedPaths {
  /** Staged .sql files, limited to the given paths when there are any. */
  paths: string[];
  /** How the index differs from the disk: discovery reads through it. */
  index: IndexView;
}

export function stagedPaths(cwd: string, limit: readonly string[], globs: { include?: string[]; exclude?: string[] }): StagedPaths {
  const { staged, view } = readStaged(cwd);
  const roots = limit.map((p) => path.resolve(cwd, p));
  const within = (f: string): boolean => roots.length === 0 || roots.some((r) => f === r || f.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  const matches = pathFilter({ cwd, ...globs });
  return { paths: staged.filter((f) => within(f) && matches(f)), index: view };
}
