/**
 * The plugin's one adapter to the options layer: zerodown.config.* (found upward from the linted
 * file, as the CLI finds it per migrations directory) plus `settings.zerodown` / rule options become
 * the engine's LintOptions through the one resolver (options/resolve.ts), as every front door's.
 * ESLint rules are synchronous, so the config is found with the options layer's synchronous search
 * (JS configs with require(), which loads ES modules on Node ≥ 20.19) and then checked by the CLI's
 * own schema. Nothing else in src/eslint/ reads options.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { checkConfig, type Config } from '../options/config-schema.ts';
import { ConfigError, findConfigSync } from '../options/config.ts';
import { resolveOptions, type OptionFlags } from '../options/resolve.ts';
import { MemoAnalysisCache } from './memo-cache.ts';
import { RUNNER_IDS } from '../source/runners.ts';
import { FORMATS } from '../source/formats.ts';
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

function loadModuleSync(file: string): unknown {
  try {
    const mod = createRequire(import.meta.url)(file) as { default?: unknown };
    return mod.default ?? mod;
  } catch (e) {
    throw new ZerodownConfigError(`${path.relative(process.cwd(), file) || file}: cannot load: ${(e as Error).message.split('\n')[0]}`);
  }
}

interface FoundConfig {
  config: Config;
  filepath: string | null;
}

/** The options layer's search (or `explicit`), checked by the config schema; problems become one-line ZerodownConfigErrors. */
function readConfig(dir: string, explicit: string | undefined): FoundConfig {
  let found;
  try {
    found = findConfigSync(dir, explicit, loadModuleSync);
  } catch (e) {
    if (e instanceof ConfigError) throw new ZerodownConfigError(e.message.split(`${process.cwd()}${path.sep}`).join(''));
    throw e;
  }
  if (!found || found.config === undefined || found.config === null) return { config: {}, filepath: found?.filepath ?? null };
  const display = path.relative(process.cwd(), found.filepath) || found.filepath;
  const checked = checkConfig(found.config, display, RULE_IDS);
  if ('problems' in checked) throw new ZerodownConfigError(checked.problems.split('\n')[0]);
  return { config: checked.config, filepath: found.filepath };
}

const found = new Map<string, FoundConfig>();

/** The nearest configuration above `dir` (the CLI's search order), memoized per directory for the process. */
function nearestConfig(dir: string): FoundConfig {
  let hit = found.get(dir);
  if (!hit) found.set(dir, (hit = readConfig(dir, undefined)));
  return hit;
}

/** The resolver names its inputs as command-line flags: here they are settings.zerodown's keys. */
const SETTING_NAMES: Record<string, keyof ZerodownSettings> = {
  '--pg-version': 'pgVersion',
  '--runner': 'runner',
  '--migration-format': 'migrationFormat',
  '--lock-timeout': 'lockTimeout',
  '--statement-timeout': 'statementTimeout',
  '--down': 'down',
};

function settingsProblem(problem: string): string {
  const m = /^(--[a-z-]+):/.exec(problem);
  const name = m ? SETTING_NAMES[m[1]] : undefined;
  return name ? `settings.zerodown.${name}${problem.slice(m![1].length)}` : problem;
}

export interface ResolvedForFile {
  options: LintOptions;
  config: Config;
  /** Directory paths in the config are relative to (the config file's, else ESLint's cwd). */
  base: string;
}

const caches = new Map<string, MemoAnalysisCache>();

const text = (value: number | string | undefined): string | undefined => (value === undefined ? undefined : String(value));

/**
 * The engine options for one linted file: its nearest zerodown.config.* (or settings.config), with
 * `settings` laid over it, through resolveOptions. Every rule runs in the engine at its configured or
 * default severity: whether a finding is shown, and at which level, is ESLint's rule configuration.
 */
export function lintOptionsFor(file: string, cwd: string, settings: ZerodownSettings): ResolvedForFile {
  const { config, filepath } = settings.config ? readConfig(cwd, settings.config) : nearestConfig(path.dirname(file));
  const base = filepath ? path.dirname(filepath) : cwd;
  const flags: OptionFlags = {
    pgVersion: text(settings.pgVersion),
    runner: settings.runner,
    migrationFormat: settings.migrationFormat,
    assumeInTransaction: settings.assumeInTransaction,
    lockTimeout: text(settings.lockTimeout),
    statementTimeout: text(settings.statementTimeout),
    down: settings.down,
    reportUnusedIgnores: settings.reportUnusedIgnores === true,
    noCache: settings.cache === false,
    stats: settings.stats,
  };
  const r = resolveOptions({ flags, config, cwd: base, env: process.env, rules: RULES });
  if (r.problems) throw new ZerodownConfigError(settingsProblem(r.problems[0]));
  const { engine, migrationFormat, embeddedTargets } = r.options;
  const pgVersionSource = flags.pgVersion !== undefined ? 'settings.zerodown.pgVersion' : r.options.pgVersionSource;

  // A rule the preset or the config turns off still runs: ESLint's rule configuration decides.
  const rules = new Map<string, RuleSetting>();
  for (const rule of RULES) {
    const level = engine.rules.get(rule.id);
    rules.set(rule.id, level && level !== 'off' ? level : rule.severity);
  }

  const cacheDir = BUILD_ID ? r.options.cacheDir : undefined;
  let cache = cacheDir ? caches.get(cacheDir) : undefined;
  if (cacheDir && BUILD_ID && !cache) caches.set(cacheDir, (cache = new MemoAnalysisCache(cacheDir, BUILD_ID)));

  const options: LintOptions = { ...engine, rules, pgVersionSource, migrationFormat, detectRunner: true, embeddedTargets, cache };
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
