/** The command line's input and output options: --stdin, --output-file, --quiet, --max-warnings, --rule. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, expectOneStderrLine, tmp, write, BAD_INDEX, BAD_ADD_COLUMN, SAFE, compactFindings, type Json, expectJsonContract, parseJson, findingsOf, useBuiltCli } from './cli-harness.ts';

useBuiltCli();

describe('--stdin', () => {
  it('reads SQL from standard input and reports it under --stdin-filename', () => {
    const cwd = tmp();
    const r = run(['--stdin', '--stdin-filename', 'x.sql'], { cwd, input: BAD_INDEX });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ path: 'x.sql', line: 1, col: 1, rule: 'index-not-concurrent' })]);
  });

  it('clean SQL on stdin exits 0', () => {
    const r = run(['--stdin', '--stdin-filename', 'x.sql'], { cwd: tmp(), input: SAFE });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('--stdin-filename inside a migrations directory replays the earlier files as history', () => {
    const cwd = tmp();
    write(cwd, 'db/migrations/001_create_users.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
    const input = [
      'CREATE INDEX users_email_idx ON users (email);', // users exists before this file: reported
      'CREATE TABLE audit (id bigint, at timestamptz);',
      'CREATE INDEX audit_at_idx ON audit (at);', // created in this very content: not reported
      '',
    ].join('\n');
    const r = run(['--stdin', '--stdin-filename', 'db/migrations/002_index.sql', '--format', 'json'], { cwd, input });
    expect(r.code).toBe(1);
    const doc = parseJson(r);
    // Only the stdin file is reported; history is replayed, not reported.
    expect((doc.files as Json[]).map((f) => f.path)).toEqual([path.join('db', 'migrations', '002_index.sql')]);
    const findings = findingsOf(doc);
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['index-not-concurrent', 1]]);
    expect((findings[0].lock as Json).relations).toEqual(['public.users']);
  });

  it('history from an earlier file shapes the analysis (a partitioned table gets the partition recipe)', () => {
    const cwd = tmp();
    write(
      cwd,
      'db/001_events.sql',
      "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n",
    );
    // A later file on disk is not history for 002.
    write(cwd, 'db/003_later.sql', 'CREATE TABLE later (id bigint, at date) PARTITION BY RANGE (at);\n');
    const input = 'CREATE INDEX events_at_idx ON events (at);\nCREATE INDEX later_at_idx ON later (at);\n';
    const r = run(['--stdin', '--stdin-filename', 'db/002_index.sql', '--format', 'json'], { cwd, input });
    expect(r.code).toBe(1);
    const findings = findingsOf(parseJson(r));
    expect(findings.map((f) => f.ruleId)).toEqual(['index-not-concurrent', 'index-not-concurrent']);
    const [events, later] = findings.map((f) => f.safeAlternative as { summary: string; steps: { sql: string }[] });
    expect(events.summary).toMatch(/partitioned/);
    expect(events.steps.map((s) => s.sql).join('\n')).toContain('events_2024');
    expect(later.summary).not.toMatch(/partitioned/);

    // Without the directory there is no history: the same content gets the plain recipe.
    const alone = run(['--stdin', '--stdin-filename', 'elsewhere/002_index.sql', '--format', 'json'], { cwd, input });
    const plain = findingsOf(parseJson(alone)).map((f) => (f.safeAlternative as { summary: string }).summary);
    expect(plain[0]).not.toMatch(/partitioned/);
  });

  it('stdin content replaces the file of the same name on disk', () => {
    const cwd = tmp();
    write(cwd, 'db/001_safe.sql', SAFE);
    const r = run(['--stdin', '--stdin-filename', 'db/001_safe.sql'], { cwd, input: BAD_INDEX });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ path: path.join('db', '001_safe.sql'), rule: 'index-not-concurrent' })]);
  });
});

describe('output options', () => {
  it('--output-file writes the report there and nothing to stdout; exit code unchanged', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', '--format', 'json', '--output-file', 'report.json'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const doc = JSON.parse(fs.readFileSync(path.join(cwd, 'report.json'), 'utf8')) as Json;
    expectJsonContract(doc);
    expect(findingsOf(doc).map((f) => f.ruleId)).toEqual(['index-not-concurrent']);

    const short = run(['001_idx.sql', '-o', 'report.txt'], { cwd });
    expect(short.code).toBe(1);
    expect(short.stdout).toBe('');
    expect(compactFindings(fs.readFileSync(path.join(cwd, 'report.txt'), 'utf8'))).toHaveLength(1);
  });

  it('--output-file never contains ANSI escapes, even with FORCE_COLOR', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', '--format', 'pretty', '--output-file', 'report.txt'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(r.code).toBe(1);
    const text = fs.readFileSync(path.join(cwd, 'report.txt'), 'utf8');
    expect(text).toContain('index-not-concurrent');
    expect(text).not.toContain('\u001b[');
  });

  it('--quiet drops warnings and keeps errors', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX + BAD_ADD_COLUMN);
    const loud = run(['001.sql', '--rule', 'index-not-concurrent=warn'], { cwd });
    expect(compactFindings(loud.stdout).map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning index-not-concurrent', 'error add-column-rewrite']);
    for (const q of ['--quiet', '-q']) {
      const r = run(['001.sql', '--rule', 'index-not-concurrent=warn', q], { cwd });
      expect(r.code).toBe(1);
      expect(compactFindings(r.stdout).map((f) => `${f.severity} ${f.rule}`)).toEqual(['error add-column-rewrite']);
      expect(r.stdout).not.toContain('warning');
    }
  });

  it('--quiet with only warnings prints nothing and exits 0', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX);
    const r = run(['001.sql', '--rule', 'index-not-concurrent=warn', '--quiet'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('--max-warnings: exit 1 when exceeded, 0 when within', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX + 'CREATE INDEX users_name_idx ON users (name);\n');
    const base = ['001.sql', '--rule', 'index-not-concurrent=warn'];
    const none = run(base, { cwd });
    expect(none.code).toBe(0);
    expect(compactFindings(none.stdout).map((f) => f.severity)).toEqual(['warning', 'warning']);

    const over = run([...base, '--max-warnings', '1'], { cwd });
    expect(over.code).toBe(1);
    expect(compactFindings(over.stdout)).toHaveLength(2);
    expectOneStderrLine(over, /max-warnings/);

    for (const n of ['2', '5']) {
      const within = run([...base, '--max-warnings', n], { cwd });
      expect(within.code, n).toBe(0);
      expect(within.stderr).toBe('');
    }
  });

  it('--rule <id>=off silences the rule', () => {
    const cwd = tmp();
    write(cwd, '001.sql', BAD_INDEX);
    const r = run(['001.sql', '--rule', 'index-not-concurrent=off'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });
});
