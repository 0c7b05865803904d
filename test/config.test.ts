/** Configuration: discovery upward, validation with clear messages, the published JSON Schema. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/options/config.ts';
import { configJsonSchema } from '../src/options/config-schema.ts';
import { RULES } from '../rules/index.ts';
import { ROOT } from './helpers.ts';

const ids = RULES.map((r) => r.id);
let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function tmp(files: Record<string, string>): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-config-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('loadConfig', () => {
  it('finds zerodown.config.jsonc upward from a subdirectory, comments and trailing commas allowed', async () => {
    tmp({ 'zerodown.config.jsonc': '// team config\n{ "postgresVersion": 16, /* x */ "rules": { "set-not-null-scan": "warn", }, }', 'db/migrations/.keep': '' });
    const { config, filepath } = await loadConfig(path.join(dir, 'db/migrations'), undefined, ids);
    expect(config.postgresVersion).toBe(16);
    expect(config.rules).toEqual({ 'set-not-null-scan': 'warn' });
    expect(filepath).toBe(path.join(dir, 'zerodown.config.jsonc'));
  });

  it('reads the "zerodown" key of package.json and .zerodownrc', async () => {
    tmp({ 'package.json': JSON.stringify({ name: 'app', zerodown: { runner: 'knex' } }) });
    expect((await loadConfig(dir, undefined, ids)).config.runner).toBe('knex');
    fs.rmSync(dir, { recursive: true });
    tmp({ '.zerodownrc': '{ "assumeInTransaction": true }' });
    expect((await loadConfig(dir, undefined, ids)).config.assumeInTransaction).toBe(true);
  });

  it('loads an ESM config file', async () => {
    tmp({ 'zerodown.config.mjs': 'export default { postgresVersion: 17, lockTimeout: "2s" };' });
    expect((await loadConfig(dir, undefined, ids)).config).toEqual({ postgresVersion: 17, lockTimeout: '2s' });
  });

  it('rejects unknown options with a suggestion', async () => {
    tmp({ 'zerodown.config.json': '{ "postgresVersoin": 16 }' });
    await expect(loadConfig(dir, undefined, ids)).rejects.toThrow(/unknown option "postgresVersoin" \(did you mean "postgresVersion"\?\)/);
  });

  it('rejects unknown rule ids with a suggestion, and bad values with the path', async () => {
    tmp({ 'zerodown.config.json': '{ "rules": { "index-not-concurent": "off" } }' });
    await expect(loadConfig(dir, undefined, ids)).rejects.toThrow(/unknown rule "index-not-concurent" \(did you mean "index-not-concurrent"\?\)/);
    fs.rmSync(dir, { recursive: true });
    tmp({ 'zerodown.config.json': '{ "postgresVersion": 9 }' });
    await expect(loadConfig(dir, undefined, ids)).rejects.toThrow(/postgresVersion: a PostgreSQL major version from 10 to 18/);
  });

  it('reports invalid JSON as a ConfigError naming the file', async () => {
    tmp({ 'zerodown.config.json': '{ "postgresVersion": ' });
    const err = await loadConfig(dir, undefined, ids).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/zerodown\.config\.json: invalid JSON/);
  });

  it('an explicit --config that does not exist is an error', async () => {
    tmp({});
    await expect(loadConfig(dir, 'nope.json', ids)).rejects.toThrow('nope.json: config file not found');
  });
});

describe('JSON Schema', () => {
  it('the published schema matches the validator', () => {
    const published = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/zerodown.schema.json'), 'utf8'));
    expect(published).toEqual(configJsonSchema());
    expect(Object.keys(published.properties)).toEqual(expect.arrayContaining(['postgresVersion', 'runner', 'rules', 'include', 'exclude', 'assumeInTransaction', 'lockTimeout']));
  });
});
