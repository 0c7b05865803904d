/**
 * Locks held across the statements of one transaction, for rules that judge a statement by what
 * earlier statements of its transaction still hold (ctx.heldBlockingLocks()). The engine keeps one
 * LockTakers per file and records every statement after the rules saw it, so a rule can name the
 * earlier statement that took a held lock.
 */
import { blocksReadsOrWrites, lockRank, type LockMode } from '../pg/locks.ts';
import type { AppliedOp } from '../analyze/effects.ts';
import type { HeldLock, TxSnapshot } from '../analyze/session.ts';
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
  /** The transaction (or autocommit DO block) holding it: report once per group and relation. */
  group: string;
  held: HeldLock;
  /** The earlier statement of this transaction that first took a lock blocking reads or writes on it. */
  taker?: TakenLock;
}

/** What LockTakers needs to know about a statement (a subset of the rule context). */
export interface LockStatement {
  stmt: { index: number; span: Span; text: string; kind: string; origin: 'top' | 'do' | 'function' };
  ops: readonly AppliedOp[];
  tx: TxSnapshot;
  isExisting(relation: string): boolean;
}

/** Per file: which statement of each transaction (or DO block) first took each blocking lock. */
export class LockTakers {
  private readonly groups = new Map<string, Map<string, TakenLock>>();
  /** The last top-level DO block: its statements run as one transaction. */
  private lastDo: number | undefined;

  /**
   * The transaction a statement runs in: the session's, or — in autocommit — the DO block it is part
   * of (a DO block runs as one transaction, but the session model sees its statements one by one).
   */
  private groupKey(s: LockStatement): string | undefined {
    if (s.tx.inTransaction) return `tx${s.tx.id}`;
    if (s.stmt.origin === 'do') return `do${String(this.lastDo)}`;
    return undefined;
  }

  private takersOf(group: string): Map<string, TakenLock> {
    let m = this.groups.get(group);
    if (!m) this.groups.set(group, (m = new Map()));
    return m;
  }

  /** Records the read/write-blocking locks this statement takes (after the rules have seen it). */
  remember(s: LockStatement): void {
    if (s.stmt.kind === 'DoStmt' && s.stmt.origin === 'top') this.lastDo = s.stmt.index;
    const group = this.groupKey(s);
    if (!group) return;
    const takers = this.takersOf(group);
    for (const op of s.ops) {
      if (!blocksReadsOrWrites(op.mode)) continue;
      const prev = takers.get(op.relation);
      if (prev && lockRank(prev.mode) >= lockRank(op.mode)) continue;
      takers.set(op.relation, { index: s.stmt.index, span: s.stmt.span, text: s.stmt.text, mode: op.mode, existing: op.existing, slow: s.ops.some((o) => o.existing && (o.rewrite || o.scan)) });
    }
  }

  /** Locks blocking reads or writes on pre-existing relations that earlier statements of this transaction hold. */
  held(s: LockStatement): HeldBlockingLock[] {
    const group = this.groupKey(s);
    if (!group) return [];
    const takers = this.takersOf(group);
    const out: HeldBlockingLock[] = [];
    if (!s.tx.inTransaction) {
      for (const [relation, t] of takers) {
        if (t.existing && s.isExisting(relation)) out.push({ relation, group, held: { mode: t.mode, since: t.index, existing: true }, taker: t });
      }
      return out;
    }
    for (const [relation, held] of s.tx.held) {
      if (!held.existing || !s.isExisting(relation) || !blocksReadsOrWrites(held.mode)) continue;
      out.push({ relation, group, held, taker: takers.get(relation) });
    }
    return out;
  }
}

/** A statement's text on one line, shortened for a message: `ALTER TABLE orders ADD COLUMN …`. */
export function statementSnippet(text: string, max = 70): string {
  const one = text.replace(/--[^\n]*\n/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1).trimEnd()} …` : one;
}
