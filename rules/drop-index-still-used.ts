import { as, defineRule, displayRel, formatBytes, formatDuration, formatRows, type IndexStats, nameKey, type ProductionFacts, quoteLiteral, type RuleContext, type SafeStep, strings } from '../src/kit/index.ts';

/** Index keys the statement removes: DROP INDEX, and ALTER TABLE … DROP CONSTRAINT of a constraint backed by an index. */
function droppedIndexes(ctx: RuleContext, facts: ProductionFacts): string[] {
  const drop = as(ctx.stmt.node, 'DropStmt');
  if (drop?.removeType === 'OBJECT_INDEX') return (drop.objects ?? []).map((o) => nameKey(strings(as(o, 'List')?.items))).filter((k) => k !== '');
  const alter = as(ctx.stmt.node, 'AlterTableStmt');
  if (!alter?.relation) return [];
  const table = `${alter.relation.schemaname ?? 'public'}.${alter.relation.relname ?? ''}`;
  const out: string[] = [];
  for (const c of alter.cmds ?? []) {
    const cmd = as(c, 'AlterTableCmd');
    if (cmd?.subtype !== 'AT_DropConstraint' || !cmd.name) continue;
    const backing = facts.snapshot.indexes.find((i) => `${i.schema}.${i.table}` === table && i.constraint === cmd.name);
    if (backing) out.push(`${backing.schema}.${backing.name}`);
  }
  return out;
}

/** pg_stat_statements' costliest statements that name the table (a hint, not a proof). */
function queriesOn(facts: ProductionFacts, table: string): string[] {
  const word = new RegExp(`(^|[^A-Za-z0-9_$])"?${table.replace(/[$]/g, '\\$')}"?([^A-Za-z0-9_$]|$)`, 'i');
  return (facts.snapshot.topQueries ?? []).filter((q) => word.test(q.query)).slice(0, 2).map((q) => `\`${q.query.replace(/\s+/g, ' ').slice(0, 100)}\` (${q.calls.toLocaleString('en-US')} calls)`);
}

function concurrentRebuild(ix: IndexStats): string {
  return ix.definition ? ix.definition.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ') + ';' : `-- the index definition: SELECT pg_get_indexdef(${quoteLiteral(`${ix.schema}.${ix.name}`)}::regclass);`;
}

export default defineRule({
  id: 'drop-index-still-used',
  severity: 'error',
  category: 'app-compat',
  presets: ['recommended', 'strict'],
  description: 'Dropping an index that production queries still scan (needs a stats snapshot: --stats)',
  docs: {
    why:
      "An index that production scans is serving queries: the moment it is dropped, those queries fall back to another index or to a sequential scan of the whole table, and a query that took a millisecond can take minutes and saturate the database. Nothing warns at deploy time: the migration succeeds and the outage starts afterwards. Getting the index back means rebuilding it, which on a large table takes as long as the original build. With a production stats snapshot (`zerodown stats`, then `--stats` or `statsFile`), zerodown knows each index's scan count since the statistics were last reset and reports a drop of an index that is still scanned. Without a snapshot the rule is silent.",
    bad: '-- zerodown.stats.json says orders_status_idx has idx_scan = 1234567\nDROP INDEX CONCURRENTLY orders_status_idx;',
    good: '-- the snapshot shows idx_scan = 0 since the last reset a month ago\nDROP INDEX CONCURRENTLY orders_legacy_idx;',
    examplesNeed: 'a production stats snapshot (--stats): fixtures/drop-index-still-used/ has one',
    versions: 'All versions. PostgreSQL 16+ also records the time of the last scan (pg_stat_user_indexes.last_idx_scan), which the message shows when the snapshot has it.',
  },
  check(ctx) {
    const facts = ctx.production;
    if (!facts) return;
    for (const key of droppedIndexes(ctx, facts)) {
      // An index created by this file is not the one production uses, whatever its name.
      if (ctx.schema.indexes.get(key)?.origin.file === ctx.file) continue;
      const ix = facts.index(key);
      if (!ix || !ix.idxScan || ix.idxScan <= 0) continue;
      const tableKey = `${ix.schema}.${ix.table}`;
      const table = facts.table(tableKey);
      const since = facts.snapshot.statsReset ? `since the statistics were reset on ${facts.snapshot.statsReset.slice(0, 10)}` : 'since statistics collection began';
      const last = ix.lastIdxScan ? `, last on ${ix.lastIdxScan.slice(0, 10)}` : '';
      const size = table ? ` (${formatRows(facts.rows(table))}, ${formatBytes(table.totalBytes)})` : '';
      const rebuild = table ? ` Rebuilding it would take ${formatDuration(table.heapBytes / (facts.policy.indexBuildMBps * 1024 * 1024))} at an assumed ${facts.policy.indexBuildMBps} MB/s.` : '';
      const queries = queriesOn(facts, ix.table);
      const constraint = ix.constraint ? ` It backs constraint ${ix.constraint}.` : '';
      const steps: SafeStep[] = [
        {
          title: 'Check the index is really unused: watch its scan count over a full business cycle (month-end jobs included); drop it only while it stays flat',
          sql: `SELECT idx_scan${facts.snapshot.serverVersionNum >= 160000 ? ', last_idx_scan' : ''} FROM pg_stat_user_indexes WHERE schemaname = ${quoteLiteral(ix.schema)} AND indexrelname = ${quoteLiteral(ix.name)};`,
          transaction: 'any',
        },
        { title: 'Keep the rebuild ready in case queries slow down after the drop', sql: concurrentRebuild(ix), transaction: 'outside' },
      ];
      ctx.report({
        span: ctx.keywordSpan(/(DROP\s+INDEX|ALTER\s+TABLE)/i),
        lock: null,
        message: `${displayRel(key)} is still used in production: ${ix.idxScan.toLocaleString('en-US')} index scans ${since}${last} (stats of ${facts.takenOn}).${constraint} Queries that use it fall back to another index or a sequential scan of ${displayRel(tableKey)}${size} the moment it is dropped.${queries.length ? ` Top queries on ${ix.table}: ${queries.join('; ')}.` : ''}`,
        help: `Find what scans it before dropping it (pg_stat_statements, EXPLAIN of the hot queries on ${ix.table}); if a replacement index exists, drop this one only after the replacement's idx_scan grows and the old one's stays flat.${rebuild}`,
        safeAlternative: { summary: `Prove ${ix.name} unused before dropping it, and keep its rebuild at hand.`, steps },
      });
    }
  },
});
