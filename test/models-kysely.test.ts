/**
 * Kysely reader over projects written to temp dirs. Expected names follow:
 * - kysely-codegen's output: `export interface DB { table: TableType }` with row interfaces using
 *   Generated<> / ColumnType<>, non-default schemas as "schema.table" keys:
 *   https://github.com/RobinBlomberg/kysely-codegen#readme
 * - the database interface passed as `new Kysely<Database>(…)`: https://kysely.dev/docs/getting-started
 * - ColumnType<SelectType, InsertType, UpdateType>, `never` = not insertable / updatable:
 *   https://kysely-org.github.io/kysely-apidoc/types/ColumnType.html
 * - CamelCasePlugin (camelCase in TypeScript, snake_case in the database; its doc example maps
 *   `userMetadata.firstName` to `user_metadata.first_name`):
 *   https://kysely-org.github.io/kysely-apidoc/classes/CamelCasePlugin.html
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { kyselyReader, kyselySnakeCase } from '../src/analyze/models/kysely.ts';
import { columnsByTable, tableNamed, writeProject } from './models-files.ts';

beforeAll(async () => {
  await loadTypeScript();
});

describe('Kysely reader', () => {
  it('reads a kysely-codegen DB interface (a .d.ts) with schema-qualified keys', () => {
    const files = writeProject({
      'src/db/db.d.ts': `import type { ColumnType } from 'kysely';
export type Generated<T> = T extends ColumnType<infer S, infer I, infer U> ? ColumnType<S, I | undefined, U> : ColumnType<T, T | undefined, T>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AuditEvents {
  actor_id: string;
  id: Generated<number>;
  payload: unknown;
  recorded_at: ColumnType<Date, never, never>;
}

export interface Users {
  created_at: Generated<Timestamp>;
  email: string;
  id: Generated<number>;
  legacy_name: string | null;
}

export interface DB {
  "audit.events": AuditEvents;
  users: Users;
}
`,
      'src/db/index.ts': `import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { DB } from './db';
export const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new Pool() }) });
`,
    });
    const { tables, problems } = kyselyReader.read(files);
    expect(problems).toEqual([]);
    expect(columnsByTable(tables)).toEqual({
      'audit.events': ['actor_id', 'id', 'payload', 'recorded_at'],
      users: ['created_at', 'email', 'id', 'legacy_name'],
    });
    const legacy = tableNamed(tables, 'users').columns.find((c) => c.column === 'legacy_name');
    expect(legacy).toMatchObject({ field: 'legacy_name', certainty: 'exact', ref: { path: 'src/db/db.d.ts', line: 16, column: 3 } });
    // ColumnType<S, never, never>: selected, never inserted or updated (ColumnType's documentation).
    expect(tableNamed(tables, 'events').columns.find((c) => c.column === 'recorded_at')?.markers).toEqual(['no-insert', 'no-update']);
    expect(legacy?.markers).toEqual([]);
  });

  it('follows intersections of per-table PartialDB types behind namespace imports and [tableName] keys', () => {
    const files = writeProject({
      'src/db/schema/actor.ts': `export interface Actor {
  did: string;
  handle: string | null;
  takedownRef: string | null;
}
export const tableName = 'actor';
export type PartialDB = { [tableName]: Actor };
`,
      'src/db/schema/repo-root.ts': `export interface RepoRoot { did: string; cid: string; }
export type PartialDB = { repo_root: RepoRoot };
`,
      'src/db/schema/index.ts': `import type * as actor from './actor.js';
import type * as repoRoot from './repo-root.js';
export type DatabaseSchema = actor.PartialDB & repoRoot.PartialDB;
`,
      'src/db/schema/unrelated.ts': `export interface Database { host: string; port: number }
`,
      'src/db/db.ts': `import { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema/index.js';
export class Db { constructor(public db: Kysely<DatabaseSchema>) {} }
`,
    });
    expect(columnsByTable(kyselyReader.read(files).tables)).toEqual({
      actor: ['did', 'handle', 'takedownRef'],
      repo_root: ['cid', 'did'],
    });
  });

  it('maps camelCase names to snake_case when the Kysely instance uses CamelCasePlugin', () => {
    const files = writeProject({
      'src/db.ts': `import { CamelCasePlugin, Generated, Kysely, PostgresDialect } from 'kysely';
interface Database {
  userMetadata: { id: Generated<number>; firstName: string; lastName: string; address2Line: string };
}
export const db = new Kysely<Database>({ dialect: new PostgresDialect({} as never), plugins: [new CamelCasePlugin()] });
`,
    });
    const t = tableNamed(kyselyReader.read(files).tables, 'user_metadata');
    expect(t.columns.map((c) => [c.field, c.column])).toEqual([
      ['id', 'id'],
      ['firstName', 'first_name'],
      ['lastName', 'last_name'],
      ['address2Line', 'address2_line'],
    ]);
    // The plugin's documented options.
    expect(kyselySnakeCase('fooBAR', { upperCase: false, underscoreBeforeDigits: false, underscoreBetweenUppercaseLetters: false })).toBe('foo_bar');
    expect(kyselySnakeCase('fooBAR', { upperCase: false, underscoreBeforeDigits: false, underscoreBetweenUppercaseLetters: true })).toBe('foo_b_a_r');
    expect(kyselySnakeCase('foo12Bar', { upperCase: true, underscoreBeforeDigits: true, underscoreBetweenUppercaseLetters: false })).toBe('FOO_12_BAR');
  });
});
