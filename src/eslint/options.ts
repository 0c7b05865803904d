/**
 * The plugin's one adapter to the options layer: zerodown.config.* (found upward from the linted
 * file, as the CLI finds it per migrations directory) plus `settings.zerodown` / rule options become
 * the engine's LintOptions. ESLint rules are synchronous, so the config is read synchronously here
 * (JSON with fs, JS configs with require(), which loads ES modules on Node ≥ 20.19) and then checked
 * by the CLI's own schema. When the options layer gains its single resolver (resolveOptions), the
 * body of `lintOptionsFor` becomes a call to it; nothing else in src/eslint/ reads options.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { checkConfig, type Config } from '../options/config-schema.ts';
import { DEFAULT_PG_VERSION, SEARCH_PLACES, stripJsonComments, SUPPORTED_PG_VERSIONS } from '../options/config.ts';
import { detectPgVersion } from '../options/detect-version.ts';
import { loadProduction } from '../options/production.ts';
import { parseDurationMs } from '../analyze/session.ts';
import { defaultCacheDir } from '../cache/analysis-cache.ts';
import { MemoAnalysisCache } from './memo-cache.ts';
import { RUNNER_IDS, type RunnerId } from '../source/runners.ts';
import { FORMATS, type MigrationFormat } from '../source/formats.ts';
import type { LintOptions } from '../engine/lint.ts';
import type { RuleSetting } from '../findings/model.ts';
import { BUILD_ID } from '../meta.ts';
import { RULES } from '../../rules/index.ts';

/** `settings.zerodown` in an ESLint config (and each rule's options object): overrides zerodown.config.*. */
export interface ZerodownSettings {
  /** A config file to use instead of the nearest zerodown.config.* (relative to ESLint's cwd). */
  config?: string;
  pgVersion?: number | string;
  runner?: string;
  migrationFormat?: string;
  assumeInTransaction?: boolean;
  lockTimeout?: number | string;
  statementTimeout?: number | string;
  down?: 'same' | 'warning' | 'off';
  /** A production stats snapshot (`zerodown stats`), as `--stats`. */
  stats?: string;
  reportUnusedIgnores?: boolean;
  /** false: do not read or write the analysis cache. */
  cache?: boolean;
}

/** JSON schema of ZerodownSettings, for each rule's `meta.schema`. */
export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    config: { type: 'string' },
    pgVersion: { type: ['integer', 'string'] },
    runner: { enum: [...RUNNER_IDS] },
    migrationFormat: { enum: [...FORMATS] },
    assumeInTransaction: { type: 'boolean' },
    lockTimeout: { type: ['integer', 'string'] },
    statementTimeout: { type: ['integer', 'string'] },
    down: { enum: ['same', 'warning', 'off'] },
    stats: { type: 'string' },
    reportUnusedIgnores: { type: 'boolean' },
    cache: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

/**
 * A problem with the configuration: one line, naming the file or setting. ESLint stops with it
 * (exit 2) and prints the error's `stack`: here only the message, which ESLint extends with the
 * file being linted, without JavaScript frames.
 */
export class ZerodownConfigError extends Error {
  override name = 'zerodown';

  constructor(message: string) {
    super(message);
    Object.defineProperty(this, 'stack', { get: () => `${this.name}: ${this.message}` });
  }
}

const RULE_IDS = RULES.map((r) => r.id);

function readConfigFile(file: string, explicit: boolean): Config | undefined | null {
  const display = path.relative(process.cwd(), file) || file;
  let raw: unknown;
  if (/\.[cm]?js$/.test(file)) {
    try {
      const mod = createRequire(import.meta.url)(file) as { default?: unknown };
      raw = mod.default ?? mod;
    } catch (e) {
      throw new ZerodownConfigError(`${display}: cannot load: ${(e as Error).message.split('\n')[0]}`);
    }
  } else {
    const content = fs.readFileSync(file, 'utf8');
    if (path.basename(file) === 'package.json' && !explicit && !/"zerodown"\s*:/.test(content)) return null;
    if (!explicit && content.trim() === '') return null;
    try {
      raw = JSON.parse(stripJsonComments(content));
    } catch (e) {
      throw new ZerodownConfigError(`${display}: invalid JSON: ${(e as Error).message}`);
    }
    if (path.basename(file) === 'package.json') raw = (raw as { zerodown?: unknown } | null)?.zerodown;
  }
  if (raw === undefined || raw === null) return undefined;
  const checked = checkConfig(raw, display, RULE_IDS);
  if ('problems' in checked) throw new ZerodownConfigError(checked.problems.split('\n')[0]);
  return checked.config;
}

interface FoundConfig {
  config: Config;
  filepath: string | null;
}

const found = new Map<string, FoundConfig>();

/** The nearest configuration above `dir` (the CLI's search order), memoized per directory for the process. */
function nearestConfig(dir: string): FoundConfig {
  const hit = found.get(dir);
  if (hit) return hit;
  let result: FoundConfig = { config: {}, filepath: null };
  for (const name of SEARCH_PLACES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const config = readConfigFile(file, false);
    if (config !== null) {
      result = { config: config ?? {}, filepath: file };
      break;
    }
  }
  const parent = path.dirname(dir);
  if (!result.filepath && dir !== os.homedir() && parent !== dir) result = nearestConfig(parent);
  found.set(dir, result);
  return result;
}

function choose<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ZerodownConfigError(`settings.zerodown.${name}: unknown value "${value}"; expected one of ${allowed.join(', ')}`);
}

function duration(value: number | string, name: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new ZerodownConfigError(`settings.zerodown.${name}: expected a duration such as 2s or 500ms, got "${value}"`);
  return ms;
}

export interface ResolvedForFile {
  options: LintOptions;
  config: Config;
  /** Directory paths in the config are relative to (the config file's, else ESLint's cwd). */
  base: string;
}

const caches = new Map<string, MemoAnalysisCache>();

/**
 * The engine options for one linted file: its nearest zerodown.config.* (or settings.config), with
 * `settings` laid over it. Every rule runs in the engine at its configured or default severity:
 * whether a finding is shown, and at which level, is ESLint's rule configuration.
 */
export function lintOptionsFor(file: string, cwd: string, settings: ZerodownSettings): ResolvedForFile {
  const { config, filepath } = settings.config ? { config: readConfigFile(path.resolve(cwd, settings.config), true) ?? {}, filepath: path.resolve(cwd, settings.config) } : nearestConfig(path.dirname(file));
  const base = filepath ? path.dirname(filepath) : cwd;

  let pgVersion: number;
  let pgVersionSource: string;
  if (settings.pgVersion !== undefined) {
    pgVersion = Number(settings.pgVersion);
    if (!(SUPPORTED_PG_VERSIONS as readonly number[]).includes(pgVersion)) throw new ZerodownConfigError(`settings.zerodown.pgVersion: expected a major version from ${SUPPORTED_PG_VERSIONS[0]} to 18, got "${settings.pgVersion}"`);
    pgVersionSource = 'settings.zerodown.pgVersion';
  } else if (config.postgresVersion) {
    pgVersion = config.postgresVersion;
    pgVersionSource = 'config';
  } else {
    const detected = detectPgVersion(base);
    pgVersion = detected ? Math.min(detected.version, 18) : DEFAULT_PG_VERSION;
    pgVersionSource = detected ? `detected: ${detected.source}` : 'default (oldest supported major)';
  }

  const rules = new Map<string, RuleSetting>();
  for (const r of RULES) {
    const level = config.rules?.[r.id];
    rules.set(r.id, level === 'error' ? 'error' : level === 'warn' || level === 'warning' ? 'warning' : r.severity);
  }
  const production = loadProduction(settings.stats ?? config.statsFile, config, base);
  if ('error' in production) throw new ZerodownConfigError(production.error);

  const cacheDir = settings.cache === false || !BUILD_ID ? undefined : defaultCacheDir(cwd);
  let cache = cacheDir ? caches.get(cacheDir) : undefined;
  if (cacheDir && BUILD_ID && !cache) caches.set(cacheDir, (cache = new MemoAnalysisCache(cacheDir, BUILD_ID)));

  const options: LintOptions = {
    pgVersion,
    pgVersionSource,
    runner: (choose(settings.runner, RUNNER_IDS, 'runner') ?? config.runner ?? null) as RunnerId | null,
    assumeInTransaction: settings.assumeInTransaction ?? config.assumeInTransaction,
    rules,
    down: settings.down ?? config.down ?? 'warning',
    lockTimeoutMs: duration(settings.lockTimeout ?? config.lockTimeout ?? 0, 'lockTimeout'),
    statementTimeoutMs: duration(settings.statementTimeout ?? config.statementTimeout ?? 0, 'statementTimeout'),
    reportUnusedIgnores: settings.reportUnusedIgnores === true,
    production: production.facts,
    format: (choose(settings.migrationFormat, FORMATS, 'migrationFormat') ?? config.migrationFormat) as MigrationFormat | undefined,
    detectRunner: true,
    embeddedTargets: config.embeddedSql?.targets,
    cache,
  };
  return { options, config, base };
}

/** The rule levels of the zerodown.config.* nearest to `dir` (for the shipped ESLint configs). */
export function configuredLevels(dir: string): Map<string, RuleSetting> {
  let config: Config = {};
  try {
    config = nearestConfig(dir).config;
  } catch {
    // A broken config is reported when a file is linted (with its name); the presets stay usable.
  }
  const preset = config.preset ?? 'recommended';
  const levels = new Map<string, RuleSetting>();
  for (const r of RULES) {
    const level = config.rules?.[r.id];
    levels.set(r.id, level === 'off' ? 'off' : level === 'error' ? 'error' : level ? 'warning' : r.presets.includes(preset) ? r.severity : 'off');
  }
  return levels;
}
