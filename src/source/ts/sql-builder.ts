/**
 * SQL text assembled from a TypeScript/JavaScript file, with a source range for every character.
 * The engine analyzes the cooked text (what PostgreSQL receives); findings, extract lines and fixes
 * map back through `starts`/`ends` (UTF-16 indices into the source file). Literal characters keep
 * their exact escape-sequence range, so a finding lands on the token and a fix can be re-escaped
 * into the literal's raw form.
 */

export type LiteralKind = 'template' | 'single' | 'double';

export interface Literal {
  kind: LiteralKind;
}

/** An interpolation (`${…}`) whose value is not known statically. */
export interface Hole {
  /** Range in the SQL text (the placeholder). */
  start: number;
  end: number;
  /** The `${…}` range in the source (with its delimiters). */
  srcStart: number;
  srcEnd: number;
}

export class SqlBuilder {
  text = '';
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Literal id per character (-1: produced by a builder translation or a placeholder). */
  readonly lits: number[] = [];
  readonly holes: Hole[] = [];

  constructor(readonly literals: Literal[]) {}

  get length(): number {
    return this.text.length;
  }

  /** Appends generated text whose every character maps to [srcStart, srcEnd). */
  push(text: string, srcStart: number, srcEnd: number): void {
    this.text += text;
    for (let i = 0; i < text.length; i++) {
      this.starts.push(srcStart);
      this.ends.push(srcEnd);
      this.lits.push(-1);
    }
  }

  /** Appends one cooked character (or surrogate pair) read from source [srcStart, srcEnd) of a literal. */
  pushCooked(chars: string, srcStart: number, srcEnd: number, lit: number): void {
    this.text += chars;
    for (let i = 0; i < chars.length; i++) {
      this.starts.push(srcStart);
      this.ends.push(srcEnd);
      this.lits.push(lit);
    }
  }

  pushHole(placeholder: string, srcStart: number, srcEnd: number): void {
    const start = this.text.length;
    this.push(placeholder, srcStart, srcEnd);
    this.holes.push({ start, end: this.text.length, srcStart, srcEnd });
  }

  append(other: SqlBuilder): void {
    const base = this.text.length;
    this.text += other.text;
    for (let i = 0; i < other.text.length; i++) {
      this.starts.push(other.starts[i]);
      this.ends.push(other.ends[i]);
      this.lits.push(other.lits[i]);
    }
    for (const h of other.holes) this.holes.push({ ...h, start: h.start + base, end: h.end + base });
  }

  /** The same text with every placeholder an identifier (for a `$n` that sat in identifier position). */
  withIdentifierHoles(): SqlBuilder {
    const out = new SqlBuilder(this.literals);
    let i = 0;
    for (const h of this.holes) {
      for (; i < h.start; i++) out.pushCooked(this.text[i], this.starts[i], this.ends[i], this.lits[i]);
      out.pushHole(this.text[h.start] === '$' ? `zd_dynamic_${out.holes.length + 1}` : this.text.slice(h.start, h.end), h.srcStart, h.srcEnd);
      i = h.end;
    }
    for (; i < this.text.length; i++) out.pushCooked(this.text[i], this.starts[i], this.ends[i], this.lits[i]);
    return out;
  }

  /** Source index where SQL index `i` starts (the end of the text maps after the last character). */
  srcStart(i: number): number {
    if (i < this.starts.length) return this.starts[i];
    return this.ends.length ? this.ends[this.ends.length - 1] : 0;
  }

  /** Source index after SQL range [start, end) (an empty range maps to its start). */
  srcEnd(start: number, end: number): number {
    if (end <= start) return this.srcStart(start);
    return this.ends[Math.min(end, this.ends.length) - 1] ?? this.srcStart(start);
  }
}

/** Single-character escapes shared by string and template literals (ECMA-262 SingleEscapeCharacter). */
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/**
 * Cooks the raw body of a literal, source[start, end), into `out`, one escape sequence at a time.
 * Template literals turn CRLF and CR into LF (ECMA-262 §12.9.6, TV of LineTerminatorSequence).
 */
export function cookInto(out: SqlBuilder, source: string, start: number, end: number, lit: number, template: boolean): void {
  let i = start;
  while (i < end) {
    const c = source[i];
    if (c === '\\' && i + 1 < end) {
      const n = source[i + 1];
      if (n === '\r' || n === '\n' || n === '\u2028' || n === '\u2029') {
        // Line continuation: contributes nothing.
        i += n === '\r' && source[i + 2] === '\n' ? 3 : 2;
        continue;
      }
      if (n in SIMPLE_ESCAPES) {
        out.pushCooked(SIMPLE_ESCAPES[n], i, i + 2, lit);
        i += 2;
        continue;
      }
      if (n === '0' && !/[0-9]/.test(source[i + 2] ?? '')) {
        out.pushCooked('\0', i, i + 2, lit);
        i += 2;
        continue;
      }
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 2, i + 4))) {
        out.pushCooked(String.fromCharCode(parseInt(source.slice(i + 2, i + 4), 16)), i, i + 4, lit);
        i += 4;
        continue;
      }
      if (n === 'u') {
        const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(source.slice(i + 2, i + 10));
        if (braced) {
          const len = 2 + braced[0].length;
          out.pushCooked(String.fromCodePoint(parseInt(braced[1], 16)), i, i + len, lit);
          i += len;
          continue;
        }
        if (/^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
          out.pushCooked(String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16)), i, i + 6, lit);
          i += 6;
          continue;
        }
      }
      // Any other escaped character stands for itself (\\, \`, \$, \', \").
      const cp = source.codePointAt(i + 1) ?? 0;
      const ch = String.fromCodePoint(cp);
      out.pushCooked(ch, i, i + 1 + ch.length, lit);
      i += 1 + ch.length;
      continue;
    }
    if (template && c === '\r') {
      const len = source[i + 1] === '\n' ? 2 : 1;
      out.pushCooked('\n', i, i + len, lit);
      i += len;
      continue;
    }
    const cp = source.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    out.pushCooked(ch, i, i + ch.length, lit);
    i += ch.length;
  }
}

/** Escapes SQL text for insertion into a literal's raw form (the inverse of cookInto). */
export function escapeForLiteral(text: string, kind: LiteralKind): string {
  let out = text.replace(/\\/g, '\\\\');
  if (kind === 'template') return out.replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  out = out.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  return kind === 'single' ? out.replace(/'/g, "\\'") : out.replace(/"/g, '\\"');
}

/** A double-quoted SQL identifier (quote_ident for names a builder receives as strings). */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
