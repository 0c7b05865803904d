/**
 * The model check end to end for the Sequelize, MikroORM and Kysely readers, as test/model-check.test.ts
 * does for Prisma, TypeORM and Drizzle: a real git repository, the built CLI. Dropping a column the
 * deployed model still maps is an error naming the model line; once a deployed commit stopped
 * mapping it, the same drop is clean.
 */
import { describe, expect, it } from 'vitest';
import { deploy, lint, repo, write } from './model-git.ts';

const INIT = 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, legacy_name text);\n';
const DROP = { 'migrations/002_drop.sql': 'ALTER TABLE users DROP COLUMN legacy_name;\n' };

const SEQUELIZE = `import { DataTypes, Model, Sequelize } from 'sequelize';

export const sequelize = new Sequelize('postgres://localhost/app');

export class User extends Model {}
User.init(
  {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    email: { type: DataTypes.STRING, allowNull: false },
    legacy_name: { type: DataTypes.STRING },
  },
  { sequelize, tableName: 'users', timestamps: false },
);
`;

const MIKRO = `import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'users' })
export class User {
  @PrimaryKey() id!: number;
  @Property() email!: string;
  @Property({ fieldName: 'legacy_name', nullable: true }) legacyName?: string;
}
`;

const KYSELY = `import { Kysely, PostgresDialect, type Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  email: string;
  legacy_name: string | null;
}

export interface DB {
  users: UsersTable;
}

export const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: undefined as never }) });
`;

const CASES: { orm: string; file: string; text: string; without: string; line: number }[] = [
  { orm: 'sequelize', file: 'src/models/user.ts', text: SEQUELIZE, without: SEQUELIZE.replace(/ {4}legacy_name: .*\n/, ''), line: 10 },
  { orm: 'mikro-orm', file: 'src/entities/user.entity.ts', text: MIKRO, without: MIKRO.replace(/ {2}@Property\(\{ fieldName: 'legacy_name'.*\n/, ''), line: 7 },
  { orm: 'kysely', file: 'src/db/types.ts', text: KYSELY, without: KYSELY.replace(/ {2}legacy_name: .*\n/, ''), line: 6 },
];

describe.each(CASES)('$orm', ({ file, text, without, line }) => {
  it('the model field and DROP COLUMN removed in one change: error naming the deployed model line', () => {
    const dir = repo({ [file]: text, 'migrations/001_init.sql': INIT }, { [file]: without, ...DROP });
    const r = lint(dir);
    const f = r.findings.find((x) => x.ruleId === 'drop-column');
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain('(deployed at main) still maps users.legacy_name');
    expect(f?.relatedLocations?.[0]).toMatchObject({ path: file, line });
    expect(r.code).toBe(1);
  });

  it('the field removed in a deployed commit, then DROP COLUMN: clean, with a note', () => {
    const dir = repo({ [file]: text, 'migrations/001_init.sql': INIT }, { [file]: without });
    deploy(dir);
    write(dir, DROP);
    const r = lint(dir);
    expect(r.findings.filter((x) => x.ruleId === 'drop-column')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.notes.join('\n')).toContain('users.legacy_name: no ORM model maps it in main (deployed) nor in the working tree');
  });
});
