/**
 * The one options resolver: flags (from argv, or an ESLint rule's options, or an Action's inputs),
 * the config file, the environment and the repository become the engine's options. Every front door
 * (lint, trace, --fix, the ESLint plugin, the GitHub Action) calls it, so a setting means the same
 * thing everywhere. Pure apart from reading the repository: it never exits and never prints; bad
 * input comes back as problems, one line each.
 */
import type { EngineOptions } from '../engine/engine.ts';
import type { RuleSetting } from '../findings/model.ts';
import type { Rule } from '../kit/rule.ts';
import { parseDurationMs } from '../pg/durations.ts';
import { DEFAULT_PG_VERSION, isSupportedPgVersion, NEWEST_PG_VERSION, OLDEST_PG_VERSION, SUPPORTED_RANGE } from '../pg/versions.ts';
import { FORMATS, type MigrationFormat } from '../source/formats.ts';
import { RUNNER_IDS, type RunnerId } from '../source/runners.ts';
import { defaultCacheDir } from '../cache/analysis-cache.ts';
import { didYouMean } from '../util/did-you-mean.ts';
import type { Config } from './config.ts';
import { detectPgVersion } from './detect-version.ts';
import { loadProduction } from './production.ts';
import type { EmbeddedTarget } from '../source/ts/extract.ts';

/** Settings a front door takes from its user, as text (command-line flags, plugin options, Action inputs). */
export interface OptionFlags {
  pgVersion?: string;
  runner?: string;
  /** The migration file format (flyway, sqitch, …): not the report's output format. */
  migrationFormat?: string;
  assumeInTransaction?: boolean;
  /** `<rule-id>=<off|warn|error>`, later ones win. */
  rules?: readonly string[];
  lockTimeout?: string;
  /** Default: config `statementTimeout` (the ESLint plugin's settings may set it). */
  statementTimeout?: string;
  down?: string;
  reportUnusedIgnores?: boolean;
  /** Do not reuse or store analysis results between runs. */
  noCache?: boolean;
  /** Production stats snapshot (`--stats`; default: config `statsFile`). */
  stats?: string;
  /** The git ref standing for the deployed revision (`--deployed-ref`; default: config `deployedRef`). */
  deployedRef?: string;
}

export interface ResolveRequest {
  flags: OptionFlags;
  config: Config;
  /** Where paths are relative to, and where the repository's PostgreSQL version is searched from. */
  cwd: string;
  /** Where the repository's PostgreSQL version is searched from upward (default: cwd; monorepos: a package's configuration directory). */
  versionDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  rules: readonly Rule[];
}

export interface ResolvedOptions {
  engine: EngineOptions;
  /** How the PostgreSQL version was chosen, for the report. */
  pgVersionSource: string;
  pgVersionFrom: PgVersionOrigin;
  /** Things the user should know about how their settings were read (e.g. a version clamped). */
  notes: string[];
  /** Settings that work but deserve a warning (a stale stats snapshot). */
  warnings: string[];
  /** Custom SQL sinks in TS/JS migrations (config `embeddedSql.targets`). */
  embeddedTargets?: readonly EmbeddedTarget[];
  migrationFormat?: MigrationFormat;
  include?: string[];
  exclude?: string[];
  /** Where analysis results are cached; undefined with noCache. */
  cacheDir?: string;
  /** The deployed revision's git ref (`--deployed-ref`, else config `deployedRef`; undefined = detect). */
  deployedRef?: string;
  /** Config `models`: globs of ORM model files; false turns the model check off. */
  models?: readonly string[] | false;
}

export type Resolution = { options: ResolvedOptions; problems?: undefined } | { options?: undefined; problems: string[] };

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, problems: string[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const hint = didYouMean(value, allowed);
  problems.push(`${flag}: unknown value "${value}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${allowed.join(', ')}`);
  return undefined;
}

function severityOf(value: string, where: string, problems: string[]): RuleSetting | undefined {
  if (value === 'off' || value === 'error') return value;
  if (value === 'warn' || value === 'warning') return 'warning';
  problems.push(`${where}: severity must be off, warn or error (got "${value}")`);
  return undefined;
}

function ruleSettings(rules: readonly Rule[], config: Config, flags: readonly string[], problems: string[]): Map<string, RuleSetting> {
  const settings = new Map<string, RuleSetting>();
  const preset = config.preset ?? 'recommended';
  for (const r of rules) settings.set(r.id, r.presets.includes(preset) ? r.severity : 'off');
  const set = (id: string, sev: RuleSetting | undefined): void => {
    if (sev) settings.set(id, sev);
  };
  for (const [id, sev] of Object.entries(config.rules ?? {})) set(id, severityOf(sev, `config rules.${id}`, problems));
  const ids = rules.map((r) => r.id);
  for (const flag of flags) {
    const m = /^([a-z0-9-]+)=(\w+)$/.exec(flag);
    if (!m) {
      problems.push(`--rule: expected <rule-id>=<off|warn|error>, got "${flag}"`);
      continue;
    }
    if (!ids.includes(m[1])) {
      const hint = didYouMean(m[1], ids);
      problems.push(`--rule: unknown rule "${m[1]}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    set(m[1], severityOf(m[2], `--rule ${m[1]}`, problems));
  }
  return settings;
}

interface PgChoice {
  version: number;
  source: string;
  from: PgVersionOrigin;
  note?: string;
}

/** Where the PostgreSQL version came from; `repository` only when the repository's own version is supported as is (not clamped). */
export type PgVersionOrigin = 'flag' | 'config' | 'repository' | 'clamped' | 'default';

/** --pg-version, else the config, else the repository's postgres image (clamped to what zerodown models), else the default. */
function pgVersionOf(flag: string | undefined, config: Config, cwd: string, problems: string[]): PgChoice {
  if (flag !== undefined) {
    const v = /^\d+$/.test(flag) ? Number(flag) : NaN;
    if (isSupportedPgVersion(v)) return { version: v, source: '--pg-version', from: 'flag' };
    problems.push(`--pg-version: expected a major version from ${SUPPORTED_RANGE}, got "${flag}"`);
    return { version: DEFAULT_PG_VERSION, source: '--pg-version', from: 'flag' };
  }
  if (config.postgresVersion) return { version: config.postgresVersion, source: 'config', from: 'config' };
  const detected = detectPgVersion(cwd);
  if (!detected) return { version: DEFAULT_PG_VERSION, source: 'default (oldest supported major)', from: 'default' };
  if (detected.version > NEWEST_PG_VERSION) {
    const source = `detected ${detected.version}, analyzed as ${NEWEST_PG_VERSION} (the newest zerodown knows): ${detected.source}`;
    return { version: NEWEST_PG_VERSION, source, from: 'clamped', note: `PostgreSQL version ${source}` };
  }
  const version = Math.max(detected.version, OLDEST_PG_VERSION);
  return { version, source: `detected: ${detected.source}`, from: version === detected.version ? 'repository' : 'clamped' };
}

export function resolveOptions(req: ResolveRequest): Resolution {
  const { flags, config, cwd } = req;
  const problems: string[] = [];
  const pg = pgVersionOf(flags.pgVersion, config, req.versionDir ?? cwd, problems);
  const runner: RunnerId | null = oneOf(flags.runner, RUNNER_IDS, '--runner', problems) ?? config.runner ?? null;
  const migrationFormat = oneOf(flags.migrationFormat, FORMATS, '--migration-format', problems) ?? config.migrationFormat;
  // Down migrations run only to roll back: their findings are warnings unless asked otherwise.
  const down = oneOf(flags.down, ['same', 'warning', 'off'] as const, '--down', problems) ?? config.down ?? 'warning';
  const lockTimeoutRaw = flags.lockTimeout ?? config.lockTimeout ?? 0;
  const lockTimeoutMs = parseDurationMs(lockTimeoutRaw);
  if (lockTimeoutMs === undefined) problems.push(`--lock-timeout: expected a duration such as 2s or 500ms, got "${lockTimeoutRaw}"`);
  const statementTimeoutRaw = flags.statementTimeout ?? config.statementTimeout ?? 0;
  const statementTimeoutMs = parseDurationMs(statementTimeoutRaw);
  if (statementTimeoutMs === undefined) problems.push(`--statement-timeout: expected a duration such as 2s or 500ms, got "${statementTimeoutRaw}"`);
  const rules = ruleSettings(req.rules, config, flags.rules ?? [], problems);
  const production = loadProduction(flags.stats ?? config.statsFile, config, cwd);
  if ('error' in production) problems.push(production.error);
  if (problems.length || 'error' in production) return { problems };
  return {
    options: {
      engine: {
        pgVersion: pg.version,
        runner,
        assumeInTransaction: flags.assumeInTransaction ?? config.assumeInTransaction,
        rules,
        down,
        lockTimeoutMs: lockTimeoutMs ?? 0,
        statementTimeoutMs: statementTimeoutMs ?? 0,
        timeZone: config.timeZone,
        reportUnusedIgnores: flags.reportUnusedIgnores === true,
        production: production.facts,
      },
      pgVersionSource: pg.source,
      pgVersionFrom: pg.from,
      notes: pg.note ? [pg.note] : [],
      warnings: production.warning ? [production.warning] : [],
      embeddedTargets: config.embeddedSql?.targets,
      migrationFormat,
      include: config.include,
      exclude: config.exclude,
      cacheDir: flags.noCache ? undefined : defaultCacheDir(cwd, req.env),
      deployedRef: flags.deployedRef ?? config.deployedRef,
      models: config.models,
    },
  };
}
