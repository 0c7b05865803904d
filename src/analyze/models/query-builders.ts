/**
 * Column references in query-builder calls of application code, as `probable` references (orm
 * `raw-sql`): Knex chains rooted at `knex('t')` / `db('t')` / `trx('t')` / `.from('t')` /
 * `.table('t')` / `.into('t')`, and Kysely chains rooted at `.selectFrom('t')`, `.insertInto('t')`,
 * `.updateTable('t')`, `.deleteFrom('t')`. Column names are read from the documented column
 * arguments (select, where*, orderBy, groupBy, returning, insert/update/values/set object keys, …):
 * `'col'`, `'t.col'`, `'col as alias'`. Names qualified with another table or alias of the chain
 * (joins) go to that table; others to the root table. Knex: https://knexjs.org/guide/query-builder.html,
 * Kysely: https://kysely.dev/docs/category/select
 */
import type * as TS from 'typescript';
import { typescript, type TypeScript } from '../../source/ts/typescript.ts';
import { objectOf, propName, refOf, scriptFile, scriptPaths, stringOf, unwrap, type ScriptFile } from './script-files.ts';
import type { ModelReader, ModelReadResult, ModelTable, RevisionFiles } from './types.ts';

/** Methods whose string arguments (or array of strings) are column names. */
const COLUMN_ARGS = new Set([
  'select', 'column', 'columns', 'first', 'pluck', 'distinct', 'distinctOn', 'returning', 'orderBy', 'groupBy',
  'where', 'andWhere', 'orWhere', 'whereNot', 'orWhereNot', 'whereIn', 'orWhereIn', 'whereNotIn', 'orWhereNotIn',
  'whereNull', 'orWhereNull', 'whereNotNull', 'orWhereNotNull', 'whereBetween', 'whereNotBetween',
  'increment', 'decrement', 'max', 'min', 'sum', 'avg', 'count', 'countDistinct', 'onConflict', 'having',
]);
/** Methods whose first argument is a column name only (the rest are values or operators). */
const FIRST_ONLY = new Set(['orderBy', 'where', 'andWhere', 'orWhere', 'whereNot', 'orWhereNot', 'whereIn', 'orWhereIn', 'whereNotIn', 'orWhereNotIn', 'whereBetween', 'whereNotBetween', 'increment', 'decrement', 'having']);
/** Methods whose object argument's keys are column names. */
const OBJECT_KEYS = new Set(['insert', 'update', 'values', 'set', 'where', 'andWhere', 'orWhere', 'whereNot', 'merge']);
const KNEX_ROOTS = new Set(['from', 'table', 'into']);
const KYSELY_ROOTS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'mergeInto']);
const JOINS = new Set(['join', 'innerJoin', 'leftJoin', 'leftOuterJoin', 'rightJoin', 'rightOuterJoin', 'fullOuterJoin', 'crossJoin']);
/** Names of a connection handle called with a table (`knex('t')`, `this.db('t')`, `trx('t')`). */
const HANDLE = /knex|db|trx|^tx$|transaction|conn|client|^pg$|^sql$|^qb$/i;
const HINT = /\b(knex|kysely|selectFrom|insertInto|updateTable|deleteFrom|\.from\(|\.table\(|\.into\()/i;

export const queryBuilderReader: ModelReader = {
  orm: 'raw-sql',
  read(files: RevisionFiles): ModelReadResult {
    const ts = typescript();
    const result: ModelReadResult = { tables: [], problems: [] };
    for (const path of scriptPaths(files)) {
      const text = files.read(path);
      if (text === undefined || !HINT.test(text)) continue;
      try {
        result.tables.push(...readFile(ts, scriptFile(files, path, text)));
      } catch (e) {
        result.problems.push({ ref: { path, line: 1, column: 1 }, message: `query-builder calls not read: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return result;
  },
};

interface Step {
  name: string;
  call: TS.CallExpression;
}

/** `'schema.table as alias'` → parts. */
function tableSpec(spec: string): { schema?: string; table: string; alias?: string } {
  const m = /^\s*([^\s]+?)(?:\s+as\s+([^\s]+))?\s*$/i.exec(spec);
  const name = m?.[1] ?? spec;
  const dot = name.lastIndexOf('.');
  return { schema: dot > 0 ? name.slice(0, dot) : undefined, table: dot > 0 ? name.slice(dot + 1) : name, alias: m?.[2] };
}

const WITH = new Set(['with', 'withRecursive', 'withMaterialized', 'withNotMaterialized']);

function readFile(ts: TypeScript, file: ScriptFile): ModelTable[] {
  const tables = new Map<string, ModelTable>();
  const ctes = new Set<string>();
  const visit = (node: TS.Node): void => {
    // Only the outermost call of a chain: its steps are read in one go.
    if (ts.isCallExpression(node) && !isInnerOfChain(ts, node)) readChain(ts, file, node, tables);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && WITH.has(node.expression.name.text)) {
      const name = stringOf(ts, file.sf, node.arguments[0]);
      if (name !== undefined) ctes.add(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sf);
  // `.with('name', …)` names a WITH query of the file, not a table.
  return [...tables.values()].filter((t) => t.columns.length > 0 && (t.schema !== undefined || !ctes.has(t.table)));
}

function isInnerOfChain(ts: TypeScript, call: TS.CallExpression): boolean {
  const p = call.parent;
  return ts.isPropertyAccessExpression(p) && p.expression === call && ts.isCallExpression(p.parent);
}

function readChain(ts: TypeScript, file: ScriptFile, outer: TS.CallExpression, tables: Map<string, ModelTable>): void {
  const steps: Step[] = [];
  let e: TS.Expression = outer;
  let rootCall: TS.CallExpression | undefined;
  for (;;) {
    e = unwrap(ts, e);
    if (!ts.isCallExpression(e)) break;
    const callee = unwrap(ts, e.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      steps.unshift({ name: callee.name.text, call: e });
      e = callee.expression;
    } else {
      // knex('t') / db('t') / trx('t'): a handle called with one argument.
      if (ts.isIdentifier(callee) && HANDLE.test(callee.text) && e.arguments.length === 1) rootCall = e;
      break;
    }
  }
  // this.knex('t') / ctx.db('t'): the innermost step is the handle itself.
  if (!rootCall && steps.length > 1 && HANDLE.test(steps[0].name) && steps[0].call.arguments.length === 1) rootCall = steps.shift()?.call;
  // The table: the root call's argument, or the first root method of the chain.
  let rootIndex = -1;
  let spec: string | undefined;
  let schema: string | undefined;
  if (rootCall) spec = stringOf(ts, file.sf, rootCall.arguments[0]);
  if (spec === undefined) {
    rootIndex = steps.findIndex((s) => KNEX_ROOTS.has(s.name) || KYSELY_ROOTS.has(s.name));
    if (rootIndex < 0) return;
    spec = stringOf(ts, file.sf, steps[rootIndex].call.arguments[0]);
  }
  if (spec === undefined || steps.length === 0) return;
  const withSchema = steps.find((s) => s.name === 'withSchema');
  if (withSchema) schema = stringOf(ts, file.sf, withSchema.call.arguments[0]);
  const root = tableSpec(spec);
  // Only chains that use a builder method: `foo('x').bar()` of unrelated code stays out.
  if (rootIndex < 0 && !steps.some((s) => COLUMN_ARGS.has(s.name) || OBJECT_KEYS.has(s.name) || JOINS.has(s.name) || s.name === 'del' || s.name === 'delete')) return;
  const scope = new Map<string, { schema?: string; table: string }>();
  const rootRel = { schema: root.schema ?? schema, table: root.table };
  scope.set(root.alias ?? root.table, rootRel);
  for (const s of steps) {
    if (!JOINS.has(s.name)) continue;
    const j = stringOf(ts, file.sf, s.call.arguments[0]);
    if (j !== undefined) {
      const t = tableSpec(j);
      scope.set(t.alias ?? t.table, { schema: t.schema ?? schema, table: t.table });
    }
  }
  const add = (name: string, at: TS.Node): void => {
    const col = name.replace(/\s+as\s+.*$/i, '').trim();
    // Identifiers only: operators ('='), raw expressions and '*' are not column names.
    if (!/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}$/.test(col)) return;
    const dot = col.lastIndexOf('.');
    const rel = dot > 0 ? scope.get(col.slice(0, dot)) : rootRel;
    const column = dot > 0 ? col.slice(dot + 1) : col;
    if (!rel || column === '*') return;
    const key = `${rel.schema ?? ''}.${rel.table}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { orm: 'raw-sql', model: `query builder in ${file.path}`, schema: rel.schema, table: rel.table, ref: refOf(file, at), certainty: 'probable', columns: [] }));
    if (!t.columns.some((c) => c.column === column)) t.columns.push({ column, field: column, ref: refOf(file, at), certainty: 'probable', markers: [] });
  };
  const strings = (arg: TS.Expression | undefined): void => {
    const a = arg && unwrap(ts, arg);
    if (!a) return;
    if (ts.isArrayLiteralExpression(a)) a.elements.forEach((el) => strings(el));
    else {
      const v = stringOf(ts, file.sf, a);
      if (v !== undefined) add(v, a);
    }
  };
  const keys = (arg: TS.Expression | undefined): void => {
    const a = arg && unwrap(ts, arg);
    if (a && ts.isArrayLiteralExpression(a)) return a.elements.forEach((el) => keys(el));
    const obj = objectOf(ts, file.sf, a);
    for (const p of obj?.properties ?? []) {
      const k = p.name && (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) ? propName(ts, p.name) : undefined;
      if (k !== undefined) add(k, p);
    }
  };
  for (const s of steps) {
    // join('users', 'links.user_id', 'users.id') / join(t, a, '=', b): the key columns.
    if (JOINS.has(s.name)) s.call.arguments.slice(1).forEach((a) => strings(a));
    else if (OBJECT_KEYS.has(s.name) && s.call.arguments[0] && objectOf(ts, file.sf, s.call.arguments[0]) !== undefined) keys(s.call.arguments[0]);
    else if ((s.name === 'insert' || s.name === 'values') && s.call.arguments[0]) keys(s.call.arguments[0]);
    else if (s.name === 'update' && s.call.arguments.length >= 2) strings(s.call.arguments[0]);
    else if (FIRST_ONLY.has(s.name)) strings(s.call.arguments[0]);
    else if (COLUMN_ARGS.has(s.name)) s.call.arguments.forEach((a) => strings(a));
  }
}
