/**
 * What the trace reads from PostgreSQL's catalogs around each statement: the user relations (by oid
 * and by `schema.name`, the analyzer's keys), the relation locks this session holds, and a snapshot
 * of relations, columns, constraints and indexes (plus schemas, types, functions, triggers and views
 * for --check-down) to diff.
 */
import { blockedBy, fromPgLocksName, lockRank, strongerLock, type LockMode } from '../pg/locks.ts';
import type { TraceDb } from './db.ts';
import type { CatalogChange, LockEntry } from './types.ts';

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`;

export interface RelRow {
  oid: string;
  key: string;
  relkind: string;
}

const RELS_SQL = `SELECT c.oid::text AS oid, n.nspname || '.' || c.relname AS key, c.relkind::text AS relkind
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND ${USER_NS}`;

interface LockRow {
  oid: string;
  mode: string;
}

const LOCKS_SQL = `SELECT l.relation::text AS oid, l.mode FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384`;

interface CatRow {
  k: string;
  key: string;
  d: string;
}

const CATALOG_SQL = `
SELECT 'relation' AS k, n.nspname || '.' || c.relname AS key, c.relkind::text AS d
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'column', n.nspname || '.' || c.relname || '.' || a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || CASE WHEN a.atthasdef THEN ' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', n.nspname || '.' || c.relname || '.' || con.conname,
       CASE WHEN con.convalidated THEN 'validated' ELSE 'NOT VALID' END || '|' || pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS} AND con.contype <> 'n'
UNION ALL
SELECT 'index', n.nspname || '.' || ic.relname,
       CASE WHEN i.indisvalid THEN 'valid' ELSE 'INVALID' END || '|' || pg_catalog.pg_get_indexdef(i.indexrelid)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ${USER_NS}`;

/** Extra objects for --check-down comparisons. */
const CATALOG_FULL_SQL = `${CATALOG_SQL}
UNION ALL
SELECT 'schema', n.nspname, '' FROM pg_catalog.pg_namespace n WHERE ${USER_NS} AND n.nspname <> 'public'
UNION ALL
SELECT 'extension', e.extname, '' FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql'
UNION ALL
SELECT 'type', n.nspname || '.' || t.typname,
       t.typtype::text || '|' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '')
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid >= 16384 AND ${USER_NS} AND t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
UNION ALL
SELECT 'function', n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', pg_catalog.md5(coalesce(p.prosrc, ''))
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.oid >= 16384 AND ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.objid = p.oid AND dep.deptype = 'e')
UNION ALL
SELECT 'trigger', n.nspname || '.' || c.relname || '.' || tg.tgname, pg_catalog.pg_get_triggerdef(tg.oid)
FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND ${USER_NS}
UNION ALL
SELECT 'view', n.nspname || '.' || c.relname, pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid))
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${USER_NS}`;

export type Catalog = Map<string, string>;

export async function catalog(db: TraceDb, full: boolean): Promise<Catalog> {
  const out: Catalog = new Map();
  for (const r of await db.query<CatRow>(full ? CATALOG_FULL_SQL : CATALOG_SQL)) out.set(`${r.k} ${r.key}`, r.d);
  return out;
}

export function catalogChanges(before: Catalog, after: Catalog): CatalogChange[] {
  const out: CatalogChange[] = [];
  const split = (k: string): { object: CatalogChange['object']; name: string } => {
    const sp = k.indexOf(' ');
    return { object: k.slice(0, sp) as CatalogChange['object'], name: k.slice(sp + 1) };
  };
  const describe = (object: CatalogChange['object'], d: string): string => {
    if (object === 'relation') return RELKIND_NAMES[d] ?? d;
    if (object === 'constraint' || object === 'index') {
      const bar = d.indexOf('|');
      return `${d.slice(bar + 1)} (${d.slice(0, bar)})`;
    }
    return d;
  };
  for (const [k, d] of after) {
    const { object, name } = split(k);
    const prev = before.get(k);
    if (prev === undefined) out.push({ object, change: 'added', name, detail: describe(object, d) });
    else if (prev !== d) out.push({ object, change: 'changed', name, detail: `${describe(object, prev)} → ${describe(object, d)}` });
  }
  for (const [k, d] of before) {
    if (after.has(k)) continue;
    const { object, name } = split(k);
    out.push({ object, change: 'dropped', name, detail: describe(object, d) });
  }
  // A new table's columns are implied by the table: keep the list short.
  const newRels = new Set(out.filter((c) => c.object === 'relation' && c.change !== 'changed').map((c) => c.name));
  return out.filter((c) => !(c.object === 'column' && newRels.has(c.name.slice(0, c.name.lastIndexOf('.')))));
}

const RELKIND_NAMES: Record<string, string> = { r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table', S: 'sequence', i: 'index', I: 'partitioned index' };

/** Relation kinds that hold rows or are queried like tables. */
export const TABLE_KINDS = 'rpmfv';

/** Statement kinds that never change columns, constraints or indexes: no catalog snapshot around them. */
export const NO_CATALOG_CHANGE = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'VariableSetStmt', 'VariableShowStmt', 'CommentStmt', 'GrantStmt', 'GrantRoleStmt', 'TransactionStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterSeqStmt', 'CreateFunctionStmt', 'CreateEnumStmt', 'AlterEnumStmt', 'CreateSchemaStmt', 'CreateExtensionStmt', 'AlterOwnerStmt', 'NotifyStmt', 'VacuumStmt']);

export interface Rels {
  byOid: Map<string, RelRow>;
  byKey: Map<string, RelRow>;
}

export async function relations(db: TraceDb): Promise<Rels> {
  const byOid = new Map<string, RelRow>();
  const byKey = new Map<string, RelRow>();
  for (const r of await db.query<RelRow>(RELS_SQL)) {
    byOid.set(r.oid, r);
    byKey.set(r.key, r);
  }
  return { byOid, byKey };
}

export async function heldLocks(db: TraceDb, ...rels: Rels[]): Promise<LockEntry[]> {
  const out = new Map<string, LockEntry>();
  for (const l of await db.query<LockRow>(LOCKS_SQL)) {
    const mode = fromPgLocksName(l.mode);
    const rel = rels.map((r) => r.byOid.get(l.oid)).find((r) => r !== undefined);
    if (!mode || !rel) continue;
    out.set(`${rel.key} ${mode}`, { relation: rel.key, relkind: rel.relkind, mode, blocks: blockedBy(mode) });
  }
  return [...out.values()].sort((a, b) => a.relation.localeCompare(b.relation) || lockRank(b.mode) - lockRank(a.mode));
}

/** Names from observe.ts are bare when the schema is on the search path: qualify them. */
export function qualifier(rels: Rels[]): (name: string) => string {
  return (name) => {
    if (name.includes('.')) return name;
    for (const r of rels) {
      if (r.byKey.has(`public.${name}`)) return `public.${name}`;
      for (const k of r.byKey.keys()) if (k.slice(k.indexOf('.') + 1) === name) return k;
    }
    return `public.${name}`;
  };
}

export function strongestByRel(locks: LockEntry[]): Map<string, LockMode> {
  const m = new Map<string, LockMode>();
  for (const l of locks) m.set(l.relation, strongerLock(m.get(l.relation), l.mode));
  return m;
}

export function relkindOf(key: string, ...rels: Rels[]): string | undefined {
  for (const r of rels) {
    const k = r.byKey.get(key)?.relkind;
    if (k) return k;
  }
  return undefined;
}

export function diffCatalog(before: Catalog, after: Catalog): string[] {
  const out: string[] = [];
  for (const [k, d] of after) {
    const prev = before.get(k);
    if (prev === undefined) out.push(`${k} left behind (exists after down, not before up)`);
    else if (prev !== d) out.push(`${k} differs: before up "${short(prev)}", after down "${short(d)}"`);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push(`${k} missing (existed before up, gone after down)`);
  return out.sort();
}

function short(s: string): string {
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}
