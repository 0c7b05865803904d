/**
 * Reading a migration file from disk: shared by lint and trace (both read the same bytes the same way).
 */
import fs from 'node:fs';
import { decodeSql } from './encoding.ts';
import { ioMessage } from './io-message.ts';

export type ReadResult = { text: string; note?: string } | { error: string };

/** Notes that start so say the file is not plain UTF-8 (the CLI repeats them on stderr, once per file). */
export const ENCODING_NOTE = 'file is ';

/**
 * Reads a migration: UTF-8 (a BOM is kept, positions discount it), else UTF-16 or Latin-1 with a
 * note that says so once; binary files (NUL bytes that are not UTF-16) are an error.
 */
export function readSql(file: string, content?: Buffer): ReadResult {
  let buf: Buffer;
  try {
    buf = content ?? fs.readFileSync(file);
  } catch (e) {
    return { error: ioMessage(e) };
  }
  const decoded = decodeSql(buf);
  if ('error' in decoded) return decoded;
  return decoded.note ? { text: decoded.text, note: `${ENCODING_NOTE}${decoded.note}` } : { text: decoded.text };
}
