/**
 * The rule kit: everything a rule in rules/ may use from src/, in one place. Rules import this
 * module, the shared recipe builders in src/advice/, and libpg-query's node types — nothing else
 * from src/, and never each other (test/architecture.test.ts enforces it). A rule that needs more
 * adds it here, so the surface rules depend on stays visible and small.
 */

// The rule API.
export { defineRule, fileState } from './rule.ts';
export type { FileState, FindingDraft, Preset, Rule, RuleCategory, RuleContext, RuleDocs, SectionEndContext, StatementInfo } from './rule.ts';
export { alterSubcommands, columnConstraintText, freeConstraintName, type AlterSubcommand } from './alter-table.ts';
export { statementSnippet, type HeldBlockingLock, type TakenLock } from './held-locks.ts';
export { withArticle } from './phrases.ts';
export { clauseAfterKeyword, columnTypeSource } from './sqltext.ts';

// The parsed statement: node access, names and quoting.
export { as, boolOption, defBoolean, displayRel, nameKey, nodeKind, quoteIdent, quoteLiteral, relKey, str, strings, typeNameParts, walk, type TypeRef } from '../parse/ast.ts';

// Source text: spans and the lexer's token boundaries.
export type { Span } from '../source/text.ts';
export { splitTopLevel, tokenEnd, topLevelKeyword } from '../source/lexer.ts';
export type { RunnerProfile } from '../source/runners.ts';

// What the analyzer knows: the schema before the statement, the statement's operations, expressions.
export type { ColumnInfo, ConstraintKind, DomainInfo, IndexInfo, Schema, TableInfo } from '../analyze/schema.ts';
export { summarize, type AppliedOp } from '../analyze/effects.ts';
export { constraintColumns, defaultConstraintName } from '../analyze/replay.ts';
export { columnFacts, constraintsOf, exprVolatility } from '../analyze/expr.ts';
// Production sizes and index usage from a stats snapshot (`--stats`).
export { formatBytes, formatDuration, formatRows, type IndexStats, type ProductionFacts } from '../analyze/production.ts';

// PostgreSQL facts: operations, version features, lock modes.
export { OPERATIONS, VERSION_FEATURES, type OperationFact, type OperationId } from '../pg/facts.ts';
export { blockedBy, blocksReadsOrWrites, describeBlocked, lockRank, strongerLock, type LockMode } from '../pg/locks.ts';

// What a finding carries.
export type { LockSummary, RelatedLocation, SafeAlternative, SafeStep } from '../findings/model.ts';
export type { Fix } from '../findings/fix.ts';
