/**
 * `zerodown trace --database-url` on the Debian PostgreSQL server (ZERODOWN_TEST_DATABASE_URL, set by
 * .ci/run): nothing outside the scratch database changes, whatever the migration tries (top level,
 * inside DO and function bodies, or as dynamic SQL only the server can see); a statement that runs
 * too long is cancelled; Ctrl-C leaves no database, role or running query behind; --cleanup removes
 * what an interrupted trace left. Without the variable the suite says so and checks nothing else.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineOptions } from '../src/engine/engine.ts';
import { trace, type TraceReport, type TracedStatement } from '../src/trace/trace.ts';
import { CLI } from './helpers.ts';
import { SERVER_URL } from './pg-backends.ts';

const ENGINE: EngineOptions = { pgVersion: 18, runner: null, rules: new Map(), down: 'same', lockTimeoutMs: 0, statementTimeoutMs: 0, reportUnusedIgnores: false };
/** Other test runs on the same server create and drop these while we look: not ours to compare. */
const notTransient = (col: string): string => `NOT (${col} LIKE 'zerodown\\_trace\\_%' OR ${col} LIKE 'zd\\_seed\\_%')`;

/**
 * Everything shared by the whole server that a migration could reach: roles, memberships, database
 * privileges and settings, shared comments, tablespaces, ALTER SYSTEM. Database privileges are
 * compared as granted (a NULL datacl means the default ACL): a GRANT on a database by a role that may
 * grant nothing still writes the default ACL out explicitly ("no privileges were granted").
 */
async function serverState(admin: pg.Client): Promise<Record<string, unknown[]>> {
  const q = async (sql: string): Promise<unknown[]> => (await admin.query(sql)).rows;
  return {
    roles: await q(`SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls FROM pg_roles WHERE ${notTransient('rolname')} ORDER BY 1`),
    members: await q(`SELECT r.rolname AS role, m.rolname AS member FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE ${notTransient('m.rolname')} ORDER BY 1, 2`),
    databases: await q(`SELECT d.datname, coalesce(d.datacl, acldefault('d', d.datdba))::text AS acl, (SELECT s.setconfig::text FROM pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0) AS settings FROM pg_database d WHERE ${notTransient('d.datname')} ORDER BY 1`),
    shdescription: await q(`SELECT classoid::regclass::text AS class, coalesce((SELECT rolname FROM pg_roles WHERE oid = objoid), (SELECT datname FROM pg_database WHERE oid = objoid), objoid::text) AS object, description FROM pg_shdescription ORDER BY 1, 2, 3`),
    tablespaces: await q('SELECT spcname FROM pg_tablespace ORDER BY 1'),
    autoConf: await q("SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY 1"),
  };
}

function stmt(r: TraceReport, sql: RegExp): TracedStatement {
  const s = r.files.flatMap((f) => f.statements).find((x) => sql.test(x.sql));
  if (!s) throw new Error(`no statement ${sql}`);
  return s;
}

describe('trace on a PostgreSQL server', () => {
  if (!SERVER_URL) {
    it('needs ZERODOWN_TEST_DATABASE_URL (set by .ci/run after installing Debian postgresql)', () => {
      console.warn('trace-server: no PostgreSQL server (ZERODOWN_TEST_DATABASE_URL unset): scratch-database containment, timeouts, Ctrl-C and --cleanup not checked in this run');
      expect(SERVER_URL).toBeUndefined();
    });
    return;
  }
  const url = SERVER_URL;
  const tag = randomBytes(4).toString('hex');
  const victim = `zd_victim_${tag}`;
  let admin: pg.Client;
  let dir: string;

  const project = (name: string, sql: string): string => {
    const d = fs.mkdtempSync(path.join(dir, 'p-'));
    fs.mkdirSync(path.join(d, 'migrations'));
    fs.writeFileSync(path.join(d, 'migrations', name), sql);
    return d;
  };
  const exists = async (sql: string, param: string): Promise<boolean> => (await admin.query(sql, [param])).rows.length > 0;
  const dbExists = (name: string): Promise<boolean> => exists('SELECT 1 FROM pg_database WHERE datname = $1', name);
  const roleExists = (name: string): Promise<boolean> => exists('SELECT 1 FROM pg_roles WHERE rolname = $1', name);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-trace-server-'));
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${victim}`);
  });

  afterAll(async () => {
    await admin?.query(`DROP ROLE IF EXISTS ${victim}`).catch(() => undefined);
    await admin?.end();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('changes nothing outside the scratch database, refuses each server-wide statement by name, and drops the database and its role', async () => {
    const sql = [
      'CREATE TABLE t (id int PRIMARY KEY);',
      `DO $$ BEGIN CREATE ROLE zd_evil_do_${tag}; END $$;`,
      `GRANT pg_monitor TO ${victim};`,
      `GRANT CONNECT ON DATABASE postgres TO ${victim};`,
      `COMMENT ON ROLE ${victim} IS 'zerodown was here';`,
      "ALTER SYSTEM SET work_mem = '7MB';",
      `CREATE TABLESPACE zd_ts_${tag} LOCATION '/tmp';`,
      "ALTER DATABASE postgres SET work_mem = '7MB';",
      `CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN GRANT pg_monitor TO ${victim}; END $$;`,
      // Dynamic SQL: invisible to the parse tree, refused by PostgreSQL because the trace role may not.
      `DO $$ BEGIN EXECUTE 'CREATE ROLE ' || 'zd_evil_dyn_${tag}'; END $$;`,
      `DO $$ BEGIN EXECUTE 'GRANT pg_monitor TO ' || '${victim}'; END $$;`,
      `DO $$ BEGIN EXECUTE 'COMMENT ON ROLE ${victim} IS ' || quote_literal('x'); END $$;`,
      `DO $$ BEGIN EXECUTE 'GRANT CONNECT ON DATABASE postgres TO ' || '${victim}'; END $$;`,
      'ALTER TABLE t ADD COLUMN a int;',
    ].join('\n');
    const before = await serverState(admin);
    const report = await trace(['migrations'], { engine: ENGINE, cwd: project('001_evil.sql', sql + '\n'), checkDown: false, databaseUrl: url });
    expect(await serverState(admin)).toEqual(before);
    expect(await roleExists(`zd_evil_do_${tag}`)).toBe(false);
    expect(await roleExists(`zd_evil_dyn_${tag}`)).toBe(false);

    const refused = (re: RegExp, what: string): void => {
      const s = stmt(report, re);
      expect(s).toMatchObject({ status: 'untraceable', error: { category: 'cluster-wide' } });
      expect(s.error?.message).toContain(what);
    };
    refused(/^DO \$\$ BEGIN CREATE ROLE/, 'CREATE ROLE/USER/GROUP (inside the DO block)');
    refused(/^GRANT pg_monitor/, 'GRANT/REVOKE role membership');
    refused(/^GRANT CONNECT ON DATABASE/, 'GRANT … ON DATABASE');
    refused(/^COMMENT ON ROLE/, 'COMMENT ON ROLE');
    refused(/^ALTER SYSTEM/, 'ALTER SYSTEM');
    refused(/^CREATE TABLESPACE/, 'CREATE TABLESPACE');
    refused(/^ALTER DATABASE postgres/, 'ALTER DATABASE … SET');
    refused(/^CREATE FUNCTION f/, 'GRANT/REVOKE role membership (inside the function body)');
    for (const re of [/CREATE ROLE ' \|\|/, /GRANT pg_monitor TO ' \|\|/, /COMMENT ON ROLE .* IS ' \|\|/]) {
      expect(stmt(report, re)).toMatchObject({ status: 'untraceable', error: { code: '42501', category: 'privilege' } });
    }
    // PostgreSQL lets anyone run GRANT on a database and grants nothing without the grant option
    // (WARNING: no privileges were granted): it succeeds, and serverState above shows no privilege changed.
    expect(stmt(report, /GRANT CONNECT ON DATABASE postgres TO ' \|\|/).status).toBe('traced');
    expect(stmt(report, /ADD COLUMN a/).status).toBe('traced');
    expect(report.summary.byCategory['cluster-wide']).toBe(8);

    const scratch = report.backend.database ?? '';
    expect(scratch).toMatch(/^zerodown_trace_[0-9a-f]{10}$/);
    expect(report.backend.cleanup).toMatchObject({ dropped: true, database: scratch });
    expect(await dbExists(scratch)).toBe(false);
    expect(await roleExists(scratch)).toBe(false);
  }, 180_000);

  it('cancels a statement that outlives --statement-timeout, even when the migration turns statement_timeout off, and goes on', async () => {
    const cwd = project('001_slow.sql', 'CREATE TABLE t (id int);\nSET statement_timeout = 0;\nSELECT pg_sleep(600);\nALTER TABLE t ADD COLUMN a int;\n');
    const t0 = Date.now();
    const report = await trace(['migrations'], { engine: ENGINE, cwd, checkDown: false, databaseUrl: url, statementTimeoutMs: 1500 });
    expect(Date.now() - t0).toBeLessThan(60_000);
    const slow = stmt(report, /pg_sleep/);
    expect(slow).toMatchObject({ status: 'failed', error: { code: '57014', category: 'timeout' } });
    expect(slow.error?.message).toMatch(/ran longer than the statement timeout \(1500ms, --statement-timeout\)/);
    expect(stmt(report, /ADD COLUMN a/).status).toBe('traced');
    expect(await dbExists(report.backend.database ?? '')).toBe(false);
  }, 120_000);

  it('on SIGINT during SELECT pg_sleep(600): cancels the query, drops the scratch database and role, exits 130', async () => {
    const marker = `zd_marker_${tag}`;
    const cwd = project('001_sleep.sql', `CREATE TABLE t (id int);\nSELECT pg_sleep(600) AS ${marker};\n`);
    const child = spawn(process.execPath, [CLI, 'trace', 'migrations', '--database-url', url], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const running = `SELECT datname, usename FROM pg_stat_activity WHERE query LIKE '%${marker}%' AND pid <> pg_backend_pid()`;
    let scratch: string | undefined;
    for (let i = 0; i < 240 && !scratch; i++) {
      scratch = ((await admin.query(running)).rows[0] as { datname: string } | undefined)?.datname;
      if (!scratch) await new Promise((r) => setTimeout(r, 250));
    }
    expect(scratch).toMatch(/^zerodown_trace_/);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`dropped scratch database ${scratch}`);
    expect((await admin.query(running)).rows).toEqual([]);
    expect(await dbExists(scratch ?? '')).toBe(false);
    expect(await roleExists(scratch ?? '')).toBe(false);
  }, 180_000);

  it('--cleanup drops leftover zerodown_trace_* databases and roles, and leaves a database in use alone', async () => {
    const leftover = `zerodown_trace_t${tag}a`;
    const inUse = `zerodown_trace_t${tag}b`;
    await admin.query(`CREATE ROLE ${leftover}`);
    await admin.query(`CREATE DATABASE ${leftover} OWNER ${leftover}`);
    await admin.query(`CREATE DATABASE ${inUse}`);
    const u = new URL(url);
    u.pathname = `/${inUse}`;
    const session = new pg.Client({ connectionString: u.toString() });
    await session.connect();
    try {
      const r = spawnSync(process.execPath, [CLI, 'trace', '--cleanup', '--database-url', url], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`dropped database ${leftover}`);
      expect(r.stdout).toContain(`dropped role ${leftover}`);
      expect(r.stdout).toMatch(new RegExp(`left alone database ${inUse}: 1 session\\(s\\) connected`));
      expect(await dbExists(leftover)).toBe(false);
      expect(await roleExists(leftover)).toBe(false);
      expect(await dbExists(inUse)).toBe(true);
    } finally {
      await session.end();
      await admin.query(`DROP DATABASE IF EXISTS ${inUse}`);
      await admin.query(`DROP DATABASE IF EXISTS ${leftover}`);
      await admin.query(`DROP ROLE IF EXISTS ${leftover}`);
    }
  }, 180_000);
});
