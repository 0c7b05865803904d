/** The command line's suppression comments: -- zerodown-ignore, invalid and unused ignores. */
import { describe, expect, it } from 'vitest';
import { run, tmp, write, BAD_INDEX, SAFE, compactFindings, parseJson, findingsOf, useBuiltCli } from './cli-harness.ts';

useBuiltCli();

describe('suppression comments', () => {
  it('-- zerodown-ignore on the line before a multi-line statement suppresses it (only it)', () => {
    const cwd = tmp();
    write(
      cwd,
      '001.sql',
      [
        '-- zerodown-ignore index-not-concurrent -- users has 40 rows',
        'CREATE INDEX',
        '  users_email_idx',
        '  ON users',
        '  (email);',
        'CREATE INDEX users_name_idx ON users (name);',
        '',
      ].join('\n'),
    );
    const r = run(['001.sql'], { cwd });
    expect(r.code).toBe(1);
    expect(compactFindings(r.stdout).map((f) => `${f.line} ${f.rule}`)).toEqual(['6 index-not-concurrent']);
  });

  it('an unknown rule id in an ignore comment is reported as invalid-ignore and suppresses nothing', () => {
    const cwd = tmp();
    write(cwd, '001.sql', `-- zerodown-ignore index-not-concurent -- typo\n${BAD_INDEX}`);
    const r = run(['001.sql'], { cwd });
    expect(r.code).toBe(1);
    const found = compactFindings(r.stdout);
    expect(found.map((f) => `${f.line} ${f.rule}`)).toEqual(['1 invalid-ignore', '2 index-not-concurrent']);
    expect(found[0].message).toContain('index-not-concurent');
    expect(found[0].message).toContain('did you mean "index-not-concurrent"');
  });

  it('--report-unused-ignores reports ignore comments that suppress nothing', () => {
    const cwd = tmp();
    write(cwd, '001.sql', `-- zerodown-ignore add-column-rewrite -- not needed\n${SAFE}`);
    const quiet = run(['001.sql'], { cwd });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    const r = run(['001.sql', '--report-unused-ignores', '--format', 'json'], { cwd });
    const findings = findingsOf(parseJson(r));
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['unused-ignore', 1]]);
    expect(findings[0].message).toContain('add-column-rewrite');
  });

  it('a used ignore is not reported by --report-unused-ignores', () => {
    const cwd = tmp();
    write(cwd, '001.sql', `-- zerodown-ignore index-not-concurrent -- small table\n${BAD_INDEX}`);
    const r = run(['001.sql', '--report-unused-ignores'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});
