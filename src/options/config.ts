/**
 * Configuration: found upward from the working directory (zerodown.config.{json,jsonc,js,mjs},
 * .zerodownrc[.json], or "zerodown" in package.json), validated with clear messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Config } from './config-schema.ts';
import { dynamicImport } from '../util/dynamic-import.ts';
import { upwardDirs } from '../util/find-up.ts';

export type { Config } from './config-schema.ts';

export { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS } from '../pg/versions.ts';

export class ConfigError extends Error {}

/** JSON with comments and trailing commas (jsonc-parser, the parser VS Code uses for its settings). */
function loadJson(filepath: string, content: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(content, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const { offset, error } = errors[0];
    const before = content.slice(0, offset).split('\n');
    throw new ConfigError(`${filepath}: invalid JSON at line ${before.length}, column ${before[before.length - 1].length + 1}: ${printParseErrorCode(error)}`);
  }
  return value;
}

async function loadModule(filepath: string): Promise<unknown> {
  const mod = await dynamicImport<{ default?: unknown }>(new URL(`file://${path.resolve(filepath)}`).href);
  return mod.default ?? mod;
}

/** Looked for in this order in each directory, from the working directory up to the home directory. */
const SEARCH_PLACES = [
  'package.json',
  'zerodown.config.json',
  'zerodown.config.jsonc',
  'zerodown.config.js',
  'zerodown.config.mjs',
  '.zerodownrc',
  '.zerodownrc.json',
];

export interface Found {
  config: unknown;
  filepath: string;
}

/** A JS config to load (async import for the CLI, require() for the synchronous ESLint plugin). */
interface ModuleConfig {
  module: string;
}

/** Reads one candidate; null when it holds no configuration (package.json without "zerodown", an empty file). */
function readData(filepath: string, explicit: boolean): Found | ModuleConfig | null {
  const ext = path.extname(filepath);
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return { module: filepath };
  const content = fs.readFileSync(filepath, 'utf8');
  if (path.basename(filepath) === 'package.json') {
    // A broken package.json is the project's problem, not ours, unless it may hold our config.
    if (!explicit && !/"zerodown"\s*:/.test(content)) {
      try {
        JSON.parse(content);
      } catch {
        return null;
      }
    }
    const pkg = loadJson(filepath, content) as { zerodown?: unknown } | null;
    return pkg && typeof pkg === 'object' && 'zerodown' in pkg ? { config: pkg.zerodown, filepath } : explicit ? { config: undefined, filepath } : null;
  }
  if (content.trim() === '') return explicit ? { config: undefined, filepath } : null;
  return { config: loadJson(filepath, content), filepath };
}

async function readCandidate(filepath: string, explicit: boolean): Promise<Found | null> {
  const data = readData(filepath, explicit);
  return data && 'module' in data ? { config: await loadModule(data.module), filepath } : data;
}

/** The candidates that exist, nearest first: each directory from `cwd` up to the home directory, in SEARCH_PLACES order. */
function* candidates(cwd: string): Generator<string> {
  for (const dir of upwardDirs(cwd, { stopAt: os.homedir() })) {
    for (const name of SEARCH_PLACES) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) yield file;
    }
  }
}

async function search(cwd: string): Promise<Found | null> {
  for (const file of candidates(cwd)) {
    const found = await readCandidate(file, false);
    if (found) return found;
  }
  return null;
}

/**
 * The same search, synchronously and unchecked (for ESLint rules, which are synchronous): JS configs
 * are loaded with `loadModule` (require(), which loads ES modules on Node ≥ 20.19). `explicit`: this
 * file instead of the search. The caller validates the result with the config schema.
 */
export function findConfigSync(cwd: string, explicit: string | undefined, loadModuleSync: (file: string) => unknown): Found | null {
  const read = (file: string, isExplicit: boolean): Found | null => {
    const data = readData(file, isExplicit);
    return data && 'module' in data ? { config: loadModuleSync(data.module), filepath: file } : data;
  };
  if (explicit) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) throw new ConfigError(`${explicit}: config file not found`);
    return read(file, true);
  }
  for (const file of candidates(cwd)) {
    const found = read(file, false);
    if (found) return found;
  }
  return null;
}

export interface LoadedConfig {
  config: Config;
  filepath: string | null;
}

/** `displayFrom`: the directory messages name the file relative to (default: cwd, where the search starts). */
export async function loadConfig(cwd: string, explicit: string | undefined, ruleIds: readonly string[], displayFrom = cwd): Promise<LoadedConfig> {
  let found: Found | null;
  try {
    if (explicit) {
      const file = path.resolve(cwd, explicit);
      if (!fs.existsSync(file)) throw new ConfigError(`${explicit}: config file not found`);
      found = await readCandidate(file, true);
    } else {
      found = await search(cwd);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`config: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!found || found.config === undefined || found.config === null) return { config: {}, filepath: found?.filepath ?? null };
  // zod is half of the CLI's code: it is loaded (a separate file in the CLI build) only here.
  const { checkConfig } = await import('./config-schema.ts');
  const checked = checkConfig(found.config, path.relative(displayFrom, found.filepath) || found.filepath, ruleIds);
  if ('problems' in checked) throw new ConfigError(checked.problems);
  return { config: checked.config, filepath: found.filepath };
}
