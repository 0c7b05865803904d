/**
 * --fix: applies the mechanical rewrites in place, keeps formatting and comments, is idempotent,
 * and the fixed file parses and no longer triggers the rules it fixed. Runs the built CLI on files
 * in temporary directories.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseRegion } from '../src/parse/parser.ts';
import { CLI } from './helpers.ts';

let dir: string;
beforeAll(() => initParser());
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function zerodown(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function setup(files: Record<string, string>): void {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-fix-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

function ruleIds(stdout: string): string[] {
  const report = JSON.parse(stdout) as { files: { findings: { ruleId: string }[] }[] };
  return report.files.flatMap((f) => f.findings.map((x) => x.ruleId));
}

describe('--fix', () => {
  it('adds CONCURRENTLY and lock_timeout in a psql-style file, preserving comments and layout, idempotently', () => {
    const original = [
      '-- add the lookup index',
      'CREATE INDEX users_email_idx ON users (email);   /* keep me */',
      '',
      '  ALTER TABLE users',
      '    ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);',
      'DROP INDEX users_old_idx;',
      '',
    ].join('\n');
    setup({ 'schema.sql': original });
    const first = zerodown('--fix', '--runner', 'psql', 'schema.sql');
    expect(first.stderr).toMatch(/fixed \d+ problem\(s\) in 1 file\(s\)/);
    const fixed = read('schema.sql');
    expect(fixed).toBe(
      [
        '-- add the lookup index',
        'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);   /* keep me */',
        '',
        "  SET lock_timeout = '2s';",
        '  ALTER TABLE users',
        '    ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;',
        'ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;',
        'DROP INDEX CONCURRENTLY users_old_idx;',
        '',
      ].join('\n'),
    );
    // The fixed file parses, and the fixed rules are gone.
    expect(parseRegion(fixed).errors).toEqual([]);
    const ids = ruleIds(first.stdout);
    for (const id of ['index-not-concurrent', 'drop-index-not-concurrent', 'constraint-validation-scan', 'lock-timeout-missing']) expect(ids).not.toContain(id);
    // A second run changes nothing.
    const second = zerodown('--fix', '--runner', 'psql', 'schema.sql');
    expect(second.stderr).toBe('');
    expect(read('schema.sql')).toBe(fixed);
  });

  it('opts a goose file out of its transaction when every statement can run without one', () => {
    setup({ 'db/00002_idx.sql': '-- +goose Up\nCREATE INDEX a_idx ON t (a);\n-- +goose Down\nDROP INDEX a_idx;\n' });
    zerodown('--fix', 'db');
    const fixed = read('db/00002_idx.sql');
    // The down section drops an index this same file creates: nothing to fix there.
    expect(fixed).toBe('-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY a_idx ON t (a);\n-- +goose Down\nDROP INDEX a_idx;\n');
    expect(ruleIds(zerodown('db').stdout)).not.toContain('index-not-concurrent');
  });

  it('leaves a file alone where the rewrite is not mechanical (a runner transaction with other DDL)', () => {
    const text = '-- +goose Up\nALTER TABLE t ADD COLUMN b int;\nCREATE INDEX b_idx ON t (b);\n';
    setup({ 'db/00003_mixed.sql': text });
    zerodown('--fix', '--rule', 'lock-timeout-missing=off', 'db');
    expect(read('db/00003_mixed.sql')).toBe(text);
  });

  it('refuses --fix with --stdin', () => {
    setup({});
    const r = spawnSync(process.execPath, [CLI, '--fix', '--stdin'], { cwd: dir, input: 'SELECT 1;', encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--fix rewrites files in place and cannot be combined with --stdin');
  });
});
