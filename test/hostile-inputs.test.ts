/**
 * Hostile input, explicit cases: huge files, deep nesting, broken encodings, NUL, BOM, CRLF,
 * astral/CJK characters, unterminated quotes and comments. Expected positions are computed by hand
 * from the SQL strings, never from the program's output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../src/engine/lint.ts';
import type { FileResult } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions, type lintText } from './helpers.ts';
import { lintChecked, brief, loadParser } from './hostile-harness.ts';

loadParser();

// ---------------------------------------------------------------------------------------------
// Explicit hostile cases
// ---------------------------------------------------------------------------------------------

/**
 * The explicit cases assert exact findings, so they run the three core hazard rules only (other
 * rules, e.g. lock-timeout-missing, would add findings unrelated to what each case tests).
 * parse-error is reported by the engine and always on.
 */
const CORE_RULES = ['index-not-concurrent', 'add-column-rewrite', 'set-not-null-scan'];
const CORE: Parameters<typeof lintText>[1] = {
  rules: new Map(RULES.filter((r) => !CORE_RULES.includes(r.id)).map((r) => [r.id, 'off' as const])),
};

function lintCore(text: string): Promise<FileResult> {
  return lintChecked(text, CORE);
}

it('the core rules exist', () => {
  for (const id of CORE_RULES) expect(RULES.map((r) => r.id)).toContain(id);
});

describe('huge input', () => {
  it(
    'a ~20 MB file of ADD COLUMNs with a few hazards completes with the right statement count and findings',
    async () => {
      const parts: string[] = ['CREATE INDEX h_first ON t (a);\n'];
      let length = parts[0].length;
      let n = 0;
      const middle = 250_000;
      let middleLine = 0;
      while (length < 20_000_000) {
        const s = `ALTER TABLE t ADD COLUMN c${n} int;\n`;
        parts.push(s);
        length += s.length;
        n++;
        if (n === middle) {
          parts.push('ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n');
          middleLine = parts.length; // 1-based line of the pushed hazard
        }
      }
      parts.push('ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n');
      const lastLine = parts.length;
      const text = parts.join('');
      expect(text.length).toBeGreaterThan(20_000_000);
      expect(middleLine).toBeGreaterThan(0);

      const result = await lintCore(text);
      expect(result.statements).toBe(n + 3);
      expect(result.findings.map((f) => [f.line, f.ruleId])).toEqual([
        [1, 'index-not-concurrent'],
        [middleLine, 'add-column-rewrite'],
        [lastLine, 'set-not-null-scan'],
      ]);
    },
    120_000,
  );

  it(
    '200,000 tiny statements (2 MB) do not overflow the stack',
    async () => {
      const text = 'SELECT 1;\n'.repeat(200_000) + 'CREATE INDEX i ON t (a);\n';
      const result = await lintCore(text);
      expect(result.statements).toBe(200_001);
      expect(brief(result)).toEqual(['200001:1 index-not-concurrent']);
    },
    60_000,
  );

  it(
    '200,000 comment lines do not overflow the stack',
    async () => {
      const text = '-- note\n'.repeat(200_000) + 'CREATE INDEX i ON t (a);\n';
      const result = await lintCore(text);
      expect(result.statements).toBe(1);
      expect(brief(result)).toEqual(['200001:1 index-not-concurrent']);
    },
    60_000,
  );
});

describe('deep nesting', () => {
  it('10,000-deep parentheses: no exception, valid positions, the next statement still analyzed', async () => {
    const depth = 10_000;
    const text = `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)};\nCREATE INDEX i ON t (a);\n`;
    const result = await lintCore(text);
    // Either a parse error (Postgres' parser stack limit) on line 1, or nothing on line 1.
    for (const f of result.findings.filter((x) => x.line === 1)) expect(f.ruleId).toBe('parse-error');
    expect(result.findings.filter((f) => f.line === 2).map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['2:1 index-not-concurrent']);
    // The parser still works afterwards.
    expect(brief(await lintCore('CREATE INDEX j ON t (b);'))).toEqual(['1:1 index-not-concurrent']);
  });

  it('100,000 unclosed parentheses and 5,000 nested block comments: no exception', async () => {
    await lintCore(`SELECT ${'('.repeat(100_000)}1;\nCREATE INDEX i ON t (a);\n`);
    // (The PostgreSQL scanner is quadratic in comment nesting: 20,000 levels take seconds.)
    const comments = `${'/*'.repeat(5_000)}${'*/'.repeat(5_000)}\nCREATE INDEX i ON t (a);\n`;
    const r = await lintCore(comments);
    expect(brief(r)).toEqual(['2:1 index-not-concurrent']);
  });

  it('a valid 5,000-term expression (left-deep AST) does not throw and the next statement is analyzed', async () => {
    const text = `SELECT 1${' + 1'.repeat(5_000)};\nCREATE INDEX i ON t (a);\n`;
    const result = await lintCore(text);
    expect(result.findings.filter((f) => f.line === 2).map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['2:1 index-not-concurrent']);
  });

  it('a 3,000-deep ARRAY[...] does not throw', async () => {
    const text = `SELECT ${'ARRAY['.repeat(3_000)}1${']'.repeat(3_000)};\nCREATE INDEX i ON t (a);\n`;
    const result = await lintCore(text);
    expect(result.findings.filter((f) => f.line === 2).map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['2:1 index-not-concurrent']);
  });
});

describe('encodings and control characters', () => {
  it('invalid UTF-8 bytes (0xff 0xfe 0xc3) decode to U+FFFD and positions count them as one unit each', async () => {
    const bytes = Buffer.concat([
      Buffer.from('SELECT 1 AS x'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(';\n/* '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(' */ CREATE INDEX i ON t (a);\n'),
    ]);
    const text = bytes.toString('utf8');
    // Line 2: "/* " (3) + U+FFFD "(" U+FFFD (3: 0xc3 0x28 is FFFD then "(") + " */ " (4) → CREATE at index 10, column 11.
    expect(text.split('\n')[1].indexOf('CREATE')).toBe(10);
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['2:11 index-not-concurrent']);
  });

  it('NUL inside a statement: a parse-error naming NUL on that statement, the others still analyzed', async () => {
    const text = 'CREATE INDEX a ON t (a);\nSELECT 1\u0000;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:9 parse-error', '3:1 index-not-concurrent']);
    expect(result.findings[1].message).toMatch(/NUL/);
  });

  it('NUL inside a hazardous statement turns it into a parse-error (Postgres would reject it)', async () => {
    const text = 'CREATE INDEX b ON t (\u0000b);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n';
    const result = await lintCore(text);
    // "CREATE INDEX b ON t (" is 21 units: NUL at column 22. The SET NOT NULL finding points at its
    // subcommand: "ALTER TABLE users " is 18 units → column 19.
    expect(brief(result)).toEqual(['1:22 parse-error', '2:19 set-not-null-scan']);
    expect(result.findings[0].message).toMatch(/NUL/);
  });

  it('a file that is only a BOM has no statements and no findings', async () => {
    const result = await lintCore('\uFEFF');
    expect(result.statements).toBe(0);
    expect(brief(result)).toEqual([]);
  });

  it('a BOM before the first statement does not hide its hazard (analyzeSql / --stdin / API path)', async () => {
    const text = '\uFEFFCREATE INDEX i ON t (a);\n';
    const result = await lintCore(text);
    expect(result.findings.map((f) => [f.line, f.ruleId])).toEqual([[1, 'index-not-concurrent']]);
  });

  it('a BOM-only file and a BOM-prefixed file read from disk (readSql path)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-hostile-'));
    try {
      fs.writeFileSync(path.join(dir, 'only-bom.sql'), Buffer.from([0xef, 0xbb, 0xbf]));
      fs.writeFileSync(path.join(dir, 'bom-index.sql'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('CREATE INDEX i ON t (a);\n')]));
      const report = await lintPaths([dir], RULES, { ...engineOptions(CORE), pgVersionSource: 'test', detectRunner: false }, { cwd: dir });
      expect(report.fatal).toEqual([]);
      const byName = new Map(report.files.map((f) => [path.basename(f.path), f]));
      expect(byName.get('only-bom.sql')?.findings).toEqual([]);
      expect(byName.get('bom-index.sql')?.findings.map((f) => [f.line, f.ruleId])).toEqual([[1, 'index-not-concurrent']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CRLF line endings: lines and columns are right on later lines', async () => {
    const text = 'SELECT 1;\r\n  CREATE INDEX i ON t (a);\r\nALTER TABLE t ALTER COLUMN c ADD NOT NULL;\r\n';
    const result = await lintCore(text);
    // Line 2: two spaces, then CREATE (column 3) .. "CREATE INDEX" is 12 units → end column 15.
    // Line 3: ALTER COLUMN c ADD GENERATED … is valid grammar, so Postgres stops at NOT:
    // "ALTER TABLE t ALTER COLUMN c ADD " is 33 units → column 34, "NOT" ends at column 37.
    expect(result.findings.map((f) => [f.line, f.column, f.endLine, f.endColumn, f.ruleId])).toEqual([
      [2, 3, 2, 15, 'index-not-concurrent'],
      [3, 34, 3, 37, 'parse-error'],
    ]);
    expect(result.findings[1].message).toMatch(/"NOT"/);
  });

  it('an emoji in a comment on the line before: finding at line 2, column 1', async () => {
    const text = '-- 🎉\nCREATE INDEX i ON t(a);';
    const result = await lintCore(text);
    // "-- " (3) + 🎉 (2 UTF-16 units) + "\n" → CREATE at index 6.
    expect(result.findings.map((f) => [f.line, f.column, f.start, f.ruleId])).toEqual([[2, 1, 6, 'index-not-concurrent']]);
  });

  it('CJK in a block comment before the hazard on the same line: column 10', async () => {
    const text = '/* 日本 */ CREATE INDEX i ON t(a);';
    const result = await lintCore(text);
    // "/* " (3) + 日本 (2) + " */ " (4) → CREATE at index 9, column 10.
    expect(result.findings.map((f) => [f.line, f.column, f.start, f.ruleId])).toEqual([[1, 10, 9, 'index-not-concurrent']]);
  });

  it('emoji and CJK inside the hazardous statement itself: the finding on the next line is exact', async () => {
    const text = "SELECT '🎉日本🎉' AS \"é\";   CREATE INDEX \"索引🎉\" ON t (a); CREATE INDEX j ON t (b);\n";
    const result = await lintCore(text);
    // SELECT '🎉日本🎉' AS "é"; → 7 + 1 + 2+2+2 + 1 + 4 + 3 + 1 = 23 units, + 3 spaces → CREATE at 26 (column 27).
    // CREATE INDEX "索引🎉" ON t (a); → 13 + ("索引🎉" = 1+2+2+1 = 6) + 10 = 29 units, + 1 space → next CREATE at 56 (column 57).
    expect(text.indexOf('CREATE')).toBe(26);
    expect(text.lastIndexOf('CREATE')).toBe(56);
    expect(result.findings.map((f) => [f.line, f.column, f.ruleId])).toEqual([
      [1, 27, 'index-not-concurrent'],
      [1, 57, 'index-not-concurrent'],
    ]);
  });

  it('non-ASCII text whose length is an exact multiple of 256 keeps exact positions', async () => {
    // "SELECT 'é';\n" (12) + "-- " (3) + n × "x" + "\n" (1) + "CREATE INDEX i ON t (a);" (24): length 40 + n.
    // The hazard is always line 3, column 1, whatever the length.
    for (const length of [255, 256, 257, 511, 512, 513, 768]) {
      const text = `SELECT 'é';\n-- ${'x'.repeat(length - 40)}\nCREATE INDEX i ON t (a);`;
      expect(text.length).toBe(length);
      expect(brief(await lintCore(text)), `length ${length}`).toEqual(['3:1 index-not-concurrent']);
    }
  });

  it('lone surrogates never throw and positions stay valid', async () => {
    const cases: [string, string[]][] = [
      ["SELECT '\ud800';\nCREATE INDEX i ON t(a);", ['2:1 index-not-concurrent']],
      ["SELECT '\udc00x';\nCREATE INDEX i ON t(a);", ['2:1 index-not-concurrent']],
      ["SELECT '\ud800日本';\nCREATE INDEX i ON t(a);\n", ['2:1 index-not-concurrent']],
      // A lone surrogate where a statement starts is garbage: a parse error on it alone.
      ['\ud83c;\nCREATE INDEX i ON t(a);', ['1:1 parse-error', '2:1 index-not-concurrent']],
      // "CREATE INDEX i ON t(a);" is 23 units → the trailing surrogate is at column 24.
      ['CREATE INDEX i ON t(a);\ud800', ['1:1 index-not-concurrent', '1:24 parse-error']],
    ];
    for (const [text, expected] of cases) expect(brief(await lintCore(text)), JSON.stringify(text)).toEqual(expected);
  });

  it('a lone surrogate followed by non-ASCII text does not cause a false parse-error', async () => {
    // A client sends a lone surrogate as U+FFFD (valid UTF-8): these statements are valid SQL.
    const cases: [string, string[]][] = [
      ["SELECT '\ud800日本';\nCREATE INDEX i ON t(a);", ['2:1 index-not-concurrent']],
      ['CREATE INDEX "\ud800日本" ON t(a);\nCREATE INDEX j ON t(a);', ['1:1 index-not-concurrent', '2:1 index-not-concurrent']],
    ];
    for (const [text, expected] of cases) expect(brief(await lintCore(text)), JSON.stringify(text)).toEqual(expected);
  });
});

describe('quotes, comments and parameters', () => {
  it('unterminated dollar quote: parse-error where it opens, statements before it still analyzed', async () => {
    const text = 'CREATE INDEX a ON t (a);\nSELECT $$abc;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    // "SELECT " is 7 units → the $$ is at column 8. Everything after is inside the open quote.
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:8 parse-error']);
    expect(result.findings[1].message).toMatch(/unterminated dollar-quoted string/);
  });

  it('unterminated tagged dollar quote ($fn$) whose closing tag differs', async () => {
    const text = 'CREATE INDEX a ON t (a);\nDO $fn$ BEGIN NULL; END $other$;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    // "DO " is 3 units → $fn$ at column 4.
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:4 parse-error']);
  });

  it('unterminated block comment: parse-error where it opens', async () => {
    const text = 'CREATE INDEX a ON t (a);\nSELECT /* abc;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['1:1 index-not-concurrent', '2:8 parse-error']);
    expect(result.findings[1].message).toMatch(/unterminated \/\* comment/);
  });

  it('nested block comments: a comment left open by nesting swallows the rest', async () => {
    const closed = 'SELECT 1 /* a /* b */ c */;\nCREATE INDEX b ON t (b);\n';
    expect(brief(await lintCore(closed))).toEqual(['2:1 index-not-concurrent']);
    const open = 'CREATE INDEX a ON t (a);\nSELECT 1 /* a /* b */;\nCREATE INDEX b ON t (b);\n';
    // "SELECT 1 " is 9 units → the comment opens at column 10; the inner */ closes only the inner one.
    expect(brief(await lintCore(open))).toEqual(['1:1 index-not-concurrent', '2:10 parse-error']);
  });

  it('$1 parameters and $ inside identifiers are not dollar quotes', async () => {
    const text = 'PREPARE p (int, int) AS SELECT $1 + $2;\nSELECT a$1 FROM t$x WHERE b = $1;\nCREATE INDEX b ON t (b);\n';
    const result = await lintCore(text);
    // Line 2 has $1 outside PREPARE: Postgres rejects "there is no parameter $1" only at execution, the parser accepts it.
    expect(brief(result)).toEqual(['3:1 index-not-concurrent']);
  });

  it("E'' strings with escaped quotes do not swallow the next statement", async () => {
    const text = "SELECT E'it\\'s; fine';\nCREATE INDEX b ON t (b);\n";
    expect(text.split('\n')[0]).toBe("SELECT E'it\\'s; fine';");
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['2:1 index-not-concurrent']);
    expect(result.statements).toBe(2);
  });

  it("E'' variants: lowercase e, escaped backslash before the closing quote, and a standard string ending in a backslash", async () => {
    const text = [
      "SELECT e'a\\\\';", // e'a\\' : escaped backslash, then the closing quote
      "SELECT E'x\\'' || 'y;z';", // E'x\'' : escaped quote, then closing quote
      "SELECT 'c:\\';", // standard_conforming_strings: the backslash is literal
      'CREATE INDEX b ON t (b);',
      '',
    ].join('\n');
    const result = await lintCore(text);
    expect(brief(result)).toEqual(['4:1 index-not-concurrent']);
    expect(result.statements).toBe(4);
  });

  it("a broken statement after an E'' string: parse-error on it, hazard after it still found", async () => {
    const text = "SELECT E'it\\'s; fine';\nSELECT FROM (( ;\nCREATE INDEX b ON t (b);\n";
    const result = await lintCore(text);
    expect(result.findings.map((f) => [f.line, f.ruleId])).toEqual([
      [2, 'parse-error'],
      [3, 'index-not-concurrent'],
    ]);
  });
});
