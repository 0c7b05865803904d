import { as, defineRule, displayRel, quoteIdent, relKey, type RuleContext, type SafeAlternative } from '../src/kit/index.ts';
import { lockPhrase } from '../src/advice/index.ts';
import { CREATE_INDEX, concurrentIndexSql } from '../src/advice/concurrent-index.ts';
import { concurrentlyFix } from '../src/advice/fixes.ts';

function recipe(ctx: RuleContext, table: string): SafeAlternative {
  const s = as(ctx.stmt.node, 'IndexStmt');
  const partitioned = ctx.schema.tables.get(table)?.kind === 'partitioned';
  if (partitioned) {
    const name = s?.idxname ? quoteIdent(s.idxname) : 'parent_idx';
    const only = ctx.stmt.text.replace(/\bON\s+(ONLY\s+)?/i, 'ON ONLY ').trim() + ';';
    const partitions = [...ctx.schema.tables.values()].filter((t) => t.partitionOf === table).map((t) => t.key);
    const parts = partitions.length ? partitions : [`${table}_p1`];
    const cols = ctx.stmt.text.slice(ctx.stmt.text.indexOf('(')).trim();
    return {
      summary: 'CONCURRENTLY is not supported on a partitioned table: create the index on the parent only (invalid, instant), build each partition\'s index concurrently, then attach them.',
      steps: [
        { title: 'Create the parent index without recursing (catalog-only)', sql: only, transaction: 'any' },
        ...parts.map((p) => {
          const child = quoteIdent(`${p.slice(p.indexOf('.') + 1)}_${s?.idxname ?? 'idx'}`.slice(0, 63));
          return {
            title: `Build the index of partition ${displayRel(p)} without blocking writes, and attach it`,
            sql: `CREATE ${s?.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${child} ON ${displayRel(p)} ${cols};\nALTER INDEX ${name} ATTACH PARTITION ${child};`,
            transaction: 'outside' as const,
          };
        }),
      ],
    };
  }
  return {
    summary: 'Build the index with CONCURRENTLY, outside any transaction.',
    steps: [
      {
        title: 'Build the index without blocking writes (two table scans; SHARE UPDATE EXCLUSIVE)',
        sql: concurrentIndexSql(ctx.stmt.text),
        transaction: 'outside',
      },
      {
        title: 'If the build fails or is cancelled it leaves an INVALID index: drop it and retry',
        sql: `DROP INDEX CONCURRENTLY IF EXISTS ${s?.idxname ? `${s.relation?.schemaname ? `${quoteIdent(s.relation.schemaname)}.` : ''}${quoteIdent(s.idxname)}` : '<index name>'};`,
        transaction: 'outside',
      },
    ],
  };
}

export default defineRule({
  id: 'index-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'CREATE INDEX without CONCURRENTLY on an existing table blocks writes for the whole build',
  docs: {
    why:
      'CREATE INDEX takes a SHARE lock on the table: reads continue, but every INSERT, UPDATE and DELETE waits until the index is built, which takes a full scan and a sort — minutes on a large table. CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE instead, so writes continue; it scans twice and waits for running transactions, and it cannot run inside a transaction block. Indexes on tables created in the same migration are fine: they are empty and nobody uses them yet.',
    bad: 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    good: '-- in a migration that runs outside a transaction\nCREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);',
    versions: 'All versions. Partitioned tables do not support CONCURRENTLY: build each partition\'s index concurrently and attach it to an index created ON ONLY the parent.',
  },
  check(ctx) {
    for (const op of ctx.ops) {
      if (op.op !== 'create-index' || !op.existing) continue;
      const table = relKey(as(ctx.stmt.node, 'IndexStmt')?.relation);
      const keyword = ctx.keywordSpan(CREATE_INDEX);
      const partitioned = ctx.schema.tables.get(table)?.kind === 'partitioned';
      ctx.report({
        span: keyword,
        fix: partitioned ? undefined : concurrentlyFix(ctx, keyword.end, 'CREATE INDEX'),
        message: `CREATE INDEX on ${displayRel(table)} takes a ${lockPhrase(op.mode, [table])} until the whole index is built, which grows with the table's size.`,
        help: `Use CREATE INDEX CONCURRENTLY, which lets writes continue. It cannot run inside a transaction block: ${ctx.escapeHatch()}.`,
        safeAlternative: recipe(ctx, table),
      });
    }
  },
});
