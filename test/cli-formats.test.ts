/** The command line's --format json (contract version 1) and --format pretty (color, underlines). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tmp, write, BAD_INDEX, BAD_ADD_COLUMN, type Json, parseJson, findingsOf, useBuiltCli } from './cli-harness.ts';

useBuiltCli();

describe('--format json', () => {
  it('follows the version 1 contract', () => {
    const cwd = tmp();
    const sql = `SELECT 1;\n${BAD_INDEX}${BAD_ADD_COLUMN}`;
    write(cwd, '001.sql', sql);
    const r = run(['001.sql', '--format', 'json', '--pg-version', '14'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const doc = parseJson(r);
    expect(doc.postgresVersion).toBe(14);
    expect(doc.postgresVersionSource).toBe('--pg-version');
    const files = doc.files as Json[];
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: '001.sql', statements: 3 });
    expect(doc.summary).toEqual({ files: 1, statements: 3, errors: 2, warnings: 0, fatal: 0 });
    expect(doc.errors).toEqual([]);
    const [idx, add] = findingsOf(doc);
    expect(idx).toMatchObject({ ruleId: 'index-not-concurrent', severity: 'error', line: 2, column: 1, endLine: 2 });
    expect(idx.lock).toMatchObject({ mode: 'SHARE', relations: ['public.users'], rewrite: false });
    expect((idx.safeAlternative as { steps: { sql: string; transaction: string }[] }).steps[0]).toMatchObject({
      sql: expect.stringContaining('CREATE INDEX CONCURRENTLY'),
      transaction: 'outside',
    });
    expect(add).toMatchObject({ ruleId: 'add-column-rewrite', line: 3 });
    expect(add.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', rewrite: true });
    // Positions are 1-based with an exclusive end: they cut the offending text out of the source.
    const lines = sql.split('\n');
    expect(lines[(idx.line as number) - 1].slice((idx.column as number) - 1, (idx.endColumn as number) - 1)).toBe('CREATE INDEX');
    expect(lines[(add.line as number) - 1].slice((add.column as number) - 1, (add.endColumn as number) - 1)).toMatch(/^ADD COLUMN n/);
  });

  it('an empty directory is a clean report', () => {
    const cwd = tmp();
    fs.mkdirSync(path.join(cwd, 'db'));
    const r = run(['db', '--format', 'json'], { cwd });
    expect(r.code).toBe(0);
    const doc = parseJson(r);
    expect(doc.files).toEqual([]);
    expect(doc.summary).toEqual({ files: 0, statements: 0, errors: 0, warnings: 0, fatal: 0 });
  });
});

describe('--format pretty', () => {
  const SQL = 'SELECT 1;\nALTER TABLE users ADD COLUMN n int DEFAULT random();\n';

  it('NO_COLOR: no ANSI escapes', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('add-column-rewrite');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('FORCE_COLOR=1: ANSI escapes even off a terminal', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\u001b\[\d+(;\d+)*m/);
  });

  it('no color settings and not a terminal: no ANSI escapes', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd });
    expect(r.stdout).toContain('add-column-rewrite');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('shows the statement with ^^^ under the offending span, and a lock line', () => {
    const cwd = tmp();
    write(cwd, '001.sql', SQL);
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { NO_COLOR: '1' } });
    const out = r.stdout.split('\n');
    // Grouped by statement: the location, the code frame, the lock, then each finding.
    expect(out[0]).toBe('001.sql:2:19');
    expect(out).toContain('  error add-column-rewrite');
    const src = 'ALTER TABLE users ADD COLUMN n int DEFAULT random();';
    const i = out.findIndex((l) => l.includes(`2 | ${src}`));
    expect(i, r.stdout).toBeGreaterThan(0);
    const underline = out[i + 1];
    expect(underline).toMatch(/^\s*\|\s*\^+$/);
    const col = out[i].indexOf(src) + src.indexOf('ADD COLUMN');
    expect(underline.indexOf('^')).toBe(col);
    expect(underline.trimEnd().length - col).toBe('ADD COLUMN n int DEFAULT random()'.length);
    const lock = out.find((l) => /^\s*lock:/.test(l));
    expect(lock).toBeDefined();
    expect(lock).toMatch(/ACCESS EXCLUSIVE on users/);
    expect(lock).toMatch(/rewrites the table/);
    expect(r.stdout).toMatch(/PostgreSQL 15/);
  });

  it('underlines a multi-line statement on its first line', () => {
    const cwd = tmp();
    write(cwd, '001.sql', 'SELECT 1;\nCREATE INDEX users_email_idx\n  ON users (email);\n');
    const r = run(['001.sql', '--format', 'pretty'], { cwd, env: { NO_COLOR: '1' } });
    const out = r.stdout.split('\n');
    const i = out.findIndex((l) => /2 \| CREATE INDEX users_email_idx$/.test(l));
    expect(i, r.stdout).toBeGreaterThan(0);
    expect(out[i + 1].indexOf('^')).toBe(out[i].indexOf('CREATE'));
    expect(out[i + 1].trim()).toBe(`| ${'^'.repeat('CREATE INDEX'.length)}`);
  });
});
