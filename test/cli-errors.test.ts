/** The command line on bad input: IO, usage and config errors exit 2 with one stderr line naming the file, never a stack trace. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, expectOneStderrLine, tmp, chmodTree, write, BAD_INDEX, compactFindings, parseJson, findingsOf, useBuiltCli } from './cli-harness.ts';

useBuiltCli();

describe('IO errors', () => {
  it('a missing path: exit 2, one stderr line naming it, and the other files are still reported', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', 'missing.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'missing.sql', /no such file/);
    expect(compactFindings(r.stdout)).toEqual([expect.objectContaining({ path: '001_idx.sql', rule: 'index-not-concurrent' })]);
  });

  it('a missing path with --format json: exit 2, findings and the error are both in the report', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--format', 'json', '001_idx.sql', 'missing.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'missing.sql');
    const doc = parseJson(r);
    expect(findingsOf(doc, '001_idx.sql').map((f) => f.ruleId)).toEqual(['index-not-concurrent']);
    expect(doc.errors).toEqual([{ path: 'missing.sql', message: expect.stringMatching(/no such file/) }]);
    expect(doc.summary).toMatchObject({ errors: 1, fatal: 1 });
  });

  it('a binary file (NUL bytes): exit 2, one stderr line naming it', () => {
    const cwd = tmp();
    write(cwd, 'blob.sql', Buffer.from([0x43, 0x52, 0x00, 0x01, 0x02, 0x00, 0x45]));
    const r = run(['blob.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'blob.sql', /binary/);
  });

  it('a binary file inside a directory argument is reported, the others still linted', () => {
    const cwd = tmp();
    write(cwd, 'db/001_idx.sql', BAD_INDEX);
    write(cwd, 'db/002_blob.sql', Buffer.from('SELECT\0 1;'));
    const r = run(['db'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, path.join('db', '002_blob.sql'), /binary/);
    expect(compactFindings(r.stdout).map((f) => f.rule)).toEqual(['index-not-concurrent']);
  });

  it('an unreadable directory argument: exit 2, one stderr line naming it; the other paths are still linted', () => {
    const cwd = tmp();
    write(cwd, 'locked/001_idx.sql', BAD_INDEX);
    write(cwd, 'open/001_idx.sql', BAD_INDEX);
    fs.chmodSync(path.join(cwd, 'locked'), 0o000);
    // root reads everything: run the CLI as an unprivileged user then.
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (asRoot) {
      fs.chmodSync(cwd, 0o755);
      chmodTree(path.join(cwd, 'open'));
    }
    const r = run(['locked', 'open'], { cwd, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    expect(compactFindings(r.stdout).map((f) => f.path)).toEqual([path.join('open', '001_idx.sql')]);
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'locked', /permission denied|cannot read|EACCES/i);
  });

  it('--output-file to a directory that does not exist: exit 2 naming the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['001_idx.sql', '--output-file', 'no/such/dir/report.json'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'no/such/dir/report.json');
  });
});

describe('usage and config errors', () => {
  it('an unknown option in zerodown.config.json: exit 2, "did you mean", names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    write(cwd, 'zerodown.config.json', JSON.stringify({ rulez: { 'index-not-concurrent': 'off' } }));
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, 'zerodown.config.json', '"rulez"', 'did you mean "rules"');
  });

  it('an unknown rule in the config: exit 2, "did you mean", names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    write(cwd, 'zerodown.config.json', JSON.stringify({ rules: { 'index-not-concurent': 'off' } }));
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, 'zerodown.config.json', 'index-not-concurent', 'did you mean "index-not-concurrent"');
  });

  it('invalid JSON in the config: exit 2, names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    write(cwd, 'zerodown.config.json', '{ "rules": ');
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'zerodown.config.json');
  });

  it('--config pointing to a missing file: exit 2, names the file', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--config', 'nope.json', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'nope.json');
  });

  it('an unknown rule in --rule: exit 2 with "did you mean"', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--rule', 'index-not-concurent=off', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, '--rule', 'index-not-concurent', 'did you mean "index-not-concurrent"');
  });

  it('a malformed --rule or severity: exit 2', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    for (const value of ['index-not-concurrent', 'index-not-concurrent=loud']) {
      const r = run(['--rule', value, '001_idx.sql'], { cwd });
      expect(r.code, value).toBe(2);
      expectOneStderrLine(r, '--rule');
    }
  });

  it('a bad --format value: exit 2 with "did you mean" and the allowed values', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--format', 'jsn', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const line = expectOneStderrLine(r, '--format', '"jsn"', 'did you mean "json"');
    for (const f of ['pretty', 'compact', 'json', 'sarif', 'github', 'markdown']) expect(line).toContain(f);
  });

  it('a bad --pg-version: exit 2', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    for (const v of ['9', '19', 'abc', '16.2', '']) {
      const r = run(['--pg-version', v, '001_idx.sql'], { cwd });
      expect(r.code, v).toBe(2);
      expect(r.stdout, v).toBe('');
      expectOneStderrLine(r, '--pg-version');
    }
  });

  it('a bad --max-warnings: exit 2', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', BAD_INDEX);
    const r = run(['--max-warnings', 'lots', '001_idx.sql'], { cwd });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, '--max-warnings');
  });
});
