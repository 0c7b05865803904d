/**
 * The zerodown command line. Exit codes: 0 no errors (and warnings within --max-warnings),
 * 1 findings at error level (or too many warnings), 2 usage, config or IO error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RUNNER_IDS } from '../source/runners.ts';
import { parseDurationMs } from '../pg/durations.ts';
import { loadConfig } from '../options/config.ts';
import { DEFAULT_PG_VERSION, NEWEST_PG_VERSION, OLDEST_PG_VERSION } from '../pg/versions.ts';
import { initCommand } from './init.ts';
import { baselineCommand, engineOptions, isUsageProblem, lintCommand, oneOf, UsageError, useColor, type Values } from '../front/lint-run.ts';
import { TOOL_VERSION } from '../meta.ts';
import { ruleText } from '../report/rule-docs.ts';
import type { Rule } from '../kit/rule.ts';
import { FORMATS } from '../source/formats.ts';
import { didYouMean } from '../util/did-you-mean.ts';
import { RULES } from '../../rules/index.ts';

const HELP = `zerodown ${TOOL_VERSION} — migration-safety linter for PostgreSQL

Usage:
  zerodown [lint] [paths…] [options]   lint migration files or directories (default: .)
  zerodown trace [paths…]              replay migrations on a real Postgres (in-process PGlite by
                                       default) and report the locks, rewrites and scans observed
  zerodown extract [paths…]            print the SQL statements read from each migration (TS/JS
                                       too) as JSON: path, runner, line, column, sql, origin
  zerodown init [--pre-commit] [--husky] [--github] [--force]
                                       write zerodown.config.json for the runner(s) and migrations
                                       found here, and the commit-time hook / CI workflow entries
  zerodown stats [--database-url <url>] [-o file]
                                       print (or run, read-only) the query that snapshots table
                                       sizes and index usage for --stats (docs/stats.md)
  zerodown baseline [paths…] [-o file] write the current findings as accepted (default file
                                       zerodown-baseline.json); --baseline <file> then reports new ones only
  zerodown stats --seed-plan <snapshot.json> [--seed-fraction 0.01] [--seed-max-rows N] [-o file]
                                       write a seed script for trace --seed that fills each table
                                       to a fraction of its production row count
  zerodown rules [--format json]       list the rules
  zerodown explain <rule-id>           why a rule matters, with bad and good examples

Options:
  -f, --format <fmt>            pretty | compact | json | sarif | github | markdown
                                (default: pretty on a terminal, compact otherwise)
      --pg-version <major>      target PostgreSQL major (${OLDEST_PG_VERSION}–${NEWEST_PG_VERSION}; default: from the
                                repository's postgres image, else ${DEFAULT_PG_VERSION})
      --runner <name>           ${RUNNER_IDS.join(', ')}
      --migration-format <fmt>  force the file format: ${FORMATS.join(', ')}
      --assume-in-transaction   treat every file as running in a transaction
      --no-assume-in-transaction  treat every file as running outside one
  -c, --config <file>           config file (default: searched upward from the working directory)
      --rule <id=severity>      set a rule to off | warn | error (repeatable)
      --lock-timeout <dur>      lock_timeout already in force (role/database level), e.g. 2s
      --down <mode>             findings in down migrations: same | warning | off (default: warning)
      --max-warnings <n>        exit 1 when there are more than n warnings
  -q, --quiet                   report errors only
      --verbose                 pretty: print each safe alternative's steps with their SQL
      --report-unused-ignores   report zerodown-ignore comments that suppress nothing
      --fix                     apply the safe mechanical rewrites in place (CONCURRENTLY where the
                                statement runs outside a transaction, NOT VALID + VALIDATE,
                                SET lock_timeout), then report what is left. Only migrations that
                                are new relative to the deployed revision are edited: not in the
                                merge-base of HEAD with the upstream/default branch (committed on
                                this branch, staged or untracked); the others may have run
      --fix-all                 --fix every file, applied migrations too. Flyway and Prisma Migrate
                                checksum applied migrations and refuse or report drift when one changes
      --deployed-ref <ref>      the ref that stands for the deployed revision (default: @{upstream},
                                origin/HEAD, origin/main, origin/master, main, master). The ORM
                                model check reads the ORM models (Prisma, TypeORM, Drizzle, Sequelize,
                                MikroORM, Kysely; SQL in code as probable) at its merge-base
                                and in the working tree: a DROP/RENAME of what they still map is an
                                error naming the model line (config \`models\`: globs, or false)
      --changed-since <ref>     lint only the migrations changed since the merge-base of HEAD with <ref>
                                (committed, staged, unstaged or untracked); the others are replayed as
                                history. A changed migration that already existed at the base gets an
                                edited-applied-migration finding (runners never re-run it). For any CI
                                (GitLab: origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME) and local use
      --baseline <file>         report only findings not accepted in <file> (zerodown baseline)
      --staged                  lint the staged .sql files as staged in the git index (history too),
                                for a plain git pre-commit hook; paths limit which ones; exit 0 and
                                no output when none is staged
      --stdin                   read SQL from standard input
      --stdin-filename <path>   path to report (and whose directory gives history) for --stdin
      --stats <file>            production stats snapshot (zerodown stats): real sizes and lock-time
                                estimates in messages, small tables as warnings, drop-index-still-used
      --no-cache                analyze everything again instead of reusing what an earlier run stored
                                for unchanged files: the schema their history builds, and a whole
                                directory's findings (node_modules/.cache/zerodown, or ZERODOWN_CACHE_DIR)
  -o, --output-file <file>      write the report to a file instead of standard output
      --color / --no-color      force colors on or off (NO_COLOR and FORCE_COLOR are honoured)
Trace options:
      --database-url <url>      trace on a PostgreSQL server instead of PGlite: a scratch database
                                and a temporary role owning only it are created there, named in the
                                output, and dropped afterwards; statements that would change the
                                whole server (roles, databases, tablespaces, ALTER SYSTEM) are refused
      --statement-timeout <dur> server traces: cancel a statement that runs longer (default 60s,
                                0 = no limit)
      --cleanup                 with --database-url: drop zerodown_trace_* databases and roles that
                                interrupted traces left behind (databases in use are left alone)
      --seed <file.sql>         load rows before the traced files (data-dependent failures show up)
      --check-down              run up → down → up for each migration and compare the schema
  -v, --version                 print the version
  -h, --help                    print this help

Suppress a finding: put "-- zerodown-ignore <rule-id> -- reason" on the line before the statement,
or "-- zerodown-ignore-file <rule-id>" anywhere in the file.
Exit codes: 0 clean, 1 errors (or too many warnings), 2 usage/config/IO error.
Docs: docs/rules/<rule-id>.md`;

const OPTIONS: ParseArgsConfig['options'] = {
  format: { type: 'string', short: 'f' },
  'pg-version': { type: 'string' },
  runner: { type: 'string' },
  'migration-format': { type: 'string' },
  'assume-in-transaction': { type: 'boolean' },
  'no-assume-in-transaction': { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  rule: { type: 'string', multiple: true },
  'lock-timeout': { type: 'string' },
  down: { type: 'string' },
  'max-warnings': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean' },
  'report-unused-ignores': { type: 'boolean' },
  stdin: { type: 'boolean' },
  'stdin-filename': { type: 'string' },
  'output-file': { type: 'string', short: 'o' },
  fix: { type: 'boolean' },
  'fix-all': { type: 'boolean' },
  'deployed-ref': { type: 'string' },
  'database-url': { type: 'string' },
  seed: { type: 'string' },
  'check-down': { type: 'boolean' },
  'statement-timeout': { type: 'string' },
  cleanup: { type: 'boolean' },
  stats: { type: 'string' },
  'seed-plan': { type: 'string' },
  'seed-fraction': { type: 'string' },
  'seed-max-rows': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  staged: { type: 'boolean' },
  'changed-since': { type: 'string' },
  baseline: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

function rulesTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => [r.id, r.severity, r.category, r.presets.join(',') || '-', r.description]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ['rule', 'severity', 'category', 'presets'][i].length));
  const fmt = (row: string[]): string => row.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ');
  return [fmt(['rule', 'severity', 'category', 'presets', 'description']), ...rows.map(fmt)].join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  // Its own flags and parser (src/cli/init.ts).
  if (argv[0] === 'init') return initCommand(argv.slice(1));
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (e) {
    process.stderr.write(`zerodown: ${(e as Error).message.split('\n')[0]}\nRun "zerodown --help" for usage.\n`);
    return 2;
  }
  const { values } = parsed;
  let positionals = parsed.positionals;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const command = ['rules', 'explain', 'lint', 'trace', 'extract', 'stats', 'baseline'].includes(positionals[0] ?? '') ? positionals[0] : 'lint';
  if (command !== 'lint' || positionals[0] === 'lint') positionals = positionals.slice(1);

  try {
    if (command === 'rules') {
      const format = oneOf(values.format as string | undefined, ['pretty', 'compact', 'json'] as const, '--format');
      process.stdout.write(format === 'json' ? `${JSON.stringify(RULES.map((r) => ({ id: r.id, severity: r.severity, category: r.category, presets: r.presets, description: r.description })), null, 2)}\n` : rulesTable(RULES));
      return 0;
    }
    if (command === 'explain') {
      const id = positionals[0];
      if (!id) throw new UsageError('explain: which rule? e.g. zerodown explain index-not-concurrent');
      const rule = RULES.find((r) => r.id === id);
      if (!rule) {
        const hint = didYouMean(id, RULES.map((r) => r.id));
        throw new UsageError(`explain: unknown rule "${id}"${hint ? ` (did you mean "${hint}"?)` : '; run `zerodown rules` for the list'}`);
      }
      process.stdout.write(ruleText(rule));
      return 0;
    }
    if (command === 'trace') return await traceCommand(values, positionals);
    if (command === 'extract') return await (await import('./extract-command.ts')).extractCommand(values, positionals, RULES);
    if (command === 'stats') {
      const { statsCommand } = await import('./stats.ts');
      return await statsCommand({
        cwd: process.cwd(),
        databaseUrl: values['database-url'] as string | undefined,
        outputFile: values['output-file'] as string | undefined,
        statementTimeoutMs: 30_000,
        seedPlan: values['seed-plan'] as string | undefined,
        seedFraction: values['seed-fraction'] as string | undefined,
        seedMaxRows: values['seed-max-rows'] as string | undefined,
      });
    }
    if (command === 'baseline') return await baselineCommand(values, positionals);
    return await lintCommand(values, positionals);
  } catch (e) {
    if (isUsageProblem(e)) {
      process.stderr.write(`zerodown: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`zerodown: internal error: ${err.message}\n${process.env.ZERODOWN_DEBUG ? `${err.stack}\n` : 'Set ZERODOWN_DEBUG=1 for the stack trace, and please report it.\n'}`);
    return 2;
  }
}

/**
 * zerodown trace: replays the migrations on a real Postgres and reports what it observed next to
 * the static prediction. Exit 1 when it observed an error-level hazard, a failed statement or a
 * broken down migration; 2 for usage and IO errors.
 */
async function traceCommand(values: Values, positionals: string[]): Promise<number> {
  const cwd = process.cwd();
  if (values.cleanup) return (await import('../trace/cleanup.ts')).traceCleanup(values['database-url'] as string | undefined);
  const { config } = await loadConfig(cwd, values.config as string | undefined, RULES.map((r) => r.id));
  const format = oneOf(values.format as string | undefined, ['pretty', 'json', 'markdown'] as const, '--format') ?? 'pretty';
  const resolved = engineOptions(values, config, cwd);
  const timeoutRaw = (values['statement-timeout'] as string | undefined) ?? '60s';
  const statementTimeoutMs = parseDurationMs(timeoutRaw);
  if (statementTimeoutMs === undefined) throw new UsageError(`--statement-timeout: expected a duration such as 60s or 5min (0 = no limit), got "${timeoutRaw}"`);
  const seed = values.seed as string | undefined;
  if (seed && !fs.existsSync(path.resolve(cwd, seed))) throw new UsageError(`--seed: ${seed}: no such file`);
  const { trace, renderTrace } = await import('../trace/trace.ts');
  const report = await trace(positionals.length ? positionals : ['.'], {
    engine: resolved.engine,
    statementTimeoutMs,
    databaseUrl: values['database-url'] as string | undefined,
    seedFile: seed ? path.resolve(cwd, seed) : undefined,
    checkDown: values['check-down'] === true,
    cwd,
    include: resolved.include,
    exclude: resolved.exclude,
    migrationFormat: resolved.migrationFormat,
    onProgress: process.stderr.isTTY ? (msg) => process.stderr.write(`\r\x1b[K${msg}`) : undefined,
  });
  report.notes.unshift(...resolved.notes);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const output = renderTrace(report, format, format === 'pretty' && useColor(values, process.stdout));
  const outFile = values['output-file'] as string | undefined;
  if (outFile) fs.writeFileSync(path.resolve(cwd, outFile), output);
  else process.stdout.write(output);
  for (const e of report.fatal) process.stderr.write(`zerodown: ${e.path}: ${e.message}\n`);
  if (report.fatal.length) return 2;
  const s = report.summary;
  if (s.internalErrors > 0 || report.backend.cleanup?.dropped === false) {
    if (report.backend.cleanup?.dropped === false) process.stderr.write(`zerodown: ${report.backend.cleanup.message}\n`);
    return 2;
  }
  return s.errorFindings > 0 || s.failed > 0 || s.downProblems > 0 ? 1 : 0;
}
