/** One line per finding: path:line:col: severity rule-id message (the format editors and grep read). */
import { toStringReporter, type StreamingReporter } from './types.ts';

export const compactStream: StreamingReporter = (write) => ({
  file(f) {
    for (const x of f.findings) write(`${f.path}:${x.line}:${x.column}: ${x.severity} [${x.ruleId}] ${x.message}\n`);
  },
  end(report) {
    for (const e of report.fatal) write(`${e.path}: error ${e.message}\n`);
  },
});

export const compact = toStringReporter(compactStream);
