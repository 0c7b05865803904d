/**
 * Lints a plan of files: reads each one, replays each migrations directory in order with one schema,
 * and collects the report. IO problems become `fatal` entries; they never stop the other files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { detectRunner } from '../source/detect-runner.ts';
import { chainDigest, HistoryKey, resultsKey, type AnalysisCache, type StoredResults } from '../cache/analysis-cache.ts';
import { Schema } from '../analyze/schema.ts';
import { analyzeSql, type EngineOptions } from './engine.ts';
import { analyzeScript } from './script.ts';
import { isScriptFile, loadTypeScript } from '../source/ts/typescript.ts';
import type { EmbeddedTarget } from '../source/ts/extract.ts';
import type { FileResult, LintReport } from '../findings/model.ts';
import { initParser } from '../parse/parser.ts';
import { mark } from '../util/timing.ts';
import { editedAppliedFinding, withEditedApplied } from './edited-applied.ts';
import type { Rule } from '../kit/rule.ts';
import { discover, type DiscoverOptions, type Plan, type PlanGroup, type PlannedFile } from '../source/discover.ts';
import { readSql, type ReadResult } from '../source/read.ts';
import type { MigrationFormat } from '../source/formats.ts';

export interface LintOptions extends EngineOptions {
  pgVersionSource: string;
  /** Force this migration file format (single-file entry points; lintPaths takes it in its discovery options). */
  migrationFormat?: MigrationFormat;
  /** Runner detected from repository markers applies to plain files. */
  detectRunner: boolean;
  /** Stores replayed history and whole-directory results between runs (see cache/analysis-cache.ts). */
  cache?: AnalysisCache;
  /** Options for one migrations directory (monorepos: the configuration nearest to it); default: these. */
  forGroup?: (root: string) => Promise<LintOptions>;
  /** Custom SQL sinks in TS/JS migrations (config `embeddedSql.targets`). */
  embeddedTargets?: readonly EmbeddedTarget[];
  /**
   * The ORM model check (sets `models`), run by lintPaths only when a reported migration may drop,
   * rename or add a required column or table: reading the models costs up to seconds in a large
   * repository, and no other rule reads them.
   */
  loadModels?: () => Promise<EngineOptions['models']>;
  /**
   * Migrations already at the base/deployed revision and edited since (absolute real path → first
   * changed line), from git: each gets an `edited-applied-migration` finding. Part of the cache key.
   */
  editedApplied?: Readonly<Record<string, number>>;
}

/**
 * Statements the model-aware rules read: DROP / RENAME of a column or table (also ALTER TABLE … DROP
 * without COLUMN, and the migration APIs' dropColumn/renameTable/… calls), and a NOT NULL column
 * added without a default. Checked per `;`-separated piece: a cheap over-approximation.
 */
const DROP_OR_RENAME = /\bdrop\s+(column|table)\b|\brename\b|\b(drop|rename)(Column|Table)s?\b|\balter\s+table\b[\s\S]*\bdrop\s+(?!constraint\b|default\b|not\b|index\b|expression\b|identity\b)[\w"]/i;
const ADDS_REQUIRED = /\badd\b[\s\S]*\bnot\s+null\b|\bnotNullable\(/i;
const HAS_DEFAULT = /\bdefault\b|\bgenerated\b|serial\b|defaultTo\(/i;

function mayNeedModels(file: PlannedFile): boolean {
  let text: string;
  try {
    text = (file.content ?? fs.readFileSync(file.path)).toString('utf8');
  } catch {
    return true;
  }
  return text.split(';').some((piece) => DROP_OR_RENAME.test(piece) || (ADDS_REQUIRED.test(piece) && !HAS_DEFAULT.test(piece)));
}

export { ENCODING_NOTE, readSql, type ReadResult } from '../source/read.ts';

function sibling(file: string, record?: { file: string; name: string }[]): (name: string) => string | undefined {
  return (name) => {
    record?.push({ file, name });
    try {
      return fs.readFileSync(path.join(path.dirname(file), name), 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** `onFile` sees each reported file as soon as it is analyzed, in report order (streaming reporters). */
export async function lintPaths(
  paths: string[],
  rules: readonly Rule[],
  outer: LintOptions,
  discoverOptions: DiscoverOptions,
  onFile?: (file: FileResult) => void,
): Promise<LintReport> {
  // Discovery (which reads the files) runs while the WASM parser compiles and instantiates.
  const loading = initParser();
  const plan = discover(paths, discoverOptions);
  mark('discovered');
  await loading;
  // The TypeScript parser only when the run has a TS/JS migration.
  if (plan.groups.some((g) => g.files.some((f) => isScriptFile(f.path)))) await loadTypeScript();
  mark('parser ready');
  if (outer.loadModels && !outer.models && plan.groups.some((g) => g.files.some((f) => f.report && mayNeedModels(f)))) outer.models = await outer.loadModels();
  // Monorepos: each migrations directory's options (its nearest config), resolved before the synchronous part.
  const perGroup = new Map<string, LintOptions>();
  if (outer.forGroup) for (const g of plan.groups) perGroup.set(g.root, await outer.forGroup(g.root));
  return lintPlan(plan, rules, outer, discoverOptions, onFile, perGroup);
}

/**
 * The synchronous part of lintPaths, for front doors that cannot await (ESLint rules): the parser
 * (and, for TS/JS files, the TypeScript parser) must already be loaded.
 */
export function lintPlan(
  plan: Plan,
  rules: readonly Rule[],
  outer: LintOptions,
  discoverOptions: DiscoverOptions,
  onFile?: (file: FileResult) => void,
  perGroup?: ReadonlyMap<string, LintOptions>,
): LintReport {
  const report: LintReport = {
    postgresVersion: outer.pgVersion,
    postgresVersionSource: outer.pgVersionSource,
    files: [],
    fatal: plan.errors.map((e) => ({ path: e.path, message: e.message })),
  };
  const display = (p: string): string => path.relative(discoverOptions.cwd, p) || p;
  for (const group of plan.groups) {
    const options = perGroup?.get(group.root) ?? outer;
    const repoRunner = options.runner === null && options.detectRunner ? detectRunner(group.root) : undefined;
    const reads = group.files.map((file) => {
      const override = discoverOptions.overrides?.get(file.path);
      return override !== undefined ? (override.slice(0, 8192).includes('\u0000') ? { error: 'binary input (contains NUL bytes), not SQL' } : { text: override }) : readSql(file.path, file.content);
    });
    const cached = options.cache ? cachedResults(group, reads, display, rules, options, repoRunner ?? null) : undefined;
    const history = options.cache && !cached ? cachedHistory(group, reads, display, options, repoRunner?.runner ?? null) : undefined;
    const schema = cached?.stored?.schema ?? history?.schema ?? new Schema();
    const groupResults: FileResult[] = [];
    let first = history?.schema ? history.length : 0;
    if (cached?.stored) {
      for (const [i, stored] of cached.stored.results.entries()) {
        const read = reads[i];
        const result = { ...stored, text: 'text' in read ? read.text : undefined };
        groupResults.push(result);
        report.files.push(result);
        onFile?.(result);
      }
      first = cached.stored.results.length;
    }
    for (let i = first; i < group.files.length; i++) {
      const file = group.files[i];
      if (history && !history.schema && !history.failed && i === history.length) options.cache?.save(history.key, schema, history.siblings);
      const read = reads[i];
      if ('error' in read) {
        if (file.report) report.fatal.push({ path: display(file.path), message: read.error });
        continue;
      }
      const runner = options.runner ?? (file.format === 'plain' ? (repoRunner?.runner ?? null) : null);
      const siblings = history && i < history.length ? history.siblings : cached?.siblings;
      let result;
      try {
        const input = { path: display(file.path), text: read.text, format: file.format, readSibling: sibling(file.path, siblings), historyOnly: !file.report };
        if (isScriptFile(file.path)) {
          result = analyzeScript({ ...input, fallbackRunner: repoRunner?.runner ?? null, targets: options.embeddedTargets }, schema, rules, { ...options, runner: options.runner });
          if (!result) continue; // not a migration (a helper module beside them)
        } else result = analyzeSql(input, schema, rules, { ...options, runner });
      } catch (e) {
        // A bug of ours must not hide the other files' findings; it is reported on every run, so
        // nothing it touched is cached.
        if (history && i < history.length) history.failed = true;
        if (cached) cached.failed = true;
        report.fatal.push({ path: display(file.path), message: `internal error while analyzing: ${(e as Error).message}` });
        continue;
      }
      if (file.report) {
        if (repoRunner && file.format === 'plain' && !options.runner) result.notes.push(`runner ${repoRunner.runner} detected from ${display(repoRunner.source)}`);
        if ('note' in read && read.note) result.notes.unshift(read.note);
        const editedLine = options.editedApplied && editedLineOf(options.editedApplied, file.path);
        const reported = editedLine ? withEditedApplied(stripText(result), editedAppliedFinding(read.text, editedLine, rules, options.rules)) : stripText(result);
        groupResults.push(reported);
        report.files.push(reported);
        onFile?.(reported);
      }
    }
    if (history && !history.schema && !history.failed && history.length === group.files.length) options.cache?.save(history.key, schema, history.siblings);
    if (cached && !cached.failed && first < group.files.length) options.cache?.saveResults(cached.key, cached.prefix, groupResults, schema, cached.siblings);
  }
  return report;
}

function editedLineOf(edited: Readonly<Record<string, number>>, file: string): number | undefined {
  if (edited[file]) return edited[file];
  try {
    return edited[fs.realpathSync(file)];
  } catch {
    return undefined;
  }
}

function stripText(r: FileResult & { format?: unknown }): FileResult {
  return { path: r.path, statements: r.statements, findings: r.findings, notes: r.notes, text: r.text };
}

interface HistoryPlan {
  key: string;
  /** Leading files that are history only (replayed, not reported). */
  length: number;
  /** The schema after them, when the cache had it. */
  schema?: Schema;
  /** Sibling files the replay consulted, recorded on a miss for the entry. */
  siblings: { file: string; name: string }[];
  /** Replay hit an internal error (reported each run): nothing is stored. */
  failed?: boolean;
}

/** Looks up the schema built by the group's leading history files; undefined when too little to cache. */
function cachedHistory(group: PlanGroup, reads: readonly ReadResult[], display: (p: string) => string, options: LintOptions, repoRunner: string | null): HistoryPlan | undefined {
  const cache = options.cache;
  let length = 0;
  let bytes = 0;
  while (length < group.files.length && !group.files[length].report) {
    const read = reads[length];
    if ('text' in read) bytes += read.text.length;
    length++;
  }
  if (!cache || length === 0 || bytes < cache.minBytes) return undefined;
  // Everything replay depends on besides the files themselves.
  const key = new HistoryKey(cache.build, {
    pgVersion: options.pgVersion,
    runner: options.runner,
    repoRunner,
    assumeInTransaction: options.assumeInTransaction ?? null,
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    timeZone: options.timeZone ?? null,
  });
  for (let i = 0; i < length; i++) {
    const file = group.files[i];
    const read = reads[i];
    key.file(`${display(file.path)}\0${file.format}\0${file.direction}`, 'text' in read ? read.text : null);
  }
  const digest = key.digest();
  return { key: digest, length, schema: cache.load(digest), siblings: [] };
}

interface ResultsPlan {
  key: string;
  /** Chained digest of the directory up to each file. */
  prefix: string[];
  /** Stored results whose files are the first files of this run, unchanged (and the schema after them). */
  stored?: StoredResults;
  /** Sibling files read by the stored and the new analysis, recorded for the entry. */
  siblings: { file: string; name: string }[];
  /** An internal error was reported: nothing is stored. */
  failed?: boolean;
}

/**
 * Looks up stored results for a directory whose every file is reported (a whole-directory run).
 * The stored results apply when their files are this run's first files, unchanged: a directory that
 * only gained files at the end reuses them and analyzes only the new files.
 */
function cachedResults(group: PlanGroup, reads: readonly ReadResult[], display: (p: string) => string, rules: readonly Rule[], options: LintOptions, repoRunner: unknown): ResultsPlan | undefined {
  const cache = options.cache;
  if (!cache || !group.files.every((f) => f.report)) return undefined;
  let bytes = 0;
  for (const read of reads) {
    if ('error' in read) return undefined;
    bytes += read.text.length;
  }
  if (bytes < cache.minBytes) return undefined;
  // The rules that run and every option the analysis reads (rule settings included), whatever is added later.
  const { cache: _, forGroup: __, rules: settings, ...rest } = options;
  const key = resultsKey(cache.build, { ...rest, rules: rules.map((r) => r.id), settings: [...settings].sort(), repoRunner }, display(group.root));
  const prefix: string[] = [];
  let previous = key;
  for (const [i, file] of group.files.entries()) {
    previous = chainDigest(previous, `${display(file.path)}\0${file.format}\0${file.direction}`, (reads[i] as { text: string }).text);
    prefix.push(previous);
  }
  const plan: ResultsPlan = { key, prefix, siblings: [] };
  const stored = cache.loadResults(key);
  if (stored && stored.prefix.length <= prefix.length && stored.prefix.every((p, i) => p === prefix[i])) {
    plan.stored = stored;
    plan.siblings = stored.siblings.map(({ file, name }) => ({ file, name }));
  }
  return plan;
}

