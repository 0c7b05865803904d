/**
 * Configuration: found upward from the working directory (zerodown.config.{json,jsonc,js,mjs},
 * .zerodownrc[.json], or "zerodown" in package.json), validated with clear messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from './config-schema.ts';
import { dynamicImport } from '../util/dynamic-import.ts';

export type { Config } from './config-schema.ts';

export { SUPPORTED_PG_VERSIONS } from '../pg/versions.ts';
/** The oldest community-supported major (https://www.postgresql.org/support/versioning/). */
export const DEFAULT_PG_VERSION = 15;

export class ConfigError extends Error {}

export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function loadJson(filepath: string, content: string): unknown {
  try {
    return JSON.parse(stripJsonComments(content));
  } catch (e) {
    throw new ConfigError(`${filepath}: invalid JSON: ${(e as Error).message}`);
  }
}

async function loadModule(filepath: string): Promise<unknown> {
  const mod = await dynamicImport<{ default?: unknown }>(new URL(`file://${path.resolve(filepath)}`).href);
  return mod.default ?? mod;
}

/** Looked for in this order in each directory, from the working directory up to the home directory. */
export const SEARCH_PLACES = [
  'package.json',
  'zerodown.config.json',
  'zerodown.config.jsonc',
  'zerodown.config.js',
  'zerodown.config.mjs',
  '.zerodownrc',
  '.zerodownrc.json',
];

interface Found {
  config: unknown;
  filepath: string;
}

/** Reads one candidate; null when it holds no configuration (package.json without "zerodown", an empty file). */
async function readCandidate(filepath: string, explicit: boolean): Promise<Found | null> {
  const ext = path.extname(filepath);
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return { config: await loadModule(filepath), filepath };
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

async function search(cwd: string): Promise<Found | null> {
  const stop = os.homedir();
  for (let dir = path.resolve(cwd); ; ) {
    for (const name of SEARCH_PLACES) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) continue;
      const found = await readCandidate(file, false);
      if (found) return found;
    }
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir) return null;
    dir = parent;
  }
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
