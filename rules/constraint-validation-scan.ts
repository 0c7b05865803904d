import type { AlterTableCmd } from 'libpg-query';
import { type AppliedOp, as, constraintColumns, type ConstraintKind, constraintsOf, defineRule, displayRel, OPERATIONS, quoteIdent, relKey, type RuleContext, type SafeAlternative, type SafeStep, columnConstraintText, freeConstraintName, withArticle } from '../src/kit/index.ts';
import { lockPhrase, withLockTimeout } from '../src/advice/index.ts';

/** The op on the referenced table (the analyzer emits it right after the one on the table). */
function referencedOf(ctx: RuleContext, cmdIndex: number): AppliedOp | undefined {
  return ctx.ops.filter((o) => o.cmdIndex === cmdIndex && o.op === 'add-foreign-key')[1];
}

/**
 * The statement with one subcommand replaced; the other subcommands stay (a later subcommand may
 * need an earlier one, e.g. a CHECK on a column added before it). Alone: `prefix replacement`.
 */
function withOtherSubcommands(ctx: RuleContext, span: { start: number; end: number }, replacement: string, prefix: string): string {
  const count = as(ctx.stmt.node, 'AlterTableStmt')?.cmds?.length ?? 1;
  if (count <= 1) return `${prefix} ${replacement}`;
  const base = ctx.stmt.span.start;
  return `${ctx.stmt.text.slice(0, span.start - base)}${replacement}${ctx.stmt.text.slice(span.end - base)}`.trim();
}

function validateSteps(rel: string, name: string, foreign: boolean, referenced: string | undefined): SafeStep {
  const fact = OPERATIONS[foreign ? 'validate-foreign-key' : 'validate-constraint'];
  const refLock = foreign && referenced && fact.locks.referenced ? ` and ${fact.locks.referenced} on ${displayRel(referenced)}` : '';
  return {
    title: `In a separate transaction (the next migration): validate existing rows. Takes ${fact.locks.table} on ${rel}${refLock}: reads and writes continue during the scan`,
    sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
    transaction: 'own',
  };
}

function tableConstraint(ctx: RuleContext, table: string, cmdIndex: number, op: AppliedOp): void {
  const stmt = as(ctx.stmt.node, 'AlterTableStmt');
  const con = as(as(stmt?.cmds?.[cmdIndex], 'AlterTableCmd')?.def, 'Constraint');
  if (!con) return;
  const foreign = con.contype === 'CONSTR_FOREIGN';
  const kind: ConstraintKind = foreign ? 'foreign' : 'check';
  const name = con.conname ?? freeConstraintName(ctx.schema, table, kind, constraintColumns(con));
  const span = ctx.subcommandSpan(cmdIndex);
  let sub = ctx.stmt.text.slice(span.start - ctx.stmt.span.start, span.end - ctx.stmt.span.start).trim();
  if (!con.conname) sub = sub.replace(/^ADD\s+/i, `ADD CONSTRAINT ${quoteIdent(name)} `);
  const rel = displayRel(table);
  const refOp = foreign ? referencedOf(ctx, cmdIndex) : undefined;
  const referenced = con.pktable ? relKey(con.pktable) : refOp?.relation;
  const what = foreign ? `FOREIGN KEY ${quoteIdent(name)}` : `CHECK ${quoteIdent(name)}`;
  const locks = foreign && refOp && referenced && referenced !== table
    ? `${withArticle(lockPhrase(op.mode, [table]))} and ${withArticle(lockPhrase(refOp.mode, [referenced]))}`
    : withArticle(lockPhrase(op.mode, [table]));
  const check = foreign
    ? `checks every existing row of ${rel} against ${referenced ? displayRel(referenced) : 'the referenced table'}`
    : `checks every existing row of ${rel}`;
  const safe: SafeAlternative = {
    summary: `Add the constraint NOT VALID (new and updated rows are checked at once, no scan), then VALIDATE CONSTRAINT in a separate transaction, which scans without blocking reads or writes.`,
    steps: [
      {
        title: `Add the constraint without checking existing rows (brief ${op.mode} lock${foreign && referenced ? `, also on ${displayRel(referenced)}` : ''}, no scan)`,
        sql: withLockTimeout(`${withOtherSubcommands(ctx, span, `${sub} NOT VALID`, `ALTER TABLE ${rel}`)};`),
        transaction: 'own',
      },
      validateSteps(rel, name, foreign, referenced),
    ],
  };
  // Autofix in autocommit only: there the VALIDATE that follows runs in a transaction of its own.
  // Not for a runner that sends the file as one query: the added VALIDATE makes a one-statement file
  // two statements, one implicit transaction, and the fix would undo itself.
  const fixable = ctx.tx.kind === 'none' && ctx.stmt.origin === 'top' && !!con.conname && ctx.runner?.oneQueryPerFile !== true;
  ctx.report({
    span,
    fix: fixable
      ? {
          description: `add ${what} NOT VALID, then VALIDATE CONSTRAINT in its own transaction`,
          edits: [
            { start: span.end, end: span.end, text: ' NOT VALID' },
            { start: ctx.stmt.span.end, end: ctx.stmt.span.end, text: `;\nALTER TABLE ${rel} VALIDATE CONSTRAINT ${quoteIdent(name)}` },
          ],
        }
      : undefined,
    message: `ADD CONSTRAINT … ${what} ${check} while holding ${locks}; the scan grows with the table's size.`,
    help: `Add it with NOT VALID, commit, and run ALTER TABLE ${rel} VALIDATE CONSTRAINT ${quoteIdent(name)} in a separate transaction: validation then takes only ${OPERATIONS[foreign ? 'validate-foreign-key' : 'validate-constraint'].locks.table}${foreign ? ` (and ${OPERATIONS['validate-foreign-key'].locks.referenced} on the referenced table)` : ''}, so reads and writes continue.`,
    safeAlternative: safe,
  });
}

/**
 * ADD COLUMN … REFERENCES validates the new column only when it gets a value: with a DEFAULT
 * (even DEFAULT NULL) Postgres scans the table (observed on PostgreSQL 18); without one the column
 * is NULL everywhere and nothing is checked.
 */
function columnForeignKey(ctx: RuleContext, table: string, cmd: AlterTableCmd, cmdIndex: number, op: AppliedOp): void {
  const def = as(cmd.def, 'ColumnDef');
  if (!def) return;
  const cons = constraintsOf(def);
  const fk = cons.find((c) => c.contype === 'CONSTR_FOREIGN');
  const hasDefault = cons.some((c) => c.contype === 'CONSTR_DEFAULT');
  // Stored generated, identity and serial columns rewrite the table: add-column-rewrite reports them.
  if (!fk || !hasDefault || op.rewrite || fk.skip_validation) return;
  const span = ctx.subcommandSpan(cmdIndex);
  const parts = columnConstraintText(ctx, def, fk, span);
  const column = def.colname ?? '';
  const rel = displayRel(table);
  const referenced = fk.pktable ? relKey(fk.pktable) : undefined;
  const refOp = referencedOf(ctx, cmdIndex) ?? ctx.ops.find((o) => o.cmdIndex === cmdIndex && o.op === 'add-foreign-key');
  const name = fk.conname ?? freeConstraintName(ctx.schema, table, 'foreign', [column]);
  const locks =
    refOp && referenced ? `${withArticle(lockPhrase(op.mode, [table]))} and ${withArticle(lockPhrase(refOp.mode, [referenced]))}` : withArticle(lockPhrase(op.mode, [table]));
  let safe: SafeAlternative | null = null;
  if (parts) {
    const references = parts.clause.replace(/^CONSTRAINT\s+("(?:[^"]|"")*"|\S+)\s+/i, '');
    safe = {
      summary: 'Add the column with its default but without the foreign key (catalog-only), add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.',
      steps: [
        {
          title: 'Add the column and the foreign key NOT VALID: brief locks, no scan',
          sql: withLockTimeout(`ALTER TABLE ${rel} ${parts.without};\nALTER TABLE ${rel} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${quoteIdent(column)}) ${references} NOT VALID;`),
          transaction: 'own',
        },
        validateSteps(rel, name, true, referenced),
      ],
    };
  }
  ctx.report({
    span,
    message: `ADD COLUMN ${quoteIdent(column)} … REFERENCES with a DEFAULT checks every existing row of ${rel} against ${referenced ? displayRel(referenced) : 'the referenced table'} while holding ${locks}; the scan grows with the table's size.`,
    help: `Add the column without REFERENCES, then add the foreign key with NOT VALID and run VALIDATE CONSTRAINT in a separate transaction, which takes only ${OPERATIONS['validate-foreign-key'].locks.table} (and ${OPERATIONS['validate-foreign-key'].locks.referenced} on the referenced table).`,
    safeAlternative: safe,
  });
}

export default defineRule({
  id: 'constraint-validation-scan',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ADD CONSTRAINT CHECK / FOREIGN KEY without NOT VALID scans an existing table while holding a strong lock',
  docs: {
    why:
      'Adding a CHECK or FOREIGN KEY constraint makes Postgres check every existing row before the statement finishes. A CHECK holds ACCESS EXCLUSIVE for the whole scan (every read and write of the table waits); a FOREIGN KEY holds SHARE ROW EXCLUSIVE on both the table and the referenced table (writes to both wait) while it looks up every row. The scan grows with the table. With NOT VALID the constraint is added instantly and enforced for new and updated rows; ALTER TABLE … VALIDATE CONSTRAINT, run in a later transaction, checks the existing rows under SHARE UPDATE EXCLUSIVE (ROW SHARE on the referenced table), so reads and writes continue. ADD COLUMN … REFERENCES is checked too when the new column has a DEFAULT.',
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);',
    good:
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n-- next migration\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;",
  },
  check(ctx) {
    const stmt = as(ctx.stmt.node, 'AlterTableStmt');
    if (!stmt) return;
    const table = relKey(stmt.relation);
    const done = new Set<number>();
    for (const op of ctx.ops) {
      if (op.cmdIndex === undefined || done.has(op.cmdIndex) || !op.existing || op.relation !== table) continue;
      if ((op.op === 'add-check' || op.op === 'add-foreign-key') && op.scan) {
        done.add(op.cmdIndex);
        tableConstraint(ctx, table, op.cmdIndex, op);
      } else if (op.op === 'add-column') {
        const cmd = as(stmt.cmds?.[op.cmdIndex], 'AlterTableCmd');
        if (cmd) {
          done.add(op.cmdIndex);
          columnForeignKey(ctx, table, cmd, op.cmdIndex, op);
        }
      }
    }
  },
});
