/**
 * The JSON contract (version 1). Other tools and CI consume it: changes are additive only.
 * Lines and columns are 1-based; columns count UTF-16 code units; end positions are exclusive.
 * Written as files finish: the head, one `files` element per file, then errors and summary.
 */
import type { FileResult, Finding, LintReport } from '../findings/model.ts';
import { TOOL_NAME, TOOL_VERSION } from '../meta.ts';
import { toStringReporter, totals, type ReportHead, type StreamingReporter } from './types.ts';

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
  if (f.dynamic) out.dynamic = true;
  if (f.conditional) out.conditional = true;
  if (f.production) out.production = f.production;
  if (f.relatedLocations) out.relatedLocations = f.relatedLocations;
  return out;
}

function jsonHead(head: ReportHead): Record<string, unknown> {
  return { version: 1, tool: { name: TOOL_NAME, version: TOOL_VERSION }, postgresVersion: head.postgresVersion, postgresVersionSource: head.postgresVersionSource };
}

function jsonFile(f: FileResult): Record<string, unknown> {
  return { path: f.path, statements: f.statements, findings: f.findings.map(jsonFinding), notes: f.notes };
}

export function jsonReport(report: LintReport): Record<string, unknown> {
  return { ...jsonHead(report), files: report.files.map(jsonFile), errors: report.fatal, summary: totals(report) };
}

export const jsonStream: StreamingReporter = (write, head) => {
  // The head object without its closing brace; JSON.stringify drops undefined members as before.
  write(`${JSON.stringify(jsonHead(head)).slice(0, -1)},"files":[`);
  let first = true;
  return {
    file(f) {
      write((first ? '' : ',') + JSON.stringify(jsonFile(f)));
      first = false;
    },
    end(report) {
      write(`],"errors":${JSON.stringify(report.fatal)},"summary":${JSON.stringify(totals(report))}}\n`);
    },
  };
};

export const json = toStringReporter(jsonStream);
