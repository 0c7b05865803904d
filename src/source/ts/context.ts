/**
 * What a runner preset sees of the walk over a migration function: static folding of expressions
 * into SQL text, and the statement list it appends to. Presets (typeorm.ts, knex.ts, …) translate
 * builder calls into the DDL their library sends; extract.ts owns the walk itself.
 */
import type * as TS from 'typescript';
import type { RunnerId } from '../runners.ts';
import type { Span } from '../text.ts';
import type { SqlBuilder } from './sql-builder.ts';
import type { TypeScript } from './typescript.ts';

export type Origin = 'raw' | 'builder';

export interface ExtractedStatement {
  sql: SqlBuilder;
  origin: Origin;
  conditional: boolean;
  direction: 'up' | 'down';
  /** Source range of the call that sends the statement. */
  call: Span;
  /** Transaction control the runner's API issues around a callback (not printed by extract). */
  synthetic?: boolean;
}

export interface Unanalyzable {
  direction: 'up' | 'down';
  span: Span;
  reason: string;
  conditional: boolean;
}

/** One step of a member/call chain such as `knex.schema.withSchema('x').createTable('t', cb)`. */
export interface ChainStep {
  name: string;
  /** The property-access node naming this step (its `.name` is the token to point at). */
  node: TS.Node;
  /** Set when the step is called. */
  call?: TS.CallExpression;
}

export interface Chain {
  root: TS.Expression;
  steps: ChainStep[];
}

export interface PresetContext {
  ts: TypeScript;
  source: string;
  runner: RunnerId | null;
  /** A new SQL text for one statement. */
  builder(): SqlBuilder;
  /** The initializer behind a const identifier (or the expression itself). */
  resolve(expr: TS.Expression | undefined): TS.Expression | undefined;
  /** Static string value of an expression (literals, concatenation, consts), or undefined. */
  stringValue(expr: TS.Expression | undefined): string | undefined;
  /** Appends an expression as SQL: literals cooked with their map, unknown parts as placeholders. */
  appendSql(b: SqlBuilder, expr: TS.Expression): void;
  /** Appends a quoted identifier from a string expression (a placeholder when not static). */
  appendIdent(b: SqlBuilder, expr: TS.Expression | undefined, fallback: TS.Node): void;
  /** Is this expression the migration's connection handle (queryRunner, knex, pgm, db, …)? */
  isHandle(expr: TS.Expression): boolean;
  emit(sql: SqlBuilder, origin: Origin, call: TS.Node, synthetic?: boolean): void;
  unanalyzable(node: TS.Node, reason: string): void;
  /** Walks a callback's body as part of the migration (e.g. a transaction callback). */
  walkFunction(fn: TS.Node): void;
  span(node: TS.Node): Span;
}

/** A runner preset: returns true when it handled the call. */
export type Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression) => boolean;

/** Object-literal property initializer by name. */
export function prop(ts: TypeScript, obj: TS.Expression | undefined, name: string): TS.Expression | undefined {
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propName(ts, p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

export function propName(ts: TypeScript, name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

/** `true`/`false` literal value, else undefined. */
export function boolValue(ts: TypeScript, expr: TS.Expression | undefined): boolean | undefined {
  if (!expr) return undefined;
  if (expr.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (expr.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

/** Unwraps `await x`, `(x)`, `x as T`, `x!`, `<T>x`, `x satisfies T`. */
export function unwrap(ts: TypeScript, expr: TS.Expression): TS.Expression {
  for (;;) {
    if (ts.isAwaitExpression(expr) || ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr) || ts.isTypeAssertionExpression(expr) || ts.isSatisfiesExpression(expr)) {
      expr = expr.expression;
    } else return expr;
  }
}

/** Flattens `a.b(c).d(e)` into its root and steps. */
export function chainOf(ts: TypeScript, expr: TS.Expression): Chain {
  const steps: ChainStep[] = [];
  let e = unwrap(ts, expr);
  let pendingCall: TS.CallExpression | undefined;
  for (;;) {
    if (ts.isCallExpression(e)) {
      pendingCall = e;
      e = unwrap(ts, e.expression);
      continue;
    }
    if (ts.isPropertyAccessExpression(e)) {
      steps.unshift({ name: e.name.text, node: e.name, call: pendingCall });
      pendingCall = undefined;
      e = unwrap(ts, e.expression);
      continue;
    }
    if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
      steps.unshift({ name: e.argumentExpression.text, node: e.argumentExpression, call: pendingCall });
      pendingCall = undefined;
      e = unwrap(ts, e.expression);
      continue;
    }
    break;
  }
  if (pendingCall) steps.unshift({ name: '()', node: e, call: pendingCall });
  return { root: e, steps };
}

/** Column lists given as a string or an array of strings. */
export function stringList(ctx: PresetContext, expr: TS.Expression | undefined): { value: string; node: TS.Expression }[] | undefined {
  if (!expr) return undefined;
  const ts = ctx.ts;
  const e = unwrap(ts, expr);
  if (ts.isArrayLiteralExpression(e)) {
    const out: { value: string; node: TS.Expression }[] = [];
    for (const el of e.elements) {
      const v = ctx.stringValue(el);
      if (v === undefined) {
        const name = ts.isObjectLiteralExpression(el) ? ctx.stringValue(prop(ts, el, 'name') ?? prop(ts, el, 'attribute')) : undefined;
        if (name === undefined) return undefined;
        out.push({ value: name, node: el });
      } else out.push({ value: v, node: el });
    }
    return out;
  }
  const v = ctx.stringValue(e);
  return v === undefined ? undefined : [{ value: v, node: e }];
}

/** Appends `("a", "b")` for a column list, each name mapped to its literal. */
export function appendColumnList(ctx: PresetContext, b: SqlBuilder, cols: { value: string; node: TS.Expression }[], at: TS.Node): void {
  const s = ctx.span(at);
  b.push('(', s.start, s.end);
  cols.forEach((c, i) => {
    if (i) b.push(', ', s.start, s.end);
    ctx.appendIdent(b, c.node, c.node);
  });
  b.push(')', s.start, s.end);
}

/** Appends a possibly schema-qualified table name ("schema.table" strings are split as the libraries do). */
export function appendTable(ctx: PresetContext, b: SqlBuilder, expr: TS.Expression | undefined, fallback: TS.Node): void {
  const v = ctx.stringValue(expr);
  if (expr && v !== undefined && v.includes('.') && !v.includes('"')) {
    const s = ctx.span(expr);
    b.push(v.split('.').map((p) => `"${p}"`).join('.'), s.start, s.end);
    return;
  }
  ctx.appendIdent(b, expr, fallback);
}

/** Appends generated SQL mapped to a node. */
export function kw(ctx: PresetContext, b: SqlBuilder, text: string, node: TS.Node): void {
  const s = ctx.span(node);
  b.push(text, s.start, s.end);
}

/** The options object of `new TableColumn({…})`, `{…}` or a const holding one. */
export function objectArg(ctx: PresetContext, expr: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const ts = ctx.ts;
  let e = ctx.resolve(expr);
  if (e && ts.isNewExpression(e)) e = ctx.resolve(e.arguments?.[0]);
  return e && ts.isObjectLiteralExpression(e) ? e : undefined;
}

/** Elements of an array literal (or a const holding one). */
export function arrayArg(ctx: PresetContext, expr: TS.Expression | undefined): readonly TS.Expression[] | undefined {
  const e = ctx.resolve(expr);
  return e && ctx.ts.isArrayLiteralExpression(e) ? e.elements : undefined;
}

/** Appends a SQL value written in JS: strings as literals, numbers and booleans as themselves. */
export function appendValue(ctx: PresetContext, b: SqlBuilder, expr: TS.Expression): void {
  const ts = ctx.ts;
  const e = ctx.resolve(expr) ?? expr;
  const s = ctx.span(expr);
  const v = ctx.stringValue(e);
  if (ts.isNumericLiteral(e)) b.push(e.text, s.start, s.end);
  else if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) b.push(e.getText(), s.start, s.end);
  else if (e.kind === ts.SyntaxKind.NullKeyword) b.push('NULL', s.start, s.end);
  else if (v !== undefined) b.push(`'${v.replace(/'/g, "''")}'`, s.start, s.end);
  else {
    const start = b.length;
    b.pushHole('$1', s.start, s.end);
    b.holes[b.holes.length - 1].start = start;
  }
}
