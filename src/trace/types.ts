/**
 * The shapes of `zerodown trace`: its options and the report (JSON output version 1) every trace
 * module reads or fills. Types only.
 */
import type { EngineOptions } from '../engine/engine.ts';
import type { TxKind } from '../analyze/session.ts';
import type { Finding, LockSummary, Severity } from '../findings/model.ts';
import type { Rule } from '../kit/rule.ts';
import type { Blocked, LockMode } from '../pg/locks.ts';
import type { MigrationFormat } from '../source/formats.ts';

export interface TraceOptions {
  /**
   * The options lint uses (rules, lock_timeout in force, runner, transactions, target version): the
   * prediction next to each traced statement is analyzeSql with these, except that it uses the traced
   * server's major version (the report says so when it differs from engine.pgVersion).
   */
  engine: EngineOptions;
  /** The rules to predict with (default: all of zerodown's). */
  rules?: readonly Rule[];
  /** Real server: a scratch database is created there and dropped afterwards. */
  databaseUrl?: string;
  seedFile?: string;
  checkDown: boolean;
  cwd: string;
  include?: string[];
  exclude?: string[];
  /** Force this migration file format instead of detecting it per file. */
  migrationFormat?: MigrationFormat;
  /** Server traces: longest a single statement may run before the trace cancels it (default 60 s; 0 = no limit). PGlite cannot interrupt a running statement. */
  statementTimeoutMs?: number;
  onProgress?: (msg: string) => void;
}

/** What happened to the scratch database (server traces): said only after it happened. */
export interface ScratchCleanup {
  database: string;
  dropped: boolean;
  /** e.g. "dropped scratch database zerodown_trace_ab12 and role zerodown_trace_ab12", or why it could not. */
  message: string;
}

export interface LockEntry {
  /** `schema.name` */
  relation: string;
  /** pg_class.relkind */
  relkind: string;
  mode: LockMode;
  blocks: Blocked[];
}

export type StatementStatus = 'traced' | 'failed' | 'untraceable' | 'skipped';

/** Why a statement did not trace cleanly. */
export type ErrorCategory =
  | 'missing-extension'
  | 'missing-object'
  | 'depends-on-failed'
  | 'data'
  | 'transaction-block'
  | 'syntax'
  | 'duplicate-object'
  | 'privilege'
  | 'unsupported'
  | 'cluster-wide'
  | 'timeout'
  | 'other';

export interface StatementError {
  message: string;
  code?: string;
  category: ErrorCategory;
}

export interface PredictedOp {
  op: string;
  relation: string;
  mode: LockMode;
  rewrite: boolean;
  scan: boolean;
  existing: boolean;
  reason?: string;
}

export interface Prediction {
  /** Operations the analyzer derives for the statement (src/analyze/effects.ts statementOps). */
  ops: PredictedOp[];
  /** summarize(ops) over every relation (not only pre-existing ones). */
  summary: LockSummary | null;
}

export interface Disagreement {
  aspect: 'lock' | 'rewrite' | 'scan';
  relation: string;
  predicted: string;
  observed: string;
}

export interface CatalogChange {
  object: 'relation' | 'column' | 'constraint' | 'index';
  change: 'added' | 'dropped' | 'changed';
  name: string;
  detail: string;
}

export interface TraceFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  relation: string;
  /** The lock held during the scan/rewrite. */
  mode: LockMode;
  /** The linter reported the same rule on this statement. */
  lintAgrees: boolean;
}

export interface TracedStatement {
  /** 1-based position among the file's traced statements. */
  n: number;
  line: number;
  column: number;
  /** The statement, whitespace-collapsed, at most 160 characters. */
  sql: string;
  kind: string;
  /** Transaction number within the file (autocommit statements get their own), and how it was opened. */
  tx: number;
  txKind: TxKind;
  status: StatementStatus;
  error?: StatementError;
  durationMs: number;
  /** false when the statement ran outside a transaction (CONCURRENTLY, VACUUM): its locks are unknown, not absent. */
  locksObservable: boolean;
  /** Locks held when it started (from earlier statements of the same transaction). */
  heldBefore: LockEntry[];
  /** Locks it acquired (modes not held before it). */
  acquired: LockEntry[];
  /** Locks held right after it (still held until the transaction ends). */
  heldAfter: LockEntry[];
  rewritten: string[];
  seqScanned: string[];
  /** `table.column` that took the fast-default path (pg_attribute.atthasmissing). */
  fastDefault: string[];
  catalog: CatalogChange[];
  /** null when the analyzer makes no per-statement claim (DO blocks, function bodies). */
  predicted: Prediction | null;
  disagreements: Disagreement[];
  /** Rule ids the linter reported on this statement. */
  lint: string[];
  findings: TraceFinding[];
  notes: string[];
}

export interface TxTrace {
  tx: number;
  kind: TxKind;
  /** Statement numbers (`n`) in the transaction. */
  statements: number[];
}

export interface TracedFile {
  path: string;
  format: MigrationFormat;
  runner: string | null;
  statements: TracedStatement[];
  transactions: TxTrace[];
  notes: string[];
  /** Lint findings (the same run `zerodown lint` would make over this plan); `internal-error` when the analyzer failed on the file. */
  lintFindings: Pick<Finding, 'ruleId' | 'severity' | 'line' | 'column' | 'message'>[];
  durationMs: number;
}

export interface DownCheck {
  migration: string;
  up: string;
  down: string | null;
  status: 'ok' | 'missing' | 'failed' | 'differs' | 'up-again-failed' | 'not-checked';
  /** Objects whose definition after the down differs from before the up. */
  differences: string[];
  errors: string[];
  notes: string[];
}

export interface TraceReport {
  version: 1;
  backend: { kind: 'pglite' | 'server'; description: string; database?: string; serverVersion: string; extensions: string[]; cleanup?: ScratchCleanup };
  /** The version the static prediction used (the server's). */
  predictionVersion: number;
  requestedPgVersion: number;
  /** `before`: the traced file the seed was loaded before. */
  seed?: { path: string; ok: boolean; error?: string; durationMs: number; before?: string };
  files: TracedFile[];
  downChecks: DownCheck[];
  history: { files: number; statements: number; failed: number; durationMs: number };
  summary: {
    files: number;
    statements: number;
    traced: number;
    failed: number;
    untraceable: number;
    skipped: number;
    findings: number;
    errorFindings: number;
    disagreements: number;
    downProblems: number;
    /** The analyzer failed on a file (a zerodown bug): its prediction is missing, said as an internal-error finding. */
    internalErrors: number;
    byCategory: Partial<Record<ErrorCategory, number>>;
  };
  fatal: { path: string; message: string }[];
  notes: string[];
  limitations: string[];
  durationMs: number;
}
