/**
 * Recipe proofs, part 4: runs one recipe step the way its `transaction` says, observing locks,
 * rewrites (relfilenode) and sequential scans of the tables that existed before the recipe started.
 */
import type { SafeStep } from '../src/findings/model.ts';
import type { ObservableDb } from '../src/trace/observe.ts';
import { lockStrength } from '../src/trace/observe.ts';
import { splitSql } from './recipe-cases.ts';


export interface RelSnapshot {
  oid: string;
  name: string;
  relkind: string;
  filenode: string;
}

const REL_SQL = `
SELECT c.oid::text AS oid,
       CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END AS name,
       c.relkind::text AS relkind, c.relfilenode::text AS filenode
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'm', 'p')`;

const SCAN_SQL = `
SELECT c.oid::text AS oid,
       (pg_catalog.pg_stat_get_numscans(c.oid) + pg_catalog.pg_stat_get_xact_numscans(c.oid))::text AS scans
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'm')`;

const LOCK_SQL = `
SELECT l.relation::text AS oid, l.mode
FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384`;

export async function relations(db: ObservableDb): Promise<Map<string, RelSnapshot>> {
  const r = await db.query<RelSnapshot>(REL_SQL);
  return new Map(r.rows.map((x) => [x.oid, x]));
}

async function scans(db: ObservableDb): Promise<Map<string, bigint>> {
  await db.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
  const r = await db.query<{ oid: string; scans: string }>(SCAN_SQL);
  return new Map(r.rows.map((x) => [x.oid, BigInt(x.scans)]));
}

async function locks(db: ObservableDb): Promise<Map<string, string>> {
  const r = await db.query<{ oid: string; mode: string }>(LOCK_SQL);
  const m = new Map<string, string>();
  for (const l of r.rows) if (!m.has(l.oid) || lockStrength(l.mode) > lockStrength(m.get(l.oid)!)) m.set(l.oid, l.mode);
  return m;
}

const SUE = lockStrength('ShareUpdateExclusiveLock');
/**
 * Applications only read a materialized view, and EXCLUSIVE (REFRESH … CONCURRENTLY) lets reads
 * continue: for a matview only ACCESS EXCLUSIVE during a scan or rewrite blocks traffic.
 */
const MATVIEW_LIMIT = lockStrength('ExclusiveLock');

export interface Violation {
  statement: string;
  table: string;
  what: 'rewritten' | 'seq-scanned';
  lock: string;
}

export interface StepResult {
  template: boolean;
  ok: boolean;
  error?: string;
  failedStatement?: string;
  violations: Violation[];
  /** Pre-existing tables rewritten by an outside step (locks unobservable). */
  outsideRewrites: string[];
  statements: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs one recipe step. own/any: one transaction, observing after each statement the relation
 * locks held so far, and which pre-existing tables the statement rewrote (relfilenode) or scanned
 * sequentially. outside: each statement alone in autocommit (locks unobservable), rewrites only.
 */
export async function runStep(db: ObservableDb, step: SafeStep, preexisting: Map<string, RelSnapshot>): Promise<StepResult> {
  const { statements, errors } = splitSql(step.sql);
  const res: StepResult = { template: false, ok: true, violations: [], outsideRewrites: [], statements: statements.length };
  if (errors.length) return { ...res, ok: false, error: `recipe SQL does not parse: ${errors.join('; ')}` };
  if (statements.length === 0) return { ...res, template: true };
  if (step.transaction === 'outside') {
    for (const s of statements) {
      const before = await relations(db);
      try {
        await db.exec(s.text);
      } catch (e) {
        return { ...res, ok: false, error: errorText(e), failedStatement: s.text };
      }
      const after = await relations(db);
      for (const [oid, b] of before) {
        const a = after.get(oid);
        if (preexisting.has(oid) && a && a.filenode !== b.filenode && b.relkind !== 'p') res.outsideRewrites.push(`${b.name} (by: ${s.text.trim().split('\n')[0]})`);
      }
    }
    return res;
  }
  await db.exec('BEGIN');
  try {
    for (const s of statements) {
      const relBefore = await relations(db);
      const scanBefore = await scans(db);
      try {
        await db.exec(s.text);
      } catch (e) {
        await db.exec('ROLLBACK');
        return { ...res, ok: false, error: errorText(e), failedStatement: s.text };
      }
      const held = await locks(db);
      const scanAfter = await scans(db);
      const relAfter = await relations(db);
      for (const [oid, pre] of preexisting) {
        const mode = held.get(oid);
        if (!mode || lockStrength(mode) <= (pre.relkind === 'm' ? MATVIEW_LIMIT : SUE)) continue;
        const b = relBefore.get(oid);
        const a = relAfter.get(oid);
        if (b && a && b.filenode !== a.filenode && b.relkind !== 'p') res.violations.push({ statement: s.text, table: pre.name, what: 'rewritten', lock: mode });
        if ((scanAfter.get(oid) ?? 0n) > (scanBefore.get(oid) ?? 0n)) res.violations.push({ statement: s.text, table: pre.name, what: 'seq-scanned', lock: mode });
      }
    }
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => undefined);
    return { ...res, ok: false, error: `observer: ${errorText(e)}` };
  }
  try {
    await db.exec('COMMIT');
  } catch (e) {
    return { ...res, ok: false, error: `COMMIT failed: ${errorText(e)}` };
  }
  return res;
}

