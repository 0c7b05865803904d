/**
 * Flyway's placeholder settings for templated migrations (src/source/templates.ts): read from the
 * nearest flyway.conf / flyway.toml above the migration, and the values of built-in placeholders
 * (https://documentation.red-gate.com/fd/placeholders-configuration-277579052.html).
 */
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { SiblingReader } from './formats.ts';

/** The migration whose placeholders are read: its path and a reader for files relative to it. */
export interface FlywaySite {
  path: string;
  readSibling: SiblingReader;
}

/** Flyway settings the placeholders need, from flyway.conf / flyway.toml. */
export interface FlywayConfig {
  placeholders: Map<string, string>;
  defaultSchema?: string;
  prefix: string;
  suffix: string;
  replace: boolean;
  table: string;
  source?: string;
}

/** Java properties (flyway.conf): `key=value`, `key: value`, `#`/`!` comments, `\` continuations. */
function readProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/\\\r?\n[ \t]*/g, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Where Flyway reads its config from a project: the working directory (and conf/), walked up from the migration. */
const FLYWAY_CONFIG_NAMES = ['flyway.toml', 'flyway.conf', 'conf/flyway.conf', 'conf/flyway.toml'];
const MAX_LEVELS = 6;

export function flywayConfig(ctx: FlywaySite): FlywayConfig {
  const config: FlywayConfig = { placeholders: new Map(), prefix: '${', suffix: '}', replace: true, table: 'flyway_schema_history' };
  for (let level = 0; level <= MAX_LEVELS; level++) {
    for (const name of FLYWAY_CONFIG_NAMES) {
      const rel = `${'../'.repeat(level)}${name}`;
      const text = ctx.readSibling(rel);
      if (text === undefined) continue;
      config.source = path.posix.normalize(rel);
      if (name.endsWith('.toml')) readFlywayToml(text, config);
      else readFlywayConf(text, config);
      return config;
    }
  }
  return config;
}

function readFlywayConf(text: string, config: FlywayConfig): void {
  const props = readProperties(text);
  for (const [k, v] of props) {
    if (k.startsWith('flyway.placeholders.')) config.placeholders.set(k.slice('flyway.placeholders.'.length), v);
  }
  config.defaultSchema = props.get('flyway.defaultSchema') || props.get('flyway.schemas')?.split(',')[0]?.trim() || undefined;
  config.prefix = props.get('flyway.placeholderPrefix') || config.prefix;
  config.suffix = props.get('flyway.placeholderSuffix') || config.suffix;
  config.replace = props.get('flyway.placeholderReplacement')?.toLowerCase() !== 'false';
  config.table = props.get('flyway.table') || config.table;
}

function readFlywayToml(text: string, config: FlywayConfig): void {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return;
  }
  const flyway = record(doc.flyway) ?? {};
  for (const [k, v] of Object.entries(record(flyway.placeholders) ?? {})) {
    const s = str(v);
    if (s !== undefined) config.placeholders.set(k, s);
  }
  const env = record(record(doc.environments)?.[str(flyway.environment) ?? 'default']);
  const schemas = flyway.schemas ?? env?.schemas;
  config.defaultSchema = str(flyway.defaultSchema) ?? (Array.isArray(schemas) ? str(schemas[0]) : undefined);
  config.prefix = str(flyway.placeholderPrefix) ?? config.prefix;
  config.suffix = str(flyway.placeholderSuffix) ?? config.suffix;
  config.replace = flyway.placeholderReplacement !== false;
  config.table = str(flyway.table) ?? config.table;
}

/** Value of a Flyway placeholder, or undefined when only the deploy knows it. */
export function flywayValue(name: string, config: FlywayConfig, ctx: FlywaySite): { value: string; from: string } | undefined {
  const own = config.placeholders.get(name) ?? [...config.placeholders].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  if (own !== undefined) return { value: own, from: config.source ?? 'the Flyway config' };
  switch (name.toLowerCase()) {
    case 'flyway:defaultschema':
      // Unset: the connection's default schema, which is `public` on a stock PostgreSQL.
      return config.defaultSchema ? { value: config.defaultSchema, from: config.source ?? 'the Flyway config' } : { value: 'public', from: 'the connection default (no flyway.defaultSchema or flyway.schemas configured)' };
    case 'flyway:filename':
      return { value: path.basename(ctx.path), from: 'the file name' };
    case 'flyway:table':
      return { value: config.table, from: config.source ?? 'Flyway\'s default' };
    default:
      return undefined;
  }
}
