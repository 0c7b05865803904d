import { as, defineRule, displayRel, OPERATIONS, quoteIdent, relKey, type SafeStep } from '../src/kit/index.ts';
import { helperName, lockPhrase } from '../src/advice/index.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

export default defineRule({
  id: 'refresh-matview-blocking',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view during the refresh',
  docs: {
    why:
      'REFRESH MATERIALIZED VIEW re-runs the view\'s query and swaps in the result while holding ACCESS EXCLUSIVE on the view: every SELECT from it waits for the whole refresh, which takes as long as the query (often seconds to minutes). REFRESH MATERIALIZED VIEW CONCURRENTLY computes the new contents and applies the difference under an EXCLUSIVE lock, so reads continue. It needs a unique index on the view (on plain columns, without WHERE) and a view that is already populated. A view created earlier in the same migration, or a refresh WITH NO DATA, is not reported.',
    bad: 'REFRESH MATERIALIZED VIEW sales_summary;',
    good: '-- once, outside a transaction:\nCREATE UNIQUE INDEX CONCURRENTLY sales_summary_key ON sales_summary (region, day);\n-- then\nREFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;',
    versions: 'All supported versions (REFRESH … CONCURRENTLY exists since 9.4).',
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'RefreshMatViewStmt');
    if (!s || s.concurrent || s.skipData) return;
    const op = ctx.ops.find((o) => o.op === 'refresh-matview');
    if (!op || !op.existing) return;
    const view = relKey(s.relation);
    const rel = displayRel(view);
    const hasUnique = ctx.schema.indexesOf(view).some((i) => i.unique && i.valid);
    const weak = OPERATIONS['refresh-matview-concurrently'].locks.table;
    const steps: SafeStep[] = [];
    if (!hasUnique) {
      steps.push({
        title: 'Once: give the view a unique index on the column(s) that identify a row (plain columns, no WHERE), built without blocking reads',
        sql: `-- zerodown does not know the view's columns: name the ones that identify a row.\n-- CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(helperName(view, 'refresh', 'key'))} ON ${rel} (<columns>);`,
        transaction: 'outside',
      });
    }
    steps.push({
      title: `Refresh without blocking reads (${weak ?? 'a weaker'} lock: reads of the view continue; another refresh waits)`,
      sql: `REFRESH MATERIALIZED VIEW CONCURRENTLY ${rel};`,
      transaction: 'any',
    });
    ctx.report({
      span: ctx.keywordSpan(/REFRESH\s+MATERIALIZED\s+VIEW/i),
      message: `REFRESH MATERIALIZED VIEW ${rel} holds ${article(op.mode)} ${lockPhrase(op.mode, [view])} for the whole refresh: every read of the view waits until the view's query has run again.`,
      help: `Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which lets reads continue. It needs a unique index on the view${hasUnique ? ' (the schema has one)' : ' — the replayed schema shows none, so create one first with CREATE UNIQUE INDEX CONCURRENTLY'} — and a view that is already populated.`,
      safeAlternative: {
        summary: hasUnique
          ? 'Refresh with CONCURRENTLY: the view already has a unique index.'
          : 'Create a unique index on the view (once, concurrently), then refresh with CONCURRENTLY.',
        steps,
      },
    });
  },
});
