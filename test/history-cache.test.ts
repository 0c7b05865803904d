/**
 * The on-disk cache of replayed history: a later run restores the schema instead of replaying, and
 * any change to what replay read (a history file, its path, the options, a sibling file, the build)
 * makes it replay again. Findings must always be those of a run without the cache.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.ts';
import { HistoryCache } from '../src/cache/history-cache.ts';
import { lintPaths, type LintOptions } from '../src/lint.ts';
import { CLI, engineOptions } from './helpers.ts';

let dir: string;
let cacheDir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-hc-'));
  cacheDir = path.join(dir, 'cache');
  fs.mkdirSync(path.join(dir, 'migrations'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, sql: string): string {
  const file = path.join(dir, 'migrations', name);
  fs.writeFileSync(file, sql);
  return file;
}

const entries = (): string[] => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((n) => n.endsWith('.bin')) : []);

async function ruleIds(target: string, cache?: HistoryCache, overrides: Partial<LintOptions> = {}): Promise<string[]> {
  const options: LintOptions = { ...engineOptions({ rules: new Map([['set-not-null-scan', 'error']]) }), pgVersionSource: 'test', detectRunner: false, cache, ...overrides };
  const report = await lintPaths([target], RULES, options, { cwd: dir });
  expect(report.fatal).toEqual([]);
  return report.files.flatMap((f) => f.findings.map((x) => `${f.path}:${x.line} ${x.ruleId}`));
}

describe('history cache', () => {
  it('stores the replayed schema once, and a later run gives the same findings from it', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    const cache = new HistoryCache(cacheDir, 'test-build', 0);
    const uncached = await ruleIds(target);
    expect(uncached).toEqual(['migrations/002_not_null.sql:1 set-not-null-scan']);
    expect(await ruleIds(target, cache)).toEqual(uncached);
    expect(entries()).toHaveLength(1);
    const before = fs.statSync(path.join(cacheDir, entries()[0])).mtimeMs;
    expect(await ruleIds(target, cache)).toEqual(uncached);
    // The second run read the entry (and marked it used) instead of writing another one.
    expect(entries()).toHaveLength(1);
    expect(fs.statSync(path.join(cacheDir, entries()[0])).mtimeMs).toBeGreaterThanOrEqual(before);
  });

  it('replays again when a history file changes: the column is already NOT NULL, no scan is reported', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    const cache = new HistoryCache(cacheDir, 'test-build', 0);
    expect(await ruleIds(target, cache)).toHaveLength(1);
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n');
    expect(await ruleIds(target, cache)).toEqual([]);
    expect(entries()).toHaveLength(2);
  });

  it('a new history file, another build or other replay options are other entries', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('003_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    await ruleIds(target, new HistoryCache(cacheDir, 'test-build', 0));
    write('002_fill.sql', "ALTER TABLE accounts ALTER COLUMN email SET DEFAULT '';\n");
    await ruleIds(target, new HistoryCache(cacheDir, 'test-build', 0));
    await ruleIds(target, new HistoryCache(cacheDir, 'other-build', 0));
    await ruleIds(target, new HistoryCache(cacheDir, 'other-build', 0), { pgVersion: 12 });
    expect(entries()).toHaveLength(4);
  });

  it('ignores a corrupt entry and small histories are not cached', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    await ruleIds(target, new HistoryCache(cacheDir, 'test-build'));
    expect(entries()).toEqual([]);
    const cache = new HistoryCache(cacheDir, 'test-build', 0);
    await ruleIds(target, cache);
    fs.writeFileSync(path.join(cacheDir, entries()[0]), 'not a cache entry');
    expect(await ruleIds(target, cache)).toEqual(['migrations/002_not_null.sql:1 set-not-null-scan']);
  });

  it('re-checks sibling files that replay consulted (diesel metadata.toml)', async () => {
    fs.mkdirSync(path.join(dir, 'migrations', '2024-01-01-000000_init'));
    fs.mkdirSync(path.join(dir, 'migrations', '2024-02-01-000000_nn'));
    write('2024-01-01-000000_init/up.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    write('2024-01-01-000000_init/down.sql', 'DROP TABLE accounts;\n');
    const target = write('2024-02-01-000000_nn/up.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    write('2024-02-01-000000_nn/down.sql', 'ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL;\n');
    const cache = new HistoryCache(cacheDir, 'test-build', 0);
    await ruleIds(target, cache);
    expect(entries()).toHaveLength(1);
    const entry = path.join(cacheDir, entries()[0]);
    const stored = fs.readFileSync(entry);
    // Same history bytes, but the sibling the replay read now exists: the entry no longer applies.
    write('2024-01-01-000000_init/metadata.toml', 'run_in_transaction = false\n');
    await ruleIds(target, cache);
    expect(fs.readFileSync(entry)).not.toEqual(stored);
  });
});

describe('history cache from the CLI', () => {
  it('writes to ZERODOWN_CACHE_DIR, and --no-cache neither reads nor writes it', () => {
    write('001_init.sql', `CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n-- ${'padding '.repeat(3000)}\n`);
    write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'migrations/002_not_null.sql', '--format', 'compact', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ZERODOWN_CACHE_DIR: cacheDir } });
    const off = run('--no-cache');
    expect(off.status).toBe(1);
    expect(entries()).toEqual([]);
    const first = run();
    const second = run();
    expect(entries()).toHaveLength(1);
    expect(first.stdout).toBe(off.stdout);
    expect(second.stdout).toBe(off.stdout);
    expect(second.stdout).toContain('set-not-null-scan');
  });
});
