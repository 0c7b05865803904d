/** Every ORM model reader. A reader picks its own files from the revision; several ORMs per repository are fine. */
import { drizzleReader } from './drizzle.ts';
import { prismaReader } from './prisma.ts';
import { typeormReader } from './typeorm.ts';
import type { ModelReader } from './types.ts';

export const MODEL_READERS: readonly ModelReader[] = [prismaReader, typeormReader, drizzleReader];

/**
 * Text every model file (or naming configuration) of some reader contains: the front door asks git
 * for the files that match it (`git grep -E`, so POSIX ERE: no \\b) instead of reading the whole
 * repository. A reader added here adds its markers. .prisma files are always read.
 */
export const MODEL_FILE_HINT = /typeorm|drizzle|sequelize|mikro-orm|kysely|EntitySchema|@Entity/;

/** Text of a file that defines models in code (not only imports an ORM): without one, the TypeScript parser is not loaded. */
export const MODEL_DEFINITION_HINT = /@Entity\b|\bEntitySchema\b|\bpgTable\b|\bpgSchema\b|\bdefineEntity\b|\.define\(|\.init\(|@Table\b|interface DB\b/;

/** Readers that need no TypeScript parser. */
export const SCHEMA_FILE_READERS: readonly ModelReader[] = [prismaReader];
