/**
 * Programmatic API: the engine every front door (CLI, ESLint plugin, GitHub Action) is built on.
 * analyzeSql takes SQL text plus an optional offset map, so SQL embedded in another file or an
 * editor buffer is analyzed by the same code as a .sql file.
 */
export { analyzeSql, type EngineOptions, type SqlInput } from './engine.ts';
export { lintPaths, type LintOptions } from './lint.ts';
export { initParser } from './parse/parser.ts';
export { Schema } from './analyze/schema.ts';
export { RULES } from '../rules/index.ts';
export type { Finding, FileResult, LintReport, LockSummary, SafeAlternative, SafeStep, Severity } from './model.ts';
export type { OffsetMap, Position } from './source/text.ts';
export type { Rule, RuleContext } from './rule.ts';
export { jsonReport } from './reporters/json.ts';
export { ruleMarkdown } from './rule-docs.ts';
export { configJsonSchema } from './config-schema.ts';
export { trace, renderTrace, type TraceOptions, type TraceReport } from './trace/trace.ts';
