// Bundles the CLI and the library into single ESM files (fast start-up: one file to load).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The WASM parser and PGlite load their own assets from node_modules.
  external: ['libpg-query', '@electric-sql/pglite', '@electric-sql/pglite/*'],
  logLevel: 'warning',
  legalComments: 'none',
  banner: { js: "import { createRequire as __zdCreateRequire } from 'node:module'; const require = __zdCreateRequire(import.meta.url);" },
};

await build({ ...common, entryPoints: { cli: 'src/bin.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist' });
chmodSync('dist/cli.js', 0o755);
