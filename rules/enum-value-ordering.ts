import { as, defineRule, nameKey, strings } from '../src/kit/index.ts';

export default defineRule({
  id: 'enum-value-ordering',
  severity: 'warning',
  category: 'app-compat',
  presets: ['strict'],
  description: 'ALTER TYPE … ADD VALUE … BEFORE/AFTER changes the order existing values compare in',
  docs: {
    why:
      'Enum values sort in declaration order, and that order is visible to SQL: ORDER BY on the column, comparisons such as status >= \'shipped\', min()/max(), range partitioning and indexes all use it. Adding a value BEFORE or AFTER an existing one inserts it into that sequence, so queries and application code that encode the order (a "later than" check, a state machine walked in order) silently change meaning for the new value. Values placed between existing ones also get fractional sort positions, after which comparisons of that enum may need a catalog lookup instead of a plain OID comparison. Appending at the end (no BEFORE/AFTER) keeps every existing comparison true. Default preset decision: strict only, as a warning: inserting a value in the middle is sometimes exactly what a team wants; the rule makes the ordering change visible in review.',
    bad: "ALTER TYPE order_status ADD VALUE 'packed' BEFORE 'shipped';",
    good: "ALTER TYPE order_status ADD VALUE 'packed';",
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'AlterEnumStmt');
    if (!s?.newVal || s.oldVal || !s.newValNeighbor) return;
    const type = nameKey(strings(s.typeName)).replace(/^public\./, '');
    const where = s.newValIsAfter ? 'AFTER' : 'BEFORE';
    ctx.report({
      span: ctx.keywordSpan(/[\s\S]*?\b(BEFORE|AFTER)\b/i),
      message: `ADD VALUE '${s.newVal}' ${where} '${s.newValNeighbor}' inserts the value into the middle of ${type}'s sort order: ORDER BY, range comparisons (e.g. >= '${s.newValNeighbor}'), min()/max() and code that walks the states in order now see it between existing values.`,
      help: 'Append new values at the end (ADD VALUE without BEFORE/AFTER) unless the new position is intended; then review every query and code path that compares or orders values of this type.',
      lock: null,
    });
  },
});
