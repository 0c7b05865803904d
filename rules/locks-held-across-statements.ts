import { type AppliedOp, blockedBy, defineRule, displayRel, fileState, lockRank, OPERATIONS, type RuleContext, type SafeStep, statementSnippet } from '../src/kit/index.ts';
import { concurrentIndexSql } from '../src/advice/concurrent-index.ts';
import { lockPhrase, withLockTimeout } from '../src/advice/index.ts';

/** Held locks already reported, by transaction group and relation. */
const REPORTED = fileState(() => new Set<string>());
const INDEX_BUILDS = new Set(['create-index', 'create-index-concurrently', 'reindex', 'reindex-concurrently']);
/** Data changes on the held table itself are backfill-under-lock's finding. */
const DML = new Set(['update', 'delete', 'insert']);

/** The slow part of the statement: a scan, rewrite or index build of a pre-existing relation. */
function slowOp(ctx: RuleContext): AppliedOp | undefined {
  return ctx.ops.find((o) => o.existing && (o.scan || o.rewrite || INDEX_BUILDS.has(o.op)));
}

function slowWork(op: AppliedOp): string {
  const rel = displayRel(op.relation);
  if (INDEX_BUILDS.has(op.op)) return `${OPERATIONS[op.op].title} builds an index over every row of ${rel}`;
  if (op.rewrite) return `${OPERATIONS[op.op].title} rewrites every row of ${rel}`;
  return `${OPERATIONS[op.op].title} scans every row of ${rel}`;
}

export default defineRule({
  id: 'locks-held-across-statements',
  severity: 'warning',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'A blocking lock taken earlier in the transaction stays held while a later statement does slow work',
  docs: {
    why:
      'PostgreSQL releases table locks only when the transaction ends. When a migration runs several statements in one transaction, a brief ALTER TABLE that took ACCESS EXCLUSIVE keeps that lock while every later statement runs: a non-concurrent CREATE INDEX, a constraint validation or a table rewrite later in the same transaction turns a millisecond lock into one held for the whole scan or build, and all reads and writes of the first table wait for it. The cost grows with the size of the table the slow statement works on.',
    bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCREATE INDEX orders_customer_idx ON orders (customer_id);\nCOMMIT;',
    good:
      "-- migration 1\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n-- migration 2, outside a transaction\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
  },
  check(ctx) {
    const op = slowOp(ctx);
    if (!op) return;
    for (const h of ctx.heldBlockingLocks()) {
      // The statement takes at least this lock itself: its own rule reports that.
      const own = ctx.ops.filter((o) => o.relation === h.relation).reduce((m, o) => Math.max(m, lockRank(o.mode)), -1);
      if (own >= lockRank(h.held.mode)) continue;
      if (ctx.ops.some((o) => o.relation === h.relation && DML.has(o.op))) continue;
      const reported = ctx.state(REPORTED);
      const key = `${h.group}:${h.relation}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const by = h.taker ? `\`${statementSnippet(h.taker.text)}\`` : 'an earlier statement of this transaction';
      const steps: SafeStep[] = [];
      // A taker that rewrites or scans is reported by its own rule: its recipe replaces it, not this one.
      if (h.taker && !h.taker.slow) {
        steps.push({ title: 'Run the statement that takes the strong lock in its own transaction, so the lock is released at once', sql: withLockTimeout(`${h.taker.text.trim()};`), transaction: 'own' });
      }
      if (op.op === 'create-index') {
        steps.push({ title: 'Then build the index concurrently, outside any transaction: reads and writes continue', sql: concurrentIndexSql(ctx.stmt.text), transaction: 'outside' });
      } else {
        steps.push({ title: 'Then run the slow statement in a transaction of its own', sql: `${ctx.stmt.text.trim()};`, transaction: 'own' });
      }
      ctx.report({
        span: ctx.keywordSpan(/(CREATE\s+(UNIQUE\s+)?INDEX|ALTER\s+TABLE|REINDEX|[A-Za-z]+)/i),
        message: `${slowWork(op)} while this transaction still holds the ${lockPhrase(h.held.mode, [h.relation])}, taken earlier by ${by}: locks are released only at COMMIT, so ${displayRel(h.relation)} stays blocked for the whole ${INDEX_BUILDS.has(op.op) ? 'build' : op.rewrite ? 'rewrite' : 'scan'}, which grows with the size of ${displayRel(op.relation)}.`,
        help: `Split the migration so the slow statement runs in its own transaction after the lock-taking one commits, or run the slow work first.${op.op === 'create-index' ? ` Build the index CONCURRENTLY, outside a transaction: ${ctx.escapeHatch()}.` : ''}`,
        lock: { mode: h.held.mode, relations: [h.relation], blocks: blockedBy(h.held.mode), rewrite: op.rewrite, scan: op.scan },
        safeAlternative: {
          summary: 'Commit the statement that takes the strong lock on its own, then do the slow work in a separate transaction (concurrently where possible).',
          steps,
        },
      });
    }
  },
});
