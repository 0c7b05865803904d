/**
 * The reporters as they were before streaming (commit 692c2db), kept verbatim as the oracle that
 * test/streaming-reporters.test.ts compares the streaming writers with, byte for byte.
 */
import type { Finding, LintReport } from '../src/findings/model.ts';
import { displayRel } from '../src/parse/ast.ts';
import { TOOL_NAME, TOOL_VERSION, ruleDocsUrl } from '../src/meta.ts';
import { totals, type ReporterContext } from '../src/report/types.ts';

type Reporter = (report: LintReport, ctx: ReporterContext) => string;

// ---- src/report/json.ts

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

function jsonReport(report: LintReport): Record<string, unknown> {
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

// ---- src/report/sarif.ts

/** A relative path as a URI reference: each segment percent-encoded. */
function toUri(p: string): string {
  return p
    .split(/[\\/]/)
    .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
    .join('/');
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export const sarif: Reporter = (report, ctx) => {
  const ids = ctx.rules.map((r) => r.id);
  const extra = new Set<string>();
  for (const f of report.files) for (const x of f.findings) if (!ids.includes(x.ruleId)) extra.add(x.ruleId);
  const allIds = [...ids, ...extra];
  const rules = allIds.map((id) => {
    const rule = ctx.rules.find((r) => r.id === id);
    return {
      id,
      name: id,
      shortDescription: { text: rule?.description ?? id },
      fullDescription: { text: rule?.docs.why ?? rule?.description ?? id },
      helpUri: ruleDocsUrl(id),
      help: { text: rule ? `${rule.docs.why}\n\nInstead:\n${rule.docs.good}` : id, markdown: rule ? `${rule.docs.why}\n\n**Instead:**\n\n\`\`\`sql\n${rule.docs.good}\n\`\`\`` : id },
      defaultConfiguration: { level: rule?.severity === 'warning' ? 'warning' : 'error' },
      properties: { category: rule?.category ?? 'engine' },
    };
  });
  const results = report.files.flatMap((f) =>
    f.findings.map((x) => ({
      ruleId: x.ruleId,
      ruleIndex: allIds.indexOf(x.ruleId),
      level: x.severity === 'error' ? 'error' : 'warning',
      message: { text: `${x.message}\n${x.help}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: toUri(f.path) },
            region: { startLine: x.line, startColumn: x.column, endLine: x.endLine, endColumn: x.endColumn },
          },
        },
      ],
      properties: { lock: x.lock, safeAlternative: x.safeAlternative, ...(x.direction ? { direction: x.direction } : {}) },
    })),
  );
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: 'https://github.com/zerodown-dev/zerodown', rules } },
        columnKind: 'utf16CodeUnits',
        results,
        invocations: [
          {
            executionSuccessful: report.fatal.length === 0,
            toolExecutionNotifications: report.fatal.map((e) => ({ level: 'error', message: { text: `${e.path}: ${e.message}` } })),
          },
        ],
        properties: { postgresVersion: report.postgresVersion },
      },
    ],
  };
  return JSON.stringify(log) + '\n';
};

// ---- src/report/markdown.ts

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

// ---- src/report/github.ts

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const github: Reporter = (report) => {
  const lines: string[] = [];
  for (const f of report.files) {
    for (const x of f.findings) {
      const props = [
        `file=${escapeProperty(f.path)}`,
        `line=${x.line}`,
        `col=${x.column}`,
        `endLine=${x.endLine}`,
        `endColumn=${x.endColumn}`,
        `title=${escapeProperty(`zerodown ${x.ruleId}`)}`,
      ].join(',');
      const text = `${x.message}\n\n${x.help}${x.safeAlternative ? `\n\nSafe alternative: ${x.safeAlternative.summary}` : ''}`;
      lines.push(`::${x.severity === 'error' ? 'error' : 'warning'} ${props}::${escapeData(text)}`);
    }
  }
  for (const e of report.fatal) lines.push(`::error file=${escapeProperty(e.path)},title=${escapeProperty('zerodown')}::${escapeData(e.message)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
};

// ---- src/report/compact.ts

export const compact: Reporter = (report) => {
  const lines: string[] = [];
  for (const f of report.files) {
    for (const x of f.findings) lines.push(`${f.path}:${x.line}:${x.column}: ${x.severity} [${x.ruleId}] ${x.message}`);
  }
  for (const e of report.fatal) lines.push(`${e.path}: error ${e.message}`);
  return lines.length ? lines.join('\n') + '\n' : '';
};
