/**
 * Rule documentation rendered from the rule's own metadata: docs/rules/<id>.md is generated from it
 * (scripts/gen-docs.mjs, checked in CI) and `zerodown explain <id>` prints the same text.
 */
import type { Rule } from '../kit/rule.ts';

export function ruleMarkdown(rule: Rule): string {
  const lines = [
    `# ${rule.id}`,
    '',
    `<!-- generated from rules/${rule.id}.ts by scripts/gen-docs.mjs: edit the rule, not this file -->`,
    '',
    `**${rule.description}.**`,
    '',
    `| default severity | category | presets | versions |`,
    `| --- | --- | --- | --- |`,
    `| ${rule.severity} | ${rule.category} | ${rule.presets.join(', ') || '—'} | ${rule.versions ?? 'all'} |`,
    '',
    '## Why it matters in production',
    '',
    rule.docs.why,
    '',
  ];
  if (rule.docs.versions) lines.push('## Versions', '', rule.docs.versions, '');
  if (rule.docs.history) lines.push('## Given (an earlier migration)', '', '```sql', rule.docs.history, '```', '');
  const lang = rule.docs.examplesNeed?.startsWith('a TS/JS') ? 'ts' : 'sql';
  lines.push('## Bad', '', '```' + lang, rule.docs.bad, '```', '', '## Good', '', '```' + lang, rule.docs.good, '```', '');
  lines.push(
    '## Configure',
    '',
    '```jsonc',
    `// zerodown.config.json`,
    `{ "rules": { "${rule.id}": "off" } }   // or "warn" / "error"`,
    '```',
    '',
    `Suppress one statement: \`-- zerodown-ignore ${rule.id} -- reason\` on the line before it.`,
    '',
  );
  return lines.join('\n');
}

/** Plain-text rendering for the terminal. */
export function ruleText(rule: Rule): string {
  return ruleMarkdown(rule)
    .replace(/^<!--.*-->\n\n/m, '')
    .replace(/```\w*\n/g, '')
    .replace(/```\n?/g, '')
    .replace(/\*\*/g, '');
}
