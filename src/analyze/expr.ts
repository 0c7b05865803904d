/** Facts about expressions and column definitions, read from the AST with Postgres' own catalog data. */
import type { ColumnDef, Constraint, Node, TypeName } from 'libpg-query';
import {
  FUNCTION_VOLATILITY,
  SQL_VALUE_FUNCTION_VOLATILITY,
  TYPE_ALIASES,
  type Volatility,
} from '../pg/catalog.generated.ts';
import { as, intConst, nameKey, strings, typeDisplay, walk, type TypeRef } from '../parse/ast.ts';
import type { Schema } from './schema.ts';

const RANK: Record<Volatility, number> = { i: 0, s: 1, v: 2 };

export interface VolatilityVerdict {
  volatility: Volatility;
  /** The function that decided it (for messages), e.g. `random()`. */
  culprit?: string;
  /** True when an unknown function was assumed volatile. */
  assumed: boolean;
}

/**
 * Volatility of an expression: the most volatile function it calls. User functions come from the
 * replayed schema; unknown functions are assumed volatile (the safe side) and flagged as assumed.
 */
export function exprVolatility(expr: Node | undefined, schema: Schema): VolatilityVerdict {
  const verdict: VolatilityVerdict = { volatility: 'i', assumed: false };
  const bump = (v: Volatility, culprit: string, assumed = false): void => {
    if (RANK[v] > RANK[verdict.volatility]) {
      verdict.volatility = v;
      verdict.culprit = culprit;
      verdict.assumed = assumed;
    }
  };
  walk(expr, (key, node) => {
    if (key === 'FuncCall') {
      const names = strings((node as { funcname?: Node[] }).funcname);
      const name = names[names.length - 1]?.toLowerCase() ?? '';
      const userKey = nameKey(names);
      const user = schema.functions.get(userKey);
      const builtin = names.length === 1 || names[0] === 'pg_catalog' ? FUNCTION_VOLATILITY[name] : undefined;
      if (user) bump(user, `${names.join('.')}()`);
      else if (builtin) bump(builtin, `${name}()`);
      else bump('v', `${names.join('.')}()`, true);
    } else if (key === 'SQLValueFunction') {
      const op = (node as { op?: string }).op ?? '';
      bump(SQL_VALUE_FUNCTION_VOLATILITY[op] ?? 's', op.replace(/^SVFOP_/, '').toLowerCase());
    } else if (key === 'NextValueExpr') {
      bump('v', 'nextval()');
    }
  });
  return verdict;
}

/** Canonical TypeRef of a TypeName: `pg_catalog.int4`, `integer` and `int` all become `int4`. */
export function typeRef(tn: TypeName | undefined): TypeRef | null {
  if (!tn) return null;
  const names = strings(tn.names);
  if (names.length === 0) return null;
  let name: string;
  if (names.length === 2 && names[0] === 'pg_catalog') name = names[1];
  // SQL spellings (char(n), integer …) arrive as pg_catalog.x; a bare single name is written as such:
  // an alias (int, serial, timestamptz) or a user type. Bare "char" is the internal one-byte type.
  else if (names.length === 1) name = names[0] === 'char' ? 'char' : (TYPE_ALIASES[names[0]] ?? names[0]);
  else name = names.join('.');
  const typmods = (tn.typmods ?? []).map(intConst).filter((n): n is number => n !== undefined);
  return { name, typmods, array: (tn.arrayBounds?.length ?? 0) > 0, display: typeDisplay(tn) };
}

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** The type as written is a serial pseudo-type (creates a sequence and a nextval() default). */
function isSerial(tn: TypeName | undefined): boolean {
  const names = strings(tn?.names);
  return names.length === 1 && SERIAL_TYPES.has(names[0].toLowerCase());
}

export function constraintsOf(def: ColumnDef): Constraint[] {
  const out: Constraint[] = [];
  for (const c of def.constraints ?? []) {
    const con = as(c, 'Constraint');
    if (con) out.push(con);
  }
  return out;
}

/** A column definition summarized for rules and replay. */
export interface ColumnFacts {
  name: string;
  type: TypeRef | null;
  notNull: boolean;
  defaultExpr?: Node;
  serial: boolean;
  identity: boolean;
  generated?: 'stored' | 'virtual';
  primaryKey: boolean;
  unique: boolean;
  references?: Constraint;
  check?: Constraint;
}

export function columnFacts(def: ColumnDef): ColumnFacts {
  const facts: ColumnFacts = {
    name: def.colname ?? '',
    type: typeRef(def.typeName),
    notNull: false,
    serial: isSerial(def.typeName),
    identity: false,
    primaryKey: false,
    unique: false,
  };
  if (facts.serial && facts.type) {
    facts.type = { ...facts.type, name: TYPE_ALIASES[facts.type.name.toLowerCase()] ?? facts.type.name };
    facts.notNull = true;
  }
  for (const con of constraintsOf(def)) {
    switch (con.contype) {
      case 'CONSTR_NOTNULL':
        facts.notNull = true;
        break;
      case 'CONSTR_DEFAULT':
        facts.defaultExpr = con.raw_expr;
        break;
      case 'CONSTR_IDENTITY':
        facts.identity = true;
        facts.notNull = true;
        break;
      case 'CONSTR_GENERATED':
        // PG 18: VIRTUAL is the default when neither STORED nor VIRTUAL is written (the parser says 'v').
        facts.generated = con.generated_kind === 'v' ? 'virtual' : 'stored';
        break;
      case 'CONSTR_PRIMARY':
        facts.primaryKey = true;
        facts.notNull = true;
        break;
      case 'CONSTR_UNIQUE':
        facts.unique = true;
        break;
      case 'CONSTR_FOREIGN':
        facts.references = con;
        break;
      case 'CONSTR_CHECK':
        facts.check = con;
        break;
      default:
        break;
    }
  }
  return facts;
}

/** Columns that a CHECK expression proves non-null: the `col IS NOT NULL` conjuncts at its top. */
export function notNullColumnsProven(expr: Node | undefined): string[] {
  const out: string[] = [];
  const visit = (n: Node | undefined): void => {
    const test = as(n, 'NullTest');
    if (test && test.nulltesttype === 'IS_NOT_NULL') {
      const col = as(test.arg, 'ColumnRef');
      const names = strings(col?.fields);
      if (names.length) out.push(names[names.length - 1]);
      return;
    }
    const bool = as(n, 'BoolExpr');
    if (bool && bool.boolop === 'AND_EXPR') for (const a of bool.args ?? []) visit(a);
  };
  visit(expr);
  return out;
}
