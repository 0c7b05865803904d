/** Tool identity, shared by reporters and --version. */
import pkg from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'zerodown';
export const TOOL_VERSION: string = pkg.version;
export const DOCS_BASE = 'https://github.com/zerodown-dev/zerodown/blob/main/docs/rules';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}.md`;
}
