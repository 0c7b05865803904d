import { as, defineRule, displayRel, nameKey, OPERATIONS, quoteIdent, type RuleContext, type SafeStep, strings } from '../src/kit/index.ts';
import { lockPhrase, withLockTimeout } from '../src/advice/index.ts';
import { concurrentlyFix } from '../src/advice/fixes.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

/** The constraint (PRIMARY KEY / UNIQUE / EXCLUDE) an index backs, when the schema knows it. */
function backingConstraint(ctx: RuleContext, indexKey: string): { table: string; name: string } | undefined {
  const idx = ctx.schema.indexes.get(indexKey);
  if (!idx) return undefined;
  const name = indexKey.slice(indexKey.indexOf('.') + 1);
  const con = ctx.schema.tables.get(idx.table)?.constraints.get(name);
  return con && (con.kind === 'primary' || con.kind === 'unique' || con.kind === 'exclusion') ? { table: idx.table, name } : undefined;
}

export default defineRule({
  id: 'drop-index-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table',
  docs: {
    why:
      'DROP INDEX takes ACCESS EXCLUSIVE on the index and on its table. The drop itself is quick, but the lock request waits behind every running query on the table (a long report, an open transaction), and every new query — reads included — queues behind the waiting request: the table is unavailable until the slowest running query finishes. DROP INDEX CONCURRENTLY waits for those queries without blocking new ones, takes only SHARE UPDATE EXCLUSIVE on the table, and cannot run inside a transaction block. An index that backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint cannot be dropped this way: drop the constraint instead, with a lock_timeout.',
    bad: 'DROP INDEX orders_status_idx;',
    good: '-- in a migration that runs outside a transaction\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
    versions: 'All versions. DROP INDEX CONCURRENTLY drops one index per statement and does not support CASCADE.',
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'DropStmt');
    if (!s || s.removeType !== 'OBJECT_INDEX' || s.concurrent) return;
    const drops = (s.objects ?? [])
      .map((o) => nameKey(strings(as(o, 'List')?.items)))
      .filter((k) => k !== '')
      // An index created earlier in this file is new: nobody uses it yet.
      .filter((k) => ctx.schema.indexes.get(k)?.origin.file !== ctx.file)
      // An unknown index is assumed to be on an existing table.
      .filter((k) => ctx.isExisting(ctx.schema.indexes.get(k)?.table ?? k));
    const op = ctx.ops.find((o) => o.op === 'drop-index');
    if (drops.length === 0 || !op) return;
    // Unknown index: its table is unknown too ("the table" in the message).
    const tables = [...new Set(drops.map((k) => ctx.schema.indexes.get(k)?.table).filter((t): t is string => t !== undefined))];
    const mode = op.mode;
    const cascade = s.behavior === 'DROP_CASCADE';
    const steps: SafeStep[] = [];
    const constraintNotes: string[] = [];
    for (const key of drops) {
      const con = backingConstraint(ctx, key);
      if (con) {
        constraintNotes.push(`${displayRel(key)} backs constraint ${quoteIdent(con.name)} on ${displayRel(con.table)}`);
        steps.push({
          title: `${displayRel(key)} backs a constraint: drop the constraint instead (brief ${OPERATIONS['drop-constraint'].locks.table ?? 'exclusive'} lock; lock_timeout makes it give up instead of queueing traffic)`,
          sql: withLockTimeout(`ALTER TABLE ${displayRel(con.table)} DROP CONSTRAINT ${quoteIdent(con.name)};`),
          transaction: 'own',
        });
        continue;
      }
      steps.push({
        title: `Drop ${displayRel(key)} without blocking queries on its table (one index per statement)`,
        sql: `DROP INDEX CONCURRENTLY IF EXISTS ${displayRel(key)};`,
        transaction: 'outside',
      });
    }
    const names = drops.map(displayRel).join(', ');
    const keyword = ctx.keywordSpan(/DROP\s+INDEX/i);
    // Mechanical only for one index, no CASCADE, not backing a constraint.
    const fixable = (s.objects ?? []).length === 1 && !cascade && constraintNotes.length === 0;
    ctx.report({
      span: keyword,
      fix: fixable ? concurrentlyFix(ctx, keyword.end, 'DROP INDEX') : undefined,
      message: `DROP INDEX ${names} takes ${article(mode)} ${lockPhrase(mode, tables)}. The request waits behind every running query on the table, and all new queries queue behind it until it is granted.`,
      help: `Use DROP INDEX CONCURRENTLY (${OPERATIONS['drop-index-concurrently'].locks.table} on the table; queries continue), one index per statement${cascade ? ', without CASCADE (drop dependent objects first)' : ''}. It cannot run inside a transaction block: ${ctx.escapeHatch()}. An index that backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint cannot be dropped with DROP INDEX: drop the constraint with ALTER TABLE … DROP CONSTRAINT under a lock_timeout instead.`,
      safeAlternative: {
        summary: constraintNotes.length
          ? `Drop plain indexes with DROP INDEX CONCURRENTLY outside a transaction; ${constraintNotes.join('; ')}, so drop that constraint with a lock_timeout.`
          : 'Drop the index with DROP INDEX CONCURRENTLY, outside any transaction.',
        steps,
      },
    });
  },
});
