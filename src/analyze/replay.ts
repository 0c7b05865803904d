/**
 * Schema replay: applies one parsed statement to the schema model. Only effects on what the rules
 * read are modelled; anything else is ignored (a statement we do not model never throws).
 */
import type { AlterTableCmd, ColumnDef, Constraint, CreateStmt, Node, RangeVar } from 'libpg-query';
import { as, nameKey, nodeKind, relKey, str, strings, DEFAULT_SCHEMA } from '../parse/ast.ts';
import { columnFacts, typeRef } from './expr.ts';
import { HISTORY, type ColumnInfo, type Origin, type Schema, type TableInfo } from './schema.ts';
import { constraintInfo } from './constraints.ts';

export { constraintColumns, constraintInfo, defaultConstraintName } from './constraints.ts';

function columnInfo(def: ColumnDef, origin: Origin): ColumnInfo {
  const f = columnFacts(def);
  return {
    name: f.name,
    type: f.type,
    notNull: f.notNull,
    hasDefault: f.defaultExpr !== undefined || f.serial || f.identity,
    generated: f.generated,
    identity: f.identity,
    origin,
  };
}

function addColumnConstraints(schema: Schema, table: TableInfo, def: ColumnDef, origin: Origin): void {
  for (const c of def.constraints ?? []) {
    const con = as(c, 'Constraint');
    if (!con) continue;
    const info = constraintInfo(table.key, con, origin, def.colname);
    if (info && info.kind !== 'notnull') table.constraints.set(info.name, info);
    if (info && (info.kind === 'primary' || info.kind === 'unique')) {
      addIndex(schema, `${schemaOf(table.key)}.${info.name}`, table.key, info.kind === 'primary' || info.kind === 'unique', info.columns, origin);
    }
  }
}

function schemaOf(key: string): string {
  return key.slice(0, key.indexOf('.'));
}

function addIndex(schema: Schema, key: string, table: string, unique: boolean, columns: string[], origin: Origin, valid = true): void {
  schema.indexes.set(key, { key, table, unique, columns, valid, origin });
}

function createTable(schema: Schema, stmt: CreateStmt, origin: Origin): void {
  const key = relKey(stmt.relation);
  if (stmt.if_not_exists && schema.tables.has(key)) return;
  const table: TableInfo = {
    key,
    kind: stmt.partspec ? 'partitioned' : 'table',
    columns: new Map(),
    constraints: new Map(),
    origin,
    unlogged: stmt.relation?.relpersistence === 'u',
    tablespace: stmt.tablespacename && stmt.tablespacename !== 'pg_default' ? stmt.tablespacename : undefined,
    accessMethod: stmt.accessMethod && stmt.accessMethod !== 'heap' ? stmt.accessMethod : undefined,
  };
  if (stmt.partspec) {
    table.partitionKey = (stmt.partspec.partParams ?? []).map((p) => as(p, 'PartitionElem')?.name ?? 'expr');
    const strategy = stmt.partspec.strategy;
    table.partitionStrategy = strategy === 'PARTITION_STRATEGY_LIST' ? 'list' : strategy === 'PARTITION_STRATEGY_HASH' ? 'hash' : 'range';
  }
  if (stmt.partbound && stmt.inhRelations?.length) {
    const parent = relKey(as(stmt.inhRelations[0], 'RangeVar'));
    table.partitionOf = parent;
    const p = schema.tables.get(parent);
    if (p) for (const [n, c] of p.columns) table.columns.set(n, { ...c, origin });
  }
  schema.tables.set(key, table);
  for (const elt of stmt.tableElts ?? []) {
    const def = as(elt, 'ColumnDef');
    if (def) {
      table.columns.set(def.colname ?? '', columnInfo(def, origin));
      addColumnConstraints(schema, table, def, origin);
      continue;
    }
    const con = as(elt, 'Constraint');
    if (con) {
      const info = constraintInfo(key, con, origin);
      if (!info) continue;
      if (info.kind === 'notnull') {
        for (const c of info.columns) {
          const col = table.columns.get(c);
          if (col) col.notNull = true;
        }
        continue;
      }
      table.constraints.set(info.name, info);
      if (info.kind === 'primary') for (const c of info.columns) markNotNull(table, c);
      if (info.kind === 'primary' || info.kind === 'unique') addIndex(schema, `${schemaOf(key)}.${info.name}`, key, true, info.columns, origin);
    }
  }
}

function markNotNull(table: TableInfo, column: string): void {
  ensureColumn(table, column).notNull = true;
}

/**
 * A table the migrations use but never created (it predates them): modelled as existing, with
 * columns learned as statements mention them.
 */
function ensureTable(schema: Schema, key: string): TableInfo {
  let table = schema.tables.get(key);
  if (!table) {
    table = { key, kind: 'table', columns: new Map(), constraints: new Map(), origin: HISTORY, external: true };
    schema.tables.set(key, table);
  }
  return table;
}

function ensureColumn(table: TableInfo, name: string): ColumnInfo {
  let col = table.columns.get(name);
  if (!col) {
    col = { name, type: null, notNull: false, hasDefault: false, origin: HISTORY };
    table.columns.set(name, col);
  }
  return col;
}

function alterTable(schema: Schema, rel: RangeVar | undefined, cmds: Node[], origin: Origin): void {
  const key = relKey(rel);
  const table = ensureTable(schema, key);
  for (const c of cmds) {
    const cmd = as(c, 'AlterTableCmd');
    if (cmd) applyCmd(schema, table, cmd, origin);
  }
}

function applyCmd(schema: Schema, table: TableInfo, cmd: AlterTableCmd, origin: Origin): void {
  const col = cmd.name && cmd.subtype !== 'AT_DropColumn' && !cmd.subtype?.includes('Constraint') ? ensureColumn(table, cmd.name) : undefined;
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const def = as(cmd.def, 'ColumnDef');
      if (!def || (cmd.missing_ok && table.columns.has(def.colname ?? ''))) return;
      table.columns.set(def.colname ?? '', columnInfo(def, origin));
      addColumnConstraints(schema, table, def, origin);
      return;
    }
    case 'AT_DropColumn':
      table.columns.delete(cmd.name ?? '');
      for (const [n, con] of table.constraints) if (con.columns.includes(cmd.name ?? '')) table.constraints.delete(n);
      return;
    case 'AT_AlterColumnType': {
      const def = as(cmd.def, 'ColumnDef');
      if (col && def) col.type = typeRef(def.typeName);
      return;
    }
    case 'AT_SetNotNull':
      if (col) col.notNull = true;
      return;
    case 'AT_DropNotNull':
      if (col) col.notNull = false;
      return;
    case 'AT_ColumnDefault':
      if (col) col.hasDefault = cmd.def !== undefined;
      return;
    case 'AT_AddIdentity':
      if (col) {
        col.identity = true;
        col.notNull = true;
      }
      return;
    case 'AT_DropIdentity':
      if (col) col.identity = false;
      return;
    case 'AT_AddConstraint': {
      const con = as(cmd.def, 'Constraint');
      if (!con) return;
      const info = constraintInfo(table.key, con, origin);
      if (!info) return;
      if (info.kind === 'notnull' && info.validated) {
        for (const c of info.columns) markNotNull(table, c);
      }
      table.constraints.set(info.name, info);
      if (info.kind === 'primary') for (const c of info.columns) markNotNull(table, c);
      if (info.kind === 'primary' || info.kind === 'unique') {
        if (con.indexname) {
          // USING INDEX renames the index to the constraint name.
          const idx = schema.indexes.get(`${schemaOf(table.key)}.${con.indexname}`);
          schema.indexes.delete(`${schemaOf(table.key)}.${con.indexname}`);
          if (idx) {
            info.columns = idx.columns;
            if (info.kind === 'primary') for (const c of idx.columns) markNotNull(table, c);
          }
        }
        addIndex(schema, `${schemaOf(table.key)}.${info.name}`, table.key, true, info.columns, origin);
      }
      return;
    }
    case 'AT_ValidateConstraint': {
      const con = table.constraints.get(cmd.name ?? '');
      if (con) {
        con.validated = true;
        if (con.kind === 'notnull') for (const c of con.columns) markNotNull(table, c);
      }
      return;
    }
    case 'AT_DropConstraint':
      table.constraints.delete(cmd.name ?? '');
      schema.indexes.delete(`${schemaOf(table.key)}.${cmd.name ?? ''}`);
      return;
    case 'AT_SetTableSpace':
      table.tablespace = cmd.name === 'pg_default' ? undefined : cmd.name;
      return;
    case 'AT_SetAccessMethod':
      table.accessMethod = cmd.name === 'heap' ? undefined : cmd.name;
      return;
    case 'AT_SetLogged':
      table.unlogged = false;
      return;
    case 'AT_SetUnLogged':
      table.unlogged = true;
      return;
    case 'AT_AttachPartition': {
      const spec = as(cmd.def, 'PartitionCmd');
      const part = schema.tables.get(relKey(spec?.name));
      if (part) part.partitionOf = table.key;
      return;
    }
    case 'AT_DetachPartition': {
      const spec = as(cmd.def, 'PartitionCmd');
      const part = schema.tables.get(relKey(spec?.name));
      if (part) part.partitionOf = undefined;
      return;
    }
    default:
      return;
  }
}

function renameRelation(schema: Schema, from: string, toName: string): void {
  const t = schema.tables.get(from);
  if (t) {
    const to = `${schemaOf(from)}.${toName}`;
    schema.tables.delete(from);
    t.key = to;
    schema.tables.set(to, t);
    for (const i of schema.indexes.values()) if (i.table === from) i.table = to;
    return;
  }
  const i = schema.indexes.get(from);
  if (i) {
    schema.indexes.delete(from);
    i.key = `${schemaOf(from)}.${toName}`;
    schema.indexes.set(i.key, i);
  }
}

/** Function volatility from CREATE FUNCTION options; Postgres' default is VOLATILE. */
function functionVolatility(options: Node[] | undefined): 'i' | 's' | 'v' {
  for (const o of options ?? []) {
    const d = as(o, 'DefElem');
    if (d?.defname === 'volatility') {
      const v = str(d.arg);
      return v === 'immutable' ? 'i' : v === 'stable' ? 's' : 'v';
    }
  }
  return 'v';
}

/** Applies a statement's schema effects. */
export function applyStatement(schema: Schema, node: Node, origin: Origin): void {
  switch (nodeKind(node)) {
    case 'CreateStmt':
      return createTable(schema, (node as { CreateStmt: CreateStmt }).CreateStmt, origin);
    case 'CreateTableAsStmt': {
      const s = as(node, 'CreateTableAsStmt');
      const key = relKey(s?.into?.rel);
      if (s && !(s.if_not_exists && schema.tables.has(key))) {
        schema.tables.set(key, {
          key,
          kind: s.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table',
          columns: new Map(),
          constraints: new Map(),
          origin,
        });
      }
      return;
    }
    case 'ViewStmt': {
      const s = as(node, 'ViewStmt');
      const key = relKey(s?.view);
      const existing = schema.tables.get(key);
      schema.tables.set(key, { key, kind: 'view', columns: new Map(), constraints: new Map(), origin: existing?.origin ?? origin });
      return;
    }
    case 'AlterTableStmt': {
      const s = as(node, 'AlterTableStmt');
      if (s) alterTable(schema, s.relation, s.cmds ?? [], origin);
      return;
    }
    case 'IndexStmt': {
      const s = as(node, 'IndexStmt');
      if (!s) return;
      const table = relKey(s.relation);
      const cols = (s.indexParams ?? []).map((p) => as(p, 'IndexElem')?.name ?? 'expr');
      const name = s.idxname ?? `${s.relation?.relname ?? ''}_${cols.join('_')}_idx`;
      const key = `${s.relation?.schemaname ?? DEFAULT_SCHEMA}.${name}`;
      if (s.if_not_exists && schema.indexes.has(key)) return;
      addIndex(schema, key, table, !!s.unique, cols, origin);
      return;
    }
    case 'RenameStmt': {
      const s = as(node, 'RenameStmt');
      if (!s?.newname) return;
      const rel = relKey(s.relation);
      switch (s.renameType) {
        case 'OBJECT_TABLE':
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
        case 'OBJECT_INDEX':
        case 'OBJECT_SEQUENCE':
        case 'OBJECT_FOREIGN_TABLE':
          return renameRelation(schema, rel, s.newname);
        case 'OBJECT_COLUMN': {
          const t = schema.tables.get(rel);
          const c = t?.columns.get(s.subname ?? '');
          if (t && c) {
            t.columns.delete(c.name);
            c.name = s.newname;
            t.columns.set(c.name, c);
            for (const con of t.constraints.values()) {
              con.columns = con.columns.map((x) => (x === s.subname ? s.newname ?? x : x));
              con.provesNotNull = con.provesNotNull.map((x) => (x === s.subname ? s.newname ?? x : x));
            }
          }
          return;
        }
        case 'OBJECT_TABCONSTRAINT': {
          const t = schema.tables.get(rel);
          const con = t?.constraints.get(s.subname ?? '');
          if (t && con) {
            t.constraints.delete(con.name);
            con.name = s.newname;
            t.constraints.set(con.name, con);
          }
          return;
        }
        case 'OBJECT_TYPE': {
          const key = nameKey(strings(as(s.object, 'List')?.items));
          const e = schema.enums.get(key);
          if (e) {
            schema.enums.delete(key);
            e.key = `${schemaOf(key)}.${s.newname}`;
            schema.enums.set(e.key, e);
          }
          return;
        }
        default:
          return;
      }
    }
    case 'DropStmt': {
      const s = as(node, 'DropStmt');
      if (!s) return;
      for (const obj of s.objects ?? []) {
        const names = strings(as(obj, 'List')?.items);
        const key = names.length ? nameKey(names) : nameKey(strings([obj]));
        switch (s.removeType) {
          case 'OBJECT_TABLE':
          case 'OBJECT_VIEW':
          case 'OBJECT_MATVIEW':
          case 'OBJECT_FOREIGN_TABLE':
            schema.tables.delete(key);
            for (const [k, i] of schema.indexes) if (i.table === key) schema.indexes.delete(k);
            break;
          case 'OBJECT_INDEX':
            schema.indexes.delete(key);
            break;
          case 'OBJECT_SEQUENCE':
            schema.sequences.delete(key);
            break;
          case 'OBJECT_TYPE': {
            const tn = as(obj, 'TypeName');
            const k = tn ? nameKey(strings(tn.names)) : key;
            schema.enums.delete(k);
            break;
          }
          case 'OBJECT_DOMAIN': {
            const tn = as(obj, 'TypeName');
            schema.domains.delete(tn ? nameKey(strings(tn.names)) : key);
            break;
          }
          case 'OBJECT_SCHEMA': {
            const name = str(obj) ?? names[0] ?? '';
            schema.schemas.delete(name);
            for (const k of [...schema.tables.keys()]) if (k.startsWith(`${name}.`)) schema.tables.delete(k);
            for (const k of [...schema.indexes.keys()]) if (k.startsWith(`${name}.`)) schema.indexes.delete(k);
            break;
          }
          case 'OBJECT_FUNCTION': {
            const fn = as(obj, 'ObjectWithArgs');
            if (fn) schema.functions.delete(nameKey(strings(fn.objname)));
            break;
          }
          default:
            break;
        }
      }
      return;
    }
    case 'CreateEnumStmt': {
      const s = as(node, 'CreateEnumStmt');
      const key = nameKey(strings(s?.typeName));
      schema.enums.set(key, { key, values: strings(s?.vals), origin, added: new Map() });
      return;
    }
    case 'AlterEnumStmt': {
      const s = as(node, 'AlterEnumStmt');
      const e = schema.enums.get(nameKey(strings(s?.typeName)));
      if (!e || !s) return;
      if (s.oldVal && s.newVal) {
        e.values = e.values.map((v) => (v === s.oldVal ? (s.newVal ?? v) : v));
      } else if (s.newVal && !e.values.includes(s.newVal)) {
        e.values.push(s.newVal);
        e.added.set(s.newVal, origin);
      }
      return;
    }
    case 'CreateFunctionStmt': {
      const s = as(node, 'CreateFunctionStmt');
      if (s) schema.functions.set(nameKey(strings(s.funcname)), functionVolatility(s.options));
      return;
    }
    case 'CreateDomainStmt': {
      const s = as(node, 'CreateDomainStmt');
      const key = nameKey(strings(s?.domainname));
      const constraints = (s?.constraints ?? [])
        .map((c) => as(c, 'Constraint'))
        .filter((c): c is Constraint => c?.contype === 'CONSTR_CHECK' || c?.contype === 'CONSTR_NOTNULL')
        .map((c, i) => ({ name: c.conname ?? `${key.slice(key.indexOf('.') + 1)}_check${i || ''}`, kind: c.contype === 'CONSTR_CHECK' ? ('check' as const) : ('notnull' as const), validated: true }));
      schema.domains.set(key, { key, baseType: typeRef(s?.typeName), constraints, origin });
      return;
    }
    case 'AlterDomainStmt': {
      const s = as(node, 'AlterDomainStmt');
      const domain = schema.domains.get(nameKey(strings(s?.typeName)));
      if (!s || !domain) return;
      const con = as(s.def, 'Constraint');
      if (s.subtype === 'C' && con) domain.constraints.push({ name: con.conname ?? `${domain.key.slice(domain.key.indexOf('.') + 1)}_check`, kind: con.contype === 'CONSTR_NOTNULL' ? 'notnull' : 'check', validated: !con.skip_validation });
      else if (s.subtype === 'V') domain.constraints.forEach((c) => c.name === s.name && (c.validated = true));
      else if (s.subtype === 'X') domain.constraints = domain.constraints.filter((c) => c.name !== s.name);
      else if (s.subtype === 'O') domain.constraints.push({ name: `${domain.key}_not_null`, kind: 'notnull', validated: true });
      else if (s.subtype === 'N') domain.constraints = domain.constraints.filter((c) => c.kind !== 'notnull');
      return;
    }
    case 'CreateSeqStmt': {
      const s = as(node, 'CreateSeqStmt');
      schema.sequences.set(relKey(s?.sequence), origin);
      return;
    }
    case 'CreateSchemaStmt': {
      const s = as(node, 'CreateSchemaStmt');
      if (s?.schemaname) schema.schemas.set(s.schemaname, origin);
      return;
    }
    default:
      return;
  }
}
