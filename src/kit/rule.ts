/**
 * The rule API. A rule is one file in rules/: metadata, docs and a check that receives one
 * analyzed statement with its context and reports findings. Rules never parse, never read files,
 * and take every Postgres fact from src/pg.
 */
import type { Node } from 'libpg-query';
import type { NodeKind } from '../parse/ast.ts';
import type { AppliedOp } from '../analyze/effects.ts';
import type { RunnerProfile } from '../source/runners.ts';
import type { Schema } from '../analyze/schema.ts';
import type { TimeoutSettings, TransactionEvent, TxSnapshot } from '../analyze/session.ts';
import type { Section } from '../source/formats.ts';
import type { Span } from '../source/text.ts';
import type { Direction, LockSummary, ProductionSize, RelatedLocation, SafeAlternative, Severity } from '../findings/model.ts';
import type { ModelFacts } from '../analyze/models/facts.ts';
import type { ProductionFacts } from '../analyze/production.ts';
import type { Fix } from '../findings/fix.ts';
import type { HeldBlockingLock } from './held-locks.ts';

export type RuleCategory = 'locking' | 'app-compat' | 'hygiene' | 'design' | 'engine';
export type Preset = 'recommended' | 'strict';

export interface RuleDocs {
  /** One paragraph: why this matters in production. */
  why: string;
  /** A migration that triggers the rule. */
  bad: string;
  /** The safe way to write it. */
  good: string;
  /** Version notes, e.g. "PostgreSQL 11+: constant defaults no longer rewrite". */
  versions?: string;
  /** SQL of an earlier migration the examples run after (the schema they assume, e.g. an existing index). */
  history?: string;
  /**
   * Set when the examples cannot be linted as a lone SQL file, saying what they need (a stats
   * snapshot, a TS/JS migration); such rules are proven by their fixtures instead.
   */
  examplesNeed?: string;
}

export interface StatementInfo {
  /** Index among the file's analyzed statements (top-level and embedded). */
  index: number;
  node: Node;
  kind: NodeKind;
  /** Span in the analyzed text (string indices), without the trailing `;`. */
  span: Span;
  text: string;
  toIndex: (byteLocation: number) => number;
  section: Section;
  direction: Direction;
  /** top: a statement of the file; do: inside a DO block; function: inside a function body (runs when called). */
  origin: 'top' | 'do' | 'function';
}

export interface FindingDraft {
  message: string;
  span?: Span;
  help: string;
  /** Defaults to the statement's lock summary on existing relations. */
  lock?: LockSummary | null;
  safeAlternative?: SafeAlternative | null;
  /** A mechanical rewrite `zerodown --fix` may apply in place (edits in analyzed-text indices). */
  fix?: Fix;
  /** Lower this finding to a warning (e.g. "possibly rewrites" when the old type is unknown). Never raises. */
  severity?: 'warning';
  /** Set by the engine from production stats; rules leave it out. */
  production?: ProductionSize;
  /** Places outside the migration the finding is about (the ORM model line that maps a dropped column). */
  relatedLocations?: RelatedLocation[];
}

export interface RuleContext {
  stmt: StatementInfo;
  /** Everything the statement does (pg/facts operations with decided rewrite/scan). */
  ops: AppliedOp[];
  /** Strongest lock per relation over relations that existed before this file. */
  lock: LockSummary | null;
  /** The schema just before this statement. */
  schema: Schema;
  tx: TxSnapshot;
  timeouts: TimeoutSettings;
  /** Transaction control events this statement caused (for hygiene rules). */
  events: TransactionEvent[];
  pgVersion: number;
  runner: RunnerProfile | null;
  file: string;
  /** Production sizes and index usage (`--stats`), when a snapshot was given. */
  production: ProductionFacts | undefined;
  /** What the ORM models map at the deployed revision and in the working tree (the model check), when read. */
  models: ModelFacts | undefined;
  /** Adds an informational note to the file's result (e.g. a drop proven safe by the models). */
  note(message: string): void;
  /** Did the relation exist before this file (may hold data and serve traffic)? */
  isExisting(relation: string): boolean;
  /** How to run this statement outside a transaction under the current runner, for messages. */
  escapeHatch(): string;
  /** Span of ALTER TABLE subcommand i (the parser gives subcommands no position). */
  subcommandSpan(i: number): Span;
  /** Span from a byte location of the statement's AST to the end of that token/clause. */
  spanAt(byteLocation: number | undefined, until?: 'token' | 'clause'): Span;
  /** Span of the leading keywords matching `re` (anchored at the statement start). */
  keywordSpan(re: RegExp): Span;
  /** The top-level and embedded statements of this statement's section, in order. */
  siblings: readonly StatementInfo[];
  /** The full analyzed text (for fixes that edit outside the statement, e.g. a runner annotation). */
  text: string;
  /** This rule's per-file state in `slot` (created on first use), for rules that report once per transaction/file. */
  state<T>(slot: FileState<T>): T;
  /** Blocking locks on pre-existing relations that earlier statements of this transaction (or DO block) still hold. */
  heldBlockingLocks(): HeldBlockingLock[];
  report(finding: FindingDraft): void;
}

export interface Rule {
  id: string;
  severity: Severity;
  category: RuleCategory;
  presets: Preset[];
  /** One line for `zerodown rules`. */
  description: string;
  /** Versions where the rule applies, e.g. ">= 12"; undefined = all. */
  versions?: string;
  docs: RuleDocs;
  /**
   * Also check statements inside function bodies. They run when the function is called, not when
   * the migration runs, so lock and data rules must not see them; naming rules may.
   */
  functionBodies?: boolean;
  check(ctx: RuleContext): void;
  /** Called at the end of a section whose explicit transaction was never committed. */
  endOfSection?(ctx: SectionEndContext): FindingDraft[];
}

export interface SectionEndContext {
  statements: StatementInfo[];
  unterminatedTransaction: boolean;
}

/**
 * A typed slot of per-file state, declared once at module level by the rule that uses it:
 * `const SEEN = fileState(() => new Set<string>())`, then `ctx.state(SEEN)` in check.
 */
export interface FileState<T> {
  readonly init: () => T;
}

export function fileState<T>(init: () => T): FileState<T> {
  return { init };
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
