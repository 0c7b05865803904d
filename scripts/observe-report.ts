/**
 * Ground-truth report: run a catalogue of DDL/DML statements against PGlite
 * (PostgreSQL 18 in WASM), each on a fresh clone of a seeded database, and
 * print a markdown table of what Postgres actually did (locks, rewrites,
 * scans, fast defaults).
 *
 * Run (Node 20 has no --experimental-strip-types; vite-node ships with vitest):
 *   npx vite-node scripts/observe-report.ts > docs/observed-locks-pg18.md
 * Options:
 *   --json          print the raw observations as JSON instead of markdown
 *   --only=<regex>  only run cases whose statement/title matches
 */
import { PGlite } from '@electric-sql/pglite';
import { observe, lockStrength, type Observation, type ObserveOptions } from '../src/trace/observe.js';
import { SEED_SQL } from '../test/seed.js';

interface Case {
  /** statement under observation */
  sql: string;
  /** extra setup run on the fresh clone before observing (not observed) */
  given?: string;
  opts?: ObserveOptions;
}

const BASE_SETUP = SEED_SQL;

const FK = 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u (id);';
const REF_U = 'CREATE TABLE ref_u (id int PRIMARY KEY, u_id int REFERENCES u (id)); INSERT INTO ref_u SELECT g, g FROM generate_series(1, 100) g;';
// PG18: dropping the PK leaves the cataloged NOT NULL constraint t_id_not_null in place.
const NO_PK = 'ALTER TABLE t DROP CONSTRAINT t_pkey;';
const ID_NULLABLE = 'ALTER TABLE t ALTER COLUMN id DROP NOT NULL;';

const CASES: Case[] = [
  // ---- ADD COLUMN
  { sql: 'ALTER TABLE t ADD COLUMN x int' },
  { sql: 'ALTER TABLE t ADD COLUMN x int DEFAULT 0' },
  { sql: "ALTER TABLE t ADD COLUMN x text DEFAULT 'abc'" },
  { sql: 'ALTER TABLE t ADD COLUMN x timestamptz DEFAULT now()' },
  { sql: 'ALTER TABLE t ADD COLUMN x float8 DEFAULT random()' },
  { sql: 'ALTER TABLE t ADD COLUMN x uuid DEFAULT gen_random_uuid()' },
  { sql: 'ALTER TABLE t ADD COLUMN x timestamptz DEFAULT clock_timestamp()' },
  { sql: 'ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0' },
  { sql: 'ALTER TABLE t ADD COLUMN x int NOT NULL' },
  { sql: "ALTER TABLE t ADD COLUMN x mood DEFAULT 'ok'" },
  { sql: 'ALTER TABLE t ADD COLUMN x serial' },
  { sql: 'ALTER TABLE t ADD COLUMN x bigserial' },
  { sql: 'ALTER TABLE t ADD COLUMN x int GENERATED ALWAYS AS IDENTITY' },
  { sql: 'ALTER TABLE t ADD COLUMN x int GENERATED ALWAYS AS (a * 2) STORED' },
  { sql: 'ALTER TABLE t ADD COLUMN x int GENERATED ALWAYS AS (a * 2) VIRTUAL' },
  { sql: 'ALTER TABLE t ADD COLUMN x int REFERENCES u (id)' },
  { sql: 'ALTER TABLE t ADD COLUMN x int DEFAULT 1 REFERENCES u (id)' },
  { sql: 'ALTER TABLE t ADD COLUMN x int CHECK (x > 0)' },
  { sql: 'ALTER TABLE t ADD COLUMN x int UNIQUE' },
  { sql: 'ALTER TABLE p ADD COLUMN x int DEFAULT 0' },
  // ---- DROP COLUMN
  { sql: 'ALTER TABLE t DROP COLUMN b' },
  { sql: 'ALTER TABLE t DROP COLUMN a' },
  // ---- ALTER COLUMN TYPE
  { sql: 'ALTER TABLE t ALTER COLUMN a TYPE bigint' },
  { sql: 'ALTER TABLE t ALTER COLUMN a TYPE bigint', given: FK },
  { sql: 'ALTER TABLE t ALTER COLUMN a TYPE int' },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE varchar(20)' },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE varchar(20)', given: 'CREATE INDEX t_c_idx ON t (c);' },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE varchar(10)', given: 'ALTER TABLE t ALTER COLUMN c TYPE varchar(20);' },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE text' },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE text', given: 'CREATE INDEX t_c_idx ON t (c);' },
  { sql: 'ALTER TABLE t ALTER COLUMN c TYPE varchar' },
  { sql: 'ALTER TABLE t ALTER COLUMN b TYPE varchar(100)' },
  { sql: 'ALTER TABLE t ALTER COLUMN b TYPE varchar' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2)' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3)' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(8,2)' },
  { sql: 'ALTER TABLE t ALTER COLUMN a TYPE text USING a::text' },
  { sql: 'ALTER TABLE tt ALTER COLUMN ts TYPE timestamptz', given: "SET TimeZone = 'UTC';" },
  { sql: 'ALTER TABLE tt ALTER COLUMN ts TYPE timestamptz', given: "SET TimeZone = 'America/New_York';" },
  // ---- defaults / NOT NULL
  { sql: 'ALTER TABLE t ALTER COLUMN a SET DEFAULT 0' },
  { sql: 'ALTER TABLE t ALTER COLUMN a SET DEFAULT random()' },
  { sql: 'ALTER TABLE t ALTER COLUMN a DROP DEFAULT', given: 'ALTER TABLE t ALTER COLUMN a SET DEFAULT 0;' },
  { sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL', given: 'ALTER TABLE t ADD CONSTRAINT a_chk CHECK (a IS NOT NULL);' },
  { sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL', given: 'ALTER TABLE t ADD CONSTRAINT a_chk CHECK (a IS NOT NULL) NOT VALID;' },
  { sql: 'ALTER TABLE t ALTER COLUMN a DROP NOT NULL', given: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT a_nn', given: 'ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;' },
  // ---- CHECK
  { sql: 'ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT a_pos', given: 'ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;' },
  { sql: 'ALTER TABLE t DROP CONSTRAINT a_pos', given: 'ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0);' },
  // ---- FOREIGN KEY
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u (id)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_a_fk', given: 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID;' },
  { sql: 'ALTER TABLE t DROP CONSTRAINT t_a_fk', given: FK },
  { sql: 'ALTER TABLE t ALTER CONSTRAINT t_a_fk DEFERRABLE INITIALLY DEFERRED', given: FK },
  // ---- UNIQUE / PK / EXCLUDE
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)' },
  { sql: 'ALTER TABLE t ADD PRIMARY KEY (id)', given: NO_PK },
  { sql: 'ALTER TABLE t ADD PRIMARY KEY (id)', given: `${NO_PK} ${ID_NULLABLE}` },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_uidx', given: 'CREATE UNIQUE INDEX t_a_uidx ON t (a);' },
  { sql: 'ALTER TABLE t ADD PRIMARY KEY USING INDEX t_id_uidx', given: `${NO_PK} CREATE UNIQUE INDEX t_id_uidx ON t (id);` },
  { sql: 'ALTER TABLE t ADD PRIMARY KEY USING INDEX t_id_uidx', given: `${NO_PK} ${ID_NULLABLE} CREATE UNIQUE INDEX t_id_uidx ON t (id);` },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_excl EXCLUDE USING btree (a WITH =)' },
  { sql: 'ALTER TABLE t DROP CONSTRAINT t_a_key', given: 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);' },
  // ---- renames
  { sql: 'ALTER TABLE t RENAME COLUMN a TO a2' },
  { sql: 'ALTER TABLE t RENAME TO t2' },
  { sql: 'ALTER TABLE t RENAME CONSTRAINT a_pos TO a_positive', given: 'ALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0);' },
  { sql: 'ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk' },
  { sql: 'ALTER INDEX t_a_idx RENAME TO t_a_idx2' },
  // ---- table-level settings
  { sql: 'ALTER TABLE t SET TABLESPACE pg_default' },
  { sql: 'ALTER TABLE t SET UNLOGGED' },
  { sql: 'ALTER TABLE t SET LOGGED', given: 'ALTER TABLE t SET UNLOGGED;' },
  { sql: 'ALTER TABLE t SET (fillfactor = 70)' },
  { sql: 'ALTER TABLE t SET (autovacuum_enabled = false)' },
  { sql: 'ALTER TABLE t RESET (fillfactor)', given: 'ALTER TABLE t SET (fillfactor = 70);' },
  { sql: 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 500' },
  { sql: 'ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL' },
  { sql: 'ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz' },
  { sql: 'ALTER TABLE t DISABLE TRIGGER t_trg', given: 'CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg_fn();' },
  { sql: 'ALTER TABLE t ENABLE TRIGGER t_trg', given: 'CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg_fn(); ALTER TABLE t DISABLE TRIGGER t_trg;' },
  { sql: 'ALTER TABLE t REPLICA IDENTITY FULL' },
  { sql: 'ALTER TABLE t OWNER TO current_user' },
  { sql: 'ALTER TABLE t ENABLE ROW LEVEL SECURITY' },
  { sql: 'ALTER TABLE t CLUSTER ON t_a_idx' },
  { sql: 'ALTER TABLE t SET ACCESS METHOD heap' },
  { sql: 'ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY', given: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
  { sql: 'ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY' },
  // ---- partitions
  { sql: "ALTER TABLE p ATTACH PARTITION p_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')" },
  { sql: "ALTER TABLE p ATTACH PARTITION p_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')" },
  { sql: "ALTER TABLE p ATTACH PARTITION p_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", given: 'CREATE INDEX p_created_idx ON p (created);' },
  { sql: "ALTER TABLE p ATTACH PARTITION p_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", given: 'CREATE TABLE p_def PARTITION OF p DEFAULT;' },
  { sql: 'ALTER TABLE p DETACH PARTITION p_2024' },
  { sql: 'ALTER TABLE p DETACH PARTITION p_2024 CONCURRENTLY' },
  { sql: 'CREATE INDEX p_created_idx ON p (created)' },
  { sql: 'CREATE INDEX p_created_idx ON ONLY p (created)' },
  { sql: 'ALTER INDEX p_created_idx ATTACH PARTITION p_2024_created_idx', given: 'CREATE INDEX p_created_idx ON ONLY p (created); CREATE INDEX p_2024_created_idx ON p_2024 (created);' },
  // ---- indexes
  { sql: 'CREATE INDEX t_b_idx ON t (b)' },
  { sql: 'CREATE UNIQUE INDEX t_a_uidx ON t (a)' },
  { sql: 'CREATE INDEX CONCURRENTLY t_b_idx ON t (b)' },
  { sql: 'DROP INDEX t_a_idx' },
  { sql: 'DROP INDEX CONCURRENTLY t_a_idx' },
  { sql: 'REINDEX INDEX t_a_idx' },
  { sql: 'REINDEX TABLE t' },
  { sql: 'REINDEX INDEX CONCURRENTLY t_a_idx' },
  { sql: 'REINDEX TABLE CONCURRENTLY t' },
  // ---- tables
  { sql: 'CREATE TABLE c1 (id int PRIMARY KEY, u_id int REFERENCES u (id))' },
  { sql: 'DROP TABLE ref_u', given: REF_U },
  { sql: 'DROP TABLE u', given: REF_U },
  { sql: 'DROP TABLE u CASCADE', given: REF_U },
  { sql: 'TRUNCATE t' },
  { sql: 'TRUNCATE u', given: REF_U },
  { sql: 'TRUNCATE u CASCADE', given: REF_U },
  { sql: 'VACUUM t' },
  { sql: 'VACUUM FULL t' },
  { sql: 'ANALYZE t' },
  { sql: 'CLUSTER t USING t_a_idx' },
  { sql: 'REFRESH MATERIALIZED VIEW mv' },
  { sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv' },
  { sql: 'LOCK TABLE t' },
  { sql: 'LOCK TABLE t IN SHARE MODE' },
  // ---- triggers, policies, views, comments, grants
  { sql: 'CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg_fn()' },
  { sql: 'DROP TRIGGER t_trg ON t', given: 'CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg_fn();' },
  { sql: 'CREATE POLICY t_pol ON t USING (a > 0)' },
  { sql: 'CREATE VIEW v2 AS SELECT id, b FROM t' },
  { sql: 'CREATE OR REPLACE VIEW v AS SELECT id, a FROM t' },
  { sql: 'DROP VIEW v' },
  { sql: "COMMENT ON TABLE t IS 'hello'" },
  { sql: "COMMENT ON COLUMN t.a IS 'hello'" },
  { sql: 'GRANT SELECT ON t TO PUBLIC' },
  // ---- types / domains
  { sql: "ALTER TYPE mood ADD VALUE 'angry'" },
  { sql: "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'" },
  { sql: 'CREATE DOMAIN posint2 AS int CHECK (VALUE > 0)' },
  { sql: 'ALTER DOMAIN posint ADD CONSTRAINT posint_pos CHECK (VALUE > 0)' },
  { sql: 'ALTER DOMAIN posint ADD CONSTRAINT posint_pos CHECK (VALUE > 0) NOT VALID' },
  { sql: 'ALTER DOMAIN posint SET NOT NULL' },
  // ---- DML
  { sql: 'UPDATE t SET a = 1' },
  { sql: 'DELETE FROM t' },
  { sql: 'INSERT INTO t SELECT id + 1000, a, b, c, n FROM t' },
  { sql: 'DELETE FROM u WHERE id = 500', given: REF_U },
  // ---- misc
  { sql: 'CREATE STATISTICS t_stat ON a, n FROM t' },
  { sql: 'ALTER SEQUENCE s RESTART WITH 100' },
  { sql: 'ALTER SEQUENCE s INCREMENT BY 2' },
  { sql: 'ALTER SEQUENCE s AS bigint' },
];

const SHORT: Record<string, string> = {
  AccessShareLock: 'AccessShare',
  RowShareLock: 'RowShare',
  RowExclusiveLock: 'RowExclusive',
  ShareUpdateExclusiveLock: 'ShareUpdateExclusive',
  ShareLock: 'Share',
  ShareRowExclusiveLock: 'ShareRowExclusive',
  ExclusiveLock: 'Exclusive',
  AccessExclusiveLock: 'AccessExclusive',
};

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function fmtLocks(o: Observation): string {
  if (!o.ok) return '—';
  if (!o.locksObservable) return '_not observable (ran outside a transaction)_';
  const byRel = new Map<string, string[]>();
  for (const l of o.locks) {
    const list = byRel.get(l.relation) ?? [];
    list.push(l.mode);
    byRel.set(l.relation, list);
  }
  const parts: string[] = [];
  for (const [rel, modes] of byRel) {
    modes.sort((a, b) => lockStrength(b) - lockStrength(a));
    const [strongest, ...rest] = modes.map((m) => SHORT[m] ?? m);
    parts.push(`**${rel}**: ${strongest ?? ''}${rest.length > 0 ? ` (+${rest.join(', ')})` : ''}`);
  }
  return parts.length > 0 ? parts.join('<br>') : '(none)';
}

function list(xs: string[]): string {
  return xs.length > 0 ? xs.join(', ') : '';
}

function fmtNotes(o: Observation): string {
  const parts: string[] = [];
  if (!o.ok && o.error !== undefined) parts.push(`ERROR: ${o.error}`);
  if (o.created.length > 0) parts.push(`created: ${o.created.join(', ')}`);
  if (o.dropped.length > 0) parts.push(`dropped: ${o.dropped.join(', ')}`);
  if (o.objectLocks.length > 0) {
    parts.push(`object locks: ${o.objectLocks.map((l) => `${l.object} ${SHORT[l.mode] ?? l.mode}`).join('; ')}`);
  }
  for (const n of o.notes) {
    if (n.startsWith('ran outside a transaction')) continue;
    if (n.startsWith('refused a transaction block')) {
      parts.push('non-transactional');
      continue;
    }
    parts.push(n);
  }
  return parts.join('; ');
}

interface Result {
  c: Case;
  o: Observation;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const only = onlyArg !== undefined ? new RegExp(onlyArg.slice('--only='.length), 'i') : undefined;
  const cases = only === undefined ? CASES : CASES.filter((c) => only.test(c.sql) || only.test(c.given ?? ''));

  const base = await PGlite.create();
  await base.exec(BASE_SETUP);
  await base.exec('VACUUM ANALYZE'); // must be its own query (no implicit transaction block)
  const version = (await base.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '?';
  const tz = (await base.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0]?.tz ?? '?';

  const results: Result[] = [];
  for (const c of cases) {
    const db = await base.clone();
    try {
      if (c.given !== undefined) await db.exec(c.given);
      const o = await observe(db, c.sql, c.opts);
      results.push({ c, o });
      process.stderr.write(`${o.ok ? 'ok ' : 'ERR'} ${c.sql}\n`);
    } finally {
      await db.close();
    }
  }
  await base.close();

  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }

  const out: string[] = [];
  out.push(`<!-- server: ${version}; default TimeZone: ${tz}; ${results.length} cases -->`);
  out.push('');
  out.push('| # | statement | given (setup, not observed) | locks held after the statement (strongest first) | rewritten | seq scanned | index scanned | fast default | notes |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  results.forEach(({ c, o }, i) => {
    out.push(
      `| ${i + 1} | \`${md(c.sql)}\` | ${c.given !== undefined ? `\`${md(c.given)}\`` : ''} | ${fmtLocks(o)} | ${md(list(o.rewritten))} | ${md(list(o.seqScanned))} | ${md(list(o.idxScanned))} | ${md(list(o.fastDefault))} | ${md(fmtNotes(o))} |`,
    );
  });
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
