/**
 * Direct binding to libpg-query's WASM module (the PostgreSQL 18 parser). The package's own
 * wrapper copies strings in and out of WASM memory with byte-by-byte JavaScript loops and loads
 * an index module we do not need; here the copies are native (Buffer) and the Emscripten module
 * is bundled with the CLI, so its code is in the CLI's V8 code cache. Same C entry points, same
 * results: the corpus check compares them with the package's own parseSync.
 */
import fs from 'node:fs';
import createPgQuery, { type PgQueryWasm } from 'libpg-query/wasm/libpg-query.js';
import type { ParseResult } from 'libpg-query';

/**
 * A syntax error as PostgreSQL reports it. `cursor` is 0-based and counts characters (code
 * points), not bytes: PostgreSQL converts its byte offset with pg_mbstrlen_with_len.
 */
export class PgSyntaxError extends Error {
  constructor(
    message: string,
    readonly cursor: number,
  ) {
    super(message);
    this.name = 'PgSyntaxError';
  }
}

let wasm: PgQueryWasm | undefined;
let loading: Promise<void> | undefined;
let parsed = false;

/** Whether this process has parsed anything yet (the CLI writes its code cache only after a lint). */
export function parserUsed(): boolean {
  return parsed;
}

/**
 * Where the .wasm file is: beside the Emscripten module, in node_modules or in dist/ where the CLI
 * build copies it next to the bundle; otherwise resolved through the package.
 */
function locateFile(file: string, scriptDirectory: string): string {
  const beside = scriptDirectory + file;
  return fs.existsSync(beside) ? beside : require.resolve(`libpg-query/wasm/${file}`);
}

/** Loads and instantiates the parser once per process. */
export function loadPgQuery(): Promise<void> {
  loading ??= createPgQuery({ locateFile }).then((m) => {
    wasm = m;
  });
  return loading;
}

function loaded(): PgQueryWasm {
  if (!wasm) throw new Error('the PostgreSQL parser is not loaded (await loadPgQuery() first)');
  return wasm;
}

/** Copies `text` into WASM memory as NUL-terminated UTF-8; the caller frees the pointer. */
function writeString(m: PgQueryWasm, text: string): number {
  const size = Buffer.byteLength(text, 'utf8');
  const ptr = m._malloc(size + 1);
  const heap = m.HEAPU8;
  Buffer.from(heap.buffer, heap.byteOffset + ptr, size).write(text, 'utf8');
  heap[ptr + size] = 0;
  return ptr;
}

/** Reads the NUL-terminated UTF-8 string at `ptr`. */
function readString(m: PgQueryWasm, ptr: number): string {
  const heap = m.HEAPU8;
  const end = heap.indexOf(0, ptr);
  return Buffer.from(heap.buffer, heap.byteOffset + ptr, (end < 0 ? heap.length : end) - ptr).toString('utf8');
}

/** Calls `entry` with `text` as a C string, which is freed when it returns (results are separate allocations). */
function callWithString(m: PgQueryWasm, text: string, entry: (queryPtr: number) => number): number {
  const queryPtr = writeString(m, text);
  try {
    return entry(queryPtr);
  } finally {
    m._free(queryPtr);
  }
}

/** Parses SQL into libpg-query's JSON AST; throws PgSyntaxError when PostgreSQL rejects it. */
export function parseSql(sql: string): ParseResult {
  const m = loaded();
  parsed = true;
  const resultPtr = callWithString(m, sql, (q) => m._wasm_parse_query_raw(q));
  if (!resultPtr) throw new Error('the PostgreSQL parser ran out of memory');
  try {
    // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const u32 = m.HEAPU32;
    const treePtr = u32[resultPtr >> 2];
    const errorPtr = u32[(resultPtr + 8) >> 2];
    if (errorPtr) {
      // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; ... }
      const messagePtr = u32[errorPtr >> 2];
      const cursorpos = u32[(errorPtr + 16) >> 2] | 0;
      throw new PgSyntaxError(messagePtr ? readString(m, messagePtr) : 'syntax error', cursorpos > 0 ? cursorpos - 1 : 0);
    }
    if (!treePtr) throw new Error('the PostgreSQL parser returned no parse tree');
    return JSON.parse(readString(m, treePtr)) as ParseResult;
  } finally {
    m._wasm_free_parse_result(resultPtr);
  }
}

/** Parses a PL/pgSQL function body (CREATE FUNCTION text) into its JSON tree; throws on error. */
export function parsePlpgsql(sql: string): unknown {
  const m = loaded();
  const resultPtr = callWithString(m, sql, (q) => m._wasm_parse_plpgsql(q));
  if (!resultPtr) throw new Error('the PL/pgSQL parser ran out of memory');
  let text: string;
  try {
    text = readString(m, resultPtr);
  } finally {
    m._wasm_free_string(resultPtr);
  }
  // Success is a JSON document; anything else is the error message.
  if (!text.startsWith('{')) throw new PgSyntaxError(text || 'PL/pgSQL parse failed', 0);
  return JSON.parse(text);
}
