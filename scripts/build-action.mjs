// Builds the GitHub Action's committed bundle, dist-action/ (action.yml runs dist-action/index.cjs
// with no install step): the Action and the CLI it runs in one CommonJS file, the parser's .wasm
// beside it, and TypeScript (read only for TS/JS migrations) as dist-action/node_modules/typescript.
// `--check` builds in memory and exits 1 when the committed files differ from a fresh build (CI).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const check = process.argv.includes('--check');
const OUT = 'dist-action';

// The same build identity as scripts/build.mjs (cache entries of one build are never read by another).
const buildHash = createHash('sha256');
for (const dir of ['src', 'rules']) {
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (/\.(ts|cjs)$/.test(f)) buildHash.update(`${dir}/${f}\0`).update(fs.readFileSync(path.join(dir, f))).update('\0');
  }
}
for (const f of ['package.json', 'node_modules/libpg-query/package.json']) buildHash.update(fs.readFileSync(f));
const buildId = buildHash.digest('hex').slice(0, 16);

// zod (config validation) is a quarter of the bundle and needed only when a config file exists: as
// in scripts/build.mjs it goes to its own file, required on that path alone.
const configSchemaApart = {
  name: 'config-schema-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/config-schema\.ts$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './config-schema.cjs', external: true } : undefined));
  },
};
const schema = await build({
  entryPoints: ['src/options/config-schema.ts'],
  outfile: `${OUT}/config-schema.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const result = await build({
  plugins: [configSchemaApart],
  entryPoints: ['src/action/main.ts'],
  outfile: `${OUT}/index.cjs`,
  bundle: true,
  platform: 'node',
  // As in scripts/build.mjs: jsonc-parser's UMD "main" has require() calls esbuild cannot follow.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  format: 'cjs',
  target: 'node20',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  // PGlite and pg serve trace/stats only, which the Action never runs; TypeScript is required at run
  // time from dist-action/node_modules (copied below).
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg', 'typescript'],
  supported: { 'dynamic-import': false },
  define: { __ZERODOWN_BUILD_ID__: JSON.stringify(buildId) },
});

const ts = JSON.parse(fs.readFileSync('node_modules/typescript/package.json', 'utf8'));
const files = new Map([
  [`${OUT}/index.cjs`, Buffer.from(result.outputFiles[0].contents)],
  [`${OUT}/config-schema.cjs`, Buffer.from(schema.outputFiles[0].contents)],
  [`${OUT}/libpg-query.wasm`, fs.readFileSync('node_modules/libpg-query/wasm/libpg-query.wasm')],
  [`${OUT}/node_modules/typescript/package.json`, Buffer.from(`${JSON.stringify({ name: 'typescript', version: ts.version, license: ts.license, main: './lib/typescript.js' }, null, 2)}\n`)],
  [`${OUT}/node_modules/typescript/lib/typescript.js`, fs.readFileSync('node_modules/typescript/lib/typescript.js')],
  [`${OUT}/node_modules/typescript/LICENSE.txt`, fs.readFileSync('node_modules/typescript/LICENSE.txt')],
]);

let stale = 0;
for (const [file, bytes] of files) {
  const current = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  if (current && current.equals(bytes)) continue;
  if (check) {
    console.error(`stale: ${file} differs from a fresh build (run: node scripts/build-action.mjs, and commit ${OUT}/)`);
    stale++;
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
}
process.exit(stale ? 1 : 0);
