/**
 * The JSON contract (version 1). Other tools and CI consume it: changes are additive only.
 * Lines and columns are 1-based; columns count UTF-16 code units; end positions are exclusive.
 */
import type { Finding, LintReport } from '../findings/model.ts';
import { TOOL_NAME, TOOL_VERSION } from '../meta.ts';
import { totals, type Reporter } from './types.ts';

function jsonFinding(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    lock: f.lock,
    help: f.help,
    safeAlternative: f.safeAlternative,
  };
  if (f.direction) out.direction = f.direction;
  return out;
}

export function jsonReport(report: LintReport): Record<string, unknown> {
  return {
    version: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    postgresVersion: report.postgresVersion,
    postgresVersionSource: report.postgresVersionSource,
    files: report.files.map((f) => ({ path: f.path, statements: f.statements, findings: f.findings.map(jsonFinding), notes: f.notes })),
    errors: report.fatal,
    summary: totals(report),
  };
}

export const json: Reporter = (report) => JSON.stringify(jsonReport(report)) + '\n';
