/**
 * Human output, grouped by statement: the statement's location and code frame once, the lock it
 * takes once, then each finding — what is wrong, why it matters, what to do — wrapped to the
 * terminal width at word boundaries (`do:` is the finding's help: what to do instead). The safe alternative's step-by-step recipe is printed with
 * --verbose (and by `zerodown explain <rule-id>`); advice that two findings of one statement share
 * (the same recipe step) is printed once and cross-referenced.
 */
import { palette, type Palette } from '../util/ansi.ts';
import type { FileResult, Finding } from '../findings/model.ts';
import { displayRel } from '../parse/ast.ts';
import { lex } from '../source/lexer.ts';
import { totals, type Reporter } from './types.ts';

/** Wrap width when the output is not a terminal (a file, a pipe, CI logs). */
const DEFAULT_WIDTH = 100;
/** A code frame shows at most this many lines of a statement. */
const FRAME_LINES = 4;

const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/**
 * Word-wraps `text` to `width` columns; continuation lines get `indent`. Words are never split
 * (a word longer than the line stays whole on its own line).
 */
export function wrap(text: string, width: number, first: string, indent: string): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && visible(line) + 1 + visible(word) > width) {
      out.push(line);
      line = indent + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  out.push(line);
  return out;
}

/** Clips a long source line to `room` columns around [from, to); returns the text and the shifted columns. */
function clip(line: string, from: number, to: number, room: number): { text: string; from: number; to: number } {
  if (line.length <= room) return { text: line, from, to };
  const start = Math.max(0, Math.min(from - 10, line.length - room));
  const end = Math.min(line.length, start + room);
  const left = start > 0 ? '…' : '';
  const text = left + line.slice(start, end) + (end < line.length ? '…' : '');
  const shift = start - left.length;
  return { text, from: Math.max(left.length, from - shift), to: Math.min(text.length, to - shift) };
}

/** The lines of the statement with each finding's span underlined (first FRAME_LINES lines). */
function frame(c: Palette, lines: string[], firstLine: number, lastLine: number, marks: readonly Finding[], width: number): string[] {
  const out: string[] = [];
  const last = Math.min(lastLine, firstLine + FRAME_LINES - 1);
  const gutter = String(last).length;
  const room = Math.max(20, width - gutter - 5);
  for (let n = firstLine; n <= last; n++) {
    const raw = (lines[n - 1] ?? '').replace(/^\uFEFF/, '').replace(/\r$/, '').replace(/\t/g, ' ');
    let from = Infinity;
    let to = -1;
    for (const f of marks) {
      if (n < f.line || n > f.endLine) continue;
      from = Math.min(from, n === f.line ? f.column - 1 : raw.search(/\S|$/));
      to = Math.max(to, n === f.endLine ? f.endColumn - 1 : raw.length);
    }
    const shown = clip(raw, Number.isFinite(from) ? from : 0, Math.max(to, 0), room);
    out.push(`  ${c.dim(`${String(n).padStart(gutter)} |`)} ${shown.text}`);
    if (to > from) out.push(`  ${' '.repeat(gutter)} ${c.dim('|')} ${' '.repeat(shown.from)}${c.red('^'.repeat(Math.max(1, shown.to - shown.from)))}`);
  }
  if (lastLine > last) out.push(`  ${' '.repeat(gutter)} ${c.dim('|')} …`);
  return out;
}

interface Group {
  /** Statement span in the file text (or the finding's own span when the text is unknown). */
  start: number;
  findings: Finding[];
}

/** Findings grouped by the top-level statement that contains them, in file order. */
function groups(file: FileResult): Group[] {
  const spans = file.text ? lex(file.text).statements : [];
  const byStart = new Map<number, Group>();
  const out: Group[] = [];
  for (const f of file.findings) {
    const s = spans.find((x) => x.start <= f.start && f.start <= x.end);
    const key = s ? s.start : -1 - out.length;
    let g = byStart.get(key);
    if (!g) {
      g = { start: s ? s.start : f.start, findings: [] };
      byStart.set(key, g);
      out.push(g);
    }
    g.findings.push(f);
  }
  return out;
}

function lockLine(c: Palette, f: Finding): string {
  const lock = f.lock;
  if (!lock) return '';
  const effects = [lock.rewrite ? c.red('rewrites the table') : '', lock.scan ? c.yellow('scans the table') : ''].filter(Boolean).join(', ');
  return `${lock.mode} on ${lock.relations.map(displayRel).join(', ')} → blocks ${lock.blocks.join(', ') || 'nothing'}${effects ? `; ${effects}` : ''}`;
}

function statementGroup(c: Palette, file: FileResult, g: Group, width: number, verbose: boolean): string[] {
  const first = g.findings[0];
  const firstLine = Math.min(...g.findings.map((f) => f.line));
  const lastLine = Math.max(...g.findings.map((f) => f.endLine));
  const out = [c.bold(`${file.path}:${first.line}:${first.column}`)];
  if (file.text) out.push(...frame(c, file.text.split('\n'), firstLine, lastLine, g.findings, width));
  const locked = g.findings.find((f) => f.lock);
  if (locked) out.push(...wrap(lockLine(c, locked), width, `  ${c.dim('lock:')} `, '        '));
  // Recipe steps already printed for this statement, by SQL: a later finding refers to them.
  const shown = new Map<string, string>();
  for (const f of g.findings) {
    const sev = f.severity === 'error' ? c.bold(c.red('error')) : c.bold(c.yellow('warning'));
    const at = f.line === first.line && f.column === first.column ? '' : ` ${c.dim(`${f.line}:${f.column}`)}`;
    out.push(`  ${sev} ${c.cyan(f.ruleId)}${at}`);
    out.push(...wrap(f.message, width, '    ', '    '));
    for (const r of f.relatedLocations ?? []) out.push(...wrap(`${c.bold(`${r.path}:${r.line}:${r.column}`)} ${r.message}`, width, `    ${c.dim('see:')} `, '         '));
    out.push(...wrap(f.help, width, `    ${c.dim('do:')} `, '        '));
    const alt = f.safeAlternative;
    // A one-step recipe that only sets lock_timeout repeats the `do:` line.
    if (!alt || (alt.steps.length === 1 && f.help.includes(alt.steps[0].sql.trim()))) continue;
    const refs = alt.steps.map((s) => shown.get(s.sql.trim()));
    if (alt.steps.length && refs.every(Boolean)) {
      out.push(...wrap(`same steps as ${[...new Set(refs)].join(', ')} above`, width, `    ${c.green('instead:')} `, '             '));
      continue;
    }
    out.push(...wrap(alt.summary, width, `    ${c.green('instead:')} `, '             '));
    if (!verbose) {
      if (alt.steps.length) out.push(c.dim(`             (${alt.steps.length} step${alt.steps.length > 1 ? 's' : ''} with SQL: --verbose)`));
      for (const s of alt.steps) shown.set(s.sql.trim(), f.ruleId);
      continue;
    }
    alt.steps.forEach((s, i) => {
      const ref = shown.get(s.sql.trim());
      const tx = s.transaction === 'outside' ? 'outside a transaction' : s.transaction === 'own' ? 'own transaction' : 'any';
      const head = `${s.title} ${c.dim(`[${tx}]`)}${s.deploy ? ` ${c.magenta(s.deploy)}` : ''}`;
      out.push(...wrap(ref ? `${s.title} — same SQL as ${ref} above` : head, width, `      ${i + 1}. `, '         '));
      if (ref) return;
      shown.set(s.sql.trim(), `step ${i + 1} of ${f.ruleId}`);
      for (const l of s.sql.split('\n')) out.push(`         ${c.green(l)}`);
    });
  }
  return out;
}

export const pretty: Reporter = (report, ctx) => {
  const c = palette(ctx.color);
  const width = Math.max(40, ctx.width ?? DEFAULT_WIDTH);
  const out: string[] = [];
  for (const file of report.files) {
    for (const g of groups(file)) out.push(...statementGroup(c, file, g, width, ctx.verbose === true), '');
  }
  for (const e of report.fatal) out.push(`${c.bold(e.path)}  ${c.bold(c.red('error'))}  ${e.message}`);
  const t = totals(report);
  const summary = `${t.errors} error(s), ${t.warnings} warning(s) in ${t.files} file(s), ${t.statements} statement(s) — PostgreSQL ${report.postgresVersion} (${report.postgresVersionSource})`;
  out.push(...wrap(summary, width, '', '  ').map((l) => (t.errors || t.fatal ? c.red(l) : t.warnings ? c.yellow(l) : c.green(l))));
  return out.join('\n') + '\n';
};
