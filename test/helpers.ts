/** Shared test set-up: the real parser, the real rules, default engine options. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeSql, type EngineOptions, type SqlInput } from '../src/engine/engine.ts';
import { Schema } from '../src/analyze/schema.ts';
import { initParser } from '../src/parse/parser.ts';
import { RULES } from '../rules/index.ts';
import type { FileResult, RuleSetting } from '../src/findings/model.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist', 'cli.cjs');

/**
 * The companion warnings (lock-timeout-missing, locks-held-across-statements) fire beside most lock
 * hazards; tests about something else turn them off, tests about them pass their own `rules`.
 */
export const QUIET_COMPANIONS: ReadonlyMap<string, RuleSetting> = new Map([
  ['lock-timeout-missing', 'off'],
  ['locks-held-across-statements', 'off'],
]);

export function engineOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    pgVersion: 15,
    runner: null,
    down: 'same',
    lockTimeoutMs: 0,
    statementTimeoutMs: 0,
    reportUnusedIgnores: false,
    ...overrides,
    rules: new Map([...QUIET_COMPANIONS, ...(overrides.rules ?? [])]),
  };
}

/** Lints SQL text as one file with a fresh schema (no history). */
export async function lintText(text: string, overrides: Partial<EngineOptions> = {}, input: Partial<SqlInput> = {}): Promise<FileResult> {
  await initParser();
  return analyzeSql({ path: input.path ?? 'migration.sql', text, ...input }, new Schema(), RULES, engineOptions(overrides));
}

export function ruleIds(result: FileResult): string[] {
  return result.findings.map((f) => f.ruleId);
}
