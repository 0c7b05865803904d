/**
 * Programmatic API: the engine every front door (CLI, ESLint plugin, GitHub Action) is built on.
 * analyzeSql takes SQL text plus an optional offset map, so SQL embedded in another file or an
 * editor buffer is analyzed by the same code as a .sql file.
 */
export { analyzeSql, type EngineOptions, type SqlInput } from './engine/engine.ts';
export { lintPaths, type LintOptions } from './engine/lint.ts';
export { initParser } from './parse/parser.ts';
export { Schema } from './analyze/schema.ts';
export { RULES } from '../rules/index.ts';
export type { Finding, FileResult, LintReport, LockSummary, SafeAlternative, SafeStep, Severity } from './findings/model.ts';
export type { OffsetMap, Position } from './source/text.ts';
export type { Rule, RuleContext } from './kit/rule.ts';
export { jsonReport } from './report/json.ts';
export { ruleMarkdown } from './report/rule-docs.ts';
export { configJsonSchema } from './options/config-schema.ts';
export { trace, renderTrace, type TraceOptions, type TraceReport } from './trace/trace.ts';
export { readModels, type ModelFacts, type ModelRevision } from './analyze/models/facts.ts';
export { MODEL_READERS } from './analyze/models/readers.ts';
export { loadPrismaAst } from './analyze/models/prisma.ts';
export type { ModelColumn, ModelReader, ModelTable, RevisionFiles } from './analyze/models/types.ts';
export { workingTree } from './source/revision.ts';
export { loadTypeScript } from './source/ts/typescript.ts';
