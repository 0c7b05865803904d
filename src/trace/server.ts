/**
 * A trace on a real server (`--database-url`), contained to a scratch database:
 *  - zerodown creates `zerodown_trace_<random>` and a temporary LOGIN role of the same name without
 *    superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS that owns only that database, and runs
 *    the migration connected as that role: what the parse-tree guard (guard.ts) cannot see, such as
 *    dynamic SQL in a DO block, is refused by PostgreSQL itself (42501). The URL's role is only the
 *    maintenance connection (CREATE/DROP DATABASE and ROLE, cancelling a statement).
 *  - every statement has a time limit (--statement-timeout): the maintenance connection cancels it
 *    (pg_cancel_backend) when the limit passes, whatever statement_timeout the migration sets;
 *    statement_timeout is also set in the session, and client_connection_check_interval (PostgreSQL
 *    14+) makes the server stop a statement whose client died.
 *  - SIGINT/SIGTERM cancel the running statement, drop the database and the role, then exit.
 *  - close() says whether the drop happened; `zerodown trace --cleanup` removes leftovers.
 * The pg driver is imported lazily so that `zerodown lint` never loads it.
 */
import { randomBytes } from 'node:crypto';
import { loadPgClient, type PgClient, type PgClientCtor } from '../util/pg-client.ts';
import { checkDatabaseUrl, redact, TraceUsageError, wrap, type TraceDb } from './db.ts';
import type { ScratchCleanup } from './types.ts';

/** Prefix of every scratch database and temporary role (what --cleanup looks for). */
export const SCRATCH_PREFIX = 'zerodown_trace_';

async function pgClient(): Promise<PgClientCtor> {
  try {
    return await loadPgClient();
  } catch (e) {
    throw new TraceUsageError(`--database-url needs the "pg" package (node-postgres): npm install pg (${(e as Error).message})`);
  }
}

async function rows<T>(client: PgClient, sql: string, params?: unknown[]): Promise<T[]> {
  const r = await client.query(sql, params);
  const last = Array.isArray(r) ? r[r.length - 1] : r;
  return (last?.rows ?? []) as T[];
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

async function connectAdmin(url: string): Promise<{ admin: PgClient; Client: PgClientCtor; u: URL; versionNum: number }> {
  const u = checkDatabaseUrl(url);
  const Client = await pgClient();
  const admin = new Client({ connectionString: u.toString(), application_name: 'zerodown-trace-admin' });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (e) {
    throw new TraceUsageError(`--database-url: cannot connect to ${redact(url)}: ${(e as Error).message}`);
  }
  const [v] = await rows<{ v: string }>(admin, "SELECT current_setting('server_version_num') AS v");
  return { admin, Client, u, versionNum: Number(v.v) };
}

/** DROP DATABASE, terminating its sessions where the server can (WITH (FORCE): PostgreSQL 13+). */
async function dropDatabase(admin: PgClient, name: string, versionNum: number): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS "${name}"${versionNum >= 130000 ? ' WITH (FORCE)' : ''}`);
}

export interface ServerOptions {
  onProgress?: (msg: string) => void;
  /** Longest one statement may run (0 = no limit). */
  statementTimeoutMs: number;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Creates the scratch database and its temporary role on the server named by `url`, connects as that
 * role, and returns a TraceDb whose close() drops both and says whether it could.
 */
export async function openServer(url: string, options: ServerOptions): Promise<TraceDb> {
  const { admin, Client, u, versionNum } = await connectAdmin(url);
  const name = `${SCRATCH_PREFIX}${randomBytes(5).toString('hex')}`;
  const password = randomBytes(18).toString('hex');
  const progress = options.onProgress ?? ((): void => undefined);
  let roleCreated = false;
  let dbCreated = false;
  let client: PgClient | undefined;
  let pid: number | undefined;
  let aborted = false;
  let closing: Promise<ScratchCleanup> | undefined;

  const teardown = async (): Promise<ScratchCleanup> => {
    const problems: string[] = [];
    await client?.end().catch(() => undefined);
    if (dbCreated) {
      try {
        await dropDatabase(admin, name, versionNum);
      } catch (e) {
        problems.push(`could not drop scratch database ${name}: ${(e as Error).message}`);
      }
    }
    if (roleCreated && !problems.length) {
      await admin.query(`DROP ROLE IF EXISTS "${name}"`).catch((e: Error) => problems.push(`could not drop temporary role ${name}: ${e.message}`));
    }
    await admin.end().catch(() => undefined);
    if (problems.length) {
      return { database: name, dropped: false, message: `${problems.join('; ')}. Remove leftovers with: zerodown trace --cleanup --database-url ${redact(url)}` };
    }
    return { database: name, dropped: dbCreated, message: `dropped scratch database ${name}${roleCreated ? ` and temporary role ${name}` : ''}` };
  };
  const close = (): Promise<ScratchCleanup> => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      return teardown();
    })();
    return closing;
  };
  // Ctrl-C or a CI cancel: stop the statement, drop what this trace created, then exit as the signal would.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (aborted) return;
    aborted = true;
    process.stderr.write(`\nzerodown: ${signal}: cancelling the running statement and dropping scratch database ${name}\n`);
    void (async () => {
      if (pid !== undefined) await admin.query(`SELECT pg_catalog.pg_cancel_backend(${pid})`).catch(() => undefined);
      const result = await close();
      process.stderr.write(`zerodown: ${result.message}\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const [me] = await rows<{ rolsuper: boolean; rolcreaterole: boolean }>(admin, 'SELECT rolsuper, rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user');
    if (!me?.rolsuper && !me?.rolcreaterole) {
      throw new TraceUsageError(
        `--database-url: the role in the URL can neither create roles nor is it a superuser: zerodown runs migrations as a temporary role that owns only the scratch database, so that nothing outside it can change. Connect as a role with CREATEROLE and CREATEDB.`,
      );
    }
    try {
      await admin.query(`CREATE ROLE "${name}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`);
      roleCreated = true;
      // A CREATEROLE (non-superuser) creator needs membership to make the role own a database.
      if (!me.rolsuper) await admin.query(`GRANT "${name}" TO current_user`).catch(() => undefined);
      await admin.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
      dbCreated = true;
    } catch (e) {
      throw new TraceUsageError(`--database-url: cannot create the scratch database ${name} and its temporary role (the role in the URL needs CREATEDB and CREATEROLE): ${(e as Error).message}`);
    }
    progress(`created scratch database ${name} and temporary role ${name}`);
    const target = new URL(u.toString());
    target.pathname = `/${name}`;
    target.username = name;
    target.password = password;
    const c = new Client({ connectionString: target.toString(), application_name: 'zerodown-trace' });
    client = c;
    c.on('error', () => undefined);
    try {
      await c.connect();
    } catch (e) {
      throw new TraceUsageError(`--database-url: cannot log in as the temporary role ${name} (pg_hba.conf must accept password logins for any role from this host): ${(e as Error).message}`);
    }
    const [info] = await rows<{ pid: number; s: string }>(c, "SELECT pg_catalog.pg_backend_pid() AS pid, current_setting('server_version') AS s");
    pid = info.pid;
    if (options.statementTimeoutMs > 0) await c.query(`SET statement_timeout = ${options.statementTimeoutMs}`);
    if (versionNum >= 140000) await c.query("SET client_connection_check_interval = '1s'").catch(() => undefined);

    const run = async (sql: string): Promise<unknown[]> => {
      if (aborted) throw Object.assign(new Error('interrupted'), { code: '57014' });
      let timedOut = false;
      const timer =
        options.statementTimeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              void admin.query(`SELECT pg_catalog.pg_cancel_backend(${pid})`).catch(() => undefined);
            }, options.statementTimeoutMs)
          : undefined;
      try {
        return await rows(c, sql);
      } catch (e) {
        if (timedOut || errorCode(e) === '57014') {
          throw Object.assign(new Error(`cancelled: it ran longer than the statement timeout (${seconds(options.statementTimeoutMs)}, --statement-timeout): ${(e as Error).message}`), { code: '57014' });
        }
        throw e;
      } finally {
        if (timer) clearTimeout(timer);
      }
    };
    const description = `PostgreSQL ${info.s} at ${u.host}, scratch database ${name}, run as temporary role ${name} (owner of that database only; no superuser, CREATEROLE or CREATEDB)`;
    return wrap('server', run, close, { description, database: name, serverVersion: String(versionNum) });
  } catch (e) {
    const result = await close();
    if (!result.dropped && dbCreated) throw new TraceUsageError(`${(e as Error).message}; ${result.message}`);
    throw e;
  }
}

export interface CleanupResult {
  dropped: string[];
  skipped: string[];
  failed: string[];
}

/**
 * Removes what interrupted traces left on a server: `zerodown_trace_*` databases nobody is connected
 * to (a running trace's database is left alone) and `zerodown_trace_*` roles that own no database and
 * have no session.
 */
export async function cleanupServer(url: string): Promise<CleanupResult> {
  const { admin, versionNum } = await connectAdmin(url);
  const out: CleanupResult = { dropped: [], skipped: [], failed: [] };
  const like = `${SCRATCH_PREFIX.replace(/_/g, '\\_')}%`;
  try {
    const dbs = await rows<{ datname: string; sessions: number }>(
      admin,
      'SELECT d.datname, (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.datname = d.datname)::int AS sessions FROM pg_catalog.pg_database d WHERE d.datname LIKE $1 ORDER BY 1',
      [like],
    );
    for (const d of dbs) {
      if (d.sessions > 0) {
        out.skipped.push(`database ${d.datname}: ${d.sessions} session(s) connected (a trace may be running)`);
        continue;
      }
      try {
        await dropDatabase(admin, d.datname, versionNum);
        out.dropped.push(`database ${d.datname}`);
      } catch (e) {
        out.failed.push(`database ${d.datname}: ${(e as Error).message}`);
      }
    }
    const roles = await rows<{ rolname: string }>(
      admin,
      `SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname LIKE $1
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database d WHERE d.datdba = r.oid)
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.usename = r.rolname) ORDER BY 1`,
      [like],
    );
    for (const r of roles) {
      try {
        await admin.query(`DROP ROLE "${r.rolname}"`);
        out.dropped.push(`role ${r.rolname}`);
      } catch (e) {
        out.failed.push(`role ${r.rolname}: ${(e as Error).message}`);
      }
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
  return out;
}
