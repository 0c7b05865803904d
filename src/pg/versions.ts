/** PostgreSQL majors zerodown models (lock modes, rewrites and defaults differ between them). */
export const SUPPORTED_PG_VERSIONS = [10, 11, 12, 13, 14, 15, 16, 17, 18] as const;
export type PgVersion = (typeof SUPPORTED_PG_VERSIONS)[number];

export const OLDEST_PG_VERSION: PgVersion = SUPPORTED_PG_VERSIONS[0];
export const NEWEST_PG_VERSION: PgVersion = SUPPORTED_PG_VERSIONS[SUPPORTED_PG_VERSIONS.length - 1];

/** The oldest community-supported major (https://www.postgresql.org/support/versioning/). */
export const DEFAULT_PG_VERSION: PgVersion = 15;

export function isSupportedPgVersion(v: number): v is PgVersion {
  return (SUPPORTED_PG_VERSIONS as readonly number[]).includes(v);
}

/** "10 to 18", for messages. */
export const SUPPORTED_RANGE = `${OLDEST_PG_VERSION} to ${NEWEST_PG_VERSION}`;
