/** Constraints as the replay records them: kind, columns and the name PostgreSQL would choose. */
import type { Constraint, Node } from 'libpg-query';
import { relKey, strings } from '../parse/ast.ts';
import { notNullColumnsProven } from './expr.ts';
import type { ConstraintInfo, ConstraintKind, Origin } from './schema.ts';

const CONSTRAINT_KIND: Partial<Record<string, ConstraintKind>> = {
  CONSTR_CHECK: 'check',
  CONSTR_FOREIGN: 'foreign',
  CONSTR_UNIQUE: 'unique',
  CONSTR_PRIMARY: 'primary',
  CONSTR_EXCLUSION: 'exclusion',
  CONSTR_NOTNULL: 'notnull',
};

/** Postgres' generated constraint name: `<table>_<cols>_<suffix>` (pkey, key, fkey, check, excl, not_null). */
export function defaultConstraintName(table: string, kind: ConstraintKind, columns: string[]): string {
  const rel = table.slice(table.indexOf('.') + 1);
  const suffix = { check: 'check', foreign: 'fkey', unique: 'key', primary: 'pkey', exclusion: 'excl', notnull: 'not_null' }[kind];
  if (kind === 'primary') return `${rel}_pkey`;
  return [rel, ...columns.slice(0, kind === 'check' ? 1 : columns.length), suffix].join('_').slice(0, 63);
}

export function constraintColumns(con: Constraint, column?: string): string[] {
  if (column) return [column];
  const keys = strings(con.keys ?? con.fk_attrs);
  if (keys.length) return keys;
  if (con.contype === 'CONSTR_CHECK') {
    const cols: string[] = [];
    const visit = (v: unknown): void => {
      if (!v || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach(visit);
      const ref = (v as { ColumnRef?: { fields?: Node[] } }).ColumnRef;
      if (ref) {
        const f = strings(ref.fields);
        if (f.length) cols.push(f[f.length - 1]);
        return;
      }
      Object.values(v).forEach(visit);
    };
    visit(con.raw_expr);
    return cols;
  }
  return [];
}

export function constraintInfo(table: string, con: Constraint, origin: Origin, column?: string): ConstraintInfo | undefined {
  const kind = CONSTRAINT_KIND[con.contype ?? ''];
  if (!kind) return undefined;
  const columns = constraintColumns(con, column);
  return {
    name: con.conname ?? defaultConstraintName(table, kind, columns),
    kind,
    validated: !con.skip_validation,
    columns,
    provesNotNull: kind === 'check' ? notNullColumnsProven(con.raw_expr) : kind === 'notnull' ? columns : [],
    refTable: con.pktable ? relKey(con.pktable) : undefined,
    origin,
  };
}
