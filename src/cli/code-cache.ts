/**
 * The CLI bundle's V8 code cache (read by dist/cli.cjs). One file per V8 version beside the
 * bundle; V8 itself validates the version, source and flags when it reads one.
 */
import fs from 'node:fs';
import type { Script } from 'node:vm';

/** What the bootstrap found: no cache for this V8, one V8 used, or one it rejected. */
export interface CodeCacheState {
  file: string;
  state: 'none' | 'accepted' | 'rejected';
}

/**
 * Writes the functions compiled so far as the cache for this V8. Atomic (another process may read
 * or write it at the same time); skipped silently where the install directory is read-only.
 * ZERODOWN_CODE_CACHE=off disables it.
 */
export function writeCodeCache(script: Script, file: string): void {
  if (process.env.ZERODOWN_CODE_CACHE === 'off') return;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
