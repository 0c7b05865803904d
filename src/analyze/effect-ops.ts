/** One operation a statement performs, and how it is built from the facts table (used by effects*.ts). */
import type { TypeChangeVerdict } from './types.ts';
import { OPERATIONS, type OperationId } from '../pg/facts.ts';
import type { LockMode } from '../pg/locks.ts';
import type { Schema, TableInfo } from './schema.ts';
export interface AppliedOp {
  op: OperationId;
  /** Relation key (`schema.name`) the lock is on. */
  relation: string;
  mode: LockMode;
  rewrite: boolean;
  scan: boolean;
  /** The relation existed before the file being analyzed (it may hold data and serve traffic). */
  existing: boolean;
  /** ALTER TABLE subcommand index, when the op comes from one. */
  cmdIndex?: number;
  /** Why rewrite/scan was decided, for messages (e.g. "volatile default random()"). */
  reason?: string;
  /** For ALTER COLUMN TYPE: the verdict. */
  typeChange?: TypeChangeVerdict;
  /** For ALTER COLUMN TYPE without a rewrite: validated CHECK constraints on the column, re-checked by a full scan. */
  recheck?: string[];
}

export interface EffectContext {
  schema: Schema;
  pgVersion: number;
  /** The file being analyzed; objects created in it are new (empty, unused). */
  file: string;
  /** Current transaction number; objects created in it are invisible to other sessions. */
  tx: number;
  /** Session TimeZone in force (SET earlier in the file, or configured); undefined = not known. */
  timeZone?: string;
}

export function isExisting(table: TableInfo | undefined, ctx: EffectContext): boolean {
  return !table || table.origin.file !== ctx.file;
}

export function op(
  ctx: EffectContext,
  id: OperationId,
  relation: string,
  extra: Partial<AppliedOp> & { target?: 'table' | 'referenced' | 'index' | 'parent' | 'partition' } = {},
): AppliedOp | undefined {
  const fact = OPERATIONS[id];
  const mode = extra.mode ?? fact.locks[extra.target ?? 'table'];
  if (!mode) return undefined;
  const table = ctx.schema.tables.get(relation) ?? tableOfIndex(ctx, relation);
  return {
    op: id,
    relation,
    mode,
    rewrite: extra.rewrite ?? fact.rewrite === 'yes',
    scan: extra.scan ?? fact.scan === 'yes',
    existing: extra.existing ?? isExisting(table, ctx),
    cmdIndex: extra.cmdIndex,
    reason: extra.reason,
    typeChange: extra.typeChange,
    recheck: extra.recheck,
  };
}

export function tableOfIndex(ctx: EffectContext, key: string): TableInfo | undefined {
  const idx = ctx.schema.indexes.get(key);
  return idx ? ctx.schema.tables.get(idx.table) : undefined;
}
