/**
 * Facts about PostgreSQL operations, as data: the lock each operation takes on each relation it
 * touches, whether it rewrites or scans the table, and what changed in which major version.
 * Rules and the analyzer read these; nothing else states a lock mode. Each entry carries an
 * executable example that the trace suite runs on a real Postgres to prove the claim.
 *
 * Sources: "ALTER TABLE", "CREATE INDEX", "Explicit Locking" chapters of the PostgreSQL manual
 * (https://www.postgresql.org/docs/current/sql-altertable.html,
 *  https://www.postgresql.org/docs/current/explicit-locking.html) and observation (docs/observed-locks-pg18.md).
 */
import type { LockMode } from './locks.ts';

/** Which relation of the statement a lock applies to. */
export type LockTarget =
  | 'table' // the statement's target table
  | 'referenced' // the table a foreign key points to
  | 'index' // the index named by the statement
  | 'parent' // partitioned parent (ATTACH/DETACH)
  | 'partition'; // the partition being attached/detached

/** yes/no, or depends: decided by the analyzer from the statement and the schema. */
export type Effect = 'yes' | 'no' | 'depends';

export interface OperationFact {
  title: string;
  locks: Partial<Record<LockTarget, LockMode>>;
  rewrite: Effect;
  scan: Effect;
  /** Cannot run inside a transaction block. */
  noTransaction?: boolean;
  /** What `depends` depends on, and version notes. */
  notes?: string;
  /**
   * Proof: run `setup` (tables t(id int primary key, a int, b text, c varchar(10), n numeric(10,2))
   * and u(id int primary key), both with rows, created by the trace suite) then `sql`.
   * `expect` states the observed outcome when it differs from the fact's default (for depends).
   */
  example?: { setup?: string; sql: string; rewrite?: boolean; scan?: boolean; minVersion?: number; appendCurrentDatabase?: boolean };
}

/** Major version features that change a hazard. */
export const VERSION_FEATURES = {
  /** ADD COLUMN with a non-volatile default stores it in the catalog (no rewrite). */
  fastDefault: 11,
  /** SET NOT NULL skips the scan when a validated CHECK (col IS NOT NULL) exists. */
  setNotNullUsesCheck: 12,
  reindexConcurrently: 12,
  /** ALTER TYPE … ADD VALUE may run in a transaction block (the value is unusable until commit). */
  enumAddValueInTransaction: 12,
  /** ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the parent instead of ACCESS EXCLUSIVE. */
  attachPartitionWeakLock: 12,
  /** timestamp ↔ timestamptz skips the rewrite when the session TimeZone is UTC. */
  timestampTimeZoneUtcNoRewrite: 12,
  detachConcurrently: 14,
  /** ALTER TABLE … ADD CONSTRAINT … NOT NULL … NOT VALID, and VIRTUAL generated columns. */
  notNullNotValid: 18,
  virtualGenerated: 18,
} as const;

/**
 * TimeZone values with a fixed zero UTC offset. PostgreSQL 12+ skips the timestamp ↔ timestamptz
 * rewrite when the session TimeZone has a fixed offset of zero (tablecmds.c asks
 * pg_get_timezone_offset() for the zone; a zone with daylight-saving rules such as Europe/London
 * does not qualify). Names from the IANA database shipped with PostgreSQL, compared lower-case
 * (https://www.postgresql.org/docs/current/datatype-datetime.html#DATATYPE-TIMEZONES).
 */
export const ZERO_OFFSET_TIME_ZONES: ReadonlySet<string> = new Set([
  'utc', 'etc/utc', 'uct', 'etc/uct', 'universal', 'etc/universal', 'zulu', 'etc/zulu',
  'gmt', 'etc/gmt', 'gmt0', 'etc/gmt0', 'gmt+0', 'etc/gmt+0', 'gmt-0', 'etc/gmt-0', 'greenwich', 'etc/greenwich',
]);

export type OperationId =
  | 'add-column'
  | 'drop-column'
  | 'alter-column-type'
  | 'set-default'
  | 'drop-default'
  | 'set-not-null'
  | 'drop-not-null'
  | 'add-check'
  | 'add-foreign-key'
  | 'add-unique'
  | 'add-primary-key'
  | 'add-constraint-using-index'
  | 'add-exclusion'
  | 'add-not-null-constraint'
  | 'validate-constraint'
  | 'validate-foreign-key'
  | 'drop-constraint'
  | 'rename'
  | 'rename-index'
  | 'set-tablespace'
  | 'set-logged'
  | 'set-access-method'
  | 'set-storage-params'
  | 'set-statistics'
  | 'set-storage'
  | 'set-compression'
  | 'toggle-trigger'
  | 'replica-identity'
  | 'owner'
  | 'row-security'
  | 'cluster-on'
  | 'identity'
  | 'inherit'
  | 'attach-partition'
  | 'detach-partition'
  | 'detach-partition-concurrently'
  | 'alter-table-other'
  | 'create-table'
  | 'create-table-with-fk'
  | 'create-index'
  | 'create-index-concurrently'
  | 'drop-index'
  | 'drop-index-concurrently'
  | 'reindex'
  | 'reindex-concurrently'
  | 'reindex-schema'
  | 'reindex-database'
  | 'drop-table'
  | 'truncate'
  | 'vacuum'
  | 'vacuum-full'
  | 'analyze'
  | 'cluster'
  | 'refresh-matview'
  | 'refresh-matview-concurrently'
  | 'lock-table'
  | 'create-trigger'
  | 'drop-trigger'
  | 'create-policy'
  | 'create-view'
  | 'comment'
  | 'enum-add-value'
  | 'alter-domain-add-constraint'
  | 'alter-domain-validate'
  | 'update'
  | 'delete'
  | 'insert';

export const OPERATIONS: Record<OperationId, OperationFact> = {
  'add-column': {
    title: 'ALTER TABLE … ADD COLUMN',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'depends',
    scan: 'no',
    notes:
      'Rewrites when the default is volatile, for GENERATED … STORED, serial and identity columns, and for any non-null default before PostgreSQL 11. A constant or stable default (e.g. now()) is stored in the catalog since 11. A CHECK or UNIQUE on the new column scans the table; a REFERENCES with a non-null default scans both tables.',
    example: { sql: 'ALTER TABLE t ADD COLUMN x int DEFAULT 0', rewrite: false },
  },
  'drop-column': {
    title: 'ALTER TABLE … DROP COLUMN',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t DROP COLUMN b' },
  },
  'alter-column-type': {
    title: 'ALTER TABLE … ALTER COLUMN … TYPE',
    locks: { table: 'ACCESS EXCLUSIVE', referenced: 'ACCESS EXCLUSIVE' },
    rewrite: 'depends',
    scan: 'depends',
    notes:
      'No rewrite for binary-coercible changes (varchar→text, varchar(n)→varchar(m≥n), numeric precision increase at the same scale); the table and its indexes are rewritten otherwise. A column with a foreign key also takes ACCESS EXCLUSIVE on the referenced table (the FK triggers are rebuilt).',
    example: { sql: 'ALTER TABLE t ALTER COLUMN a TYPE bigint', rewrite: true },
  },
  'set-default': {
    title: 'ALTER TABLE … ALTER COLUMN … SET DEFAULT',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t ALTER COLUMN a SET DEFAULT 1' },
  },
  'drop-default': {
    title: 'ALTER TABLE … ALTER COLUMN … DROP DEFAULT',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t ALTER COLUMN a DROP DEFAULT' },
  },
  'set-not-null': {
    title: 'ALTER TABLE … ALTER COLUMN … SET NOT NULL',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    notes: 'Scans the whole table unless (PostgreSQL 12+) a validated CHECK (col IS NOT NULL) constraint proves it.',
    example: { sql: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL', scan: true },
  },
  'drop-not-null': {
    title: 'ALTER TABLE … ALTER COLUMN … DROP NOT NULL',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { setup: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL', sql: 'ALTER TABLE t ALTER COLUMN a DROP NOT NULL' },
  },
  'add-check': {
    title: 'ALTER TABLE … ADD CHECK',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    notes: 'Scans the table to validate unless NOT VALID.',
    example: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)', scan: true },
  },
  'add-foreign-key': {
    title: 'ALTER TABLE … ADD FOREIGN KEY',
    locks: { table: 'SHARE ROW EXCLUSIVE', referenced: 'SHARE ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    notes: 'Validates every row (a scan of the referencing table and lookups in the referenced one) unless NOT VALID.',
    example: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u(id)', scan: true },
  },
  'add-unique': {
    title: 'ALTER TABLE … ADD UNIQUE',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Builds a unique index while holding ACCESS EXCLUSIVE.',
    example: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)' },
  },
  'add-primary-key': {
    title: 'ALTER TABLE … ADD PRIMARY KEY',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Builds a unique index, and scans for NULLs when the columns are not yet NOT NULL.',
    example: { setup: 'CREATE TABLE k (a int); INSERT INTO k SELECT g FROM generate_series(1,100) g', sql: 'ALTER TABLE k ADD PRIMARY KEY (a)' },
  },
  'add-constraint-using-index': {
    title: 'ALTER TABLE … ADD CONSTRAINT … USING INDEX',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    notes: 'Turns an existing unique index into a constraint: a catalog change only (PRIMARY KEY still scans for NULLs when a column is nullable).',
    example: { setup: 'CREATE UNIQUE INDEX t_a_uniq ON t (a)', sql: 'ALTER TABLE t ADD CONSTRAINT t_a_uniq UNIQUE USING INDEX t_a_uniq' },
  },
  'add-exclusion': {
    title: 'ALTER TABLE … ADD EXCLUDE',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Builds its index under ACCESS EXCLUSIVE; there is no NOT VALID or USING INDEX path.',
    example: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_excl EXCLUDE USING btree (a WITH =)' },
  },
  'add-not-null-constraint': {
    title: 'ALTER TABLE … ADD CONSTRAINT … NOT NULL',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    notes: 'PostgreSQL 18: scans unless NOT VALID; VALIDATE CONSTRAINT later takes SHARE UPDATE EXCLUSIVE.',
    example: { sql: 'ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID', scan: false, minVersion: 18 },
  },
  'validate-constraint': {
    title: 'ALTER TABLE … VALIDATE CONSTRAINT',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Scans while holding only SHARE UPDATE EXCLUSIVE: reads and writes continue.',
    example: { setup: 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID', sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_a_pos' },
  },
  'validate-foreign-key': {
    title: 'ALTER TABLE … VALIDATE CONSTRAINT (foreign key)',
    locks: { table: 'SHARE UPDATE EXCLUSIVE', referenced: 'ROW SHARE' },
    rewrite: 'no',
    scan: 'yes',
    example: {
      setup: 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u(id) NOT VALID',
      sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_a_fk',
    },
  },
  'drop-constraint': {
    title: 'ALTER TABLE … DROP CONSTRAINT',
    locks: { table: 'ACCESS EXCLUSIVE', referenced: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { setup: 'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID', sql: 'ALTER TABLE t DROP CONSTRAINT t_a_pos' },
  },
  rename: {
    title: 'ALTER TABLE … RENAME',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t RENAME COLUMN b TO b2' },
  },
  'rename-index': {
    title: 'ALTER INDEX … RENAME',
    locks: { index: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    notes: 'SHARE UPDATE EXCLUSIVE since PostgreSQL 12 (ACCESS EXCLUSIVE before).',
    example: { sql: 'ALTER INDEX t_a_idx RENAME TO t_a_idx2' },
  },
  'set-tablespace': {
    title: 'ALTER TABLE … SET TABLESPACE',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'depends',
    scan: 'no',
    notes: 'Copies every data file to the new tablespace (no rewrite when the table is already there, e.g. SET TABLESPACE pg_default on a table created without TABLESPACE).',
    example: { sql: 'ALTER TABLE t SET TABLESPACE pg_default', rewrite: false },
  },
  'set-logged': {
    title: 'ALTER TABLE … SET LOGGED / UNLOGGED',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'yes',
    example: { sql: 'ALTER TABLE t SET UNLOGGED' },
  },
  'set-access-method': {
    title: 'ALTER TABLE … SET ACCESS METHOD',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'depends',
    scan: 'depends',
    notes: 'No rewrite when the table already uses that access method (heap is the default).',
    example: { sql: 'ALTER TABLE t SET ACCESS METHOD heap', rewrite: false },
  },
  'set-storage-params': {
    title: 'ALTER TABLE … SET ( storage parameter )',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    notes: 'fillfactor, autovacuum and toast parameters take SHARE UPDATE EXCLUSIVE; a few others ACCESS EXCLUSIVE.',
    example: { sql: 'ALTER TABLE t SET (fillfactor = 70)' },
  },
  'set-statistics': {
    title: 'ALTER TABLE … ALTER COLUMN … SET STATISTICS',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 500' },
  },
  'set-storage': {
    title: 'ALTER TABLE … ALTER COLUMN … SET STORAGE',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL' },
  },
  'set-compression': {
    title: 'ALTER TABLE … ALTER COLUMN … SET COMPRESSION',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz' },
  },
  'toggle-trigger': {
    title: 'ALTER TABLE … ENABLE / DISABLE TRIGGER',
    locks: { table: 'SHARE ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t DISABLE TRIGGER ALL' },
  },
  'replica-identity': {
    title: 'ALTER TABLE … REPLICA IDENTITY',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t REPLICA IDENTITY FULL' },
  },
  owner: {
    title: 'ALTER TABLE … OWNER TO',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t OWNER TO CURRENT_USER' },
  },
  'row-security': {
    title: 'ALTER TABLE … ENABLE / DISABLE ROW LEVEL SECURITY',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t ENABLE ROW LEVEL SECURITY' },
  },
  'cluster-on': {
    title: 'ALTER TABLE … CLUSTER ON / SET WITHOUT CLUSTER',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE t CLUSTER ON t_a_idx' },
  },
  identity: {
    title: 'ALTER TABLE … ALTER COLUMN … ADD/SET/DROP IDENTITY',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: {
      setup: 'ALTER TABLE t ALTER COLUMN a SET NOT NULL',
      sql: 'ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY',
    },
  },
  inherit: {
    title: 'ALTER TABLE … INHERIT / NO INHERIT',
    locks: { table: 'ACCESS EXCLUSIVE', parent: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { setup: 'CREATE TABLE t_parent (id int, a int, b text, c varchar(10), n numeric(10,2))', sql: 'ALTER TABLE t INHERIT t_parent' },
  },
  'attach-partition': {
    title: 'ALTER TABLE … ATTACH PARTITION',
    locks: { parent: 'SHARE UPDATE EXCLUSIVE', partition: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    notes:
      'Scans the partition to check the bound unless a validated CHECK constraint implies it (and the DEFAULT partition, if any, for rows that now belong to the new one). The parent took ACCESS EXCLUSIVE before PostgreSQL 12.',
    example: { sql: "ALTER TABLE p ATTACH PARTITION p_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", scan: true },
  },
  'detach-partition': {
    title: 'ALTER TABLE … DETACH PARTITION',
    locks: { parent: 'ACCESS EXCLUSIVE', partition: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ALTER TABLE p DETACH PARTITION p_2024' },
  },
  'detach-partition-concurrently': {
    title: 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY',
    locks: { parent: 'SHARE UPDATE EXCLUSIVE', partition: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    noTransaction: true,
    notes: 'PostgreSQL 14+. Cannot run in a transaction block.',
    example: { sql: 'ALTER TABLE p DETACH PARTITION p_2024 CONCURRENTLY' },
  },
  'alter-table-other': {
    title: 'ALTER TABLE',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: {
      setup: 'ALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES u (id)',
      sql: 'ALTER TABLE t ALTER CONSTRAINT t_a_fk DEFERRABLE',
    },
  },
  'create-table': {
    title: 'CREATE TABLE',
    locks: {},
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'CREATE TABLE n (id int)' },
  },
  'create-table-with-fk': {
    title: 'CREATE TABLE … REFERENCES',
    locks: { referenced: 'SHARE ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    notes: 'The new table is empty, but the foreign key takes SHARE ROW EXCLUSIVE on the referenced table (writes to it wait).',
    example: { sql: 'CREATE TABLE n (id int, u_id int REFERENCES u(id))' },
  },
  'create-index': {
    title: 'CREATE INDEX',
    locks: { table: 'SHARE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Reads continue; writes wait for the whole build, which grows with the table.',
    example: { sql: 'CREATE INDEX t_b_idx ON t (b)' },
  },
  'create-index-concurrently': {
    title: 'CREATE INDEX CONCURRENTLY',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'yes',
    noTransaction: true,
    notes: 'Two table scans, waits for running transactions; reads and writes continue. Cannot run in a transaction block; a failed build leaves an INVALID index to drop.',
    example: { sql: 'CREATE INDEX CONCURRENTLY t_b_idx ON t (b)' },
  },
  'drop-index': {
    title: 'DROP INDEX',
    locks: { table: 'ACCESS EXCLUSIVE', index: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'DROP INDEX t_a_idx' },
  },
  'drop-index-concurrently': {
    title: 'DROP INDEX CONCURRENTLY',
    locks: { table: 'SHARE UPDATE EXCLUSIVE', index: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    noTransaction: true,
    example: { sql: 'DROP INDEX CONCURRENTLY t_a_idx' },
  },
  reindex: {
    title: 'REINDEX',
    locks: { table: 'SHARE', index: 'ACCESS EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'yes',
    notes: 'Blocks writes to the table, and every query that would use the index, for the whole rebuild.',
    example: { sql: 'REINDEX INDEX t_a_idx' },
  },
  'reindex-concurrently': {
    title: 'REINDEX CONCURRENTLY',
    locks: { table: 'SHARE UPDATE EXCLUSIVE', index: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'yes',
    noTransaction: true,
    notes: 'PostgreSQL 12+.',
    example: { sql: 'REINDEX INDEX CONCURRENTLY t_a_idx' },
  },
  'reindex-schema': {
    title: 'REINDEX SCHEMA',
    locks: { table: 'SHARE', index: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    noTransaction: true,
    notes:
      'Rebuilds every index of every table and materialized view in the schema, one table per transaction: each table in turn has its writes blocked (and its indexes unusable) for its whole rebuild. Tables without indexes are locked but not read. https://www.postgresql.org/docs/current/sql-reindex.html',
    example: { sql: 'REINDEX SCHEMA public', rewrite: false, scan: true },
  },
  'reindex-database': {
    title: 'REINDEX DATABASE',
    locks: { table: 'SHARE', index: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    noTransaction: true,
    notes:
      'REINDEX SCHEMA for every schema of the current database, one table per transaction (before PostgreSQL 16 the system catalogs too; the name may be omitted since 16). https://www.postgresql.org/docs/current/sql-reindex.html',
    // The statement names the database it runs in: the suite appends the case database's name.
    example: { sql: 'REINDEX DATABASE', appendCurrentDatabase: true, rewrite: false, scan: true },
  },
  'drop-table': {
    title: 'DROP TABLE',
    locks: { table: 'ACCESS EXCLUSIVE', referenced: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    notes: 'Also locks every table its foreign keys reference, to drop the FK triggers there.',
    example: { setup: 'CREATE TABLE d (id int, u_id int REFERENCES u(id))', sql: 'DROP TABLE d' },
  },
  truncate: {
    title: 'TRUNCATE',
    locks: { table: 'ACCESS EXCLUSIVE', referenced: 'ACCESS EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'no',
    example: { sql: 'TRUNCATE t CASCADE' },
  },
  vacuum: {
    title: 'VACUUM',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    noTransaction: true,
    notes: 'Reads the table page by page (not counted as a sequential scan by the statistics) under a lock that lets reads and writes continue.',
    example: { sql: 'VACUUM t' },
  },
  'vacuum-full': {
    title: 'VACUUM FULL',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'yes',
    noTransaction: true,
    example: { sql: 'VACUUM FULL t' },
  },
  analyze: {
    title: 'ANALYZE',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'ANALYZE t' },
  },
  cluster: {
    title: 'CLUSTER',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'yes',
    example: { sql: 'CLUSTER t USING t_a_idx' },
  },
  'refresh-matview': {
    title: 'REFRESH MATERIALIZED VIEW',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'yes',
    scan: 'yes',
    notes: 'Blocks reads of the view for the whole refresh.',
    example: { sql: 'REFRESH MATERIALIZED VIEW mv' },
  },
  'refresh-matview-concurrently': {
    title: 'REFRESH MATERIALIZED VIEW CONCURRENTLY',
    locks: { table: 'EXCLUSIVE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Reads continue; needs a unique index on the view.',
    example: { sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv' },
  },
  'lock-table': {
    title: 'LOCK TABLE',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    notes: 'Takes the mode it names (ACCESS EXCLUSIVE when none is named).',
    example: { sql: 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE' },
  },
  'create-trigger': {
    title: 'CREATE TRIGGER',
    locks: { table: 'SHARE ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg_fn()' },
  },
  'drop-trigger': {
    title: 'DROP TRIGGER',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { setup: 'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg_fn()', sql: 'DROP TRIGGER trg ON t' },
  },
  'create-policy': {
    title: 'CREATE POLICY',
    locks: { table: 'ACCESS EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'CREATE POLICY p ON t USING (true)' },
  },
  'create-view': {
    title: 'CREATE VIEW',
    locks: { table: 'ACCESS SHARE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'CREATE VIEW t_ids AS SELECT id FROM t' },
  },
  comment: {
    title: 'COMMENT ON',
    locks: { table: 'SHARE UPDATE EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: "COMMENT ON TABLE t IS 'x'" },
  },
  'enum-add-value': {
    title: 'ALTER TYPE … ADD VALUE',
    locks: {},
    rewrite: 'no',
    scan: 'no',
    notes: 'Before PostgreSQL 12 it cannot run in a transaction block; since 12 it can, but the new value cannot be used until the transaction commits. Takes no table lock (an EXCLUSIVE lock on the type only).',
    example: { sql: "ALTER TYPE mood ADD VALUE 'great'" },
  },
  'alter-domain-add-constraint': {
    title: 'ALTER DOMAIN … ADD CONSTRAINT',
    locks: { table: 'SHARE' },
    rewrite: 'no',
    scan: 'depends',
    notes: 'Checks every column of every table that uses the domain, blocking their writes meanwhile; with NOT VALID it locks no table and checks nothing.',
    example: { sql: 'ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0)', scan: true },
  },
  'alter-domain-validate': {
    title: 'ALTER DOMAIN … VALIDATE CONSTRAINT',
    locks: { table: 'SHARE' },
    rewrite: 'no',
    scan: 'yes',
    notes: 'Unlike ALTER TABLE … VALIDATE CONSTRAINT, it still blocks writes to every table using the domain while it checks them.',
    example: { setup: 'ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID', sql: 'ALTER DOMAIN posint VALIDATE CONSTRAINT posint_positive' },
  },
  update: {
    title: 'UPDATE',
    locks: { table: 'ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    notes: 'Row locks on every updated row until commit; a full-table UPDATE rewrites every row version (bloat, WAL).',
    example: { sql: 'UPDATE t SET a = 1', scan: true },
  },
  delete: {
    title: 'DELETE',
    locks: { table: 'ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'depends',
    example: { sql: 'DELETE FROM t WHERE id = -1', scan: false },
  },
  insert: {
    title: 'INSERT',
    locks: { table: 'ROW EXCLUSIVE' },
    rewrite: 'no',
    scan: 'no',
    example: { sql: 'INSERT INTO u VALUES (100000)' },
  },
};
