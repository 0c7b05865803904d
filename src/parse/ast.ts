/** Small typed helpers over libpg-query's JSON AST (a node is `{ KindName: payload }`). */
import type { DefElem, Node, RangeVar, TypeName } from 'libpg-query';

export type NodeKind = Node extends infer N ? (N extends Record<infer K, unknown> ? K & string : never) : never;

/** The payload type for a node kind, e.g. NodeOf<'IndexStmt'> = IndexStmt. */
export type NodeOf<K extends NodeKind> = Extract<Node, Record<K, unknown>> extends Record<K, infer P> ? P : never;

export function nodeKind(node: Node): NodeKind {
  for (const k in node) return k as NodeKind;
  return 'ParseResult' as NodeKind;
}

/** Returns the payload when `node` is of kind `kind`. */
export function as<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  if (!node) return undefined;
  return (node as Record<string, unknown>)[kind] as NodeOf<K> | undefined;
}

/** String value of a `{String: {sval}}` node. */
export function str(node: Node | undefined): string | undefined {
  return as(node, 'String')?.sval;
}

export function strings(nodes: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of nodes ?? []) {
    const s = str(n);
    if (s !== undefined) out.push(s);
  }
  return out;
}

export const DEFAULT_SCHEMA = 'public';

/** `schema.name` key of a relation as Postgres would resolve it with the default search_path. */
export function relKey(rv: RangeVar | undefined): string {
  if (!rv) return '';
  return `${rv.schemaname ?? DEFAULT_SCHEMA}.${rv.relname ?? ''}`;
}

/** Key from a qualified name list, e.g. `[s, t]` or `[t]`. */
export function nameKey(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${DEFAULT_SCHEMA}.${names[0]}`;
  return `${names[names.length - 2]}.${names[names.length - 1]}`;
}

/** Quotes an identifier only when Postgres needs it. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` for display: the schema is omitted when it is the default. */
export function displayRel(key: string): string {
  const dot = key.indexOf('.');
  const schema = key.slice(0, dot);
  const name = key.slice(dot + 1);
  return schema === DEFAULT_SCHEMA ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Reserved words that always need quoting as identifiers (the common ones in migrations). */
const RESERVED = new Set(
  'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references returning select session_user some symmetric system_user table then to trailing true union unique user using variadic when where window with authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose'.split(
    ' ',
  ),
);

export interface TypeRef {
  /** Internal type name as Postgres names it (`int4`, `varchar`, `timestamptz`) or the user type key. */
  name: string;
  typmods: number[];
  array: boolean;
  /** As written, for messages. */
  display: string;
}

/**
 * Walks every nested object of an AST value, depth-first in source order, without recursion (long
 * expressions nest thousands deep). The visitor may return false to skip a node's children.
 */
export function walk(value: unknown, visit: (key: string, node: Record<string, unknown>) => boolean | void): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const current = stack.pop();
    if (!current || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push(current[i]);
      continue;
    }
    // Children go on the stack in reverse so that they are visited in source order.
    const mark = stack.length;
    const obj = current as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (!v || typeof v !== 'object') continue;
      if (!Array.isArray(v) && visit(k, v as Record<string, unknown>) === false) continue;
      stack.push(v);
    }
    for (let i = mark, j = stack.length - 1; i < j; i++, j--) {
      const t = stack[i];
      stack[i] = stack[j];
      stack[j] = t;
    }
  }
}

export function intConst(node: Node | undefined): number | undefined {
  const c = as(node, 'A_Const');
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  return undefined;
}

export function typeNameParts(tn: TypeName | undefined): string[] {
  return strings(tn?.names);
}

/** Source text of a type name, best effort (used only for messages). */
export function typeDisplay(tn: TypeName | undefined): string {
  const parts = typeNameParts(tn).filter((p) => p !== 'pg_catalog');
  const mods = (tn?.typmods ?? []).map(intConst).filter((n): n is number => n !== undefined);
  const array = tn?.arrayBounds?.length ? '[]' : '';
  return `${parts.join('.')}${mods.length ? `(${mods.join(',')})` : ''}${array}`;
}

/**
 * A DefElem's boolean value read the way PostgreSQL's defGetBoolean reads it: no value means true;
 * the integers 0 and 1; the words true/false/on/off in any case. Anything else (yes, no, t, 2) makes
 * PostgreSQL reject the statement ("… requires a Boolean value"): 'invalid'.
 */
export function defBoolean(d: DefElem): boolean | 'invalid' {
  const arg = d.arg;
  if (!arg) return true;
  const int = as(arg, 'Integer');
  if (int) return (int.ival ?? 0) === 0 ? false : int.ival === 1 ? true : 'invalid';
  const word = (str(arg) ?? as(arg, 'Float')?.fval ?? as(arg, 'Boolean')?.boolval?.toString() ?? '').toLowerCase();
  if (word === 'true' || word === 'on') return true;
  if (word === 'false' || word === 'off') return false;
  return 'invalid';
}

/** Boolean option `name` of a statement's option list (VACUUM, REINDEX, CLUSTER, EXPLAIN …): the last one wins, as in PostgreSQL; undefined when absent. */
export function boolOption(options: Node[] | undefined, name: string): boolean | 'invalid' | undefined {
  let value: boolean | 'invalid' | undefined;
  for (const o of options ?? []) {
    const d = as(o, 'DefElem');
    if (d?.defname === name) value = defBoolean(d);
  }
  return value;
}
