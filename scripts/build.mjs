// Builds dist/: the library (index.js, ESM), the CLI bundle (main.cjs, CommonJS: no ESM loader at
// start-up) with its bootstrap (cli.cjs), and a V8 code cache for the CLI bundle made by a warm-up run.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Identifies the analysis code, so that caches written by another build are never used.
const buildHash = createHash('sha256');
for (const dir of ['src', 'rules']) {
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (/\.(ts|cjs)$/.test(f)) buildHash.update(`${dir}/${f}\0`).update(readFileSync(path.join(dir, f))).update('\0');
  }
}
for (const f of ['package.json', 'node_modules/libpg-query/package.json']) buildHash.update(readFileSync(f));
const buildId = buildHash.digest('hex').slice(0, 16);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // PGlite loads its own assets from node_modules.
  // TypeScript (TS/JS migrations, model files) and the Prisma schema parser are required at run time,
  // only when a run has such a file.
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg', 'typescript', '@mrleebo/prisma-ast'],
  logLevel: 'warning',
  legalComments: 'none',
  define: { __ZERODOWN_BUILD_ID__: JSON.stringify(buildId) },
  // jsonc-parser's "main" is a UMD wrapper whose require() calls esbuild cannot follow; its ESM build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

await build({
  ...common,
  format: 'esm',
  entryPoints: { index: 'src/index.ts' },
  // The library leaves the parser in node_modules (its Emscripten module is CommonJS that finds its
  // .wasm by __dirname); the CLI bundles it so that it is part of the code cache.
  external: [...common.external, 'libpg-query', 'libpg-query/*'],
  outdir: 'dist',
  banner: { js: "import { createRequire as __zdCreateRequire } from 'node:module'; const require = __zdCreateRequire(import.meta.url);" },
});
// The ESLint plugin (zerodown/eslint-plugin): ESM like the library, with the parser left in
// node_modules; ESLint itself is the host's. Its types are written beside it.
await build({
  ...common,
  format: 'esm',
  entryPoints: { 'eslint-plugin': 'src/eslint/plugin.ts' },
  external: [...common.external, 'libpg-query', 'libpg-query/*', 'eslint', 'eslint/*'],
  outdir: 'dist',
  banner: { js: "import { createRequire as __zdCreateRequire } from 'node:module'; const require = __zdCreateRequire(import.meta.url);" },
});
writeFileSync(
  'dist/eslint-plugin.d.ts',
  "import type { ESLint, Linter } from 'eslint';\n" +
    "declare const plugin: ESLint.Plugin & { configs: { recommended: Linter.Config[]; sql: Linter.Config[] } };\n" +
    'export default plugin;\n',
);
// zod (config validation) is more than half of the CLI's code and is needed only when a config file
// exists: it goes to its own file, which the CLI requires on that path alone.
const configSchemaApart = {
  name: 'config-schema-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/config-schema\.ts$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './config-schema.cjs', external: true } : undefined));
  },
};
const cjs = { ...common, format: 'cjs', outdir: 'dist', outExtension: { '.js': '.cjs' } };
// import() becomes require(): the bundle runs as a vm.Script, which has no dynamic-import hook.
await build({ ...cjs, entryPoints: { main: 'src/cli/bin.ts' }, plugins: [configSchemaApart], supported: { 'dynamic-import': false } });
await build({ ...cjs, entryPoints: { 'config-schema': 'src/options/config-schema.ts' } });
copyFileSync('src/cli/bootstrap.cjs', 'dist/cli.cjs');
// The parser's .wasm beside the bundle that contains its JavaScript glue: the two always come from
// the same libpg-query, and the CLI finds it without resolving the package at run time.
copyFileSync('node_modules/libpg-query/wasm/libpg-query.wasm', 'dist/libpg-query.wasm');
chmodSync('dist/cli.cjs', 0o755);
rmSync('dist/cli.js', { force: true });

// Warm-up run over the demo: compiles the functions a lint uses, which the run then saves as the
// code cache for this Node's V8 (dist/main.cjs.v8-<version>.cache; other V8s write their own).
for (const f of readdirSync('dist')) if (/^main\.cjs\..*cache/.test(f)) rmSync(path.join('dist', f), { force: true });
const warm = spawnSync(process.execPath, ['dist/cli.cjs', 'fixtures/demo', '--format', 'json', '--no-cache', '--rule', 'prefer-bigint=warn'], { stdio: 'ignore' });
const cacheFile = `dist/main.cjs.v8-${process.versions.v8}.cache`;
if (warm.status !== 1 || !existsSync(cacheFile)) console.warn(`build: warm-up run exited ${warm.status}; no code cache written`);
