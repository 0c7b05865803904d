/**
 * End to end: the real `eslint` CLI (a process) in a temp project that installs the built package
 * as `zerodown` and uses `zerodown/eslint-plugin` with typescript-eslint, on TypeORM migrations and
 * .sql migrations, under the project's zerodown.config.json. And `ESLint#lintText` with a filePath
 * (what editors call): the unsaved buffer is analyzed against the migrations on disk.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

let project: string;

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  fs.writeFileSync(path.join(project, rel), text);
}

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-eslint-e2e-'));
  // The package as an installed dependency (its dist/ is built by `pretest`), ESLint and typescript-eslint beside it.
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'zerodown'));
  for (const dep of ['eslint', 'typescript-eslint', 'typescript']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(project, 'node_modules', dep));
  write('package.json', JSON.stringify({ name: 'app', private: true, type: 'module' }));
  write('zerodown.config.json', JSON.stringify({ postgresVersion: 16, rules: { 'drop-column': 'warn' } }));
  write(
    'eslint.config.js',
    [
      "import tseslint from 'typescript-eslint';",
      "import zerodown from 'zerodown/eslint-plugin';",
      'export default [',
      "  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },",
      '  ...zerodown.configs.recommended,',
      '  ...zerodown.configs.sql,',
      '];',
      '',
    ].join('\n'),
  );
  write('db/migrations/001_init.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);\n');
  write(
    'db/migrations/002_change.sql',
    [
      'ALTER TABLE users DROP COLUMN legacy;',
      '-- eslint-disable-next-line zerodown/index-not-concurrent -- a new, empty table in production',
      'CREATE INDEX users_email_idx ON users (email);',
      'ALTER TABLE users ALTER COLUMN email TYPE varchar(100);',
      '',
    ].join('\n'),
  );
  write(
    'src/migration/1700000000000-Orders.ts',
    [
      "import { MigrationInterface, QueryRunner } from 'typeorm';",
      'export class Orders1700000000000 implements MigrationInterface {',
      '  public async up(queryRunner: QueryRunner): Promise<void> {',
      '    await queryRunner.query(`CREATE TABLE "orders" ("id" bigint PRIMARY KEY, "total" integer)`);',
      '  }',
      '  public async down(): Promise<void> {}',
      '}',
      '',
    ].join('\n'),
  );
  write(
    'src/migration/1700000000001-OrdersIndex.ts',
    [
      "import { MigrationInterface, QueryRunner } from 'typeorm';",
      'export class OrdersIndex1700000000001 implements MigrationInterface {',
      '  public async up(queryRunner: QueryRunner): Promise<void> {',
      '    await queryRunner.query(`CREATE INDEX "orders_total_idx" ON "orders" ("total")`);',
      '  }',
      '  public async down(): Promise<void> {}',
      '}',
      '',
    ].join('\n'),
  );
});

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

interface Message {
  ruleId: string | null;
  severity: number;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

const eslintBin = (): string => path.join(ROOT, 'node_modules', '.bin', 'eslint');
const brief = (m: Message): string => `${m.ruleId}@${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.severity === 2 ? 'error' : 'warn'}`;

describe('the eslint CLI with zerodown/eslint-plugin', () => {
  it('reports TS and .sql migrations with exact ranges, the config’s levels and eslint-disable comments', () => {
    const r = spawnSync(eslintBin(), ['.', '--format', 'json'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: Message[] }[];
    const by = Object.fromEntries(results.map((x) => [path.relative(project, x.filePath), x.messages.map(brief)]));
    // Each findings list filtered to the rules under test (the lock-timeout companions fire too).
    const only = (rel: string, ids: string[]): string[] => (by[rel] ?? []).filter((m) => ids.some((id) => m.startsWith(`zerodown/${id}@`)));
    // DROP after "ALTER TABLE users " (19..37); a warning because zerodown.config.json says so.
    // The type change: "ALTER COLUMN email TYPE varchar(100)" at 19, 36 characters.
    // The index is disabled by the comment above it.
    expect(only('db/migrations/002_change.sql', ['drop-column', 'column-type-rewrite', 'index-not-concurrent'])).toEqual([
      'zerodown/drop-column@1:19-1:37 warn',
      'zerodown/column-type-rewrite@4:19-4:55 error',
    ]);
    expect(by['db/migrations/001_init.sql']).toEqual([]);
    // TypeORM (a transaction per migration): the index on orders, created by the earlier migration.
    expect(only('src/migration/1700000000001-OrdersIndex.ts', ['index-not-concurrent'])).toEqual(['zerodown/index-not-concurrent@4:30-4:42 error']);
    expect(by['src/migration/1700000000000-Orders.ts']).toEqual([]);
    expect(by['eslint.config.js'] ?? []).toEqual([]);
  });

  it('fixes with --fix as zerodown --fix does (CONCURRENTLY outside a transaction)', () => {
    write('db/migrations/003_index.sql', 'CREATE INDEX users_legacy_idx ON users (id);\n');
    const r = spawnSync(eslintBin(), ['db/migrations/003_index.sql', '--fix', '--rule', '{"zerodown/lock-timeout-missing": "off"}'], { cwd: project, encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    expect(fs.readFileSync(path.join(project, 'db/migrations/003_index.sql'), 'utf8')).toBe('CREATE INDEX CONCURRENTLY users_legacy_idx ON users (id);\n');
    fs.rmSync(path.join(project, 'db/migrations/003_index.sql'));
  });

  it('lintText with a filePath analyzes the unsaved buffer against the history on disk', () => {
    const script = [
      "import { ESLint } from 'eslint';",
      'const eslint = new ESLint();',
      "const buffer = 'ALTER TABLE users ALTER COLUMN id TYPE integer;\\n';",
      'for (const filePath of ["db/migrations/004_new.sql", "elsewhere/004_new.sql"]) {',
      '  const [r] = await eslint.lintText(buffer, { filePath });',
      "  console.log(JSON.stringify(r.messages.filter((m) => m.ruleId === 'zerodown/column-type-rewrite').map((m) => [m.line, m.column, m.endColumn, m.severity, m.message])));",
      '}',
      // An earlier migration edited on disk: the same process sees it on the next lint (no stale history).
      "import fs from 'node:fs';",
      "fs.writeFileSync('db/migrations/001_init.sql', 'CREATE TABLE users (id integer PRIMARY KEY, email text, legacy text);\\n');",
      "const [again] = await eslint.lintText(buffer, { filePath: 'db/migrations/004_new.sql' });",
      "console.log(JSON.stringify(again.messages.filter((m) => m.ruleId === 'zerodown/column-type-rewrite').map((m) => [m.line, m.column, m.endColumn, m.severity, m.message])));",
    ].join('\n');
    write('lint-text.mjs', script);
    const r = spawnSync(process.execPath, ['lint-text.mjs'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [inHistory, alone, edited] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as [number, number, number, number, string][]);
    // "ALTER COLUMN id TYPE integer" at 19, 28 characters. Beside 001_init.sql (id bigint): a known
    // rewrite. Without that history the column's type is unknown (the CLI's warning; in ESLint the
    // rule's configured level applies to every report).
    expect(inHistory.map((m) => m.slice(0, 4))).toEqual([[1, 19, 47, 2]]);
    expect(inHistory[0][4]).toContain('int8 → int4 converts every value');
    expect(alone.map((m) => m.slice(0, 3))).toEqual([[1, 19, 47]]);
    expect(alone[0][4]).toContain("the column's current type is unknown");
    // integer to integer: nothing to rewrite.
    expect(edited).toEqual([]);
    fs.writeFileSync(path.join(project, 'db/migrations/001_init.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);\n');
  });

  it('a broken zerodown.config.json is an error naming it and the file being linted, exit 2, no stack trace', () => {
    const config = path.join(project, 'zerodown.config.json');
    const good = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, JSON.stringify({ postgresVersion: 16, rules: { 'drop-colum': 'warn' } }));
    try {
      const r = spawnSync(eslintBin(), ['db/migrations'], { cwd: project, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('zerodown: zerodown.config.json: rules: unknown rule "drop-colum" (did you mean "drop-column"?)');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      fs.writeFileSync(config, good);
    }
  });
});
