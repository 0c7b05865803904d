/** Types shared by the engine, the rules and every front door (CLI, reporters, ESLint, Action). */
import type { Blocked, LockMode } from '../pg/locks.ts';
import type { Fix } from './fix.ts';

export type Severity = 'error' | 'warning';
export type RuleSetting = Severity | 'off';
export type Direction = 'up' | 'down';

export interface LockSummary {
  mode: LockMode;
  /** Relations the statement locks in `mode` or weaker, strongest first, e.g. `public.users`. */
  relations: string[];
  blocks: Blocked[];
  rewrite: boolean;
  scan: boolean;
}

export type StepTransaction = 'own' | 'outside' | 'any';

export interface SafeStep {
  title: string;
  /** Paste-ready SQL with the statement's real, quoted identifiers. */
  sql: string;
  /** own: run in its own transaction; outside: must not run in a transaction block; any: either. */
  transaction: StepTransaction;
  /** Deploy ordering that must hold around this step, e.g. "deploy code that stops reading the column first". */
  deploy?: string;
}

export interface SafeAlternative {
  summary: string;
  steps: SafeStep[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** 1-based, UTF-16 columns; end is exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  lock: LockSummary | null;
  /** Why it matters and what to do instead. */
  help: string;
  safeAlternative: SafeAlternative | null;
  /** Set for findings in down migrations. */
  direction?: Direction;
  /** String indices into the analyzed text (for fixes and excerpts). */
  start: number;
  end: number;
  /** Present when `--fix` can rewrite this finding mechanically. */
  fix?: Fix;
  /** TS/JS migrations: the flagged SQL is (partly) an interpolation known only at run time. */
  dynamic?: boolean;
  /** TS/JS migrations: the call sits under an if, ?:, loop or callback. */
  conditional?: boolean;
  /** The locked table's size in production, when a stats snapshot was given (`--stats`). */
  production?: ProductionSize;
  /** Other places the finding is about, e.g. the ORM model field that still maps a dropped column. */
  relatedLocations?: RelatedLocation[];
}

/** A place outside the migration (path relative to the working directory, 1-based line and column). */
export interface RelatedLocation {
  path: string;
  line: number;
  column: number;
  message: string;
}

export interface ProductionSize {
  /** Relation key, e.g. `public.orders`. */
  relation: string;
  rows: number;
  totalBytes: number;
  /** Date of the snapshot (YYYY-MM-DD). */
  statsOf: string;
  /** What holds the lock and the estimate of how long, from the policy's throughput assumptions. */
  work?: 'rewrite' | 'index build' | 'scan';
  estimatedSeconds?: number;
}

export interface FileResult {
  path: string;
  /** Number of SQL statements analyzed (top-level). */
  statements: number;
  findings: Finding[];
  /** Informational notes (skipped psql meta-commands, runner decisions). */
  notes: string[];
  /** Original text, for excerpts. Not serialized. */
  text?: string;
}

export interface LintReport {
  postgresVersion: number;
  /** How the version was chosen, e.g. "docker-compose.yml: image postgres:16". */
  postgresVersionSource: string;
  files: FileResult[];
  /** Errors that are not findings: missing paths, unreadable files (exit code 2). */
  fatal: { path: string; message: string }[];
}
