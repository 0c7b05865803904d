/** Output formats: compact and pretty text. */
import { describe, expect, it } from 'vitest';
import { REPORTERS } from '../src/report/index.ts';
import { RULES } from '../rules/index.ts';
import { CTX, main, clean, reportOf, lintAs, fullReport, lintSample } from './reporters-harness.ts';

lintSample();

// ---------------------------------------------------------------------------------------------

describe('compact', () => {
  it('one line per finding: path:line:col: severity [rule] message', () => {
    const out = REPORTERS.compact(reportOf([main, clean]), CTX);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toEqual(main.findings.map((f) => `db/migrations/001_users.sql:${f.line}:${f.column}: ${f.severity} [${f.ruleId}] ${f.message}`));
    for (const l of lines) expect(l).toMatch(/^[^\s:]+:\d+:\d+: (error|warning) \[[a-z0-9-]+\] \S.*$/);
  });

  it('keeps one line per finding for file names with colons and messages quoting identifiers', async () => {
    const r = await lintAs('db/2024,01:init.sql', 'CREATE INDEX "x:1" ON "t, u" (a);\n');
    const out = REPORTERS.compact(reportOf([r]), CTX);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(r.findings.length);
    expect(lines[0]).toBe(`db/2024,01:init.sql:1:1: error [index-not-concurrent] ${r.findings[0].message}`);
  });

  it('lists IO errors after the findings and prints nothing for a clean report', () => {
    const out = REPORTERS.compact(fullReport(), CTX);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(main.findings.length + 1);
    expect(lines[lines.length - 1]).toContain('db/migrations/003_gone.sql');
    expect(lines[lines.length - 1]).toContain('no such file or directory');
    expect(REPORTERS.compact(reportOf([clean]), CTX)).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------

describe('pretty', () => {
  it('colors only when asked', () => {
    const plain = REPORTERS.pretty(reportOf([main]), { rules: RULES, color: false });
    const colored = REPORTERS.pretty(reportOf([main]), { rules: RULES, color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored).toMatch(/\u001b\[\d+(;\d+)*m/);
    expect(colored.replace(/\u001b\[\d+(;\d+)*m/g, '')).toBe(plain);
  });

  it('shows location, excerpt with underline, lock, why and the safe alternative for each finding', () => {
    const out = REPORTERS.pretty(reportOf([main]), { ...CTX, verbose: true });
    // Text is wrapped at word boundaries: compare with whitespace collapsed.
    const flat = out.replace(/\s+/g, ' ');
    const grouped = new Set<string>();
    for (const f of main.findings) {
      grouped.add(`${f.line}`);
      expect(out).toMatch(new RegExp(`db/migrations/001_users\\.sql:${f.line}:\\d+|  (error|warning) ${f.ruleId} ${f.line}:${f.column}`));
      expect(flat).toContain(f.message.replace(/\s+/g, ' '));
      expect(flat).toContain(f.help.replace(/\s+/g, ' '));
      if (f.safeAlternative) for (const s of f.safeAlternative.steps) for (const l of s.sql.split('\n')) expect(out).toContain(l);
    }
    const lines = out.split('\n');
    const src = 'CREATE INDEX users_email_idx ON users (email);';
    const i = lines.findIndex((l) => l.endsWith(`2 | ${src}`));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1].indexOf('^')).toBe(lines[i].indexOf('CREATE'));
    expect(lines[i + 1].trimEnd().endsWith('^'.repeat('CREATE INDEX'.length))).toBe(true);
    expect(out).toMatch(/lock: SHARE on users/);
    expect(out).toMatch(/lock: ACCESS EXCLUSIVE on users .*rewrites the table/);
    expect(flat).toMatch(/3 error\(s\), 2 warning\(s\) in 1 file\(s\)/);
  });

  it('wraps to the given width at word boundaries, groups findings by statement, and keeps recipes for --verbose', () => {
    const out = REPORTERS.pretty(reportOf([main]), { ...CTX, width: 60 });
    const words = new Set(main.findings.flatMap((f) => `${f.message} ${f.help}`.split(/\s+/)));
    const lines = out.split('\n');
    for (const f of main.findings) {
      // The message's lines: each within the width, each made of whole words of the message.
      const firstWord = f.message.split(/\s+/)[0];
      const at = lines.findIndex((l) => l === `    ${firstWord}` || l.startsWith(`    ${firstWord} `));
      expect(at).toBeGreaterThan(0);
      for (let i = at; i < lines.length && lines[i].startsWith('    ') && !lines[i].startsWith('    do:'); i++) {
        expect(lines[i].length).toBeLessThanOrEqual(60);
        for (const token of lines[i].trim().split(' ')) expect(words.has(token), token).toBe(true);
      }
    }
    // One location header per statement, however many findings it has.
    const headers = out.split('\n').filter((l) => /^db\/migrations\/001_users\.sql:\d+:\d+$/.test(l));
    const statements = new Set(main.findings.map((f) => f.line));
    expect(headers).toHaveLength(statements.size);
    expect(out).toMatch(/steps? with SQL: --verbose/);
    expect(out.split('\n').length).toBeLessThan(REPORTERS.pretty(reportOf([main]), { ...CTX, width: 60, verbose: true }).split('\n').length);
  });
});
