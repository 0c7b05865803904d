/**
 * The Markdown of the sticky PR comment and of the job summary: totals, a table of findings with the
 * lock and what it blocks, and per finding a collapsible section with the fix and the safe steps.
 * A PR comment holds at most 65,536 characters: sections, then table rows, are left out from the end
 * when the text would not fit, and the text says so and where the rest is.
 */
import type { Finding, LintReport } from '../findings/model.ts';
import { displayRel } from '../parse/ast.ts';
import { ruleDocsUrl } from '../meta.ts';
import { totals } from '../report/types.ts';

/** GitHub's limit on an issue comment body (characters). */
export const COMMENT_LIMIT = 65_536;

export interface BodyOptions {
  /** Hidden marker that finds the sticky comment again. */
  marker: string;
  limit: number;
  /** One line on what was linted (changed files since which base). */
  scope: string;
  /** Where the full report is, for truncation notes. */
  elsewhere: string;
  /** Annotation cap note, when some findings were not annotated. */
  annotationNote?: string;
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for Markdown: HTML-escaped outside `code spans` (entities would show literally inside them). */
function md(s: string): string {
  return s
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 ? part : html(part)))
    .join('');
}

function cell(s: string): string {
  return md(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function fence(sql: string): string {
  const longest = Math.max(2, ...(sql.match(/`+/g) ?? []).map((m) => m.length));
  return '`'.repeat(longest + 1);
}

const BLOCKED: Record<string, string> = { reads: 'reads (SELECT)', writes: 'writes (INSERT, UPDATE, DELETE)', ddl: 'DDL, VACUUM, CREATE INDEX CONCURRENTLY' };

function lockCell(f: Finding): string {
  if (!f.lock) return '—';
  const effects = [f.lock.rewrite ? 'rewrite' : '', f.lock.scan ? 'scan' : ''].filter(Boolean).join(', ');
  return `${f.lock.mode} on ${f.lock.relations.map(displayRel).join(', ')}${effects ? ` (${effects})` : ''}`;
}

function blocksCell(f: Finding): string {
  return f.lock?.blocks.length ? f.lock.blocks.map((b) => BLOCKED[b] ?? b).join('; ') : '—';
}

function details(file: string, f: Finding): string {
  const lines = [`<details><summary><code>${html(file)}:${f.line}</code> <b>${f.ruleId}</b></summary>`, '', md(f.message), '', `**Instead:** ${md(f.help)}`, ''];
  if (f.safeAlternative) {
    lines.push(`**Safe alternative:** ${md(f.safeAlternative.summary)}`, '');
    f.safeAlternative.steps.forEach((s, i) => {
      const tx = s.transaction === 'outside' ? 'outside a transaction' : s.transaction === 'own' ? 'in its own transaction' : 'in or outside a transaction';
      const fc = fence(s.sql);
      lines.push(`${i + 1}. ${md(s.title)} (${tx})${s.deploy ? ` — ${md(s.deploy)}` : ''}`, '', `${fc}sql`, s.sql, fc, '');
    });
  }
  lines.push('</details>', '');
  return lines.join('\n');
}

export function renderBody(report: LintReport, o: BodyOptions): string {
  const t = totals(report);
  const head = [o.marker, `## zerodown: ${t.errors} error(s), ${t.warnings} warning(s)`, '', `${o.scope} — ${t.files} migration file(s), ${t.statements} statement(s), PostgreSQL ${report.postgresVersion} (${html(report.postgresVersionSource)}).`, ''];
  if (o.annotationNote) head.push(`> ${o.annotationNote}`, '');
  const tail: string[] = [];
  if (report.fatal.length) {
    tail.push('### Files that could not be linted', '');
    for (const e of report.fatal) tail.push(`- \`${e.path}\`: ${cell(e.message)}`);
    tail.push('');
  }
  const all = report.files.flatMap((file) => file.findings.map((finding) => ({ file: file.path, finding })));
  if (!all.length && !report.fatal.length) return [...head, 'No findings: the changed migrations are safe to deploy as far as zerodown can tell. ✅', ''].join('\n');
  // Errors first in the comment too: truncation then drops warnings.
  all.sort((a, b) => (a.finding.severity === b.finding.severity ? 0 : a.finding.severity === 'error' ? -1 : 1));
  const rows = all.map(({ file, finding: f }) => `| ${f.severity === 'error' ? '🔴 error' : '🟡 warning'} | [\`${f.ruleId}\`](${ruleDocsUrl(f.ruleId)}) | \`${cell(file)}:${f.line}\` | ${cell(lockCell(f))} | ${cell(blocksCell(f))} | ${cell(f.message)} |`);
  const sections = all.map(({ file, finding }) => details(file, finding));
  const tableHead = ['| Level | Rule | Where | Lock | Blocks | Problem |', '| --- | --- | --- | --- | --- | --- |'];
  const build = (nRows: number, nSections: number): string => {
    const left = all.length - Math.min(nRows, nSections);
    const note = left ? [`> ⚠️ ${left} finding(s) are not shown in full here (GitHub's limit on the length of this text): ${o.elsewhere}.`, ''] : [];
    return [...head, ...note, ...tableHead, ...rows.slice(0, nRows), '', '### How to fix', '', ...sections.slice(0, nSections), ...tail].join('\n');
  };
  let nSections = sections.length;
  let nRows = rows.length;
  let body = build(nRows, nSections);
  while (body.length > o.limit && nSections > 0) body = build(nRows, (nSections = Math.floor(nSections * 0.8)));
  while (body.length > o.limit && nRows > 0) body = build((nRows = Math.floor(nRows * 0.8)), 0);
  return body.length > o.limit ? body.slice(0, o.limit) : body;
}

/** The sticky comment once the pull request is clean again. */
export function resolvedBody(marker: string, scope: string, sha: string | undefined): string {
  return [marker, '## zerodown: resolved ✅', '', `${scope}: no findings any more${sha ? ` (as of ${sha.slice(0, 10)})` : ''}. Earlier findings of this pull request were fixed or suppressed.`, ''].join('\n');
}
