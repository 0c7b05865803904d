/**
 * zerodown stats: prints the read-only snapshot query, or runs it (`--database-url`) and writes the
 * snapshot; `--seed-plan` turns a snapshot plus the migrations' schema into a seed script for
 * `zerodown trace --seed`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { STATS_SQL, TOP_QUERIES_SQL } from '../stats/query.ts';
import { parseSnapshot, StatsFormatError } from '../analyze/production.ts';
import { DEFAULT_SEED_FRACTION, DEFAULT_SEED_MAX_ROWS, seedPlanSql } from '../stats/seed-plan.ts';

export interface StatsCommandOptions {
  cwd: string;
  databaseUrl?: string;
  outputFile?: string;
  statementTimeoutMs: number;
  /** `--seed-plan <snapshot>`: write a seed script instead of a snapshot. */
  seedPlan?: string;
  seedFraction?: string;
  seedMaxRows?: string;
}

/** The seed script for a snapshot file, or a one-line usage/input error. */
function seedPlan(opts: StatsCommandOptions): { sql: string } | { error: string } {
  const file = opts.seedPlan ?? '';
  const fraction = opts.seedFraction === undefined ? DEFAULT_SEED_FRACTION : Number(opts.seedFraction);
  if (!(fraction > 0 && fraction <= 1)) return { error: `--seed-fraction: expected a number above 0 and at most 1 (e.g. 0.01 for 1%), got "${opts.seedFraction}"` };
  const maxRows = opts.seedMaxRows === undefined ? DEFAULT_SEED_MAX_ROWS : Number(opts.seedMaxRows);
  if (!Number.isInteger(maxRows) || maxRows < 1) return { error: `--seed-max-rows: expected a positive whole number, got "${opts.seedMaxRows}"` };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.resolve(opts.cwd, file), 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: `${file}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot read (${code})` : `not JSON (${(e as Error).message})`}` };
  }
  try {
    return { sql: seedPlanSql(parseSnapshot(raw), { fraction, maxRows }) };
  } catch (e) {
    if (e instanceof StatsFormatError) return { error: `${file}: ${e.message}` };
    throw e;
  }
}

/** Returns the exit code; writes the snapshot (or the query) to the output file or stdout. */
export async function statsCommand(opts: StatsCommandOptions): Promise<number> {
  let output: string;
  if (opts.seedPlan !== undefined) {
    const plan = seedPlan(opts);
    if ('error' in plan) {
      process.stderr.write(`zerodown: stats --seed-plan: ${plan.error}\n`);
      return 2;
    }
    output = plan.sql;
  } else if (!opts.databaseUrl) {
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
    if (opts.databaseUrl || opts.seedPlan !== undefined) process.stderr.write(`zerodown: wrote ${opts.outputFile}\n`);
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
