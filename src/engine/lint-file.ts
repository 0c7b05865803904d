/**
 * One file's findings, synchronously: the entry point for editor integrations (ESLint rules are
 * synchronous). The text may be an unsaved buffer; the file's earlier migrations are replayed from
 * disk (through the analysis cache when one is given). Load the parsers once beforehand with
 * `prepareLintFile()`.
 */
import path from 'node:path';
import { initParser } from '../parse/parser.ts';
import { discover } from '../source/discover.ts';
import { isScriptFile, loadTypeScript } from '../source/ts/typescript.ts';
import type { Rule } from '../kit/rule.ts';
import type { FileResult } from '../findings/model.ts';
import { lintPlan, type LintOptions } from './lint.ts';

/** Loads the WASM parser and the TypeScript parser (both once per process). */
export async function prepareLintFile(): Promise<void> {
  await Promise.all([initParser(), loadTypeScript()]);
}

export interface LintFileResult {
  /** Findings with exact start/end positions (1-based lines, UTF-16 columns; start/end are source indices). */
  result?: FileResult;
  /** IO problems with the file's history (unreadable siblings). */
  errors: { path: string; message: string }[];
}

export function lintFileSync(filePath: string, text: string, rules: readonly Rule[], options: LintOptions, cwd = process.cwd()): LintFileResult {
  const abs = path.resolve(cwd, filePath);
  const overrides = new Map([[abs, text]]);
  const plan = discover([abs], { cwd, overrides, migrationFormat: options.migrationFormat });
  const report = lintPlan(plan, rules, options, { cwd, overrides, migrationFormat: options.migrationFormat });
  const rel = path.relative(cwd, abs) || abs;
  const result = report.files.find((f) => f.path === rel);
  if (result && isScriptFile(abs)) result.text = text;
  return { result, errors: report.fatal };
}
