import { alterSubcommands, defineRule, displayRel, quoteIdent, VERSION_FEATURES } from '../src/kit/index.ts';
import { lockPhrase, notNullSteps } from '../src/advice/index.ts';

export default defineRule({
  id: 'set-not-null-scan',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock',
  docs: {
    why:
      'ALTER COLUMN … SET NOT NULL must prove that no row holds NULL. Unless a validated constraint already proves it, Postgres scans the whole table while holding ACCESS EXCLUSIVE, so every read and write waits for the scan, which grows with the table. Since PostgreSQL 12 the scan is skipped when a validated CHECK (col IS NOT NULL) exists; such a CHECK can be added NOT VALID (instant) and validated under a weak lock. PostgreSQL 18 can add the NOT NULL constraint itself as NOT VALID.',
    bad: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    good:
      "SET lock_timeout = '2s';\nALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n-- next migration: validating scans without blocking reads or writes\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n-- PostgreSQL 12+, next migration: SET NOT NULL uses the validated CHECK instead of scanning\n--   ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n--   ALTER TABLE users DROP CONSTRAINT users_email_not_null;\n-- PostgreSQL 11 and older always scan: keep the CHECK, it enforces the same rule",
    versions:
      'PostgreSQL 12+: SET NOT NULL uses a validated CHECK (col IS NOT NULL) instead of scanning. PostgreSQL 18: ADD CONSTRAINT … NOT NULL … NOT VALID, then VALIDATE CONSTRAINT. PostgreSQL 11 and older always scan.',
  },
  check(ctx) {
    for (const { op, cmd, cmdIndex, table } of alterSubcommands(ctx, 'set-not-null')) {
      if (!op.scan || !op.existing) continue;
      const column = cmd.name ?? '';
      const recipe = notNullSteps(table, column, ctx.pgVersion);
      ctx.report({
        span: ctx.subcommandSpan(cmdIndex),
        message: `SET NOT NULL on ${displayRel(table)}.${quoteIdent(column)} scans every row to check for NULLs while holding an ${lockPhrase(op.mode, [table])}; the scan grows with the table's size.`,
        help:
          ctx.pgVersion >= VERSION_FEATURES.notNullNotValid
            ? 'Add the NOT NULL constraint NOT VALID (no scan), then VALIDATE CONSTRAINT in a separate transaction, which scans under SHARE UPDATE EXCLUSIVE while reads and writes continue.'
            : ctx.pgVersion >= VERSION_FEATURES.setNotNullUsesCheck
              ? 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a separate transaction (weak lock), then SET NOT NULL skips the scan.'
              : 'PostgreSQL 11 always scans for SET NOT NULL. Keep a validated CHECK (col IS NOT NULL) constraint instead, or upgrade.',
        safeAlternative: {
          summary: recipe.note ?? 'Prove the column has no NULLs with a constraint validated under a weak lock, so that NOT NULL needs no scan under ACCESS EXCLUSIVE.',
          steps: recipe.steps,
        },
      });
    }
  },
});
