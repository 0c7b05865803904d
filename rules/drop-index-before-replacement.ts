import { as, defineRule, displayRel, type IndexInfo, nameKey, quoteLiteral, type RuleContext, strings } from '../src/kit/index.ts';

/**
 * Does `candidate` serve the queries the old index served: same table, and the old key columns lead
 * the candidate's (same order)? Unknown old columns prove nothing, so nothing is reported.
 */
function replaces(candidate: IndexInfo, oldColumns: ReadonlyArray<string | null>, table: string): boolean {
  if (candidate.table !== table || oldColumns.length === 0 || oldColumns.includes(null)) return false;
  return oldColumns.every((c, i) => candidate.columns[i] === c);
}

function dropped(ctx: RuleContext): string[] {
  const s = as(ctx.stmt.node, 'DropStmt');
  if (s?.removeType !== 'OBJECT_INDEX') return [];
  return (s.objects ?? []).map((o) => nameKey(strings(as(o, 'List')?.items))).filter((k) => k !== '');
}

export default defineRule({
  id: 'drop-index-before-replacement',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'Dropping an index in the same migration that builds its replacement',
  docs: {
    why:
      "Replacing an index (new column order, a partial or covering index) is safe only when the new index exists, is valid and is chosen by the planner before the old one goes. When one migration builds the replacement and drops the old index, nobody gets to check: a `CREATE INDEX CONCURRENTLY IF NOT EXISTS` skips over an INVALID index left by an earlier failed attempt (the planner never uses it), and a valid index may still not be chosen for the queries the old one served (different column order, predicate or operator class). The drop then turns those queries into sequential scans at once. Built in the same transaction, the replacement cannot even use CONCURRENTLY, so writes are blocked for the whole build. Build the replacement in one deploy, check it (valid, scanned), and drop the old index in a later one.",
    bad: 'CREATE INDEX CONCURRENTLY orders_customer_created_idx ON orders (customer_id, created_at);\nDROP INDEX CONCURRENTLY orders_customer_idx;',
    good: '-- a later migration (deploy 2): orders_customer_created_idx was built by deploy 1 and checked (indisvalid, idx_scan)\nDROP INDEX CONCURRENTLY orders_customer_idx;',
    versions: 'All versions.',
    history: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, created_at timestamptz NOT NULL);\nCREATE INDEX orders_customer_idx ON orders (customer_id);',
  },
  check(ctx) {
    for (const key of dropped(ctx)) {
      const old = ctx.schema.indexes.get(key);
      // Dropping an index this file created is cleanup, not a replacement.
      if (old?.origin.file === ctx.file) continue;
      const prod = ctx.production?.index(key);
      const table = old?.table ?? (prod ? `${prod.schema}.${prod.table}` : undefined);
      const oldColumns = old?.columns.length ? old.columns : (prod?.columns ?? []);
      if (!table || !ctx.isExisting(table)) continue;
      const replacement = [...ctx.schema.indexes.values()].find((i) => i.key !== key && i.origin.file === ctx.file && replaces(i, oldColumns, table));
      if (!replacement) continue;
      const sameTx = replacement.origin.tx === ctx.tx.id && ctx.tx.inTransaction;
      const newName = displayRel(replacement.key);
      const used = ctx.production?.index(key)?.idxScan;
      const usage = used && used > 0 ? ` Production scanned ${displayRel(key)} ${used.toLocaleString('en-US')} times (stats of ${ctx.production?.takenOn}).` : '';
      ctx.report({
        span: ctx.keywordSpan(/DROP\s+INDEX/i),
        severity: sameTx ? undefined : 'warning',
        message: sameTx
          ? `DROP INDEX ${displayRel(key)} runs in the same transaction that builds its replacement ${newName}: the replacement cannot be built CONCURRENTLY there, so writes to ${displayRel(table)} wait for the whole build, and the old index is gone before anyone can check that the planner uses the new one.${usage}`
          : `DROP INDEX ${displayRel(key)} runs in the same migration that builds its replacement ${newName}: nobody can check that ${newName} is valid and chosen by the planner before the old index is gone (CREATE INDEX CONCURRENTLY IF NOT EXISTS skips over an INVALID index left by a failed attempt), and queries on ${displayRel(table)} that lose their index become sequential scans at once.${usage}`,
        help: `Build ${newName} in this deploy and drop ${displayRel(key)} in a later one, after checking that the new index is valid and scanned.`,
        safeAlternative: {
          summary: `Two deploys: build ${newName}, verify it, then drop ${displayRel(key)}.`,
          steps: [
            { title: `Deploy 1: build the replacement (keep ${displayRel(key)})`, sql: `-- keep only the CREATE INDEX CONCURRENTLY of ${newName} in this migration`, transaction: 'outside' },
            {
              title: 'Before deploy 2: the replacement is valid and the planner uses it (idx_scan grows)',
              sql: `SELECT i.indisvalid, s.idx_scan FROM pg_index i JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid WHERE i.indexrelid = ${quoteLiteral(displayRel(replacement.key))}::regclass;`,
              transaction: 'any',
            },
            { title: 'Deploy 2: drop the old index', sql: `DROP INDEX CONCURRENTLY IF EXISTS ${displayRel(key)};`, transaction: 'outside' },
          ],
        },
      });
    }
  },
});
