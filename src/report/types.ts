import type { LintReport } from '../findings/model.ts';
import type { Rule } from '../kit/rule.ts';

export interface ReporterContext {
  rules: readonly Rule[];
  color: boolean;
  /** pretty: print the safe alternatives' steps with their SQL. */
  verbose?: boolean;
  /** pretty: wrap to this many columns (the terminal's width). */
  width?: number;
}

export type Reporter = (report: LintReport, ctx: ReporterContext) => string;

export interface Totals {
  files: number;
  statements: number;
  errors: number;
  warnings: number;
  fatal: number;
}

export function totals(report: LintReport): Totals {
  let errors = 0;
  let warnings = 0;
  let statements = 0;
  for (const f of report.files) {
    statements += f.statements;
    for (const x of f.findings) {
      if (x.severity === 'error') errors++;
      else warnings++;
    }
  }
  return { files: report.files.length, statements, errors, warnings, fatal: report.fatal.length };
}
