/**
 * The ORM model check end to end: real git repositories built in temp dirs, the built CLI, the
 * deployed revision as a branch. A DROP/RENAME in the same change as the model edit is an error
 * naming the model line; the second step of a two-deploy change (the model stopped mapping the
 * column in a deployed commit) is clean.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers.ts';
import { deploy, dirs, git, lint, repo, write } from './model-git.ts';

const PRISMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id         Int     @id @default(autoincrement())
  email      String
  legacyName String? @map("legacy_name")

  @@map("users")
}
`;
const INIT = 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, legacy_name text);\n';

describe('Prisma', () => {
  it('model field and DROP COLUMN removed in one change: error naming the deployed model line (SQL migration)', () => {
    const dir = repo({ 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': INIT }, { 'prisma/schema.prisma': PRISMA.replace(/ {2}legacyName.*\n/, ''), 'migrations/002_drop.sql': 'ALTER TABLE users DROP COLUMN legacy_name;\n' });
    const r = lint(dir);
    expect(r.code).toBe(1);
    const f = r.findings.find((x) => x.ruleId === 'drop-column');
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain('`User.legacyName` in prisma/schema.prisma:9 (deployed at main) still maps users.legacy_name');
    expect(f?.relatedLocations).toEqual([{ path: 'prisma/schema.prisma', line: 9, column: 3, message: '`User.legacyName` (prisma, deployed at main) maps users.legacy_name' }]);
    expect(f?.help).toContain('add `@ignore` to User.legacyName');
    expect(f?.help).toContain('`prisma migrate dev` will emit this DROP in the same change');
  });

  it('field removed in a deployed commit, then DROP COLUMN: clean, with a note', () => {
    const dir = repo({ 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': INIT }, { 'prisma/schema.prisma': PRISMA.replace(/ {2}legacyName.*\n/, '') });
    deploy(dir);
    write(dir, { 'migrations/002_drop.sql': 'ALTER TABLE users DROP COLUMN legacy_name;\n' });
    const r = lint(dir);
    expect(r.findings.filter((x) => x.ruleId === 'drop-column')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.notes.join('\n')).toContain('users.legacy_name: no ORM model maps it in main (deployed) nor in the working tree');
  });

  it('@ignore deployed first: the drop is clean and model-stale-ignore asks to delete the field', () => {
    const dir = repo({ 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': INIT }, { 'prisma/schema.prisma': PRISMA.replace('@map("legacy_name")', '@map("legacy_name") @ignore') });
    deploy(dir);
    write(dir, { 'migrations/002_drop.sql': 'ALTER TABLE users DROP COLUMN legacy_name;\n' });
    const r = lint(dir);
    expect(r.findings.map((x) => x.ruleId)).toEqual(['model-stale-ignore']);
    expect(r.findings[0].relatedLocations?.[0]).toMatchObject({ path: 'prisma/schema.prisma', line: 9 });
    expect(r.code).toBe(0);
  });

  it('renaming the field and keeping @map("legacy_name") needs no migration; a RENAME COLUMN of the mapped column is flagged with that advice', () => {
    const dir = repo({ 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': INIT }, { 'prisma/schema.prisma': PRISMA.replace('legacyName String?', 'formerName String?') });
    expect(lint(dir).findings).toEqual([]);
    write(dir, { 'migrations/002_rename.sql': 'ALTER TABLE users RENAME COLUMN legacy_name TO former_name;\n' });
    const r = lint(dir);
    const f = r.findings.find((x) => x.ruleId === 'rename-column');
    expect(f?.relatedLocations?.map((l) => `${l.path}:${l.line}`)).toEqual(['prisma/schema.prisma:9']);
    expect(f?.help).toContain('keep `@map("legacy_name")`');
  });

  it('quoted mixed-case names: model Post without @@map is the table "Post"; dropping it in the change that deletes the model is flagged', () => {
    const post = 'model Post {\n  id    Int    @id\n  title String\n}\n';
    const dir = repo({ 'prisma/schema.prisma': PRISMA + post, 'migrations/001_init.sql': `${INIT}CREATE TABLE "Post" (id int PRIMARY KEY, title text NOT NULL);\n` }, { 'prisma/schema.prisma': PRISMA, 'migrations/002_drop.sql': 'DROP TABLE "Post";\n' });
    const f = lint(dir).findings.find((x) => x.ruleId === 'drop-table');
    expect(f?.relatedLocations?.[0]).toMatchObject({ path: 'prisma/schema.prisma', line: 13 });
    // An unquoted post is another table (folded to lower case): no model maps it.
    write(dir, { 'migrations/002_drop.sql': 'DROP TABLE post;\n' });
    expect(lint(dir).findings.find((x) => x.ruleId === 'drop-table')).toBeUndefined();
  });

  it('without git the working tree stands in, and stderr says so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-models-nogit-'));
    dirs.push(dir);
    write(dir, { 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': INIT, 'migrations/002_drop.sql': 'ALTER TABLE users DROP COLUMN legacy_name;\n' });
    const r = lint(dir);
    expect(r.stderr).toContain('no deployed revision');
    expect(r.findings.find((x) => x.ruleId === 'drop-column')?.relatedLocations?.[0].message).toContain('working tree; no deployed revision known');
  });
});

const ENTITY = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn() id!: number;
  @Column() email!: string;
  @Column({ name: 'legacy_name', nullable: true }) legacyName?: string;
}
`;
const TYPEORM_DROP = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class DropLegacy1700000000002 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "legacy_name"');
  }
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD "legacy_name" text');
  }
}
`;

describe('TypeORM', () => {
  it('entity property and a TS migration dropping its column in one change: error with the entity line', () => {
    const dir = repo({ 'src/user.entity.ts': ENTITY, 'migrations/001_init.sql': INIT }, { 'src/user.entity.ts': ENTITY.replace(/ {2}@Column\(\{ name: 'legacy_name'.*\n/, ''), 'migrations/1700000000002-DropLegacy.ts': TYPEORM_DROP });
    const r = lint(dir, '--runner', 'typeorm');
    const f = r.findings.find((x) => x.ruleId === 'drop-column');
    expect(f?.severity).toBe('error');
    expect(f?.relatedLocations?.[0]).toMatchObject({ path: 'src/user.entity.ts', line: 7 });
    expect(f?.help).toContain('`@Column({ select: false, insert: false, update: false })`');
  });

  it('select/insert/update: false deployed first: the drop is clean (the stale marker is reported)', () => {
    const dir = repo({ 'src/user.entity.ts': ENTITY, 'migrations/001_init.sql': INIT }, { 'src/user.entity.ts': ENTITY.replace("nullable: true", 'nullable: true, select: false, insert: false, update: false') });
    deploy(dir);
    write(dir, { 'migrations/1700000000002-DropLegacy.ts': TYPEORM_DROP });
    const r = lint(dir, '--runner', 'typeorm');
    expect(r.findings.map((x) => x.ruleId)).toEqual(['model-stale-ignore']);
  });
});

const DRIZZLE = `import { integer, pgTable, text } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: integer('id').primaryKey(),
  email: text('email').notNull(),
});

export const auditLog = pgTable('audit_log', {
  id: integer('id').primaryKey(),
});
`;

describe('Drizzle', () => {
  const init = `${INIT}CREATE TABLE audit_log (id int PRIMARY KEY);\n`;
  it('table removed from the schema and DROP TABLE in one change: error; after a deploy without it: clean', () => {
    const dir = repo({ 'src/db/schema.ts': DRIZZLE, 'migrations/001_init.sql': init }, { 'src/db/schema.ts': DRIZZLE.slice(0, DRIZZLE.indexOf('export const auditLog')), 'migrations/002_drop.sql': 'DROP TABLE audit_log;\n' });
    const same = lint(dir);
    const f = same.findings.find((x) => x.ruleId === 'drop-table');
    expect(f?.message).toContain('`auditLog` in src/db/schema.ts:8 (deployed at main) still maps audit_log');
    expect(f?.relatedLocations?.[0]).toMatchObject({ path: 'src/db/schema.ts', line: 8 });

    git(dir, 'rm', '-q', 'migrations/002_drop.sql');
    git(dir, 'commit', '-q', '-m', 'deploy A only');
    deploy(dir);
    write(dir, { 'migrations/002_drop.sql': 'DROP TABLE audit_log;\n' });
    const second = lint(dir);
    expect(second.findings.filter((x) => x.ruleId === 'drop-table')).toEqual([]);
    expect(second.code).toBe(0);
  });

  it('--deployed-ref picks the revision; SARIF carries relatedLocations', () => {
    const dir = repo({ 'src/db/schema.ts': DRIZZLE, 'migrations/001_init.sql': init }, { 'migrations/002_rename.sql': 'ALTER TABLE users RENAME TO accounts;\n' });
    const r = spawnSync(process.execPath, [CLI, 'lint', 'migrations', '--format', 'sarif', '--no-cache', '--deployed-ref', 'HEAD~1'], { cwd: dir, encoding: 'utf8' });
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; relatedLocations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; message: { text: string } }[] }[] }[] };
    const result = sarif.runs[0].results.find((x) => x.ruleId === 'rename-table');
    expect(result?.relatedLocations?.[0].physicalLocation).toEqual({ artifactLocation: { uri: 'src/db/schema.ts' }, region: { startLine: 3, startColumn: 22 } });
    expect(result?.relatedLocations?.[0].message.text).toContain('deployed at HEAD~1');
  });
});

describe('NOT NULL column the deployed model does not write', () => {
  it('add-column-required names the deployed model whose INSERTs leave the column out', () => {
    const dir = repo({ 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': INIT }, { 'migrations/002_add.sql': 'ALTER TABLE users ADD COLUMN tenant_id int NOT NULL;\n' });
    const f = lint(dir).findings.find((x) => x.ruleId === 'add-column-required');
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain('`User` (prisma, deployed at main) in prisma/schema.prisma:6 is such code: its INSERTs do not write tenant_id.');
    expect(f?.relatedLocations?.[0]).toMatchObject({ path: 'prisma/schema.prisma', line: 6 });
  });
});

describe('tables no model maps', () => {
  it('a column of a table no model maps keeps the general drop-column error (no model line to name)', () => {
    const dir = repo({ 'prisma/schema.prisma': PRISMA, 'migrations/001_init.sql': `${INIT}CREATE TABLE reports (id int PRIMARY KEY, body text);\n` }, { 'migrations/002_drop.sql': 'ALTER TABLE reports DROP COLUMN body;\n' });
    const f = lint(dir).findings.find((x) => x.ruleId === 'drop-column');
    expect(f?.severity).toBe('error');
    expect(f?.relatedLocations).toBeUndefined();
  });
});
