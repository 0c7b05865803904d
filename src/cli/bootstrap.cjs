#!/usr/bin/env node
'use strict';
// zerodown's command-line entry. Start-up is a product feature (pre-commit hooks run it on every
// commit): the bundle is compiled from a V8 code cache written at build time, and the WASM parser
// starts loading before anything else so that it overlaps with reading config and files.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

// Baseline (Liftoff) WASM code only: the optimizing tier would compile the 1.7 MB parser in
// background threads that the process then waits for at exit (+100 ms for one small file), and
// measured no faster on the whole corpus. A young generation that does not grow keeps the peak
// memory of a corpus run at ~128 MiB instead of ~156 MiB, at no measurable cost in time. The V8
// code cache records these flags, so the build's warm-up run sets them too (same bootstrap).
require('node:v8').setFlagsFromString('--liftoff-only --semi-space-growth-factor=1');

// The bundle's run-time imports (PGlite for trace, .mjs config files) go through this module,
// which Node compiled itself, so that import() works (see src/util/dynamic-import.ts).
globalThis.__zerodownImport = (specifier) => import(specifier);

const file = path.join(__dirname, 'main.cjs');
const source = fs.readFileSync(file, 'utf8');
let cachedData;
try {
  cachedData = fs.readFileSync(`${file}.cache`);
} catch {
  // no cache: compile normally
}
const script = new vm.Script(Module.wrap(source), {
  filename: file,
  cachedData,
});
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, __dirname);
mod.exports.run(script);
