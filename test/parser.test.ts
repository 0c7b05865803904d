/** Reading SQL: statement splitting that survives errors, comments, meta-commands, PL/pgSQL. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseRegion } from '../src/parse/parser.ts';
import { lex } from '../src/source/lexer.ts';
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
