/** Reading SQL: statement splitting that survives errors, comments, meta-commands, PL/pgSQL. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseRegion } from '../src/parse/parser.ts';
import { lex } from '../src/source/lexer.ts';
import { parseSql, PgSyntaxError } from '../src/parse/pg-wasm.ts';
import { lintText, ruleIds } from './helpers.ts';

beforeAll(() => initParser());

describe('parseRegion', () => {
  it('accepts empty and comment-only input (libpg-query throws on empty input)', () => {
    expect(parseRegion('').statements).toEqual([]);
    expect(parseRegion('  \n-- nothing\n/* still nothing */\n').statements).toEqual([]);
    expect(parseRegion('  \n-- nothing\n').errors).toEqual([]);
  });

  it('keeps analyzing the statements around a syntax error', () => {
    const r = parseRegion('CREATE TABLE a (id int);\nCREATE TABLE ( ;\nCREATE TABLE b (id int);');
    expect(r.statements.map((s) => Object.keys(s.node)[0])).toEqual(['CreateStmt', 'CreateStmt']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toBe('syntax error at or near "("');
  });

  it('does not split inside quotes, dollar quotes, comments and BEGIN ATOMIC bodies', () => {
    const sql = [
      "SELECT 'a;b', E'c\\';d', \"e;f\";",
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;',
      '/* x; /* nested; */ y; */ SELECT 1;',
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;',
      'SELECT $1;',
    ].join('\n');
    expect(lex(sql).statements).toHaveLength(5);
    expect(parseRegion(sql).statements).toHaveLength(5);
  });

  it('skips psql meta-commands and reports them', () => {
    const r = parseRegion('\\set ON_ERROR_STOP on\nCREATE TABLE t (id int);\n\\connect other\n');
    expect(r.statements).toHaveLength(1);
    expect(r.metaCommands).toHaveLength(2);
    expect(r.errors).toEqual([]);
  });
});

describe('parseRegion in batches (a large file is parsed a few hundred KB at a time)', () => {
  it('keeps every statement, in order, with exact positions; a syntax error stays confined to its statement', () => {
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) lines.push(i === 15_000 ? 'ALTER TABLE t ADD COLUMN oops int int;' : `ALTER TABLE t ADD COLUMN c${i} int; -- ${'x'.repeat(i % 7)}`);
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(3 * 256 * 1024);
    const r = parseRegion(text);
    expect(r.errors.map((e) => text.slice(0, e.index).split('\n').length)).toEqual([15_001]);
    expect(r.statements).toHaveLength(29_999);
    // Each statement's span is its own line's SQL, in file order.
    r.statements.forEach((s, k) => {
      const line = k < 15_000 ? k : k + 1;
      expect(text.slice(s.span.start, s.span.end), `statement ${k}`).toBe(`ALTER TABLE t ADD COLUMN c${line} int`);
    });
  });
});

describe('PL/pgSQL bodies', () => {
  it('analyzes DDL inside a DO block with positions inside the file', async () => {
    const r = await lintText('DO $$\nBEGIN\n  CREATE INDEX i ON t (a);\nEND $$;');
    expect(r.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['index-not-concurrent', 3, 3]]);
  });

  it('analyzes a constant EXECUTE string inside a DO block', async () => {
    const r = await lintText("DO $$ BEGIN EXECUTE 'CREATE INDEX i ON t (a)'; END $$;");
    expect(ruleIds(r)).toEqual(['index-not-concurrent']);
  });

  it('does not treat statements in a function body as executed at CREATE FUNCTION time', async () => {
    const r = await lintText('CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CREATE INDEX i ON t (a); END $$;');
    expect(r.findings).toEqual([]);
  });

  it('reports CONCURRENTLY inside a DO block, which always runs in a transaction', async () => {
    const r = await lintText('DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON t (a); END $$;', { runner: 'psql' });
    expect(ruleIds(r)).toEqual(['concurrent-in-transaction']);
  });
});

describe('direct WASM binding (src/parse/pg-wasm.ts)', () => {
  // The package's own wrapper is the reference: same C entry points, its own string copies.
  const samples = [
    'CREATE TABLE "ünïcödé" (id bigint PRIMARY KEY, note text DEFAULT \'😀 — ok\');',
    'ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID; ALTER TABLE orders VALIDATE CONSTRAINT c;',
    "SELECT '" + 'x'.repeat(100_000) + "';",
  ];

  it('returns the same AST as libpg-query.parseSync, multibyte text and large inputs included', async () => {
    const pkg = await import('libpg-query');
    await pkg.loadModule();
    for (const sql of samples) expect(parseSql(sql)).toEqual(pkg.parseSync(sql));
  });

  it('reports the same message and cursor as libpg-query for a syntax error: a 0-based character (not byte) offset', async () => {
    const pkg = await import('libpg-query');
    await pkg.loadModule();
    const sql = "SELECT 'é'; CREATE TABLE ( ;";
    let expected: { message: string; cursorPosition?: number } | undefined;
    try {
      pkg.parseSync(sql);
    } catch (e) {
      expected = { message: (e as Error).message, cursorPosition: (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition };
    }
    expect(expected?.message).toBe('syntax error at or near "("');
    expect(() => parseSql(sql)).toThrow(PgSyntaxError);
    try {
      parseSql(sql);
    } catch (e) {
      expect((e as PgSyntaxError).message).toBe(expected?.message);
      expect((e as PgSyntaxError).cursor).toBe(expected?.cursorPosition);
      // 'é' is two bytes in UTF-8, one character: PostgreSQL counts characters (pg_mbstrlen_with_len).
      expect((e as PgSyntaxError).cursor).toBe(sql.indexOf('('));
    }
  });
});

describe('parse-error positions after multibyte text', () => {
  it('points at the offending token when accents, CJK or emoji come before it in the statement', () => {
    for (const lead of ['éééé', '漢字', '😀😀']) {
      const sql = `SELECT '${lead}', ( ;`;
      const r = parseRegion(sql);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0].message).toBe('syntax error at or near ";"');
      expect(r.errors[0].index).toBe(sql.indexOf(';'));
    }
  });
});
