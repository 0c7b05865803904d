/** See gen-history.mjs. */
export function generateHistory(dir: string, count?: number): string[];
