import { alterSubcommands, defineRule, displayRel, OPERATIONS, quoteIdent, type RuleContext, type SafeStep, summarize } from '../src/kit/index.ts';
import { primaryKey, withLockTimeout } from '../src/advice/index.ts';
import { aLockPhrase, extraLocks } from '../src/advice/app-compat.ts';
import { columnVerdict, dropColumnFirstDeploy } from '../src/advice/models.ts';

/** What else goes with the column, from the replayed schema. */
function dependents(ctx: RuleContext, table: string, column: string): { indexes: string[]; constraints: string[]; referenced: string[] } {
  const t = ctx.schema.tables.get(table);
  const constraints: string[] = [];
  const referenced: string[] = [];
  for (const c of t?.constraints.values() ?? []) {
    if (!c.columns.includes(column)) continue;
    constraints.push(c.name);
    if (c.kind === 'foreign' && c.refTable && c.refTable !== table && !referenced.includes(c.refTable)) referenced.push(c.refTable);
  }
  const indexes = ctx.schema
    .indexesOf(table)
    .filter((i) => i.columns.includes(column))
    .map((i) => i.key.slice(i.key.indexOf('.') + 1))
    .filter((name) => !constraints.includes(name));
  return { indexes, constraints, referenced };
}

export default defineRule({
  id: 'drop-column',
  severity: 'error',
  category: 'app-compat',
  presets: ['recommended', 'strict'],
  description: 'DROP COLUMN breaks the application version still running if it reads or writes the column',
  docs: {
    why:
      'Dropping a column is a quick catalog change, but the moment it commits every running query that names the column fails (column "…" does not exist): explicit SELECTs and INSERTs, and ORMs that list every mapped column in their SELECT and INSERT statements even when the code never touches the attribute. Migrations run before (or during) the rollout of the new code, so the old version is still serving traffic. Deploy code that no longer reads or writes the column first (for an ORM: remove it from the model or mark it ignored), then drop it in a later migration. Dropping a column also drops the indexes and constraints that use it. With Prisma, TypeORM, Drizzle, Sequelize, MikroORM or Kysely models in the repository, zerodown checks the models at the deployed revision and in the working tree: a model that still maps the column is named (docs/orm.md); a drop no model maps any more is the safe second step and is not reported.',
    bad: 'ALTER TABLE users DROP COLUMN legacy_flags;',
    good: "-- after deploying code that no longer reads or writes legacy_flags:\nSET lock_timeout = '2s';\n-- zerodown-ignore drop-column -- unused since release 42 (no running code names it)\nALTER TABLE users DROP COLUMN legacy_flags;",
  },
  check(ctx) {
    for (const { op, cmd, cmdIndex, table } of alterSubcommands(ctx, 'drop-column')) {
      if (!op.existing) continue;
      const rel = displayRel(table);
      const column = cmd.name;
      if (!column) continue;
      const info = ctx.schema.tables.get(table);
      const col = info?.columns.get(column);
      // A column added earlier in this file was never used by the running code.
      if (col && col.origin.file === ctx.file) continue;
      const c = quoteIdent(column);
      const models = columnVerdict(ctx.models, table, column, `${rel}.${c}`);
      if (models.kind === 'unused') {
        ctx.note(models.note);
        continue;
      }
      const dep = dependents(ctx, table, column);
      const goes: string[] = [];
      if (dep.indexes.length) goes.push(`index${dep.indexes.length > 1 ? 'es' : ''} ${dep.indexes.map(quoteIdent).join(', ')}`);
      if (dep.constraints.length) goes.push(`constraint${dep.constraints.length > 1 ? 's' : ''} ${dep.constraints.map(quoteIdent).join(', ')}`);
      const cascade = cmd.behavior === 'DROP_CASCADE';
      const refMode = OPERATIONS['drop-table'].locks.referenced;
      const alsoLocks = dep.referenced.length && refMode ? ` Dropping its foreign key also takes ${aLockPhrase(refMode, dep.referenced)}, to remove the key's triggers there.` : '';
      const alsoDrops = goes.length ? ` It also drops ${goes.join(' and ')}.` : '';
      const cascadeNote = cascade ? ' CASCADE also drops views and other tables\' foreign keys that depend on the column.' : '';
      const steps: SafeStep[] = [];
      const inPk = primaryKey(ctx.schema, table)?.includes(column) ?? false;
      const required = !!col?.notNull && !col.hasDefault && !inPk;
      if (required) {
        steps.push({
          title: `Make ${c} nullable first, so code that stops writing it can still insert rows (catalog-only, brief lock)`,
          sql: withLockTimeout(`ALTER TABLE ${rel} ALTER COLUMN ${c} DROP NOT NULL;`),
          transaction: 'own',
          deploy: models.kind === 'mapped' ? `Then ${dropColumnFirstDeploy(models.uses, column, true)}` : `Then deploy code that no longer reads or writes ${c} (ORM: remove it from the model or mark it ignored, e.g. Rails ignored_columns).`,
        });
      }
      steps.push({
        title: `Drop the column (catalog-only: the ${op.mode} lock is brief, and lock_timeout keeps it from queueing traffic)`,
        sql: withLockTimeout(`ALTER TABLE ${rel} DROP COLUMN ${c}${cascade ? ' CASCADE' : ''};`),
        transaction: 'own',
        deploy: steps.length
          ? `Only after no running instance reads or writes ${c}.`
          : models.kind === 'mapped'
          ? dropColumnFirstDeploy(models.uses, column, false)
          : `First deploy code that no longer reads or writes ${c} (ORM: remove it from the model or mark it ignored, e.g. Rails ignored_columns), and wait until no old instance is left.`,
      });
      const proof = models.kind === 'mapped' ? `${models.evidence}. ` : '';
      ctx.report({
        span: ctx.subcommandSpan(cmdIndex),
        relatedLocations: models.kind === 'mapped' ? models.related : undefined,
        message: `${proof}Dropping ${rel}.${c} breaks the application version that is still running: from the moment this commits, every query that names ${c} — explicitly, or through an ORM that lists every mapped column in its SELECTs and INSERTs — fails until the new code is everywhere.${alsoDrops}${cascadeNote}${alsoLocks}`,
        lock: summarize([...ctx.ops.filter((o) => o.existing), ...extraLocks('drop-column', refMode, dep.referenced)]),
        help:
          models.kind === 'mapped'
            ? `Two deploys. ${required ? `First make ${c} nullable (so the code that stops writing it can still insert). ` : ''}${dropColumnFirstDeploy(models.uses, column, required)} Deploy B: drop the column in a later migration, with lock_timeout.`
            : `Deploy code that no longer reads or writes ${c} first (ORM: remove the attribute from the model or mark it ignored)${steps.length > 1 ? ', after making the column nullable so that code can still insert' : ''}; drop the column in a later migration, with lock_timeout.${col ? '' : ' If the column is NOT NULL without a default, drop NOT NULL before deploying that code, or its inserts fail.'}`,
        safeAlternative: {
          summary: `Deploy ordering: the code stops using ${c} first; the column is dropped in a later migration.`,
          steps,
        },
      });
    }
  },
});
