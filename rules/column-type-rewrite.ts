import type { AlterTableCmd } from 'libpg-query';
import { alterSubcommands, type AppliedOp, as, defineRule, displayRel, quoteIdent, type RuleContext, VERSION_FEATURES, withArticle } from '../src/kit/index.ts';
import { lockPhrase } from '../src/advice/index.ts';
import { expandColumnName, expandContractSteps } from '../src/advice/expand-contract.ts';

/** The new type and the USING expression as the author wrote them. */
function typeAndUsing(ctx: RuleContext, cmd: AlterTableCmd, cmdIndex: number): { type: string; using?: string } | undefined {
  const def = as(cmd.def, 'ColumnDef');
  const loc = def?.typeName?.location;
  if (loc === undefined) return undefined;
  const span = ctx.subcommandSpan(cmdIndex);
  const start = ctx.stmt.toIndex(loc);
  if (start < span.start || start > span.end) return undefined;
  const rest = ctx.stmt.text.slice(start - ctx.stmt.span.start, span.end - ctx.stmt.span.start);
  const m = /\s+USING\s+/i.exec(rest);
  if (def?.raw_default && m) return { type: rest.slice(0, m.index).trim(), using: rest.slice(m.index + m[0].length).trim() };
  return { type: rest.trim() };
}

/** A type change without a rewrite that still re-validates CHECK constraints on the column by a full scan. */
function reportRecheck(ctx: RuleContext, table: string, cmd: AlterTableCmd, op: AppliedOp, cmdIndex: number, checks: string[]): void {
  const rel = displayRel(table);
  const col = quoteIdent(cmd.name ?? '');
  const src = typeAndUsing(ctx, cmd, cmdIndex);
  const names = checks.map(quoteIdent);
  const lock = lockPhrase(op.mode, [table]);
  const list = `'${checks.map((n) => n.replace(/'/g, "''")).join("', '")}'`;
  ctx.report({
    span: ctx.subcommandSpan(cmdIndex),
    message: `ALTER COLUMN ${col} TYPE ${src?.type ?? ''} does not rewrite ${rel}, but PostgreSQL re-adds the CHECK constraint${checks.length > 1 ? 's' : ''} ${names.join(', ')} on the column and re-validates ${checks.length > 1 ? 'them' : 'it'} with a full scan while holding ${withArticle(lock)}: every read and write waits for a time that grows with the table's size.`,
    help: `Drop the CHECK constraint${checks.length > 1 ? 's' : ''} and re-add ${checks.length > 1 ? 'them' : 'it'} NOT VALID in the same ALTER TABLE as the type change (catalog-only, a brief lock), then VALIDATE CONSTRAINT in a later statement, which scans under SHARE UPDATE EXCLUSIVE while reads and writes continue.`,
    safeAlternative: {
      summary: `Swap the CHECK constraint${checks.length > 1 ? 's' : ''} for NOT VALID copies in the type-changing statement, then validate without blocking.`,
      steps: [
        {
          title: `Change the type with the constraint${checks.length > 1 ? 's' : ''} swapped for NOT VALID copies of ${checks.length > 1 ? 'their' : 'its'} own definition (catalog-only), with a lock_timeout`,
          sql: [
            "SET lock_timeout = '2s';",
            'DO $zd$',
            'DECLARE drops text; adds text;',
            'BEGIN',
            `  SELECT string_agg(format('DROP CONSTRAINT %I', conname), ', '), string_agg(format('ADD CONSTRAINT %I %s NOT VALID', conname, pg_get_constraintdef(oid)), ', ')`,
            `    INTO drops, adds FROM pg_constraint WHERE conrelid = '${rel.replace(/'/g, "''")}'::regclass AND conname IN (${list});`,
            `  EXECUTE format('ALTER TABLE ${rel.replace(/'/g, "''")} %s, ALTER COLUMN ${col.replace(/'/g, "''")} TYPE ${(src?.type ?? 'text').replace(/'/g, "''").replace(/%/g, '%%')}, %s', drops, adds);`,
            'END $zd$;',
          ].join('\n'),
          transaction: 'any',
        },
        ...names.map((n) => ({ title: `Validate ${n} without blocking reads or writes`, sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${n};`, transaction: 'any' as const })),
      ],
    },
  });
}

function report(ctx: RuleContext, table: string, cmd: AlterTableCmd, op: AppliedOp): void {
  const verdict = op.typeChange;
  if (verdict?.rewrite === 'no' && op.recheck?.length && op.cmdIndex !== undefined) return reportRecheck(ctx, table, cmd, op, op.cmdIndex, op.recheck);
  if (!verdict || verdict.rewrite === 'no' || op.cmdIndex === undefined) return;
  const column = cmd.name ?? '';
  const rel = displayRel(table);
  const col = quoteIdent(column);
  const src = typeAndUsing(ctx, cmd, op.cmdIndex);
  const lock = lockPhrase(op.mode, [table]);
  const unknown = verdict.rewrite === 'unknown';
  let safeAlternative = null;
  if (src) {
    const newColumn = expandColumnName(column);
    const conversion = src.using ? `(${src.using})` : `${col}::${src.type}`;
    const plan = expandContractSteps(ctx.schema, table, column, newColumn, src.type, conversion, { pgVersion: ctx.pgVersion });
    safeAlternative = {
      summary: [
        `Expand/contract: add ${quoteIdent(newColumn)} ${src.type}, keep it in sync with a trigger, backfill it in batches, switch the application to it, then drop ${col}. Every step holds its strong lock only briefly.`,
        ...plan.notes,
      ].join(' '),
      steps: plan.steps,
    };
  }
  ctx.report({
    span: ctx.subcommandSpan(op.cmdIndex),
    severity: unknown ? 'warning' : undefined,
    message: unknown
      ? `ALTER COLUMN ${col} TYPE ${src?.type ?? ''} may rewrite ${rel}: ${verdict.reason}. A rewrite holds ${withArticle(lock)} while every row and every index of the table is rewritten, which grows with the table's size.`
      : `ALTER COLUMN ${col} TYPE ${src?.type ?? ''} rewrites ${rel}: ${verdict.reason}. The ${lock} is held while every row and every index is rewritten, which grows with the table's size.`,
    help: verdict.dependsOnTimeZone
      ? `PostgreSQL ${VERSION_FEATURES.timestampTimeZoneUtcNoRewrite}+ skips this rewrite when the session TimeZone has a fixed zero offset: put SET TIME ZONE 'UTC' before the statement in this file (SET LOCAL inside its transaction), or set \`timeZone\` in the zerodown config when the server, database or role already runs in UTC. Otherwise add a new column and migrate to it step by step (expand/contract).`
      : unknown
      ? 'Check the current type of the column: widening varchar/numeric precision or a binary-coercible change is catalog-only, anything else rewrites the table. If it rewrites, add a new column and migrate to it step by step (expand/contract) instead.'
      : 'Add a new column of the new type and migrate to it step by step (expand/contract): each step takes its strong lock only briefly, and the data moves in small committed batches.',
    safeAlternative,
  });
}

export default defineRule({
  id: 'column-type-rewrite',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ALTER COLUMN … TYPE that rewrites the table (or re-validates its CHECK constraints) under an ACCESS EXCLUSIVE lock',
  docs: {
    why:
      'Changing a column\'s type usually converts every value: Postgres writes a new copy of the table and rebuilds every index on it while holding ACCESS EXCLUSIVE, so every read and write waits for a time that grows with the table (and it needs disk for the copy). Only a few changes are catalog-only: varchar(n) to varchar(m) with m ≥ n, varchar to text, raising numeric precision at the same scale, removing a length limit, and binary-coercible casts. Even those re-validate every CHECK constraint that mentions the column, with a full scan under the same lock: drop such a constraint and re-add it NOT VALID in the same statement, then VALIDATE it separately. For the others, add a new column, keep it in sync with a trigger, backfill it in batches, move the application to it, and drop the old column (expand/contract).',
    bad: 'ALTER TABLE orders ALTER COLUMN amount TYPE bigint;',
    good:
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN amount_new bigint;\n-- trigger keeping amount_new = amount::bigint, batched backfill, NOT NULL via NOT VALID + VALIDATE,\n-- deploy code using amount_new, then drop the trigger and the old column",
    versions: 'timestamp → timestamptz skips the rewrite on PostgreSQL 12+ only when the session TimeZone is UTC.',
  },
  check(ctx) {
    for (const { op, cmd, table } of alterSubcommands(ctx, 'alter-column-type')) {
      if (op.existing) report(ctx, table, cmd, op);
    }
  },
});
