/**
 * The one options resolver: what lint, trace and --fix (and the coming ESLint plugin and GitHub
 * Action) get from the same flags, config and repository. The CLI half runs the built binary.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveOptions, type OptionFlags } from '../src/options/resolve.ts';
import type { Config } from '../src/options/config.ts';
import { RULES } from '../rules/index.ts';
import { CLI } from './helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A repository root (`.git` stops the upward searches) with the given files. */
function repo(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zd-options-')));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const COMPOSE_19 = 'services:\n  db:\n    image: postgres:19\n';

function resolve(flags: OptionFlags, config: Config = {}, cwd = repo({})) {
  return resolveOptions({ flags, config, cwd, env: {}, rules: RULES });
}

describe('resolveOptions', () => {
  it('flag over config over repository over default, and says which', () => {
    const cwd = repo({ 'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n' });
    expect(resolve({ pgVersion: '13' }, { postgresVersion: 14 }, cwd).options?.engine.pgVersion).toBe(13);
    expect(resolve({}, { postgresVersion: 14 }, cwd).options?.pgVersionSource).toBe('config');
    const detected = resolve({}, {}, cwd).options;
    expect(detected?.engine.pgVersion).toBe(16);
    expect(detected?.pgVersionSource).toBe('detected: docker-compose.yml:3: image: postgres:16');
    expect(resolve({}).options?.pgVersionSource).toMatch(/^default/);
  });

  it('an image newer than any supported major is clamped to the newest, with a note', () => {
    const r = resolve({}, {}, repo({ 'docker-compose.yml': COMPOSE_19 })).options;
    expect(r?.engine.pgVersion).toBe(18);
    expect(r?.notes).toEqual(['PostgreSQL version detected 19, analyzed as 18 (the newest zerodown knows): docker-compose.yml:3: image: postgres:19']);
  });

  it('returns every problem as a value instead of exiting', () => {
    const r = resolve({ pgVersion: '19', runner: 'flywya', lockTimeout: 'soon', rules: ['index-not-concurent=error'] });
    expect(r.options).toBeUndefined();
    expect(r.problems).toEqual([
      '--pg-version: expected a major version from 10 to 18, got "19"',
      '--runner: unknown value "flywya" (did you mean "flyway"?); expected one of ' + r.problems?.[1].split('expected one of ')[1],
      '--lock-timeout: expected a duration such as 2s or 500ms, got "soon"',
      '--rule: unknown rule "index-not-concurent" (did you mean "index-not-concurrent"?)',
    ]);
  });

  it('config lockTimeout and statementTimeout become engine milliseconds; a flag wins', () => {
    expect(resolve({}, { lockTimeout: '2s', statementTimeout: '1min' }).options?.engine).toMatchObject({ lockTimeoutMs: 2000, statementTimeoutMs: 60000 });
    expect(resolve({ lockTimeout: '500ms' }, { lockTimeout: '2s' }).options?.engine.lockTimeoutMs).toBe(500);
    expect(resolve({ statementTimeout: '5s' }, { statementTimeout: '1min' }).options?.engine.statementTimeoutMs).toBe(5000);
    expect(resolve({ statementTimeout: 'later' }).problems).toEqual(['--statement-timeout: expected a duration such as 2s or 500ms, got "later"']);
  });

  it('rule severities: preset, then config, then flags', () => {
    const rules = resolve({ rules: ['truncate=off'] }, { preset: 'strict', rules: { 'set-not-null-scan': 'warn' } }).options?.engine.rules;
    expect(rules?.get('truncate')).toBe('off');
    expect(rules?.get('set-not-null-scan')).toBe('warning');
    expect(rules?.get('prefer-text')).not.toBe('off');
  });

  it('the migration file format is its own setting, and the cache directory follows ZERODOWN_CACHE_DIR', () => {
    const cwd = repo({});
    const r = resolveOptions({ flags: { migrationFormat: 'flyway' }, config: {}, cwd, env: { ZERODOWN_CACHE_DIR: 'c' }, rules: RULES }).options;
    expect(r?.migrationFormat).toBe('flyway');
    expect(r?.cacheDir).toBe(path.join(cwd, 'c'));
    expect(resolve({ noCache: true }).options?.cacheDir).toBeUndefined();
  });
});

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  for (const k of ['FORCE_COLOR', 'NO_COLOR', 'ZERODOWN_DEBUG', 'CI', 'GITHUB_ACTIONS']) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface TraceDoc {
  requestedPgVersion: number;
  notes: string[];
  files: { path: string; statements: { sql: string; lint: string[] }[] }[];
}

describe('lint and trace share the resolved options (CLI)', () => {
  const MIGRATIONS = { '001_init.sql': 'CREATE TABLE t (id int);\n', '002_index.sql': 'CREATE INDEX t_id ON t (id);\n' };

  it('postgres:19 in docker-compose: lint and trace both analyze as 18 and say so', () => {
    const cwd = repo({ 'docker-compose.yml': COMPOSE_19, ...MIGRATIONS });
    const lint = run(['.', '--format', 'json'], cwd);
    expect(lint.stderr).toBe('');
    const doc = JSON.parse(lint.stdout) as { postgresVersion: number; postgresVersionSource: string };
    expect(doc.postgresVersion).toBe(18);
    expect(doc.postgresVersionSource).toBe('detected 19, analyzed as 18 (the newest zerodown knows): docker-compose.yml:3: image: postgres:19');

    const trace = run(['trace', '.', '--format', 'json'], cwd);
    expect(trace.stderr).not.toMatch(/--pg-version/);
    expect(trace.code).toBe(1); // the non-concurrent index is an error-level hazard, not a usage error
    const t = JSON.parse(trace.stdout) as TraceDoc;
    expect(t.requestedPgVersion).toBe(18);
    expect(t.notes).toContain(`PostgreSQL version ${doc.postgresVersionSource}`);
    // Without a lock_timeout anywhere, the prediction asks for one.
    expect(t.files.find((f) => f.path === '002_index.sql')?.statements[0].lint).toContain('lock-timeout-missing');
  }, 300_000);

  it('zerodown trace honours lockTimeout from the config file', () => {
    const cwd = repo({ 'zerodown.config.json': '{ "lockTimeout": "2s" }', ...MIGRATIONS });
    const trace = run(['trace', '.', '--format', 'json'], cwd);
    expect(trace.code).toBe(1);
    const t = JSON.parse(trace.stdout) as TraceDoc;
    const lint = t.files.find((f) => f.path === '002_index.sql')?.statements[0].lint;
    expect(lint).toContain('index-not-concurrent');
    expect(lint).not.toContain('lock-timeout-missing');
  }, 300_000);
});
