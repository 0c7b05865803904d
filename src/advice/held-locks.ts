/**
 * Locks held across the statements of one transaction, for rules that judge a statement by what
 * earlier statements of its transaction still hold (ctx.tx.held). Rules see every statement, so a
 * rule calls `remember` on each one and can later name the statement that took a held lock.
 */
import { blocksReadsOrWrites, lockRank, type LockMode } from '../pg/locks.ts';
import type { HeldLock } from '../analyze/session.ts';
import type { RuleContext } from '../kit/rule.ts';
import type { Span } from '../source/text.ts';

export interface TakenLock {
  /** Statement index (as in HeldLock.since). */
  index: number;
  span: Span;
  text: string;
  mode: LockMode;
  existing: boolean;
  /** The taking statement itself rewrote or scanned an existing table (it has its own finding). */
  slow: boolean;
}

export interface HeldBlockingLock {
  relation: string;
  held: HeldLock;
  /** The earlier statement of this transaction that first took a lock blocking reads or writes on it. */
  taker?: TakenLock;
}

/**
 * The transaction a statement runs in: the session's, or — in autocommit — the DO block it is part
 * of (a DO block runs as one transaction, but the session model sees its statements one by one).
 */
function groupKey(ctx: RuleContext, ns: string): string | undefined {
  if (ctx.tx.inTransaction) return `tx${ctx.tx.id}`;
  if (ctx.stmt.origin === 'do') return `do${String(ctx.memo.get(`${ns}:do`))}`;
  return undefined;
}

function takersOf(ctx: RuleContext, ns: string, group: string): Map<string, TakenLock> {
  const key = `${ns}:takers:${group}`;
  let m = ctx.memo.get(key) as Map<string, TakenLock> | undefined;
  if (!m) {
    m = new Map();
    ctx.memo.set(key, m);
  }
  return m;
}

/** Records the read/write-blocking locks this statement takes (call at the end of check, for every statement). */
export function rememberLocks(ctx: RuleContext, ns: string): void {
  if (ctx.stmt.kind === 'DoStmt' && ctx.stmt.origin === 'top') ctx.memo.set(`${ns}:do`, ctx.stmt.index);
  const group = groupKey(ctx, ns);
  if (!group) return;
  const takers = takersOf(ctx, ns, group);
  for (const op of ctx.ops) {
    if (!blocksReadsOrWrites(op.mode)) continue;
    const prev = takers.get(op.relation);
    if (prev && lockRank(prev.mode) >= lockRank(op.mode)) continue;
    takers.set(op.relation, { index: ctx.stmt.index, span: ctx.stmt.span, text: ctx.stmt.text, mode: op.mode, existing: op.existing, slow: ctx.ops.some((o) => o.existing && (o.rewrite || o.scan)) });
  }
}

/** Locks blocking reads or writes on pre-existing relations that earlier statements of this transaction hold. */
export function heldBlockingLocks(ctx: RuleContext, ns: string): HeldBlockingLock[] {
  const group = groupKey(ctx, ns);
  if (!group) return [];
  const takers = takersOf(ctx, ns, group);
  const out: HeldBlockingLock[] = [];
  if (!ctx.tx.inTransaction) {
    for (const [relation, t] of takers) {
      if (t.existing && ctx.isExisting(relation)) out.push({ relation, held: { mode: t.mode, since: t.index, existing: true }, taker: t });
    }
    return out;
  }
  for (const [relation, held] of ctx.tx.held) {
    if (!held.existing || !ctx.isExisting(relation) || !blocksReadsOrWrites(held.mode)) continue;
    out.push({ relation, held, taker: takers.get(relation) });
  }
  return out;
}

/** A statement's text on one line, shortened for a message: `ALTER TABLE orders ADD COLUMN …`. */
export function statementSnippet(text: string, max = 70): string {
  const one = text.replace(/--[^\n]*\n/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1).trimEnd()} …` : one;
}
