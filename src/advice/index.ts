/**
 * Shared wording and recipe building blocks for rules: how a lock is described, the lock_timeout
 * preamble, and batched backfills. Recipes use the statement's real identifiers, quoted as needed.
 */
import { describeBlocked, type LockMode } from '../pg/locks.ts';
import type { SafeStep } from '../findings/model.ts';
import { VERSION_FEATURES } from '../pg/facts.ts';
import { displayRel, quoteIdent } from '../parse/ast.ts';
import type { Schema } from '../analyze/schema.ts';
import { batchedByKeyRange, batchedByPredicate, primaryKey, repeatedBatch } from './batched-update.ts';
export { primaryKey, untilNoRowsUpdated } from './batched-update.ts';

const DEFAULT_LOCK_TIMEOUT = "SET lock_timeout = '2s';";

/** "ACCESS EXCLUSIVE lock on users (blocks all reads and writes)". */
export function lockPhrase(mode: LockMode, relations: string[]): string {
  const rels = relations.map(displayRel).join(', ');
  return `${mode} lock on ${rels || 'the table'} (blocks ${describeBlocked(mode)})`;
}

/** Wraps SQL with the lock_timeout preamble so a blocked lock request fails fast instead of queueing traffic. */
export function withLockTimeout(sql: string): string {
  return `${DEFAULT_LOCK_TIMEOUT}\n${sql}`;
}

/**
 * A batched backfill of `column` with `valueSql`, committing each batch so that row locks and WAL
 * stay bounded and autovacuum keeps up. Walks a single-column primary key in ranges when there is
 * one (terminates whatever the value); otherwise re-selects rows matching `predicate` (default
 * `column IS NULL`). Before PostgreSQL 11 a DO block cannot COMMIT: one batch to repeat.
 */
export function batchedBackfill(schema: Schema, table: string, column: string, valueSql: string, opts: { pgVersion?: number; predicate?: string } = {}): SafeStep {
  const col = quoteIdent(column);
  const set = `${col} = ${valueSql}`;
  const predicate = opts.predicate ?? `${col} IS NULL`;
  // Key ranges cannot walk the column being filled (ADD COLUMN id … PRIMARY KEY): it is NULL until then.
  const keyIsColumn = primaryKey(schema, table)?.includes(column) === true;
  const step =
    opts.pgVersion !== undefined && opts.pgVersion < VERSION_FEATURES.doBlockCommit
      ? repeatedBatch(schema, table, set, predicate)
      : ((keyIsColumn ? undefined : batchedByKeyRange(schema, table, set)) ?? batchedByPredicate(schema, table, set, predicate));
  return { ...step, title: `Backfill ${displayRel(table)}.${col}: ${step.title.charAt(0).toLowerCase()}${step.title.slice(1)}` };
}

/** Name for a helper constraint, kept within Postgres' 63-byte identifier limit. */
export function helperName(table: string, column: string, suffix: string): string {
  const rel = table.slice(table.indexOf('.') + 1);
  const base = `${rel}_${column}`;
  const max = 63 - suffix.length - 1;
  return `${Buffer.byteLength(base) > max ? base.slice(0, max) : base}_${suffix}`;
}

/**
 * Steps that make `column` NOT NULL without a long ACCESS EXCLUSIVE scan, for the target version:
 * PG 18 native NOT NULL NOT VALID; PG 12–17 a CHECK that SET NOT NULL can use; PG 11 has no online path.
 */
export function notNullSteps(table: string, column: string, pgVersion: number): { steps: SafeStep[]; note?: string } {
  const rel = displayRel(table);
  const col = quoteIdent(column);
  if (pgVersion >= VERSION_FEATURES.notNullNotValid) {
    const name = quoteIdent(helperName(table, column, 'not_null'));
    return {
      steps: [
        {
          title: 'Add the NOT NULL constraint without checking existing rows (brief ACCESS EXCLUSIVE, no scan)',
          sql: withLockTimeout(`ALTER TABLE ${rel} ADD CONSTRAINT ${name} NOT NULL ${col} NOT VALID;`),
          transaction: 'own',
        },
        {
          title: 'Validate it: scans under SHARE UPDATE EXCLUSIVE, reads and writes continue; the column becomes NOT NULL',
          sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${name};`,
          transaction: 'own',
        },
      ],
    };
  }
  const check = quoteIdent(helperName(table, column, 'not_null'));
  const steps: SafeStep[] = [
    {
      title: 'Add a CHECK (… IS NOT NULL) without checking existing rows (brief ACCESS EXCLUSIVE, no scan)',
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID;`),
      transaction: 'own',
    },
    {
      title: 'Validate it: scans under SHARE UPDATE EXCLUSIVE, reads and writes continue',
      sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${check};`,
      transaction: 'own',
    },
    {
      title: pgVersion >= VERSION_FEATURES.setNotNullUsesCheck ? 'SET NOT NULL now uses the validated CHECK instead of scanning; then drop the helper' : 'SET NOT NULL (PostgreSQL 11 still scans here)',
      sql: withLockTimeout(`ALTER TABLE ${rel} ALTER COLUMN ${col} SET NOT NULL;\nALTER TABLE ${rel} DROP CONSTRAINT ${check};`),
      transaction: 'own',
    },
  ];
  return {
    steps,
    note: pgVersion < VERSION_FEATURES.setNotNullUsesCheck ? 'PostgreSQL 11 and older cannot use a CHECK constraint to skip the SET NOT NULL scan: upgrade, or keep the CHECK constraint instead of NOT NULL.' : undefined,
  };
}
