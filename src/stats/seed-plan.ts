/**
 * `zerodown stats --seed-plan`: a seed script for `zerodown trace --seed` that fills each table of
 * a stats snapshot to a fraction of its production row count, so trace timings mean something.
 *
 * The script decides columns and values when it runs (on the trace database, after the history
 * has been replayed), from the catalog: the snapshot has sizes but no column list, and the schema
 * at trace time is what the rows must fit. A PL/pgSQL function in pg_temp fills one table with
 * INSERT … SELECT over generate_series; tables whose foreign keys point at tables still to fill
 * wait for them, and a table it cannot fill (a NOT NULL column of a type it has no value for, a
 * foreign key to an empty table) is skipped with a NOTICE instead of failing the seed.
 */
import type { StatsSnapshot } from '../analyze/production.ts';

export interface SeedPlanOptions {
  /** Fraction of the production row count to insert (0 < f ≤ 1). */
  fraction: number;
  /** Upper bound per table, so a 2-billion-row table does not take the trace machine's disk. */
  maxRows: number;
}

export const DEFAULT_SEED_FRACTION = 0.01;
export const DEFAULT_SEED_MAX_ROWS = 1_000_000;

interface PlannedTable {
  rel: string;
  production: number;
  rows: number;
}

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Row counts per table: the planner's estimate, else the live-tuple count. Views and partitioned parents hold no rows of their own. */
export function plannedTables(snapshot: StatsSnapshot, opts: SeedPlanOptions): PlannedTable[] {
  const out: PlannedTable[] = [];
  for (const t of snapshot.tables) {
    if (t.kind !== 'r') continue;
    const production = t.reltuples > 0 ? t.reltuples : (t.liveTuples ?? 0);
    if (production <= 0) continue;
    const rows = Math.min(opts.maxRows, Math.max(1, Math.round(production * opts.fraction)));
    out.push({ rel: `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`, production, rows });
  }
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Fills one table: a value expression per column from its type, `g` being the row number. */
const SEED_FUNCTION = String.raw`CREATE FUNCTION pg_temp.zerodown_seed_table(rel regclass, n bigint) RETURNS text LANGUAGE plpgsql AS $zd$
DECLARE
  c record;
  cols text[] := '{}';
  vals text[] := '{}';
  expr text;
  ref_count bigint;
BEGIN
  FOR c IN
    SELECT a.attname, a.atttypid, a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated,
           format_type(a.atttypid, a.atttypmod) AS typ,
           CASE WHEN a.atttypmod > 4 AND t.typcategory = 'S' THEN a.atttypmod - 4 END AS maxlen,
           coalesce(bt.typcategory, t.typcategory) AS cat, coalesce(bt.typname, t.typname) AS tname,
           fk.confrelid, fk.refcol
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
    LEFT JOIN LATERAL (
      SELECT con.confrelid, ra.attname AS refcol
      FROM pg_constraint con JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[1]
      WHERE con.conrelid = rel AND con.contype = 'f' AND array_length(con.conkey, 1) = 1 AND con.conkey[1] = a.attnum
      LIMIT 1) fk ON true
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
  LOOP
    IF c.attgenerated <> '' OR c.attidentity = 'a' THEN CONTINUE; END IF;
    IF c.confrelid IS NOT NULL THEN
      -- A foreign key takes values the referenced table already has (filled earlier), spread over its rows.
      EXECUTE format('SELECT count(*) FROM %s', c.confrelid::regclass) INTO ref_count;
      IF ref_count = 0 THEN
        IF c.attnotnull THEN RETURN format('skipped: %s references %s, which has no rows', c.attname, c.confrelid::regclass); END IF;
        CONTINUE;
      END IF;
      expr := format('(SELECT r.%1$I FROM %2$s r ORDER BY r.%1$I OFFSET (g %% %3$s) LIMIT 1)', c.refcol, c.confrelid::regclass, least(ref_count, 10000));
    ELSIF c.atthasdef OR c.attidentity = 'd' THEN
      CONTINUE; -- the column's default (sequence, now(), a constant) fills it
    ELSIF c.cat = 'N' THEN
      expr := CASE WHEN c.tname = 'int2' THEN '(g % 32767)' ELSE 'g' END;
    ELSIF c.cat = 'S' THEN
      expr := format('left(g::text || ''-'' || md5(g::text), %s)', coalesce(c.maxlen, 40));
    ELSIF c.cat = 'B' THEN
      expr := '(g % 2 = 0)';
    ELSIF c.tname = 'date' THEN
      expr := '(date ''2020-01-01'' + (g % 3650)::int)';
    ELSIF c.tname IN ('timestamp', 'timestamptz') THEN
      expr := '(timestamp ''2020-01-01'' + g * interval ''1 second'')';
    ELSIF c.tname IN ('time', 'timetz') THEN
      expr := '(time ''00:00'' + (g % 86400) * interval ''1 second'')';
    ELSIF c.tname = 'interval' THEN
      expr := '(g * interval ''1 second'')';
    ELSIF c.tname = 'uuid' THEN
      expr := 'md5(g::text)::uuid';
    ELSIF c.tname IN ('json', 'jsonb') THEN
      expr := format('json_build_object(''n'', g)::%s', c.tname);
    ELSIF c.tname = 'bytea' THEN
      expr := 'decode(md5(g::text), ''hex'')';
    ELSIF c.cat = 'E' THEN
      expr := format('(enum_range(NULL::%s))[1 + (g %% array_length(enum_range(NULL::%s), 1))::int]', c.atttypid::regtype, c.atttypid::regtype);
    ELSIF c.cat = 'A' THEN
      expr := '''{}''';
    ELSIF c.attnotnull THEN
      RETURN format('skipped: no value for NOT NULL column %s of type %s', c.attname, c.typ);
    ELSE
      CONTINUE;
    END IF;
    cols := cols || quote_ident(c.attname);
    vals := vals || format('(%s)::%s', expr, c.typ);
  END LOOP;
  IF array_length(cols, 1) IS NULL THEN
    EXECUTE format('INSERT INTO %s SELECT FROM generate_series(1, %s) g', rel, n);
  ELSE
    EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %s) g', rel, array_to_string(cols, ', '), array_to_string(vals, ', '), n);
  END IF;
  EXECUTE format('ANALYZE %s', rel);
  RETURN format('%s rows', n);
END
$zd$;`;

/** Fills the planned tables, referenced tables first; reports each outcome as a NOTICE. */
const SEED_ALL = String.raw`CREATE FUNCTION pg_temp.zerodown_seed(rels text[], counts bigint[]) RETURNS void LANGUAGE plpgsql AS $zd$
DECLARE
  planned regclass[] := '{}';
  wanted bigint[] := '{}';
  pending regclass[];
  i int;
  progress boolean := true;
  outcome text;
BEGIN
  FOR i IN 1 .. coalesce(array_length(rels, 1), 0) LOOP
    IF to_regclass(rels[i]) IS NULL THEN
      RAISE NOTICE 'zerodown seed: % does not exist here, skipped', rels[i];
    ELSE
      planned := planned || to_regclass(rels[i]);
      wanted := wanted || counts[i];
    END IF;
  END LOOP;
  pending := planned;
  WHILE progress AND array_length(pending, 1) IS NOT NULL LOOP
    progress := false;
    FOR i IN 1 .. coalesce(array_length(planned, 1), 0) LOOP
      CONTINUE WHEN NOT (planned[i] = ANY (pending));
      -- Wait while a foreign key points at another table still to fill.
      CONTINUE WHEN EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = planned[i] AND con.contype = 'f' AND con.confrelid <> planned[i] AND con.confrelid = ANY (pending));
      outcome := pg_temp.zerodown_seed_table(planned[i], wanted[i]);
      RAISE NOTICE 'zerodown seed: %: %', planned[i], outcome;
      pending := array_remove(pending, planned[i]);
      progress := true;
    END LOOP;
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(pending, 1), 0) LOOP
    RAISE NOTICE 'zerodown seed: % skipped: its foreign keys form a cycle', pending[i];
  END LOOP;
END
$zd$;`;

/** The seed script: a header naming the snapshot and the sizing, the two functions, and one call. */
export function seedPlanSql(snapshot: StatsSnapshot, opts: SeedPlanOptions): string {
  const tables = plannedTables(snapshot, opts);
  const lines = [
    `-- zerodown seed plan for \`zerodown trace --seed\`, from the stats snapshot of ${snapshot.database} taken ${snapshot.generatedAt}.`,
    `-- Each table gets ${opts.fraction * 100}% of its production row count (at most ${opts.maxRows} rows), with values`,
    '-- generated from the column types when it runs; columns with defaults keep them, foreign keys take',
    '-- values of the referenced table (filled first). Tables it cannot fill are skipped with a NOTICE.',
    ...tables.map((t) => `--   ${t.rel}: ${t.rows} of ~${Math.round(t.production)} rows`),
    SEED_FUNCTION,
    SEED_ALL,
  ];
  const rels = tables.map((t) => quoteLiteral(t.rel)).join(', ');
  const counts = tables.map((t) => String(t.rows)).join(', ');
  lines.push(`SELECT pg_temp.zerodown_seed(ARRAY[${rels}]::text[], ARRAY[${counts}]::bigint[]);`);
  return `${lines.join('\n')}\n`;
}
