/**
 * The recipe proofs' goal check (test/recipe-goal.ts) on PGlite: a recipe that does nothing
 * (`SELECT 1;`) or stops short fails it; a recipe that reaches the statement's end state passes.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogState, goalGaps, offendingGoal } from './recipe-goal.ts';

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
});
