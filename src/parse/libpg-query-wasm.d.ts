// The Emscripten module inside libpg-query (wasm/libpg-query.js), which ships no types of its own.
// Only what src/parse/pg-wasm.ts uses is declared.
declare module 'libpg-query/wasm/libpg-query.js' {
  export interface PgQueryWasm {
    /** Views of the WASM memory; replaced when the memory grows, so read them after every call. */
    HEAPU8: Uint8Array;
    HEAPU32: Uint32Array;
    _malloc(size: number): number;
    _free(ptr: number): void;
    _wasm_parse_query_raw(queryPtr: number): number;
    _wasm_free_parse_result(resultPtr: number): void;
    _wasm_parse_plpgsql(queryPtr: number): number;
    _wasm_free_string(ptr: number): void;
  }
  interface FactoryOptions {
    locateFile?: (file: string, scriptDirectory: string) => string;
  }
  const createPgQuery: (options?: FactoryOptions) => Promise<PgQueryWasm>;
  export default createPgQuery;
}
