/** Output formats: the JSON contract (version 1) and Markdown. */
import { describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../src/meta.ts';
import type { Finding, LintReport } from '../src/findings/model.ts';
import { REPORTERS } from '../src/report/index.ts';
import { CTX, PKG_VERSION, SQL, EXPECTED_RULES, main, clean, reportOf, lintAs, fullReport, covered, lintSample } from './reporters-harness.ts';

lintSample();

// ---------------------------------------------------------------------------------------------

describe('json', () => {
  type Json = Record<string, any>;

  function jsonOf(report: LintReport): Json {
    return JSON.parse(REPORTERS.json(report, CTX)) as Json;
  }

  const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];
  const FINDING_KEYS = ['ruleId', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'lock', 'help', 'safeAlternative'];

  function expectFinding(x: Json): void {
    expect(Object.keys(x).filter((k) => k !== 'direction')).toEqual(FINDING_KEYS);
    if ('direction' in x) expect(['up', 'down']).toContain(x.direction);
    expect(typeof x.ruleId).toBe('string');
    expect(x.ruleId).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(['error', 'warning']).toContain(x.severity);
    expect(typeof x.message).toBe('string');
    expect(x.message.length).toBeGreaterThan(0);
    for (const k of ['line', 'column', 'endLine', 'endColumn']) {
      expect(Number.isInteger(x[k]), k).toBe(true);
      expect(x[k], k).toBeGreaterThanOrEqual(1);
    }
    expect(x.endLine > x.line || (x.endLine === x.line && x.endColumn >= x.column)).toBe(true);
    if (x.lock === null) {
      expect(x.lock).toBeNull();
    } else {
      expect(Object.keys(x.lock)).toEqual(['mode', 'relations', 'blocks', 'rewrite', 'scan']);
      expect(LOCK_MODES).toContain(x.lock.mode);
      expect(Array.isArray(x.lock.relations)).toBe(true);
      for (const r of x.lock.relations) expect(typeof r).toBe('string');
      expect(Array.isArray(x.lock.blocks)).toBe(true);
      for (const b of x.lock.blocks) expect(['reads', 'writes', 'ddl']).toContain(b);
      expect(typeof x.lock.rewrite).toBe('boolean');
      expect(typeof x.lock.scan).toBe('boolean');
    }
    expect(typeof x.help).toBe('string');
    if (x.safeAlternative === null) {
      expect(x.safeAlternative).toBeNull();
    } else {
      expect(Object.keys(x.safeAlternative)).toEqual(['summary', 'steps']);
      expect(typeof x.safeAlternative.summary).toBe('string');
      expect(Array.isArray(x.safeAlternative.steps)).toBe(true);
      expect(x.safeAlternative.steps.length).toBeGreaterThan(0);
      for (const s of x.safeAlternative.steps) {
        expect(Object.keys(s).filter((k) => k !== 'deploy')).toEqual(['title', 'sql', 'transaction']);
        expect(typeof s.title).toBe('string');
        expect(typeof s.sql).toBe('string');
        expect(['own', 'outside', 'any']).toContain(s.transaction);
        if ('deploy' in s) expect(typeof s.deploy).toBe('string');
      }
    }
  }

  function expectContract(doc: Json): void {
    expect(Object.keys(doc)).toEqual(['version', 'tool', 'postgresVersion', 'postgresVersionSource', 'files', 'errors', 'summary']);
    expect(doc.version).toBe(1);
    expect(doc.tool).toEqual({ name: 'zerodown', version: TOOL_VERSION });
    expect(TOOL_VERSION).toBe(PKG_VERSION);
    expect(Number.isInteger(doc.postgresVersion)).toBe(true);
    expect(typeof doc.postgresVersionSource).toBe('string');
    expect(Array.isArray(doc.files)).toBe(true);
    for (const f of doc.files) {
      expect(Object.keys(f)).toEqual(['path', 'statements', 'findings', 'notes']);
      expect(typeof f.path).toBe('string');
      expect(Number.isInteger(f.statements)).toBe(true);
      expect(Array.isArray(f.findings)).toBe(true);
      for (const n of f.notes) expect(typeof n).toBe('string');
      for (const x of f.findings) expectFinding(x);
    }
    expect(Array.isArray(doc.errors)).toBe(true);
    for (const e of doc.errors) expect(Object.keys(e).sort()).toEqual(['message', 'path']);
    expect(Object.keys(doc.summary)).toEqual(['files', 'statements', 'errors', 'warnings', 'fatal']);
    for (const v of Object.values(doc.summary)) expect(Number.isInteger(v)).toBe(true);
  }

  it('follows the version 1 contract, field by field', () => {
    const doc = jsonOf(fullReport());
    expectContract(doc);
    expect(doc.postgresVersion).toBe(15);
    expect(doc.postgresVersionSource).toBe('test');
    expect(doc.files.map((f: Json) => f.path)).toEqual(['db/migrations/001_users.sql', 'db/migrations/002_clean.sql']);
    expect(doc.files[0].statements).toBe(main.statements);
    expect(doc.errors).toEqual([{ path: 'db/migrations/003_gone.sql', message: 'no such file or directory' }]);
    expect(doc.summary).toEqual({ files: 2, statements: main.statements + clean.statements, errors: 3, warnings: 2, fatal: 1 });
  });

  it('serializes each finding as the engine produced it, without internal fields', () => {
    const doc = jsonOf(reportOf([main]));
    const out: Json[] = doc.files[0].findings;
    expect(out.map((x) => x.ruleId)).toEqual(EXPECTED_RULES);
    out.forEach((x, i) => {
      const f: Finding = main.findings[i];
      expect(x).toEqual({
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        lock: f.lock,
        help: f.help,
        safeAlternative: f.safeAlternative,
      });
      expect(x).not.toHaveProperty('start');
      expect(x).not.toHaveProperty('end');
    });
    expect(doc.files[0]).not.toHaveProperty('text');
    const idx = out.find((x) => x.ruleId === 'index-not-concurrent')!;
    expect(idx.lock).toEqual({ mode: 'SHARE', relations: ['public.users'], blocks: expect.arrayContaining(['writes']), rewrite: false, scan: expect.any(Boolean) });
    expect(idx.lock.blocks).not.toContain('reads');
    expect(covered(SQL, idx.line, idx.column, idx.endLine, idx.endColumn)).toBe('CREATE INDEX');
    const add = out.find((x) => x.ruleId === 'add-column-rewrite')!;
    expect(add.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', rewrite: true });
    expect(add.lock.blocks).toEqual(expect.arrayContaining(['reads', 'writes']));
    expect(out.find((x) => x.ruleId === 'parse-error')!.lock).toBeNull();
    expect(out.find((x) => x.ruleId === 'invalid-ignore')!.safeAlternative).toBeNull();
  });

  it('adds "direction" only to findings in down migrations', async () => {
    const down = await lintAs('db/1_users.down.sql', 'CREATE INDEX users_email_idx ON users (email);\n');
    const doc = jsonOf(reportOf([down, main]));
    expectContract(doc);
    expect(doc.files[0].findings.map((x: Json) => x.direction)).toEqual(['down']);
    for (const x of doc.files[1].findings) expect(x).not.toHaveProperty('direction');
  });

  it('an empty report is still a complete document', () => {
    const doc = jsonOf(reportOf([]));
    expectContract(doc);
    expect(doc.files).toEqual([]);
    expect(doc.summary).toEqual({ files: 0, statements: 0, errors: 0, warnings: 0, fatal: 0 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('markdown', () => {
  /** Cells of a table row, splitting on pipes that are not escaped. */
  function cells(row: string): string[] {
    return row
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  }

  it('has a table row per finding', () => {
    const md = REPORTERS.markdown(fullReport(), CTX);
    const lines = md.split('\n');
    const header = lines.findIndex((l) => /^\|\s*Location\s*\|/.test(l));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(lines[header + 1]).toMatch(/^\|(\s*-+\s*\|)+$/);
    const columns = cells(lines[header]).length;
    const rows = lines.slice(header + 2).filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(main.findings.length);
    rows.forEach((row, i) => {
      const f = main.findings[i];
      const c = cells(row);
      expect(c).toHaveLength(columns);
      expect(row).toContain(`db/migrations/001_users.sql:${f.line}:${f.column}`);
      expect(c).toContain(f.severity);
      expect(row).toContain(f.ruleId);
      expect(row).toContain(f.message.replace(/\|/g, '\\|'));
    });
    expect(md).toMatch(/3 error\(s\), 2 warning\(s\)/);
    expect(md).toContain('003_gone.sql');
  });

  it('links each rule to its documentation', () => {
    const md = REPORTERS.markdown(reportOf([main]), CTX);
    for (const f of main.findings) expect(md).toMatch(new RegExp(`\\[${f.ruleId}\\]\\(https://[^)]*${f.ruleId}[^)]*\\)`));
  });

  it('has a details block with the SQL of each safe alternative', () => {
    const md = REPORTERS.markdown(reportOf([main]), CTX);
    const blocks = [...md.matchAll(/<details>([\s\S]*?)<\/details>/g)].map((m) => m[1]);
    const withAlt = main.findings.filter((f) => f.safeAlternative);
    expect(blocks).toHaveLength(withAlt.length);
    withAlt.forEach((f, i) => {
      const block = blocks[i];
      expect(block).toMatch(/<summary>[\s\S]*<\/summary>/);
      expect(block).toContain(f.ruleId);
      expect(block).toContain(f.safeAlternative!.summary);
      for (const step of f.safeAlternative!.steps) {
        expect(block).toContain(step.title);
        expect(block).toContain('```sql\n' + step.sql + '\n```');
      }
    });
    const idx = blocks.find((b) => b.includes('index-not-concurrent'))!;
    expect(idx).toContain('CREATE INDEX CONCURRENTLY users_email_idx ON users (email);');
  });

  it('escapes pipes in cells so that the table keeps its shape', async () => {
    const r = await lintAs('db/001.sql', 'CREATE INDEX i ON "a|b" (x);\n');
    const md = REPORTERS.markdown(reportOf([r]), CTX);
    const row = md.split('\n').find((l) => l.startsWith('| `'))!;
    expect(cells(row)).toHaveLength(5);
    expect(row).toContain('a\\|b');
  });

  it('a clean report says so, without a table', () => {
    const md = REPORTERS.markdown(reportOf([clean]), CTX);
    expect(md).toMatch(/No findings/);
    expect(md).not.toContain('| Location');
    expect(md).not.toContain('<details>');
  });
});
