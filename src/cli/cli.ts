/**
 * The zerodown command line. Exit codes: 0 no errors (and warnings within --max-warnings),
 * 1 findings at error level (or too many warnings), 2 usage, config or IO error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RUNNER_IDS } from '../source/runners.ts';
import { ConfigError, loadConfig, type Config } from '../options/config.ts';
import { resolveOptions, type ResolvedOptions } from '../options/resolve.ts';
import { DEFAULT_PG_VERSION, NEWEST_PG_VERSION, OLDEST_PG_VERSION } from '../pg/versions.ts';
import { lintPaths, type LintOptions } from '../engine/lint.ts';
import { applyFixes } from '../findings/fix.ts';
import { BUILD_ID, TOOL_VERSION } from '../meta.ts';
import { AnalysisCache } from '../cache/analysis-cache.ts';
import type { LintReport } from '../findings/model.ts';
import { OUTPUT_FORMATS, REPORTERS, type OutputFormat } from '../report/index.ts';
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
  zerodown rules                       list the rules
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
      --report-unused-ignores   report zerodown-ignore comments that suppress nothing
      --fix                     apply the safe mechanical rewrites in place (CONCURRENTLY where the
                                statement runs outside a transaction, NOT VALID + VALIDATE,
                                SET lock_timeout), then report what is left
      --stdin                   read SQL from standard input
      --stdin-filename <path>   path to report (and whose directory gives history) for --stdin
      --no-cache                analyze everything again instead of reusing what an earlier run stored
                                for unchanged files: the schema their history builds, and a whole
                                directory's findings (node_modules/.cache/zerodown, or ZERODOWN_CACHE_DIR)
  -o, --output-file <file>      write the report to a file instead of standard output
      --color / --no-color      force colors on or off (NO_COLOR and FORCE_COLOR are honoured)
Trace options:
      --database-url <url>      trace on a PostgreSQL server instead of PGlite: a scratch database
                                is created there, named in the output, and dropped afterwards
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
  'report-unused-ignores': { type: 'boolean' },
  stdin: { type: 'boolean' },
  'stdin-filename': { type: 'string' },
  'output-file': { type: 'string', short: 'o' },
  fix: { type: 'boolean' },
  'database-url': { type: 'string' },
  seed: { type: 'string' },
  'check-down': { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
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

/** The shared resolver, with its problems as a usage error (exit 2). */
function resolveFlags(values: Values, config: Config, cwd: string): ResolvedOptions {
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
    },
    config,
    cwd,
    env: process.env,
    rules: RULES,
  });
  if (r.problems) throw new UsageError(r.problems.join('\nzerodown: '));
  return r.options;
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
  const command = ['rules', 'explain', 'lint', 'trace'].includes(positionals[0] ?? '') ? positionals[0] : 'lint';
  if (command !== 'lint' || positionals[0] === 'lint') positionals = positionals.slice(1);

  try {
    if (command === 'rules') {
      process.stdout.write(rulesTable(RULES));
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
    return await lintCommand(values, positionals);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || (e instanceof Error && e.name === 'TraceUsageError')) {
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
  const { config } = await loadConfig(cwd, values.config as string | undefined, RULES.map((r) => r.id));
  const outputFormat = oneOf(values.format as string | undefined, ['pretty', 'json', 'markdown'] as const, '--format') ?? 'pretty';
  const resolved = resolveFlags(values, config, cwd);
  const seed = values.seed as string | undefined;
  if (seed && !fs.existsSync(path.resolve(cwd, seed))) throw new UsageError(`--seed: ${seed}: no such file`);
  const { trace, renderTrace } = await import('../trace/trace.ts');
  const { engine } = resolved;
  const report = await trace(positionals.length ? positionals : ['.'], {
    pgVersion: engine.pgVersion,
    runner: engine.runner,
    databaseUrl: values['database-url'] as string | undefined,
    seedFile: seed ? path.resolve(cwd, seed) : undefined,
    checkDown: values['check-down'] === true,
    cwd,
    include: resolved.include,
    exclude: resolved.exclude,
    migrationFormat: resolved.migrationFormat,
    assumeInTransaction: engine.assumeInTransaction,
    onProgress: process.stderr.isTTY ? (msg) => process.stderr.write(`\r\x1b[K${msg}`) : undefined,
    engine,
  });
  report.notes.unshift(...resolved.notes);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const output = renderTrace(report, outputFormat, outputFormat === 'pretty' && useColor(values, process.stdout));
  const outFile = values['output-file'] as string | undefined;
  if (outFile) fs.writeFileSync(path.resolve(cwd, outFile), output);
  else process.stdout.write(output);
  for (const e of report.fatal) process.stderr.write(`zerodown: ${e.path}: ${e.message}\n`);
  if (report.fatal.length) return 2;
  const s = report.summary;
  return s.errorFindings > 0 || s.failed > 0 || s.downProblems > 0 ? 1 : 0;
}

async function lintCommand(values: Values, positionals: string[]): Promise<number> {
  const cwd = process.cwd();
  mark('lint: start');
  const { config } = await loadConfig(cwd, values.config as string | undefined, RULES.map((r) => r.id));
  mark('config loaded');
  const outputFormat: OutputFormat = oneOf(values.format as string | undefined, OUTPUT_FORMATS, '--format') ?? (process.stdout.isTTY ? 'pretty' : 'compact');
  const resolved = resolveFlags(values, config, cwd);
  let maxWarnings = -1;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError(`--max-warnings: expected a whole number, got "${values['max-warnings']}"`);
  }
  const options: LintOptions = {
    ...resolved.engine,
    pgVersionSource: resolved.pgVersionSource,
    detectRunner: true,
    cache: resolved.cacheDir === undefined || !BUILD_ID ? undefined : new AnalysisCache(resolved.cacheDir, BUILD_ID),
  };
  const discovery = { cwd, include: resolved.include, exclude: resolved.exclude, migrationFormat: resolved.migrationFormat };

  let report: LintReport;
  if (values.fix && values.stdin) throw new UsageError('--fix rewrites files in place and cannot be combined with --stdin');
  if (values.fix) {
    const lint = (): Promise<LintReport> => lintPaths(positionals.length ? positionals : ['.'], RULES, options, discovery);
    let fixed = 0;
    const touched = new Set<string>();
    report = await lint();
    // Apply, re-analyze, repeat: fixes can unlock each other; stops when nothing changes.
    for (let round = 0; round < 5; round++) {
      let changed = 0;
      for (const file of report.files) {
        const fixes = file.findings.flatMap((f) => (f.fix ? [f.fix] : []));
        if (!fixes.length || file.text === undefined) continue;
        const result = applyFixes(file.text, fixes);
        if (result.applied === 0 || result.text === file.text) continue;
        const abs = path.resolve(cwd, file.path);
        try {
          fs.writeFileSync(abs, result.text);
        } catch (e) {
          process.stderr.write(`zerodown: ${file.path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
          return 2;
        }
        changed += result.applied;
        touched.add(file.path);
      }
      if (!changed) break;
      fixed += changed;
      report = await lint();
    }
    if (fixed) process.stderr.write(`zerodown: fixed ${fixed} problem(s) in ${touched.size} file(s)\n`);
  } else if (values.stdin) {
    const name = (values['stdin-filename'] as string | undefined) ?? '<stdin>';
    const text = await readStdin();
    report = await lintPaths([name], RULES, options, { ...discovery, overrides: new Map([[path.resolve(cwd, name), text]]) });
  } else {
    report = await lintPaths(positionals.length ? positionals : ['.'], RULES, options, discovery);
  }
  mark('linted');
  if (values.quiet) for (const f of report.files) f.findings = f.findings.filter((x) => x.severity === 'error');

  const outFile = values['output-file'] as string | undefined;
  const color = !outFile && outputFormat === 'pretty' && useColor(values, process.stdout);
  const output = REPORTERS[outputFormat](report, { rules: RULES, color });
  if (outFile) {
    try {
      fs.writeFileSync(path.resolve(cwd, outFile), output);
    } catch (e) {
      process.stderr.write(`zerodown: ${outFile}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
      return 2;
    }
  } else {
    process.stdout.write(output);
  }
  for (const e of report.fatal) process.stderr.write(`zerodown: ${e.path}: ${e.message}\n`);
  mark('reported');
  const t = totals(report);
  if (t.fatal) return 2;
  if (t.errors) return 1;
  if (maxWarnings >= 0 && t.warnings > maxWarnings) {
    process.stderr.write(`zerodown: ${t.warnings} warning(s), more than --max-warnings ${maxWarnings}\n`);
    return 1;
  }
  return 0;
}
