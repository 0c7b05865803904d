/**
 * MikroORM entity reader over entity files written to temp dirs. Expected names follow MikroORM's docs:
 * - UnderscoreNamingStrategy is the default for SQL drivers (BookTag → book_tag, createdAt →
 *   created_at, relation author → author_id); EntityCaseNamingStrategy keeps names as they are:
 *   https://mikro-orm.io/docs/naming-strategy
 * - @Entity({ tableName, schema }), @Property({ fieldName, persist: false, lazy: true }), @Formula:
 *   https://mikro-orm.io/docs/decorators
 * - owning vs inverse side (mappedBy) of 1:1, @ManyToOne joinColumn / fieldName:
 *   https://mikro-orm.io/docs/relationships
 * - EntitySchema (`kind: 'm:1'`, `fieldName`): https://mikro-orm.io/docs/entity-schema
 * - @Embedded: columns prefixed with the property name (address → address_street), `prefix: false`,
 *   a string prefix, `object: true` = one JSON column: https://mikro-orm.io/docs/embeddables
 * - defineEntity with the `p` property builders: https://mikro-orm.io/docs/define-entity
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { mikroOrmReader } from '../src/analyze/models/mikro-orm.ts';
import { columnsByTable, tableNamed, writeProject } from './models-files.ts';

beforeAll(async () => {
  await loadTypeScript();
});

const base = `import { PrimaryKey, Property } from '@mikro-orm/core';
export abstract class BaseEntity {
  @PrimaryKey()
  id!: number;

  @Property()
  createdAt: Date = new Date();

  @Property({ onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ nullable: true })
  deletedAt?: Date;
}
`;

describe('MikroORM reader', () => {
  it('reads decorated entities with the default UnderscoreNamingStrategy, inheritance and relations', () => {
    const files = writeProject({
      'src/entities/BaseEntity.ts': base,
      'src/entities/Author.ts': `import { Collection, Entity, OneToMany, OneToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from './BaseEntity';
import { Book } from './Book';
import { Profile } from './Profile';
@Entity()
export class Author extends BaseEntity {
  @Property({ fieldName: 'full_nm' })
  fullName!: string;

  @Property({ persist: false })
  get displayName() { return this.fullName; }

  @Property({ lazy: true })
  biography?: string;

  @OneToMany(() => Book, (b) => b.author)
  books = new Collection<Book>(this);

  @OneToOne(() => Profile, (p) => p.author)
  profile?: Profile;

  /** Plain field: not mapped. */
  cachedScore = 0;
}
`,
      'src/entities/Profile.ts': `import { Entity, OneToOne, PrimaryKey } from '@mikro-orm/core';
import { Author } from './Author';
@Entity({ tableName: 'author_profiles', schema: 'accounts' })
export class Profile {
  @PrimaryKey({ fieldName: 'profile_uuid' })
  uuid!: string;

  @OneToOne(() => Author, { owner: true })
  author!: Author;
}
`,
      'src/entities/Book.ts': `import { Entity, Enum, Formula, ManyToOne, Property, Ref } from '@mikro-orm/core';
import { BaseEntity } from './BaseEntity';
import { Author } from './Author';
import { Profile } from './Profile';
@Entity()
export class BookTag extends BaseEntity {
  @Property() label!: string;
}
@Entity()
export class Book extends BaseEntity {
  @Property() title!: string;
  @Enum(() => BookStatus) status!: BookStatus;
  @ManyToOne(() => Author) author!: Author;
  @ManyToOne({ entity: () => Author, joinColumn: 'editor_ref' }) editor?: Author;
  @ManyToOne() reviewerProfile?: Ref<Profile>;
  @Formula('price * 1.19') priceTaxed?: number;
}
export enum BookStatus { Draft = 'draft' }
`,
    });
    const { tables, problems } = mikroOrmReader.read(files);
    expect(problems).toEqual([]);
    const byTable = columnsByTable(tables);
    expect(byTable.author).toEqual(['biography', 'created_at', 'deleted_at', 'full_nm', 'id', 'updated_at']);
    expect(byTable['accounts.author_profiles']).toEqual(['author_id', 'profile_uuid']);
    expect(byTable.book_tag).toEqual(['created_at', 'deleted_at', 'id', 'label', 'updated_at']);
    // reviewerProfile references Profile, whose primary key column is profile_uuid
    expect(byTable.book).toEqual(['author_id', 'created_at', 'deleted_at', 'editor_ref', 'id', 'reviewer_profile_profile_uuid', 'status', 'title', 'updated_at']);
    const author = tableNamed(tables, 'author');
    expect(author.columns.find((c) => c.field === 'biography')?.markers).toEqual(['no-select']);
    expect(author.columns.find((c) => c.column === 'deleted_at')?.ref.path).toBe('src/entities/BaseEntity.ts');
  });

  it('inlines embeddables with their prefixes', () => {
    const files = writeProject({
      'src/entities/user.ts': `import { Embeddable, Embedded, Entity, PrimaryKey, Property } from '@mikro-orm/core';
@Embeddable()
export class Address {
  @Property() street!: string;
  @Property() postalCode!: string;
  @Property({ fieldName: 'town' }) city!: string;
}
@Entity()
export class User {
  @PrimaryKey() id!: number;
  @Embedded(() => Address) address!: Address;
  @Embedded(() => Address, { prefix: false }) billing!: Address;
  @Embedded({ entity: () => Address, prefix: 'ship_' }) shipping!: Address;
  @Embedded(() => Address, { object: true }) lastKnown!: Address;
}
`,
    });
    expect(columnsByTable(mikroOrmReader.read(files).tables)).toEqual({
      user: ['address_postal_code', 'address_street', 'address_town', 'id', 'last_known', 'postal_code', 'ship_postal_code', 'ship_street', 'ship_town', 'street', 'town'],
    });
  });

  it('keeps property names with EntityCaseNamingStrategy and marks names probable under a custom strategy', () => {
    const entity = `import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
@Entity()
export class UserAccount {
  @PrimaryKey() id!: number;
  @Property() lastLogin?: Date;
}
`;
    const entityCase = writeProject({
      'mikro-orm.config.ts': `import { defineConfig, EntityCaseNamingStrategy } from '@mikro-orm/postgresql';
export default defineConfig({ entities: ['dist/**/*.entity.js'], namingStrategy: EntityCaseNamingStrategy });
`,
      'src/user.entity.ts': entity,
    });
    expect(columnsByTable(mikroOrmReader.read(entityCase).tables)).toEqual({ UserAccount: ['id', 'lastLogin'] });

    const custom = writeProject({
      'mikro-orm.config.ts': `import { defineConfig } from '@mikro-orm/postgresql';
import { MyNaming } from './naming';
export default defineConfig({ namingStrategy: MyNaming });
`,
      'src/user.entity.ts': entity,
    });
    const t = tableNamed(mikroOrmReader.read(custom).tables, 'user_account');
    expect(t.certainty).toBe('probable');
    expect(t.columns.filter((c) => c.field === 'lastLogin').map((c) => [c.column, c.certainty])).toEqual([
      ['lastLogin', 'probable'],
      ['last_login', 'probable'],
    ]);
  });

  it('reads EntitySchema and defineEntity definitions', () => {
    const files = writeProject({
      'src/schemas.ts': `import { EntitySchema, defineEntity, p } from '@mikro-orm/core';
export const PublisherSchema = new EntitySchema({
  name: 'Publisher',
  tableName: 'publishers',
  properties: {
    id: { type: 'number', primary: true },
    legalName: { type: 'string', fieldName: 'legal_name_v2' },
    books: { kind: '1:m', entity: () => 'Book', mappedBy: 'publisher' },
    headquarters: { kind: 'm:1', entity: () => 'Address' },
    computed: { type: 'number', persist: false },
  },
});
export const Review = defineEntity({
  name: 'Review',
  properties: (p) => ({
    id: p.integer().primary(),
    bodyText: p.text().lazy(),
    score: p.integer().fieldName('stars'),
    book: () => p.manyToOne(Book),
    reviewer: () => p.manyToOne(User).joinColumn('written_by'),
    comments: () => p.oneToMany(Comment).mappedBy('review'),
    summary: p.string().persist(false),
  }),
});
`,
    });
    const { tables } = mikroOrmReader.read(files);
    const byTable = columnsByTable(tables);
    expect(byTable.publishers).toEqual(['headquarters_id', 'id', 'legal_name_v2']);
    expect(byTable.review).toEqual(['body_text', 'book_id', 'id', 'stars', 'written_by']);
  });
});
