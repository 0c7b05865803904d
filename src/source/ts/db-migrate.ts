/**
 * db-migrate's migration API (`db.addColumn`, `db.addIndex` …), translated as db-migrate-pg writes
 * it (index.js, and db-migrate-base's createColumnDef; docs/runners.md). `db.runSql` is raw SQL
 * and handled by the extractor.
 */
import type * as TS from 'typescript';
import { appendValue, boolValue, kw, objectArg, prop, stringList, type Chain, type Preset, type PresetContext } from './context.ts';
import type { SqlBuilder } from './sql-builder.ts';

const TYPES: Record<string, string> = {
  string: 'VARCHAR',
  char: 'CHAR',
  text: 'TEXT',
  int: 'INTEGER',
  integer: 'INTEGER',
  smallint: 'SMALLINT',
  bigint: 'BIGINT',
  real: 'REAL',
  decimal: 'DECIMAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
  timestamp: 'TIMESTAMP',
  time: 'TIME',
  blob: 'BYTEA',
  binary: 'BYTEA',
  json: 'JSON',
  jsonb: 'JSONB',
  uuid: 'UUID',
};

function columnSql(ctx: PresetContext, b: SqlBuilder, spec: TS.Expression | undefined, at: TS.Node): void {
  const ts = ctx.ts;
  const o = objectArg(ctx, spec);
  const typeExpr = o ? prop(ts, o, 'type') : spec;
  const type = ctx.stringValue(typeExpr) ?? 'text';
  const length = o ? ctx.stringValue(prop(ts, o, 'length')) : undefined;
  const auto = o && boolValue(ts, prop(ts, o, 'autoIncrement'));
  kw(ctx, b, auto ? (type === 'bigint' ? 'BIGSERIAL' : 'SERIAL') : `${TYPES[type.toLowerCase()] ?? type}${length ? `(${length})` : ''}`, typeExpr ?? at);
  if (!o) return;
  if (boolValue(ts, prop(ts, o, 'primaryKey'))) kw(ctx, b, ' PRIMARY KEY', prop(ts, o, 'primaryKey') as TS.Node);
  if (boolValue(ts, prop(ts, o, 'notNull'))) kw(ctx, b, ' NOT NULL', prop(ts, o, 'notNull') as TS.Node);
  if (boolValue(ts, prop(ts, o, 'unique'))) kw(ctx, b, ' UNIQUE', prop(ts, o, 'unique') as TS.Node);
  const def = prop(ts, o, 'defaultValue');
  if (def) {
    kw(ctx, b, ' DEFAULT ', def);
    const raw = objectArg(ctx, def);
    const special = raw ? prop(ts, raw, 'raw') ?? prop(ts, raw, 'special') : undefined;
    if (special) ctx.appendSql(b, special);
    else appendValue(ctx, b, def);
  }
}

export const dbMigratePreset: Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression): boolean => {
  const ts = ctx.ts;
  const last = chain.steps[chain.steps.length - 1];
  const at = last.node;
  const [a0, a1, a2, a3] = call.arguments;
  const b = ctx.builder();
  const alter = (): void => {
    kw(ctx, b, 'ALTER TABLE ', at);
    ctx.appendIdent(b, a0, at);
  };
  switch (last.name) {
    case 'addColumn':
      alter();
      kw(ctx, b, ' ADD COLUMN ', at);
      ctx.appendIdent(b, a1, at);
      kw(ctx, b, ' ', at);
      columnSql(ctx, b, a2, at);
      break;
    case 'removeColumn':
      alter();
      kw(ctx, b, ' DROP COLUMN ', at);
      ctx.appendIdent(b, a1, at);
      break;
    case 'renameColumn':
      alter();
      kw(ctx, b, ' RENAME COLUMN ', at);
      ctx.appendIdent(b, a1, at);
      kw(ctx, b, ' TO ', at);
      ctx.appendIdent(b, a2, at);
      break;
    case 'changeColumn': {
      const o = objectArg(ctx, a2);
      const type = o ? prop(ts, o, 'type') : undefined;
      alter();
      kw(ctx, b, ' ALTER COLUMN ', at);
      ctx.appendIdent(b, a1, at);
      if (type) kw(ctx, b, ` TYPE ${TYPES[(ctx.stringValue(type) ?? '').toLowerCase()] ?? ctx.stringValue(type) ?? 'text'}`, type);
      const nn = o ? prop(ts, o, 'notNull') : undefined;
      if (nn) kw(ctx, b, `${type ? ', ALTER COLUMN ' + (ctx.stringValue(a1) ? `"${ctx.stringValue(a1)}"` : 'zd_dynamic') : ''} ${boolValue(ts, nn) ? 'SET' : 'DROP'} NOT NULL`, nn);
      break;
    }
    case 'addIndex': {
      const unique = boolValue(ts, a3) === true;
      kw(ctx, b, `CREATE ${unique ? 'UNIQUE ' : ''}INDEX `, at);
      ctx.appendIdent(b, a1, at);
      kw(ctx, b, ' ON ', at);
      ctx.appendIdent(b, a0, at);
      kw(ctx, b, ' (', at);
      (stringList(ctx, a2) ?? []).forEach((c, i) => {
        if (i) kw(ctx, b, ', ', at);
        ctx.appendIdent(b, c.node, c.node);
      });
      kw(ctx, b, ')', at);
      break;
    }
    case 'removeIndex':
      kw(ctx, b, 'DROP INDEX ', at);
      ctx.appendIdent(b, a1 ?? a0, at);
      break;
    case 'addForeignKey': {
      // addForeignKey(table, referencedTable, keyName, { column: referencedColumn }, rules)
      alter();
      kw(ctx, b, ' ADD CONSTRAINT ', at);
      ctx.appendIdent(b, a2, at);
      const map = objectArg(ctx, a3);
      const pairs = [...(map?.properties ?? [])].filter((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p));
      kw(ctx, b, ` FOREIGN KEY (${pairs.map((p) => `"${p.name.getText().replace(/^['"]|['"]$/g, '')}"`).join(', ')}) REFERENCES `, at);
      ctx.appendIdent(b, a1, at);
      kw(ctx, b, ` (${pairs.map((p) => `"${ctx.stringValue(p.initializer) ?? 'id'}"`).join(', ')})`, at);
      const rules = objectArg(ctx, call.arguments[4]);
      const del = rules ? ctx.stringValue(prop(ts, rules, 'onDelete')) : undefined;
      if (del) kw(ctx, b, ` ON DELETE ${del}`, at);
      break;
    }
    case 'removeForeignKey':
      alter();
      kw(ctx, b, ' DROP CONSTRAINT ', at);
      ctx.appendIdent(b, a1, at);
      break;
    case 'createTable': {
      kw(ctx, b, 'CREATE TABLE ', at);
      ctx.appendIdent(b, a0, at);
      kw(ctx, b, ' (', at);
      const o = objectArg(ctx, a1);
      const cols = o && prop(ts, o, 'columns') ? objectArg(ctx, prop(ts, o, 'columns')) : o;
      [...(cols?.properties ?? [])].filter((p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p)).forEach((p, i) => {
        if (i) kw(ctx, b, ', ', p);
        kw(ctx, b, `"${p.name.getText().replace(/^['"]|['"]$/g, '')}" `, p.name);
        columnSql(ctx, b, p.initializer, p);
      });
      kw(ctx, b, ')', at);
      break;
    }
    case 'dropTable':
      kw(ctx, b, 'DROP TABLE ', at);
      ctx.appendIdent(b, a0, at);
      break;
    case 'renameTable':
      alter();
      kw(ctx, b, ' RENAME TO ', at);
      ctx.appendIdent(b, a1, at);
      break;
    default:
      return false;
  }
  ctx.emit(b, 'builder', call);
  return true;
};
