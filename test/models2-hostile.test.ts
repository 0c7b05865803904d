/**
 * The Sequelize, MikroORM, Kysely, raw-SQL and query-builder readers on input a real repository can
 * hold: syntax errors, self-referencing classes and types, circular imports, deep nesting, binary
 * files. Each must return (models it could read, problems for the rest), never throw.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser } from '../src/parse/parser.ts';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { kyselyReader } from '../src/analyze/models/kysely.ts';
import { mikroOrmReader } from '../src/analyze/models/mikro-orm.ts';
import { queryBuilderReader } from '../src/analyze/models/query-builders.ts';
import { rawSqlReader } from '../src/analyze/models/raw-sql.ts';
import { sequelizeReader } from '../src/analyze/models/sequelize.ts';
import type { RevisionFiles } from '../src/analyze/models/types.ts';
import { writeProject } from './models-files.ts';

beforeAll(async () => {
  await Promise.all([loadTypeScript(), initParser()]);
});

const readers = [sequelizeReader, mikroOrmReader, kyselyReader, rawSqlReader, queryBuilderReader];

describe('model readers on hostile input', () => {
  it('read what they can and never throw', () => {
    const deep = '('.repeat(3000) + "'SELECT a FROM t'" + ')'.repeat(3000);
    const files = writeProject({
      'src/broken.ts': `import { Entity, Property } from '@mikro-orm/core'; import { Model } from 'sequelize';
@Entity() export class Half { @Property() name!: string
class Loop extends Loop {}
class A extends B {} class B extends A {}
User.init({ ...attrs, [dynamic]: DataTypes.STRING }, { sequelize, ...opts });
sequelize.define(\`t_\${x}\`, {});
const q = 'SELECT FROM WHERE ((';
const k = knex(table).select(cols).where(fn);
`,
      'src/deep.ts': `import { knex } from 'knex';\nexport const x = ${deep};\n`,
      'src/db/a.ts': `import type { Kysely } from 'kysely';\nimport type { B } from './b';\nexport type A = B & { a: { id: number } };\nexport let db: Kysely<A>;\n`,
      'src/db/b.ts': `import type { A } from './a';\nexport type B = A;\nexport interface DB extends DB { t: { c: string } }\n`,
    });
    const withBinary: RevisionFiles = { ...files, paths: () => [...files.paths(), 'src/logo.ts'], read: (p) => (p === 'src/logo.ts' ? undefined : files.read(p)) };
    for (const reader of readers) {
      expect(() => reader.read(withBinary), reader.orm).not.toThrow();
    }
    const half = mikroOrmReader.read(withBinary).tables.find((t) => t.model === 'Half');
    expect(half?.columns.map((c) => c.column)).toEqual(['name']);
    const kysely = kyselyReader.read(withBinary).tables;
    expect(kysely.find((t) => t.table === 'a')?.columns.map((c) => c.column)).toEqual(['id']);
  });
});
