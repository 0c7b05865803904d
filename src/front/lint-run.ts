/**
 * The lint run shared by the front doors: the command line's lint and baseline commands and the
 * GitHub Action run the same code from parsed flag values, with engine options from resolveOptions
 * (src/options/resolve.ts). Usage problems throw UsageError; runLint turns the expected errors into
 * exit code 2 with a one-line message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../options/config.ts';
import { resolveOptions, type ResolvedOptions } from '../options/resolve.ts';
import { ENCODING_NOTE, lintPaths, type LintOptions } from '../engine/lint.ts';
import { fixFiles } from './fix-files.ts';
import { changeSetSince, GitError, type ChangeSet } from '../source/git.ts';
import { BaselineError, baselineOf, readBaseline, withoutBaselined } from '../findings/baseline.ts';
import { nearestConfigOptions } from './nearest-config.ts';
import { loadModelFacts } from './models.ts';
import type { ModelFacts } from '../analyze/models/facts.ts';
import { stagedPaths } from './staged.ts';
import type { IndexView } from '../source/git-index.ts';
import { BUILD_ID } from '../meta.ts';
import { AnalysisCache } from '../cache/analysis-cache.ts';
import type { FileResult, LintReport } from '../findings/model.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/index.ts';
import { openReportOutput } from './report-output.ts';
import { totals } from '../report/types.ts';
import { didYouMean } from '../util/did-you-mean.ts';
import { mark } from '../util/timing.ts';
import { RULES } from '../../rules/index.ts';

export class UsageError extends Error {}

export type Values = Record<string, string | boolean | string[] | undefined>;

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const hint = didYouMean(value, allowed);
  throw new UsageError(`${flag}: unknown value "${value}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${allowed.join(', ')}`);
}

export function useColor(values: Values, stream: NodeJS.WriteStream): boolean {
  if (values.color === true) return true;
  if (values['no-color'] === true) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** For front doors that run the lint in-process (the GitHub Action): the finished lint report. */
export interface LintHooks {
  onReport?(report: LintReport): void;
  /** Replaces --changed-since's git reading (the Action's fallback to the REST API's file list). */
  changes?: ChangeSet;
}

/**
 * Engine options from flags, config and the repository through the one resolver (src/options/resolve.ts):
 * the same for lint, --fix, --staged, trace and each monorepo package; the postgres version is
 * detected from `dir` upward. Problems are a usage error (exit 2); warnings go to stderr.
 */
export function engineOptions(values: Values, config: Config, cwd: string, dir = cwd): ResolvedOptions & { lint: Omit<LintOptions, 'cache'> } {
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
      deployedRef: values['deployed-ref'] as string | undefined,
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

/** zerodown baseline: lints as usual and writes every finding as accepted. */
export async function baselineCommand(values: Values, positionals: string[]): Promise<number> {
  if (values.baseline || values.fix || values['fix-all'] || values.stdin || values.staged) throw new UsageError('baseline records every current finding; it takes paths and lint options, not --baseline, --fix, --stdin or --staged');
  const out = path.resolve(process.cwd(), (values['output-file'] as string | undefined) ?? 'zerodown-baseline.json');
  let report: LintReport | undefined;
  const code = await lintCommand({ ...values, format: 'json', 'output-file': undefined }, positionals, { onReport: (r) => (report = r) }, true);
  if (code === 2 || !report) return 2;
  const baseline = baselineOf(report.files);
  try {
    fs.writeFileSync(out, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (e) {
    process.stderr.write(`zerodown: ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 2;
  }
  process.stderr.write(`zerodown: wrote ${baseline.findings.length} accepted finding(s) to ${path.relative(process.cwd(), out) || out}; lint with --baseline ${path.relative(process.cwd(), out) || out} to report only new ones\n`);
  return 0;
}

export async function lintCommand(values: Values, positionals: string[], hooks: LintHooks = {}, silent = false): Promise<number> {
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
  // --changed-since: report the changed migrations only, and flag edited ones that were at the base.
  const since = values['changed-since'] as string | undefined;
  const changes = hooks.changes ?? (since !== undefined ? changeSetSince(cwd, since) : undefined);
  if (changes && (values.stdin || values.staged)) throw new UsageError('--changed-since chooses the files itself and cannot be combined with --stdin or --staged');
  if (changes) options.editedApplied = changes.edited;
  const accepted = values.baseline ? readBaseline(path.resolve(cwd, values.baseline as string), values.baseline as string) : undefined;
  const only = changes ? new Set(changes.changed) : undefined;
  const discovery = { cwd, include: resolved.include, exclude: resolved.exclude, migrationFormat: resolved.migrationFormat, only };
  // The model check runs once, when lintPaths finds a migration it may matter to (every --fix round reuses it).
  let modelsRead: Promise<ModelFacts | undefined> | undefined;
  options.loadModels = () =>
    (modelsRead ??= loadModelFacts({ cwd, deployedRef: resolved.deployedRef, models: resolved.models }).then((models) => {
      if (models) {
        mark('models read');
        if (models.note) process.stderr.write(`zerodown: ${models.note}\n`);
        for (const rev of [models.deployed, models.current]) for (const p of rev?.problems ?? []) process.stderr.write(`zerodown: warning: ${p.ref.path}:${p.ref.line}:${p.ref.column}: ${rev?.label}: ${p.message}\n`);
      }
      return models;
    }));
  // Monorepos: each migrations directory follows the configuration nearest to it (the models are the repository's, read once).
  if (!explicitConfig) options.forGroup = nearestConfigOptions(filepath, options, (c, dir) => ({ ...engineOptions(values, c, cwd, dir).lint, cache, editedApplied: options.editedApplied, models: options.models }), RULES.map((r) => r.id));
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
  const output = silent ? { file: () => undefined, end: () => undefined } : openReportOutput(format as OutputFormat, head, { rules: RULES, color, verbose: values.verbose === true, width }, outFile && path.resolve(cwd, outFile));
  const onlyErrors = (file: FileResult): FileResult => {
    const f = accepted ? withoutBaselined(file, accepted) : file;
    return values.quiet ? { ...f, findings: f.findings.filter((x) => x.severity === 'error') } : f;
  };
  const onFile = values.fix ? undefined : (f: FileResult): void => output.file(onlyErrors(f));
  let report: LintReport;
  let fatalCode = 0;
  const fix = values.fix === true || values['fix-all'] === true;
  if (fix && values.stdin) throw new UsageError('--fix rewrites files in place and cannot be combined with --stdin');
  if (fix) {
    const lint = (): Promise<LintReport> => lintPaths(positionals.length ? positionals : ['.'], RULES, options, discovery);
    const fixed = await fixFiles(lint, { cwd, all: values['fix-all'] === true, deployedRef: resolved.deployedRef, log: (l) => process.stderr.write(`${l}\n`) });
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
  if (values.quiet || accepted) for (const f of report.files) f.findings = onlyErrors(f).findings;
  hooks.onReport?.(report);
  if (!onFile) for (const f of report.files) output.file(f);
  const writeError = output.end(report);
  if (writeError) {
    process.stderr.write(`zerodown: ${outFile}: cannot write (${writeError})\n`);
    return 2;
  }
  for (const e of report.fatal) process.stderr.write(`zerodown: ${e.path}: ${e.message}\n`);
  if (changes && !report.files.length && !report.fatal.length) {
    process.stderr.write(`zerodown: no migrations changed since ${changes.base}\n`);
  } else if (!report.files.length && !report.fatal.length && !values.stdin) {
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

/** Errors that are the user's to fix (bad flags, config, git or baseline): one line, exit 2. */
export function isUsageProblem(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ConfigError || e instanceof GitError || e instanceof BaselineError || (e instanceof Error && (e.name === 'TraceUsageError' || e.name === 'GitIndexError'));
}

/** lintCommand for an in-process front door: usage problems are printed and give exit code 2. */
export async function runLint(values: Values, positionals: string[], hooks: LintHooks = {}): Promise<number> {
  try {
    return await lintCommand(values, positionals, hooks);
  } catch (e) {
    if (!isUsageProblem(e)) throw e;
    process.stderr.write(`zerodown: ${e.message}\n`);
    return 2;
  }
}
