import type { ColumnDef, Constraint } from 'libpg-query';
import { type AppliedOp, as, columnConstraintText, constraintColumns, constraintsOf, defineRule, displayRel, freeConstraintName, OPERATIONS, quoteIdent, relKey, type RuleContext, type SafeAlternative, type SafeStep, strings, withArticle } from '../src/kit/index.ts';
import { lockPhrase, notNullSteps, withLockTimeout } from '../src/advice/index.ts';

function attributes(con: Constraint): string {
  if (!con.deferrable) return '';
  return con.initdeferred ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE';
}

/** CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT … USING INDEX (NOT NULL steps first for a PK). */
function indexFirstSteps(ctx: RuleContext, table: string, con: Constraint, columns: string[], name: string, prelude?: SafeStep): { steps: SafeStep[]; note?: string } {
  const rel = displayRel(table);
  const primary = con.contype === 'CONSTR_PRIMARY';
  const cols = columns.map(quoteIdent).join(', ');
  const include = strings(con.including);
  const idx = quoteIdent(name);
  const steps: SafeStep[] = prelude ? [prelude] : [];
  let note: string | undefined;
  if (primary) {
    const info = ctx.schema.tables.get(table);
    for (const c of columns) {
      if (info?.columns.get(c)?.notNull) continue;
      const nn = notNullSteps(table, c, ctx.pgVersion);
      steps.push(...nn.steps);
      note = nn.note;
    }
  }
  steps.push(
    {
      title: `Build the unique index without blocking writes (SHARE UPDATE EXCLUSIVE, two scans)`,
      sql: `CREATE UNIQUE INDEX CONCURRENTLY ${idx} ON ${rel} (${cols})${include.length ? ` INCLUDE (${include.map(quoteIdent).join(', ')})` : ''}${con.nulls_not_distinct ? ' NULLS NOT DISTINCT' : ''};`,
      transaction: 'outside',
    },
    {
      title: `Attach it as the ${primary ? 'primary key' : 'unique constraint'}: a catalog change under a brief ${OPERATIONS['add-constraint-using-index'].locks.table} lock${primary ? ' (the columns are already NOT NULL, so no scan)' : ''}`,
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD CONSTRAINT ${idx} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${idx}${attributes(con)};`),
      transaction: 'own',
    },
  );
  return { steps, note };
}

function exclusionAlternative(ctx: RuleContext, rel: string, sub: string): SafeAlternative {
  return {
    summary:
      'There is no online way to add an EXCLUDE constraint: it cannot be added NOT VALID and cannot adopt an existing index. Run it in a maintenance window with a lock_timeout (so it fails fast instead of queueing traffic behind it), or, for a large busy table, build a new table that has the constraint, copy the rows over in batches while the application writes to both, and switch to it.',
    steps: [
      {
        title: 'In a maintenance window: fail fast if the lock is not granted at once; the build itself still blocks reads and writes',
        sql: withLockTimeout(`ALTER TABLE ${rel} ${sub};`),
        transaction: 'own',
      },
    ],
  };
}

function tableConstraint(ctx: RuleContext, table: string, op: AppliedOp, cmdIndex: number): void {
  const stmt = as(ctx.stmt.node, 'AlterTableStmt');
  const con = as(as(stmt?.cmds?.[cmdIndex], 'AlterTableCmd')?.def, 'Constraint');
  if (!con) return;
  const span = ctx.subcommandSpan(cmdIndex);
  const rel = displayRel(table);
  const lock = lockPhrase(op.mode, [table]);
  if (con.contype === 'CONSTR_EXCLUSION') {
    const sub = ctx.stmt.text.slice(span.start - ctx.stmt.span.start, span.end - ctx.stmt.span.start).trim();
    ctx.report({
      span,
      message: `ADD CONSTRAINT … EXCLUDE builds its index over every row of ${rel} while holding ${withArticle(lock)}; the build grows with the table's size.`,
      help: 'PostgreSQL has no online path for exclusion constraints (no NOT VALID, no USING INDEX). Schedule it in a maintenance window with a lock_timeout, or build a new table with the constraint and move the data to it.',
      safeAlternative: exclusionAlternative(ctx, rel, sub),
    });
    return;
  }
  const primary = con.contype === 'CONSTR_PRIMARY';
  const columns = constraintColumns(con);
  const name = con.conname ?? freeConstraintName(ctx.schema, table, primary ? 'primary' : 'unique', columns);
  const plan = indexFirstSteps(ctx, table, con, columns, name);
  const kind = primary ? 'PRIMARY KEY' : 'UNIQUE';
  ctx.report({
    span,
    message: `ADD CONSTRAINT … ${kind} builds a unique index over every row of ${rel} while holding ${withArticle(lock)}; the build grows with the table's size.`,
    help: `Build the index first with CREATE UNIQUE INDEX CONCURRENTLY (reads and writes continue), then attach it with ADD CONSTRAINT … ${kind} USING INDEX, a brief catalog change.${primary ? ' Make nullable key columns NOT NULL first, or the attach scans the table for NULLs under the strong lock.' : ''} CONCURRENTLY cannot run inside a transaction block: ${ctx.escapeHatch()}.`,
    safeAlternative: {
      summary: `Build the unique index concurrently, then turn it into the constraint.${plan.note ? ` ${plan.note}` : ''}`,
      steps: plan.steps,
    },
  });
}

function columnConstraint(ctx: RuleContext, table: string, op: AppliedOp, cmdIndex: number, def: ColumnDef): void {
  const con = constraintsOf(def).find((c) => c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY');
  if (!con) return;
  const span = ctx.subcommandSpan(cmdIndex);
  const rel = displayRel(table);
  const column = def.colname ?? '';
  const primary = con.contype === 'CONSTR_PRIMARY';
  const kind = primary ? 'PRIMARY KEY' : 'UNIQUE';
  const name = con.conname ?? freeConstraintName(ctx.schema, table, primary ? 'primary' : 'unique', [column]);
  const parts = columnConstraintText(ctx, def, con, span);
  let safe: SafeAlternative | null = null;
  if (parts) {
    const prelude: SafeStep = {
      title: `Add the column without ${kind} (catalog-only, brief lock)`,
      sql: withLockTimeout(`ALTER TABLE ${rel} ${parts.without};`),
      transaction: 'own',
    };
    const plan = indexFirstSteps(ctx, table, con, [column], name, prelude);
    safe = { summary: `Add the column, build the unique index concurrently, then turn it into the constraint.${plan.note ? ` ${plan.note}` : ''}`, steps: plan.steps };
  }
  ctx.report({
    span,
    message: `ADD COLUMN ${quoteIdent(column)} … ${kind} builds a unique index over every row of ${rel} while holding ${withArticle(lockPhrase(op.mode, [table]))}; the build grows with the table's size.`,
    help: `Add the column without ${kind}, build the index with CREATE UNIQUE INDEX CONCURRENTLY, then attach it with ADD CONSTRAINT … ${kind} USING INDEX. CONCURRENTLY cannot run inside a transaction block: ${ctx.escapeHatch()}.`,
    safeAlternative: safe,
  });
}

export default defineRule({
  id: 'constraint-builds-index',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ADD UNIQUE / PRIMARY KEY / EXCLUDE builds an index on an existing table under an ACCESS EXCLUSIVE lock',
  docs: {
    why:
      'A UNIQUE or PRIMARY KEY constraint is backed by a unique index, and an EXCLUDE constraint by an index too. Added with ALTER TABLE, the index is built while the statement holds ACCESS EXCLUSIVE: every read and write of the table waits for the whole build, which scans and sorts the table (minutes on a large one). For UNIQUE and PRIMARY KEY, build the index first with CREATE UNIQUE INDEX CONCURRENTLY (writes continue) and attach it with ADD CONSTRAINT … USING INDEX, a catalog change; a PRIMARY KEY also needs its columns NOT NULL beforehand, or the attach scans for NULLs. EXCLUDE constraints have no such path: they need a maintenance window or a new table.',
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
    good:
      "-- migration outside a transaction\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n-- next migration\nSET lock_timeout = '2s';\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
    versions: 'All versions. NULLS NOT DISTINCT (PostgreSQL 15+) is carried over to the index.',
  },
  check(ctx) {
    const stmt = as(ctx.stmt.node, 'AlterTableStmt');
    if (!stmt) return;
    const table = relKey(stmt.relation);
    for (const op of ctx.ops) {
      if (op.cmdIndex === undefined || !op.existing || op.relation !== table) continue;
      if (op.op === 'add-unique' || op.op === 'add-primary-key' || op.op === 'add-exclusion') {
        tableConstraint(ctx, table, op, op.cmdIndex);
      } else if (op.op === 'add-column' && !op.rewrite) {
        // A rewriting ADD COLUMN (serial, identity, volatile default) is reported by add-column-rewrite.
        const def = as(as(stmt.cmds?.[op.cmdIndex], 'AlterTableCmd')?.def, 'ColumnDef');
        if (def) columnConstraint(ctx, table, op, op.cmdIndex, def);
      }
    }
  },
});
