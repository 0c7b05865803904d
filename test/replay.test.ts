/** Schema replay: earlier statements and files build the model the rules judge against. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Schema } from '../src/analyze/schema.ts';
import { analyzeSql } from '../src/engine/engine.ts';
import { initParser } from '../src/parse/parser.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions } from './helpers.ts';

beforeAll(() => initParser());

function replay(...files: string[]): Schema {
  const schema = new Schema();
  files.forEach((text, i) => {
    analyzeSql({ path: `m/${i + 1}_x.sql`, text, historyOnly: true }, schema, RULES, engineOptions());
  });
  return schema;
}

describe('replay', () => {
  it('records columns with canonical types, typmods, nullability and defaults', () => {
    const s = replay('CREATE TABLE app.users (id bigserial PRIMARY KEY, email varchar(120) NOT NULL, bio text DEFAULT \'\', n numeric(10,2));');
    const t = s.tables.get('app.users');
    expect([...(t?.columns.values() ?? [])].map((c) => [c.name, c.type?.name, c.type?.typmods, c.notNull, c.hasDefault])).toEqual([
      ['id', 'int8', [], true, true],
      ['email', 'varchar', [120], true, false],
      ['bio', 'text', [], false, true],
      ['n', 'numeric', [10, 2], false, false],
    ]);
    expect(t?.constraints.get('users_pkey')?.kind).toBe('primary');
  });

  it('tracks NOT VALID and VALIDATE, renames and drops', () => {
    const s = replay(
      'CREATE TABLE t (a int, b int);',
      'ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL AND a > 0) NOT VALID;',
      'ALTER TABLE t VALIDATE CONSTRAINT a_nn; ALTER TABLE t RENAME COLUMN b TO c; ALTER TABLE t RENAME TO t2; ALTER TABLE t2 DROP COLUMN c;',
    );
    const t = s.tables.get('public.t2');
    expect(s.tables.has('public.t')).toBe(false);
    expect(t?.constraints.get('a_nn')).toMatchObject({ validated: true, provesNotNull: ['a'] });
    expect([...(t?.columns.keys() ?? [])]).toEqual(['a']);
  });

  it('knows user functions\' volatility (VOLATILE by default)', () => {
    const s = replay('CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; CREATE FUNCTION g() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;');
    expect(s.functions.get('public.f')).toBe('v');
    expect(s.functions.get('public.g')).toBe('i');
  });

  it('records enums and values added later', () => {
    const s = replay("CREATE TYPE mood AS ENUM ('sad', 'ok');", "ALTER TYPE mood ADD VALUE 'happy';");
    expect(s.enums.get('public.mood')?.values).toEqual(['sad', 'ok', 'happy']);
  });

  it('applies DO block DDL but not function bodies', () => {
    const s = replay('CREATE TABLE t (a int); DO $$ BEGIN ALTER TABLE t ADD COLUMN b int; END $$; CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE t ADD COLUMN c int; END $$;');
    expect([...(s.tables.get('public.t')?.columns.keys() ?? [])]).toEqual(['a', 'b']);
  });

  it('does not apply down sections', () => {
    const s = replay('-- migrate:up\nCREATE TABLE t (a int);\n-- migrate:down\nDROP TABLE t;\n');
    expect(s.tables.has('public.t')).toBe(true);
  });

  it('tables from earlier files are existing; tables from this file are new', () => {
    const schema = new Schema();
    analyzeSql({ path: 'm/1_a.sql', text: 'CREATE TABLE old (a int);', historyOnly: true }, schema, RULES, engineOptions());
    const r = analyzeSql({ path: 'm/2_b.sql', text: 'CREATE TABLE fresh (a int);\nCREATE INDEX i1 ON fresh (a);\nCREATE INDEX i2 ON old (a);' }, schema, RULES, engineOptions());
    expect(r.findings.map((f) => [f.ruleId, f.line])).toEqual([['index-not-concurrent', 3]]);
  });
});
