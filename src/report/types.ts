import type { FileResult, LintReport } from '../findings/model.ts';
import type { Rule } from '../kit/rule.ts';

export interface ReporterContext {
  rules: readonly Rule[];
  color: boolean;
  /** pretty: print the safe alternatives' steps with their SQL. */
  verbose?: boolean;
  /** pretty: wrap to this many columns (the terminal's width). */
  width?: number;
}

/** A whole report rendered as one string (tests, library users); built on the streaming writer. */
export type Reporter = (report: LintReport, ctx: ReporterContext) => string;

/** Takes the next piece of output (the CLI buffers and writes it; see sink.ts). */
export type Write = (chunk: string) => void;

/** What is known before the first file is analyzed. */
export type ReportHead = Pick<LintReport, 'postgresVersion' | 'postgresVersionSource'>;

/**
 * A report written while the lint runs: `file` for each reported file in report order, as it
 * finishes, then `end` with the whole report (its files are the ones passed to `file`, its fatal
 * errors complete). Formats whose beginning depends on the whole report (SARIF's rule list,
 * Markdown's totals) write in `end`, piece by piece, never as one string.
 */
export interface ReportWriter {
  file(file: FileResult): void;
  end(report: LintReport): void;
}

export type StreamingReporter = (write: Write, head: ReportHead, ctx: ReporterContext) => ReportWriter;

/** The streaming writer run over a finished report, its pieces joined. */
export function toStringReporter(stream: StreamingReporter): Reporter {
  return (report, ctx) => {
    const pieces: string[] = [];
    const writer = stream((chunk) => pieces.push(chunk), report, ctx);
    for (const f of report.files) writer.file(f);
    writer.end(report);
    return pieces.join('');
  };
}

/** A reporter that renders only at the end, as one string (pretty, whose layout needs the whole report). */
export function atEnd(reporter: Reporter): StreamingReporter {
  return (write, _head, ctx) => ({
    file: () => undefined,
    end: (report) => write(reporter(report, ctx)),
  });
}

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
