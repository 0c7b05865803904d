import { toStringReporter, atEnd, type Reporter, type StreamingReporter } from './types.ts';
import { compactStream } from './compact.ts';
import { githubStream } from './github.ts';
import { jsonStream } from './json.ts';
import { markdownStream } from './markdown.ts';
import { pretty } from './pretty.ts';
import { sarifStream } from './sarif.ts';

export const OUTPUT_FORMATS = ['pretty', 'compact', 'json', 'sarif', 'github', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Each format as a writer that the CLI feeds while the lint runs (see types.ts). */
export const REPORT_STREAMS: Record<OutputFormat, StreamingReporter> = {
  pretty: atEnd(pretty),
  compact: compactStream,
  json: jsonStream,
  sarif: sarifStream,
  github: githubStream,
  markdown: markdownStream,
};

/** Each format rendered from a finished report as one string. */
export const REPORTERS = Object.fromEntries(OUTPUT_FORMATS.map((f) => [f, toStringReporter(REPORT_STREAMS[f])])) as Record<OutputFormat, Reporter>;
