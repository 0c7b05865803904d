/**
 * The PostgreSQL 18 parser (libpg-query, WASM), wrapped so that it never throws at callers:
 * a region of SQL becomes parsed statements plus parse errors with exact positions.
 * Whole-region parsing is the fast path; on a syntax error the region is re-split by the lexer
 * and each statement parsed alone, so one bad statement hides nothing else.
 */
import type { Node, ParseResult } from 'libpg-query';
import { loadPgQuery, parsePlpgsql, parseSql, PgSyntaxError } from './pg-wasm.ts';
import { walk } from './ast.ts';
import { lex, type Comment } from '../source/lexer.ts';
import { ByteIndex, type Span } from '../source/text.ts';

/** Loads the WASM parser once per process. */
export function initParser(): Promise<void> {
  return loadPgQuery();
}

export interface RawStatement {
  node: Node;
  /** Span in the analyzed text (string indices), without the trailing `;`. */
  span: Span;
  /** Converts a byte location from this statement's AST into an index of the analyzed text. */
  toIndex: (byteLocation: number) => number;
}

export interface ParseError {
  message: string;
  /** Index in the analyzed text where Postgres put its cursor. */
  index: number;
  /** The statement span the error belongs to. */
  span: Span;
}

export interface RegionParse {
  statements: RawStatement[];
  errors: ParseError[];
  comments: Comment[];
  metaCommands: Span[];
}

/** `cursor` counts characters (code points) from the start of the parsed text. */
function errorDetails(e: unknown): { message: string; cursor: number } {
  if (e instanceof RangeError) return { message: 'statement nested too deeply to analyze (parser stack exhausted)', cursor: 0 };
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return { message, cursor: e instanceof PgSyntaxError ? e.cursor : 0 };
}

/** String index of the `n`-th code point of `text` (surrogate pairs count once). */
function codePointIndex(text: string, n: number): number {
  let i = 0;
  for (let seen = 0; seen < n && i < text.length; seen++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}

/** Parses text with the AST's byte locations mapped to indices of `text` offset by `base`. */
function parseChunk(sql: string): { result?: ParseResult; bytes: ByteIndex; error?: { message: string; cursor: number } } {
  const bytes = new ByteIndex(sql);
  try {
    return { result: parseSql(sql), bytes };
  } catch (e) {
    return { bytes, error: errorDetails(e) };
  }
}

function collect(result: ParseResult, sql: string, bytes: ByteIndex, base: number, out: RawStatement[]): void {
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const startByte = raw.stmt_location ?? 0;
    const start = bytes.toIndex(startByte);
    const end = raw.stmt_len ? bytes.toIndex(startByte + raw.stmt_len) : trimmedEnd(sql, start);
    out.push({
      node: raw.stmt,
      span: { start: base + start, end: base + end },
      toIndex: (loc: number) => base + bytes.toIndex(loc),
    });
  }
}

function trimmedEnd(sql: string, from: number): number {
  let e = sql.length;
  while (e > from && /[\s;]/.test(sql[e - 1])) e--;
  return e;
}

/** NUL cannot reach the C parser (it would truncate the string); Postgres rejects it anyway. */
const NUL = /\u0000/g;
/** Lone surrogates: the WASM string copy mis-sizes them; U+FFFD has the same UTF-16 length and UTF-8 size ByteIndex assumes. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Characters of SQL per parser call (whole statements; see parseRegion). */
const PARSE_BATCH_CHARS = 64 * 1024;

/**
 * A region lexed and cleaned for the parser, parsed batch by batch on demand: the caller analyzes a
 * batch and drops its trees before asking for the next, so memory follows the batch, not the file.
 * Parsing a batch again gives the same statements (the parser is deterministic).
 */
export interface RegionBatches {
  comments: Comment[];
  metaCommands: Span[];
  /** Number of batches of whole statements (~64 KB each). */
  count: number;
  /** Statements and parse errors of batch `i`, in text order. */
  parse(i: number): { statements: RawStatement[]; errors: ParseError[] };
  /** Parses the statement at `span` (a statement of this region) alone. */
  reparse(span: Span): RawStatement | undefined;
}

/**
 * Lexes text[start, end) and splits it into batches of whole statements. psql meta-commands are
 * blanked (they are not SQL) and reported. Indices in the results refer to `text`.
 */
export function regionBatches(text: string, start = 0, end = text.length): RegionBatches {
  const lexed = lex(text, start, end);
  let sql = text.slice(start, end);
  for (const m of lexed.metaCommands) {
    sql = sql.slice(0, m.start - start) + ' '.repeat(m.end - m.start) + sql.slice(m.end - start);
  }
  if (sql.charCodeAt(0) === 0xfeff) sql = ' ' + sql.slice(1);
  sql = sql.replace(LONE_SURROGATE, '\ufffd');
  NUL.lastIndex = 0;
  const nulAt = sql.search(NUL);
  if (nulAt >= 0) sql = sql.replace(NUL, ' ');

  // Batches of whole statements (~64 KB; 256 KB measured 10% more peak RSS), not the region at once: the parser's WebAssembly memory
  // grows to the largest input it was given and never shrinks, and its JSON output for a 20 MB file
  // would be held as one string beside the parsed tree.
  const bounds: [number, number][] = [];
  let batchStart = 0;
  for (let i = 0; i < lexed.statements.length; i++) {
    const first = lexed.statements[batchStart];
    const last = lexed.statements[i];
    if (i + 1 < lexed.statements.length && last.end - first.start < PARSE_BATCH_CHARS) continue;
    bounds.push([batchStart, i + 1]);
    batchStart = i + 1;
  }
  const parseAlone = (s: Span, statements: RawStatement[], errors: ParseError[]): void => {
    const chunk = sql.slice(s.start - start, s.end - start);
    const nulInChunk = text.slice(s.start, s.end).indexOf('\u0000');
    if (nulInChunk >= 0) {
      errors.push({ message: 'NUL byte (0x00) in SQL text: PostgreSQL rejects it', index: s.start + nulInChunk, span: s });
      return;
    }
    const part = parseChunk(chunk);
    if (part.result) collect(part.result, chunk, part.bytes, s.start, statements);
    else if (part.error) {
      errors.push({ message: part.error.message, index: s.start + codePointIndex(chunk, part.error.cursor), span: s });
    }
  };
  return {
    comments: lexed.comments,
    metaCommands: lexed.metaCommands,
    count: bounds.length,
    parse(b) {
      const statements: RawStatement[] = [];
      const errors: ParseError[] = [];
      const [from, to] = bounds[b];
      const first = lexed.statements[from];
      const last = lexed.statements[to - 1];
      const chunk = sql.slice(first.start - start, last.end - start);
      const parsed = nulAt < 0 || !text.slice(first.start, last.end).includes('\u0000') ? parseChunk(chunk) : undefined;
      if (parsed?.result) collect(parsed.result, chunk, parsed.bytes, first.start, statements);
      // Re-split and parse each statement of a failing batch alone: the others keep their findings.
      else for (let i = from; i < to; i++) parseAlone(lexed.statements[i], statements, errors);
      return { statements, errors };
    },
    reparse(span) {
      const out: RawStatement[] = [];
      parseAlone(span, out, []);
      return out.find((r) => r.span.start === span.start) ?? out[0];
    },
  };
}

/**
 * Parses text[start, end) at once (all batches). psql meta-commands are blanked (they are not SQL)
 * and reported. Indices in the result refer to `text`.
 */
export function parseRegion(text: string, start = 0, end = text.length): RegionParse {
  const region = regionBatches(text, start, end);
  const statements: RawStatement[] = [];
  const errors: ParseError[] = [];
  for (let b = 0; b < region.count; b++) {
    const part = region.parse(b);
    for (const s of part.statements) statements.push(s);
    for (const e of part.errors) errors.push(e);
  }
  return { statements, errors, comments: region.comments, metaCommands: region.metaCommands };
}

/** A SQL statement found inside a PL/pgSQL body, with its position in the analyzed text. */
export interface EmbeddedSql {
  query: string;
  /** Index in the analyzed text where the query text starts (best effort for escaped bodies). */
  index: number;
  /** True when found verbatim in the source (exact positions); false = approximate. */
  exact: boolean;
  dynamic: boolean;
}

interface PlNode {
  [key: string]: unknown;
}

/** Collects, in order, the SQL a PL/pgSQL function tree executes (and constant dynamic EXECUTE strings). */
function walkPl(value: unknown, out: { query: string; dynamic: boolean }[]): void {
  walk(value, (key, node) => {
    if (key === 'PLpgSQL_stmt_execsql') {
      const q = (node.sqlstmt as PlNode | undefined)?.PLpgSQL_expr as PlNode | undefined;
      if (typeof q?.query === 'string') out.push({ query: q.query, dynamic: false });
      return false;
    }
    if (key === 'PLpgSQL_stmt_dynexecute') {
      const q = (node.query as PlNode | undefined)?.PLpgSQL_expr as PlNode | undefined;
      const m = typeof q?.query === 'string' ? /^\s*'((?:[^']|'')*)'\s*$/s.exec(q.query) : null;
      if (m) out.push({ query: m[1].replace(/''/g, "'"), dynamic: true });
      return false;
    }
    return true;
  });
}

/** The token a PL/pgSQL syntax error names: `at or near "X"`, or the end of the body. */
const NEAR = /at or near "((?:[^"]|"")*)"$/;

/**
 * Where in a DO/CREATE FUNCTION statement the PL/pgSQL parser fails, or undefined when it accepts
 * the body. libpg-query reports the message without a position, so the position is found as
 * PostgreSQL's own cursor would put it: the first occurrence of the named token (in the body) at
 * which the body, cut right after it, fails with the same message; earlier occurrences parse as an
 * incomplete body ("at end of input").
 */
export function plpgsqlError(statementText: string, body: Span): { message: string; index: number } | undefined {
  let message: string;
  try {
    parsePlpgsql(statementText);
    return undefined;
  } catch (e) {
    if (!(e instanceof PgSyntaxError)) return undefined;
    message = e.message;
  }
  const near = NEAR.exec(message)?.[1]?.replace(/""/g, '"');
  if (!near) return { message, index: /end of input/.test(message) ? body.end : body.start };
  const bodyText = statementText.slice(body.start, body.end);
  const tail = statementText.slice(body.end);
  const word = /^\w+$/.test(near);
  let from = 0;
  for (let tries = 0; tries < 200; tries++) {
    const at = bodyText.indexOf(near, from);
    if (at < 0) break;
    from = at + 1;
    if (word && (/\w/.test(bodyText[at - 1] ?? '') || /\w/.test(bodyText[at + near.length] ?? ''))) continue;
    try {
      parsePlpgsql(statementText.slice(0, body.start) + bodyText.slice(0, at + near.length) + tail);
    } catch (e) {
      if (e instanceof PgSyntaxError && e.message === message) return { message, index: body.start + at };
    }
  }
  return { message, index: body.start };
}

/**
 * Extracts the SQL statements a PL/pgSQL body executes. `statementText` is the CREATE FUNCTION or
 * DO statement; `bodySpan` the body literal's span inside the analyzed text.
 * Returns null when the PL/pgSQL parser rejects the body.
 */
export function embeddedSql(statementText: string, text: string, bodySpan: Span): EmbeddedSql[] | null {
  let tree: unknown;
  try {
    tree = parsePlpgsql(statementText);
  } catch {
    return null;
  }
  const found: { query: string; dynamic: boolean }[] = [];
  walkPl(tree, found);
  const body = text.slice(bodySpan.start, bodySpan.end);
  let cursor = 0;
  return found.map(({ query, dynamic }) => {
    const at = body.indexOf(query, cursor);
    if (at >= 0) {
      cursor = at + query.length;
      return { query, index: bodySpan.start + at, exact: true, dynamic };
    }
    return { query, index: bodySpan.start + cursor, exact: false, dynamic };
  });
}
