/** SARIF 2.1.0 for code-scanning upload: rule metadata with help URIs, one result per finding. */
import type { Reporter } from './types.ts';
import { TOOL_NAME, TOOL_VERSION, ruleDocsUrl } from '../meta.ts';

/** A relative path as a URI reference: each segment percent-encoded. */
function toUri(p: string): string {
  return p
    .split(/[\\/]/)
    .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
    .join('/');
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

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
