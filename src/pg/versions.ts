/** PostgreSQL majors zerodown models (lock modes, rewrites and defaults differ between them). */
export const SUPPORTED_PG_VERSIONS = [10, 11, 12, 13, 14, 15, 16, 17, 18] as const;
