import { as, boolOption, defineRule, displayRel, type IndexInfo, OPERATIONS, quoteIdent, relKey, type RuleContext, type SafeAlternative, type SafeStep, VERSION_FEATURES } from '../src/kit/index.ts';
import { helperName, lockPhrase } from '../src/advice/index.ts';

/** The statement with CONCURRENTLY after INDEX/TABLE (keeping the author's options and names). */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

function concurrentSql(text: string): string {
  return text.replace(/^(\s*REINDEX\s*(?:\([^)]*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE)\s+)/i, '$1CONCURRENTLY ').trim() + ';';
}

/** Index name without schema, quoted. */
function shortName(key: string): string {
  return quoteIdent(key.slice(key.indexOf('.') + 1));
}

/** PG < 12: build a replacement concurrently, drop the old one concurrently, rename. */
function replaceSteps(key: string, idx: IndexInfo | undefined): SafeStep[] {
  const schema = key.slice(0, key.indexOf('.'));
  const name = key.slice(key.indexOf('.') + 1);
  const tmpKey = `${schema}.${helperName(key, 'new', 'copy')}`;
  if (!idx || idx.columns.length === 0 || idx.columns.includes('expr')) {
    // Unknown definition: print it. Dropping the old index before the copy exists must not be pasteable.
    return [
      {
        title: `Print the definition of ${displayRel(key)}; run it with CONCURRENTLY and the name ${shortName(tmpKey)}, then DROP INDEX CONCURRENTLY ${displayRel(key)} and ALTER INDEX ${displayRel(tmpKey)} RENAME TO ${quoteIdent(name)}`,
        sql: `SELECT pg_get_indexdef('${displayRel(key).replace(/'/g, "''")}'::regclass);`,
        transaction: 'any',
      },
    ];
  }
  return [
    {
      title: `Build a copy of ${displayRel(key)} without blocking writes`,
      sql: `CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${shortName(tmpKey)} ON ${displayRel(idx.table)} (${idx.columns.map(quoteIdent).join(', ')});`,
      transaction: 'outside',
    },
    { title: 'Drop the old index without blocking queries', sql: `DROP INDEX CONCURRENTLY IF EXISTS ${displayRel(key)};`, transaction: 'outside' },
    { title: 'Give the copy the old name', sql: `ALTER INDEX ${displayRel(tmpKey)} RENAME TO ${quoteIdent(name)};`, transaction: 'any' },
  ];
}

function recipe(ctx: RuleContext, table: string): SafeAlternative {
  const s = as(ctx.stmt.node, 'ReindexStmt');
  const onIndex = s?.kind === 'REINDEX_OBJECT_INDEX';
  if (ctx.pgVersion >= VERSION_FEATURES.reindexConcurrently) {
    return {
      summary: 'Rebuild with REINDEX … CONCURRENTLY, outside any transaction.',
      steps: [
        {
          title: `Rebuild without blocking reads or writes (${OPERATIONS['reindex-concurrently'].locks.table})`,
          sql: concurrentSql(ctx.stmt.text),
          transaction: 'outside',
        },
      ],
    };
  }
  const indexKeys = onIndex ? [relKey(s?.relation)] : ctx.schema.indexesOf(table).map((i) => i.key);
  const plain = indexKeys.filter((k) => {
    const t = ctx.schema.tables.get(ctx.schema.indexes.get(k)?.table ?? '');
    return !t?.constraints.has(k.slice(k.indexOf('.') + 1));
  });
  const backing = indexKeys.filter((k) => !plain.includes(k));
  const steps = plain.flatMap((k) => replaceSteps(k, ctx.schema.indexes.get(k)));
  const notes: string[] = [];
  if (!onIndex && indexKeys.length === 0) notes.push(`List the table's indexes with SELECT indexrelid::regclass FROM pg_index WHERE indrelid = '${displayRel(table)}'::regclass, and replace each one this way.`);
  if (backing.length) notes.push(`${backing.map(displayRel).join(', ')} back${backing.length === 1 ? 's' : ''} a constraint: build the copy as a UNIQUE index concurrently, then swap it in with ALTER TABLE … DROP CONSTRAINT and ADD CONSTRAINT … USING INDEX in one short transaction with a lock_timeout.`);
  return {
    summary: `PostgreSQL ${ctx.pgVersion} has no REINDEX CONCURRENTLY (added in ${VERSION_FEATURES.reindexConcurrently}): build a replacement index with CREATE INDEX CONCURRENTLY, drop the old one with DROP INDEX CONCURRENTLY, then rename the replacement.${notes.length ? ` ${notes.join(' ')}` : ''}`,
    steps,
  };
}

/** REINDEX SCHEMA / DATABASE / SYSTEM: every table of the scope, one after another. */
function reportMany(ctx: RuleContext, kind: string, name: string | undefined): void {
  const s = as(ctx.stmt.node, 'ReindexStmt');
  if (boolOption(s?.params, 'concurrently') === true) return;
  const system = kind === 'REINDEX_OBJECT_SYSTEM';
  const scope = kind === 'REINDEX_OBJECT_SCHEMA' ? `schema ${quoteIdent(name ?? '')}` : system ? 'the system catalogs' : 'the database';
  const tables = ctx.ops.filter((o) => o.existing).map((o) => o.relation);
  const known = tables.length ? ` (${tables.length} table${tables.length === 1 ? '' : 's'} known from the migrations: ${tables.slice(0, 5).map(displayRel).join(', ')}${tables.length > 5 ? ', …' : ''})` : '';
  const table = OPERATIONS['reindex-schema'].locks.table;
  const index = OPERATIONS['reindex-schema'].locks.index;
  const concurrent = ctx.pgVersion >= VERSION_FEATURES.reindexConcurrently && !system;
  ctx.report({
    span: ctx.keywordSpan(/REINDEX\s*(\([^)]*\)\s*)?(SCHEMA|DATABASE|SYSTEM)/i),
    message: system
      ? `REINDEX SYSTEM rebuilds every index of the system catalogs, holding ${table} on each catalog and ${index} on its indexes while it is rebuilt: DDL and catalog lookups of every session wait, and it has no CONCURRENTLY form.`
      : `REINDEX ${kind === 'REINDEX_OBJECT_SCHEMA' ? 'SCHEMA' : 'DATABASE'} rebuilds every index of every table in ${scope}${known}, one table at a time: each table holds ${article(table ?? '')} ${table} lock (writes wait) and ${index} on its indexes (queries that would use them wait) for its whole rebuild, so every table of ${scope} is blocked in turn for a time that grows with its size.`,
    help: system
      ? 'Run REINDEX SYSTEM only in a maintenance window, never from a migration; to fix one corrupted catalog index, REINDEX INDEX that index.'
      : concurrent
        ? `Use REINDEX ${kind === 'REINDEX_OBJECT_SCHEMA' ? 'SCHEMA' : 'DATABASE'} CONCURRENTLY, or better REINDEX INDEX CONCURRENTLY for the indexes that need it, outside a transaction block (${ctx.escapeHatch()}).`
        : `PostgreSQL ${ctx.pgVersion} has no REINDEX CONCURRENTLY (added in ${VERSION_FEATURES.reindexConcurrently}): rebuild the indexes that need it one by one (CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old one, rename).`,
    safeAlternative: concurrent
      ? {
          summary: 'Rebuild concurrently, outside any transaction: reads and writes continue.',
          steps: [{ title: `Rebuild without blocking reads or writes (${OPERATIONS['reindex-concurrently'].locks.table})`, sql: concurrentSql(ctx.stmt.text), transaction: 'outside' }],
        }
      : null,
  });
}

export default defineRule({
  id: 'reindex-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'REINDEX (INDEX, TABLE, SCHEMA, DATABASE, SYSTEM) without CONCURRENTLY blocks writes to each table and reads through its indexes',
  docs: {
    why:
      'REINDEX INDEX and REINDEX TABLE (and REINDEX SCHEMA / DATABASE / SYSTEM, table after table) rebuild the index from a full scan of the table. For the whole rebuild they hold SHARE on the table, so every INSERT, UPDATE and DELETE waits, and ACCESS EXCLUSIVE on each index being rebuilt, so every query whose plan would use that index waits too — in practice most reads of the table. The time grows with the table. REINDEX … CONCURRENTLY (PostgreSQL 12+) builds a new copy next to the old one and swaps them under weak locks; it cannot run inside a transaction block.',
    bad: 'REINDEX INDEX orders_customer_id_idx;',
    good: '-- in a migration that runs outside a transaction (PostgreSQL 12+)\nREINDEX INDEX CONCURRENTLY orders_customer_id_idx;',
    versions:
      'REINDEX CONCURRENTLY needs PostgreSQL 12. Before 12: CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old index, then ALTER INDEX … RENAME the copy.',
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'ReindexStmt');
    if (!s) return;
    if (s.kind === 'REINDEX_OBJECT_SCHEMA' || s.kind === 'REINDEX_OBJECT_DATABASE' || s.kind === 'REINDEX_OBJECT_SYSTEM') return reportMany(ctx, s.kind, s.name);
    const onIndex = s.kind === 'REINDEX_OBJECT_INDEX';
    const target = relKey(s.relation);
    if (!ctx.ops.some((o) => o.op === 'reindex')) return;
    // An index created in this file is new (and so is its table when we know it).
    if (onIndex && ctx.schema.indexes.get(target)?.origin.file === ctx.file) return;
    const indexInfo = onIndex ? ctx.schema.indexes.get(target) : undefined;
    const table = onIndex ? indexInfo?.table : target;
    if (table !== undefined && !ctx.isExisting(table)) return;
    // The table's lock: its op when the analyzer knows the table, the fact otherwise.
    const tableMode = ctx.ops.find((o) => o.op === 'reindex' && (!onIndex || o.relation === table))?.mode ?? OPERATIONS.reindex.locks.table;
    const indexMode = ctx.ops.find((o) => o.op === 'reindex' && onIndex && o.relation === target)?.mode ?? OPERATIONS.reindex.locks.index;
    if (!tableMode) return;
    const what = onIndex ? `index ${displayRel(target)}` : `every index of ${displayRel(target)}`;
    const tablePart = lockPhrase(tableMode, table ? [table] : []);
    ctx.report({
      span: ctx.keywordSpan(/REINDEX\s*(\([^)]*\)\s*)?(INDEX|TABLE)/i),
      message: `REINDEX rebuilds ${what} holding ${article(tableMode)} ${tablePart}${indexMode ? ` and ${indexMode} on the index${onIndex ? '' : 'es'}, so queries that would use ${onIndex ? 'it' : 'them'} wait as well` : ''}, for a time that grows with the table's size.`,
      help:
        ctx.pgVersion >= VERSION_FEATURES.reindexConcurrently
          ? `Use REINDEX … CONCURRENTLY, which lets reads and writes continue. It cannot run inside a transaction block: ${ctx.escapeHatch()}.`
          : `PostgreSQL ${ctx.pgVersion} has no REINDEX CONCURRENTLY: build a replacement with CREATE INDEX CONCURRENTLY, drop the old index with DROP INDEX CONCURRENTLY and rename the replacement (outside a transaction: ${ctx.escapeHatch()}).`,
      safeAlternative: recipe(ctx, table ?? target),
    });
  },
});
