/**
 * Real Postgres backends for the proof suites: PGlite (PostgreSQL 18, in-process) always, and a
 * server (Debian's PostgreSQL, installed and started by .ci/run) when ZERODOWN_TEST_DATABASE_URL
 * is set. Each case gets a fresh copy of the seeded database (PGlite clone / template database).
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { ObservableDb } from '../src/trace/observe.ts';
import { SEED_SQL } from './seed.ts';

export interface CaseDb {
  db: ObservableDb;
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Major version, for the analyzer's claims. */
  major: number;
  fresh(): Promise<CaseDb>;
  close(): Promise<void>;
}

export async function pgliteBackend(seed = SEED_SQL): Promise<Backend> {
  const base = await PGlite.create();
  await base.exec(seed);
  const version = (await base.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v;
  return {
    name: 'PGlite',
    major: Math.floor(Number(version) / 10000),
    async fresh() {
      const db = await base.clone();
      return { db, close: () => db.close() };
    },
    close: () => base.close(),
  };
}

/** node-postgres client shaped like the PGlite calls the observer makes. */
function adapt(client: pg.Client): ObservableDb {
  return {
    query: (async (sql: string) => {
      const r = await client.query(sql);
      return { rows: r.rows, fields: [], affectedRows: r.rowCount ?? 0 };
    }) as unknown as ObservableDb['query'],
    exec: (async (sql: string) => {
      await client.query(sql);
      return [];
    }) as unknown as ObservableDb['exec'],
  };
}

let counter = 0;

export async function serverBackend(url: string, seed = SEED_SQL): Promise<Backend> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const template = `zd_seed_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${template}`);
  const seedUrl = new URL(url);
  seedUrl.pathname = `/${template}`;
  const seeder = new pg.Client({ connectionString: seedUrl.toString() });
  await seeder.connect();
  await seeder.query(seed);
  const version = (await seeder.query('SHOW server_version_num')).rows[0].server_version_num as string;
  await seeder.end();
  return {
    name: `PostgreSQL ${Math.floor(Number(version) / 10000)} server`,
    major: Math.floor(Number(version) / 10000),
    async fresh() {
      const name = `${template}_${++counter}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      const client = new pg.Client({ connectionString: u.toString() });
      await client.connect();
      return {
        db: adapt(client),
        async close() {
          await client.end();
          await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        },
      };
    },
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${template}`);
      await admin.end();
    },
  };
}

export const SERVER_URL = process.env.ZERODOWN_TEST_DATABASE_URL;
