/**
 * Kysely schema builders (`db.schema.*…execute()`), translated as Kysely's DefaultQueryCompiler
 * writes them for PostgreSQL (src/query-compiler/default-query-compiler.ts; docs/runners.md):
 * lower-case keywords, double-quoted identifiers, several alterTable actions in one statement.
 * A builder without `.execute()` sends nothing.
 */
import type * as TS from 'typescript';
import { appendValue, chainOf, kw, stringList, unwrap, type Chain, type ChainStep, type Preset, type PresetContext } from './context.ts';
import type { SqlBuilder } from './sql-builder.ts';

function appendType(ctx: PresetContext, b: SqlBuilder, e: TS.Expression | undefined, at: TS.Node): void {
  if (!e) return kw(ctx, b, 'text', at);
  const v = ctx.stringValue(e);
  if (v !== undefined) return kw(ctx, b, v, e);
  ctx.appendSql(b, e);
}

function appendDefault(ctx: PresetContext, b: SqlBuilder, e: TS.Expression): void {
  const ts = ctx.ts;
  const v = unwrap(ts, e);
  if (ts.isTaggedTemplateExpression(v)) return ctx.appendSql(b, v);
  appendValue(ctx, b, v);
}

/** Column modifiers from the callback `(col) => col.notNull().defaultTo(…)`. */
function columnDef(ctx: PresetContext, b: SqlBuilder, name: TS.Expression | undefined, type: TS.Expression | undefined, cb: TS.Expression | undefined, at: TS.Node): void {
  const ts = ctx.ts;
  ctx.appendIdent(b, name, at);
  kw(ctx, b, ' ', at);
  appendType(ctx, b, type, at);
  const fn = cb ? unwrap(ts, cb) : undefined;
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
  let body: TS.Node = fn.body;
  if (ts.isBlock(body)) {
    const ret = body.statements.find(ts.isReturnStatement);
    if (!ret?.expression) return;
    body = ret.expression;
  }
  const steps = chainOf(ts, body as TS.Expression).steps;
  const mods: Record<string, ChainStep> = {};
  for (const s of steps) mods[s.name] = s;
  if (mods.defaultTo?.call?.arguments[0]) {
    kw(ctx, b, ' default ', mods.defaultTo.node);
    appendDefault(ctx, b, mods.defaultTo.call.arguments[0]);
  }
  if (mods.primaryKey) kw(ctx, b, ' primary key', mods.primaryKey.node);
  if (mods.references?.call?.arguments[0]) {
    const r = ctx.stringValue(mods.references.call.arguments[0]) ?? 'zd_dynamic.id';
    const dot = r.lastIndexOf('.');
    kw(ctx, b, ` references ${r.slice(0, dot).split('.').map((p) => `"${p}"`).join('.')} ("${r.slice(dot + 1)}")`, mods.references.node);
    const del = ctx.stringValue(mods.onDelete?.call?.arguments[0]);
    if (del) kw(ctx, b, ` on delete ${del}`, mods.onDelete.node);
  }
  if (mods.unique) kw(ctx, b, ' unique', mods.unique.node);
  if (mods.notNull) kw(ctx, b, ' not null', mods.notNull.node);
}

function cols(ctx: PresetContext, b: SqlBuilder, e: TS.Expression | undefined, at: TS.Node): void {
  kw(ctx, b, '(', at);
  (stringList(ctx, e) ?? []).forEach((c, i) => {
    if (i) kw(ctx, b, ', ', at);
    ctx.appendIdent(b, c.node, c.node);
  });
  kw(ctx, b, ')', at);
}

export const kyselyPreset: Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression): boolean => {
  const steps = chain.steps;
  const si = steps.findIndex((s) => s.name === 'schema');
  const last = steps[steps.length - 1];
  if (si < 0) return false;
  if (last.name !== 'execute' && last.name !== 'executeTakeFirst') return true; // built, not sent
  let rest = steps.slice(si + 1, -1);
  let schema: TS.Expression | undefined;
  if (rest[0]?.name === 'withSchema') {
    schema = rest[0].call?.arguments[0];
    rest = rest.slice(1);
  }
  const head = rest[0];
  if (!head?.call) return true;
  const a = head.call.arguments;
  const at = head.node;
  const b = ctx.builder();
  const table = (e: TS.Expression | undefined, node: TS.Node): void => {
    if (schema) {
      ctx.appendIdent(b, schema, node);
      kw(ctx, b, '.', node);
    }
    const v = ctx.stringValue(e);
    if (v !== undefined && v.includes('.') && e) kw(ctx, b, v.split('.').map((p) => `"${p}"`).join('.'), e);
    else ctx.appendIdent(b, e, node);
  };
  const mods = new Set(rest.map((s) => s.name));
  switch (head.name) {
    case 'alterTable': {
      kw(ctx, b, 'alter table ', at);
      table(a[0], at);
      let first = true;
      for (const s of rest.slice(1)) {
        const x = s.call?.arguments ?? [];
        const sep = (): void => {
          kw(ctx, b, first ? ' ' : ', ', s.node);
          first = false;
        };
        switch (s.name) {
          case 'addColumn':
            sep();
            kw(ctx, b, 'add column ', s.node);
            columnDef(ctx, b, x[0], x[1], x[2], s.node);
            break;
          case 'dropColumn':
            sep();
            kw(ctx, b, 'drop column ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            break;
          case 'renameColumn':
            sep();
            kw(ctx, b, 'rename column ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            kw(ctx, b, ' to ', s.node);
            ctx.appendIdent(b, x[1], s.node);
            break;
          case 'renameTo':
            sep();
            kw(ctx, b, 'rename to ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            break;
          case 'alterColumn': {
            sep();
            kw(ctx, b, 'alter column ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            const fn = x[1] ? unwrap(ctx.ts, x[1]) : undefined;
            if (fn && (ctx.ts.isArrowFunction(fn) || ctx.ts.isFunctionExpression(fn)) && !ctx.ts.isBlock(fn.body)) {
              const inner = chainOf(ctx.ts, fn.body as TS.Expression).steps[0];
              const ia = inner?.call?.arguments ?? [];
              if (inner?.name === 'setDataType') {
                kw(ctx, b, ' type ', inner.node);
                appendType(ctx, b, ia[0], inner.node);
              } else if (inner?.name === 'setDefault' && ia[0]) {
                kw(ctx, b, ' set default ', inner.node);
                appendDefault(ctx, b, ia[0]);
              } else if (inner?.name === 'dropDefault') kw(ctx, b, ' drop default', inner.node);
              else if (inner?.name === 'setNotNull') kw(ctx, b, ' set not null', inner.node);
              else if (inner?.name === 'dropNotNull') kw(ctx, b, ' drop not null', inner.node);
            }
            break;
          }
          case 'addUniqueConstraint':
            sep();
            kw(ctx, b, 'add constraint ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            kw(ctx, b, ' unique ', s.node);
            cols(ctx, b, x[1], s.node);
            break;
          case 'addPrimaryKeyConstraint':
            sep();
            kw(ctx, b, 'add constraint ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            kw(ctx, b, ' primary key ', s.node);
            cols(ctx, b, x[1], s.node);
            break;
          case 'addForeignKeyConstraint':
            sep();
            kw(ctx, b, 'add constraint ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            kw(ctx, b, ' foreign key ', s.node);
            cols(ctx, b, x[1], s.node);
            kw(ctx, b, ' references ', s.node);
            ctx.appendIdent(b, x[2], s.node);
            kw(ctx, b, ' ', s.node);
            cols(ctx, b, x[3], s.node);
            break;
          case 'addCheckConstraint':
            sep();
            kw(ctx, b, 'add constraint ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            kw(ctx, b, ' check (', s.node);
            if (x[1]) ctx.appendSql(b, x[1]);
            kw(ctx, b, ')', s.node);
            break;
          case 'dropConstraint':
            sep();
            kw(ctx, b, 'drop constraint ', s.node);
            ctx.appendIdent(b, x[0], s.node);
            break;
        }
      }
      break;
    }
    case 'createTable': {
      kw(ctx, b, `create table ${mods.has('ifNotExists') ? 'if not exists ' : ''}`, at);
      table(a[0], at);
      kw(ctx, b, ' (', at);
      let first = true;
      for (const s of rest.slice(1)) {
        const x = s.call?.arguments ?? [];
        if (s.name === 'addColumn') {
          if (!first) kw(ctx, b, ', ', s.node);
          first = false;
          columnDef(ctx, b, x[0], x[1], x[2], s.node);
        } else if (s.name === 'addPrimaryKeyConstraint' || s.name === 'addUniqueConstraint') {
          kw(ctx, b, ', constraint ', s.node);
          ctx.appendIdent(b, x[0], s.node);
          kw(ctx, b, s.name === 'addUniqueConstraint' ? ' unique ' : ' primary key ', s.node);
          cols(ctx, b, x[1], s.node);
        } else if (s.name === 'addForeignKeyConstraint') {
          kw(ctx, b, ', constraint ', s.node);
          ctx.appendIdent(b, x[0], s.node);
          kw(ctx, b, ' foreign key ', s.node);
          cols(ctx, b, x[1], s.node);
          kw(ctx, b, ' references ', s.node);
          ctx.appendIdent(b, x[2], s.node);
          kw(ctx, b, ' ', s.node);
          cols(ctx, b, x[3], s.node);
        }
      }
      kw(ctx, b, ')', at);
      break;
    }
    case 'createIndex': {
      const uniqueStep = rest.find((s) => s.name === 'unique');
      kw(ctx, b, `create ${uniqueStep ? 'unique ' : ''}index ${mods.has('ifNotExists') ? 'if not exists ' : ''}`, at);
      ctx.appendIdent(b, a[0], at);
      const on = rest.find((s) => s.name === 'on');
      kw(ctx, b, ' on ', on?.node ?? at);
      table(on?.call?.arguments[0], on?.node ?? at);
      const using = rest.find((s) => s.name === 'using');
      if (using) kw(ctx, b, ` using ${ctx.stringValue(using.call?.arguments[0]) ?? 'btree'}`, using.node);
      kw(ctx, b, ' (', at);
      let n = 0;
      for (const s of rest) {
        const x = s.call?.arguments[0];
        if (s.name === 'column' || s.name === 'columns') {
          for (const c of stringList(ctx, x) ?? []) {
            if (n++) kw(ctx, b, ', ', s.node);
            ctx.appendIdent(b, c.node, c.node);
          }
        } else if (s.name === 'expression' && x) {
          if (n++) kw(ctx, b, ', ', s.node);
          ctx.appendSql(b, x);
        }
      }
      kw(ctx, b, ')', at);
      const where = rest.find((s) => s.name === 'where');
      if (where?.call?.arguments[0] && where.call.arguments.length === 1) {
        kw(ctx, b, ' where ', where.node);
        ctx.appendSql(b, where.call.arguments[0]);
      }
      break;
    }
    case 'dropTable':
    case 'dropIndex':
    case 'dropType':
    case 'dropView':
    case 'dropSchema': {
      kw(ctx, b, `drop ${head.name.slice(4).toLowerCase()} ${mods.has('ifExists') ? 'if exists ' : ''}`, at);
      table(a[0], at);
      if (mods.has('cascade')) kw(ctx, b, ' cascade', at);
      break;
    }
    case 'createType': {
      kw(ctx, b, 'create type ', at);
      table(a[0], at);
      const asEnum = rest.find((s) => s.name === 'asEnum');
      const vals = stringList(ctx, asEnum?.call?.arguments[0]) ?? [];
      kw(ctx, b, ` as enum (${vals.map((v) => `'${v.value.replace(/'/g, "''")}'`).join(', ')})`, asEnum?.node ?? at);
      break;
    }
    case 'createSchema':
      kw(ctx, b, `create schema ${mods.has('ifNotExists') ? 'if not exists ' : ''}`, at);
      ctx.appendIdent(b, a[0], at);
      break;
    default:
      ctx.unanalyzable(call, `Kysely schema builder \`${head.name}\` is not translated by zerodown yet; the DDL it sends is not checked`);
      return true;
  }
  ctx.emit(b, 'builder', call);
  return true;
};
