import type { Node, RangeVar } from 'libpg-query';
import { as, defineRule, nodeKind } from '../src/kit/index.ts';

/** The relation a DDL statement creates, changes or drops, when its name is schema-less. */
function unqualified(node: Node): RangeVar[] {
  switch (nodeKind(node)) {
    case 'CreateStmt':
      return [as(node, 'CreateStmt')?.relation].filter((r): r is RangeVar => !!r);
    case 'AlterTableStmt':
      return [as(node, 'AlterTableStmt')?.relation].filter((r): r is RangeVar => !!r);
    case 'IndexStmt':
      return [as(node, 'IndexStmt')?.relation].filter((r): r is RangeVar => !!r);
    case 'CreateTableAsStmt':
      return [as(node, 'CreateTableAsStmt')?.into?.rel].filter((r): r is RangeVar => !!r);
    case 'ViewStmt':
      return [as(node, 'ViewStmt')?.view].filter((r): r is RangeVar => !!r);
    case 'TruncateStmt':
      return (as(node, 'TruncateStmt')?.relations ?? []).map((r) => as(r, 'RangeVar')).filter((r): r is RangeVar => !!r);
    case 'RenameStmt':
      return [as(node, 'RenameStmt')?.relation].filter((r): r is RangeVar => !!r);
    default:
      return [];
  }
}

export default defineRule({
  id: 'require-table-schema',
  severity: 'warning',
  category: 'hygiene',
  presets: [],
  description: 'Opt-in: DDL names a table without its schema, so search_path decides which table it changes',
  docs: {
    why:
      'An unqualified name is resolved through search_path at run time: the first schema of the path that has the table wins, and CREATE puts the table into the first schema of the path. In a database with several schemas (per-tenant schemas, an extension schema, a migration role whose path differs from the application\'s) the same migration can change a different table than the one reviewed, or create one where the application does not look. Naming the schema makes the target independent of the session. Default preset decision: in no preset (opt-in: enable it in the config): most projects use one schema, where qualification only adds noise; multi-schema projects turn it on.',
    bad: 'CREATE TABLE orders (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN note text;',
    good: 'CREATE TABLE app.orders (id bigint PRIMARY KEY);\nALTER TABLE app.orders ADD COLUMN note text;',
  },
  check(ctx) {
    if (ctx.stmt.origin !== 'top') return;
    for (const rel of unqualified(ctx.stmt.node)) {
      if (rel.schemaname || rel.relpersistence === 't') continue;
      ctx.report({
        span: ctx.spanAt(rel.location),
        message: `${rel.relname} is not schema-qualified: search_path decides at run time which schema's table this statement changes (or where it creates it), which differs between sessions and roles in a database with several schemas.`,
        help: `Name the schema, e.g. app.${rel.relname}.`,
        lock: null,
      });
    }
  },
});
