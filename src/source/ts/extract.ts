/**
 * Extraction of the SQL a TypeScript/JavaScript migration sends, in the order its runner executes
 * it. The file is parsed (never type-checked, never run); the `up` (and `down`) functions are walked
 * statement by statement; calls on the migration's connection handle become statements, raw SQL
 * literally and builder calls through the runner preset that knows which DDL its library emits.
 * Facts per library: docs/runners.md.
 */
import type * as TS from 'typescript';
import { RUNNERS, type RunnerId } from '../runners.ts';
import type { Span } from '../text.ts';
import { chainOf, unwrap, type Chain, type ExtractedStatement, type Origin, type Preset, type PresetContext, type Unanalyzable } from './context.ts';
import { cookInto, SqlBuilder, sqlIdent, type Literal } from './sql-builder.ts';
import type { TypeScript } from './typescript.ts';
import { detectScriptRunner } from './detect.ts';
import { bindingNames, findFunctions, noTransaction, Scope } from './migration-functions.ts';
import { bindPlaceholders, placeholderFor } from './placeholders.ts';
import { typeormPreset } from './typeorm.ts';
import { knexPreset } from './knex.ts';
import { sequelizePreset } from './sequelize.ts';
import { mikroOrmPreset } from './mikro-orm.ts';
import { kyselyPreset } from './kysely.ts';
import { nodePgMigratePreset } from './node-pg-migrate.ts';
import { dbMigratePreset } from './db-migrate.ts';

export type { ExtractedStatement, Unanalyzable } from './context.ts';
export { placeholderFor } from './placeholders.ts';

/** A custom sink from config `embeddedSql.targets`: a tag name (`sql`) or a call path (`db.query`). */
export interface EmbeddedTarget {
  tag?: string;
  call?: string;
  /** Which argument holds the SQL (default 0). */
  argument?: number;
}

export interface TsMigration {
  runner: RunnerId | null;
  statements: ExtractedStatement[];
  unanalyzable: Unanalyzable[];
  /** Set when the migration opts out of the runner's transaction: where that was read. */
  noTransaction?: string;
  literals: Literal[];
}

export interface ExtractOptions {
  runner?: RunnerId | null;
  targets?: readonly EmbeddedTarget[];
}

const PRESETS: Partial<Record<RunnerId, Preset>> = {
  typeorm: typeormPreset,
  knex: knexPreset,
  sequelize: sequelizePreset,
  'mikro-orm': mikroOrmPreset,
  kysely: kyselyPreset,
  'node-pg-migrate': nodePgMigratePreset,
  'db-migrate': dbMigratePreset,
};

/** Methods that send their first argument as SQL when called on the migration's handle. */
const RAW_METHODS = new Set(['query', 'raw', 'runSql', 'sql', 'addSql', 'execute', 'executeQuery', 'none', 'any', 'many', 'one', 'oneOrNone', 'manyOrNone', 'result', 'multi']);
/** Callbacks the runner's API calls once, in a transaction it opens and commits. */
const TRANSACTION_METHODS = new Set(['transaction']);
/** Array methods whose callback runs once per element: its statements are conditional (a loop). */
const SLONIK_TAGS = new Set(['sql', 'unsafe', 'typeAlias', 'type']);
const SLONIK_FRAGMENTS = new Set(['fragment', 'identifier', 'join', 'json', 'jsonb', 'array', 'literalValue', 'binary', 'date', 'timestamp', 'interval', 'uuid']);

class Extractor implements PresetContext {
  readonly literals: Literal[] = [];
  readonly statements: ExtractedStatement[] = [];
  readonly unanalyzables: Unanalyzable[] = [];
  direction: 'up' | 'down' = 'up';
  private conditional = 0;
  /** Bound parameters numbered across the file ($1, $2 …): only their being values matters. */
  private params = 0;
  private inline = 0;
  private scope: Scope;
  private readonly preset: Preset | undefined;
  private readonly callTargets: { path: string[]; argument: number }[];
  private readonly tagTargets: Set<string>;
  /** The runner wraps this migration in its transaction (nested transaction() calls are savepoints). */
  outerTransaction = false;
  /** Names bound to the sql tag of kysely / slonik imports. */
  readonly sqlTags = new Set<string>();

  constructor(
    readonly ts: TypeScript,
    readonly sf: TS.SourceFile,
    readonly source: string,
    readonly runner: RunnerId | null,
    private readonly cls: TS.ClassLikeDeclaration | undefined,
    targets: readonly EmbeddedTarget[],
  ) {
    this.preset = runner ? PRESETS[runner] : undefined;
    this.scope = new Scope();
    this.callTargets = targets.filter((t) => t.call).map((t) => ({ path: (t.call as string).split('.'), argument: t.argument ?? 0 }));
    this.tagTargets = new Set(targets.filter((t) => t.tag).map((t) => t.tag as string));
    this.collectTopLevel();
  }

  /** Top-level consts, functions and the `sql` tag imports, visible to the migration functions. */
  private collectTopLevel(): void {
    const ts = this.ts;
    for (const st of this.sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const mod = st.moduleSpecifier.text;
        const named = st.importClause?.namedBindings;
        if (named && ts.isNamedImports(named) && /kysely|slonik/.test(mod)) {
          for (const el of named.elements) if ((el.propertyName ?? el.name).text === 'sql') this.sqlTags.add(el.name.text);
        }
      }
      this.declare(st, this.scope);
    }
  }

  private declare(st: TS.Statement, scope: Scope): void {
    const ts = this.ts;
    if (ts.isVariableStatement(st)) {
      const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of st.declarationList.declarations) this.declareVar(d, scope, isConst);
    } else if (ts.isFunctionDeclaration(st) && st.name && st.body) {
      scope.vars.set(st.name.text, { kind: 'function', fn: st, scope });
    }
  }

  private declareVar(d: TS.VariableDeclaration, scope: Scope, isConst: boolean): void {
    const ts = this.ts;
    if (!ts.isIdentifier(d.name)) {
      for (const el of bindingNames(ts, d.name)) scope.vars.set(el, { kind: 'unknown' });
      return;
    }
    const init = d.initializer ? unwrap(ts, d.initializer) : undefined;
    if (!init) {
      scope.vars.set(d.name.text, { kind: 'unknown' });
      return;
    }
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) scope.vars.set(d.name.text, { kind: 'function', fn: init, scope });
    else if (this.isHandle(init)) scope.vars.set(d.name.text, { kind: 'handle' });
    else if (isConst) scope.vars.set(d.name.text, { kind: 'expr', expr: init, scope });
    else scope.vars.set(d.name.text, { kind: 'unknown' });
  }

  builder(): SqlBuilder {
    return new SqlBuilder(this.literals);
  }

  resolve(expr: TS.Expression | undefined): TS.Expression | undefined {
    if (!expr) return undefined;
    let e = unwrap(this.ts, expr);
    for (let i = 0; i < 10 && this.ts.isIdentifier(e); i++) {
      const b = this.scope.lookup(e.text);
      if (b?.kind !== 'expr') break;
      e = unwrap(this.ts, b.expr);
    }
    return e;
  }

  /** The call being translated: synthesized nodes (names a builder invents) map to it. */
  private current: Span = { start: 0, end: 0 };

  span(node: TS.Node): Span {
    if (node.pos < 0) return this.current;
    return { start: node.getStart(this.sf), end: node.getEnd() };
  }

  isHandle(expr: TS.Expression): boolean {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (ts.isIdentifier(e)) return this.scope.lookup(e.text)?.kind === 'handle';
    if (e.kind === ts.SyntaxKind.ThisKeyword) return this.runner === 'mikro-orm';
    // queryRunner.manager, queryInterface.sequelize, knex.schema, trx.schema …
    if (ts.isPropertyAccessExpression(e)) return this.isHandle(e.expression);
    return false;
  }

  stringValue(expr: TS.Expression | undefined, depth = 0): string | undefined {
    if (!expr || depth > 20) return undefined;
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (ts.isStringLiteralLike(e)) return e.text;
    if (ts.isNumericLiteral(e)) return e.text;
    if (ts.isTemplateExpression(e)) {
      let out = e.head.text;
      for (const span of e.templateSpans) {
        const v = this.stringValue(span.expression, depth + 1);
        if (v === undefined) return undefined;
        out += v + span.literal.text;
      }
      return out;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const a = this.stringValue(e.left, depth + 1);
      const b = a === undefined ? undefined : this.stringValue(e.right, depth + 1);
      return a === undefined || b === undefined ? undefined : a + b;
    }
    if (ts.isIdentifier(e)) {
      const b = this.scope.lookup(e.text);
      if (b?.kind === 'expr') return this.withScope(b.scope, () => this.stringValue(b.expr, depth + 1));
    }
    return undefined;
  }

  private withScope<T>(scope: Scope, fn: () => T): T {
    const saved = this.scope;
    this.scope = scope;
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  appendIdent(b: SqlBuilder, expr: TS.Expression | undefined, fallback: TS.Node): void {
    const v = this.stringValue(expr);
    const s = this.span(expr ?? fallback);
    if (v !== undefined) b.push(sqlIdent(v), s.start, s.end);
    else b.pushHole(`zd_dynamic_${b.holes.length + 1}`, s.start, s.end);
  }

  appendSql(b: SqlBuilder, expr: TS.Expression, depth = 0): void {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (depth > 20) return this.hole(b, e);
    if (ts.isStringLiteral(e)) {
      const start = e.getStart(this.sf);
      const lit = this.literal(start, e.getEnd(), this.source[start] === "'" ? 'single' : 'double');
      cookInto(b, this.source, start + 1, e.getEnd() - 1, lit, false);
      return;
    }
    if (ts.isNoSubstitutionTemplateLiteral(e)) {
      const start = e.getStart(this.sf);
      cookInto(b, this.source, start + 1, e.getEnd() - 1, this.literal(start, e.getEnd(), 'template'), true);
      return;
    }
    if (ts.isTemplateExpression(e) || ts.isTaggedTemplateExpression(e)) {
      const tpl = ts.isTaggedTemplateExpression(e) ? e.template : e;
      const start = tpl.getStart(this.sf);
      const lit = this.literal(start, tpl.getEnd(), 'template');
      if (ts.isNoSubstitutionTemplateLiteral(tpl)) {
        cookInto(b, this.source, start + 1, tpl.getEnd() - 1, lit, true);
        return;
      }
      // head: "`…${", middle/tail: "}…${" / "}…`"
      cookInto(b, this.source, start + 1, tpl.head.getEnd() - 2, lit, true);
      for (const span of tpl.templateSpans) {
        const holeStart = span.expression.getFullStart() - 2;
        const litStart = span.literal.getStart(this.sf);
        this.appendInterpolation(b, span.expression, { start: holeStart, end: litStart + 1 }, depth, ts.isTaggedTemplateExpression(e) && this.isSqlTag(e.tag));
        const litEnd = span.literal.getEnd() - (ts.isTemplateTail(span.literal) ? 1 : 2);
        cookInto(b, this.source, litStart + 1, litEnd, lit, true);
      }
      return;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      this.appendSql(b, e.left, depth + 1);
      this.appendSql(b, e.right, depth + 1);
      return;
    }
    if (ts.isIdentifier(e)) {
      const bind = this.scope.lookup(e.text);
      if (bind?.kind === 'expr') return this.withScope(bind.scope, () => this.appendSql(b, bind.expr, depth + 1));
    }
    if (ts.isNumericLiteral(e)) {
      const s = this.span(e);
      b.push(e.text, s.start, s.end);
      return;
    }
    // `[...].join('\n')` of literals (multi-statement arrays).
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'join') {
      const arr = unwrap(ts, e.expression.expression);
      const sep = e.arguments.length ? this.stringValue(e.arguments[0]) : ',';
      if (ts.isArrayLiteralExpression(arr) && sep !== undefined) {
        const s = this.span(e);
        arr.elements.forEach((el, i) => {
          if (i) b.push(sep, s.start, s.end);
          this.appendSql(b, el, depth + 1);
        });
        return;
      }
    }
    this.hole(b, e);
  }

  /** An interpolated value: folded when static, a kysely/slonik helper when known, else a placeholder. */
  private appendInterpolation(b: SqlBuilder, expr: TS.Expression, holeSpan: Span, depth: number, bound = false): void {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    const v = this.stringValue(e);
    const helper = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) && this.sqlTags.has(e.expression.expression.text);
    if (bound && ts.isIdentifier(e) && depth < 20) {
      // A const holding sql.identifier(…) or a sql fragment: interpolate what it holds.
      const held = this.resolve(e);
      const isHelper = held && ts.isCallExpression(held) && ts.isPropertyAccessExpression(held.expression) && ts.isIdentifier(held.expression.expression) && this.sqlTags.has(held.expression.expression.text);
      if (held && held !== e && (isHelper || (ts.isTaggedTemplateExpression(held) && this.isSqlTag(held.tag)))) return this.appendInterpolation(b, held, holeSpan, depth + 1, bound);
    }
    if (bound && !helper && !(ts.isTaggedTemplateExpression(e) && this.isSqlTag(e.tag))) {
      // kysely/slonik `sql` tags send an interpolated value as a bound parameter, never as text.
      const param = `$${++this.params}`;
      if (v !== undefined) b.push(param, holeSpan.start, holeSpan.end);
      else b.pushHole(param, holeSpan.start, holeSpan.end);
      return;
    }
    if (v !== undefined && !ts.isNumericLiteral(e)) {
      // A known constant: its text, mapped to the `${…}` it replaces.
      b.push(v, holeSpan.start, holeSpan.end);
      return;
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) && this.sqlTags.has(e.expression.expression.text)) {
      const fn = e.expression.name.text;
      const args = e.arguments;
      if (fn === 'raw' && args[0]) return this.appendSql(b, args[0], depth + 1);
      if ((fn === 'identifier' || fn === 'ref' || fn === 'table' || fn === 'id') && args[0]) {
        const a = unwrap(ts, args[0]);
        const parts = ts.isArrayLiteralExpression(a) ? a.elements.map((x) => this.stringValue(x)) : [this.stringValue(a)];
        if (parts.every((p): p is string => p !== undefined)) {
          const quoted = fn === 'ref' || fn === 'table' ? parts.flatMap((p) => p.split('.')) : parts;
          b.push(quoted.map(sqlIdent).join('.'), holeSpan.start, holeSpan.end);
          return;
        }
      }
      if (fn === 'lit' || fn === 'literal') {
        const lv = this.stringValue(args[0]);
        if (lv !== undefined) {
          b.push(`'${lv.replace(/'/g, "''")}'`, holeSpan.start, holeSpan.end);
          return;
        }
      }
    }
    if (ts.isTaggedTemplateExpression(e) && this.isSqlTag(e.tag)) return this.appendSql(b, e, depth + 1);
    b.pushHole(placeholderFor(b.text, b.holes.length + 1), holeSpan.start, holeSpan.end);
  }

  private hole(b: SqlBuilder, e: TS.Expression): void {
    const s = this.span(e);
    b.pushHole(placeholderFor(b.text, b.holes.length + 1), s.start, s.end);
  }

  private literal(_start: number, _end: number, kind: Literal['kind']): number {
    this.literals.push({ kind });
    return this.literals.length - 1;
  }

  emit(sql: SqlBuilder, origin: Origin, call: TS.Node, synthetic?: boolean): void {
    this.statements.push({ sql, origin, conditional: this.conditional > 0, direction: this.direction, call: this.span(call), synthetic });
  }

  unanalyzable(node: TS.Node, reason: string): void {
    this.unanalyzables.push({ direction: this.direction, span: this.span(node), reason, conditional: this.conditional > 0 });
  }

  /** Emits a raw SQL argument, or an unanalyzable finding when nothing of it is static. */
  private rawSql(arg: TS.Expression | undefined, call: TS.CallExpression, what: string): void {
    if (!arg) return;
    let b = this.builder();
    this.appendSql(b, arg);
    // Client-side bindings: knex.raw(sql, bindings) `?`/`??`; sequelize.query(sql, { replacements }) `?`/`:name`.
    const options = call.arguments[1];
    const name = ts(this).isPropertyAccessExpression(call.expression) ? call.expression.name.text : '';
    if (this.runner === 'knex' && name === 'raw' && options) b = bindPlaceholders(b, 'knex');
    else if (this.runner === 'sequelize' && options && /\breplacements\b/.test(options.getText(this.sf))) b = bindPlaceholders(b, 'sequelize');
    if (b.holes.length === 1 && b.holes[0].start === 0 && b.holes[0].end === b.length) {
      this.unanalyzable(arg, `the SQL passed to ${what} is computed at run time (\`${this.excerpt(arg)}\` is not a constant of this file), so it cannot be checked`);
      return;
    }
    this.emit(b, 'raw', call);
  }

  private excerpt(node: TS.Node): string {
    const t = node.getText(this.sf).replace(/\s+/g, ' ');
    return t.length > 40 ? `${t.slice(0, 37)}…` : t;
  }

  walkFunction(fn: TS.Node): void {
    const ts = this.ts;
    if (!(ts.isFunctionLike(fn) && 'body' in fn && fn.body)) return;
    const body = fn.body as TS.Node;
    const saved = this.scope;
    this.scope = new Scope(saved);
    try {
      if (ts.isBlock(body)) this.walkStatements(body.statements);
      else this.walkExpression(body as TS.Expression);
    } finally {
      this.scope = saved;
    }
  }

  /** Runs one migration function: its first parameter (or destructured context) is the handle. */
  runMigration(fn: TS.FunctionLikeDeclaration, direction: 'up' | 'down'): void {
    const ts = this.ts;
    this.direction = direction;
    const saved = this.scope;
    this.scope = new Scope(saved);
    const first = fn.parameters[0];
    if (first) for (const name of bindingNames(ts, first.name)) this.scope.vars.set(name, { kind: 'handle' });
    // knex migrations sometimes name the second parameter Promise; sequelize's is the DataTypes namespace.
    for (const p of fn.parameters.slice(1)) for (const name of bindingNames(ts, p.name)) this.scope.vars.set(name, { kind: 'unknown' });
    try {
      const body = fn.body;
      if (body && ts.isBlock(body)) this.walkStatements(body.statements);
      else if (body) this.walkExpression(body as TS.Expression);
    } finally {
      this.scope = saved;
    }
  }

  private walkStatements(statements: readonly TS.Statement[]): void {
    for (const st of statements) if (this.ts.isFunctionDeclaration(st)) this.declare(st, this.scope);
    for (const st of statements) this.walkStatement(st);
  }

  private conditionally(fn: () => void): void {
    this.conditional++;
    try {
      fn();
    } finally {
      this.conditional--;
    }
  }

  private walkStatement(st: TS.Statement): void {
    const ts = this.ts;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (d.initializer) this.walkExpression(d.initializer);
      this.declare(st, this.scope);
      return;
    }
    if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) return;
    if (ts.isIfStatement(st)) {
      this.walkExpression(st.expression);
      this.conditionally(() => {
        this.walkStatement(st.thenStatement);
        if (st.elseStatement) this.walkStatement(st.elseStatement);
      });
      return;
    }
    if (ts.isForOfStatement(st) || ts.isForInStatement(st) || ts.isForStatement(st) || ts.isWhileStatement(st) || ts.isDoStatement(st)) {
      if (ts.isForOfStatement(st) || ts.isForInStatement(st)) this.walkExpression(st.expression);
      const saved = this.scope;
      this.scope = new Scope(saved);
      const init = ts.isForOfStatement(st) || ts.isForInStatement(st) || ts.isForStatement(st) ? st.initializer : undefined;
      if (init && ts.isVariableDeclarationList(init)) for (const d of init.declarations) for (const n of bindingNames(ts, d.name)) this.scope.vars.set(n, { kind: 'unknown' });
      this.conditionally(() => this.walkStatement(st.statement));
      this.scope = saved;
      return;
    }
    if (ts.isSwitchStatement(st)) {
      this.walkExpression(st.expression);
      this.conditionally(() => {
        for (const c of st.caseBlock.clauses) this.walkStatements(c.statements);
      });
      return;
    }
    if (ts.isBlock(st)) {
      const saved = this.scope;
      this.scope = new Scope(saved);
      this.walkStatements(st.statements);
      this.scope = saved;
      return;
    }
    if (ts.isTryStatement(st)) {
      this.walkStatement(st.tryBlock);
      if (st.catchClause) this.conditionally(() => this.walkStatement((st.catchClause as TS.CatchClause).block));
      if (st.finallyBlock) this.walkStatement(st.finallyBlock);
      return;
    }
    if (ts.isLabeledStatement(st)) return this.walkStatement(st.statement);
    if (ts.isExpressionStatement(st) || ts.isReturnStatement(st) || ts.isThrowStatement(st)) {
      if (st.expression) this.walkExpression(st.expression);
      return;
    }
    ts.forEachChild(st, (n) => this.walkNode(n));
  }

  private walkNode(n: TS.Node): void {
    const ts = this.ts;
    if (ts.isExpression(n)) this.walkExpression(n);
    else if (ts.isStatement(n) || ts.isBlock(n)) this.walkStatement(n as TS.Statement);
    else ts.forEachChild(n, (c) => this.walkNode(c));
  }

  private walkExpression(expr: TS.Expression): void {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (ts.isConditionalExpression(e)) {
      this.walkExpression(e.condition);
      this.conditionally(() => {
        this.walkExpression(e.whenTrue);
        this.walkExpression(e.whenFalse);
      });
      return;
    }
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      this.walkExpression(e.left);
      this.conditionally(() => this.walkExpression(e.right));
      return;
    }
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return; // a callback not called here
    if (ts.isTaggedTemplateExpression(e)) {
      if (this.taggedSink(e)) return;
    }
    if (ts.isCallExpression(e)) {
      if (this.callSink(e)) return;
      // Walk the callee's own chain (e.g. `(await x.query(…)).rows`), then the arguments.
      this.walkExpression(e.expression);
      for (const a of e.arguments) {
        const arg = unwrap(ts, a);
        if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) {
          // A callback: runs once (then, finally) or per element (map, forEach): conditional either way but then/finally.
          const callee = ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : '';
          if (callee === 'then' || callee === 'finally') this.walkFunction(arg);
          else this.conditionally(() => this.walkFunction(arg));
        } else this.walkExpression(arg);
      }
      return;
    }
    ts.forEachChild(e, (n) => this.walkNode(n));
  }

  private isSqlTag(tag: TS.Expression): boolean {
    const ts = this.ts;
    const t = unwrap(ts, tag);
    if (ts.isIdentifier(t)) return this.sqlTags.has(t.text) || this.tagTargets.has(t.text);
    const c = chainOf(ts, t);
    return ts.isIdentifier(c.root) && this.sqlTags.has(c.root.text) && c.steps.length > 0 && SLONIK_TAGS.has(c.steps[0].name);
  }

  /** A tagged template that is itself a statement (slonik's `sql`, config tags); true when handled. */
  private taggedSink(e: TS.TaggedTemplateExpression): boolean {
    const ts = this.ts;
    const tag = unwrap(ts, e.tag);
    const tagName = ts.isIdentifier(tag) ? tag.text : undefined;
    if (tagName && this.tagTargets.has(tagName)) {
      this.emitTemplate(e);
      return true;
    }
    if (this.runner === 'slonik' && this.isSqlTag(e.tag)) {
      const c = ts.isIdentifier(tag) ? undefined : chainOf(ts, tag);
      if (c && SLONIK_FRAGMENTS.has(c.steps[0]?.name ?? '')) return true;
      this.emitTemplate(e);
      return true;
    }
    return false;
  }

  private emitTemplate(e: TS.TaggedTemplateExpression): void {
    const b = this.builder();
    this.appendSql(b, e);
    this.emit(b, 'raw', e);
  }

  private matchesTarget(chain: Chain): { argument: number } | undefined {
    const ts = this.ts;
    const rootName = ts.isIdentifier(chain.root) ? chain.root.text : chain.root.kind === ts.SyntaxKind.ThisKeyword ? 'this' : undefined;
    if (!rootName) return undefined;
    const names = [rootName, ...chain.steps.map((s) => s.name)];
    for (const t of this.callTargets) {
      if (t.path.length === names.length && t.path.every((p, i) => p === names[i] || (i === 0 && p === '*'))) return t;
    }
    return undefined;
  }

  /** A call: a sink of the runner, a transaction callback, a local helper, or nothing of ours. */
  private callSink(call: TS.CallExpression): boolean {
    const ts = this.ts;
    const chain = chainOf(ts, call);
    const last = chain.steps[chain.steps.length - 1];
    this.current = this.span(call);
    const target = this.matchesTarget(chain);
    if (target) {
      this.rawSql(call.arguments[target.argument], call, call.expression.getText(this.sf));
      return true;
    }
    // Kysely: sql`…`.execute(db), sql.raw('…').execute(db)
    const root = unwrap(ts, chain.root);
    if (ts.isTaggedTemplateExpression(root) && this.isSqlTag(root.tag) && last?.name === 'execute') {
      this.emitTemplate(root);
      return true;
    }
    if (ts.isIdentifier(root) && this.sqlTags.has(root.text) && chain.steps[0]?.name === 'raw' && last?.name === 'execute') {
      this.rawSql(chain.steps[0].call?.arguments[0], call, 'sql.raw');
      return true;
    }
    const onHandle = this.isHandle(root) || (root.kind === ts.SyntaxKind.ThisKeyword && this.runner === 'mikro-orm');
    if (onHandle && last?.call === call) {
      // knex.raw(…) passed to another call is a fragment of that builder, not a statement.
      if (this.runner === 'knex' && last.name === 'raw' && !this.sentOnItsOwn(call)) return true;
      if (this.preset?.(this, chain, call)) return true;
      // transaction(async (t) => …): BEGIN … COMMIT around the callback, which runs once.
      if (TRANSACTION_METHODS.has(last.name)) {
        const cb = call.arguments.find((a) => ts.isArrowFunction(unwrap(ts, a)) || ts.isFunctionExpression(unwrap(ts, a)));
        if (cb) {
          const fn = unwrap(ts, cb) as TS.ArrowFunction;
          const begin = this.builder();
          const s = this.span(last.node);
          // Inside the runner's own transaction the library opens a savepoint, not a transaction.
          begin.push(this.outerTransaction ? 'SAVEPOINT zd_nested' : 'BEGIN', s.start, s.end);
          this.emit(begin, 'builder', last.node, true);
          const saved = this.scope;
          this.scope = new Scope(saved);
          for (const p of fn.parameters) for (const n of bindingNames(ts, p.name)) this.scope.vars.set(n, { kind: 'handle' });
          this.walkFunction(fn);
          this.scope = saved;
          const commit = this.builder();
          commit.push(this.outerTransaction ? 'RELEASE SAVEPOINT zd_nested' : 'COMMIT', s.start, s.end);
          this.emit(commit, 'builder', last.node, true);
          return true;
        }
      }
      if (RAW_METHODS.has(last.name) && call.arguments.length > 0 && !(this.runner === 'kysely' && last.name === 'execute')) {
        const arg = call.arguments[0];
        const a = unwrap(ts, arg);
        // Slonik/kysely: query(sql`…`) — the tagged template is the statement.
        if (ts.isTaggedTemplateExpression(a) && this.isSqlTag(a.tag)) this.emitTemplate(a);
        else if (ts.isObjectLiteralExpression(a)) return false; // query builder config objects: not SQL text
        else this.rawSql(arg, call, `${this.excerpt(call.expression)}()`);
        return true;
      }
      return false;
    }
    // A helper of this file called with the handle: inline it with its parameters bound.
    const callee = unwrap(ts, call.expression);
    const passesHandle = call.arguments.some((a) => this.isHandle(a) || (unwrap(ts, a).kind === ts.SyntaxKind.ThisKeyword && this.runner === 'mikro-orm'));
    let fn: TS.FunctionLikeDeclaration | undefined;
    let fnScope = this.scope;
    if (ts.isIdentifier(callee)) {
      const b = this.scope.lookup(callee.text);
      if (b?.kind === 'function') {
        fn = b.fn;
        fnScope = b.scope;
      }
    } else if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && this.cls) {
      const m = this.cls.members.find((x) => ts.isMethodDeclaration(x) && x.name && ts.isIdentifier(x.name) && x.name.text === callee.name.text && x.body);
      if (m) fn = m as TS.MethodDeclaration;
    }
    if (fn && this.inline < 6 && (passesHandle || (this.runner === 'mikro-orm' && ts.isPropertyAccessExpression(callee)))) {
      for (const a of call.arguments) this.walkExpression(a);
      this.inlineCall(fn, fnScope, call);
      return true;
    }
    if (passesHandle && !fn) {
      const name = this.excerpt(call.expression);
      this.unanalyzable(call, `\`${name}\` receives the migration's connection but is defined in another file; the SQL it runs is not visible here`);
      for (const a of call.arguments) this.walkExpression(a);
      return true;
    }
    return false;
  }

  /** Is this call's result awaited/returned/collected as a query of its own (not a builder's argument)? */
  private sentOnItsOwn(call: TS.Node): boolean {
    const ts = this.ts;
    let n: TS.Node = call;
    while (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent)) n = n.parent;
    const p = n.parent;
    if (ts.isExpressionStatement(p) || ts.isReturnStatement(p) || ts.isVariableDeclaration(p) || ts.isArrayLiteralExpression(p)) return true;
    if (ts.isArrowFunction(p) && p.body === n) return true;
    if (ts.isPropertyAccessExpression(p)) return ['then', 'catch', 'finally', 'rows', 'transacting'].includes(p.name.text);
    if (ts.isCallExpression(p) && p.arguments.includes(n as TS.Expression)) {
      const callee = p.expression;
      return ts.isPropertyAccessExpression(callee) && ['all', 'allSettled', 'push'].includes(callee.name.text);
    }
    return false;
  }

  private inlineCall(fn: TS.FunctionLikeDeclaration, scope: Scope, call: TS.CallExpression): void {
    const ts = this.ts;
    const inner = new Scope(scope);
    fn.parameters.forEach((p, i) => {
      const arg = call.arguments[i] ?? p.initializer;
      for (const name of bindingNames(ts, p.name)) {
        if (!ts.isIdentifier(p.name) || !arg) inner.vars.set(name, { kind: 'unknown' });
        else if (this.isHandle(arg) || (unwrap(ts, arg).kind === ts.SyntaxKind.ThisKeyword && this.runner === 'mikro-orm')) inner.vars.set(name, { kind: 'handle' });
        else inner.vars.set(name, { kind: 'expr', expr: arg, scope: this.scope });
      }
    });
    const saved = this.scope;
    this.scope = inner;
    this.inline++;
    try {
      const body = fn.body;
      if (body && ts.isBlock(body)) this.walkStatements(body.statements);
      else if (body) this.walkExpression(body as TS.Expression);
    } finally {
      this.inline--;
      this.scope = saved;
    }
  }
}

function ts(x: Extractor): TypeScript {
  return x.ts;
}

/** Extracts a migration file's SQL; null when the file defines no `up`/`down` (not a migration). */
export function extractScript(ts: TypeScript, path: string, source: string, opts: ExtractOptions = {}): TsMigration | null {
  const kind = /\.(ts|mts|cts)$/i.test(path) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sf = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, kind);
  const fns = findFunctions(ts, sf);
  if (!fns.up && !fns.down) return null;
  const runner = opts.runner ?? detectScriptRunner(ts, sf, source);
  const x = new Extractor(ts, sf, source, runner, fns.cls, opts.targets ?? []);
  if (runner === 'slonik' && !x.sqlTags.size) x.sqlTags.add('sql');
  const optOut = noTransaction(ts, sf, source, runner, fns);
  x.outerTransaction = runner !== null && RUNNERS[runner].opensTransaction && !optOut;
  if (fns.up) x.runMigration(fns.up, 'up');
  if (fns.down) x.runMigration(fns.down, 'down');
  return { runner, statements: x.statements, unanalyzable: x.unanalyzables, noTransaction: optOut, literals: x.literals };
}
