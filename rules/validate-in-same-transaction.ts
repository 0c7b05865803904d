import { as, blockedBy, defineRule, displayRel, type LockMode, type LockSummary, quoteIdent, relKey, type RuleContext, strongerLock, withArticle } from '../src/kit/index.ts';
import { lockPhrase } from '../src/advice/index.ts';

function where(ctx: RuleContext): { why: string; fix: string } {
  switch (ctx.tx.kind) {
    case 'explicit':
      return { why: 'the explicit transaction opened earlier in this file is still open', fix: 'COMMIT after the NOT VALID add (or move the VALIDATE into the next migration)' };
    case 'implicit':
      return {
        why: `${ctx.runner?.name ?? 'the runner'} sends the whole file as one query, which PostgreSQL runs as one implicit transaction`,
        fix: 'move the VALIDATE into the next migration',
      };
    default:
      return {
        why: `${ctx.runner?.name ?? 'the runner'} runs the whole migration in one transaction`,
        fix: 'move the VALIDATE into the next migration (the runner commits between migrations)',
      };
  }
}

export default defineRule({
  id: 'validate-in-same-transaction',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'VALIDATE CONSTRAINT in the same transaction as its NOT VALID add keeps the strong lock during the scan',
  docs: {
    why:
      'NOT VALID exists to split a constraint into a brief catalog change and a validation scan under a weak lock. But locks are held until the transaction ends: when VALIDATE CONSTRAINT runs in the same transaction as the ADD CONSTRAINT … NOT VALID, the ADD\'s lock — ACCESS EXCLUSIVE for a CHECK (every read and write waits), SHARE ROW EXCLUSIVE on both tables for a FOREIGN KEY (writes wait) — is still held for the whole validation scan, exactly as if NOT VALID had not been used. Migration runners that wrap each migration in a transaction make this easy to miss.',
    bad:
      "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\nCOMMIT;",
    good:
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n-- next migration (a separate transaction)\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
  },
  check(ctx) {
    if (!ctx.tx.inTransaction) return;
    const stmt = as(ctx.stmt.node, 'AlterTableStmt');
    if (!stmt) return;
    const table = relKey(stmt.relation);
    // A table created in this file is empty and invisible to others until commit: nothing waits.
    if (!ctx.isExisting(table)) return;
    (stmt.cmds ?? []).forEach((c, cmdIndex) => {
      const cmd = as(c, 'AlterTableCmd');
      if (cmd?.subtype !== 'AT_ValidateConstraint') return;
      const con = ctx.schema.tables.get(table)?.constraints.get(cmd.name ?? '');
      if (!con || con.validated || con.origin.file !== ctx.file || con.origin.tx !== ctx.tx.id) return;
      const held = ctx.tx.held.get(table);
      const refHeld = con.refTable && con.refTable !== table ? ctx.tx.held.get(con.refTable) : undefined;
      const heldText = [held ? withArticle(lockPhrase(held.mode, [table])) : undefined, refHeld && con.refTable ? withArticle(lockPhrase(refHeld.mode, [con.refTable])) : undefined]
        .filter((s): s is string => s !== undefined);
      let mode: LockMode | undefined;
      if (held) mode = strongerLock(mode, held.mode);
      if (refHeld) mode = strongerLock(mode, refHeld.mode);
      const lock: LockSummary | undefined = mode
        ? { mode, relations: [table, ...(refHeld && con.refTable ? [con.refTable] : [])], blocks: blockedBy(mode), rewrite: false, scan: true }
        : undefined;
      const rel = displayRel(table);
      const name = quoteIdent(con.name);
      const w = where(ctx);
      ctx.report({
        span: ctx.subcommandSpan(cmdIndex),
        lock,
        message: `VALIDATE CONSTRAINT ${name} runs in the same transaction that added it NOT VALID (${w.why}): ${heldText.length ? heldText.join(' and ') : 'the lock of the ADD'} ${heldText.length > 1 ? 'are' : 'is'} still held while every row of ${rel} is checked, which defeats NOT VALID.`,
        help: `Locks are released only at the end of the transaction. ${w.fix[0].toUpperCase()}${w.fix.slice(1)}, so the scan runs under VALIDATE's weak lock while reads and writes continue.`,
        safeAlternative: {
          summary: 'Commit the NOT VALID add first; validate in a later transaction.',
          steps: [
            {
              title: 'In a separate transaction, after the migration that adds the constraint NOT VALID has committed (e.g. the next migration)',
              sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${name};`,
              transaction: 'own',
            },
          ],
        },
      });
    });
  },
});
