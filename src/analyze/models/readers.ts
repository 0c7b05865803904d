/** Every ORM model reader. A reader picks its own files from the revision; several ORMs per repository are fine. */
import { drizzleReader } from './drizzle.ts';
import { kyselyReader } from './kysely.ts';
import { mikroOrmReader } from './mikro-orm.ts';
import { prismaReader } from './prisma.ts';
import { queryBuilderReader } from './query-builders.ts';
import { rawSqlReader } from './raw-sql.ts';
import { sequelizeReader } from './sequelize.ts';
import { typeormReader } from './typeorm.ts';
import type { ModelReader } from './types.ts';

/**
 * The readers, synchronous: the caller loads the TypeScript compiler (`await loadTypeScript()`),
 * the PostgreSQL parser for the raw-SQL reader (`await initParser()`) and, for schema.prisma, the
 * Prisma schema parser (`await loadPrismaAst()`) first.
 */
export const MODEL_READERS: readonly ModelReader[] = [prismaReader, typeormReader, drizzleReader, sequelizeReader, mikroOrmReader, kyselyReader, rawSqlReader, queryBuilderReader];

/** Case-insensitive ERE spelling of a word (git grep -E has no per-pattern /i). */
const anyCase = (word: string): string => [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');

/**
 * Text every model file (or naming configuration) of some reader contains: the front door asks git
 * for the files that match it (`git grep -E`, so POSIX ERE: no \b) instead of reading the whole
 * repository. A reader added here adds its markers. .prisma files are always read.
 * ORMs by package or decorator; raw SQL and query builders (Knex, Kysely chains) by a query keyword
 * or a builder call.
 */
export const MODEL_FILE_HINT = new RegExp(
  ['typeorm', 'drizzle', 'sequelize', 'mikro-orm', 'kysely', 'Kysely', 'EntitySchema', '@Entity', '[Kk]nex', '\\.from\\(', '\\.table\\(', '\\.into\\(', ...['select', 'insert', 'update', 'delete'].map(anyCase)].join('|'),
);

/**
 * Text of a file that defines models in code (not only imports an ORM): without one, the TypeScript
 * parser is not loaded and no code reader runs. SQL strings and query-builder chains alone do not
 * start the check (every repository has some, and reading them costs seconds): the raw-SQL and
 * query-builder readers run alongside the ORM readers once some model is defined in code.
 */
export const MODEL_DEFINITION_HINT = /@Entity\b|\bEntitySchema\b|\bpgTable\b|\bpgSchema\b|\bdefineEntity\b|\.define\(|\.init\(|@Table\b|interface DB\b|\bKysely\b/;

/** Readers that need no TypeScript parser. */
export const SCHEMA_FILE_READERS: readonly ModelReader[] = [prismaReader];
