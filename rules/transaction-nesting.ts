import { as, defineRule, fileState, type FindingDraft, type RuleContext, type RunnerProfile, type StatementInfo } from '../src/kit/index.ts';

/** Implicit transactions (by id) in which a BEGIN was already seen. */
const BEGUN = fileState(() => new Set<number>());

/** The runner of the file each statement belongs to, for endOfSection (which gets no context). */
const runnerOf = new WeakMap<StatementInfo, RunnerProfile | null>();

function runnerName(runner: RunnerProfile | null | undefined): string {
  return runner?.name ?? 'the migration runner';
}

function isBegin(stmt: StatementInfo): boolean {
  const k = as(stmt.node, 'TransactionStmt')?.kind;
  return k === 'TRANS_STMT_BEGIN' || k === 'TRANS_STMT_START';
}

function isEnd(ctx: RuleContext): boolean {
  const k = as(ctx.stmt.node, 'TransactionStmt')?.kind;
  return k === 'TRANS_STMT_COMMIT' || k === 'TRANS_STMT_ROLLBACK' || k === 'TRANS_STMT_PREPARE';
}

function keyword(ctx: RuleContext): string {
  return (/^\s*([A-Za-z]+)/.exec(ctx.stmt.text)?.[1] ?? 'COMMIT').toUpperCase();
}

export default defineRule({
  id: 'transaction-nesting',
  severity: 'warning',
  category: 'hygiene',
  presets: ['recommended', 'strict'],
  description: 'BEGIN inside an open transaction, COMMIT without one, or a BEGIN never committed',
  docs: {
    why:
      'PostgreSQL has no nested transactions. A BEGIN inside a transaction — the one the migration runner opened, or an earlier BEGIN — only draws a warning, and the next COMMIT commits the outer transaction: the statements after it run outside any transaction, so a failure no longer rolls the migration back and the runner\'s own COMMIT finds nothing to commit. A COMMIT with no transaction open is also only a warning, but it shows the file assumes a transaction it does not have. A BEGIN that is never committed leaves the transaction open after the file: its locks stay held and its work is rolled back when the connection closes.',
    bad: "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n-- does not nest (nor does a BEGIN inside the transaction a runner such as Flyway opened)\nBEGIN;\nALTER TABLE orders ADD COLUMN flag boolean;\n-- commits everything so far: what follows runs outside any transaction\nCOMMIT;\nCOMMIT;",
    good: '-- one transaction, opened once (under a runner that wraps each migration, no BEGIN/COMMIT at all)\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN flag boolean;\nCOMMIT;',
  },
  check(ctx) {
    runnerOf.set(ctx.stmt, ctx.runner);
    if (ctx.stmt.kind !== 'TransactionStmt' || ctx.stmt.origin !== 'top') return;
    const runner = runnerName(ctx.runner);
    const begun = ctx.state(BEGUN);
    // In a one-query file PostgreSQL turns the implicit transaction into a regular one at BEGIN: no warning.
    if (ctx.tx.kind === 'implicit') {
      if (isBegin(ctx.stmt)) {
        if (!begun.has(ctx.tx.id)) {
          begun.add(ctx.tx.id);
          return;
        }
      } else if (isEnd(ctx) && !begun.has(ctx.tx.id)) {
        ctx.report({
          span: ctx.keywordSpan(/[A-Za-z]+/),
          message: `${keyword(ctx)} without BEGIN: ${runner} sends the file as one query, which PostgreSQL runs as one implicit transaction; this ${keyword(ctx)} ends it early (PostgreSQL warns "there is no transaction in progress"), and the statements after it run in a new implicit transaction.`,
          help: 'Remove the COMMIT/ROLLBACK, or wrap the statements that belong together in an explicit BEGIN … COMMIT.',
          lock: null,
        });
        return;
      }
    }
    for (const e of ctx.events) {
      if (e.type === 'begin-nested') {
        const outer =
          ctx.tx.kind === 'runner'
            ? `${runner} already runs this migration in a transaction`
            : ctx.tx.kind === 'implicit'
              ? 'a BEGIN earlier in this file already opened a transaction'
              : 'an earlier BEGIN in this file is still open';
        ctx.report({
          span: ctx.keywordSpan(/BEGIN|START\s+TRANSACTION/i),
          message: `BEGIN inside a transaction: ${outer}. PostgreSQL only warns ("there is already a transaction in progress") and has no nested transactions, so the next COMMIT commits the OUTER transaction: later statements run outside it and are no longer rolled back together if the migration fails.`,
          help: ctx.tx.kind === 'runner' ? `Remove BEGIN/COMMIT and let ${runner} manage the transaction, or opt this migration out of the runner's transaction: ${ctx.escapeHatch()}.` : 'Remove the inner BEGIN (and its COMMIT).',
          lock: null,
        });
      } else if (e.type === 'commit-without-begin') {
        ctx.report({
          span: ctx.keywordSpan(/[A-Za-z]+/),
          message: `${keyword(ctx)} with no transaction open (${ctx.runner ? `${runner} does not wrap this migration in a transaction` : 'the file runs in autocommit'}): PostgreSQL only warns ("there is no transaction in progress"), which means the statements before it already committed one by one — the file assumes a transaction it does not have.`,
          help: 'Add the matching BEGIN at the start of the statements that must succeed or fail together, or remove the COMMIT.',
          lock: null,
        });
      } else if (e.type === 'runner-transaction-ended') {
        ctx.report({
          span: ctx.keywordSpan(/[A-Za-z]+/),
          message: `${keyword(ctx)} ends the transaction ${runner} opened around this migration: the statements after it run outside any transaction (no rollback if one fails), and ${runner}'s own COMMIT then finds no transaction (PostgreSQL warns "there is no transaction in progress").`,
          help: `Remove the ${keyword(ctx)} and let ${runner} commit, or opt this migration out of the runner's transaction and manage BEGIN/COMMIT yourself: ${ctx.escapeHatch()}.`,
          lock: null,
        });
      }
    }
  },
  endOfSection(ctx): FindingDraft[] {
    const begin = [...ctx.statements].reverse().find((s) => s.origin === 'top' && isBegin(s));
    if (!ctx.unterminatedTransaction || !begin) return [];
    const runner = runnerOf.get(begin);
    const start = begin.span.start;
    const m = /^(BEGIN|START\s+TRANSACTION)/i.exec(begin.text);
    return [
      {
        span: { start, end: start + (m ? m[0].length : begin.text.length) },
        message: `This BEGIN is never committed: the transaction is still open when the file ends${runner ? ` (${runnerName(runner)} does not commit it for you)` : ''}. Its locks stay held until the connection closes, and then all of its work is rolled back.`,
        help: 'Add COMMIT; at the end of the statements the BEGIN groups.',
        lock: null,
      },
    ];
  },
});
