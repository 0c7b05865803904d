/** Tool identity, shared by reporters and --version. */
import pkg from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'zerodown';
export const TOOL_VERSION: string = pkg.version;

declare const __ZERODOWN_BUILD_ID__: string | undefined;
/** Digest of the sources a build was made from (scripts/build.mjs); undefined when running from source. */
export const BUILD_ID: string | undefined = typeof __ZERODOWN_BUILD_ID__ === 'string' ? __ZERODOWN_BUILD_ID__ : undefined;
export const DOCS_BASE = 'https://github.com/zerodown-dev/zerodown/blob/main/docs/rules';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}.md`;
}
