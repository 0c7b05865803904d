/**
 * ALTER TABLE access for rules: the subcommands behind the statement's operations (the prologue
 * every ALTER TABLE rule needs), the text of a column constraint, and free constraint names.
 */
import type { AlterTableCmd, ColumnDef, Constraint } from 'libpg-query';
import { as, relKey } from '../parse/ast.ts';
import { constraintsOf } from '../analyze/expr.ts';
import type { AppliedOp } from '../analyze/effects.ts';
import { defaultConstraintName } from '../analyze/replay.ts';
import type { ConstraintKind, Schema } from '../analyze/schema.ts';
import type { OperationId } from '../pg/facts.ts';
import type { Span } from '../source/text.ts';
import type { RuleContext } from './rule.ts';

export interface AlterSubcommand {
  /** The operation the analyzer derived from the subcommand. */
  op: AppliedOp;
  cmd: AlterTableCmd;
  cmdIndex: number;
  /** The altered table (`schema.name`). */
  table: string;
}

/**
 * The subcommands of this ALTER TABLE statement behind its operations of kind `ops`, in order;
 * empty for any other statement. An op listed once per relation (e.g. a foreign key's referenced
 * table) appears once per op.
 */
export function alterSubcommands(ctx: RuleContext, ops: OperationId | readonly OperationId[]): AlterSubcommand[] {
  const stmt = as(ctx.stmt.node, 'AlterTableStmt');
  if (!stmt) return [];
  const wanted: readonly OperationId[] = typeof ops === 'string' ? [ops] : ops;
  const table = relKey(stmt.relation);
  const out: AlterSubcommand[] = [];
  for (const op of ctx.ops) {
    if (!wanted.includes(op.op) || op.cmdIndex === undefined) continue;
    const cmd = as(stmt.cmds?.[op.cmdIndex], 'AlterTableCmd');
    if (cmd) out.push({ op, cmd, cmdIndex: op.cmdIndex, table });
  }
  return out;
}

/** A constraint name not yet used on the table: Postgres' default name, numbered on collision. */
export function freeConstraintName(schema: Schema, table: string, kind: ConstraintKind, columns: string[]): string {
  const base = defaultConstraintName(table, kind, columns);
  const used = schema.tables.get(table)?.constraints;
  if (!used?.has(base)) return base;
  for (let i = 1; ; i++) {
    const name = `${base.slice(0, 63 - String(i).length)}${i}`;
    if (!used.has(name)) return name;
  }
}

/**
 * Text of one column constraint of an ADD COLUMN subcommand (from its CONSTRAINT/keyword to the
 * next constraint that is not one of its attributes), and the subcommand text without it.
 */
export function columnConstraintText(ctx: RuleContext, def: ColumnDef, target: Constraint, span: Span): { clause: string; without: string } | undefined {
  const cons = constraintsOf(def);
  const i = cons.indexOf(target);
  if (i < 0 || target.location === undefined) return undefined;
  let j = i + 1;
  while (j < cons.length && /^CONSTR_ATTR_/.test(cons[j].contype ?? '')) j++;
  const base = ctx.stmt.span.start;
  const text = ctx.stmt.text;
  const start = ctx.stmt.toIndex(target.location) - base;
  const nextLoc = cons[j]?.location;
  const end = nextLoc !== undefined ? ctx.stmt.toIndex(nextLoc) - base : span.end - base;
  const subStart = span.start - base;
  const subEnd = span.end - base;
  if (start < subStart || end > subEnd || end <= start) return undefined;
  const clause = text.slice(start, end).trim();
  const without = `${text.slice(subStart, start).trimEnd()} ${text.slice(end, subEnd).trim()}`.trim();
  return { clause, without };
}

