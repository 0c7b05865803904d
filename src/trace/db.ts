/**
 * The database `zerodown trace` replays migrations in: an in-process PGlite (PostgreSQL 18, the
 * default: nothing to install) or a scratch database that zerodown creates on a real server
 * (`--database-url`, src/trace/server.ts) and drops afterwards. Both drivers are imported lazily so
 * that `zerodown lint` never loads them.
 *
 * Safety rule for servers: zerodown never runs migrations in a database it did not create. The URL
 * only names the server and a maintenance database to connect to for CREATE DATABASE / DROP DATABASE.
 */
import { startPgliteWorker } from './pglite-worker.ts';
import type { ObservableDb } from './observe.ts';
import type { ScratchCleanup } from './types.ts';

export interface DbError {
  message: string;
  /** SQLSTATE, when the driver reports one. */
  code?: string;
}

/** A connection the tracer drives: one session, statements sent as simple queries. */
export interface TraceDb {
  kind: 'pglite' | 'server';
  /** e.g. "PGlite 0.5.16 (PostgreSQL 18.6)" or "PostgreSQL 17.2 at localhost:5432, scratch database zerodown_trace_ab12cd" */
  description: string;
  /** The scratch database zerodown created (server only). */
  database?: string;
  /** server_version_num / 10000 */
  major: number;
  serverVersion: string;
  /** Runs a (possibly multi-statement) SQL string. Throws on error. */
  exec(sql: string): Promise<void>;
  query<T>(sql: string): Promise<T[]>;
  /** The surface src/trace/observe.ts needs. */
  observable: ObservableDb;
  /** SQLSTATE and message of the last error exec/query threw (observe.ts only keeps the message). */
  lastError: DbError | undefined;
  /** Ends the session; for a server, drops the scratch database and says whether that worked. */
  close(): Promise<ScratchCleanup | undefined>;
}

/** Thrown for a URL zerodown refuses to use; the CLI should exit 2 with its message. */
export class TraceUsageError extends Error {
  override name = 'TraceUsageError';
}

/** URL query options that ask zerodown to run in an existing database: refused, never honoured. */
const REUSE_OPTIONS = ['reuse', 'reuse_database', 'reuse-database', 'zerodown_reuse', 'use_existing', 'use-existing', 'existing'];

export const REUSE_REFUSAL =
  'zerodown trace never runs migrations in a database it did not create. It connects to the server named by --database-url only to CREATE a scratch database (zerodown_trace_<random>), replays the migrations there and drops it afterwards. Remove the option that asks to reuse an existing database; the database named in the URL is used only as the maintenance connection for CREATE/DROP DATABASE.';

/** Checks a --database-url before anything connects; returns the parsed URL. */
export function checkDatabaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TraceUsageError(`--database-url: not a URL: ${redact(url)}`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new TraceUsageError(`--database-url: expected postgres://…, got ${u.protocol}//…`);
  for (const key of u.searchParams.keys()) {
    if (REUSE_OPTIONS.includes(key.toLowerCase())) throw new TraceUsageError(`--database-url option "${key}" refused. ${REUSE_REFUSAL}`);
  }
  return u;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

function toDbError(e: unknown): DbError {
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    return { message: e.message, code: typeof code === 'string' ? code : undefined };
  }
  return { message: String(e) };
}

/** Contrib extensions PGlite ships, by CREATE EXTENSION name → module under @electric-sql/pglite/contrib/. */
export const PGLITE_CONTRIB: Readonly<Record<string, string>> = {
  amcheck: 'amcheck',
  bloom: 'bloom',
  btree_gin: 'btree_gin',
  btree_gist: 'btree_gist',
  citext: 'citext',
  cube: 'cube',
  dict_int: 'dict_int',
  dict_xsyn: 'dict_xsyn',
  earthdistance: 'earthdistance',
  file_fdw: 'file_fdw',
  fuzzystrmatch: 'fuzzystrmatch',
  hstore: 'hstore',
  intarray: 'intarray',
  isn: 'isn',
  lo: 'lo',
  ltree: 'ltree',
  moddatetime: 'moddatetime',
  pageinspect: 'pageinspect',
  pg_buffercache: 'pg_buffercache',
  pg_freespacemap: 'pg_freespacemap',
  pg_stat_statements: 'pg_stat_statements',
  pg_surgery: 'pg_surgery',
  pg_trgm: 'pg_trgm',
  pg_visibility: 'pg_visibility',
  pg_walinspect: 'pg_walinspect',
  pgcrypto: 'pgcrypto',
  seg: 'seg',
  tablefunc: 'tablefunc',
  tcn: 'tcn',
  tsm_system_rows: 'tsm_system_rows',
  tsm_system_time: 'tsm_system_time',
  unaccent: 'unaccent',
  'uuid-ossp': 'uuid_ossp',
};

/** Extension names a set of SQL texts creates (CREATE EXTENSION [IF NOT EXISTS] name). */
export function extensionsIn(texts: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const re = /\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$-]*)/gi;
  for (const t of texts) {
    for (const m of t.matchAll(re)) {
      const raw = m[1];
      out.add(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase());
    }
  }
  return out;
}

export function wrap(kind: TraceDb['kind'], run: (sql: string) => Promise<unknown[]>, closer: () => Promise<ScratchCleanup | undefined>, info: { description: string; database?: string; serverVersion: string }): TraceDb {
  const db: TraceDb = {
    kind,
    description: info.description,
    database: info.database,
    serverVersion: info.serverVersion,
    major: Math.floor(Number(info.serverVersion) / 10000),
    lastError: undefined,
    async exec(sql) {
      try {
        await run(sql);
      } catch (e) {
        db.lastError = toDbError(e);
        throw e;
      }
    },
    async query<T>(sql: string): Promise<T[]> {
      try {
        return (await run(sql)) as T[];
      } catch (e) {
        db.lastError = toDbError(e);
        throw e;
      }
    },
    observable: {
      query: (async (sql: string) => ({ rows: await db.query(sql), fields: [], affectedRows: 0 })) as unknown as ObservableDb['query'],
      exec: (async (sql: string) => {
        await db.exec(sql);
        return [];
      }) as unknown as ObservableDb['exec'],
    },
    close: closer,
  };
  return db;
}

/**
 * An in-process PGlite with the bundled contrib extensions the migrations ask for. Extensions PGlite
 * does not ship (postgis, vector, timescaledb …) make their CREATE EXTENSION fail, which the tracer
 * reports as not traceable.
 */
/** PGlite in a worker thread, each exec bounded by `statementTimeoutMs` (0 = none): see pglite-worker.ts. */
export async function openPglite(wanted: Iterable<string> = [], statementTimeoutMs = 0): Promise<TraceDb & { loadedExtensions: string[] }> {
  const files: string[] = [];
  const loaded: string[] = [];
  for (const name of wanted) {
    const file = PGLITE_CONTRIB[name];
    if (!file) continue;
    files.push(file);
    loaded.push(name);
  }
  const pg = await startPgliteWorker(files, statementTimeoutMs);
  const version = (await pg.exec("SELECT current_setting('server_version_num') AS v, current_setting('server_version') AS s, version() AS full"))[0] as { v: string; s: string; full: string };
  // version(): "PostgreSQL 18.6 (PGlite 0.5.16) on wasm32-…"
  const pkgVersion = /\(PGlite ([^)]+)\)/.exec(version.full)?.[1] ?? '';
  const db = wrap('pglite', (sql) => pg.exec(sql), async () => {
    await pg.close();
    return undefined;
  }, { description: `PGlite ${pkgVersion} (PostgreSQL ${version.s}), in-process`, serverVersion: version.v });
  return Object.assign(db, { loadedExtensions: loaded });
}
