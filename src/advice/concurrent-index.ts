/** CREATE INDEX → CREATE INDEX CONCURRENTLY, for recipes that build an index without blocking writes. */

/** The leading keywords of a CREATE [UNIQUE] INDEX statement. */
export const CREATE_INDEX = /CREATE\s+(UNIQUE\s+)?INDEX/i;

/** The statement rewritten with CONCURRENTLY (the author's own text otherwise). */
export function concurrentIndexSql(text: string): string {
  return text.replace(CREATE_INDEX, (m) => `${m} CONCURRENTLY`).trim() + ';';
}
