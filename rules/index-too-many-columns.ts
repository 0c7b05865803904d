import { as, defineRule, displayRel, relKey } from '../src/kit/index.ts';

/** More key columns than this is reported (INCLUDE columns are payload, not keys). */
const MAX_KEY_COLUMNS = 3;

export default defineRule({
  id: 'index-too-many-columns',
  severity: 'warning',
  category: 'design',
  presets: [],
  description: `Opt-in: a B-tree index with more than ${MAX_KEY_COLUMNS} key columns`,
  docs: {
    why:
      `A multicolumn B-tree index is used efficiently only for conditions on its leading columns; every further key column makes each entry larger, the index bigger and slower to build, to keep in memory and to update on every write, and is rarely used by the planner. UNIQUE indexes are exempt: their columns are a key that must be enforced as a whole. Wide indexes are usually a sign that one index tries to serve several queries, where two narrower ones (or INCLUDE for columns that are only returned) serve them better. Default preset decision: in no preset (opt-in: enable it in the config): it is a best-practice heuristic, not a migration hazard; the limit is ${MAX_KEY_COLUMNS} key columns, the PostgreSQL manual's own advice being to use multicolumn indexes sparingly (https://www.postgresql.org/docs/current/indexes-multicolumn.html).`,
    bad: 'CREATE INDEX CONCURRENTLY orders_search_idx ON orders (customer_id, status, created_at, region, channel);',
    good: 'CREATE INDEX CONCURRENTLY orders_customer_status_idx ON orders (customer_id, status) INCLUDE (created_at);',
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'IndexStmt');
    // A UNIQUE index enforces a key: its columns are the key's, not a choice of query shape.
    if (!s || s.unique || (s.accessMethod && s.accessMethod !== 'btree')) return;
    const keys = s.indexParams?.length ?? 0;
    if (keys <= MAX_KEY_COLUMNS) return;
    ctx.report({
      span: ctx.keywordSpan(/CREATE\s+(UNIQUE\s+)?INDEX/i),
      message: `This index on ${displayRel(relKey(s.relation))} has ${keys} key columns: only conditions on its leading columns use it well, while every write pays for all ${keys}, and the index is larger and slower to build.`,
      help: `Keep at most ${MAX_KEY_COLUMNS} key columns, ordered by how queries filter; move columns that are only returned into INCLUDE (…), or split the index by query.`,
      lock: null,
    });
  },
});
