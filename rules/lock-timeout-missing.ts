import { blocksReadsOrWrites, defineRule, describeBlocked, displayRel, fileState, type FindingDraft, type Fix, type OperationId, OPERATIONS, type RuleContext } from '../src/kit/index.ts';

/** The later statements of the file's or transaction's one finding, which its message lists. */
interface Pending {
  others: string[];
  count: number;
}

/** Later statements named in the message; beyond this they are counted. */
const LISTED = 8;

/** The one finding per transaction (or per autocommit part of the file), by `file` / `tx<id>`. */
const PENDING = fileState(() => new Map<string, Pending>());
/** Where lineOf stopped counting (statements come in file order). */
const LINE_CURSOR = fileState(() => ({ index: 0, line: 1 }));

/** 1-based line of the statement (counted incrementally: statements come in file order). */
function lineOf(ctx: RuleContext): number {
  const cursor = ctx.state(LINE_CURSOR);
  let { index, line } = cursor;
  const to = ctx.stmt.span.start;
  if (to < index) {
    index = 0;
    line = 1;
  }
  for (let i = ctx.text.indexOf('\n', index); i !== -1 && i < to; i = ctx.text.indexOf('\n', i + 1)) line++;
  cursor.index = to;
  cursor.line = line;
  return line;
}

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
    const pendingByScope = ctx.state(PENDING);
    const rels = lock.relations.map(displayRel).join(', ');
    const earlier = pendingByScope.get(key);
    if (earlier) {
      // One finding per file/transaction: later statements are listed in it, not reported again.
      // The list is capped (a generated file can have 500,000 such statements): the count is exact.
      earlier.count++;
      if (earlier.others.length < LISTED) earlier.others.push(`line ${lineOf(ctx)} (${lock.mode} on ${rels})`);
      return;
    }
    const noTx = ctx.ops.some((o) => OPERATIONS[o.op].noTransaction);
    const message = `This statement requests ${/^[AEIOU]/.test(lock.mode) ? 'an' : 'a'} ${lock.mode} lock on ${rels} with lock_timeout = 0: if any transaction holds a conflicting lock on ${rels}, it waits for it without limit, and meanwhile every later query on ${rels} that conflicts with the request — ${describeBlocked(lock.mode)} — queues behind it (the lock queue). A statement that needs the lock for milliseconds can stall that traffic for as long as the slowest running transaction.`;
    const scope = ctx.tx.kind === 'none' ? 'Later in this file' : 'Later in this transaction';
    const pending: Pending = { others: [], count: 0 };
    const draft: FindingDraft = {
      fix: lockTimeoutFix(ctx),
      // Read once, when the file's findings are finalized: by then every later statement is counted.
      get message(): string {
        if (!pending.count) return message;
        const more = pending.count - pending.others.length;
        return `${message} ${scope}, ${pending.count === 1 ? 'another statement waits' : `${pending.count} more statements wait`} for a lock without a timeout: ${pending.others.join(', ')}${more ? ` and ${more} more` : ''}; one SET lock_timeout before the first covers them all.`;
      },
      span: ctx.keywordSpan(/(CREATE\s+(UNIQUE\s+)?INDEX|ALTER\s+TABLE|DROP\s+INDEX|DROP\s+TABLE|LOCK\s+TABLE|[A-Za-z]+)/i),
      help: `Add SET lock_timeout = '2s'; ${where(ctx)}, and retry the migration when it times out.`,
      safeAlternative: {
        summary: 'Set a short lock_timeout before the first statement that takes a strong lock, and retry the migration (with a back-off) when it fails with a lock timeout.',
        // Only the setting: the statement's own hazards (if any) have their own findings and recipes.
        steps: [{ title: `Before this statement (${where(ctx)}): give up on the lock after 2 seconds instead of queueing traffic behind it`, sql: "SET lock_timeout = '2s';", transaction: noTx ? 'outside' : 'any' }],
      },
    };
    pendingByScope.set(key, pending);
    ctx.report(draft);
  },
});
