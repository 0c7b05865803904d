/** Positions: UTF-8 byte offsets from the parser become 1-based lines and UTF-16 columns. */
import { describe, expect, it } from 'vitest';
import { ByteIndex, LineMap } from '../src/source/text.ts';
import { lintText } from './helpers.ts';

describe('ByteIndex', () => {
  it('maps UTF-8 byte offsets to string indices across 2-, 3- and 4-byte characters', () => {
    const text = 'aé日🎉b';
    // bytes: a(1) é(2) 日(3) 🎉(4) b(1); string indices: a0 é1 日2 🎉3-4 b5
    const idx = new ByteIndex(text);
    expect(idx.toIndex(0)).toBe(0);
    expect(idx.toIndex(1)).toBe(1);
    expect(idx.toIndex(3)).toBe(2);
    expect(idx.toIndex(6)).toBe(3);
    expect(idx.toIndex(10)).toBe(5);
  });

  it('is exact beyond its checkpoint interval', () => {
    const text = 'é'.repeat(1000) + 'X';
    expect(text[new ByteIndex(text).toIndex(2000)]).toBe('X');
  });
});

describe('LineMap', () => {
  it('gives 1-based lines and columns', () => {
    const map = new LineMap('ab\ncd\n\nef');
    expect(map.position(0)).toEqual({ line: 1, column: 1 });
    expect(map.position(4)).toEqual({ line: 2, column: 2 });
    expect(map.position(7)).toEqual({ line: 4, column: 1 });
  });
});

describe('finding positions in non-ASCII files', () => {
  it('points at the CREATE INDEX keyword after a multi-byte comment on the same line', async () => {
    // "/* Zähler */ " is 13 UTF-16 units (ä is one unit, two UTF-8 bytes): the keyword is at column 14.
    const r = await lintText('-- ünïcödé\n/* Zähler */ CREATE INDEX i ON t (a);\n');
    expect(r.findings.map((f) => [f.ruleId, f.line, f.column, f.endColumn])).toEqual([['index-not-concurrent', 2, 14, 26]]);
  });

  it('counts an emoji as two UTF-16 columns', async () => {
    const r = await lintText('/*🎉*/CREATE INDEX i ON t (a);');
    // "/*🎉*/" = 2 + 2 + 2 = 6 units, so the keyword is at column 7.
    expect(r.findings[0].column).toBe(7);
  });

  it('points at the ALTER TABLE subcommand, not the statement start', async () => {
    const text = 'ALTER TABLE "Bäume"\n  ADD COLUMN x int,\n  ALTER COLUMN "Höhe" SET NOT NULL;';
    const r = await lintText(text);
    expect(r.findings.map((f) => [f.ruleId, f.line, f.column, f.endLine, f.endColumn])).toEqual([['set-not-null-scan', 3, 3, 3, 35]]);
  });

  it('places a parse error at the token Postgres rejected, after multi-byte text', async () => {
    const text = "SELECT 'é' AS a;\nALTER TABLE t ALTER COLUMN c ADD NOT NULL;";
    const r = await lintText(text);
    const f = r.findings.find((x) => x.ruleId === 'parse-error');
    // Postgres stops at "NOT" in "ADD NOT NULL": column of "NOT" on line 2.
    expect([f?.line, f?.column]).toEqual([2, 'ALTER TABLE t ALTER COLUMN c ADD '.length + 1]);
    expect(f?.message).toContain('syntax error at or near "NOT"');
  });
});
