/**
 * Recipe proofs, part 2a: what a fixture creates (pass 1) and the model of the objects it uses
 * but never creates, filled in by recipe-uses.ts (pass 2) and turned into SQL by recipe-synth.ts.
 * Reads libpg-query's JSON AST generically (any node kind a fixture may hold), hence `AnyNode`.
 */
import { constraintInfo } from '../src/analyze/replay.ts';
import { HISTORY } from '../src/analyze/schema.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type AnyNode = any;


export const q = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
export const split = (key: string): [string, string] => [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
export const qkey = (key: string): string => {
  const [s, n] = split(key);
  return s === 'public' ? q(n) : `${q(s)}.${q(n)}`;
};
export const rvKey = (rv: AnyNode): string => `${rv?.schemaname ?? 'public'}.${rv?.relname ?? ''}`;
export const nameKey = (names: string[]): string => (names.length === 1 ? `public.${names[0]}` : `${names[names.length - 2]}.${names[names.length - 1]}`);
export const strs = (list: AnyNode[] | undefined): string[] => (list ?? []).map((n) => n?.String?.sval).filter((x): x is string => typeof x === 'string');

export type RelKind = 'table' | 'view' | 'matview' | 'partitioned';

export interface ColHint {
  type: string;
  prio: number;
}

export interface RelModel {
  key: string;
  kind: RelKind;
  cols: Map<string, ColHint>;
  unique: string[][];
  noPk: boolean;
  partition?: { strategy: 'range' | 'list' | 'hash'; key: string; keyType: string };
  /** Parent key when this table must pre-exist as a partition. */
  partitionOf?: string;
  /** How the fixture uses it: a table it only INSERTs into is synthesized empty. */
  usage: Set<string>;
}

export interface Collected {
  created: Set<string>;
  createdIndexes: Set<string>;
  createdConstraints: Set<string>;
  createdTypes: Set<string>;
  createdSchemas: Set<string>;
  /** table key → columns the fixture adds (never pre-existing). */
  added: Map<string, Set<string>>;
  rels: Map<string, RelModel>;
  indexes: Set<string>;
  constraints: Map<string, Set<string>>;
  types: Map<string, { kind: 'enum' | 'domain' | 'unknown'; values: string[] }>;
  schemas: Set<string>;
  sequences: Set<string>;
}

export const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'oid']);
export const NUMERIC_FUNCS = new Set(['round', 'abs', 'floor', 'ceil', 'ceiling', 'trunc', 'sum', 'avg', 'sign', 'sqrt', 'power', 'mod']);
export const TEXT_FUNCS = new Set(['upper', 'lower', 'char_length', 'length', 'btrim', 'ltrim', 'rtrim', 'trim', 'md5', 'initcap', 'substr', 'substring', 'left', 'right', 'replace', 'concat']);

export function renderType(tn: AnyNode): string {
  const names = strs(tn?.names);
  if (!names.length) return 'text';
  const base = names[0] === 'pg_catalog' ? names[names.length - 1] : names.map(q).join('.');
  const mods = (tn.typmods ?? []).map((m: AnyNode) => m?.A_Const?.ival?.ival ?? m?.A_Const?.ival ?? 0);
  const modText = mods.length && base !== 'interval' ? `(${mods.map((m: unknown) => (typeof m === 'number' ? m : 0)).join(', ')})` : '';
  return `${base}${modText}${tn.arrayBounds?.length ? '[]' : ''}`;
}

export function constType(c: AnyNode): string | undefined {
  if (!c) return undefined;
  if (c.ival !== undefined) return 'bigint';
  if (c.fval !== undefined) return 'numeric';
  if (c.boolval !== undefined) return 'boolean';
  if (c.sval !== undefined) return /^\d{4}-\d{2}-\d{2}/.test(c.sval.sval ?? '') ? 'timestamptz' : 'text';
  return undefined;
}

export function nameHint(col: string): string | undefined {
  if (col === 'id' || col.endsWith('_id')) return 'bigint';
  if (col.endsWith('_at')) return 'timestamptz';
  if (col.endsWith('_on') || col === 'date') return 'date';
  if (/^(is|has)_/.test(col)) return 'boolean';
  return undefined;
}

export class CollectorBase {
  c: Collected = {
    created: new Set(),
    createdIndexes: new Set(),
    createdConstraints: new Set(),
    createdTypes: new Set(),
    createdSchemas: new Set(),
    added: new Map(),
    rels: new Map(),
    indexes: new Set(),
    constraints: new Map(),
    types: new Map(),
    schemas: new Set(),
    sequences: new Set(),
  };

  /** Pass 1: what the fixture creates (for recipe statements: only the columns they add). */
  creations(node: AnyNode, recipe = false): void {
    const [kind] = Object.keys(node);
    const s = node[kind];
    const c = this.c;
    if (recipe) {
      if (kind === 'AlterTableStmt') {
        for (const cmdNode of s.cmds ?? []) {
          const def = cmdNode.AlterTableCmd?.subtype === 'AT_AddColumn' ? cmdNode.AlterTableCmd.def?.ColumnDef : undefined;
          if (def) this.addedCol(rvKey(s.relation), def.colname);
        }
      }
      // (A recipe's RENAME COLUMN x_new TO x renames back to a pre-existing name: not an addition.)
      return;
    }
    const addConstraintName = (table: string, con: AnyNode, column?: string): void => {
      const info = constraintInfo(table, con, HISTORY, column);
      if (info) c.createdConstraints.add(`${table}|${info.name}`);
      if (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_EXCLUSION') {
        c.createdIndexes.add(`${split(table)[0]}.${con.conname ?? info?.name ?? ''}`);
        if (con.indexname) c.createdIndexes.add(`${split(table)[0]}.${con.conname ?? con.indexname}`);
      }
    };
    switch (kind) {
      case 'CreateStmt': {
        const key = rvKey(s.relation);
        c.created.add(key);
        for (const e of s.tableElts ?? []) {
          if (e.ColumnDef) for (const k of e.ColumnDef.constraints ?? []) if (k.Constraint) addConstraintName(key, k.Constraint, e.ColumnDef.colname);
          if (e.Constraint) addConstraintName(key, e.Constraint);
        }
        break;
      }
      case 'CreateTableAsStmt':
        c.created.add(rvKey(s.into?.rel));
        break;
      case 'ViewStmt':
        c.created.add(rvKey(s.view));
        break;
      case 'CreateSeqStmt':
        c.created.add(rvKey(s.sequence));
        break;
      case 'IndexStmt':
        if (s.idxname) c.createdIndexes.add(`${s.relation?.schemaname ?? 'public'}.${s.idxname}`);
        break;
      case 'RenameStmt':
        if (s.relation && ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(s.renameType)) {
          c.created.add(`${s.relation.schemaname ?? 'public'}.${s.newname}`);
          c.createdIndexes.add(`${s.relation.schemaname ?? 'public'}.${s.newname}`);
        }
        if (s.renameType === 'OBJECT_COLUMN') this.addedCol(rvKey(s.relation), s.newname);
        if (s.renameType === 'OBJECT_SCHEMA') c.createdSchemas.add(s.newname);
        if (s.renameType === 'OBJECT_TYPE' || s.renameType === 'OBJECT_DOMAIN') {
          const names = strs(s.object?.List?.items);
          c.createdTypes.add(nameKey([...names.slice(0, -1), s.newname]));
        }
        if (s.renameType === 'OBJECT_TABCONSTRAINT') c.createdConstraints.add(`${rvKey(s.relation)}|${s.newname}`);
        break;
      case 'AlterTableStmt': {
        const key = rvKey(s.relation);
        for (const cmdNode of s.cmds ?? []) {
          const cmd = cmdNode.AlterTableCmd;
          if (!cmd) continue;
          if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) {
            this.addedCol(key, cmd.def.ColumnDef.colname);
            for (const k of cmd.def.ColumnDef.constraints ?? []) if (k.Constraint) addConstraintName(key, k.Constraint, cmd.def.ColumnDef.colname);
          }
          if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) addConstraintName(key, cmd.def.Constraint);
        }
        break;
      }
      case 'CreateEnumStmt':
      case 'CreateRangeStmt':
        c.createdTypes.add(nameKey(strs(s.typeName)));
        break;
      case 'CompositeTypeStmt':
        c.createdTypes.add(rvKey(s.typevar));
        break;
      case 'CreateDomainStmt':
        c.createdTypes.add(nameKey(strs(s.domainname)));
        break;
      case 'CreateSchemaStmt':
        c.createdSchemas.add(s.schemaname);
        break;
      default:
        break;
    }
  }

  addedCol(table: string, col: string): void {
    let set = this.c.added.get(table);
    if (!set) this.c.added.set(table, (set = new Set()));
    set.add(col);
  }

  rel(key: string, kind: RelKind = 'table'): RelModel | undefined {
    if (!key || key.endsWith('.') || this.c.created.has(key)) return undefined;
    let r = this.c.rels.get(key);
    if (!r) this.c.rels.set(key, (r = { key, kind, cols: new Map(), unique: [], noPk: false, usage: new Set() }));
    if (kind !== 'table' && r.kind === 'table') r.kind = kind;
    return r;
  }

  col(table: string | undefined, col: string | undefined, type?: string, prio = 0): void {
    if (!table || !col || SYSTEM_COLUMNS.has(col)) return;
    if (this.c.added.get(table)?.has(col)) return;
    const r = this.rel(table);
    if (!r) return;
    const cur = r.cols.get(col);
    const named = nameHint(col);
    const hint: ColHint = type ? { type, prio } : named ? { type: named, prio: 1 } : { type: 'text', prio: 0 };
    if (!cur || hint.prio > cur.prio) r.cols.set(col, hint);
  }

  typeRef(tn: AnyNode): void {
    const names = strs(tn?.names);
    if (!names.length || names[0] === 'pg_catalog') return;
    const key = nameKey(names);
    if (!this.c.types.has(key)) this.c.types.set(key, { kind: 'unknown', values: [] });
    if (names.length === 2) this.c.schemas.add(names[0]);
  }
}
