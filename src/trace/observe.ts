/**
 * Ground-truth observer: run one SQL statement against a PGlite (PostgreSQL 18)
 * instance and record what Postgres actually did.
 *
 *  - locks:       relation-level locks held by our backend right after the
 *                 statement, read from pg_locks inside the still-open
 *                 transaction (so every lock the statement took is still held
 *                 — relation locks are only released at transaction end).
 *  - rewritten:   user relations whose pg_class.relfilenode changed.
 *  - seqScanned:  user tables whose sequential-scan counter increased.
 *  - idxScanned:  user indexes whose scan counter increased.
 *  - fastDefault: 'table.column' that gained pg_attribute.atthasmissing = true.
 *
 * Method (transactional mode, the default):
 *   snapshot catalog (relfilenode, atthasmissing) → BEGIN → read scan counters →
 *   run statement → read pg_locks, counters, catalog → COMMIT (ROLLBACK on error).
 *
 * Notes on the statistics counters (verified by experiment on PGlite 0.5.16 /
 * PostgreSQL 18):
 *   - pg_stat_get_xact_numscans() (what pg_stat_xact_user_tables shows) reads the
 *     backend's *pending*, not-yet-flushed counters directly. It includes the
 *     current, still-open transaction's scans, so it IS usable inside the
 *     transaction. It is not reset at COMMIT, only when the backend flushes its
 *     pending stats (when idle, at most once a second), so outside a
 *     transaction it shows "since last flush" rather than "this transaction".
 *   - pg_stat_get_numscans() (pg_stat_user_tables) shows only *flushed* counts and
 *     is subject to the stats snapshot cache (stats_fetch_consistency = cache): inside a
 *     transaction the first read is cached until pg_stat_clear_snapshot().
 *   - We therefore use flushed + pending (the same query sees both, and no
 *     flush can happen in the middle of a query), which is monotonic no matter
 *     when a flush happens, and we call pg_stat_clear_snapshot() first so the
 *     flushed part is never a stale cached value.
 *
 * Non-transactional mode (inTransaction: false) is for statements that refuse
 * to run in a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX
 * CONCURRENTLY, VACUUM, ...). The statement runs on its own; when it returns it
 * has committed and released its locks, and PGlite is a single backend so
 * nobody can look at pg_locks while it runs. Hence locks are NOT observable:
 * `locks` is [] and `locksObservable` is false. Rewrites, scans and fast
 * defaults are still measured. If `inTransaction` is left undefined and the
 * statement fails with "cannot run inside a transaction block", it is
 * automatically re-run in non-transactional mode (the failed attempt was
 * rolled back, so it had no effect).
 *
 * Relations reported: everything with oid >= 16384 (FirstNormalObjectId) that
 * is not in pg_catalog / information_schema — so the catalog locks that our
 * own catalog queries (and the statement's catalog updates) take are filtered
 * out, as is pg_locks itself. TOAST relations are shown as `pg_toast(<table>)`
 * in `locks` and excluded from rewritten/created/dropped. Locks on relations
 * that the statement created and dropped again (e.g. the transient heap used
 * by a table rewrite) cannot be named and are only counted in `notes`.
 */
import type { PGliteInterface } from '@electric-sql/pglite';

export interface ObservedLock {
  relation: string;
  relkind: string;
  /** e.g. 'AccessExclusiveLock', exactly as pg_locks prints it */
  mode: string;
}

export interface ObservedObjectLock {
  /** pg_describe_object() text, e.g. 'type mood' */
  object: string;
  mode: string;
}

export interface Observation {
  ok: boolean;
  error?: string;
  /** false when the statement had to run outside a transaction: locks are then unknown, not absent */
  locksObservable: boolean;
  /** whether the statement was run inside BEGIN … COMMIT */
  inTransaction: boolean;
  locks: ObservedLock[];
  /** non-relation ("object") locks, e.g. on types, held right after the statement */
  objectLocks: ObservedObjectLock[];
  rewritten: string[];
  seqScanned: string[];
  idxScanned: string[];
  fastDefault: string[];
  /** user relations created / dropped by the statement (toast excluded) */
  created: string[];
  dropped: string[];
  notes: string[];
  durationMs: number;
}

export interface ObserveOptions {
  /** default: true, with automatic fallback to false for statements that refuse a transaction block */
  inTransaction?: boolean;
}

/** Minimal surface we need; PGlite, PGliteInterface (e.g. from clone()) satisfy it. */
export type ObservableDb = Pick<PGliteInterface, 'query' | 'exec'>;

const FIRST_NORMAL_OID = 16384;

/** Lock modes from weakest to strongest. */
export const LOCK_MODES: readonly string[] = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];

export function lockStrength(mode: string): number {
  return LOCK_MODES.indexOf(mode);
}

interface RelRow {
  oid: string;
  name: string;
  relkind: string;
  filenode: string;
  is_toast: boolean;
}

interface ScanRow {
  oid: string;
  name: string;
  relkind: string;
  scans: string;
}

interface MissingRow {
  key: string;
}

interface LockRow {
  oid: string;
  mode: string;
  name: string | null;
  relkind: string | null;
}

interface ObjLockRow {
  object: string | null;
  mode: string;
}

/**
 * Display name of a relation: bare relname when its schema is on the search
 * path, schema-qualified otherwise, and `pg_toast(<owner>)` / `pg_toast(<owner>)_index`
 * for TOAST tables and their indexes.
 */
const NAME_SQL = `
  CASE
    WHEN n.nspname = 'pg_toast' THEN
      'pg_toast(' || coalesce((
        SELECT o.relname FROM pg_catalog.pg_class o
        WHERE o.reltoastrelid = c.oid
           OR o.reltoastrelid = (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid)
        LIMIT 1), '?') || ')' || CASE WHEN c.relkind = 'i' THEN '_index' ELSE '' END
    WHEN n.nspname = ANY (pg_catalog.current_schemas(false)) THEN c.relname::text
    ELSE n.nspname || '.' || c.relname
  END`;

const USER_REL_WHERE = `
  c.oid >= ${FIRST_NORMAL_OID}
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')`;

const RELS_SQL = `
SELECT c.oid::text AS oid, ${NAME_SQL} AS name, c.relkind::text AS relkind,
       c.relfilenode::text AS filenode, (n.nspname = 'pg_toast') AS is_toast
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_REL_WHERE}`;

const SCANS_SQL = `
SELECT c.oid::text AS oid, ${NAME_SQL} AS name, c.relkind::text AS relkind,
       (pg_catalog.pg_stat_get_numscans(c.oid) + pg_catalog.pg_stat_get_xact_numscans(c.oid))::text AS scans
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_REL_WHERE} AND n.nspname <> 'pg_toast' AND c.relkind IN ('r', 'm', 'i')`;

const MISSING_SQL = `
SELECT c.oid::text || '|' || ${NAME_SQL} || '.' || a.attname AS key
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_REL_WHERE} AND a.atthasmissing AND NOT a.attisdropped AND a.attnum > 0`;

const LOCKS_SQL = `
SELECT l.relation::text AS oid, l.mode,
       CASE WHEN c.oid IS NULL THEN NULL ELSE ${NAME_SQL} END AS name,
       c.relkind::text AS relkind
FROM pg_catalog.pg_locks l
LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = pg_catalog.pg_backend_pid()
  AND l.locktype = 'relation'
  AND l.relation >= ${FIRST_NORMAL_OID}
  AND l.relation <> 'pg_catalog.pg_locks'::regclass
  AND (n.nspname IS NULL OR n.nspname NOT IN ('pg_catalog', 'information_schema'))`;

const OBJ_LOCKS_SQL = `
SELECT pg_catalog.pg_describe_object(l.classid, l.objid, l.objsubid) AS object, l.mode
FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'object'`;

async function rows<T>(db: ObservableDb, sql: string): Promise<T[]> {
  const r = await db.query<T>(sql);
  return r.rows;
}

async function relSnapshot(db: ObservableDb): Promise<Map<string, RelRow>> {
  const m = new Map<string, RelRow>();
  for (const r of await rows<RelRow>(db, RELS_SQL)) m.set(r.oid, r);
  return m;
}

async function scanSnapshot(db: ObservableDb): Promise<Map<string, ScanRow>> {
  // Drop any cached stats snapshot so the flushed part is current.
  await db.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
  const m = new Map<string, ScanRow>();
  for (const r of await rows<ScanRow>(db, SCANS_SQL)) m.set(r.oid, r);
  return m;
}

async function missingSnapshot(db: ObservableDb): Promise<Set<string>> {
  return new Set((await rows<MissingRow>(db, MISSING_SQL)).map((r) => r.key));
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

const NO_TXN_RE =
  /cannot (run|be executed) inside a transaction block|cannot be executed within a pipeline|cannot run inside a transaction/i;

function sortLocks(locks: ObservedLock[]): ObservedLock[] {
  const kindOrder = (k: string): number => {
    const order = 'rpmvfS'.indexOf(k);
    if (order >= 0) return order;
    if (k === 'i' || k === 'I') return 10;
    return 20;
  };
  return locks.sort(
    (x, y) =>
      kindOrder(x.relkind) - kindOrder(y.relkind) ||
      x.relation.localeCompare(y.relation) ||
      lockStrength(y.mode) - lockStrength(x.mode),
  );
}

export async function observe(
  db: ObservableDb,
  statement: string,
  opts: ObserveOptions = {},
): Promise<Observation> {
  const inTransaction = opts.inTransaction ?? true;
  const first = await observeOnce(db, statement, inTransaction);
  if (
    opts.inTransaction === undefined &&
    !first.ok &&
    first.error !== undefined &&
    NO_TXN_RE.test(first.error)
  ) {
    const second = await observeOnce(db, statement, false);
    second.notes.unshift(
      `refused a transaction block ("${first.error}"); re-run outside a transaction`,
    );
    return second;
  }
  return first;
}

async function observeOnce(
  db: ObservableDb,
  statement: string,
  inTransaction: boolean,
): Promise<Observation> {
  const obs: Observation = {
    ok: true,
    locksObservable: inTransaction,
    inTransaction,
    locks: [],
    objectLocks: [],
    rewritten: [],
    seqScanned: [],
    idxScanned: [],
    fastDefault: [],
    created: [],
    dropped: [],
    notes: [],
    durationMs: 0,
  };
  if (!inTransaction) {
    obs.notes.push('ran outside a transaction: locks are not observable after the fact');
  }

  const relsBefore = await relSnapshot(db);
  const missingBefore = await missingSnapshot(db);

  let relsAfter: Map<string, RelRow>;
  let scansBefore: Map<string, ScanRow>;
  let scansAfter: Map<string, ScanRow>;
  let missingAfter: Set<string>;

  if (inTransaction) {
    await db.exec('BEGIN');
    try {
      scansBefore = await scanSnapshot(db);
      const t0 = performance.now();
      try {
        await db.exec(statement);
      } finally {
        obs.durationMs = performance.now() - t0;
      }
      // Locks first, before our own snapshot queries could add any (they only
      // touch catalogs, which are filtered anyway).
      const lockRows = await rows<LockRow>(db, LOCKS_SQL);
      const objRows = await rows<ObjLockRow>(db, OBJ_LOCKS_SQL);
      scansAfter = await scanSnapshot(db);
      relsAfter = await relSnapshot(db);
      missingAfter = await missingSnapshot(db);

      let transient = 0;
      const seen = new Set<string>();
      for (const l of lockRows) {
        let name = l.name;
        let relkind = l.relkind;
        if (name === null) {
          const before = relsBefore.get(l.oid);
          if (before !== undefined) {
            name = before.name;
            relkind = before.relkind;
          }
        }
        if (name === null || relkind === null) {
          transient++;
          continue;
        }
        const key = `${name}\u0000${l.mode}`;
        if (seen.has(key)) continue;
        seen.add(key);
        obs.locks.push({ relation: name, relkind, mode: l.mode });
      }
      sortLocks(obs.locks);
      if (transient > 0) {
        obs.notes.push(
          `${transient} lock(s) on relation(s) created and dropped within the statement (e.g. transient rewrite heap)`,
        );
      }
      let vanished = 0;
      const seenObj = new Set<string>();
      for (const o of objRows) {
        if (o.object === null) {
          vanished++;
          continue;
        }
        const key = `${o.object}\u0000${o.mode}`;
        if (seenObj.has(key)) continue;
        seenObj.add(key);
        obs.objectLocks.push({ object: o.object, mode: o.mode });
      }
      obs.objectLocks.sort(
        (x, y) => x.object.localeCompare(y.object) || lockStrength(y.mode) - lockStrength(x.mode),
      );
      if (vanished > 0) {
        obs.notes.push(`${vanished} object lock(s) on objects that no longer exist (dropped/re-created by the statement)`);
      }
    } catch (e) {
      obs.ok = false;
      obs.error = errorMessage(e);
      await db.exec('ROLLBACK');
      obs.locks = [];
      obs.objectLocks = [];
      return obs;
    }
    try {
      await db.exec('COMMIT');
    } catch (e) {
      obs.ok = false;
      obs.error = `COMMIT failed: ${errorMessage(e)}`;
      return obs;
    }
  } else {
    scansBefore = await scanSnapshot(db);
    const t0 = performance.now();
    try {
      await db.exec(statement);
    } catch (e) {
      obs.ok = false;
      obs.error = errorMessage(e);
      return obs;
    } finally {
      obs.durationMs = performance.now() - t0;
    }
    scansAfter = await scanSnapshot(db);
    relsAfter = await relSnapshot(db);
    missingAfter = await missingSnapshot(db);
  }

  // Rewrites / created / dropped (toast excluded; partitioned rels have no storage).
  const droppedStorage = new Map<string, string>();
  const createdStorage = new Map<string, string>();
  for (const [oid, before] of relsBefore) {
    if (before.is_toast) continue;
    const after = relsAfter.get(oid);
    if (after === undefined) {
      droppedStorage.set(before.name, before.filenode);
      continue;
    }
    if ('rimS'.includes(before.relkind) && before.filenode !== after.filenode) {
      obs.rewritten.push(after.name);
    }
  }
  for (const [oid, after] of relsAfter) {
    if (!after.is_toast && !relsBefore.has(oid)) createdStorage.set(after.name, after.filenode);
  }
  // Same name dropped and re-created within the statement (ALTER COLUMN TYPE
  // re-creates the column's indexes; REINDEX CONCURRENTLY swaps in a new index):
  // it is a rebuild only if the storage (relfilenode) changed — ALTER COLUMN TYPE
  // reuses the old index storage when the new type is binary compatible.
  for (const [name, newNode] of createdStorage) {
    const oldNode = droppedStorage.get(name);
    if (oldNode === undefined) continue;
    createdStorage.delete(name);
    droppedStorage.delete(name);
    if (oldNode !== newNode) {
      obs.rewritten.push(name);
      obs.notes.push(`${name}: re-created under a new oid with new storage (rebuilt)`);
    } else {
      obs.notes.push(`${name}: re-created under a new oid reusing its storage (not rebuilt)`);
    }
  }
  obs.created = [...createdStorage.keys()];
  obs.dropped = [...droppedStorage.keys()];

  // Scans.
  for (const [oid, after] of scansAfter) {
    const before = scansBefore.get(oid);
    const delta = BigInt(after.scans) - BigInt(before?.scans ?? '0');
    if (delta <= 0n) continue;
    if (after.relkind === 'i') obs.idxScanned.push(after.name);
    else obs.seqScanned.push(after.name);
  }

  // Fast defaults.
  for (const key of missingAfter) {
    if (!missingBefore.has(key)) obs.fastDefault.push(key.slice(key.indexOf('|') + 1));
  }

  obs.rewritten.sort();
  obs.created.sort();
  obs.dropped.sort();
  obs.seqScanned.sort();
  obs.idxScanned.sort();
  obs.fastDefault.sort();
  return obs;
}
