/**
 * Markdown for a PR comment or a job summary: a table, then each finding with its safe alternative.
 * Totals come first, so it is written at the end, a line at a time.
 */
import type { Finding } from '../findings/model.ts';
import { displayRel } from '../parse/ast.ts';
import { ruleDocsUrl } from '../meta.ts';
import { toStringReporter, totals, type StreamingReporter } from './types.ts';

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

export const markdownStream: StreamingReporter = (write) => ({
  file: () => undefined,
  end(report) {
    // Lines are joined by newlines (the last line is the empty one that ends the output).
    let started = false;
    const line = (...lines: string[]): void => {
      write((started ? '\n' : '') + lines.join('\n'));
      started = true;
    };
    const t = totals(report);
    if (t.errors + t.warnings + t.fatal === 0) {
      line('## zerodown', '', `No findings in ${t.files} file(s), ${t.statements} statement(s) (PostgreSQL ${report.postgresVersion}).`, '');
      return;
    }
    line('## zerodown', '', `**${t.errors} error(s), ${t.warnings} warning(s)** in ${t.files} file(s), ${t.statements} statement(s) — PostgreSQL ${report.postgresVersion}.`, '');
    line('| Location | Severity | Rule | Lock | Message |', '| --- | --- | --- | --- | --- |');
    for (const f of report.files) {
      for (const x of f.findings) {
        line(`| \`${cell(f.path)}:${x.line}:${x.column}\` | ${x.severity} | [${x.ruleId}](${ruleDocsUrl(x.ruleId)}) | ${cell(lockCell(x))} | ${cell(x.message)} |`);
      }
    }
    line('');
    for (const f of report.files) {
      for (const x of f.findings) {
        if (!x.safeAlternative) continue;
        line(`<details><summary><code>${html(f.path)}:${x.line}</code> ${x.ruleId}: safe alternative</summary>`, '', x.safeAlternative.summary, '');
        x.safeAlternative.steps.forEach((s, i) => {
          const tx = s.transaction === 'outside' ? 'outside a transaction' : s.transaction === 'own' ? 'in its own transaction' : 'in or outside a transaction';
          const f3 = fence(s.sql);
          line(`${i + 1}. ${s.title} (${tx})${s.deploy ? ` — ${s.deploy}` : ''}`, '', `${f3}sql`, s.sql, f3, '');
        });
        line('</details>', '');
      }
    }
    if (report.fatal.length) {
      line('### Errors', '');
      for (const e of report.fatal) line(`- \`${e.path}\`: ${e.message}`);
      line('');
    }
  },
});

export const markdown = toStringReporter(markdownStream);
