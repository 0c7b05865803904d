/**
 * Goal states for the recipe proofs: a recipe must leave the database where the offending statement
 * would have left it. The offending statement runs through the trace observer (src/trace/observe.ts,
 * which also re-runs statements that refuse a transaction block) on a clone taken just before the
 * recipe; every catalog fact it adds, changes or removes must then hold after the recipe too:
 * relations, column types / NOT NULL / defaults, constraints (and whether they are validated),
 * indexes (definition and validity), enum labels, and — for data changes on unchanged columns —
 * table contents. Extra objects a recipe leaves (helpers) are not judged here.
 */
import type { PGliteInterface } from '@electric-sql/pglite';
import { observe, type ObservableDb } from '../src/trace/observe.ts';

export type CatalogState = Map<string, string>;

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'`;

const STATE_SQL = `
SELECT 'relation ' || n.nspname || '.' || c.relname AS k, c.relkind::text || ' ' || c.relpersistence::text AS v
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname NOT LIKE 'zd\\_%'
UNION ALL
SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || CASE WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END
       || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || n.nspname || '.' || c.relname || '.' || con.conname,
       CASE WHEN con.convalidated THEN 'validated ' ELSE 'NOT VALID ' END || pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS} AND con.contype <> 'n'
UNION ALL
SELECT 'index ' || n.nspname || '.' || ic.relname,
       CASE WHEN i.indisvalid AND i.indisready THEN 'valid ' ELSE 'INVALID ' END || pg_catalog.pg_get_indexdef(i.indexrelid)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ${USER_NS}
UNION ALL
SELECT 'enum ' || n.nspname || '.' || t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
GROUP BY n.nspname, t.typname`;

const TABLES_SQL = `
SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS q, n.nspname || '.' || c.relname AS k
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'm') AND NOT c.relispartition AND c.relname NOT LIKE 'zd\\_%'`;

/** The catalog facts above, plus a content digest of every table (order-independent). */
export async function catalogState(db: ObservableDb): Promise<CatalogState> {
  const out: CatalogState = new Map();
  for (const r of (await db.query<{ k: string; v: string }>(STATE_SQL)).rows) out.set(r.k, r.v);
  for (const t of (await db.query<{ q: string; k: string }>(TABLES_SQL)).rows) {
    const r = await db.query<{ d: string | null }>(`SELECT pg_catalog.md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${t.q} x`);
    out.set(`content ${t.k}`, r.rows[0]?.d ?? '');
  }
  return out;
}

/** What the offending statement does, on a clone of `db` (left untouched). */
export async function offendingGoal(db: PGliteInterface, sql: string): Promise<{ state: CatalogState } | { error: string }> {
  const clone = await db.clone();
  try {
    const obs = await observe(clone, sql);
    if (!obs.ok) return { error: obs.error ?? 'failed' };
    return { state: await catalogState(clone) };
  } finally {
    await clone.close();
  }
}

/**
 * Facts the offending statement establishes that the recipe did not: added or changed keys must
 * have the offending value, removed keys must be gone. Table contents are compared only where the
 * statement changed data without changing the table's columns (a new column filled by a volatile
 * default legitimately gets other values from a batched backfill).
 */
export function goalGaps(pre: CatalogState, goal: CatalogState, after: CatalogState): string[] {
  const gaps: string[] = [];
  const columnsChanged = (table: string): boolean =>
    [...goal.keys(), ...pre.keys()].some((k) => k.startsWith(`column ${table}.`) && goal.get(k) !== pre.get(k));
  for (const [k, v] of goal) {
    if (pre.get(k) === v) continue;
    if (k.startsWith('content ') && columnsChanged(k.slice('content '.length))) continue;
    if (after.get(k) !== v) gaps.push(`${k}: the statement makes it "${v}", the recipe leaves ${after.has(k) ? `"${after.get(k)}"` : 'nothing'}`);
  }
  for (const k of pre.keys()) {
    if (!goal.has(k) && after.has(k)) gaps.push(`${k}: the statement removes it, the recipe leaves "${after.get(k)}"`);
  }
  return gaps;
}
