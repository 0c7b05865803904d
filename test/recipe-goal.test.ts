/**
 * The recipe proofs' goal check (test/recipe-goal.ts) on PGlite: a recipe that does nothing
 * (`SELECT 1;`) or stops short fails it; a recipe that reaches the statement's end state passes.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogState, goalGaps, offendingGoal } from './recipe-goal.ts';
import { lintText } from './helpers.ts';

let base: PGlite;
beforeAll(async () => {
  base = await PGlite.create();
  await base.exec(`
    CREATE TABLE t (id bigint PRIMARY KEY, a int, email text, status text);
    INSERT INTO t SELECT g, g, 'u' || g || '@example.com', NULL FROM generate_series(1, 200) g;
    CREATE TYPE mood AS ENUM ('ok');`);
}, 600_000);
afterAll(() => base?.close());

/** Gaps left by `recipe` (run statement by statement in autocommit) against `offending`. */
async function gaps(offending: string, recipe: string): Promise<string[]> {
  const db = await base.clone();
  try {
    const before = await catalogState(db);
    const goal = await offendingGoal(db, offending);
    if ('error' in goal) throw new Error(goal.error);
    await db.exec(recipe);
    return goalGaps(before, goal.state, await catalogState(db));
  } finally {
    await db.close();
  }
}

describe('recipe goal states', () => {
  it('SELECT 1 reaches no goal: index, NOT NULL, validated constraint, rename, type change, data', async () => {
    expect(await gaps('CREATE INDEX t_a_idx ON t (a)', 'SELECT 1')).toEqual([expect.stringMatching(/^index public\.t_a_idx: the statement makes it "valid CREATE INDEX/)]);
    expect(await gaps('ALTER TABLE t ALTER COLUMN email SET NOT NULL', 'SELECT 1')).toEqual([expect.stringMatching(/^column public\.t\.email: the statement makes it "text NOT NULL"/)]);
    expect(await gaps('ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)', 'SELECT 1')).toEqual([expect.stringMatching(/^constraint public\.t\.t_a_pos: the statement makes it "validated CHECK/)]);
    expect((await gaps('ALTER TABLE t RENAME COLUMN email TO email_address', 'SELECT 1')).join('\n')).toMatch(/column public\.t\.email_address: the statement makes it "text"[^\n]*\n[^\n]*column public\.t\.email: the statement removes it/s);
    expect(await gaps('ALTER TABLE t ALTER COLUMN a TYPE bigint', 'SELECT 1')).toEqual([expect.stringMatching(/^column public\.t\.a: the statement makes it "bigint"/)]);
    expect(await gaps("UPDATE t SET status = 'new'", 'SELECT 1')).toEqual([expect.stringMatching(/^content public\.t:/)]);
    expect(await gaps("ALTER TYPE mood ADD VALUE 'great'", 'SELECT 1')).toEqual(['enum public.mood: the statement makes it "ok,great", the recipe leaves "ok"']);
  }, 600_000);

  it('stopping short fails: an INVALID index, a NOT VALID constraint, a CHECK instead of NOT NULL', async () => {
    // An index left INVALID is what a failed CREATE INDEX CONCURRENTLY leaves behind.
    expect(await gaps('CREATE INDEX t_a_idx ON t (a)', 'CREATE INDEX t_a_idx ON t (a); UPDATE pg_index SET indisvalid = false WHERE indexrelid = \'t_a_idx\'::regclass')).toEqual([
      expect.stringMatching(/^index public\.t_a_idx: the statement makes it "valid [^"]*", the recipe leaves "INVALID/),
    ]);
    expect(await gaps('ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)', 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID')).toEqual([
      expect.stringMatching(/the statement makes it "validated CHECK \(\(a > 0\)\)", the recipe leaves "NOT VALID CHECK/),
    ]);
    expect(await gaps('ALTER TABLE t ALTER COLUMN email SET NOT NULL', 'ALTER TABLE t ADD CONSTRAINT t_email_nn CHECK (email IS NOT NULL)')).toHaveLength(1);
  }, 600_000);

  it('the safe forms reach the same end state', async () => {
    expect(await gaps('CREATE INDEX t_a_idx ON t (a)', 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a)')).toEqual([]);
    expect(await gaps('ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)', 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_a_pos')).toEqual([]);
    expect(
      await gaps(
        'ALTER TABLE t ALTER COLUMN email SET NOT NULL',
        'ALTER TABLE t ADD CONSTRAINT t_email_nn CHECK (email IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT t_email_nn; ALTER TABLE t ALTER COLUMN email SET NOT NULL; ALTER TABLE t DROP CONSTRAINT t_email_nn',
      ),
    ).toEqual([]);
    // A batched backfill ends with the same rows as the single UPDATE.
    expect(await gaps("UPDATE t SET status = 'new'", "UPDATE t SET status = 'new' WHERE id <= 100; UPDATE t SET status = 'new' WHERE id > 100")).toEqual([]);
  }, 600_000);

  // The add-column-rewrite recipe for a serial/identity key: run step by step (each DO/statement as written),
  // the column must end as the table's primary key, with the offending statement's own end state.
  for (const [label, column] of [
    ['bigserial PRIMARY KEY', 'id bigserial PRIMARY KEY'],
    ['serial PRIMARY KEY', 'id serial PRIMARY KEY'],
    ['identity PRIMARY KEY', 'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY'],
  ] as const) {
    it(`ADD COLUMN ${label}: the recipe ends with the column as the primary key`, async () => {
      const offending = `ALTER TABLE accounts ADD COLUMN ${column}`;
      const result = await lintText(`${offending};`);
      const finding = result.findings.find((f) => f.ruleId === 'add-column-rewrite');
      const steps = finding?.safeAlternative?.steps ?? [];
      expect(steps.at(-1)?.sql).toMatch(/ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_key/);
      const db = await base.clone();
      try {
        await db.exec(`CREATE TABLE accounts (email text); INSERT INTO accounts SELECT 'a' || g FROM generate_series(1, 50) g;`);
        const before = await catalogState(db);
        const goal = await offendingGoal(db, offending);
        if ('error' in goal) throw new Error(goal.error);
        for (const step of steps) await db.exec(step.sql);
        const pk = await db.query<{ col: string; rows: number }>(
          `SELECT a.attname AS col, (SELECT count(DISTINCT id)::int FROM accounts) AS rows
           FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
           WHERE i.indrelid = 'accounts'::regclass AND i.indisprimary`,
        );
        expect(pk.rows).toEqual([{ col: 'id', rows: 50 }]);
        expect(goalGaps(before, goal.state, await catalogState(db))).toEqual([]);
        // New rows still get an id after the existing ones.
        await db.exec(`INSERT INTO accounts (email) VALUES ('new')`);
        expect((await db.query<{ n: number }>(`SELECT count(DISTINCT id)::int AS n FROM accounts`)).rows[0].n).toBe(51);
      } finally {
        await db.close();
      }
    }, 600_000);
  }
});
