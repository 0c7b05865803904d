#!/usr/bin/env node
'use strict';
// zerodown's command-line entry. Start-up is a product feature (pre-commit hooks run it on every
// commit): the bundle is compiled from a V8 code cache, and the WASM parser starts loading before
// anything else so that it overlaps with reading config and files.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

// WASM on the baseline compiler (Liftoff) only. V8's dynamic tiering otherwise recompiles hot
// parser functions with TurboFan in background threads that the process then waits for at exit;
// on Node 24 (V8 13.6) that includes the 258 KB grammar function: +2–3 s and 620 MB peak for one
// small file (measured; docs/performance.md). `--liftoff-only` set at run time is honoured by
// V8 11 and 12 (Node 20, 22) but not by V8 13, so the tier-up filter is set too: V8 reads it when
// it emits each function's Liftoff code and queues a function for TurboFan only if its index
// equals the filter, and no function has this index. A young generation that does not grow keeps
// a corpus run's peak memory at ~128 MiB instead of ~156 MiB at no measurable cost in time. The
// V8 code cache records the flags, so every run sets the same ones before compiling the bundle.
require('node:v8').setFlagsFromString('--liftoff-only --wasm-tier-up-filter=2147483647 --semi-space-growth-factor=1');

// The bundle's run-time imports (PGlite for trace, .mjs config files) go through this module,
// which Node compiled itself, so that import() works (see src/util/dynamic-import.ts).
globalThis.__zerodownImport = (specifier) => import(specifier);

const file = path.join(__dirname, 'main.cjs');
const source = fs.readFileSync(file, 'utf8');
// A code cache is only valid for the V8 that wrote it (V8 checks its version, the source and the
// flags, and rejects a mismatch after reading it), so each V8 gets its own file: the build writes
// one for the Node that built it, and the first run on another Node writes its own (bin.ts).
const cacheFile = `${file}.v8-${process.versions.v8}.cache`;
let cachedData;
try {
  if (process.env.ZERODOWN_CODE_CACHE !== 'off') cachedData = fs.readFileSync(cacheFile);
} catch {
  // none yet for this V8: compile normally
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const cache = { file: cacheFile, state: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted' };
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, __dirname);
mod.exports.run(script, cache);
