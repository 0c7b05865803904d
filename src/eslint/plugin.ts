/**
 * `zerodown/eslint-plugin`: every zerodown rule as `zerodown/<rule-id>`, the `zerodown/postgres`
 * language for .sql files, and two flat configs: `recommended` (TS/JS migrations, by the paths the
 * runners keep them at) and `sql` (.sql files). ESLint rules are synchronous, so the WASM parser is
 * loaded here, once, when ESLint imports the plugin.
 */
import type { ESLint, Linter } from 'eslint';
import { initParser } from '../parse/parser.ts';
import { loadTypeScript } from '../source/ts/typescript.ts';
import { TOOL_VERSION } from '../meta.ts';
import { configuredLevels } from './options.ts';
import { createRules } from './rules.ts';
import { postgresLanguage } from './sql-language.ts';

await initParser();
// The TypeScript parser (9 MB) loads synchronously with require() on the first TS/JS migration
// (rules.ts); only where there is no require() (ESM from source) is it loaded here.
if (typeof require !== 'function') await loadTypeScript();

const SCRIPT = '{ts,mts,cts,js,mjs,cjs}';

/**
 * Where the runners keep TS/JS migrations: a directory named for migrations (migrations/,
 * db/migrations/, src/migration/ …) or a file named as the runners name them (a leading timestamp
 * or version, MikroORM's Migration<timestamp>). The same paths a `zerodown` directory walk reads.
 */
export const MIGRATION_FILES = [`**/*migrat*/**/*.${SCRIPT}`, `**/*alteration*/**/*.${SCRIPT}`, `**/[0-9]*.${SCRIPT}`, `**/V[0-9]*.${SCRIPT}`, `**/Migration[0-9]*.${SCRIPT}`];
const NOT_MIGRATIONS = ['**/*.d.{ts,mts,cts}', '**/*.{test,spec,stories}.*', '**/{__tests__,__mocks__,test,tests}/**'];

/** Rule levels from the zerodown.config.* ESLint runs under (its preset and `rules`). */
function levels(): Linter.RulesRecord {
  const out: Linter.RulesRecord = {};
  for (const [id, level] of configuredLevels(process.cwd())) out[`zerodown/${id}`] = level === 'warning' ? 'warn' : level;
  out['zerodown/invalid-ignore'] = 'error';
  out['zerodown/unused-ignore'] = 'warn';
  return out;
}

const plugin = {
  meta: { name: 'zerodown', version: TOOL_VERSION },
  rules: createRules(),
  languages: { postgres: postgresLanguage },
  configs: {} as Record<'recommended' | 'sql', Linter.Config[]>,
} satisfies ESLint.Plugin;

const rules = levels();
plugin.configs.recommended = [{ name: 'zerodown/recommended', files: MIGRATION_FILES, ignores: NOT_MIGRATIONS, plugins: { zerodown: plugin as ESLint.Plugin }, rules }];
plugin.configs.sql = [{ name: 'zerodown/sql', files: ['**/*.sql'], plugins: { zerodown: plugin as ESLint.Plugin }, language: 'zerodown/postgres', rules }];

export default plugin;
