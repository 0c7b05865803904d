import { as, defineRule, OPERATIONS, type RuleContext, VERSION_FEATURES } from '../src/kit/index.ts';

function why(ctx: RuleContext): string {
  if (ctx.stmt.origin !== 'top') return 'it is inside a DO block or function, which always runs within a transaction';
  switch (ctx.tx.kind) {
    case 'explicit':
      return 'it follows an explicit BEGIN in this file';
    case 'implicit':
      return `${ctx.runner?.name ?? 'the runner'} sends the whole file as one query, which PostgreSQL runs as one implicit transaction`;
    case 'runner':
      return `${ctx.runner?.name ?? 'the runner'} wraps each migration in a transaction`;
    default:
      return 'it runs in a transaction';
  }
}

function inTransaction(ctx: RuleContext): boolean {
  return ctx.tx.inTransaction || ctx.stmt.origin !== 'top';
}

export default defineRule({
  id: 'concurrent-in-transaction',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'CONCURRENTLY operations, VACUUM and (before PG 12) ALTER TYPE … ADD VALUE inside a transaction fail',
  docs: {
    why:
      'CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY and VACUUM refuse to run inside a transaction block (ERROR: … cannot run inside a transaction block), and so does ALTER TYPE … ADD VALUE before PostgreSQL 12. Most migration runners wrap each migration in a transaction, and some send the whole file as one query, which PostgreSQL runs as one implicit transaction. The deploy then fails at this statement — after the earlier statements of the migration may have taken their locks. Each runner has its own way to run one migration outside a transaction.',
    bad: "-- goose, default: the file runs in a transaction\n-- +goose Up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
    good: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    versions: 'ALTER TYPE … ADD VALUE may run in a transaction block since PostgreSQL 12 (the new value cannot be used before commit: see enum-value-in-transaction).',
  },
  check(ctx) {
    if (!inTransaction(ctx)) return;
    let what: string | undefined;
    for (const op of ctx.ops) {
      if (OPERATIONS[op.op].noTransaction) {
        what = OPERATIONS[op.op].title;
        break;
      }
    }
    if (!what && ctx.stmt.kind === 'VacuumStmt' && as(ctx.stmt.node, 'VacuumStmt')?.is_vacuumcmd) what = 'VACUUM';
    if (!what && ctx.stmt.kind === 'AlterEnumStmt' && ctx.pgVersion < VERSION_FEATURES.enumAddValueInTransaction) {
      const s = as(ctx.stmt.node, 'AlterEnumStmt');
      if (s && !s.oldVal) what = `ALTER TYPE … ADD VALUE (before PostgreSQL ${VERSION_FEATURES.enumAddValueInTransaction})`;
    }
    if (!what) return;
    const keyword = /CONCURRENTLY/i.exec(ctx.stmt.text);
    const span = keyword ? { start: ctx.stmt.span.start + keyword.index, end: ctx.stmt.span.start + keyword.index + keyword[0].length } : ctx.keywordSpan(/\w+(\s+\w+)?/);
    ctx.report({
      span,
      message: `${what} cannot run inside a transaction block, and ${why(ctx)}: the migration will fail here (SQLSTATE 25001).`,
      help: `Run this statement in a migration of its own, outside a transaction: ${ctx.escapeHatch()}.`,
      lock: null,
      safeAlternative: {
        summary: 'Move the statement into its own migration that runs outside a transaction.',
        steps: [{ title: 'A migration containing only this statement, with the runner\'s no-transaction option', sql: `${ctx.stmt.text.trim()};`, transaction: 'outside' }],
      },
    });
  },
});
