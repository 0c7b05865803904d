/** Every ORM model reader. A reader picks its own files from the revision; several ORMs per repository are fine. */
import { drizzleReader } from './drizzle.ts';
import { prismaReader } from './prisma.ts';
import { typeormReader } from './typeorm.ts';
import type { ModelReader } from './types.ts';

export const MODEL_READERS: readonly ModelReader[] = [prismaReader, typeormReader, drizzleReader];
