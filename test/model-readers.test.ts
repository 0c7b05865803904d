/**
 * The ORM model readers on models written from scratch after real-project traps: properties that
 * are no columns, inherited soft-delete columns, join columns, naming strategies, schemas and
 * quoted mixed-case Prisma names. Expected names follow each ORM's documented naming rules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readModels } from '../src/analyze/models/facts.ts';
import type { ModelTable, RevisionFiles } from '../src/analyze/models/types.ts';
import { loadPrismaAst } from '../src/analyze/models/prisma.ts';
import { initParser } from '../src/parse/parser.ts';
import { loadTypeScript } from '../src/source/ts/typescript.ts';

function files(map: Record<string, string>): RevisionFiles {
  return { label: 'test', paths: () => Object.keys(map), read: (p) => map[p] };
}

function table(tables: ModelTable[], name: string): ModelTable {
  const t = tables.find((x) => x.table === name);
  if (!t) throw new Error(`no table ${name} in ${tables.map((x) => x.table).join(', ')}`);
  return t;
}

const cols = (t: ModelTable): string[] => t.columns.map((c) => c.column).sort();

beforeAll(async () => {
  await Promise.all([loadTypeScript(), loadPrismaAst(), initParser()]);
});

describe('Prisma', () => {
  it('@map/@@map/@@schema/@ignore/@@ignore, relation fields are no columns, names keep their case', () => {
    const rev = readModels(
      files({
        'prisma/schema/user.prisma': 'model User {\n  id Int @id\n  legacyName String? @map("legacy_name") @ignore\n  displayName String @map(name: "display_name")\n  posts Post[]\n  @@map("users")\n  @@schema("auth")\n}\n',
        'prisma/schema/post.prisma': 'model Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n  kind Kind\n}\nenum Kind {\n  A\n  B\n}\nmodel Audit {\n  id Int @id\n  @@ignore\n}\n',
      }),
    );
    expect(rev.problems).toEqual([]);
    const users = table(rev.tables, 'users');
    expect(users.schema).toBe('auth');
    expect(cols(users)).toEqual(['display_name', 'id', 'legacy_name']);
    expect(users.columns.find((c) => c.column === 'legacy_name')).toMatchObject({ field: 'legacyName', markers: ['ignored'], ref: { path: 'prisma/schema/user.prisma', line: 3, column: 3 } });
    // Prisma's default table name is the model name verbatim: "Post", quoted in SQL.
    expect(cols(table(rev.tables, 'Post'))).toEqual(['authorId', 'id', 'kind']);
    expect(table(rev.tables, 'Audit').ignored).toBe(true);
  });

  it('a broken schema is a problem with its line, not a crash', () => {
    const rev = readModels(files({ 'schema.prisma': 'model User {\n  id Int @id\n}\nmodel {\n' }));
    expect(rev.problems[0].ref.path).toBe('schema.prisma');
    expect(rev.problems[0].message).toMatch(/Prisma schema not parsed/);
  });
});

describe('TypeORM', () => {
  const base = `import { Column, CreateDateColumn, DeleteDateColumn, PrimaryGeneratedColumn } from 'typeorm';
export abstract class SoftDeleteEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @CreateDateColumn({ name: 'created_at' }) createdAt!: Date;
  @DeleteDateColumn() deletedAt?: Date;
}
`;
  const address = `import { Column } from 'typeorm';
export class Address {
  @Column() city!: string;
  @Column({ name: 'zip_code' }) zip!: string;
}
`;
  const user = `import { Column, Entity, JoinColumn, ManyToOne, OneToMany, OneToOne } from 'typeorm';
import { SoftDeleteEntity } from './base';
@Entity({ name: 'users', schema: 'app' })
export class UserAccount extends SoftDeleteEntity {
  @Column({ name: 'legacy_name', select: false, insert: false, update: false }) legacyName!: string;
  @Column() email!: string;
  // not columns: undecorated field, getter, the other side of a relation
  cache: string[] = [];
  get label(): string { return this.email; }
  @OneToMany(() => Photo, (p) => p.owner) photos!: Photo[];
  @ManyToOne(() => Org) @JoinColumn({ name: 'org_ref' }) org!: Org;
  @ManyToOne(() => Team) team!: Team;
  @OneToOne(() => Profile) profile!: Profile;
  @Column(() => Address) home!: Address;
}
@Entity()
export class UserProfile {
  @Column() displayName!: string;
}
`;
  it('default naming: inherited columns, join columns, embedded prefix, no getters or plain fields', () => {
    const rev = readModels(files({ 'src/base.ts': base, 'src/address.ts': address, 'src/user.entity.ts': user }));
    const users = table(rev.tables, 'users');
    expect(users.schema).toBe('app');
    // DefaultNamingStrategy: column = property name; embedded = camelCase(prefix) + TitleCase(name); join = relation + "Id".
    expect(cols(users)).toEqual(['created_at', 'deletedAt', 'email', 'homeCity', 'homeZip_code', 'id', 'legacy_name', 'org_ref', 'teamId'].sort());
    expect(users.columns.find((c) => c.column === 'legacy_name')?.markers).toEqual(['no-select', 'no-insert', 'no-update']);
    // Default table name: snake_case of the class name.
    expect(cols(table(rev.tables, 'user_profile'))).toEqual(['displayName']);
  });

  it("typeorm-naming-strategies' SnakeNamingStrategy: snake_case columns and join columns", () => {
    const config = "import { DataSource } from 'typeorm';\nimport { SnakeNamingStrategy } from 'typeorm-naming-strategies';\nexport default new DataSource({ type: 'postgres', namingStrategy: new SnakeNamingStrategy() });\n";
    const rev = readModels(files({ 'src/base.ts': base, 'src/address.ts': address, 'src/user.entity.ts': user, 'src/data-source.ts': config }));
    expect(cols(table(rev.tables, 'users'))).toEqual(['created_at', 'deleted_at', 'email', 'home_city', 'home_zip_code', 'id', 'legacy_name', 'org_ref', 'team_id'].sort());
    expect(cols(table(rev.tables, 'user_profile'))).toEqual(['display_name']);
  });

  it("a project's own class named SnakeNamingStrategy is not the package's: names are probable", () => {
    const own = "import { DefaultNamingStrategy } from 'typeorm';\nexport class SnakeNamingStrategy extends DefaultNamingStrategy {}\n";
    const rev = readModels(files({ 'src/user.entity.ts': user, 'src/base.ts': base, 'src/address.ts': address, 'src/naming.ts': own }));
    expect(table(rev.tables, 'users').columns.find((c) => c.field === 'email')?.certainty).toBe('probable');
  });

  it('a custom naming strategy makes derived names probable', () => {
    const config = "import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'postgres', namingStrategy: new MyStrategy() });\n";
    const rev = readModels(files({ 'src/user.entity.ts': user, 'src/base.ts': base, 'src/address.ts': address, 'src/ds.ts': config }));
    const email = table(rev.tables, 'users').columns.find((c) => c.field === 'email');
    expect(email?.certainty).toBe('probable');
    expect(table(rev.tables, 'users').columns.find((c) => c.field === 'legacyName')?.certainty).toBe('exact');
  });

  it('EntitySchema', () => {
    const src = "import { EntitySchema } from 'typeorm';\nexport const Cat = new EntitySchema({ name: 'Cat', tableName: 'cats', columns: { id: { type: Number, primary: true }, furColor: { type: String, name: 'fur_color' } }, relations: { owner: { type: 'many-to-one', target: 'User', joinColumn: { name: 'owner_id' } } } });\n";
    expect(cols(table(readModels(files({ 'src/cat.ts': src })).tables, 'cats'))).toEqual(['fur_color', 'id', 'owner_id']);
  });
});

describe('Drizzle', () => {
  it("pgTable and pgSchema().table with name arguments and casing: 'snake_case'", () => {
    const schema = `import { integer, pgSchema, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
export const auth = pgSchema('auth');
export const users = pgTable('users', {
  id: integer('id').primaryKey(),
  legacyName: text('legacy_name'),
  createdAt: timestamp().defaultNow().notNull(),
});
export const sessions = auth.table('sessions', (t) => ({ token: t.text().notNull() }));
`;
    const db = "import { drizzle } from 'drizzle-orm/node-postgres';\nexport const db = drizzle(process.env.DATABASE_URL!, { casing: 'snake_case' });\n";
    const rev = readModels(files({ 'src/db/schema.ts': schema, 'src/db/index.ts': db }));
    expect(cols(table(rev.tables, 'users'))).toEqual(['created_at', 'id', 'legacy_name']);
    const sessions = table(rev.tables, 'sessions');
    expect(sessions.schema).toBe('auth');
    expect(cols(sessions)).toEqual(['token']);
    // Without casing, a column without a name argument is the key itself.
    expect(cols(table(readModels(files({ 'src/db/schema.ts': schema })).tables, 'users'))).toEqual(['createdAt', 'id', 'legacy_name']);
  });
});
