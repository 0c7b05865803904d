/** Markdown for a PR comment or a job summary: a table, then each finding with its safe alternative. */
import type { Finding } from '../findings/model.ts';
import { displayRel } from '../parse/ast.ts';
import { ruleDocsUrl } from '../meta.ts';
import { totals, type Reporter } from './types.ts';

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code fence longer than any backtick run inside the SQL. */
function fence(sql: string): string {
  const longest = Math.max(2, ...(sql.match(/`+/g) ?? []).map((m) => m.length));
  return '`'.repeat(longest + 1);
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function lockCell(f: Finding): string {
  if (!f.lock) return '';
  const effects = [f.lock.rewrite ? 'rewrite' : '', f.lock.scan ? 'scan' : ''].filter(Boolean).join(', ');
  return `${f.lock.mode} on ${f.lock.relations.map(displayRel).join(', ')}${effects ? ` (${effects})` : ''}`;
}

export const markdown: Reporter = (report) => {
  const t = totals(report);
  const out: string[] = ['## zerodown', ''];
  if (t.errors + t.warnings + t.fatal === 0) {
    out.push(`No findings in ${t.files} file(s), ${t.statements} statement(s) (PostgreSQL ${report.postgresVersion}).`, '');
    return out.join('\n');
  }
  out.push(`**${t.errors} error(s), ${t.warnings} warning(s)** in ${t.files} file(s), ${t.statements} statement(s) — PostgreSQL ${report.postgresVersion}.`, '');
  out.push('| Location | Severity | Rule | Lock | Message |', '| --- | --- | --- | --- | --- |');
  for (const f of report.files) {
    for (const x of f.findings) {
      out.push(`| \`${cell(f.path)}:${x.line}:${x.column}\` | ${x.severity} | [${x.ruleId}](${ruleDocsUrl(x.ruleId)}) | ${cell(lockCell(x))} | ${cell(x.message)} |`);
    }
  }
  out.push('');
  for (const f of report.files) {
    for (const x of f.findings) {
      if (!x.safeAlternative) continue;
      out.push(`<details><summary><code>${html(f.path)}:${x.line}</code> ${x.ruleId}: safe alternative</summary>`, '', x.safeAlternative.summary, '');
      x.safeAlternative.steps.forEach((s, i) => {
        const tx = s.transaction === 'outside' ? 'outside a transaction' : s.transaction === 'own' ? 'in its own transaction' : 'in or outside a transaction';
        const f3 = fence(s.sql);
        out.push(`${i + 1}. ${s.title} (${tx})${s.deploy ? ` — ${s.deploy}` : ''}`, '', `${f3}sql`, s.sql, f3, '');
      });
      out.push('</details>', '');
    }
  }
  if (report.fatal.length) {
    out.push('### Errors', '');
    for (const e of report.fatal) out.push(`- \`${e.path}\`: ${e.message}`);
    out.push('');
  }
  return out.join('\n');
};
