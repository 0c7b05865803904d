/** One line per finding: path:line:col: severity rule-id message (the format editors and grep read). */
import type { Reporter } from './types.ts';

export const compact: Reporter = (report) => {
  const lines: string[] = [];
  for (const f of report.files) {
    for (const x of f.findings) lines.push(`${f.path}:${x.line}:${x.column}: ${x.severity} [${x.ruleId}] ${x.message}`);
  }
  for (const e of report.fatal) lines.push(`${e.path}: error ${e.message}`);
  return lines.length ? lines.join('\n') + '\n' : '';
};
