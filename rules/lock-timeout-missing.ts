import { blocksReadsOrWrites, defineRule, describeBlocked, displayRel, fileState, type Fix, type OperationId, OPERATIONS, type RuleContext } from '../src/kit/index.ts';

/** Reported once per transaction (or once for the autocommit part of the file). */
const REPORTED = fileState(() => new Set<string>());

function where(ctx: RuleContext): string {
  switch (ctx.tx.kind) {
    case 'none':
      return 'at the top of the file (a session SET lasts for the rest of it)';
    case 'runner':
      return `at the top of the migration (${ctx.runner?.name ?? 'the runner'} runs it in one transaction: SET or SET LOCAL both work)`;
    case 'implicit':
      return `at the top of the file (${ctx.runner?.name ?? 'the runner'} sends it as one query, one implicit transaction)`;
    default:
      return 'right after BEGIN (SET LOCAL lasts until the transaction ends)';
  }
}

/** Operations whose better fix is their CONCURRENTLY form (which needs no lock_timeout and must stay alone in some runners). */
const HAS_CONCURRENT_FORM = new Set<OperationId>(['create-index', 'drop-index', 'reindex', 'detach-partition', 'refresh-matview']);

/** Inserts `SET lock_timeout = '2s';` before the statement, on its own line with the same indentation. */
function lockTimeoutFix(ctx: RuleContext): Fix | undefined {
  if (ctx.stmt.origin !== 'top' || ctx.ops.some((o) => HAS_CONCURRENT_FORM.has(o.op))) return undefined;
  const at = ctx.stmt.span.start;
  const lineStart = ctx.text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*$/.test(ctx.text.slice(lineStart, at)) ? ctx.text.slice(lineStart, at) : '';
  return { description: "prepend SET lock_timeout = '2s'", edits: [{ start: at, end: at, text: `SET lock_timeout = '2s';\n${indent}` }] };
}

export default defineRule({
  id: 'lock-timeout-missing',
  severity: 'warning',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'A statement requests a lock that blocks reads or writes without a lock_timeout',
  docs: {
    why:
      'A lock request waits behind every transaction that already holds a conflicting lock on the table — including a long-running report or an idle-in-transaction session. While it waits, every later query that conflicts with the requested lock queues behind it (the lock queue), even queries that would not conflict with the running one. A DDL that needs its lock for two milliseconds can so stall all reads and writes of the table for as long as the slowest running transaction. With lock_timeout set, the statement gives up after the timeout instead, and the migration can simply be retried.',
    bad: 'ALTER TABLE orders ADD COLUMN note text;',
    good: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
    versions: 'All versions. A lock_timeout set on the role or database counts (configure zerodown\'s lockTimeout to say so).',
  },
  check(ctx) {
    if (ctx.stmt.origin === 'function') return;
    const lock = ctx.lock;
    if (!lock || !blocksReadsOrWrites(lock.mode) || ctx.timeouts.lockTimeoutMs !== 0) return;
    const key = ctx.tx.kind === 'none' ? 'file' : `tx${ctx.tx.id}`;
    const reported = ctx.state(REPORTED);
    if (reported.has(key)) return;
    reported.add(key);
    const rels = lock.relations.map(displayRel).join(', ');
    const noTx = ctx.ops.some((o) => OPERATIONS[o.op].noTransaction);
    ctx.report({
      fix: lockTimeoutFix(ctx),
      span: ctx.keywordSpan(/(CREATE\s+(UNIQUE\s+)?INDEX|ALTER\s+TABLE|DROP\s+INDEX|DROP\s+TABLE|LOCK\s+TABLE|[A-Za-z]+)/i),
      message: `This statement requests ${/^[AEIOU]/.test(lock.mode) ? 'an' : 'a'} ${lock.mode} lock on ${rels} with lock_timeout = 0: if any transaction holds a conflicting lock on ${rels}, it waits for it without limit, and meanwhile every later query on ${rels} that conflicts with the request — ${describeBlocked(lock.mode)} — queues behind it (the lock queue). A statement that needs the lock for milliseconds can stall that traffic for as long as the slowest running transaction.`,
      help: `Add SET lock_timeout = '2s'; ${where(ctx)}, and retry the migration when it times out.`,
      safeAlternative: {
        summary: 'Set a short lock_timeout before the first statement that takes a strong lock, and retry the migration (with a back-off) when it fails with a lock timeout.',
        // Only the setting: the statement's own hazards (if any) have their own findings and recipes.
        steps: [{ title: `Before this statement (${where(ctx)}): give up on the lock after 2 seconds instead of queueing traffic behind it`, sql: "SET lock_timeout = '2s';", transaction: noTx ? 'outside' : 'any' }],
      },
    });
  },
});
