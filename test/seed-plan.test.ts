/**
 * `zerodown stats --seed-plan`: the seed script from a snapshot fills each table of a real schema
 * (PGlite) to the planned fraction of its production rows — foreign keys, enums, NOT NULL columns,
 * varchar limits, identity and defaults included — and the CLI reports bad input in one line.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import type { StatsSnapshot, TableStats } from '../src/analyze/production.ts';
import { CLI } from './helpers.ts';

const run = promisify(execFile);

function table(schema: string, name: string, reltuples: number, kind = 'r'): TableStats {
  return { schema, name, kind, reltuples, totalBytes: 0, heapBytes: 0, indexBytes: 0, liveTuples: null, deadTuples: null, seqScan: null, idxScan: null, lastVacuum: null, lastAutovacuum: null, lastAnalyze: null, lastAutoanalyze: null };
}

const SNAPSHOT: StatsSnapshot = {
  zerodownStats: 1,
  generatedAt: '2026-12-01T00:00:00Z',
  serverVersion: '16.4',
  serverVersionNum: 160004,
  database: 'shop',
  statsReset: null,
  tables: [
    table('public', 'order_items', 2_000_000),
    table('public', 'orders', 400_000),
    table('app', 'customers', 50_000),
    table('public', 'countries', 250),
    table('public', 'gone', 1000), // not in this schema: skipped with a notice
    table('public', 'order_totals', 10_000, 'm'), // a materialized view holds no rows of its own
  ],
  indexes: [],
};

const SCHEMA = `
CREATE SCHEMA app;
CREATE TYPE order_state AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE public.countries (code char(2) PRIMARY KEY, name varchar(40) NOT NULL);
CREATE TABLE app.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email varchar(12) NOT NULL UNIQUE, country char(2) NOT NULL REFERENCES countries, vip boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES app.customers, state order_state NOT NULL, public_id uuid NOT NULL UNIQUE, placed_on date NOT NULL, meta jsonb NOT NULL, note text);
CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders, line smallint NOT NULL, qty integer NOT NULL CHECK (qty > 0), price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line));
`;

async function tmpdir(): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), 'zd-seed-plan-'));
}

describe('stats --seed-plan', () => {
  it('writes a seed script that fills every table to the fraction, referenced tables first', async () => {
    const dir = await tmpdir();
    fs.writeFileSync(path.join(dir, 'zerodown.stats.json'), JSON.stringify(SNAPSHOT));
    const out = await run(process.execPath, [CLI, 'stats', '--seed-plan', 'zerodown.stats.json', '--seed-fraction', '0.001', '--seed-max-rows', '1000', '-o', 'seed.sql'], { cwd: dir });
    expect(out.stderr).toContain('wrote seed.sql');
    const sql = fs.readFileSync(path.join(dir, 'seed.sql'), 'utf8');
    // 0.1% of each production count, capped at 1000, at least 1.
    expect(sql).toContain('--   "public"."order_items": 1000 of ~2000000 rows');
    expect(sql).toContain('--   "public"."orders": 400 of ~400000 rows');
    expect(sql).toContain('--   "app"."customers": 50 of ~50000 rows');
    expect(sql).toContain('--   "public"."countries": 1 of ~250 rows');
    expect(sql).not.toContain('order_totals');

    const db = await PGlite.create();
    try {
      await db.exec(SCHEMA);
      const notices: string[] = [];
      await db.exec(sql, { onNotice: (n) => notices.push(n.message ?? '') });
      const counts = await db.query<{ rel: string; n: number }>(
        `SELECT 'countries' AS rel, count(*)::int AS n FROM countries UNION ALL SELECT 'customers', count(*)::int FROM app.customers
         UNION ALL SELECT 'orders', count(*)::int FROM orders UNION ALL SELECT 'order_items', count(*)::int FROM order_items`,
      );
      expect(counts.rows).toEqual([
        { rel: 'countries', n: 1 },
        { rel: 'customers', n: 50 },
        { rel: 'orders', n: 400 },
        { rel: 'order_items', n: 1000 },
      ]);
      expect(notices).toContain('zerodown seed: "public"."gone" does not exist here, skipped');
      // Foreign keys point at real rows; the planner sees the new sizes (ANALYZE ran).
      const orphans = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL`);
      expect(orphans.rows[0].n).toBe(0);
      const est = await db.query<{ n: number }>(`SELECT reltuples::int AS n FROM pg_class WHERE oid = 'orders'::regclass`);
      expect(est.rows[0].n).toBe(400);
    } finally {
      await db.close();
    }
  }, 600_000);

  it('a NOT NULL column it has no value for skips that table with a notice, the others are filled', async () => {
    const snapshot = { ...SNAPSHOT, tables: [table('public', 'shapes', 100_000), table('public', 'tags', 100_000)] };
    const dir = await tmpdir();
    fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify(snapshot));
    const { stdout } = await run(process.execPath, [CLI, 'stats', '--seed-plan', 's.json'], { cwd: dir });
    const db = await PGlite.create();
    try {
      await db.exec(`CREATE TABLE shapes (id int PRIMARY KEY, p point NOT NULL); CREATE TABLE tags (id int PRIMARY KEY, label text NOT NULL);`);
      const notices: string[] = [];
      await db.exec(stdout, { onNotice: (n) => notices.push(n.message ?? '') });
      expect(notices).toContain('zerodown seed: shapes: skipped: no value for NOT NULL column p of type point');
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tags')).rows[0].n).toBe(1000);
    } finally {
      await db.close();
    }
  }, 600_000);

  it('bad input: one line naming the problem, exit 2', async () => {
    const dir = await tmpdir();
    fs.writeFileSync(path.join(dir, 'not-stats.json'), '{"tables": []}');
    const cases: [string[], RegExp][] = [
      [['--seed-plan', 'missing.json'], /^zerodown: stats --seed-plan: missing\.json: no such file\n$/],
      [['--seed-plan', 'not-stats.json'], /^zerodown: stats --seed-plan: not-stats\.json: not a zerodown stats snapshot/],
      [['--seed-plan', 'not-stats.json', '--seed-fraction', '5'], /^zerodown: stats --seed-plan: --seed-fraction: expected a number above 0 and at most 1/],
      [['--seed-plan', 'not-stats.json', '--seed-max-rows', '0'], /^zerodown: stats --seed-plan: --seed-max-rows: expected a positive whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await run(process.execPath, [CLI, 'stats', ...args], { cwd: dir }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});
