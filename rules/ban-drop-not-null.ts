import { as, defineRule, displayRel, quoteIdent, relKey } from '../src/kit/index.ts';

export default defineRule({
  id: 'ban-drop-not-null',
  severity: 'warning',
  category: 'app-compat',
  presets: ['strict'],
  description: 'ALTER COLUMN … DROP NOT NULL lets NULLs reach readers that assume the column is never NULL',
  docs: {
    why:
      'Dropping NOT NULL is instant (a catalog change under a brief ACCESS EXCLUSIVE lock), but it changes a contract: from the next write on, the column may hold NULL, and every reader written against the old schema — application code mapping the column to a non-optional field, reports, ORMs with non-nullable types, downstream consumers of a replication stream — may fail or silently mis-handle it. It is also hard to undo: SET NOT NULL later must scan the whole table and fails once a NULL was written. Default preset decision: strict only (opt-in through the strict preset). Dropping NOT NULL is the normal first step of expand/contract (before a column is dropped or replaced), so flagging it by default would mostly be noise; teams that want every contract change reviewed enable the strict preset.',
    bad: 'ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;',
    good: '-- Deploy readers that handle NULL first, then in a later migration:\n-- zerodown-ignore ban-drop-not-null -- readers handle NULL since v42\nALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;',
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'AlterTableStmt');
    if (!s || s.objtype === 'OBJECT_INDEX') return;
    const table = relKey(s.relation);
    if (!ctx.isExisting(table)) return;
    (s.cmds ?? []).forEach((c, i) => {
      const cmd = as(c, 'AlterTableCmd');
      if (cmd?.subtype !== 'AT_DropNotNull') return;
      const col = quoteIdent(cmd.name ?? '');
      ctx.report({
        span: ctx.subcommandSpan(i),
        message: `DROP NOT NULL on ${displayRel(table)}.${col} lets the next writes store NULL there: readers written against the old schema (application code, reports, ORMs with non-nullable fields) may fail on it, and restoring NOT NULL later needs a full-table scan and fails once a NULL exists.`,
        help: 'Deploy every reader so that it handles NULL in this column before this migration runs (expand/contract), or keep the column NOT NULL and write a sentinel value instead.',
        lock: null,
      });
    });
  },
});
