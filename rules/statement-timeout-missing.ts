import { blocksReadsOrWrites, defineRule, describeBlocked, displayRel, fileState, OPERATIONS } from '../src/kit/index.ts';

/** Transactions (`tx<id>`, or `file` for autocommit) already reported. */
const REPORTED = fileState(() => new Set<string>());

export default defineRule({
  id: 'statement-timeout-missing',
  severity: 'warning',
  category: 'locking',
  presets: [],
  description: 'Opt-in: a statement holds a lock that blocks reads or writes while it scans or rewrites a table, with no statement_timeout',
  docs: {
    why:
      'lock_timeout bounds how long a statement waits for its lock; once granted, nothing bounds how long it holds it. A scan or rewrite under a lock that blocks reads or writes lasts as long as the table is big — on a table larger than expected, minutes during which traffic waits. statement_timeout cancels the statement (and the migration\'s transaction) after the given time, turning an outage of unknown length into a failed, retryable migration. It is the companion of lock-timeout-missing. Default preset decision: in no preset (opt-in: enable it in the config): the right value depends on the table sizes and the deploy process, and a too-short timeout fails legitimate migrations; teams that want every blocking scan bounded enable it, or configure statementTimeout when the role already has one.',
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);',
    good: "SET statement_timeout = '5min';\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);",
    versions: 'All versions. A statement_timeout set on the role or database counts (configure zerodown\'s statementTimeout to say so).',
  },
  check(ctx) {
    if (ctx.stmt.origin === 'function') return;
    const lock = ctx.lock;
    if (!lock || !blocksReadsOrWrites(lock.mode) || (!lock.scan && !lock.rewrite) || ctx.timeouts.statementTimeoutMs !== 0) return;
    // Once per transaction (or per file in autocommit): one SET at the top answers all of them.
    const key = ctx.tx.kind === 'none' ? 'file' : `tx${ctx.tx.id}`;
    const reported = ctx.state(REPORTED);
    if (reported.has(key)) return;
    reported.add(key);
    const rels = lock.relations.map(displayRel).join(', ');
    const noTx = ctx.ops.some((o) => OPERATIONS[o.op].noTransaction);
    ctx.report({
      span: ctx.keywordSpan(/(CREATE\s+(UNIQUE\s+)?INDEX|ALTER\s+TABLE|[A-Za-z]+)/i),
      message: `This statement ${lock.rewrite ? 'rewrites' : 'scans'} ${rels} while holding ${/^[AEIOU]/.test(lock.mode) ? 'an' : 'a'} ${lock.mode} lock (${describeBlocked(lock.mode)}) with statement_timeout = 0: nothing limits how long that takes, so on a larger table than expected the blocked traffic waits for as long as the table takes to ${lock.rewrite ? 'rewrite' : 'scan'}.`,
      help: "Set a statement_timeout before it (e.g. SET statement_timeout = '5min';, sized to the table) so that an unexpectedly long run is cancelled and the migration can be retried, instead of blocking traffic without limit.",
      safeAlternative: {
        summary: 'Bound the statement: set statement_timeout before it, sized to the table, and retry the migration when it is cancelled.',
        steps: [{ title: 'Before this statement: cancel it if it runs longer than expected', sql: "SET statement_timeout = '5min';", transaction: noTx ? 'outside' : 'any' }],
      },
    });
  },
});
