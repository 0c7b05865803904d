/**
 * TS/JS migrations through the engine: the extracted statements become one SQL text (up section,
 * then down) with a per-character map to the source file; analyzeSql runs the same rules as on a
 * .sql file; findings, positions and fixes are mapped back (a finding inside an interpolation covers
 * the whole `${…}` and says it is dynamic; a fix is re-escaped into the literal's raw form).
 */
import type { Rule } from '../kit/rule.ts';
import type { Finding } from '../findings/model.ts';
import type { Fix } from '../findings/fix.ts';
import type { Schema } from '../analyze/schema.ts';
import { parseRegion } from '../parse/parser.ts';
import type { Section, SiblingReader } from '../source/formats.ts';
import type { RunnerId } from '../source/runners.ts';
import { LineMap } from '../source/text.ts';
import { extractScript, type EmbeddedTarget, type TsMigration } from '../source/ts/extract.ts';
import type { ExtractedStatement } from '../source/ts/context.ts';
import { escapeForLiteral, SqlBuilder } from '../source/ts/sql-builder.ts';
import { typescript } from '../source/ts/typescript.ts';
import { analyzeSql, type AnalyzeResult, type EngineOptions } from './engine.ts';

export const UNANALYZABLE_SQL = 'unanalyzable-sql';

export interface ScriptInput {
  path: string;
  /** The TS/JS source. */
  text: string;
  readSibling?: SiblingReader;
  historyOnly?: boolean;
  /** Runner from the repository's markers, when the file itself does not say. */
  fallbackRunner?: RunnerId | null;
  targets?: readonly EmbeddedTarget[];
}

interface Placed {
  stmt: ExtractedStatement;
  start: number;
  end: number;
}

/** Analyzes a TS/JS migration; null when the file defines no migration (no `up`/`down`). */
export function analyzeScript(input: ScriptInput, schema: Schema, rules: readonly Rule[], options: EngineOptions): AnalyzeResult | null {
  const mig = extractScript(typescript(), input.path, input.text, { runner: options.runner, targets: input.targets });
  if (!mig) return null;
  const runner = options.runner ?? mig.runner ?? input.fallbackRunner ?? null;
  const lines = new LineMap(input.text);
  const combined = new SqlBuilder(mig.literals);
  const placed: Placed[] = [];
  const extraUnanalyzable: { stmt: ExtractedStatement; reason: string }[] = [];
  const sections: Section[] = [];
  for (const direction of ['up', 'down'] as const) {
    const start = combined.length;
    for (const stmt of mig.statements) {
      if (stmt.direction !== direction) continue;
      if (stmt.sql.holes.length && parseRegion(stmt.sql.text).errors.length) {
        // A value placeholder in identifier position (e.g. a slonik sql.identifier held in a
        // variable): try identifiers; if the grammar still breaks, say so instead of a parse error of ours.
        const alt = stmt.sql.withIdentifierHoles();
        const parsed = parseRegion(alt.text);
        if (!parsed.errors.length) stmt.sql = alt;
        else {
          extraUnanalyzable.push({ stmt, reason: `with its interpolated parts (\`\${…}\`) unknown, the statement does not parse (${parsed.errors[0].message}), so it cannot be checked` });
          continue;
        }
      }
      const at = combined.length;
      combined.append(stmt.sql);
      placed.push({ stmt, start: at, end: combined.length });
      combined.push('\n;\n', stmt.call.end, stmt.call.end);
    }
    if (combined.length > start || direction === 'up') {
      sections.push({
        start,
        end: combined.length,
        direction,
        ...(mig.noTransaction ? { transaction: false, transactionSource: mig.noTransaction } : {}),
      });
    }
  }
  const result = analyzeSql(
    {
      path: input.path,
      text: combined.text,
      sections,
      offsetMap: { position: (i) => lines.position(combined.srcStart(i)) },
      readSibling: input.readSibling,
      historyOnly: input.historyOnly,
    },
    schema,
    rules,
    { ...options, runner },
  );
  result.statements = mig.statements.filter((s) => !s.synthetic).length;
  result.text = input.text;
  // Placeholder names read as the interpolation they stand for.
  const names = combined.holes.map((h) => [combined.text.slice(h.start, h.end), input.text.slice(h.srcStart, h.srcEnd)] as const).filter(([p]) => p.startsWith('zd_dynamic_'));
  const rename = (s: string): string => (names.length ? s.replace(/zd_dynamic_\d+/g, (p) => names.find(([n]) => n === p)?.[1] ?? p) : s);
  result.findings = result.findings.map((f) => {
    const m = mapFinding(f, combined, placed, lines);
    return names.length ? { ...m, message: rename(m.message), help: rename(m.help) } : m;
  });
  const setting = options.rules.get(UNANALYZABLE_SQL) ?? 'warning';
  if (!input.historyOnly && setting !== 'off') {
    const all = [...mig.unanalyzable, ...extraUnanalyzable.map(({ stmt, reason }) => ({ direction: stmt.direction, span: stmt.call, reason, conditional: stmt.conditional }))];
    for (const u of all) {
      if (u.direction === 'down' && options.down === 'off') continue;
      const a = lines.position(u.span.start);
      const b = lines.position(u.span.end);
      result.findings.push({
        ruleId: UNANALYZABLE_SQL,
        severity: u.direction === 'down' && options.down === 'warning' ? 'warning' : setting,
        message: `${u.direction === 'down' ? '(down migration) ' : ''}SQL zerodown cannot see: ${u.reason}${u.conditional ? ' (the call runs only under a condition)' : ''}`,
        line: a.line,
        column: a.column,
        endLine: b.line,
        endColumn: b.column,
        lock: null,
        help: 'Statements that are not checked can still take locks that block production traffic. Write the SQL as a literal (or a const of this file) so it can be analyzed, or add the SQL\'s runner call to `embeddedSql.targets`; otherwise review it by hand.',
        safeAlternative: null,
        start: u.span.start,
        end: u.span.end,
        ...(u.direction === 'down' ? { direction: 'down' as const } : {}),
      });
    }
    result.findings.sort((x, y) => x.start - y.start || (x.ruleId < y.ruleId ? -1 : x.ruleId > y.ruleId ? 1 : 0));
  }
  if (mig.noTransaction && !input.historyOnly) result.notes.push(`runs outside the runner's transaction: ${mig.noTransaction}`);
  if (runner && !input.historyOnly) result.notes.push(`runner ${runner}${mig.runner ? ' (from the file\'s imports and calls)' : ''}`);
  return result;
}

function mapFinding(f: Finding, sql: SqlBuilder, placed: Placed[], lines: LineMap): Finding {
  let start = sql.srcStart(f.start);
  let end = Math.max(start, sql.srcEnd(f.start, f.end));
  let dynamic = false;
  for (const h of sql.holes) {
    const overlaps = h.start < Math.max(f.end, f.start + 1) && f.start < h.end;
    if (!overlaps) continue;
    dynamic = true;
    start = Math.min(start, h.srcStart);
    end = Math.max(end, h.srcEnd);
  }
  const stmt = placed.find((p) => f.start >= p.start && f.start <= p.end)?.stmt;
  const a = lines.position(start);
  const b = lines.position(end);
  const notes = [dynamic ? 'the flagged part is interpolated (`${…}`): its value is known only at run time' : '', stmt?.conditional ? 'the call runs only under a condition' : ''].filter(Boolean);
  const out: Finding = {
    ...f,
    message: notes.length ? `${f.message} (${notes.join('; ')})` : f.message,
    line: a.line,
    column: a.column,
    endLine: b.line,
    endColumn: b.column,
    start,
    end,
  };
  delete out.fix;
  if (dynamic) out.dynamic = true;
  if (stmt?.conditional) out.conditional = true;
  const fix = f.fix && !dynamic ? mapFix(f.fix, sql) : undefined;
  if (fix) out.fix = fix;
  return out;
}

/** A fix whose edits each fall inside one literal, re-escaped into its raw form; else none. */
function mapFix(fix: Fix, sql: SqlBuilder): Fix | undefined {
  const edits = [];
  for (const e of fix.edits) {
    let lit: number;
    let from: number;
    let to: number;
    if (e.end > e.start) {
      lit = sql.lits[e.start];
      for (let i = e.start; i < e.end; i++) if (sql.lits[i] !== lit) return undefined;
      from = sql.starts[e.start];
      to = sql.ends[e.end - 1];
    } else if (e.start > 0 && sql.lits[e.start - 1] >= 0) {
      lit = sql.lits[e.start - 1];
      from = to = sql.ends[e.start - 1];
    } else {
      lit = sql.lits[e.start] ?? -1;
      from = to = sql.starts[e.start] ?? -1;
    }
    if (lit === undefined || lit < 0 || from < 0) return undefined;
    edits.push({ start: from, end: to, text: escapeForLiteral(e.text, sql.literals[lit].kind) });
  }
  return { description: fix.description, edits };
}

export type { TsMigration };
