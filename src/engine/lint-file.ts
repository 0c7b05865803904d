/**
 * One file's findings, synchronously: the entry point for editor integrations (ESLint rules are
 * synchronous). The text may be an unsaved buffer; the file's earlier migrations are replayed from
 * disk (through the analysis cache when one is given). Load the parsers once beforehand with
 * `prepareLintFile()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initParser } from '../parse/parser.ts';
import { discover, type Plan } from '../source/discover.ts';
import { detectFormat } from '../source/formats.ts';
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

/**
 * The plans of the files an editor lints, kept between calls: planning lists the migrations
 * directory and reads every earlier migration, which is most of a keystroke's time in a long
 * history. A plan is reused while the directories list the same names, every history file has the
 * same size and modification time, and the buffer still reads as the same migration format.
 */
export class PlanMemo {
  readonly #plans = new Map<string, { plan: Plan; stamps: Map<string, string>; listings: Map<string, string>; format: string }>();

  get(key: string, file: string, text: string, forced: string | undefined): Plan | undefined {
    const kept = this.#plans.get(key);
    if (!kept) return undefined;
    const fresh = kept.format === (forced ?? detectFormat(file, text)) && [...kept.listings].every(([dir, names]) => listing(dir) === names) && [...kept.stamps].every(([f, stamp]) => stampOf(f) === stamp);
    if (fresh) return kept.plan;
    this.#plans.delete(key);
    return undefined;
  }

  set(key: string, file: string, plan: Plan): void {
    if (plan.errors.length) return;
    const stamps = new Map<string, string>();
    const listings = new Map<string, string>();
    let format = '';
    for (const g of plan.groups) {
      listings.set(g.root, listing(g.root));
      for (const f of g.files) {
        if (f.path === file) format = f.format;
        else stamps.set(f.path, stampOf(f.path));
      }
    }
    if (this.#plans.size >= 16) this.#plans.delete(this.#plans.keys().next().value as string);
    this.#plans.set(key, { plan, stamps, listings, format });
  }
}

function stampOf(file: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? `${st.size}:${st.mtimeMs}` : '';
}

function listing(dir: string): string {
  try {
    return fs.readdirSync(dir).sort().join('\0');
  } catch {
    return '';
  }
}

export function lintFileSync(filePath: string, text: string, rules: readonly Rule[], options: LintOptions, cwd = process.cwd(), memo?: PlanMemo): LintFileResult {
  const abs = path.resolve(cwd, filePath);
  const overrides = new Map([[abs, text]]);
  const key = `${cwd}\0${options.migrationFormat ?? ''}\0${abs}`;
  let plan = memo?.get(key, abs, text, options.migrationFormat);
  if (!plan) {
    plan = discover([abs], { cwd, overrides, migrationFormat: options.migrationFormat });
    memo?.set(key, abs, plan);
  }
  const report = lintPlan(plan, rules, options, { cwd, overrides, migrationFormat: options.migrationFormat });
  const rel = path.relative(cwd, abs) || abs;
  const result = report.files.find((f) => f.path === rel);
  if (result && isScriptFile(abs)) result.text = text;
  return { result, errors: report.fatal };
}
