/**
 * Positions. libpg-query reports UTF-8 byte offsets; editors, SARIF and ESLint want 1-based lines
 * and UTF-16 columns. Everything inside the engine uses JS string indices (UTF-16 code units);
 * bytes are converted at the parser boundary with a ByteIndex over the exact string parsed.
 */

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units (what editors, ESLint and SARIF count). */
  column: number;
}

/**
 * Maps a string index of analyzed SQL to a position in the file the user sees. For a plain .sql
 * file it is the identity over the file's own lines; SQL embedded in another file (a TypeScript
 * template literal, an editor buffer region) supplies its own map.
 */
export interface OffsetMap {
  position(index: number): Position;
}

/** UTF-8 length of the code unit at i (a surrogate pair counts 4 on its high half, 0 on its low). */
function utf8Units(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? 4 : 3;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const prev = text.charCodeAt(i - 1);
    return prev >= 0xd800 && prev <= 0xdbff ? 0 : 3;
  }
  return 3;
}

const CHUNK = 256;

/** Converts UTF-8 byte offsets of one string into string indices. */
export class ByteIndex {
  private readonly ascii: boolean;
  /** Byte offset at every CHUNK-th index; built only for non-ASCII text. */
  private checkpoints: Uint32Array | undefined;

  constructor(private readonly text: string) {
    this.ascii = Buffer.byteLength(text, 'utf8') === text.length;
  }

  toIndex(byte: number): number {
    if (byte <= 0) return 0;
    if (this.ascii) return Math.min(byte, this.text.length);
    const cps = this.ensureCheckpoints();
    // Largest checkpoint whose byte offset is <= byte.
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cps[mid] <= byte) lo = mid;
      else hi = mid - 1;
    }
    let index = lo * CHUNK;
    let at = cps[lo];
    const text = this.text;
    while (index < text.length) {
      const w = utf8Units(text, index);
      if (at + w > byte) break;
      at += w;
      index++;
    }
    return index;
  }

  private ensureCheckpoints(): Uint32Array {
    if (this.checkpoints) return this.checkpoints;
    const text = this.text;
    const cps = new Uint32Array(Math.floor(text.length / CHUNK) + 1);
    let bytes = 0;
    for (let i = 0; i <= text.length; i++) {
      if (i % CHUNK === 0) cps[i / CHUNK] = bytes;
      if (i < text.length) bytes += utf8Units(text, i);
    }
    this.checkpoints = cps;
    return cps;
  }
}

/** Line starts of a text, for index → line/column. */
export class LineMap implements OffsetMap {
  private readonly starts: number[];
  /** A leading byte-order mark is not a character an editor shows: columns of line 1 discount it. */
  private readonly bom: boolean;

  constructor(text: string) {
    this.bom = text.charCodeAt(0) === 0xfeff;
    const starts = [0];
    let i = text.indexOf('\n');
    while (i !== -1) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(index: number): Position {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    const bomShift = lo === 0 && this.bom && index > 0 ? 1 : 0;
    return { line: lo + 1, column: index - starts[lo] + 1 - bomShift };
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))];
  }
}

/** A source range in string indices, end exclusive. */
export interface Span {
  start: number;
  end: number;
}
