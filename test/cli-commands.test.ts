/** The command line: --version, --help, rules, explain, and the exit codes 0 (clean) / 1 (findings) / 2 (usage). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.ts';
import { ROOT } from './helpers.ts';
import { PKG_VERSION, run, expectNoStackTrace, expectOneStderrLine, tmp, write, BAD_INDEX, SAFE, compactFindings, useBuiltCli } from './cli-harness.ts';

useBuiltCli();

describe('information commands', () => {
  it('--version / -v print the package version', () => {
    const cwd = tmp();
    for (const flag of ['--version', '-v']) {
      const r = run([flag], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(PKG_VERSION);
      expect(r.stderr).toBe('');
    }
  });

  it('--help / -h mention every option', () => {
    const cwd = tmp();
    // Every option the parser accepts, read from the source so that new options need documenting.
    const src = fs.readFileSync(path.join(ROOT, 'src', 'cli', 'cli.ts'), 'utf8');
    const block = /const OPTIONS[^=]*=\s*\{([\s\S]*?)\n\};/.exec(src)?.[1] ?? '';
    const fromSource = [...block.matchAll(/^\s*'?([a-z][a-z-]*)'?\s*:\s*\{([^}]*)\}/gm)].map((m) => ({ long: m[1], short: /short:\s*'(\w)'/.exec(m[2])?.[1] }));
    expect(fromSource.length).toBeGreaterThan(10);
    const expected = [
      'format', 'pg-version', 'runner', 'migration-format', 'assume-in-transaction', 'no-assume-in-transaction', 'config', 'rule',
      'lock-timeout', 'down', 'max-warnings', 'quiet', 'report-unused-ignores', 'stdin', 'stdin-filename', 'output-file', 'color',
      'no-color', 'version', 'help',
    ];
    const longs = new Set([...expected, ...fromSource.map((o) => o.long)]);
    const shorts = new Set(['f', 'c', 'q', 'o', 'v', 'h', ...fromSource.flatMap((o) => (o.short ? [o.short] : []))]);
    for (const flag of ['--help', '-h']) {
      const r = run([flag], { cwd });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const o of longs) expect(r.stdout, `--${o}`).toMatch(new RegExp(`--${o}(?![a-z-])`));
      for (const s of shorts) expect(r.stdout, `-${s}`).toMatch(new RegExp(`(^|\\s)-${s},`, 'm'));
      for (const cmd of ['rules', 'explain']) expect(r.stdout).toContain(cmd);
    }
  });

  it('rules lists every rule', () => {
    const r = run(['rules'], { cwd: tmp() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const id of ['add-column-rewrite', 'index-not-concurrent', 'set-not-null-scan', 'concurrent-in-transaction']) {
      expect(r.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
    }
    for (const rule of RULES) expect(r.stdout).toContain(rule.id);
  });

  it('explain <rule> prints why, a bad and a good example', () => {
    const rule = RULES.find((x) => x.id === 'index-not-concurrent');
    expect(rule).toBeDefined();
    const r = run(['explain', 'index-not-concurrent'], { cwd: tmp() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('index-not-concurrent');
    expect(r.stdout).toContain(rule!.docs.why);
    expect(r.stdout).toContain(rule!.docs.bad);
    expect(r.stdout).toContain(rule!.docs.good);
    expect(r.stdout).toMatch(/\bBad\b/);
    expect(r.stdout).toMatch(/\bGood\b/);
    expect(r.stdout).toContain('CREATE INDEX CONCURRENTLY');
  });

  it('explain with a misspelled rule exits 2 with "did you mean"', () => {
    const r = run(['explain', 'index-not-concurent'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, 'index-not-concurent', 'did you mean "index-not-concurrent"');
  });

  it('explain nope exits 2 and tells how to find the right id', () => {
    // Nothing is close to "nope", so a suggestion cannot be made: the message must still be
    // actionable (a hint or a pointer to `zerodown rules`, as the config error gives).
    const r = run(['explain', 'nope'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneStderrLine(r, '"nope"', /did you mean|zerodown rules/);
  });

  it('explain without a rule id exits 2', () => {
    const r = run(['explain'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expectOneStderrLine(r, 'explain');
  });
});

describe('exit codes and findings', () => {
  it('exits 0 with no output for a clean migration', () => {
    const cwd = tmp();
    write(cwd, '001_safe.sql', SAFE);
    const r = run(['001_safe.sql'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  it('exits 1 on error findings; compact is the default off a terminal', () => {
    const cwd = tmp();
    write(cwd, '001_idx.sql', `SELECT 1;\n${BAD_INDEX}`);
    const r = run(['001_idx.sql'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const found = compactFindings(r.stdout);
    expect(found).toEqual([expect.objectContaining({ path: '001_idx.sql', line: 2, col: 1, severity: 'error', rule: 'index-not-concurrent' })]);
  });

  it('lints the current directory when no path is given', () => {
    const cwd = tmp();
    write(cwd, 'migrations/001_idx.sql', BAD_INDEX);
    const r = run([], { cwd });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => f.path)).toEqual([path.join('migrations', '001_idx.sql')]);
  });

  it('an unknown flag is a usage error (exit 2), not a crash', () => {
    const cwd = tmp();
    const r = run(['--bogus'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--bogus');
    expectNoStackTrace(r);
  });
});
