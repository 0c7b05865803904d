/** Autofix builders shared by rules. */
import { as } from '../parse/ast.ts';
import type { Fix, TextEdit } from '../findings/fix.ts';
import type { RuleContext } from '../kit/rule.ts';

/** Statements that may all run outside a transaction once CONCURRENTLY is added. */
function concurrentSafe(ctx: RuleContext): boolean {
  return ctx.siblings.every((s) => {
    if (s.origin !== 'top') return false;
    if (s.kind === 'IndexStmt') return true;
    const drop = as(s.node, 'DropStmt');
    if (drop?.removeType === 'OBJECT_INDEX' && (drop.objects?.length ?? 0) === 1 && drop.behavior !== 'DROP_CASCADE') return true;
    if (s.kind === 'VariableSetStmt') return true;
    return false;
  });
}

/** The edit that opts the file/section out of the runner's transaction, where the opt-out lives in the file. */
function runnerOptOut(ctx: RuleContext): TextEdit | undefined {
  switch (ctx.runner?.id) {
    case 'goose':
      return { start: 0, end: 0, text: '-- +goose NO TRANSACTION\n' };
    case 'dbmate': {
      // The section starts right after its `-- migrate:up` marker line.
      const at = ctx.stmt.section.start;
      return /--\s*migrate:(up|down)\s*$/i.test(ctx.text.slice(Math.max(0, at - 40), at)) ? { start: at, end: at, text: ' transaction:false' } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Adds CONCURRENTLY after the keyword ending at `at` when the statement will run outside a
 * transaction — directly, or by opting the file out of the runner's transaction when every
 * statement of the section can run without one.
 */
export function concurrentlyFix(ctx: RuleContext, at: number, what: string): Fix | undefined {
  if (ctx.stmt.origin !== 'top') return undefined;
  const insert: TextEdit = { start: at, end: at, text: ' CONCURRENTLY' };
  if (!ctx.tx.inTransaction) return { description: `${what} CONCURRENTLY`, edits: [insert] };
  if (ctx.tx.kind !== 'runner' || !concurrentSafe(ctx)) return undefined;
  const optOut = runnerOptOut(ctx);
  return optOut ? { description: `${what} CONCURRENTLY and run the migration outside the ${ctx.runner?.name} transaction`, edits: [optOut, insert] } : undefined;
}
