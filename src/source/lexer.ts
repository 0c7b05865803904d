/**
 * A small SQL lexer for what the parser cannot give us: statement boundaries that survive syntax
 * errors, comments (suppressions, runner annotations), psql meta-commands, and top-level comma
 * splits inside a statement. It knows quotes, E'' strings, quoted identifiers, dollar quotes,
 * nested block comments and SQL-standard `BEGIN ATOMIC … END` bodies; it never throws.
 */
import type { Span } from './text.ts';

export interface Comment extends Span {
  kind: 'line' | 'block';
  /** Comment text without the `--` / `/* *\/` markers. */
  body: string;
}

export interface LexResult {
  /** Statement spans from the first significant character to the terminating `;` (inclusive) or the end. */
  statements: Span[];
  comments: Comment[];
  /** psql meta-command lines (`\set`, `\connect` …), to be skipped. */
  metaCommands: Span[];
  /** Where a quote, identifier, dollar quote or block comment was left open (-1 when none). */
  unterminatedAt: number;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}

/** End index (exclusive) of a dollar-quote opening tag at i (`$tag$` or `$$`), or -1. */
function dollarTagEnd(text: string, i: number, end: number): number {
  let j = i + 1;
  if (j < end && text.charCodeAt(j) === 36) return j + 1;
  if (j >= end || !isIdentStart(text.charCodeAt(j))) return -1;
  while (j < end) {
    const c = text.charCodeAt(j);
    if (c === 36) return j + 1;
    if (!isIdentChar(c) || c === 36) return -1;
    j++;
  }
  return -1;
}

/**
 * Skips a quoted or commented token starting at i. Returns the index after it, or -1 if the
 * character at i starts no such token. Returns `end` for an unterminated one and sets `open`.
 */
function skipQuoted(text: string, i: number, end: number, state: { open: number }): number {
  const c = text.charCodeAt(i);
  const next = i + 1 < end ? text.charCodeAt(i + 1) : 0;
  if (c === 45 && next === 45) {
    const nl = text.indexOf('\n', i + 2);
    return nl === -1 || nl >= end ? end : nl;
  }
  if (c === 47 && next === 42) {
    let depth = 1;
    let j = i + 2;
    while (j < end) {
      const d = text.charCodeAt(j);
      if (d === 42 && text.charCodeAt(j + 1) === 47 && j + 1 < end) {
        depth--;
        j += 2;
        if (depth === 0) return j;
        continue;
      }
      if (d === 47 && text.charCodeAt(j + 1) === 42 && j + 1 < end) {
        depth++;
        j += 2;
        continue;
      }
      j++;
    }
    if (state.open < 0) state.open = i;
    return end;
  }
  if (c === 39) {
    // E'..' allows backslash escapes; detect the prefix.
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
    const escapes = (prev === 69 || prev === 101) && (i < 2 || !isIdentChar(text.charCodeAt(i - 2)));
    let j = i + 1;
    while (j < end) {
      const d = text.charCodeAt(j);
      if (escapes && d === 92) {
        j += 2;
        continue;
      }
      if (d === 39) {
        if (j + 1 < end && text.charCodeAt(j + 1) === 39) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    if (state.open < 0) state.open = i;
    return end;
  }
  if (c === 34) {
    let j = i + 1;
    while (j < end) {
      if (text.charCodeAt(j) === 34) {
        if (j + 1 < end && text.charCodeAt(j + 1) === 34) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    if (state.open < 0) state.open = i;
    return end;
  }
  if (c === 36) {
    // `$1` parameters and identifiers containing `$` are not dollar quotes.
    if (i > 0 && isIdentChar(text.charCodeAt(i - 1))) return -1;
    const tagEnd = dollarTagEnd(text, i, end);
    if (tagEnd < 0) return -1;
    const tag = text.slice(i, tagEnd);
    const close = text.indexOf(tag, tagEnd);
    if (close === -1 || close + tag.length > end) {
      if (state.open < 0) state.open = i;
      return end;
    }
    return close + tag.length;
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff;
}

/** Reads the identifier/keyword at i (ASCII letters, digits, _), upper-cased. */
function wordAt(text: string, i: number, end: number): string {
  let j = i;
  while (j < end && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
  return text.slice(i, j).toUpperCase();
}

export function lex(text: string, start = 0, end = text.length): LexResult {
  const statements: Span[] = [];
  const comments: Comment[] = [];
  const metaCommands: Span[] = [];
  const state = { open: -1 };
  let stmtStart = -1;
  let i = start;
  // BEGIN ATOMIC bodies: semicolons inside do not end the statement.
  let atomicDepth = 0;
  let prevWord = '';
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const after = skipQuoted(text, i, end, state);
    if (after >= 0) {
      const c2 = text.charCodeAt(i + 1);
      if (c === 45 && c2 === 45) {
        comments.push({ start: i, end: after, kind: 'line', body: text.slice(i + 2, after) });
      } else if (c === 47 && c2 === 42) {
        comments.push({ start: i, end: after, kind: 'block', body: text.slice(i + 2, Math.max(i + 2, after - 2)) });
      } else if (stmtStart < 0) {
        stmtStart = i;
      }
      i = after;
      continue;
    }
    if (stmtStart < 0 && c === 92) {
      // psql meta-command: a backslash where a statement would start, to the end of the line.
      const nl = text.indexOf('\n', i);
      const lineEnd = nl === -1 || nl > end ? end : nl;
      metaCommands.push({ start: i, end: lineEnd });
      i = lineEnd;
      continue;
    }
    if (stmtStart < 0) stmtStart = i;
    if (c === 59 && atomicDepth === 0) {
      statements.push({ start: stmtStart, end: i + 1 });
      stmtStart = -1;
      prevWord = '';
      i++;
      continue;
    }
    if (isIdentStart(c)) {
      const word = wordAt(text, i, end);
      if (word === 'ATOMIC' && prevWord === 'BEGIN') atomicDepth++;
      else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
      else if (atomicDepth > 0 && word === 'END') atomicDepth--;
      prevWord = word;
      i += Math.max(1, word.length);
      continue;
    }
    i++;
  }
  if (stmtStart >= 0) statements.push({ start: stmtStart, end: trimEnd(text, stmtStart, end) });
  return { statements, comments, metaCommands, unterminatedAt: state.open };
}

function trimEnd(text: string, from: number, end: number): number {
  let e = end;
  while (e > from && isSpace(text.charCodeAt(e - 1))) e--;
  return e;
}

/**
 * Splits text[start, end) at top-level commas (outside parentheses, quotes and comments).
 * Returns trimmed spans. Used to locate ALTER TABLE subcommands, which the parser gives no position.
 */
export function splitTopLevel(text: string, start: number, end: number, separator = 44): Span[] {
  const parts: Span[] = [];
  const state = { open: -1 };
  let depth = 0;
  let partStart = start;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    const after = skipQuoted(text, i, end, state);
    if (after >= 0) {
      i = after;
      continue;
    }
    if (c === 40) depth++;
    else if (c === 41) depth = Math.max(0, depth - 1);
    else if (c === separator && depth === 0) {
      parts.push(trimSpan(text, partStart, i));
      partStart = i + 1;
    }
    i++;
  }
  parts.push(trimSpan(text, partStart, end));
  return parts;
}

function trimSpan(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  for (;;) {
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    // Skip leading comments as well.
    if (text.startsWith('--', s) || text.startsWith('/*', s)) {
      const after = skipQuoted(text, s, e, { open: -1 });
      if (after > s) {
        s = after;
        continue;
      }
    }
    break;
  }
  while (e > s && (isSpace(text.charCodeAt(e - 1)) || text.charCodeAt(e - 1) === 59)) e--;
  return { start: s, end: e };
}

/** End of the token (word, quoted identifier or string) starting at i. */
export function tokenEnd(text: string, i: number, end = text.length): number {
  const after = skipQuoted(text, i, end, { open: -1 });
  if (after >= 0) return after;
  let j = i;
  while (j < end && isIdentChar(text.charCodeAt(j))) j++;
  return j > i ? j : i + 1;
}

/**
 * Index of the first of `words` (upper case) that appears as a keyword at the top level of
 * text[start, end) — outside parentheses, quotes and comments — or undefined.
 */
export function topLevelKeyword(text: string, start: number, end: number, words: ReadonlySet<string>): number | undefined {
  const state = { open: -1 };
  let depth = 0;
  let i = start;
  while (i < end) {
    const after = skipQuoted(text, i, end, state);
    if (after >= 0) {
      i = after;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) depth = Math.max(0, depth - 1);
    else if (isIdentChar(c)) {
      const j = tokenEnd(text, i, end);
      if (depth === 0 && words.has(text.slice(i, j).toUpperCase())) return i;
      i = j;
      continue;
    }
    i++;
  }
  return undefined;
}
