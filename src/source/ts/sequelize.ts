/**
 * Sequelize queryInterface methods, translated as Sequelize's PostgreSQL QueryGenerator writes them
 * (src/dialects/postgres/query-generator.js: addColumnQuery, changeColumnQuery, addIndexQuery,
 * attributeToSQL …; docs/runners.md). changeColumn sends SET/DROP NOT NULL, SET/DROP DEFAULT and
 * TYPE as separate ALTER TABLE statements; addIndex honours `concurrently: true`.
 */
import type * as TS from 'typescript';
import { appendTable, appendValue, arrayArg, boolValue, chainOf, kw, objectArg, prop, stringList, unwrap, type Chain, type Preset, type PresetContext } from './context.ts';
import type { SqlBuilder } from './sql-builder.ts';

const TYPES: Record<string, string> = {
  STRING: 'VARCHAR(255)',
  CHAR: 'CHAR(255)',
  TEXT: 'TEXT',
  CITEXT: 'CITEXT',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  SMALLINT: 'SMALLINT',
  FLOAT: 'FLOAT',
  REAL: 'REAL',
  DOUBLE: 'DOUBLE PRECISION',
  DECIMAL: 'DECIMAL',
  BOOLEAN: 'BOOLEAN',
  DATE: 'TIMESTAMP WITH TIME ZONE',
  DATEONLY: 'DATE',
  TIME: 'TIME',
  UUID: 'UUID',
  JSON: 'JSON',
  JSONB: 'JSONB',
  BLOB: 'BYTEA',
  INET: 'INET',
  TSVECTOR: 'TSVECTOR',
  ENUM: 'ENUM',
};

/** The SQL type of `Sequelize.STRING(100)`, `DataTypes.ARRAY(DataTypes.TEXT)`, `'varchar(10)'`. */
function typeSql(ctx: PresetContext, expr: TS.Expression | undefined, table: string, column: string): string {
  const ts = ctx.ts;
  if (!expr) return 'TEXT';
  const e = unwrap(ts, ctx.resolve(expr) ?? expr);
  const literal = ctx.stringValue(e);
  if (literal !== undefined) return literal;
  const chain = chainOf(ts, e);
  const step = chain.steps.find((s) => s.name in TYPES);
  if (!step) return 'TEXT';
  const args = step.call?.arguments ?? [];
  if (step.name === 'ENUM') return `"enum_${table}_${column}"`;
  if (chain.steps.some((s) => s.name === 'ARRAY') && step.name !== 'ARRAY') return `${TYPES[step.name]}[]`;
  if ((step.name === 'STRING' || step.name === 'CHAR') && args[0]) return `${step.name === 'STRING' ? 'VARCHAR' : 'CHAR'}(${ctx.stringValue(args[0]) ?? '255'})`;
  if (step.name === 'DECIMAL' && args[0]) return `DECIMAL(${args.map((a) => ctx.stringValue(a)).join(',')})`;
  return TYPES[step.name];
}

interface Attr {
  obj?: TS.ObjectLiteralExpression;
  type?: TS.Expression;
}

function attr(ctx: PresetContext, expr: TS.Expression | undefined): Attr {
  const obj = objectArg(ctx, expr);
  return obj ? { obj, type: prop(ctx.ts, obj, 'type') } : { type: expr };
}

function appendDefault(ctx: PresetContext, b: SqlBuilder, e: TS.Expression): void {
  const ts = ctx.ts;
  const v = unwrap(ts, ctx.resolve(e) ?? e);
  const chain = chainOf(ts, v);
  const last = chain.steps[chain.steps.length - 1];
  if (last?.name === 'NOW') return kw(ctx, b, 'now()', v);
  if ((last?.name === 'literal' || last?.name === 'fn') && last.call?.arguments[0]) {
    if (last.name === 'fn') {
      kw(ctx, b, `${ctx.stringValue(last.call.arguments[0]) ?? 'zd_dynamic'}()`, v);
      return;
    }
    return ctx.appendSql(b, last.call.arguments[0]);
  }
  if (last?.name === 'UUIDV4') return kw(ctx, b, 'gen_random_uuid()', v);
  appendValue(ctx, b, v);
}

/** `TYPE NOT NULL DEFAULT … UNIQUE REFERENCES …` (attributeToSQL). */
function attributeSql(ctx: PresetContext, b: SqlBuilder, a: Attr, table: string, column: string, at: TS.Node): void {
  const ts = ctx.ts;
  kw(ctx, b, typeSql(ctx, a.type, table, column), a.type ?? at);
  if (!a.obj) return;
  const o = a.obj;
  const allowNull = prop(ts, o, 'allowNull');
  if (boolValue(ts, allowNull) === false) kw(ctx, b, ' NOT NULL', allowNull as TS.Node);
  const def = prop(ts, o, 'defaultValue');
  if (def) {
    kw(ctx, b, ' DEFAULT ', def);
    appendDefault(ctx, b, def);
  }
  if (boolValue(ts, prop(ts, o, 'unique'))) kw(ctx, b, ' UNIQUE', prop(ts, o, 'unique') as TS.Node);
  if (boolValue(ts, prop(ts, o, 'primaryKey'))) kw(ctx, b, ' PRIMARY KEY', prop(ts, o, 'primaryKey') as TS.Node);
  const refs = prop(ts, o, 'references');
  const ro = objectArg(ctx, refs);
  if (refs && ro) {
    kw(ctx, b, ' REFERENCES ', refs);
    const model = prop(ts, ro, 'model') ?? prop(ts, ro, 'table');
    const mo = objectArg(ctx, model);
    appendTable(ctx, b, mo ? prop(ts, mo, 'tableName') : model, refs);
    kw(ctx, b, ` ("${ctx.stringValue(prop(ts, ro, 'key')) ?? 'id'}")`, refs);
    for (const [k, sqlKw] of [['onDelete', ' ON DELETE '], ['onUpdate', ' ON UPDATE ']] as const) {
      const v = ctx.stringValue(prop(ts, o, k));
      if (v) kw(ctx, b, `${sqlKw}${v.toUpperCase()}`, prop(ts, o, k) as TS.Node);
    }
  }
}

function alter(ctx: PresetContext, b: SqlBuilder, table: TS.Expression | undefined, at: TS.Node): void {
  kw(ctx, b, 'ALTER TABLE ', at);
  appendTable(ctx, b, table, at);
}

function tableOf(ctx: PresetContext, e: TS.Expression | undefined): TS.Expression | undefined {
  const o = objectArg(ctx, e);
  return o ? prop(ctx.ts, o, 'tableName') : e;
}

export const sequelizePreset: Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression): boolean => {
  const ts = ctx.ts;
  const last = chain.steps[chain.steps.length - 1];
  const at = last.node;
  const args = call.arguments;
  const table = tableOf(ctx, args[0]);
  const tName = ctx.stringValue(table) ?? 'table';
  switch (last.name) {
    case 'addColumn': {
      const b = ctx.builder();
      alter(ctx, b, table, at);
      kw(ctx, b, ' ADD COLUMN ', at);
      ctx.appendIdent(b, args[1], at);
      kw(ctx, b, ' ', at);
      attributeSql(ctx, b, attr(ctx, args[2]), tName, ctx.stringValue(args[1]) ?? 'column', at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'removeColumn': {
      const b = ctx.builder();
      alter(ctx, b, table, at);
      kw(ctx, b, ' DROP COLUMN ', at);
      ctx.appendIdent(b, args[1], at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'renameColumn': {
      const b = ctx.builder();
      alter(ctx, b, table, at);
      kw(ctx, b, ' RENAME COLUMN ', at);
      ctx.appendIdent(b, args[1], at);
      kw(ctx, b, ' TO ', at);
      ctx.appendIdent(b, args[2], at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'changeColumn': {
      const a = attr(ctx, args[2]);
      const col = ctx.stringValue(args[1]) ?? 'column';
      const stmt = (fill: (b: SqlBuilder) => void): void => {
        const b = ctx.builder();
        alter(ctx, b, table, at);
        kw(ctx, b, ' ALTER COLUMN ', at);
        ctx.appendIdent(b, args[1], at);
        fill(b);
        ctx.emit(b, 'builder', call);
      };
      const allowNull = a.obj ? prop(ts, a.obj, 'allowNull') : undefined;
      stmt((b) => kw(ctx, b, boolValue(ts, allowNull) === false ? ' SET NOT NULL' : ' DROP NOT NULL', allowNull ?? at));
      const def = a.obj ? prop(ts, a.obj, 'defaultValue') : undefined;
      stmt((b) => {
        if (def) {
          kw(ctx, b, ' SET DEFAULT ', def);
          appendDefault(ctx, b, def);
        } else kw(ctx, b, ' DROP DEFAULT', at);
      });
      stmt((b) => {
        kw(ctx, b, ' TYPE ', a.type ?? at);
        kw(ctx, b, typeSql(ctx, a.type, tName, col), a.type ?? at);
      });
      return true;
    }
    case 'addIndex': {
      // addIndex(table, fields, options) or addIndex(table, options)
      const first = unwrap(ts, ctx.resolve(args[1]) ?? args[1]);
      const options = first && ts.isObjectLiteralExpression(first) ? first : objectArg(ctx, args[2]);
      const fieldsExpr = first && ts.isObjectLiteralExpression(first) ? prop(ts, first, 'fields') : args[1];
      const cols = stringList(ctx, fieldsExpr) ?? [];
      const o = options;
      const unique = o && (boolValue(ts, prop(ts, o, 'unique')) || ctx.stringValue(prop(ts, o, 'type'))?.toUpperCase() === 'UNIQUE');
      const concurrently = o && boolValue(ts, prop(ts, o, 'concurrently'));
      const b = ctx.builder();
      kw(ctx, b, `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}`, concurrently && o ? (prop(ts, o, 'concurrently') as TS.Node) : at);
      const name = o ? prop(ts, o, 'name') : undefined;
      if (name) ctx.appendIdent(b, name, at);
      else kw(ctx, b, `"${`${tName.split('.').pop()}_${cols.map((c) => c.value).join('_')}`.replace(/[^\w]/g, '_').toLowerCase()}"`, at);
      kw(ctx, b, ' ON ', at);
      appendTable(ctx, b, table, at);
      const using = o ? ctx.stringValue(prop(ts, o, 'using')) : undefined;
      if (using) kw(ctx, b, ` USING ${using}`, at);
      kw(ctx, b, ' (', at);
      cols.forEach((c, i) => {
        if (i) kw(ctx, b, ', ', at);
        ctx.appendIdent(b, ts.isObjectLiteralExpression(unwrap(ts, c.node)) ? ts.factory.createStringLiteral(c.value) : c.node, c.node);
      });
      kw(ctx, b, ')', at);
      const where = o ? prop(ts, o, 'where') : undefined;
      if (where && ctx.stringValue(where) !== undefined) {
        kw(ctx, b, ' WHERE ', where);
        ctx.appendSql(b, where);
      }
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'removeIndex': {
      const o = objectArg(ctx, args[2]);
      const concurrently = o && boolValue(ts, prop(ts, o, 'concurrently'));
      const b = ctx.builder();
      kw(ctx, b, `DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS `, at);
      const v = unwrap(ts, ctx.resolve(args[1]) ?? args[1]);
      if (v && ts.isArrayLiteralExpression(v)) {
        const cols = stringList(ctx, v) ?? [];
        kw(ctx, b, `"${`${tName.split('.').pop()}_${cols.map((c) => c.value).join('_')}`.toLowerCase()}"`, v);
      } else ctx.appendIdent(b, args[1], at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'addConstraint': {
      // v6: addConstraint(table, { type, fields, name, references, onDelete }); v5: addConstraint(table, fields, options)
      const o = objectArg(ctx, args[1]) ?? objectArg(ctx, args[2]);
      if (!o) return true;
      const type = (ctx.stringValue(prop(ts, o, 'type')) ?? '').toLowerCase();
      const cols = stringList(ctx, prop(ts, o, 'fields') ?? args[1]) ?? [];
      const suffix = type === 'foreign key' ? 'fk' : type === 'unique' ? 'uk' : type === 'check' ? 'ck' : 'pk';
      const b = ctx.builder();
      alter(ctx, b, table, at);
      kw(ctx, b, ' ADD CONSTRAINT ', at);
      const name = prop(ts, o, 'name');
      if (name) ctx.appendIdent(b, name, at);
      else kw(ctx, b, `"${tName.split('.').pop()}_${cols.map((c) => c.value).join('_')}_${suffix}"`, at);
      const colList = (): void => {
        kw(ctx, b, ' (', at);
        cols.forEach((c, i) => {
          if (i) kw(ctx, b, ', ', at);
          ctx.appendIdent(b, c.node, c.node);
        });
        kw(ctx, b, ')', at);
      };
      if (type === 'foreign key') {
        kw(ctx, b, ' FOREIGN KEY', at);
        colList();
        const r = objectArg(ctx, prop(ts, o, 'references'));
        kw(ctx, b, ' REFERENCES ', at);
        appendTable(ctx, b, r ? prop(ts, r, 'table') : undefined, at);
        kw(ctx, b, ` ("${(r && ctx.stringValue(prop(ts, r, 'field'))) ?? 'id'}")`, at);
        for (const [k, sqlKw] of [['onDelete', ' ON DELETE '], ['onUpdate', ' ON UPDATE ']] as const) {
          const v = ctx.stringValue(prop(ts, o, k));
          if (v) kw(ctx, b, `${sqlKw}${v.toUpperCase()}`, prop(ts, o, k) as TS.Node);
        }
      } else if (type === 'unique') {
        kw(ctx, b, ' UNIQUE', at);
        colList();
      } else if (type === 'primary key') {
        kw(ctx, b, ' PRIMARY KEY', at);
        colList();
      } else if (type === 'check') {
        kw(ctx, b, ' CHECK (zd_dynamic_check)', at);
      }
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'removeConstraint': {
      const b = ctx.builder();
      alter(ctx, b, table, at);
      kw(ctx, b, ' DROP CONSTRAINT ', at);
      ctx.appendIdent(b, args[1], at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'createTable': {
      const o = objectArg(ctx, args[1]);
      const b = ctx.builder();
      kw(ctx, b, 'CREATE TABLE IF NOT EXISTS ', at);
      appendTable(ctx, b, table, at);
      kw(ctx, b, ' (', at);
      const primary: string[] = [];
      (o?.properties ?? []).forEach((p, i) => {
        if (!ts.isPropertyAssignment(p)) return;
        const col = p.name.getText().replace(/^['"]|['"]$/g, '');
        if (i) kw(ctx, b, ', ', p);
        kw(ctx, b, `"${col}" `, p.name);
        const a = attr(ctx, p.initializer);
        if (a.obj && boolValue(ts, prop(ts, a.obj, 'autoIncrement'))) {
          kw(ctx, b, /BIGINT/.test(typeSql(ctx, a.type, tName, col)) ? 'BIGSERIAL' : 'SERIAL', p);
          if (boolValue(ts, prop(ts, a.obj, 'primaryKey'))) primary.push(col);
          return;
        }
        if (a.obj && boolValue(ts, prop(ts, a.obj, 'primaryKey'))) {
          primary.push(col);
          const copy: Attr = { type: a.type };
          kw(ctx, b, typeSql(ctx, copy.type, tName, col), a.type ?? p);
          if (boolValue(ts, prop(ts, a.obj, 'allowNull')) === false) kw(ctx, b, ' NOT NULL', p);
          return;
        }
        attributeSql(ctx, b, a, tName, col, p);
      });
      if (primary.length) kw(ctx, b, `, PRIMARY KEY (${primary.map((c) => `"${c}"`).join(', ')})`, at);
      kw(ctx, b, ')', at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'dropTable': {
      const b = ctx.builder();
      kw(ctx, b, 'DROP TABLE IF EXISTS ', at);
      appendTable(ctx, b, table, at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'renameTable': {
      const b = ctx.builder();
      alter(ctx, b, table, at);
      kw(ctx, b, ' RENAME TO ', at);
      ctx.appendIdent(b, tableOf(ctx, args[1]), at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    default:
      void arrayArg;
      return false;
  }
};
