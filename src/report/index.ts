import type { Reporter } from './types.ts';
import { compact } from './compact.ts';
import { github } from './github.ts';
import { json } from './json.ts';
import { markdown } from './markdown.ts';
import { pretty } from './pretty.ts';
import { sarif } from './sarif.ts';

export const OUTPUT_FORMATS = ['pretty', 'compact', 'json', 'sarif', 'github', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const REPORTERS: Record<OutputFormat, Reporter> = { pretty, compact, json, sarif, github, markdown };
