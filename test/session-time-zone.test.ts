/**
 * The session TimeZone feeds the timestamp ↔ timestamptz verdict: each SET spelling is linted after
 * a replayed CREATE TABLE, and the same SQL runs on PGlite, where a rewrite shows as
 * a new relfilenode. zerodown's verdict (rewrite / none / unknown) must match what PostgreSQL did.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema } from '../src/analyze/schema.ts';
import { analyzeSql } from '../src/engine/engine.ts';
import { initParser } from '../src/parse/parser.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions } from './helpers.ts';

const CREATE = 'CREATE TABLE events (id bigint PRIMARY KEY, a timestamp);';

let base: PGlite;
beforeAll(async () => {
  await initParser();
  base = await PGlite.create();
  await base.exec(`${CREATE} INSERT INTO events SELECT g, now() FROM generate_series(1, 100) g;`);
}, 600_000);
afterAll(() => base?.close());

/** zerodown's verdict for the last statement of `sql`, with events replayed from an earlier file. */
function verdict(sql: string, timeZone?: string): 'rewrite' | 'none' | 'unknown' {
  const options = engineOptions({ pgVersion: 16, timeZone });
  const schema = new Schema();
  analyzeSql({ path: 'm/001_create.sql', text: CREATE, historyOnly: true }, schema, RULES, options);
  const result = analyzeSql({ path: 'm/002_alter.sql', text: sql }, schema, RULES, options);
  const f = result.findings.find((x) => x.ruleId === 'column-type-rewrite');
  if (!f) return 'none';
  return f.message.includes(' may rewrite ') ? 'unknown' : 'rewrite';
}

/** What PostgreSQL does: the SQL runs as one script in a fresh session of a clone. */
async function observed(sql: string): Promise<'rewrite' | 'none'> {
  const db = await base.clone();
  try {
    const file = async (): Promise<number> => (await db.query<{ f: number }>(`SELECT relfilenode::int AS f FROM pg_class WHERE relname = 'events'`)).rows[0].f;
    const before = await file();
    for (const stmt of sql.split(/;\s*\n/).filter((s) => s.trim())) await db.exec(stmt);
    return (await file()) === before ? 'none' : 'rewrite';
  } finally {
    await db.close();
  }
}

const ALTER = 'ALTER TABLE events ALTER COLUMN a TYPE timestamptz';

describe('session TimeZone and the timestamp → timestamptz rewrite', () => {
  const zeroOffset = [
    `SET timezone TO 'UTC';\n${ALTER}`,
    `SET TIME ZONE 'UTC';\n${ALTER}`,
    `SET TIME ZONE 'Etc/UTC';\n${ALTER}`,
    `SELECT set_config('TimeZone', 'GMT', false);\n${ALTER}`,
    `SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE;\n${ALTER}`,
    `BEGIN;\nSET LOCAL timezone = 'UTC';\n${ALTER};\nCOMMIT`,
  ];
  for (const sql of zeroOffset) {
    it(`no rewrite after: ${sql.split('\n')[0]}`, async () => {
      expect(await observed(sql)).toBe('none');
      expect(verdict(sql)).toBe('none');
    }, 600_000);
  }

  const otherZone = [`SET TIME ZONE 'Europe/London';\n${ALTER}`, `SET timezone = 'America/New_York';\n${ALTER}`, `SET TIME ZONE 'UTC';\nSET TIME ZONE 'Asia/Tokyo';\n${ALTER}`];
  for (const sql of otherZone) {
    it(`rewrite after: ${sql.split('\n').slice(0, -1).join(' ')}`, async () => {
      expect(await observed(sql)).toBe('rewrite');
      expect(verdict(sql)).toBe('rewrite');
    }, 600_000);
  }

  it('RESET and SET LOCAL outside a transaction fall back to the server setting: unknown, or the configured one', async () => {
    // PGlite's own TimeZone has a zero offset, so PostgreSQL skips the rewrite here; zerodown only knows it when configured.
    const reset = `SET TIME ZONE 'Europe/London';\nRESET timezone;\n${ALTER}`;
    const local = `SET LOCAL timezone = 'Europe/London';\n${ALTER}`;
    const server = (await base.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`)).rows[0].tz;
    expect(['GMT', 'UTC', 'Etc/UTC']).toContain(server);
    for (const sql of [reset, local]) {
      expect(await observed(sql)).toBe('none');
      expect(verdict(sql)).toBe('unknown');
      expect(verdict(sql, server)).toBe('none');
      expect(verdict(sql, 'Europe/Berlin')).toBe('rewrite');
    }
  }, 600_000);
});
