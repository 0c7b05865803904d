/**
 * TypeORM QueryRunner builder methods, translated as TypeORM's PostgresQueryRunner builds them
 * (src/driver/postgres/PostgresQueryRunner.ts: addColumn, buildCreateColumnSql, createIndexSql,
 * createForeignKeySql …; see docs/runners.md). Notable: a TableColumn is NOT NULL unless
 * `isNullable: true`, and `default` is inserted verbatim as SQL; changeColumn with a new type or
 * length drops the column and adds it again.
 */
import type * as TS from 'typescript';
import { appendTable, arrayArg, boolValue, kw, objectArg, prop, stringList, type Chain, type Preset, type PresetContext } from './context.ts';
import type { SqlBuilder } from './sql-builder.ts';

function columnName(ctx: PresetContext, expr: TS.Expression | undefined): TS.Expression | undefined {
  const obj = objectArg(ctx, expr);
  return obj ? prop(ctx.ts, obj, 'name') : expr;
}

/** `"name" type NOT NULL DEFAULT …`, as buildCreateColumnSql writes it. */
function columnSql(ctx: PresetContext, b: SqlBuilder, col: TS.ObjectLiteralExpression): void {
  const ts = ctx.ts;
  const name = prop(ts, col, 'name');
  ctx.appendIdent(b, name, col);
  const type = prop(ts, col, 'type');
  const generated = boolValue(ts, prop(ts, col, 'isGenerated'));
  const strategy = ctx.stringValue(prop(ts, col, 'generationStrategy'));
  const typeText = ctx.stringValue(type) ?? 'text';
  const at = type ?? col;
  if (generated && (strategy ?? 'increment') === 'increment') {
    kw(ctx, b, /big/i.test(typeText) ? ' BIGSERIAL' : /small/i.test(typeText) ? ' SMALLSERIAL' : ' SERIAL', at);
  } else {
    kw(ctx, b, ` ${typeText}`, at);
    const length = ctx.stringValue(prop(ts, col, 'length'));
    const precision = ctx.stringValue(prop(ts, col, 'precision'));
    const scale = ctx.stringValue(prop(ts, col, 'scale'));
    if (length) kw(ctx, b, `(${length})`, prop(ts, col, 'length') as TS.Node);
    else if (precision) kw(ctx, b, scale ? `(${precision},${scale})` : `(${precision})`, prop(ts, col, 'precision') as TS.Node);
    if (boolValue(ts, prop(ts, col, 'isArray'))) kw(ctx, b, ' array', at);
  }
  const nullable = prop(ts, col, 'isNullable');
  if (boolValue(ts, nullable) !== true) kw(ctx, b, ' NOT NULL', nullable ?? name ?? col);
  const def = prop(ts, col, 'default');
  if (def && def.kind !== ts.SyntaxKind.NullKeyword && def.kind !== ts.SyntaxKind.UndefinedKeyword) {
    kw(ctx, b, ' DEFAULT ', def);
    appendDefault(ctx, b, def);
  } else if (generated && strategy === 'uuid') kw(ctx, b, ' DEFAULT uuid_generate_v4()', prop(ts, col, 'generationStrategy') as TS.Node);
}

/** TypeORM writes `default` verbatim: a string is SQL (`"'x'"`, `"now()"`), a number or boolean its text. */
function appendDefault(ctx: PresetContext, b: SqlBuilder, def: TS.Expression): void {
  const ts = ctx.ts;
  const e = ctx.resolve(def) ?? def;
  if (ts.isArrowFunction(e)) {
    const body = e.body;
    if (!ts.isBlock(body)) return ctx.appendSql(b, body);
  }
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || ts.isNumericLiteral(e)) return kw(ctx, b, e.getText(), def);
  ctx.appendSql(b, def);
}

function alterTable(ctx: PresetContext, b: SqlBuilder, table: TS.Expression | undefined, at: TS.Node): void {
  kw(ctx, b, 'ALTER TABLE ', at);
  appendTable(ctx, b, tableName(ctx, table), at);
  kw(ctx, b, ' ', at);
}

/** A table given as a name or a Table object. */
function tableName(ctx: PresetContext, expr: TS.Expression | undefined): TS.Expression | undefined {
  const obj = objectArg(ctx, expr);
  return obj ? prop(ctx.ts, obj, 'name') : expr;
}

function addColumn(ctx: PresetContext, table: TS.Expression | undefined, colExpr: TS.Expression, at: TS.Node, call: TS.Node): void {
  const ts = ctx.ts;
  const col = objectArg(ctx, colExpr);
  const b = ctx.builder();
  alterTable(ctx, b, table, at);
  kw(ctx, b, 'ADD ', at);
  if (!col) {
    ctx.unanalyzable(colExpr, 'the column definition is not an object literal of this file, so the DDL TypeORM sends cannot be derived');
    return;
  }
  columnSql(ctx, b, col);
  ctx.emit(b, 'builder', call);
  const name = prop(ts, col, 'name');
  if (boolValue(ts, prop(ts, col, 'isUnique'))) {
    const u = ctx.builder();
    alterTable(ctx, u, table, at);
    kw(ctx, u, 'ADD CONSTRAINT ', prop(ts, col, 'isUnique') as TS.Node);
    kw(ctx, u, `"UQ_${ctx.stringValue(name) ?? 'column'}" UNIQUE (`, prop(ts, col, 'isUnique') as TS.Node);
    ctx.appendIdent(u, name, col);
    kw(ctx, u, ')', col);
    ctx.emit(u, 'builder', call);
  }
}

function indexSql(ctx: PresetContext, table: TS.Expression | undefined, idxExpr: TS.Expression | undefined, at: TS.Node, call: TS.Node): void {
  const ts = ctx.ts;
  const idx = objectArg(ctx, idxExpr);
  if (!idx) {
    if (idxExpr) ctx.unanalyzable(idxExpr, 'the index definition is not an object literal of this file, so the DDL TypeORM sends cannot be derived');
    return;
  }
  const b = ctx.builder();
  const unique = boolValue(ts, prop(ts, idx, 'isUnique'));
  const concurrent = boolValue(ts, prop(ts, idx, 'isConcurrent'));
  kw(ctx, b, `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${concurrent ? 'CONCURRENTLY ' : ''}`, at);
  const name = prop(ts, idx, 'name');
  ctx.appendIdent(b, name, at);
  kw(ctx, b, ' ON ', at);
  appendTable(ctx, b, tableName(ctx, table), at);
  kw(ctx, b, ' ', at);
  const cols = stringList(ctx, prop(ts, idx, 'columnNames'));
  if (cols) appendCols(ctx, b, cols, at);
  else kw(ctx, b, '(zd_dynamic_columns)', at);
  const where = prop(ts, idx, 'where');
  if (where) {
    kw(ctx, b, ' WHERE ', where);
    ctx.appendSql(b, where);
  }
  ctx.emit(b, 'builder', call);
}

function appendCols(ctx: PresetContext, b: SqlBuilder, cols: { value: string; node: TS.Expression }[], at: TS.Node): void {
  kw(ctx, b, '(', at);
  cols.forEach((c, i) => {
    if (i) kw(ctx, b, ', ', at);
    ctx.appendIdent(b, c.node, c.node);
  });
  kw(ctx, b, ')', at);
}

function foreignKey(ctx: PresetContext, table: TS.Expression | undefined, fkExpr: TS.Expression | undefined, at: TS.Node, call: TS.Node): void {
  const ts = ctx.ts;
  const fk = objectArg(ctx, fkExpr);
  if (!fk) {
    if (fkExpr) ctx.unanalyzable(fkExpr, 'the foreign key definition is not an object literal of this file, so the DDL TypeORM sends cannot be derived');
    return;
  }
  const b = ctx.builder();
  alterTable(ctx, b, table, at);
  kw(ctx, b, 'ADD CONSTRAINT ', at);
  const name = prop(ts, fk, 'name');
  if (name) ctx.appendIdent(b, name, at);
  else kw(ctx, b, '"FK_zerodown"', at);
  kw(ctx, b, ' FOREIGN KEY ', at);
  appendCols(ctx, b, stringList(ctx, prop(ts, fk, 'columnNames')) ?? [], at);
  kw(ctx, b, ' REFERENCES ', at);
  appendTable(ctx, b, prop(ts, fk, 'referencedTableName'), at);
  appendCols(ctx, b, stringList(ctx, prop(ts, fk, 'referencedColumnNames')) ?? [], at);
  for (const [key, sqlKw] of [['onDelete', ' ON DELETE '], ['onUpdate', ' ON UPDATE ']] as const) {
    const v = ctx.stringValue(prop(ts, fk, key));
    if (v) kw(ctx, b, `${sqlKw}${v}`, prop(ts, fk, key) as TS.Node);
  }
  ctx.emit(b, 'builder', call);
}

function constraint(ctx: PresetContext, table: TS.Expression | undefined, expr: TS.Expression | undefined, kind: 'UNIQUE' | 'CHECK' | 'PRIMARY KEY', at: TS.Node, call: TS.Node): void {
  const ts = ctx.ts;
  const obj = objectArg(ctx, expr);
  const b = ctx.builder();
  alterTable(ctx, b, table, at);
  kw(ctx, b, 'ADD CONSTRAINT ', at);
  const name = obj ? prop(ts, obj, 'name') : undefined;
  if (name) ctx.appendIdent(b, name, at);
  else kw(ctx, b, `"${kind === 'PRIMARY KEY' ? 'PK' : kind === 'CHECK' ? 'CHK' : 'UQ'}_zerodown"`, at);
  kw(ctx, b, ` ${kind} `, at);
  if (kind === 'CHECK') {
    const e = obj ? prop(ts, obj, 'expression') : undefined;
    kw(ctx, b, '(', at);
    if (e) ctx.appendSql(b, e);
    kw(ctx, b, ')', at);
  } else {
    const cols = kind === 'PRIMARY KEY' && !obj ? stringList(ctx, expr) : stringList(ctx, obj ? prop(ts, obj, 'columnNames') : undefined);
    appendCols(ctx, b, cols ?? [], at);
  }
  ctx.emit(b, 'builder', call);
}

function dropConstraint(ctx: PresetContext, table: TS.Expression | undefined, expr: TS.Expression | undefined, at: TS.Node, call: TS.Node): void {
  const b = ctx.builder();
  alterTable(ctx, b, table, at);
  kw(ctx, b, 'DROP CONSTRAINT ', at);
  ctx.appendIdent(b, columnName(ctx, expr), at);
  ctx.emit(b, 'builder', call);
}

function createTable(ctx: PresetContext, expr: TS.Expression | undefined, ifNotExists: boolean, at: TS.Node, call: TS.Node): void {
  const ts = ctx.ts;
  const obj = objectArg(ctx, expr);
  if (!obj) {
    if (expr) ctx.unanalyzable(expr, 'the table definition is not an object literal of this file, so the DDL TypeORM sends cannot be derived');
    return;
  }
  const name = prop(ts, obj, 'name');
  const b = ctx.builder();
  kw(ctx, b, `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}`, at);
  appendTable(ctx, b, name, at);
  kw(ctx, b, ' (', at);
  const cols = arrayArg(ctx, prop(ts, obj, 'columns')) ?? [];
  const primary: TS.Expression[] = [];
  cols.forEach((c, i) => {
    const col = objectArg(ctx, c);
    if (!col) return;
    if (i) kw(ctx, b, ', ', c);
    columnSql(ctx, b, col);
    if (boolValue(ts, prop(ts, col, 'isPrimary'))) primary.push(prop(ts, col, 'name') ?? col);
    if (boolValue(ts, prop(ts, col, 'isUnique'))) {
      kw(ctx, b, ' UNIQUE', prop(ts, col, 'isUnique') as TS.Node);
    }
  });
  if (primary.length) {
    kw(ctx, b, ', PRIMARY KEY (', at);
    primary.forEach((p, i) => {
      if (i) kw(ctx, b, ', ', at);
      ctx.appendIdent(b, p, p);
    });
    kw(ctx, b, ')', at);
  }
  kw(ctx, b, ')', at);
  ctx.emit(b, 'builder', call);
  for (const fk of arrayArg(ctx, prop(ts, obj, 'foreignKeys')) ?? []) foreignKey(ctx, name, fk, at, call);
  for (const idx of arrayArg(ctx, prop(ts, obj, 'indices')) ?? []) indexSql(ctx, name, idx, at, call);
}

export const typeormPreset: Preset = (ctx: PresetContext, chain: Chain, call: TS.CallExpression): boolean => {
  const ts = ctx.ts;
  const last = chain.steps[chain.steps.length - 1];
  const at = last.node;
  const [a0, a1, a2] = call.arguments;
  switch (last.name) {
    case 'addColumn':
      if (a1) addColumn(ctx, a0, a1, at, call);
      return true;
    case 'addColumns':
      for (const c of arrayArg(ctx, a1) ?? []) addColumn(ctx, a0, c, at, call);
      return true;
    case 'dropColumn':
    case 'dropColumns': {
      const cols = last.name === 'dropColumn' ? [a1] : (arrayArg(ctx, a1) ?? []);
      for (const c of cols) {
        const b = ctx.builder();
        alterTable(ctx, b, a0, at);
        kw(ctx, b, 'DROP COLUMN ', at);
        ctx.appendIdent(b, columnName(ctx, c), at);
        ctx.emit(b, 'builder', call);
      }
      return true;
    }
    case 'renameColumn': {
      const b = ctx.builder();
      alterTable(ctx, b, a0, at);
      kw(ctx, b, 'RENAME COLUMN ', at);
      ctx.appendIdent(b, columnName(ctx, a1), at);
      kw(ctx, b, ' TO ', at);
      ctx.appendIdent(b, columnName(ctx, a2), at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'changeColumn': {
      const oldCol = objectArg(ctx, a1);
      const newCol = objectArg(ctx, a2);
      if (!newCol) {
        if (a2) ctx.unanalyzable(a2, 'the new column definition is not an object literal of this file, so the DDL TypeORM sends cannot be derived');
        return true;
      }
      const oldName = oldCol ? prop(ts, oldCol, 'name') : a1;
      const newName = prop(ts, newCol, 'name');
      const oldType = oldCol ? ctx.stringValue(prop(ts, oldCol, 'type')) : undefined;
      const newType = ctx.stringValue(prop(ts, newCol, 'type'));
      const lenChanged = oldCol !== undefined && ctx.stringValue(prop(ts, oldCol, 'length')) !== ctx.stringValue(prop(ts, newCol, 'length'));
      if ((oldType !== undefined && newType !== undefined && oldType !== newType) || lenChanged || !oldCol) {
        // TypeORM recreates the column when its type or length changes (data is lost).
        const d = ctx.builder();
        alterTable(ctx, d, a0, at);
        kw(ctx, d, 'DROP COLUMN ', at);
        ctx.appendIdent(d, oldName, at);
        ctx.emit(d, 'builder', call);
        addColumn(ctx, a0, a2 as TS.Expression, at, call);
        return true;
      }
      if (ctx.stringValue(oldName) !== ctx.stringValue(newName)) {
        const r = ctx.builder();
        alterTable(ctx, r, a0, at);
        kw(ctx, r, 'RENAME COLUMN ', at);
        ctx.appendIdent(r, oldName, at);
        kw(ctx, r, ' TO ', at);
        ctx.appendIdent(r, newName, at);
        ctx.emit(r, 'builder', call);
      }
      const wasNullable = boolValue(ts, prop(ts, oldCol, 'isNullable')) === true;
      const isNullable = boolValue(ts, prop(ts, newCol, 'isNullable')) === true;
      if (wasNullable !== isNullable) {
        const n = ctx.builder();
        alterTable(ctx, n, a0, at);
        kw(ctx, n, 'ALTER COLUMN ', at);
        ctx.appendIdent(n, newName, at);
        kw(ctx, n, isNullable ? ' DROP NOT NULL' : ' SET NOT NULL', prop(ts, newCol, 'isNullable') ?? at);
        ctx.emit(n, 'builder', call);
      }
      const def = prop(ts, newCol, 'default');
      if (def && def.getText() !== prop(ts, oldCol, 'default')?.getText()) {
        const s = ctx.builder();
        alterTable(ctx, s, a0, at);
        kw(ctx, s, 'ALTER COLUMN ', at);
        ctx.appendIdent(s, newName, at);
        kw(ctx, s, ' SET DEFAULT ', def);
        appendDefault(ctx, s, def);
        ctx.emit(s, 'builder', call);
      }
      return true;
    }
    case 'createIndex':
      indexSql(ctx, a0, a1, at, call);
      return true;
    case 'createIndices':
      for (const i of arrayArg(ctx, a1) ?? []) indexSql(ctx, a0, i, at, call);
      return true;
    case 'dropIndex':
    case 'dropIndices': {
      const names = last.name === 'dropIndex' ? [a1] : (arrayArg(ctx, a1) ?? []);
      for (const n of names) {
        const b = ctx.builder();
        kw(ctx, b, 'DROP INDEX ', at);
        ctx.appendIdent(b, columnName(ctx, n), at);
        ctx.emit(b, 'builder', call);
      }
      return true;
    }
    case 'createForeignKey':
      foreignKey(ctx, a0, a1, at, call);
      return true;
    case 'createForeignKeys':
      for (const f of arrayArg(ctx, a1) ?? []) foreignKey(ctx, a0, f, at, call);
      return true;
    case 'createUniqueConstraint':
      constraint(ctx, a0, a1, 'UNIQUE', at, call);
      return true;
    case 'createCheckConstraint':
      constraint(ctx, a0, a1, 'CHECK', at, call);
      return true;
    case 'createPrimaryKey':
      constraint(ctx, a0, a1, 'PRIMARY KEY', at, call);
      return true;
    case 'dropForeignKey':
    case 'dropUniqueConstraint':
    case 'dropCheckConstraint':
      dropConstraint(ctx, a0, a1, at, call);
      return true;
    case 'createTable':
      createTable(ctx, a0, boolValue(ts, a1) === true, at, call);
      return true;
    case 'dropTable': {
      const b = ctx.builder();
      kw(ctx, b, `DROP TABLE ${boolValue(ts, a1) ? 'IF EXISTS ' : ''}`, at);
      appendTable(ctx, b, tableName(ctx, a0), at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    case 'renameTable': {
      const b = ctx.builder();
      alterTable(ctx, b, a0, at);
      kw(ctx, b, 'RENAME TO ', at);
      ctx.appendIdent(b, tableName(ctx, a1), at);
      ctx.emit(b, 'builder', call);
      return true;
    }
    default:
      return false;
  }
};
