/** Every rule, in the order `zerodown rules` lists them (locking, app compatibility, hygiene, design). */
import type { Rule } from '../src/kit/rule.ts';
import addColumnRequired from './add-column-required.ts';
import addColumnRewrite from './add-column-rewrite.ts';
import attachPartitionScan from './attach-partition-scan.ts';
import backfillUnderLock from './backfill-under-lock.ts';
import banChar from './ban-char.ts';
import columnTypeRewrite from './column-type-rewrite.ts';
import concurrentInTransaction from './concurrent-in-transaction.ts';
import constraintBuildsIndex from './constraint-builds-index.ts';
import constraintValidationScan from './constraint-validation-scan.ts';
import detachPartitionNotConcurrent from './detach-partition-not-concurrent.ts';
import domainConstraint from './domain-constraint.ts';
import dropColumn from './drop-column.ts';
import modelStaleIgnore from './model-stale-ignore.ts';
import dropIndexNotConcurrent from './drop-index-not-concurrent.ts';
import dropIndexBeforeReplacement from './drop-index-before-replacement.ts';
import dropIndexStillUsed from './drop-index-still-used.ts';
import dropTable from './drop-table.ts';
import editedAppliedMigration from './edited-applied-migration.ts';
import enumValueInTransaction from './enum-value-in-transaction.ts';
import identifierTooLong from './identifier-too-long.ts';
import indexNotConcurrent from './index-not-concurrent.ts';
import lockTimeoutMissing from './lock-timeout-missing.ts';
import locksHeldAcrossStatements from './locks-held-across-statements.ts';
import parseError from './parse-error.ts';
import unanalyzableSql from './unanalyzable-sql.ts';
import preferBigint from './prefer-bigint.ts';
import preferIdentity from './prefer-identity.ts';
import preferJsonb from './prefer-jsonb.ts';
import preferRobustStatements from './prefer-robust-statements.ts';
import preferText from './prefer-text.ts';
import preferTimestamptz from './prefer-timestamptz.ts';
import refreshMatviewBlocking from './refresh-matview-blocking.ts';
import reindexNotConcurrent from './reindex-not-concurrent.ts';
import renameColumn from './rename-column.ts';
import renameTable from './rename-table.ts';
import setNotNullScan from './set-not-null-scan.ts';
import tableRewrite from './table-rewrite.ts';
import transactionNesting from './transaction-nesting.ts';
import truncate from './truncate.ts';
import validateInSameTransaction from './validate-in-same-transaction.ts';
import banDropNotNull from './ban-drop-not-null.ts';
import createDomainWithConstraint from './create-domain-with-constraint.ts';
import duplicateColumnAssignment from './duplicate-column-assignment.ts';
import enumValueOrdering from './enum-value-ordering.ts';
import requireTableSchema from './require-table-schema.ts';
import statementTimeoutMissing from './statement-timeout-missing.ts';
import indexTooManyColumns from './index-too-many-columns.ts';

export const RULES: readonly Rule[] = [
  parseError,
  unanalyzableSql,
  addColumnRewrite,
  addColumnRequired,
  setNotNullScan,
  indexNotConcurrent,
  dropIndexNotConcurrent,
  dropIndexBeforeReplacement,
  reindexNotConcurrent,
  detachPartitionNotConcurrent,
  refreshMatviewBlocking,
  concurrentInTransaction,
  constraintValidationScan,
  validateInSameTransaction,
  constraintBuildsIndex,
  columnTypeRewrite,
  tableRewrite,
  attachPartitionScan,
  backfillUnderLock,
  locksHeldAcrossStatements,
  lockTimeoutMissing,
  statementTimeoutMissing,
  enumValueInTransaction,
  enumValueOrdering,
  domainConstraint,
  createDomainWithConstraint,
  renameColumn,
  renameTable,
  banDropNotNull,
  dropColumn,
  modelStaleIgnore,
  dropTable,
  dropIndexStillUsed,
  truncate,
  transactionNesting,
  editedAppliedMigration,
  duplicateColumnAssignment,
  requireTableSchema,
  identifierTooLong,
  preferBigint,
  preferIdentity,
  preferText,
  preferTimestamptz,
  preferJsonb,
  banChar,
  indexTooManyColumns,
  preferRobustStatements,
];
