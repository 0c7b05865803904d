/**
 * The read-only queries behind `zerodown stats`. They read only the system catalogs and the
 * cumulative statistics views, so they run for the table owner or any role with
 * pg_read_all_stats (PostgreSQL 10+: jsonb_build_object/jsonb_agg are 9.5+). Columns that exist
 * only in newer versions (last_idx_scan, 16+) are read through to_jsonb(row) so that one query
 * serves PostgreSQL 10 to 18.
 */

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** Returns one row, one column (`zerodown_stats`): the snapshot as JSON text. */
export const STATS_SQL = `-- zerodown stats: table sizes and index usage, read-only (catalogs and pg_stat_* views only)
SELECT jsonb_build_object(
  'zerodownStats', 1,
  'generatedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'serverVersion', current_setting('server_version'),
  'serverVersionNum', current_setting('server_version_num')::int,
  'database', current_database(),
  'statsReset', (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),
  'tables', COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
      'schema', n.nspname, 'name', c.relname, 'kind', c.relkind,
      'reltuples', c.reltuples::bigint,
      'totalBytes', pg_total_relation_size(c.oid), 'heapBytes', pg_relation_size(c.oid), 'indexBytes', pg_indexes_size(c.oid),
      'liveTuples', s.n_live_tup, 'deadTuples', s.n_dead_tup, 'seqScan', s.seq_scan, 'idxScan', s.idx_scan,
      'lastVacuum', s.last_vacuum, 'lastAutovacuum', s.last_autovacuum,
      'lastAnalyze', s.last_analyze, 'lastAutoanalyze', s.last_autoanalyze
    ) ORDER BY n.nspname, c.relname)
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
    WHERE c.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMAS}
  ), '[]'::jsonb),
  'indexes', COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
      'schema', n.nspname, 'table', t.relname, 'name', c.relname,
      'bytes', pg_relation_size(c.oid),
      'columns', (SELECT jsonb_agg(a.attname ORDER BY k.n) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
      'idxScan', s.idx_scan, 'lastIdxScan', to_jsonb(s) -> 'last_idx_scan',
      'valid', i.indisvalid, 'unique', i.indisunique, 'primary', i.indisprimary,
      'constraint', (SELECT con.conname FROM pg_constraint con WHERE con.conindid = c.oid AND con.conrelid = t.oid AND con.contype IN ('p', 'u', 'x') LIMIT 1),
      'referencedBy', COALESCE((SELECT jsonb_agg(fk.conrelid::regclass::text || '.' || fk.conname ORDER BY fk.conname) FROM pg_constraint fk WHERE fk.conindid = c.oid AND fk.contype = 'f'), '[]'::jsonb),
      'definition', pg_get_indexdef(c.oid)
    ) ORDER BY n.nspname, c.relname)
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = c.oid
    WHERE ${USER_SCHEMAS}
  ), '[]'::jsonb)
)::text AS zerodown_stats;`;

/**
 * Optional: the most expensive statements from pg_stat_statements, when the extension is installed
 * (run only when to_regclass('pg_stat_statements') is not null: the view does not exist otherwise).
 * total_exec_time is PostgreSQL 13+, total_time before: read through to_jsonb(row) for both.
 */
export const TOP_QUERIES_SQL = `-- optional, where pg_stat_statements is installed: the 200 statements with the most total time
SELECT COALESCE(jsonb_agg(q ORDER BY (q->>'totalMs')::float8 DESC), '[]'::jsonb)::text AS zerodown_top_queries
FROM (
  SELECT jsonb_build_object(
    'query', left(p.query, 2000),
    'calls', p.calls,
    'totalMs', round(COALESCE((to_jsonb(p) ->> 'total_exec_time')::numeric, (to_jsonb(p) ->> 'total_time')::numeric, 0), 1)
  ) AS q
  FROM pg_stat_statements p
  WHERE p.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  ORDER BY COALESCE((to_jsonb(p) ->> 'total_exec_time')::float8, (to_jsonb(p) ->> 'total_time')::float8, 0) DESC
  LIMIT 200
) top;`;

export const HAS_PG_STAT_STATEMENTS_SQL = `SELECT to_regclass('pg_stat_statements') IS NOT NULL AS present;`;
