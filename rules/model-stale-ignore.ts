import { as, defineRule, displayRel, quoteIdent, relKey } from '../src/kit/index.ts';
import { ignoredColumns } from '../src/advice/models.ts';

const MARKER_TEXT: Record<string, string> = {
  ignored: '@ignore',
  'no-select': 'select: false',
  'no-insert': 'insert: false',
  'no-update': 'update: false',
};

export default defineRule({
  id: 'model-stale-ignore',
  severity: 'warning',
  category: 'hygiene',
  presets: ['recommended', 'strict'],
  description: 'An ORM model keeps an ignore marker (@ignore, select: false) on a column this migration drops',
  docs: {
    why:
      'Marking a field `@ignore` (Prisma) or `select: false, insert: false, update: false` (TypeORM) is the first deploy of a column drop: the running code stops naming the column, so the DROP in a later migration is safe. Once the column is dropped the marker maps a column that no longer exists: the next `prisma migrate dev`, `prisma db pull` or TypeORM `migration:generate` compares the model with the database and wants the column back (or removes the field), and readers of the model take it for a real column. No lock is involved; it is model drift that the next generated migration turns into a surprise.',
    bad: "-- schema.prisma (working tree): legacyName String? @map(\"legacy_name\") @ignore\nALTER TABLE users DROP COLUMN legacy_name;",
    good: '-- schema.prisma: the legacyName field is deleted in the same change as the DROP\nALTER TABLE users DROP COLUMN legacy_name;',
    examplesNeed: 'ORM model files beside the migration (the examples name a Prisma schema): test/model-check.test.ts builds such repositories',
  },
  check(ctx) {
    const stmt = as(ctx.stmt.node, 'AlterTableStmt');
    if (!stmt || !ctx.models) return;
    const table = relKey(stmt.relation);
    for (const op of ctx.ops) {
      if (op.op !== 'drop-column' || op.cmdIndex === undefined) continue;
      const column = as(stmt.cmds?.[op.cmdIndex], 'AlterTableCmd')?.name;
      if (!column) continue;
      const stale = ignoredColumns(ctx.models, table, column);
      if (!stale.length) continue;
      const target = `${displayRel(table)}.${quoteIdent(column)}`;
      const first = stale[0];
      const markers = first.column.markers.map((m) => MARKER_TEXT[m] ?? m).join(', ');
      ctx.report({
        span: ctx.subcommandSpan(op.cmdIndex),
        lock: null,
        relatedLocations: stale.map((u) => ({ path: u.column.ref.path, line: u.column.ref.line, column: u.column.ref.column, message: `\`${u.table.model}.${u.column.field}\` (${u.table.orm}) still maps ${target}, which this migration drops` })),
        message: `\`${first.table.model}.${first.column.field}\` in ${first.column.ref.path}:${first.column.ref.line} keeps ${markers} on ${target}, which this migration drops: after it runs, the model maps a column that no longer exists, and the next generated migration (prisma migrate dev, TypeORM migration:generate) will try to add it back.`,
        help: `Delete the field \`${first.table.model}.${first.column.field}\` from the model in the same change as this DROP (the marker has done its job: the deployed code no longer names the column).`,
      });
    }
  },
});
