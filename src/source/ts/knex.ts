/**
 * Knex schema builders, translated as Knex's PostgreSQL dialect compiles them
 * (lib/dialects/postgres/schema/pg-tablecompiler.js, pg-columncompiler.js; docs/runners.md):
 * `create table` with the columns, then one statement per index, unique constraint and foreign
 * key; `alter table … add column` per added column; `.alter()` as drop default / drop not null /
 * type … using / set default / set not null.
 */
import type * as TS from 'typescript';
import { appendTable, chainOf, kw, stringList, unwrap, type Chain, type ChainStep, type Preset, type PresetContext } from './context.ts';
import type { SqlBuilder } from './sql-builder.ts';

const TYPES: Record<string, (args: readonly TS.Expression[], ctx: PresetContext) => string> = {
  increments: () => 'serial primary key',
  bigIncrements: () => 'bigserial primary key',
  integer: () => 'integer',
  int: () => 'integer',
  bigInteger: () => 'bigint',
  bigint: () => 'bigint',
  tinyint: () => 'smallint',
  smallint: () => 'smallint',
  string: (a, c) => `varchar(${c.stringValue(a[1]) ?? '255'})`,
  text: () => 'text',
  boolean: () => 'boolean',
  date: () => 'date',
  datetime: (a, c) => (/useTz\s*:\s*false/.test(a[1]?.getText() ?? '') || c.stringValue(a[1]) === 'false' ? 'timestamp' : 'timestamptz'),
  timestamp: (a, c) => (/useTz\s*:\s*false/.test(a[1]?.getText() ?? '') || c.stringValue(a[1]) === 'false' ? 'timestamp' : 'timestamptz'),
  time: () => 'time',
  float: () => 'real',
  double: () => 'double precision',
  decimal: (a, c) => `decimal(${c.stringValue(a[1]) ?? '8'}, ${c.stringValue(a[2]) ?? '2'})`,
  json: () => 'json',
  jsonb: () => 'jsonb',
  uuid: () => 'uuid',
  binary: () => 'bytea',
  enu: () => 'text',
  enum: () => 'text',
  specificType: (a, c) => c.stringValue(a[1]) ?? 'text',
};

interface ColumnDef {
  name: TS.Expression;
  type: string;
  typeNode: TS.Node;
  notNull?: TS.Node;
  nullable?: TS.Node;
  defaultTo?: { node: TS.Node; value: TS.Expression };
  unique?: TS.Node;
  index?: TS.Node;
  primary?: TS.Node;
  references?: { node: TS.Node; column: TS.Expression; table?: TS.Expression; onDelete?: string };
  alter?: TS.Node;
  enumValues?: readonly TS.Expression[];
}

function appendDefault(ctx: PresetContext, b: SqlBuilder, e: TS.Expression): void {
  const ts = ctx.ts;
  const v = unwrap(ts, e);
  const chain = ts.isCallExpression(v) ? chainOf(ts, v) : undefined;
  const last = chain?.steps[chain.steps.length - 1];
  if (last?.name === 'now') return kw(ctx, b, 'CURRENT_TIMESTAMP', v);
  if (last?.name === 'raw' && last.call?.arguments[0]) return ctx.appendSql(b, last.call.arguments[0]);
  if (v.kind === ts.SyntaxKind.TrueKeyword || v.kind === ts.SyntaxKind.FalseKeyword || ts.isNumericLiteral(v)) return kw(ctx, b, `'${v.getText() === 'true' ? '1' : v.getText() === 'false' ? '0' : v.getText()}'`, v);
  const s = ctx.stringValue(v);
  if (s !== undefined) return kw(ctx, b, `'${s.replace(/'/g, "''")}'`, v);
  const start = ctx.span(v);
  b.pushHole('$1', start.start, start.end);
}

function columnSql(ctx: PresetContext, b: SqlBuilder, c: ColumnDef): void {
  ctx.appendIdent(b, c.name, c.name);
  kw(ctx, b, ` ${c.type}`, c.typeNode);
  if (c.enumValues) {
    kw(ctx, b, ' check (', c.typeNode);
    ctx.appendIdent(b, c.name, c.name);
    kw(ctx, b, ` in (${c.enumValues.map((v) => `'${(ctx.stringValue(v) ?? '').replace(/'/g, "''")}'`).join(', ')}))`, c.typeNode);
  }
  if (c.notNull) kw(ctx, b, ' not null', c.notNull);
  if (c.defaultTo) {
    kw(ctx, b, ' default ', c.defaultTo.node);
    appendDefault(ctx, b, c.defaultTo.value);
  }
}

function readColumn(ctx: PresetContext, steps: ChainStep[]): ColumnDef | undefined {
  const first = steps[0];
  const type = TYPES[first.name];
  if (!type || !first.call) return undefined;
  const args = first.call.arguments;
  const def: ColumnDef = { name: args[0], type: type(args, ctx), typeNode: first.node };
  if (first.name === 'enu' || first.name === 'enum') def.enumValues = ctx.ts.isArrayLiteralExpression(unwrap(ctx.ts, args[1] ?? args[0])) ? (unwrap(ctx.ts, args[1]) as TS.ArrayLiteralExpression).elements : undefined;
  for (const s of steps.slice(1)) {
    const a = s.call?.arguments ?? [];
    switch (s.name) {
      case 'notNullable':
        def.notNull = s.node;
        break;
      case 'nullable':
        def.nullable = s.node;
        break;
      case 'defaultTo':
        if (a[0]) def.defaultTo = { node: s.node, value: a[0] };
        break;
      case 'unique':
        def.unique = s.node;
        break;
      case 'index':
        def.index = s.node;
        break;
      case 'primary':
        def.primary = s.node;
        break;
      case 'references':
        if (a[0]) def.references = { node: s.node, column: a[0] };
        break;
      case 'inTable':
        if (def.references && a[0]) def.references.table = a[0];
        break;
      case 'onDelete':
        if (def.references) def.references.onDelete = ctx.stringValue(a[0]);
        break;
      case 'alter':
        def.alter = s.node;
        break;
    }
  }
  return def;
}

function prefix(ctx: PresetContext, b: SqlBuilder, text: string, table: TS.Expression | undefined, at: TS.Node): void {
  kw(ctx, b, text, at);
  appendTable(ctx, b, table, at);
}

function defaultName(ctx: PresetContext, table: TS.Expression | undefined, cols: string[], suffix: string): string {
  const t = (ctx.stringValue(table) ?? 'table').split('.').pop() as string;
  return `${t}_${cols.join('_')}_${suffix}`.toLowerCase().replace(/[-.]/g, '_');
}

/** The statements of one createTable/alterTable callback, in Knex's order. */
function tableCallback(ctx: PresetContext, table: TS.Expression | undefined, cb: TS.Expression | undefined, create: boolean, at: TS.Node, call: TS.Node): void {
  const ts = ctx.ts;
  const fn = cb ? unwrap(ts, cb) : undefined;
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
    if (create) {
      const b = ctx.builder();
      prefix(ctx, b, 'create table ', table, at);
      kw(ctx, b, ' ()', at);
      ctx.emit(b, 'builder', call);
    }
    return;
  }
  const param = fn.parameters[0]?.name;
  const tName = param && ts.isIdentifier(param) ? param.text : 't';
  const body = fn.body;
  const exprs: TS.Expression[] = [];
  const collect = (n: TS.Node): void => {
    if (ts.isExpressionStatement(n)) exprs.push(n.expression);
    else if (ts.isBlock(n)) n.statements.forEach(collect);
    else if (ts.isIfStatement(n)) {
      collect(n.thenStatement);
      if (n.elseStatement) collect(n.elseStatement);
    } else if (ts.isReturnStatement(n) && n.expression) exprs.push(n.expression);
  };
  if (ts.isBlock(body)) body.statements.forEach(collect);
  else exprs.push(body);
  const columns: ColumnDef[] = [];
  const after: (() => void)[] = [];
  for (const e of exprs) {
    const chain = chainOf(ts, e);
    const root = unwrap(ts, chain.root);
    if (!ts.isIdentifier(root) || root.text !== tName || !chain.steps.length) continue;
    const first = chain.steps[0];
    const args = first.call?.arguments ?? [];
    const col = readColumn(ctx, chain.steps);
    if (col) {
      if (col.alter) {
        after.push(() => alterColumn(ctx, table, col, call));
      } else if (create) columns.push(col);
      else {
        const b = ctx.builder();
        prefix(ctx, b, 'alter table ', table, first.node);
        kw(ctx, b, ' add column ', first.node);
        columnSql(ctx, b, col);
        if (col.primary) kw(ctx, b, ' primary key', col.primary);
        ctx.emit(b, 'builder', call);
      }
      const name = ctx.stringValue(col.name) ?? 'column';
      if (col.unique) after.push(() => uniqueSql(ctx, table, [{ value: name, node: col.name }], col.unique as TS.Node, call));
      if (col.index) after.push(() => indexSql(ctx, table, [{ value: name, node: col.name }], undefined, col.index as TS.Node, call));
      if (col.references) after.push(() => foreignSql(ctx, table, [{ value: name, node: col.name }], col.references as NonNullable<ColumnDef['references']>, call));
      continue;
    }
    const cols = stringList(ctx, args[0]);
    switch (first.name) {
      case 'timestamps': {
        for (const n of ['created_at', 'updated_at']) columns.push({ name: ctx.ts.factory.createStringLiteral(n), type: 'timestamptz', typeNode: first.node });
        break;
      }
      case 'dropColumn':
      case 'dropColumns': {
        const b = ctx.builder();
        prefix(ctx, b, 'alter table ', table, first.node);
        args.forEach((a, i) => {
          const list = stringList(ctx, a) ?? [];
          list.forEach((c, j) => {
            kw(ctx, b, i || j ? ', drop column ' : ' drop column ', first.node);
            ctx.appendIdent(b, c.node, c.node);
          });
        });
        ctx.emit(b, 'builder', call);
        break;
      }
      case 'renameColumn': {
        const b = ctx.builder();
        prefix(ctx, b, 'alter table ', table, first.node);
        kw(ctx, b, ' rename ', first.node);
        ctx.appendIdent(b, args[0], first.node);
        kw(ctx, b, ' to ', first.node);
        ctx.appendIdent(b, args[1], first.node);
        ctx.emit(b, 'builder', call);
        break;
      }
      case 'index':
        if (cols) after.push(() => indexSql(ctx, table, cols, args[1], first.node, call));
        break;
      case 'unique':
        if (cols) after.push(() => uniqueSql(ctx, table, cols, first.node, call, args[1]));
        break;
      case 'primary':
        if (cols) {
          const b = ctx.builder();
          prefix(ctx, b, 'alter table ', table, first.node);
          kw(ctx, b, ` add constraint "${defaultName(ctx, table, [], 'pkey').replace('__', '_')}" primary key `, first.node);
          appendCols(ctx, b, cols, first.node);
          after.push(() => ctx.emit(b, 'builder', call));
        }
        break;
      case 'foreign': {
        let ref: ColumnDef['references'] | undefined;
        for (const s of chain.steps.slice(1)) {
          const a = s.call?.arguments ?? [];
          if (s.name === 'references' && a[0]) ref = { node: s.node, column: a[0] };
          if (s.name === 'inTable' && ref && a[0]) ref.table = a[0];
          if (s.name === 'onDelete' && ref) ref.onDelete = ctx.stringValue(a[0]);
        }
        if (cols && ref) {
          const r = ref;
          after.push(() => foreignSql(ctx, table, cols, r, call, args[1]));
        }
        break;
      }
      case 'dropIndex': {
        const b = ctx.builder();
        kw(ctx, b, 'drop index ', first.node);
        const nm = args[1] ? ctx.stringValue(args[1]) : cols ? defaultName(ctx, table, cols.map((c) => c.value), 'index') : undefined;
        kw(ctx, b, `"${nm ?? 'zd_dynamic'}"`, args[1] ?? first.node);
        ctx.emit(b, 'builder', call);
        break;
      }
      case 'dropUnique':
      case 'dropForeign':
      case 'dropPrimary': {
        const b = ctx.builder();
        prefix(ctx, b, 'alter table ', table, first.node);
        const suffix = first.name === 'dropUnique' ? 'unique' : first.name === 'dropForeign' ? 'foreign' : 'pkey';
        const nm = (first.name === 'dropPrimary' ? ctx.stringValue(args[0]) : ctx.stringValue(args[1])) ?? (cols && first.name !== 'dropPrimary' ? defaultName(ctx, table, cols.map((c) => c.value), suffix) : `${ctx.stringValue(table) ?? 'table'}_pkey`);
        kw(ctx, b, ` drop constraint "${nm}"`, first.node);
        ctx.emit(b, 'builder', call);
        break;
      }
      case 'setNullable':
      case 'dropNullable': {
        const b = ctx.builder();
        prefix(ctx, b, 'alter table ', table, first.node);
        kw(ctx, b, ' alter column ', first.node);
        ctx.appendIdent(b, args[0], first.node);
        kw(ctx, b, first.name === 'setNullable' ? ' drop not null' : ' set not null', first.node);
        ctx.emit(b, 'builder', call);
        break;
      }
    }
  }
  if (create) {
    const b = ctx.builder();
    prefix(ctx, b, 'create table ', table, at);
    kw(ctx, b, ' (', at);
    columns.forEach((c, i) => {
      if (i) kw(ctx, b, ', ', c.typeNode);
      columnSql(ctx, b, c);
      if (c.primary) kw(ctx, b, ' primary key', c.primary);
    });
    kw(ctx, b, ')', at);
    ctx.emit(b, 'builder', call);
  }
  for (const f of after) f();
}

function appendCols(ctx: PresetContext, b: SqlBuilder, cols: { value: string; node: TS.Expression }[], at: TS.Node): void {
  kw(ctx, b, '(', at);
  cols.forEach((c, i) => {
    if (i) kw(ctx, b, ', ', at);
    ctx.appendIdent(b, c.node, c.node);
  });
  kw(ctx, b, ')', at);
}

function indexSql(ctx: PresetContext, table: TS.Expression | undefined, cols: { value: string; node: TS.Expression }[], name: TS.Expression | undefined, at: TS.Node, call: TS.Node): void {
  const b = ctx.builder();
  const nm = name ? ctx.stringValue(name) : defaultName(ctx, table, cols.map((c) => c.value), 'index');
  kw(ctx, b, `create index "${nm ?? 'zd_dynamic'}" on `, at);
  appendTable(ctx, b, table, at);
  kw(ctx, b, ' ', at);
  appendCols(ctx, b, cols, at);
  ctx.emit(b, 'builder', call);
}

function uniqueSql(ctx: PresetContext, table: TS.Expression | undefined, cols: { value: string; node: TS.Expression }[], at: TS.Node, call: TS.Node, name?: TS.Expression): void {
  const b = ctx.builder();
  const nm = (name && ctx.ts.isStringLiteralLike(unwrap(ctx.ts, name)) ? ctx.stringValue(name) : undefined) ?? defaultName(ctx, table, cols.map((c) => c.value), 'unique');
  prefix(ctx, b, 'alter table ', table, at);
  kw(ctx, b, ` add constraint "${nm}" unique `, at);
  appendCols(ctx, b, cols, at);
  ctx.emit(b, 'builder', call);
}

function foreignSql(ctx: PresetContext, table: TS.Expression | undefined, cols: { value: string; node: TS.Expression }[], ref: NonNullable<ColumnDef['references']>, call: TS.Node, name?: TS.Expression): void {
  const b = ctx.builder();
  const nm = (name ? ctx.stringValue(name) : undefined) ?? defaultName(ctx, table, cols.map((c) => c.value), 'foreign');
  prefix(ctx, b, 'alter table ', table, ref.node);
  kw(ctx, b, ` add constraint "${nm}" foreign key `, ref.node);
  appendCols(ctx, b, cols, ref.node);
  kw(ctx, b, ' references ', ref.node);
  const refText = ctx.stringValue(ref.column) ?? 'id';
  const dot = refText.lastIndexOf('.');
  if (!ref.table && dot > 0) {
    kw(ctx, b, refText.slice(0, dot).split('.').map((p) => `"${p}"`).join('.'), ref.column);
    kw(ctx, b, ` ("${refText.slice(dot + 1)}")`, ref.column);
  } else {
    appendTable(ctx, b, ref.table, ref.node);
    kw(ctx, b, ` ("${refText}")`, ref.column);
  }
  if (ref.onDelete) kw(ctx, b, ` on delete ${ref.onDelete}`, ref.node);
  ctx.emit(b, 'builder', call);
}

function alterColumn(ctx: PresetContext, table: TS.Expression | undefined, c: ColumnDef, call: TS.Node): void {
  const at = c.alter as TS.Node;
  const stmt = (tail: (b: SqlBuilder) => void): void => {
    const b = ctx.builder();
    prefix(ctx, b, 'alter table ', table, at);
    kw(ctx, b, ' alter column ', at);
    ctx.appendIdent(b, c.name, c.name);
    tail(b);
    ctx.emit(b, 'builder', call);
  };
  stmt((b) => kw(ctx, b, ' drop default', at));
  stmt((b) => kw(ctx, b, ' drop not null', at));
  stmt((b) => {
    kw(ctx, b, ` type ${c.type} using (`, c.typeNode);
    ctx.appendIdent(b, c.name, c.name);
    kw(ctx, b, `::${c.type})`, c.typeNode);
  });
  if (c.defaultTo) {
    const d = c.defaultTo;
    stmt((b) => {
      kw(ctx, b, ' set default ', d.node);
      appendDefault(ctx, b, d.value);
    });
  }
  if (c.notNull) stmt((b) => kw(ctx, b, ' set not null', c.notNull as TS.Node));
}

export const knexPreset: Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression): boolean => {
  const steps = chain.steps;
  const si = steps.findIndex((s) => s.name === 'schema');
  if (si < 0) return false;
  let schema: string | undefined;
  for (const s of steps.slice(si + 1)) {
    const a = s.call?.arguments ?? [];
    const tableArg = (): TS.Expression | undefined => {
      if (!schema || !a[0]) return a[0];
      const v = ctx.stringValue(a[0]);
      return v === undefined ? a[0] : ctx.ts.factory.createStringLiteral(`${schema}.${v}`);
    };
    switch (s.name) {
      case 'withSchema':
        schema = ctx.stringValue(a[0]);
        break;
      case 'createTable':
      case 'createTableIfNotExists':
        tableCallback(ctx, tableArg(), a[1], true, s.node, call);
        break;
      case 'alterTable':
      case 'table':
        tableCallback(ctx, tableArg(), a[1], false, s.node, call);
        break;
      case 'dropTable':
      case 'dropTableIfExists': {
        const b = ctx.builder();
        prefix(ctx, b, s.name === 'dropTable' ? 'drop table ' : 'drop table if exists ', a[0], s.node);
        ctx.emit(b, 'builder', call);
        break;
      }
      case 'renameTable': {
        const b = ctx.builder();
        prefix(ctx, b, 'alter table ', a[0], s.node);
        kw(ctx, b, ' rename to ', s.node);
        ctx.appendIdent(b, a[1], s.node);
        ctx.emit(b, 'builder', call);
        break;
      }
      case 'raw':
        if (a[0]) {
          const b = ctx.builder();
          ctx.appendSql(b, a[0]);
          ctx.emit(b, 'raw', call);
        }
        break;
      case 'hasTable':
      case 'hasColumn':
        return false;
    }
  }
  return true;
};
