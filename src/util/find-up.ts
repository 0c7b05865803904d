/**
 * The one upward directory walk behind every "search from the working directory up" (config file,
 * PostgreSQL version, migration runner, sqitch plan): callers look in each directory it yields.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface UpwardOptions {
  /** Stop after the directory that holds `.git` (the repository root). */
  stopAtRepoRoot?: boolean;
  /** Stop after this directory (e.g. the home directory). */
  stopAt?: string;
  /** Directories to visit at most, the start directory included. */
  maxDepth?: number;
}

/** `start`, then its parents, up to the filesystem root or the first stop condition (inclusive). */
export function* upwardDirs(start: string, opts: UpwardOptions = {}): Generator<string> {
  const max = opts.maxDepth ?? Infinity;
  let dir = path.resolve(start);
  for (let depth = 0; depth < max; depth++) {
    yield dir;
    if (opts.stopAt !== undefined && dir === opts.stopAt) return;
    if (opts.stopAtRepoRoot && fs.existsSync(path.join(dir, '.git'))) return;
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
