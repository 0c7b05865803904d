/**
 * The zerodown command line. Exit codes: 0 no errors (and warnings within --max-warnings),
 * 1 findings at error level (or too many warnings), 2 usage, config or IO error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RUNNER_IDS } from '../source/runners.ts';
import { parseDurationMs } from '../pg/durations.ts';
import { ConfigError, loadConfig, type Config } from '../options/config.ts';
import { resolveOptions, type ResolvedOptions } from '../options/resolve.ts';
import { DEFAULT_PG_VERSION, NEWEST_PG_VERSION, OLDEST_PG_VERSION } from '../pg/versions.ts';
import { ENCODING_NOTE, lintPaths, type LintOptions } from '../engine/lint.ts';
import { fixFiles } from './fix-files.ts';
import { GitError } from '../source/git.ts';
import { nearestConfigOptions } from './nearest-config.ts';
import { stagedPaths } from './staged.ts';
import type { IndexView } from '../source/git-index.ts';
import { initCommand } from './init.ts';
import { BUILD_ID, TOOL_VERSION } from '../meta.ts';
import { AnalysisCache } from '../cache/analysis-cache.ts';
import type { FileResult, LintReport } from '../findings/model.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/index.ts';
import { openReportOutput } from './report-output.ts';
import { totals } from '../report/types.ts';
import { ruleText } from '../report/rule-docs.ts';
import type { Rule } from '../kit/rule.ts';
import { FORMATS } from '../source/formats.ts';
import { didYouMean } from '../util/did-you-mean.ts';
import { mark } from '../util/timing.ts';
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
                                origin/HEAD, origin/main, origin/master, main, master)
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

class UsageError extends Error {}

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
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

type Values = Record<string, string | boolean | string[] | undefined>;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const hint = didYouMean(value, allowed);
  throw new UsageError(`${flag}: unknown value "${value}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${allowed.join(', ')}`);
}

function useColor(values: Values, stream: NodeJS.WriteStream): boolean {
  if (values.color === true) return true;
  if (values['no-color'] === true) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

function rulesTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => [r.id, r.severity, r.category, r.presets.join(',') || '-', r.description]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), ['rule', 'severity', 'category', 'presets'][i].length));
  const fmt = (row: string[]): string => row.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ');
  return [fmt(['rule', 'severity', 'category', 'presets', 'description']), ...rows.map(fmt)].join('\n') + '\n';
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
  const command = ['rules', 'explain', 'lint', 'trace', 'extract', 'stats'].includes(positionals[0] ?? '') ? positionals[0] : 'lint';
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
    return await lintCommand(values, positionals);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof GitError || (e instanceof Error && (e.name === 'TraceUsageError' || e.name === 'GitIndexError'))) {
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

/**
 * Engine options from flags, config and the repository through the one resolver (src/options/resolve.ts):
 * the same for lint, --fix, --staged, trace and each monorepo package; the postgres version is
 * detected from `dir` upward. Problems are a usage error (exit 2); warnings go to stderr.
 */
function engineOptions(values: Values, config: Config, cwd: string, dir = cwd): ResolvedOptions & { lint: Omit<LintOptions, 'cache'> } {
  const r = resolveOptions({
    flags: {
      pgVersion: values['pg-version'] as string | undefined,
      runner: values.runner as string | undefined,
      migrationFormat: values['migration-format'] as string | undefined,
      assumeInTransaction: values['assume-in-transaction'] ? true : values['no-assume-in-transaction'] ? false : undefined,
      rules: (values.rule as string[] | undefined) ?? [],
      lockTimeout: values['lock-timeout'] as string | undefined,
      down: values.down as string | undefined,
      reportUnusedIgnores: values['report-unused-ignores'] === true,
      noCache: values['no-cache'] === true,
      stats: values.stats as string | undefined,
    },
    config,
    cwd,
    versionDir: dir,
    env: process.env,
    rules: RULES,
  });
  if (r.problems) throw new UsageError(r.problems.join('\nzerodown: '));
  for (const w of r.options.warnings) process.stderr.write(`zerodown: warning: ${w}\n`);
  const { engine, pgVersionSource, embeddedTargets } = r.options;
  return { ...r.options, lint: { ...engine, pgVersionSource, migrationFormat: r.options.migrationFormat, detectRunner: true, embeddedTargets } };
}

async function lintCommand(values: Values, positionals: string[]): Promise<number> {
  const cwd = process.cwd();
  mark('lint: start');
  const explicitConfig = values.config as string | undefined;
  const { config, filepath } = await loadConfig(cwd, explicitConfig, RULES.map((r) => r.id));
  mark('config loaded');
  const format = oneOf(values.format as string | undefined, OUTPUT_FORMATS, '--format') ?? (process.stdout.isTTY ? 'pretty' : 'compact');
  let maxWarnings = -1;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = /^\d+$/.test(values['max-warnings'] as string) ? Number(values['max-warnings']) : NaN;
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError(`--max-warnings: expected a whole number, got "${values['max-warnings']}"`);
  }
  const resolved = engineOptions(values, config, cwd);
  const cache = resolved.cacheDir === undefined || !BUILD_ID ? undefined : new AnalysisCache(resolved.cacheDir, BUILD_ID);
  const options: LintOptions = { ...resolved.lint, cache };
  const discovery = { cwd, include: resolved.include, exclude: resolved.exclude, migrationFormat: resolved.migrationFormat };
  // Monorepos: each migrations directory follows the configuration nearest to it.
  if (!explicitConfig) options.forGroup = nearestConfigOptions(filepath, options, (c, dir) => ({ ...engineOptions(values, c, cwd, dir).lint, cache }), RULES.map((r) => r.id));
  let index: IndexView | undefined;
  if (values.staged) {
    if (values.fix || values['fix-all'] || values.stdin) throw new UsageError('--staged lints the git index and cannot be combined with --fix or --stdin');
    const staged = stagedPaths(cwd, positionals, { include: resolved.include, exclude: resolved.exclude });
    if (!staged.paths.length) return 0;
    ({ paths: positionals, index } = staged);
  }

  // The report streams out while the lint runs (--fix reports only its last round, at the end).
  const outFile = values['output-file'] as string | undefined;
  const color = !outFile && format === 'pretty' && useColor(values, process.stdout);
  const head = { postgresVersion: options.pgVersion, postgresVersionSource: options.pgVersionSource };
  const width = !outFile && process.stdout.isTTY ? process.stdout.columns : undefined;
  const output = openReportOutput(format as OutputFormat, head, { rules: RULES, color, verbose: values.verbose === true, width }, outFile && path.resolve(cwd, outFile));
  const onlyErrors = (f: FileResult): FileResult => (values.quiet ? { ...f, findings: f.findings.filter((x) => x.severity === 'error') } : f);
  const onFile = values.fix ? undefined : (f: FileResult): void => output.file(onlyErrors(f));
  let report: LintReport;
  let fatalCode = 0;
  const fix = values.fix === true || values['fix-all'] === true;
  if (fix && values.stdin) throw new UsageError('--fix rewrites files in place and cannot be combined with --stdin');
  if (fix) {
    const lint = (): Promise<LintReport> => lintPaths(positionals.length ? positionals : ['.'], RULES, options, discovery);
    const fixed = await fixFiles(lint, { cwd, all: values['fix-all'] === true, deployedRef: values['deployed-ref'] as string | undefined, log: (l) => process.stderr.write(`${l}\n`) });
    report = fixed.report;
    if (fixed.code) fatalCode = fixed.code;
  } else if (values.stdin) {
    const name = (values['stdin-filename'] as string | undefined) ?? '<stdin>';
    if (fs.statSync(path.resolve(cwd, name), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--stdin-filename ${name}: is a directory; give the path the SQL would have as a file (e.g. ${path.join(name, '001_migration.sql')})`);
    const text = await readStdin();
    report = await lintPaths([name], RULES, options, { ...discovery, overrides: new Map([[path.resolve(cwd, name), text]]) }, onFile);
  } else {
    report = await lintPaths(positionals.length ? positionals : ['.'], RULES, options, { ...discovery, index }, onFile);
  }
  mark('linted');
  if (values.quiet) for (const f of report.files) f.findings = onlyErrors(f).findings;
  if (!onFile) for (const f of report.files) output.file(f);
  const writeError = output.end(report);
  if (writeError) {
    process.stderr.write(`zerodown: ${outFile}: cannot write (${writeError})\n`);
    return 2;
  }
  for (const e of report.fatal) process.stderr.write(`zerodown: ${e.path}: ${e.message}\n`);
  if (!report.files.length && !report.fatal.length && !values.stdin) {
    process.stderr.write(`zerodown: no migrations found under ${(positionals.length ? positionals : ['.']).join(', ')} (no .sql files outside node_modules, build output and dot-directories${config.include || config.exclude ? ', after the config\'s include/exclude' : ''})\n`);
  }
  for (const f of report.files) for (const n of f.notes) if (n.startsWith(ENCODING_NOTE)) process.stderr.write(`zerodown: ${f.path}: ${n}\n`);
  mark('reported');
  const t = totals(report);
  if (t.fatal || fatalCode) return 2;
  if (t.errors) return 1;
  if (maxWarnings >= 0 && t.warnings > maxWarnings) {
    process.stderr.write(`zerodown: ${t.warnings} warning(s), more than --max-warnings ${maxWarnings}\n`);
    return 1;
  }
  return 0;
}
