/**
 * node-pg-migrate's MigrationBuilder (`pgm`), translated as its operations write SQL
 * (src/operations/tables.ts, indexes.ts, types.ts …; docs/runners.md): e.g. addColumns →
 * `ALTER TABLE "t" ADD "c" type NOT NULL DEFAULT …`, createIndex → `CREATE [UNIQUE] INDEX
 * [CONCURRENTLY] "t_c_index" ON "t" ("c")`.
 */
import type * as TS from 'typescript';
import { appendValue, boolValue, chainOf, kw, objectArg, prop, propName, stringList, unwrap, type Chain, type Preset, type PresetContext } from './context.ts';
import type { SqlBuilder } from './sql-builder.ts';

function tableSql(ctx: PresetContext, b: SqlBuilder, e: TS.Expression | undefined, at: TS.Node): void {
  const o = objectArg(ctx, e);
  if (o) {
    const schema = prop(ctx.ts, o, 'schema');
    if (schema) {
      ctx.appendIdent(b, schema, at);
      kw(ctx, b, '.', at);
    }
    ctx.appendIdent(b, prop(ctx.ts, o, 'name'), at);
  } else ctx.appendIdent(b, e, at);
}

function appendDefault(ctx: PresetContext, b: SqlBuilder, e: TS.Expression): void {
  const ts = ctx.ts;
  const v = unwrap(ts, e);
  const c = ts.isCallExpression(v) ? chainOf(ts, v) : undefined;
  const last = c?.steps[c.steps.length - 1];
  if (last?.name === 'func' && last.call?.arguments[0]) return ctx.appendSql(b, last.call.arguments[0]);
  appendValue(ctx, b, v);
}

/** `"c" type NOT NULL DEFAULT … REFERENCES …` for one column of a ColumnDefinitions object. */
function columnSql(ctx: PresetContext, b: SqlBuilder, p: TS.PropertyAssignment): void {
  const ts = ctx.ts;
  kw(ctx, b, `"${propName(ts, p.name) ?? 'column'}" `, p.name);
  const o = objectArg(ctx, p.initializer);
  const type = o ? prop(ts, o, 'type') : p.initializer;
  kw(ctx, b, ctx.stringValue(type) ?? 'text', type ?? p);
  if (!o) return;
  if (boolValue(ts, prop(ts, o, 'primaryKey'))) kw(ctx, b, ' PRIMARY KEY', prop(ts, o, 'primaryKey') as TS.Node);
  if (boolValue(ts, prop(ts, o, 'unique'))) kw(ctx, b, ' UNIQUE', prop(ts, o, 'unique') as TS.Node);
  const refs = prop(ts, o, 'references');
  if (refs) {
    kw(ctx, b, ' REFERENCES ', refs);
    const v = ctx.stringValue(refs);
    if (v !== undefined) kw(ctx, b, /[("]/.test(v) ? v : `"${v}"`, refs);
    else tableSql(ctx, b, refs, refs);
    const del = ctx.stringValue(prop(ts, o, 'onDelete'));
    if (del) kw(ctx, b, ` ON DELETE ${del}`, prop(ts, o, 'onDelete') as TS.Node);
  }
  if (boolValue(ts, prop(ts, o, 'notNull'))) kw(ctx, b, ' NOT NULL', prop(ts, o, 'notNull') as TS.Node);
  const def = prop(ts, o, 'default');
  if (def) {
    kw(ctx, b, ' DEFAULT ', def);
    appendDefault(ctx, b, def);
  }
}

function columnProps(ctx: PresetContext, e: TS.Expression | undefined): TS.PropertyAssignment[] {
  const o = objectArg(ctx, e);
  return [...(o?.properties ?? [])].filter((p): p is TS.PropertyAssignment => ctx.ts.isPropertyAssignment(p));
}

export const nodePgMigratePreset: Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression): boolean => {
  const ts = ctx.ts;
  const last = chain.steps[chain.steps.length - 1];
  const at = last.node;
  const [a0, a1, a2] = call.arguments;
  const alter = (fill: (b: SqlBuilder) => void): void => {
    const b = ctx.builder();
    kw(ctx, b, 'ALTER TABLE ', at);
    tableSql(ctx, b, a0, at);
    fill(b);
    ctx.emit(b, 'builder', call);
  };
  switch (last.name) {
    case 'noTransaction':
    case 'func':
      return true;
    case 'addColumns':
    case 'addColumn': {
      const cols = columnProps(ctx, a1);
      alter((b) => {
        cols.forEach((p, i) => {
          kw(ctx, b, i ? ',\n  ADD ' : '\n  ADD ', at);
          columnSql(ctx, b, p);
        });
      });
      return true;
    }
    case 'dropColumns':
    case 'dropColumn': {
      const o = objectArg(ctx, a1);
      const cols = o ? o.properties.map((p) => ({ value: p.name ? (propName(ts, p.name) ?? '') : '', node: p as unknown as TS.Expression })) : (stringList(ctx, a1) ?? []);
      alter((b) =>
        cols.forEach((c, i) => {
          kw(ctx, b, i ? ',\n  DROP ' : '\n  DROP ', at);
          if (o) kw(ctx, b, `"${c.value}"`, c.node);
          else ctx.appendIdent(b, c.node, c.node);
        }),
      );
      return true;
    }
    case 'renameColumn':
      alter((b) => {
        kw(ctx, b, ' RENAME ', at);
        ctx.appendIdent(b, a1, at);
        kw(ctx, b, ' TO ', at);
        ctx.appendIdent(b, a2, at);
      });
      return true;
    case 'alterColumn': {
      const o = objectArg(ctx, a2);
      if (!o) return true;
      const parts: ((b: SqlBuilder) => void)[] = [];
      const col = (b: SqlBuilder): void => {
        kw(ctx, b, 'ALTER ', at);
        ctx.appendIdent(b, a1, at);
      };
      const def = prop(ts, o, 'default');
      if (def) parts.push((b) => {
        col(b);
        if (def.kind === ts.SyntaxKind.NullKeyword) kw(ctx, b, ' DROP DEFAULT', def);
        else {
          kw(ctx, b, ' SET DEFAULT ', def);
          appendDefault(ctx, b, def);
        }
      });
      const type = prop(ts, o, 'type');
      if (type) parts.push((b) => {
        col(b);
        kw(ctx, b, ` SET DATA TYPE ${ctx.stringValue(type) ?? 'text'}`, type);
        const using = prop(ts, o, 'using');
        if (using) {
          kw(ctx, b, ' USING ', using);
          ctx.appendSql(b, using);
        }
      });
      const notNull = prop(ts, o, 'notNull') ?? prop(ts, o, 'allowNull');
      if (notNull) {
        const set = prop(ts, o, 'notNull') ? boolValue(ts, notNull) : !boolValue(ts, notNull);
        parts.push((b) => {
          col(b);
          kw(ctx, b, set ? ' SET NOT NULL' : ' DROP NOT NULL', notNull);
        });
      }
      if (parts.length) alter((b) => parts.forEach((p, i) => {
        kw(ctx, b, i ? ',\n  ' : '\n  ', at);
        p(b);
      }));
      return true;
    }
    case 'createIndex':
    case 'addIndex':
    case 'dropIndex': {
      const o = objectArg(ctx, a2);
      const cols = stringList(ctx, a1) ?? [];
      const flag = (k: string): boolean => (o ? boolValue(ts, prop(ts, o, k)) === true : false);
      const tName = ctx.stringValue(objectArg(ctx, a0) ? prop(ts, objectArg(ctx, a0) as TS.ObjectLiteralExpression, 'name') : a0) ?? 'table';
      const name = o ? prop(ts, o, 'name') : undefined;
      const b = ctx.builder();
      const concurrently = o ? prop(ts, o, 'concurrently') : undefined;
      const defaultName = `"${tName}_${cols.map((c) => c.value).join('_')}${flag('unique') ? '_unique' : ''}_index"`;
      if (last.name === 'dropIndex') {
        kw(ctx, b, `DROP INDEX ${flag('concurrently') ? 'CONCURRENTLY ' : ''}${flag('ifExists') ? 'IF EXISTS ' : ''}`, concurrently && flag('concurrently') ? concurrently : at);
        if (name) ctx.appendIdent(b, name, at);
        else kw(ctx, b, defaultName, at);
      } else {
        kw(ctx, b, `CREATE ${flag('unique') ? 'UNIQUE ' : ''}INDEX ${flag('concurrently') ? 'CONCURRENTLY ' : ''}${flag('ifNotExists') ? 'IF NOT EXISTS ' : ''}`, concurrently && flag('concurrently') ? concurrently : at);
        if (name) ctx.appendIdent(b, name, at);
        else kw(ctx, b, defaultName, at);
        kw(ctx, b, ' ON ', at);
        tableSql(ctx, b, a0, at);
        const method = o ? ctx.stringValue(prop(ts, o, 'method')) : undefined;
        if (method) kw(ctx, b, ` USING ${method}`, at);
        kw(ctx, b, ' (', at);
        cols.forEach((c, i) => {
          if (i) kw(ctx, b, ', ', at);
          // Expressions such as 'lower(email)' are written as given.
          if (/[()]/.test(c.value)) kw(ctx, b, c.value, c.node);
          else ctx.appendIdent(b, c.node, c.node);
        });
        kw(ctx, b, ')', at);
        const where = o ? prop(ts, o, 'where') : undefined;
        if (where) {
          kw(ctx, b, ' WHERE ', where);
          ctx.appendSql(b, where);
        }
      }
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'addConstraint':
    case 'createConstraint':
      alter((b) => {
        kw(ctx, b, '\n  ADD CONSTRAINT ', at);
        ctx.appendIdent(b, a1, at);
        kw(ctx, b, ' ', at);
        const o = objectArg(ctx, a2);
        if (!o) {
          if (a2) ctx.appendSql(b, a2);
          return;
        }
        const unique = prop(ts, o, 'unique');
        const check = prop(ts, o, 'check');
        const pk = prop(ts, o, 'primaryKey');
        const fk = objectArg(ctx, prop(ts, o, 'foreignKeys'));
        if (unique) {
          kw(ctx, b, 'UNIQUE (', unique);
          (stringList(ctx, unique) ?? []).forEach((c, i) => {
            if (i) kw(ctx, b, ', ', unique);
            ctx.appendIdent(b, c.node, c.node);
          });
          kw(ctx, b, ')', unique);
        } else if (pk) {
          kw(ctx, b, `PRIMARY KEY (${(stringList(ctx, pk) ?? []).map((c) => `"${c.value}"`).join(', ')})`, pk);
        } else if (check) {
          kw(ctx, b, 'CHECK (', check);
          ctx.appendSql(b, check);
          kw(ctx, b, ')', check);
        } else if (fk) {
          const cols = stringList(ctx, prop(ts, fk, 'columns')) ?? [];
          kw(ctx, b, `FOREIGN KEY (${cols.map((c) => `"${c.value}"`).join(', ')}) REFERENCES `, fk);
          const refs = prop(ts, fk, 'references');
          const v = ctx.stringValue(refs);
          if (v !== undefined) kw(ctx, b, /[("]/.test(v) ? v : `"${v}"`, refs as TS.Node);
          const del = ctx.stringValue(prop(ts, fk, 'onDelete'));
          if (del) kw(ctx, b, ` ON DELETE ${del}`, fk);
        }
      });
      return true;
    case 'dropConstraint':
      alter((b) => {
        kw(ctx, b, ' DROP CONSTRAINT ', at);
        ctx.appendIdent(b, a1, at);
      });
      return true;
    case 'createTable': {
      const b = ctx.builder();
      kw(ctx, b, 'CREATE TABLE ', at);
      tableSql(ctx, b, a0, at);
      kw(ctx, b, ' (\n  ', at);
      columnProps(ctx, a1).forEach((p, i) => {
        if (i) kw(ctx, b, ',\n  ', p);
        columnSql(ctx, b, p);
      });
      kw(ctx, b, '\n)', at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'dropTable': {
      const b = ctx.builder();
      kw(ctx, b, 'DROP TABLE ', at);
      tableSql(ctx, b, a0, at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'renameTable':
      alter((b) => {
        kw(ctx, b, ' RENAME TO ', at);
        tableSql(ctx, b, a1, at);
      });
      return true;
    case 'addTypeValue': {
      const b = ctx.builder();
      kw(ctx, b, 'ALTER TYPE ', at);
      tableSql(ctx, b, a0, at);
      kw(ctx, b, ' ADD VALUE ', at);
      if (a1) appendValue(ctx, b, a1);
      ctx.emit(b, 'builder', call);
      return true;
    }
    default:
      return false;
  }
};
