/**
 * The on-disk analysis cache. History: a later run restores the schema instead of replaying, and any
 * change to what replay read (a history file, its path, the options, a sibling file, the build)
 * makes it replay again. Results: a whole-directory run reuses the findings of the files it shares,
 * unchanged and in order, with the stored run. Findings must always be those of a run without it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.ts';
import { AnalysisCache } from '../src/cache/analysis-cache.ts';
import { lintPaths, type LintOptions } from '../src/engine/lint.ts';
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

const entries = (kind = ''): string[] => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((n) => n.startsWith(kind) && n.endsWith('.bin')) : []);

async function ruleIds(target: string, cache?: AnalysisCache, overrides: Partial<LintOptions> = {}): Promise<string[]> {
  const options: LintOptions = { ...engineOptions({ rules: new Map([['set-not-null-scan', 'error']]) }), pgVersionSource: 'test', detectRunner: false, cache, ...overrides };
  const report = await lintPaths([target], RULES, options, { cwd: dir });
  expect(report.fatal).toEqual([]);
  return report.files.flatMap((f) => f.findings.map((x) => `${f.path}:${x.line} ${x.ruleId}`));
}

describe('history cache', () => {
  it('stores the replayed schema once, and a later run gives the same findings from it', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
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
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    expect(await ruleIds(target, cache)).toHaveLength(1);
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n');
    expect(await ruleIds(target, cache)).toEqual([]);
    expect(entries()).toHaveLength(2);
  });

  it('a new history file, another build or other replay options are other entries', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('003_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    await ruleIds(target, new AnalysisCache(cacheDir, 'test-build', 0));
    write('002_fill.sql', "ALTER TABLE accounts ALTER COLUMN email SET DEFAULT '';\n");
    await ruleIds(target, new AnalysisCache(cacheDir, 'test-build', 0));
    await ruleIds(target, new AnalysisCache(cacheDir, 'other-build', 0));
    await ruleIds(target, new AnalysisCache(cacheDir, 'other-build', 0), { pgVersion: 12 });
    expect(entries()).toHaveLength(4);
  });

  it('ignores a corrupt entry and small histories are not cached', async () => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n');
    const target = write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    await ruleIds(target, new AnalysisCache(cacheDir, 'test-build'));
    expect(entries()).toEqual([]);
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
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
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
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

describe('results cache (whole-directory runs)', () => {
  const migrations = (): string => path.join(dir, 'migrations');
  const report = async (cache?: AnalysisCache, overrides: Partial<LintOptions> = {}) => {
    const options: LintOptions = { ...engineOptions({ rules: new Map([['set-not-null-scan', 'error']]) }), pgVersionSource: 'test', detectRunner: false, cache, ...overrides };
    const r = await lintPaths([migrations()], RULES, options, { cwd: dir });
    expect(r.fatal).toEqual([]);
    return r.files.map((f) => ({ path: f.path, statements: f.statements, notes: f.notes, findings: f.findings, text: f.text }));
  };

  beforeEach(() => {
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text, name text);\n');
    write('002_email.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
  });

  it('stores the findings of every file, and a repeated run reports exactly the same from the entry', async () => {
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    const uncached = await report();
    expect(uncached.flatMap((f) => f.findings.map((x) => `${f.path} ${x.ruleId}`))).toEqual(['migrations/002_email.sql set-not-null-scan']);
    expect(await report(cache)).toEqual(uncached);
    expect(entries('results')).toHaveLength(1);
    const entry = path.join(cacheDir, entries('results')[0]);
    const stored = fs.readFileSync(entry);
    expect(await report(cache)).toEqual(uncached);
    // Nothing new to analyze: the entry was read, not rewritten.
    expect(fs.readFileSync(entry)).toEqual(stored);
    expect(entries('history')).toEqual([]);
  });

  it('a migration added at the end is analyzed against the stored schema; the result equals an uncached run', async () => {
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    await report(cache);
    write('003_name.sql', 'ALTER TABLE accounts ALTER COLUMN name SET NOT NULL;\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
    const cached = await report(cache);
    expect(cached).toEqual(await report());
    // The stored schema knew accounts.name (a scan of an existing table) and is replaced by the longer run.
    expect(cached.flatMap((f) => f.findings.map((x) => `${f.path}:${x.line} ${x.ruleId}`))).toEqual([
      'migrations/002_email.sql:1 set-not-null-scan',
      'migrations/003_name.sql:1 set-not-null-scan',
    ]);
    expect(entries('results')).toHaveLength(1);
  });

  it('an edited earlier migration changes the findings after it (no stale reuse)', async () => {
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    expect((await report(cache))[1].findings).toHaveLength(1);
    write('001_init.sql', 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, name text);\n');
    const cached = await report(cache);
    expect(cached).toEqual(await report());
    // email is already NOT NULL: SET NOT NULL has nothing to scan.
    expect(cached[1].findings).toEqual([]);
  });

  it('rule settings and the PostgreSQL version are part of the key', async () => {
    write('003_flag.sql', 'ALTER TABLE accounts ADD COLUMN active boolean NOT NULL DEFAULT false;\n');
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    const ids = (files: Awaited<ReturnType<typeof report>>) => files.flatMap((f) => f.findings.map((x) => `${f.path} ${x.ruleId}`));
    expect(ids(await report(cache))).toEqual(ids(await report()));
    const off = await report(cache, { rules: new Map([['set-not-null-scan', 'off']]) });
    expect(off).toEqual(await report(undefined, { rules: new Map([['set-not-null-scan', 'off']]) }));
    expect(ids(off)).not.toContain('migrations/002_email.sql set-not-null-scan');
    // PostgreSQL 10 rewrites the table for a column with a default (11 stores the default instead).
    const pg10 = await report(cache, { pgVersion: 10 });
    expect(pg10).toEqual(await report(undefined, { pgVersion: 10 }));
    expect(ids(pg10)).toContain('migrations/003_flag.sql add-column-rewrite');
    expect(ids(await report(cache))).not.toContain('migrations/003_flag.sql add-column-rewrite');
    expect(entries('results')).toHaveLength(3);
  });

  it('the set of rules run is part of the key (library callers may pass their own)', async () => {
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    const options: LintOptions = { ...engineOptions({ rules: new Map([['set-not-null-scan', 'error']]) }), pgVersionSource: 'test', detectRunner: false, cache };
    const all = await lintPaths([migrations()], RULES, options, { cwd: dir });
    expect(all.files[1].findings.map((f) => f.ruleId)).toContain('set-not-null-scan');
    const without = await lintPaths([migrations()], RULES.filter((r) => r.id !== 'set-not-null-scan'), options, { cwd: dir });
    expect(without.files[1].findings.map((f) => f.ruleId)).not.toContain('set-not-null-scan');
    expect(entries('results')).toHaveLength(2);
  });

  it('an entry whose bytes changed on disk is discarded and recomputed, never reported from', async () => {
    const cache = new AnalysisCache(cacheDir, 'test-build', 0);
    const uncached = await report();
    await report(cache);
    const entry = path.join(cacheDir, entries('results')[0]);
    const bytes = fs.readFileSync(entry);
    // Three bytes of the stored rule id change ("set-not-null-scan" → "set-not-nulX-scaX" style edit).
    const at = bytes.indexOf(Buffer.from('set-not-null-scan'));
    expect(at).toBeGreaterThan(0);
    for (const i of [8, 12, 15]) bytes[at + i] = 'X'.charCodeAt(0);
    fs.writeFileSync(entry, bytes);
    expect(await report(cache)).toEqual(uncached);
    // Rewritten from the fresh analysis.
    const again = fs.readFileSync(path.join(cacheDir, entries('results')[0]));
    expect(again.includes(Buffer.from('set-not-null-scan'))).toBe(true);
  });

  it('small directories are not stored', async () => {
    await report(new AnalysisCache(cacheDir, 'test-build'));
    expect(entries()).toEqual([]);
  });
});

describe('analysis cache from the CLI', () => {
  // A history above the size worth caching, then the migration under test.
  beforeEach(() => {
    write('001_init.sql', `CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n-- ${'padding '.repeat(3000)}\n`);
    write('002_not_null.sql', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n');
  });
  const cli = (target: string, format: string) => (...args: string[]) =>
    spawnSync(process.execPath, [CLI, target, '--format', format, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ZERODOWN_CACHE_DIR: cacheDir } });

  it('writes to ZERODOWN_CACHE_DIR, and --no-cache neither reads nor writes it', () => {
    const run = cli('migrations/002_not_null.sql', 'compact');
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

  it('a whole-directory run: the repeated and the extended runs print what --no-cache prints', () => {
    const run = cli('migrations', 'json');
    const off = run('--no-cache');
    expect(off.status).toBe(1);
    expect(run().stdout).toBe(off.stdout);
    expect(entries('results')).toHaveLength(1);
    expect(run().stdout).toBe(off.stdout);
    write('003_index.sql', 'CREATE INDEX accounts_email ON accounts (email);\n');
    const extended = run();
    expect(extended.stdout).toBe(run('--no-cache').stdout);
    expect(extended.stdout).toContain('index-not-concurrent');
  });
});
