/**
 * Configuration: found upward from the working directory (zerodown.config.{json,jsonc,js,mjs},
 * .zerodownrc[.json], or "zerodown" in package.json), validated with clear messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lilconfig, type Loader } from 'lilconfig';
import { z } from 'zod';
import { RUNNER_IDS } from './analyze/runners.ts';
import { FORMATS } from './source/formats.ts';
import { didYouMean } from './util/did-you-mean.ts';
import { dynamicImport } from './util/dynamic-import.ts';

export const SUPPORTED_PG_VERSIONS = [10, 11, 12, 13, 14, 15, 16, 17, 18] as const;
/** The oldest community-supported major (https://www.postgresql.org/support/versioning/). */
export const DEFAULT_PG_VERSION = 15;

const duration = z.union([z.number().int().min(0), z.string().regex(/^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$/i, 'a duration such as "2s", "500ms" or 0')]);

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    preset: z.enum(['recommended', 'strict']).optional().describe('Rule preset: "recommended" (default) or "strict" (adds design rules).'),
    postgresVersion: z
      .number()
      .int()
      .min(SUPPORTED_PG_VERSIONS[0], `a PostgreSQL major version from ${SUPPORTED_PG_VERSIONS[0]} to 18`)
      .max(18, `a PostgreSQL major version from ${SUPPORTED_PG_VERSIONS[0]} to 18`)
      .optional()
      .describe('Target PostgreSQL major version (default: detected from the repository, else 15).'),
    runner: z.enum(RUNNER_IDS).optional().describe('Migration runner: sets whether each file runs in a transaction.'),
    migrationFormat: z.enum(FORMATS).optional().describe('Force the migration file format instead of detecting it.'),
    rules: z.record(z.string(), z.enum(['off', 'warn', 'warning', 'error'])).optional().describe('Severity per rule id.'),
    include: z.array(z.string()).optional().describe('Globs of migration files to lint when a directory is given.'),
    exclude: z.array(z.string()).optional().describe('Globs of files to skip.'),
    assumeInTransaction: z.boolean().optional().describe("Override the runner's transaction default for every file."),
    lockTimeout: duration.optional().describe('lock_timeout in force before the file runs (role or database setting), e.g. "2s"; 0 = none.'),
    statementTimeout: duration.optional().describe('statement_timeout in force before the file runs.'),
    down: z.enum(['same', 'warning', 'off']).optional().describe('Severity of findings in down migrations.'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

function stripJsonComments(text: string): string {
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

const jsonLoader: Loader = (filepath, content) => {
  try {
    return JSON.parse(stripJsonComments(content));
  } catch (e) {
    throw new ConfigError(`${filepath}: invalid JSON: ${(e as Error).message}`);
  }
};

const esmLoader: Loader = async (filepath) => {
  const mod = await dynamicImport<{ default?: unknown }>(pathToUrl(filepath));
  return mod.default ?? mod;
};

function pathToUrl(p: string): string {
  return new URL(`file://${path.resolve(p)}`).href;
}

const SEARCH_PLACES = [
  'package.json',
  'zerodown.config.json',
  'zerodown.config.jsonc',
  'zerodown.config.js',
  'zerodown.config.mjs',
  '.zerodownrc',
  '.zerodownrc.json',
];

const LOADERS: Record<string, Loader> = {
  '.json': jsonLoader,
  '.jsonc': jsonLoader,
  '.js': esmLoader,
  '.mjs': esmLoader,
  noExt: jsonLoader,
};

export interface LoadedConfig {
  config: Config;
  filepath: string | null;
}

/** Validates raw config; throws ConfigError with one line per problem. */
export function validateConfig(raw: unknown, filepath: string, ruleIds: readonly string[]): Config {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => {
          const hint = didYouMean(k, Object.keys(configSchema.shape));
          return hint ? `"${k}" (did you mean "${hint}"?)` : `"${k}"`;
        });
        return `${filepath}: unknown option ${keys.join(', ')}`;
      }
      return `${filepath}: ${where}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  for (const id of Object.keys(parsed.data.rules ?? {})) {
    if (!ruleIds.includes(id)) {
      const hint = didYouMean(id, ruleIds);
      throw new ConfigError(`${filepath}: rules: unknown rule "${id}"${hint ? ` (did you mean "${hint}"?)` : ''}; run \`zerodown rules\` for the list`);
    }
  }
  return parsed.data;
}

export async function loadConfig(cwd: string, explicit: string | undefined, ruleIds: readonly string[]): Promise<LoadedConfig> {
  const explorer = lilconfig('zerodown', { searchPlaces: SEARCH_PLACES, loaders: LOADERS });
  let found: { config: unknown; filepath: string } | null;
  try {
    if (explicit) {
      const file = path.resolve(cwd, explicit);
      if (!fs.existsSync(file)) throw new ConfigError(`${explicit}: config file not found`);
      found = await explorer.load(file);
    } else {
      found = await explorer.search(cwd);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`config: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!found || found.config === undefined || found.config === null) return { config: {}, filepath: found?.filepath ?? null };
  return { config: validateConfig(found.config, path.relative(cwd, found.filepath) || found.filepath, ruleIds), filepath: found.filepath };
}

/** The JSON Schema published for editor completion (schema/zerodown.schema.json). */
export function configJsonSchema(): unknown {
  return {
    ...(z.toJSONSchema(configSchema) as Record<string, unknown>),
    $id: 'https://zerodown.dev/schema/zerodown.schema.json',
    title: 'zerodown configuration',
  };
}
