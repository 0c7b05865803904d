/** The shape of the operations facts table (src/pg/facts.ts). */
import type { LockMode } from './locks.ts';

/** Which relation of the statement a lock applies to. */
export type LockTarget =
  | 'table' // the statement's target table
  | 'referenced' // the table a foreign key points to
  | 'index' // the index named by the statement
  | 'parent' // partitioned parent (ATTACH/DETACH)
  | 'partition'; // the partition being attached/detached

/** yes/no, or depends: decided by the analyzer from the statement and the schema. */
export type Effect = 'yes' | 'no' | 'depends';

export interface OperationFact {
  title: string;
  locks: Partial<Record<LockTarget, LockMode>>;
  rewrite: Effect;
  scan: Effect;
  /** Cannot run inside a transaction block. */
  noTransaction?: boolean;
  /** What `depends` depends on, and version notes. */
  notes?: string;
  /**
   * Proof: run `setup` (tables t(id int primary key, a int, b text, c varchar(10), n numeric(10,2))
   * and u(id int primary key), both with rows, created by the trace suite) then `sql`.
   * `expect` states the observed outcome when it differs from the fact's default (for depends).
   */
  example?: { setup?: string; sql: string; rewrite?: boolean; scan?: boolean; minVersion?: number; appendCurrentDatabase?: boolean };
}

export type OperationId =
  | 'add-column'
  | 'drop-column'
  | 'alter-column-type'
  | 'set-default'
  | 'drop-default'
  | 'set-not-null'
  | 'drop-not-null'
  | 'add-check'
  | 'add-foreign-key'
  | 'add-unique'
  | 'add-primary-key'
  | 'add-constraint-using-index'
  | 'add-exclusion'
  | 'add-not-null-constraint'
  | 'validate-constraint'
  | 'validate-foreign-key'
  | 'drop-constraint'
  | 'rename'
  | 'rename-index'
  | 'set-tablespace'
  | 'set-logged'
  | 'set-access-method'
  | 'set-storage-params'
  | 'set-statistics'
  | 'set-storage'
  | 'set-compression'
  | 'toggle-trigger'
  | 'replica-identity'
  | 'owner'
  | 'row-security'
  | 'cluster-on'
  | 'identity'
  | 'inherit'
  | 'attach-partition'
  | 'detach-partition'
  | 'detach-partition-concurrently'
  | 'alter-table-other'
  | 'create-table'
  | 'create-table-with-fk'
  | 'create-index'
  | 'create-index-concurrently'
  | 'drop-index'
  | 'drop-index-concurrently'
  | 'reindex'
  | 'reindex-concurrently'
  | 'reindex-schema'
  | 'reindex-database'
  | 'drop-table'
  | 'truncate'
  | 'vacuum'
  | 'vacuum-full'
  | 'analyze'
  | 'cluster'
  | 'refresh-matview'
  | 'refresh-matview-concurrently'
  | 'lock-table'
  | 'create-trigger'
  | 'drop-trigger'
  | 'create-policy'
  | 'create-view'
  | 'comment'
  | 'enum-add-value'
  | 'alter-domain-add-constraint'
  | 'alter-domain-validate'
  | 'update'
  | 'delete'
  | 'insert';
