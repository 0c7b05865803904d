/**
 * The schema model that replaying migrations builds: just what the rules need to judge a statement
 * (does the table exist and hold data, a column's old type and nullability, validated constraints,
 * enum values, user functions' volatility).
 */
import type { TypeRef } from '../parse/ast.ts';
import type { Volatility } from '../pg/catalog.generated.ts';

/** Where an object was created: in an earlier migration (history) or in the file being analyzed. */
export interface Origin {
  /** Path of the file, or null when the object comes from history/outside the analyzed files. */
  file: string | null;
  /** Transaction number inside that file (see TransactionState), -1 for history. */
  tx: number;
}

export const HISTORY: Origin = { file: null, tx: -1 };

export interface ColumnInfo {
  name: string;
  type: TypeRef | null;
  notNull: boolean;
  hasDefault: boolean;
  generated?: 'stored' | 'virtual';
  identity?: boolean;
  origin: Origin;
}

export type ConstraintKind = 'check' | 'foreign' | 'unique' | 'primary' | 'exclusion' | 'notnull';

export interface ConstraintInfo {
  name: string;
  kind: ConstraintKind;
  validated: boolean;
  columns: string[];
  /** For CHECK constraints: columns the expression proves non-null (`col IS NOT NULL` conjuncts). */
  provesNotNull: string[];
  /** For CHECK constraints: normalized expression text, for partition-bound matching. */
  expr?: string;
  refTable?: string;
  origin: Origin;
}

export type RelKind = 'table' | 'partitioned' | 'view' | 'matview' | 'foreign' | 'sequence';

export interface TableInfo {
  key: string;
  kind: RelKind;
  columns: Map<string, ColumnInfo>;
  constraints: Map<string, ConstraintInfo>;
  origin: Origin;
  /** Parent partitioned table key when this is a partition. */
  partitionOf?: string;
  unlogged?: boolean;
  /** Partition key columns of a partitioned table (expressions appear as their source-free name 'expr'). */
  partitionKey?: string[];
  partitionStrategy?: 'range' | 'list' | 'hash';
  /** Tablespace / table access method when not the defaults (pg_default, heap). */
  tablespace?: string;
  accessMethod?: string;
  /** Never created by the replayed migrations: it predates them (columns are learned on use). */
  external?: boolean;
}

export interface IndexInfo {
  key: string;
  table: string;
  unique: boolean;
  columns: string[];
  valid: boolean;
  origin: Origin;
}

export interface EnumInfo {
  key: string;
  values: string[];
  origin: Origin;
  /** Values added by ALTER TYPE … ADD VALUE, with the transaction that added them. */
  added: Map<string, Origin>;
}

export interface DomainConstraint {
  name: string;
  kind: 'check' | 'notnull';
  validated: boolean;
}

export interface DomainInfo {
  key: string;
  baseType: TypeRef | null;
  constraints: DomainConstraint[];
  origin: Origin;
}

export class Schema {
  tables = new Map<string, TableInfo>();
  indexes = new Map<string, IndexInfo>();
  enums = new Map<string, EnumInfo>();
  domains = new Map<string, DomainInfo>();
  functions = new Map<string, Volatility>();
  sequences = new Map<string, Origin>();
  schemas = new Map<string, Origin>();

  clone(): Schema {
    const s = new Schema();
    for (const [k, t] of this.tables) {
      s.tables.set(k, {
        ...t,
        columns: new Map([...t.columns].map(([n, c]) => [n, { ...c }])),
        constraints: new Map([...t.constraints].map(([n, c]) => [n, { ...c }])),
      });
    }
    for (const [k, i] of this.indexes) s.indexes.set(k, { ...i });
    for (const [k, e] of this.enums) s.enums.set(k, { ...e, values: [...e.values], added: new Map(e.added) });
    for (const [k, d] of this.domains) s.domains.set(k, { ...d, constraints: d.constraints.map((c) => ({ ...c })) });
    s.functions = new Map(this.functions);
    s.sequences = new Map(this.sequences);
    s.schemas = new Map(this.schemas);
    return s;
  }

  /** Index keys of a table. */
  indexesOf(table: string): IndexInfo[] {
    return [...this.indexes.values()].filter((i) => i.table === table);
  }
}
