/**
 * Runs the stats queries: on a server through `pg` (`zerodown stats --database-url`), or through any
 * query function (PGlite in the tests). Always a READ ONLY transaction with a statement timeout, so
 * that a mistake in here can never write or hold a production connection for long.
 */
import { parseSnapshot, type StatsSnapshot } from '../analyze/production.ts';
import { loadPgClient } from '../util/pg-client.ts';
import { HAS_PG_STAT_STATEMENTS_SQL, STATS_SQL, TOP_QUERIES_SQL } from './query.ts';

export type QueryFn = (sql: string) => Promise<Array<Record<string, unknown>>>;

export interface CollectOptions {
  statementTimeoutMs: number;
  /** Include pg_stat_statements' top queries when the extension is installed. */
  topQueries: boolean;
}

export async function collectStats(query: QueryFn, options: CollectOptions): Promise<StatsSnapshot> {
  await query('BEGIN READ ONLY');
  try {
    await query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(options.statementTimeoutMs))}`);
    // Counters are read as of the query, not cached from an earlier read in this transaction.
    await query(`SET LOCAL stats_fetch_consistency = 'none'`).catch(() => undefined);
    const [row] = await query(STATS_SQL);
    const snapshot = parseSnapshot(JSON.parse(String(row?.zerodown_stats)));
    if (options.topQueries) {
      const [has] = await query(HAS_PG_STAT_STATEMENTS_SQL);
      if (has?.present === true) {
        const [top] = await query(TOP_QUERIES_SQL);
        const parsed = parseSnapshot({ ...snapshot, topQueries: JSON.parse(String(top?.zerodown_top_queries)) });
        return parsed;
      }
    }
    return snapshot;
  } finally {
    await query('ROLLBACK').catch(() => undefined);
  }
}

/** Connects with `pg`, collects, disconnects. Errors carry the server's message, never the URL's password. */
export async function collectFromServer(url: string, options: CollectOptions): Promise<StatsSnapshot> {
  const Client = await loadPgClient();
  const client = new Client({ connectionString: url, application_name: 'zerodown stats', connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    // One statement per call: pg returns one result, not an array of them.
    return await collectStats(async (sql) => ((await client.query(sql)) as { rows: Array<Record<string, unknown>> }).rows, options);
  } finally {
    await client.end().catch(() => undefined);
  }
}
