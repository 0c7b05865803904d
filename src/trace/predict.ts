/**
 * The lint side of a trace: one analyzeSql run per file, with the caller's engine options, gives
 * both the findings lint would report and the operations the analyzer derived per statement. The
 * trace never re-derives them: what it compares with PostgreSQL is exactly what lint concluded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { summarize, type AppliedOp } from '../analyze/effects.ts';
import type { Schema } from '../analyze/schema.ts';
import { analyzeSql, type EngineOptions } from '../engine/engine.ts';
import type { Finding } from '../findings/model.ts';
import type { Rule, StatementInfo } from '../kit/rule.ts';
import type { PlannedFile } from '../source/discover.ts';
import type { PredictedOp, Prediction } from './types.ts';

export const INTERNAL_ERROR = 'internal-error';

export interface FileAnalysis {
  findings: Finding[];
  /** Operations per top-level statement, keyed by the statement's start index in the file text. */
  ops: Map<number, readonly AppliedOp[]>;
  /** Statements inside DO and function bodies, keyed by their top-level statement's start index. */
  nested: Map<number, StatementInfo[]>;
  /** The analyzer threw (a zerodown bug): no prediction for this file. */
  error?: string;
}

export function siblingReader(file: string): (name: string) => string | undefined {
  return (name) => {
    try {
      return fs.readFileSync(path.join(path.dirname(file), name), 'utf8');
    } catch {
      return undefined;
    }
  };
}

/**
 * Analyzes one file against the group's schema (which it advances, as lint does). An exception of
 * the analyzer becomes `error` (reported as an internal-error finding), never an empty prediction.
 */
export function analyzeFile(file: PlannedFile, display: string, text: string, schema: Schema, rules: readonly Rule[], engine: EngineOptions, historyOnly: boolean): FileAnalysis {
  const out: FileAnalysis = { findings: [], ops: new Map(), nested: new Map() };
  let top: number | undefined;
  try {
    const r = analyzeSql(
      {
        path: display,
        text,
        format: file.format,
        historyOnly,
        readSibling: siblingReader(file.path),
        functionBodies: true,
        onStatement(stmt, ops) {
          if (stmt.origin === 'top') {
            top = stmt.span.start;
            out.ops.set(top, ops);
          } else if (top !== undefined) {
            const list = out.nested.get(top) ?? [];
            list.push(stmt);
            out.nested.set(top, list);
          }
        },
      },
      schema,
      rules,
      engine,
    );
    out.findings = r.findings;
  } catch (e) {
    out.error = e instanceof Error ? e.message : String(e);
  }
  return out;
}

/** The finding a trace report shows when the analyzer failed on a file. */
export function internalErrorFinding(message: string): Pick<Finding, 'ruleId' | 'severity' | 'line' | 'column' | 'message'> {
  return {
    ruleId: INTERNAL_ERROR,
    severity: 'error',
    line: 1,
    column: 1,
    message: `internal error while analyzing this file: ${message}. The trace still ran it, but there is no lint prediction to compare with; please report it with this file.`,
  };
}

function predictedOp(o: AppliedOp): PredictedOp {
  const p: PredictedOp = { op: o.op, relation: o.relation, mode: o.mode, rewrite: o.rewrite, scan: o.scan, existing: o.existing };
  if (o.reason) p.reason = o.reason;
  return p;
}

/** The analyzer's claim for the top-level statement starting at `start`; null when it makes none (DO, function bodies, failed analysis). */
export function predictionAt(analysis: FileAnalysis, start: number, kind: string): Prediction | null {
  if (analysis.error || kind === 'DoStmt' || kind === 'CreateFunctionStmt') return null;
  const ops = analysis.ops.get(start) ?? [];
  return { ops: ops.map(predictedOp), summary: summarize([...ops], false) };
}
