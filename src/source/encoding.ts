/**
 * Decoding migration files to text and encoding edited text back to the same bytes. PostgreSQL
 * runners send files as UTF-8 (client_encoding UTF8 rejects invalid sequences), but files in the
 * wild are also Latin-1 or UTF-16 (Windows editors) and may start with a BOM. Lint reads them all;
 * --fix writes a file back in its own encoding, BOM and line endings, and never writes bytes that do
 * not round-trip.
 */
import { isUtf8 } from 'node:buffer';

export type Encoding = 'utf-8' | 'latin1' | 'utf-16le' | 'utf-16be';

export interface Decoded {
  /** The text; a BOM stays in it as U+FEFF (positions discount it, see LineMap). */
  text: string;
  encoding: Encoding;
  /** One line for the user when the file is not plain UTF-8 (said once per file). */
  note?: string;
}

export type DecodeResult = Decoded | { error: string };

const PROBE = 8192;

/** UTF-16 without a BOM: NULs on every other byte of mostly-ASCII text. */
function utf16Without(buf: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(buf.length, PROBE) & ~1;
  if (n < 4) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) evenZero++;
    if (buf[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.6 && evenZero === 0) return 'utf-16le';
  if (evenZero > pairs * 0.6 && oddZero === 0) return 'utf-16be';
  return undefined;
}

function swap16(buf: Buffer): Buffer {
  const out = Buffer.from(buf.subarray(0, buf.length & ~1));
  out.swap16();
  return out;
}

/** Line and column (1-based, bytes) of the first byte that is not valid UTF-8. */
function firstInvalidUtf8(buf: Buffer): { line: number; column: number; byte: number } {
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || !isUtf8(buf.subarray(i, i + len))) break;
    if (b === 10) {
      line++;
      lineStart = i + 1;
    }
    i += len;
  }
  return { line, column: i - lineStart + 1, byte: buf[i] ?? 0 };
}

export function decodeSql(buf: Buffer): DecodeResult {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return utf16(buf, 'utf-16le', 'with a byte-order mark');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return utf16(buf, 'utf-16be', 'with a byte-order mark');
  const probe = buf.subarray(0, PROBE);
  if (probe.includes(0)) {
    const wide = utf16Without(buf);
    if (wide) return utf16(buf, wide, 'without a byte-order mark');
    return { error: 'binary file (contains NUL bytes), not SQL' };
  }
  if (isUtf8(buf)) return { text: buf.toString('utf8'), encoding: 'utf-8' };
  // Latin-1 maps each byte to one character, so the file round-trips byte for byte.
  const at = firstInvalidUtf8(buf);
  return {
    text: buf.toString('latin1'),
    encoding: 'latin1',
    note: `not valid UTF-8 (byte 0x${at.byte.toString(16).toUpperCase().padStart(2, '0')} at ${at.line}:${at.column}); read as Latin-1. PostgreSQL rejects invalid UTF-8 when client_encoding is UTF8 (the default of most runners): save the file as UTF-8, or set the runner's encoding`,
  };
}

function utf16(buf: Buffer, encoding: 'utf-16le' | 'utf-16be', bom: string): Decoded {
  const le = encoding === 'utf-16le' ? buf : swap16(buf);
  return {
    text: le.subarray(0, le.length & ~1).toString('utf16le'),
    encoding,
    note: `${encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE'} ${bom}, decoded for analysis; most migration runners read files as UTF-8 (psql, golang-migrate, Prisma, Flyway by default): save the file as UTF-8`,
  };
}

/** Bytes of `text` in `encoding`, or undefined when a character has no representation in it. */
export function encodeSql(text: string, encoding: Encoding): Buffer | undefined {
  switch (encoding) {
    case 'utf-8':
      // A lone surrogate would be written as U+FFFD: not the text we meant.
      return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text) ? undefined : Buffer.from(text, 'utf8');
    case 'latin1':

      return /[^\u0000-\u00ff]/.test(text) ? undefined : Buffer.from(text, 'latin1');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
      return swap16(Buffer.from(text, 'utf16le'));
  }
}
