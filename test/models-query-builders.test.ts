/**
 * Column references in Knex and Kysely query-builder chains of application code. The column
 * arguments read are the documented ones: Knex select/where/orderBy/insert/update/returning
 * (https://knexjs.org/guide/query-builder.html, `'table.column'` and `'column as alias'` forms),
 * Kysely selectFrom/select/where/insertInto().values()/updateTable().set()
 * (https://kysely.dev/docs/category/select, https://kysely.dev/docs/category/insert, https://kysely.dev/docs/category/update).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { queryBuilderReader } from '../src/analyze/models/query-builders.ts';
import { columnsByTable, tableNamed, writeProject } from './models-files.ts';

beforeAll(async () => {
  await loadTypeScript();
});

describe('query-builder reader', () => {
  it('reads Knex chains: root table, joins with aliases, insert/update keys', () => {
    const files = writeProject({
      'server/queries/link.ts': `import knex from '../knex';
export async function find(id: number) {
  return knex('links')
    .select('links.id', 'links.target', 'users.email as owner_email')
    .leftJoin('users', 'links.user_id', 'users.id')
    .where('links.legacy_code', id)
    .orderBy('created_at', 'desc')
    .first();
}
export async function create(data: { target: string }) {
  return knex('links').insert({ target: data.target, visit_count: 0 }).returning('id');
}
export class Repo {
  constructor(private db: any) {}
  touch(id: number) { return this.db('links').where({ id }).update({ updated_at: new Date() }); }
  remove(trx: any) { return trx('audit.entries as e').where('e.link_id', 1).del(); }
}
const label = $('div').select();
export const recent = () => knex.with('recent', (qb) => qb.select('id').from('links')).select('id').from('recent');
`,
    });
    const { tables, problems } = queryBuilderReader.read(files);
    expect(problems).toEqual([]);
    expect(columnsByTable(tables)).toEqual({
      links: ['created_at', 'id', 'legacy_code', 'target', 'updated_at', 'user_id', 'visit_count'],
      users: ['email', 'id'],
      'audit.entries': ['link_id'],
    });
    const legacy = tableNamed(tables, 'links').columns.find((c) => c.column === 'legacy_code');
    expect(legacy).toMatchObject({ certainty: 'probable', ref: { path: 'server/queries/link.ts', line: 6, column: 12 } });
  });

  it('reads Kysely chains: selectFrom/select/where, insertInto().values(), updateTable().set()', () => {
    const files = writeProject({
      'src/repo.ts': `import type { Kysely } from 'kysely';
export const byHandle = (db: Kysely<DB>, handle: string) =>
  db.selectFrom('actor as a').innerJoin('profile', 'profile.did', 'a.did').select(['a.did', 'a.handle', 'profile.display_name']).where('a.takedown_ref', 'is', null).executeTakeFirst();
export const add = (db: Kysely<DB>) => db.insertInto('actor').values({ did: 'x', handle: 'y', indexed_at: 'now' }).execute();
export const rename = (db: Kysely<DB>) => db.updateTable('actor').set({ handle: 'z' }).where('did', '=', 'x').execute();
`,
    });
    expect(columnsByTable(queryBuilderReader.read(files).tables)).toEqual({
      actor: ['did', 'handle', 'indexed_at', 'takedown_ref'],
      profile: ['did', 'display_name'],
    });
  });
});
