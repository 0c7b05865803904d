/**
 * Reading a migration file from disk: shared by lint and trace (both read the same bytes the same way).
 */
import fs from 'node:fs';

export type ReadResult = { text: string } | { error: string };

/** Reads a migration as UTF-8; binary files (NUL in the first 8 KiB) are an error, invalid UTF-8 is replaced. */
export function readSql(file: string, content?: Buffer): ReadResult {
  let buf: Buffer;
  try {
    buf = content ?? fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})` };
  }
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) return { error: 'binary file (contains NUL bytes), not SQL' };
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1);
  return { text };
}
