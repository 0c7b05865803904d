/**
 * Human output: location, severity, rule and message; the statement with the offending span
 * underlined; the lock, what it blocks, rewrite/scan; why; and the safe alternative.
 */
import { palette, type Palette } from '../util/ansi.ts';
import type { FileResult, Finding } from '../findings/model.ts';
import { displayRel } from '../parse/ast.ts';
import { totals, type Reporter } from './types.ts';

function excerpt(c: Palette, text: string, f: Finding): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  const first = f.line;
  const last = Math.min(f.endLine, first + 4);
  const width = String(last).length;
  for (let n = first; n <= last; n++) {
    const line = (lines[n - 1] ?? '').replace(/^\uFEFF/, '').replace(/\r$/, '').replace(/\t/g, ' ');
    out.push(`${c.dim(`${String(n).padStart(width)} |`)} ${line}`);
    const from = n === first ? f.column - 1 : line.search(/\S|$/);
    const to = n === f.endLine ? f.endColumn - 1 : line.length;
    if (to > from) out.push(`${' '.repeat(width)} ${c.dim('|')} ${' '.repeat(from)}${c.red('^'.repeat(to - from))}`);
  }
  if (f.endLine > last) out.push(`${' '.repeat(width)} ${c.dim('|')} …`);
  return out;
}

function finding(c: Palette, file: FileResult, f: Finding): string[] {
  const sev = f.severity === 'error' ? c.bold(c.red('error')) : c.bold(c.yellow('warning'));
  const out = [`${c.bold(`${file.path}:${f.line}:${f.column}`)}  ${sev}  ${c.cyan(f.ruleId)}`, `  ${f.message}`];
  if (file.text) out.push(...excerpt(c, file.text, f).map((l) => `  ${l}`));
  if (f.lock) {
    const effects = [f.lock.rewrite ? c.red('rewrites the table') : '', f.lock.scan ? c.yellow('scans the table') : ''].filter(Boolean).join(', ');
    out.push(`  ${c.dim('lock:')} ${f.lock.mode} on ${f.lock.relations.map(displayRel).join(', ')} → blocks ${f.lock.blocks.join(', ') || 'nothing'}${effects ? `; ${effects}` : ''}`);
  }
  out.push(`  ${c.dim('why:')}  ${f.help}`);
  if (f.safeAlternative) {
    out.push(`  ${c.green('instead:')} ${f.safeAlternative.summary}`);
    f.safeAlternative.steps.forEach((s, i) => {
      const tx = s.transaction === 'outside' ? 'outside a transaction' : s.transaction === 'own' ? 'own transaction' : 'any';
      out.push(`    ${i + 1}. ${s.title} ${c.dim(`[${tx}]`)}${s.deploy ? ` ${c.magenta(s.deploy)}` : ''}`);
      for (const l of s.sql.split('\n')) out.push(`       ${c.green(l)}`);
    });
  }
  return out;
}

export const pretty: Reporter = (report, ctx) => {
  const c = palette(ctx.color);
  const out: string[] = [];
  for (const file of report.files) {
    for (const f of file.findings) out.push(...finding(c, file, f), '');
  }
  for (const e of report.fatal) out.push(`${c.bold(e.path)}  ${c.bold(c.red('error'))}  ${e.message}`);
  const t = totals(report);
  const summary = `${t.errors} error(s), ${t.warnings} warning(s) in ${t.files} file(s), ${t.statements} statement(s) — PostgreSQL ${report.postgresVersion} (${report.postgresVersionSource})`;
  out.push(t.errors || t.fatal ? c.red(summary) : t.warnings ? c.yellow(summary) : c.green(summary));
  return out.join('\n') + '\n';
};
