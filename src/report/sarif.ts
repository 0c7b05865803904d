/**
 * SARIF 2.1.0 for code-scanning upload: rule metadata with help URIs, one result per finding.
 * The rule list precedes the results and names every rule id the findings use, so the log is
 * written at the end, one result at a time.
 */
import { toStringReporter, type StreamingReporter } from './types.ts';
import { TOOL_NAME, TOOL_VERSION, ruleDocsUrl } from '../meta.ts';

/** A relative path as a URI reference: each segment percent-encoded. */
function toUri(p: string): string {
  return p
    .split(/[\\/]/)
    .map((seg) => (seg === '..' || seg === '.' ? seg : encodeURIComponent(seg)))
    .join('/');
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export const sarifStream: StreamingReporter = (write, _head, ctx) => ({
  file: () => undefined,
  end(report) {
    const index = new Map(ctx.rules.map((r, i) => [r.id, i]));
    const allIds = ctx.rules.map((r) => r.id);
    for (const f of report.files) {
      for (const x of f.findings) {
        if (!index.has(x.ruleId)) {
          index.set(x.ruleId, allIds.length);
          allIds.push(x.ruleId);
        }
      }
    }
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
    const tool = { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: 'https://github.com/zerodown-dev/zerodown', rules } };
    write(`{"$schema":${JSON.stringify(SARIF_SCHEMA)},"version":"2.1.0","runs":[{"tool":${JSON.stringify(tool)},"columnKind":"utf16CodeUnits","results":[`);
    let first = true;
    for (const f of report.files) {
      const uri = toUri(f.path);
      for (const x of f.findings) {
        const result = {
          ruleId: x.ruleId,
          ruleIndex: index.get(x.ruleId),
          level: x.severity === 'error' ? 'error' : 'warning',
          message: { text: `${x.message}\n${x.help}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri },
                region: { startLine: x.line, startColumn: x.column, endLine: x.endLine, endColumn: x.endColumn },
              },
            },
          ],
          ...(x.relatedLocations
            ? {
                relatedLocations: x.relatedLocations.map((r, id) => ({
                  id,
                  physicalLocation: { artifactLocation: { uri: toUri(r.path) }, region: { startLine: r.line, startColumn: r.column } },
                  message: { text: r.message },
                })),
              }
            : {}),
          properties: { lock: x.lock, safeAlternative: x.safeAlternative, ...(x.direction ? { direction: x.direction } : {}) },
        };
        write((first ? '' : ',') + JSON.stringify(result));
        first = false;
      }
    }
    const invocations = [
      {
        executionSuccessful: report.fatal.length === 0,
        toolExecutionNotifications: report.fatal.map((e) => ({ level: 'error', message: { text: `${e.path}: ${e.message}` } })),
      },
    ];
    write(`],"invocations":${JSON.stringify(invocations)},"properties":${JSON.stringify({ postgresVersion: report.postgresVersion })}}]}\n`);
  },
});

export const sarif = toStringReporter(sarifStream);
