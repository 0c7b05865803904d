/**
 * Renderers for `zerodown trace`: pretty (terminal), json (the TraceReport as is, version 1) and
 * markdown (PR comment / job summary, with a lock timeline per transaction).
 */
import { palette, type Palette } from '../util/ansi.ts';
import { displayRel } from '../parse/ast.ts';
import { lockRank, type LockMode } from '../pg/locks.ts';
import { TOOL_NAME, TOOL_VERSION } from '../meta.ts';
import type { Disagreement, LockEntry, TraceReport, TracedFile, TracedStatement, TxTrace } from './types.ts';

export type TraceFormat = 'pretty' | 'json' | 'markdown';

export function renderTrace(report: TraceReport, format: TraceFormat, color: boolean): string {
  if (format === 'json') return JSON.stringify({ tool: { name: TOOL_NAME, version: TOOL_VERSION }, ...report }, null, 2) + '\n';
  if (format === 'markdown') return markdown(report);
  return pretty(report, palette(color));
}

/** Short lock-mode names for the timeline. */
export const MODE_ABBREV: Record<LockMode, string> = {
  'ACCESS SHARE': 'AS',
  'ROW SHARE': 'RS',
  'ROW EXCLUSIVE': 'RX',
  'SHARE UPDATE EXCLUSIVE': 'SUX',
  SHARE: 'S',
  'SHARE ROW EXCLUSIVE': 'SRX',
  EXCLUSIVE: 'X',
  'ACCESS EXCLUSIVE': 'AX',
};

const rel = (key: string): string => displayRel(key);

/** Strongest mode per relation, tables and views only (indexes follow their table). */
function perRelation(locks: LockEntry[], tablesOnly = true): Map<string, LockMode> {
  const m = new Map<string, LockMode>();
  for (const l of locks) {
    if (tablesOnly && !'rpmfv'.includes(l.relkind)) continue;
    const prev = m.get(l.relation);
    if (!prev || lockRank(l.mode) > lockRank(prev)) m.set(l.relation, l.mode);
  }
  return m;
}

function locksText(locks: LockEntry[]): string {
  const m = perRelation(locks);
  if (m.size === 0) return '';
  return [...m.entries()]
    .sort((a, b) => lockRank(b[1]) - lockRank(a[1]) || a[0].localeCompare(b[0]))
    .map(([r, mode]) => `${mode} on ${rel(r)}`)
    .join(', ');
}

function blocksText(locks: LockEntry[]): string {
  const b = new Set<string>();
  for (const l of locks) if ('rpmfv'.includes(l.relkind)) for (const x of l.blocks) b.add(x);
  return b.size ? `blocks ${[...b].join(', ')}` : 'blocks nothing';
}

function observedText(st: TracedStatement): string {
  const parts: string[] = [];
  if (!st.locksObservable) parts.push('locks not observable (ran outside a transaction)');
  else {
    const acq = locksText(st.acquired);
    parts.push(acq ? `${acq} (${blocksText(st.acquired)})` : 'no new table lock');
  }
  if (st.rewritten.length) parts.push(`rewrote ${st.rewritten.map(rel).join(', ')}`);
  if (st.seqScanned.length) parts.push(`scanned ${st.seqScanned.map(rel).join(', ')}`);
  if (st.fastDefault.length) parts.push(`fast default ${st.fastDefault.join(', ')}`);
  return parts.join('; ');
}

function predictedText(st: TracedStatement): string {
  if (!st.predicted) return 'n/a';
  const s = st.predicted.summary;
  if (!s) return 'no lock claimed';
  const perRel = new Map<string, LockMode>();
  for (const o of st.predicted.ops) {
    const prev = perRel.get(o.relation);
    if (!prev || lockRank(o.mode) > lockRank(prev)) perRel.set(o.relation, o.mode);
  }
  const locks = [...perRel.entries()].map(([r, m]) => `${m} on ${rel(r)}`).join(', ');
  const effects = [s.rewrite ? 'rewrite' : '', s.scan ? 'scan' : ''].filter(Boolean).join(', ');
  return `${locks}${effects ? `; ${effects}` : ''}`;
}

function disagreementText(d: Disagreement): string {
  return `${d.aspect} on ${rel(d.relation)}: lint predicts ${d.predicted}, observed ${d.observed}`;
}

function statusText(st: TracedStatement): string {
  if (st.status === 'traced') return 'traced';
  if (st.status === 'skipped') return st.error?.category === 'syntax' ? 'skipped: the file does not parse' : 'skipped: depends on an earlier untraceable statement';
  return `${st.status === 'untraceable' ? 'not traceable' : 'failed'} (${st.error?.category ?? 'other'})`;
}

function formatRunner(f: TracedFile): string {
  return f.runner && f.runner !== f.format ? `format ${f.format}, runner ${f.runner}` : f.runner ? f.runner : `format ${f.format}, no runner (autocommit)`;
}

function ms(n: number): string {
  return n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`;
}

function summaryLine(r: TraceReport): string {
  const s = r.summary;
  const parts = [`${s.statements} statement(s) in ${s.files} file(s)`, `${s.traced} traced`];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.untraceable) parts.push(`${s.untraceable} not traceable`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  const refused = s.byCategory['cluster-wide'] ?? 0;
  if (refused) parts.push(`${refused} refused (would change the whole server)`);
  if (s.internalErrors) parts.push(`${s.internalErrors} internal error(s)`);
  parts.push(`${s.findings} finding(s)`, `${s.disagreements} lint/trace disagreement(s)`);
  if (r.downChecks.length) parts.push(`${s.downProblems} down migration problem(s)`);
  return parts.join(', ');
}

function header(r: TraceReport): string[] {
  const out = [`Traced on ${r.backend.description}.`];
  if (r.backend.database) {
    const c = r.backend.cleanup;
    out.push(`Scratch database: ${r.backend.database}, created by zerodown for this trace; ${c ? (c.dropped ? `${c.message}.` : `NOT dropped: ${c.message}`) : 'not dropped yet.'}`);
  }
  if (r.backend.extensions.length) out.push(`Bundled extensions loaded: ${r.backend.extensions.join(', ')}.`);
  if (r.seed) out.push(r.seed.ok ? `Seed ${r.seed.path} loaded before ${r.seed.before ?? 'the first traced file'} (${ms(r.seed.durationMs)}).` : `Seed ${r.seed.path} FAILED: ${r.seed.error}`);
  if (r.history.files) out.push(`History replayed first: ${r.history.files} file(s), ${r.history.statements} statement(s) in ${ms(r.history.durationMs)}${r.history.failed ? `, ${r.history.failed} failed` : ''}.`);
  return out;
}

// ---------------------------------------------------------------------------------------------

function pretty(r: TraceReport, c: Palette): string {
  const out: string[] = [c.bold('zerodown trace'), ...header(r).map((l) => c.dim(l)), ''];
  for (const f of r.files) {
    out.push(c.bold(c.underline(f.path)) + c.dim(`  ${formatRunner(f)}, ${ms(f.durationMs)}`));
    for (const n of f.notes) out.push(c.dim(`  note: ${n}`));
    for (const x of f.lintFindings) if (x.ruleId === 'internal-error') out.push(`  ${c.bold(c.red('error'))} ${c.cyan(x.ruleId)} ${x.message}`);
    for (const st of f.statements) {
      if (st.kind === 'TransactionStmt' && st.status === 'traced') {
        out.push(c.dim(`  ${String(st.n).padStart(3)}  ${st.line}:${st.column}  ${st.sql}`));
        continue;
      }
      const tx = st.txKind === 'none' ? 'autocommit' : `tx ${st.tx} (${st.txKind})`;
      const status = st.status === 'traced' ? c.green('traced') : st.status === 'failed' ? c.red(statusText(st)) : c.yellow(statusText(st));
      out.push(`  ${c.bold(String(st.n).padStart(3))}  ${c.dim(`${st.line}:${st.column}`)}  ${st.sql}`);
      out.push(`       ${status}  ${c.dim(`${ms(st.durationMs)}, ${tx}`)}`);
      if (st.error) out.push(`       ${c.dim('error:')}     ${st.error.message}${st.error.code ? c.dim(` [${st.error.code}]`) : ''}`);
      if (st.status === 'traced') {
        out.push(`       ${c.dim('observed:')}  ${observedText(st)}`);
        const held = locksText(st.heldBefore);
        if (held) out.push(`       ${c.dim('held:')}      ${held} ${c.dim('(from earlier statements of this transaction)')}`);
        out.push(`       ${c.dim('predicted:')} ${predictedText(st)}${st.predicted ? (st.disagreements.length ? c.red('  ✗ disagrees') : c.green('  ✓ agrees')) : ''}`);
        for (const d of st.disagreements) out.push(`       ${c.red('✗')} ${disagreementText(d)}`);
        for (const ch of st.catalog.slice(0, 8)) out.push(`       ${c.dim('catalog:')}   ${ch.object} ${ch.name} ${ch.change}: ${ch.detail}`);
        if (st.catalog.length > 8) out.push(c.dim(`       … ${st.catalog.length - 8} more catalog change(s)`));
      }
      if (st.lint.length) out.push(`       ${c.dim('lint:')}      ${st.lint.join(', ')}`);
      for (const x of st.findings) {
        const sev = x.severity === 'error' ? c.bold(c.red('error')) : c.bold(c.yellow('warning'));
        out.push(`       ${sev} ${c.cyan(x.ruleId)} ${x.message}${x.lintAgrees ? c.green(' (lint agrees)') : c.red(' (lint did not report it)')}`);
      }
      for (const n of st.notes) out.push(c.dim(`       note: ${n}`));
    }
    for (const t of f.transactions) {
      if (t.statements.length < 2) continue;
      out.push('', c.dim(`  lock timeline, transaction ${t.tx} (${t.kind}):`));
      for (const line of timelineRows(f, t)) out.push(`    ${line.map((cell, i) => (i === 0 ? cell.padEnd(24) : cell.padEnd(5))).join(' ')}`);
    }
    out.push('');
  }
  if (r.downChecks.length) {
    out.push(c.bold('down migrations (--check-down)'));
    for (const d of r.downChecks) {
      const st = d.status === 'ok' ? c.green('ok') : c.red(d.status);
      out.push(`  ${st}  ${d.up}${d.down ? ` ↔ ${d.down}` : ' (no down migration)'}`);
      for (const e of d.errors) out.push(`       ${c.red('error:')} ${e}`);
      for (const x of d.differences) out.push(`       ${c.yellow('differs:')} ${x}`);
      for (const n of d.notes) out.push(c.dim(`       note: ${n}`));
    }
    out.push('');
  }
  for (const e of r.fatal) out.push(`${c.bold(e.path)}  ${c.bold(c.red('error'))}  ${e.message}`);
  for (const n of r.notes) out.push(c.dim(`note: ${n}`));
  out.push(c.dim('limits: ' + r.limitations.join(' ')));
  const s = r.summary;
  const line = `${summaryLine(r)} — ${ms(r.durationMs)}`;
  out.push(s.errorFindings || s.failed || r.fatal.length || s.downProblems || s.internalErrors ? c.red(line) : s.findings || s.disagreements || s.untraceable || s.skipped ? c.yellow(line) : c.green(line));
  return out.join('\n') + '\n';
}

/** Rows = relations, columns = statements of the transaction, cells = mode held after the statement. */
function timelineRows(f: TracedFile, t: TxTrace, bold: (s: string) => string = (s) => s): string[][] {
  const stmts = t.statements.map((n) => f.statements.find((s) => s.n === n)).filter((s): s is TracedStatement => s !== undefined);
  const relations: string[] = [];
  for (const s of stmts) for (const r of perRelation(s.heldAfter).keys()) if (!relations.includes(r)) relations.push(r);
  const rows: string[][] = [['relation', ...stmts.map((s) => `#${s.n}`)]];
  for (const r of relations) {
    const row = [rel(r)];
    for (const s of stmts) {
      const mode = perRelation(s.heldAfter).get(r);
      const acquiredHere = perRelation(s.acquired).get(r);
      row.push(mode ? (acquiredHere ? bold(MODE_ABBREV[mode]) : MODE_ABBREV[mode]) : '·');
    }
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(s: string): string {
  const t = s.replace(/\|/g, '\\|');
  return t.includes('`') ? `<code>${t.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>` : `\`${t}\``;
}

function markdown(r: TraceReport): string {
  const out: string[] = ['## zerodown trace', ''];
  out.push(`**${summaryLine(r)}**`, '');
  for (const h of header(r)) out.push(`- ${h}`);
  for (const n of r.notes) out.push(`- ${n}`);
  out.push('');
  const findings = r.files.flatMap((f) => f.statements.flatMap((st) => st.findings.map((x) => ({ f, st, x }))));
  if (findings.length) {
    out.push('### Observed hazards', '', '| Location | Severity | Rule | Lock held | Observed | Lint |', '| --- | --- | --- | --- | --- | --- |');
    for (const { f, st, x } of findings) {
      out.push(`| \`${cell(f.path)}:${st.line}\` | ${x.severity} | ${x.ruleId} | ${x.mode} on ${code(rel(x.relation))} | ${cell(x.message)} | ${x.lintAgrees ? 'agrees' : '**not reported by lint**'} |`);
    }
    out.push('');
  }
  for (const f of r.files) {
    out.push(`### \`${cell(f.path)}\``, '', `${formatRunner(f)}, ${ms(f.durationMs)}.${f.notes.length ? ' ' + f.notes.map(cell).join('. ') + '.' : ''}`, '');
    for (const x of f.lintFindings) if (x.ruleId === 'internal-error') out.push(`**error** ${x.ruleId}: ${cell(x.message)}`, '');
    out.push('| # | Line | Statement | Status | Observed | Held from earlier | Lint predicts | Agree | Lint rules |', '| ---: | ---: | --- | --- | --- | --- | --- | --- | --- |');
    for (const st of f.statements) {
      if (st.kind === 'TransactionStmt' && st.status === 'traced') {
        out.push(`| ${st.n} | ${st.line} | ${code(st.sql)} | | | | | | |`);
        continue;
      }
      const status = st.status === 'traced' ? `traced, ${ms(st.durationMs)}` : `**${statusText(st)}**: ${st.error?.message ?? ''}`;
      const agree = st.status !== 'traced' || !st.predicted ? '–' : st.disagreements.length ? `✗ ${st.disagreements.map(disagreementText).join('; ')}` : '✓';
      out.push(
        `| ${st.n} | ${st.line} | ${code(st.sql.length > 80 ? `${st.sql.slice(0, 79)}…` : st.sql)} | ${cell(status)} | ${cell(st.status === 'traced' ? observedText(st) : '')} | ${cell(locksText(st.heldBefore))} | ${cell(st.status === 'traced' ? predictedText(st) : '')} | ${cell(agree)} | ${st.lint.join(', ')} |`,
      );
    }
    out.push('');
    const changes = f.statements.flatMap((st) => st.catalog.map((c) => ({ st, c })));
    if (changes.length) {
      out.push('<details><summary>Catalog changes</summary>', '');
      for (const { st, c } of changes) out.push(`- #${st.n}: ${c.object} \`${c.name}\` ${c.change}: ${cell(c.detail)}`);
      out.push('', '</details>', '');
    }
    for (const t of f.transactions) {
      if (t.statements.length < 2) continue;
      const rows = timelineRows(f, t, (s) => `**${s}**`);
      if (rows.length < 2) continue;
      out.push(`**Lock timeline, transaction ${t.tx} (${t.kind === 'runner' ? 'opened by the runner' : t.kind === 'implicit' ? 'implicit: the file is sent as one query' : 'BEGIN … COMMIT in the file'}):** locks held after each statement; **bold** = acquired by that statement, then held until COMMIT.`, '');
      out.push(`| ${rows[0].join(' | ')} |`, `| --- | ${rows[0].slice(1).map(() => ':---:').join(' | ')} |`);
      for (const row of rows.slice(1)) out.push(`| ${code(row[0])} | ${row.slice(1).join(' | ')} |`);
      out.push('');
      const stmts = t.statements.map((n) => f.statements.find((s) => s.n === n)).filter((s): s is TracedStatement => s !== undefined);
      out.push(stmts.map((s) => `#${s.n} (line ${s.line}) ${code(s.sql.length > 60 ? `${s.sql.slice(0, 59)}…` : s.sql)}`).join(' · '), '');
    }
  }
  out.push(`Modes: ${Object.entries(MODE_ABBREV).map(([m, a]) => `${a} = ${m}`).join(', ')}.`, '');
  if (r.downChecks.length) {
    out.push('### Down migrations (`--check-down`)', '', '| Migration | Down | Result | Details |', '| --- | --- | --- | --- |');
    for (const d of r.downChecks) {
      const details = [...d.errors.map((e) => `error: ${e}`), ...d.differences, ...d.notes].map(cell).join('<br>');
      out.push(`| \`${cell(d.up)}\` | ${d.down ? `\`${cell(d.down)}\`` : '(none)'} | ${d.status === 'ok' ? 'ok' : `**${d.status}**`} | ${details} |`);
    }
    out.push('');
  }
  if (r.fatal.length) {
    out.push('### Errors', '');
    for (const e of r.fatal) out.push(`- \`${e.path}\`: ${e.message}`);
    out.push('');
  }
  out.push('<details><summary>What the trace cannot see</summary>', '');
  for (const l of r.limitations) out.push(`- ${l}`);
  out.push('', '</details>', '');
  return out.join('\n');
}
