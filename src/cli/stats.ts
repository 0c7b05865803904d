/**
 * zerodown stats: prints the read-only snapshot query, or runs it (`--database-url`) and writes the
 * snapshot; `--seed-plan` turns a snapshot plus the migrations' schema into a seed script for
 * `zerodown trace --seed`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { STATS_SQL, TOP_QUERIES_SQL } from '../stats/query.ts';

export interface StatsCommandOptions {
  cwd: string;
  databaseUrl?: string;
  outputFile?: string;
  statementTimeoutMs: number;
}

/** Returns the exit code; writes the snapshot (or the query) to the output file or stdout. */
export async function statsCommand(opts: StatsCommandOptions): Promise<number> {
  let output: string;
  if (!opts.databaseUrl) {
    output = `${STATS_SQL}\n\n${TOP_QUERIES_SQL}\n`;
  } else {
    const { collectFromServer } = await import('../stats/collect.ts');
    try {
      const snapshot = await collectFromServer(opts.databaseUrl, { statementTimeoutMs: opts.statementTimeoutMs, topQueries: true });
      output = JSON.stringify(snapshot, null, 2) + '\n';
    } catch (e) {
      process.stderr.write(`zerodown: stats: ${redact((e as Error).message, opts.databaseUrl)}\n`);
      return 2;
    }
  }
  if (opts.outputFile) {
    try {
      fs.writeFileSync(path.resolve(opts.cwd, opts.outputFile), output);
    } catch (e) {
      process.stderr.write(`zerodown: ${opts.outputFile}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return 2;
    }
    if (opts.databaseUrl) process.stderr.write(`zerodown: wrote ${opts.outputFile}\n`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}

/** Never echo a password from the URL in an error message. */
function redact(message: string, url: string): string {
  try {
    const pw = new URL(url).password;
    return pw ? message.split(pw).join('***') : message;
  } catch {
    return message;
  }
}
