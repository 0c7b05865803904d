/**
 * The TypeScript compiler API, loaded only when a run contains a .ts/.js migration (it is ~9 MB of
 * JavaScript: a plain-SQL run must not pay for it). Only its parser is used: files are never
 * type-checked, and user code is never executed.
 */
import type * as TS from 'typescript';
import { dynamicImport } from '../../util/dynamic-import.ts';

export type TypeScript = typeof TS;

let loaded: TypeScript | undefined;
let loading: Promise<TypeScript> | undefined;

export function loadTypeScript(): Promise<TypeScript> {
  loading ??= dynamicImport<TypeScript & { default?: TypeScript }>('typescript').then((m) => (loaded = m.default ?? m));
  return loading;
}

/** The loaded compiler API; call loadTypeScript() first (synchronous front doors load it at start). */
export function typescript(): TypeScript {
  if (!loaded) throw new Error('the TypeScript parser is not loaded (await loadTypeScript() first)');
  return loaded;
}

/** True for the file names read with the TypeScript parser. */
export function isScriptFile(file: string): boolean {
  return /\.(ts|mts|cts|js|mjs|cjs)$/i.test(file) && !/\.d\.[mc]?ts$/i.test(file);
}
