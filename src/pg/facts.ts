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
import type { OperationFact, OperationId } from './operation-types.ts';
import { ALTER_TABLE_OPERATIONS } from './operations-alter-table.ts';
import { OBJECT_OPERATIONS } from './operations-objects.ts';

export type { Effect, LockTarget, OperationFact, OperationId } from './operation-types.ts';

/** Major version features that change a hazard. */
export const VERSION_FEATURES = {
  /** GENERATED … AS IDENTITY columns. */
  identityColumns: 10,
  /** ADD COLUMN with a non-volatile default stores it in the catalog (no rewrite). */
  fastDefault: 11,
  /** A DO block (or procedure) may COMMIT, so a batched backfill can commit each batch. */
  doBlockCommit: 11,
  /** CREATE TRIGGER … EXECUTE FUNCTION (EXECUTE PROCEDURE before). */
  triggerExecuteFunction: 11,
  /** BEFORE ROW triggers on a partitioned table (before: one per partition). */
  partitionedBeforeRowTriggers: 13,
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

/** Every operation, by statement family (ALTER TABLE subcommands, then whole-object statements). */
export const OPERATIONS: Record<OperationId, OperationFact> = { ...ALTER_TABLE_OPERATIONS, ...OBJECT_OPERATIONS };
