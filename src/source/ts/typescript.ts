/**
 * The TypeScript compiler API, loaded only when a run contains a .ts/.js migration (it is ~9 MB of
 * JavaScript: a plain-SQL run must not pay for it). Only its parser is used: files are never
 * type-checked, and user code is never executed.
 */
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import type * as TS from 'typescript';
import { dynamicImport } from '../../util/dynamic-import.ts';

export type TypeScript = typeof TS;

let loaded: TypeScript | undefined;
let loading: Promise<TypeScript> | undefined;

export function loadTypeScript(): Promise<TypeScript> {
  // require() where there is one (the CLI bundle, the library build): import() of this 9 MB
  // CommonJS file makes Node scan it for named exports first, which took seconds (measured).
  if (!loaded && typeof require === 'function') loaded = requireCached(require);
  if (loaded) return Promise.resolve(loaded);
  loading ??= dynamicImport<TypeScript & { default?: TypeScript }>('typescript').then((m) => (loaded = m.default ?? m));
  return loading;
}

/**
 * require('typescript') through a V8 code cache kept in the temp directory (as the CLI does for its
 * own bundle): compiling the 9 MB typescript.js costs ~1 s of CPU on every run otherwise (measured
 * with --cpu-prof; Node 20 has no module.enableCompileCache). Any failure falls back to require().
 */
function requireCached(req: NodeJS.Require): TypeScript {
  try {
    const file = req.resolve('typescript');
    const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8')) as { version: string }).version;
    const cacheFile = path.join(os.tmpdir(), `zerodown-typescript-${version}-${process.version}-${process.arch}.cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // first run: compile and write the cache below
    }
    const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
    const mod = { exports: {} as unknown };
    (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
    if (!cachedData || script.cachedDataRejected) {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a read-only temp directory: no cache
      }
    }
    return mod.exports as TypeScript;
  } catch {
    return req('typescript') as TypeScript;
  }
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
