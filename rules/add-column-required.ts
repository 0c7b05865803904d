import type { ColumnDef } from 'libpg-query';
import { alterSubcommands, as, columnFacts, columnTypeSource, constraintsOf, defineRule, displayRel, quoteIdent, quoteLiteral, type RuleContext, type SafeAlternative, type SafeStep, type Schema, type TypeRef, VERSION_FEATURES } from '../src/kit/index.ts';
import { batchedBackfill, lockPhrase, notNullSteps, withLockTimeout } from '../src/advice/index.ts';
import { deployedInsertersWithout } from '../src/advice/models.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

const EXAMPLE_VALUES: Record<string, string> = {
  int2: '0',
  int4: '0',
  int8: '0',
  numeric: '0',
  float4: '0',
  float8: '0',
  bool: 'false',
  text: "''",
  varchar: "''",
  bpchar: "''",
  citext: "''",
  timestamptz: 'now()',
  timestamp: 'now()',
  date: 'CURRENT_DATE',
  uuid: 'gen_random_uuid()',
  jsonb: "'{}'::jsonb",
  json: "'{}'::json",
};

/** A valid example value of the column's type for the backfill (the author replaces it), if we know one. */
function exampleValue(type: TypeRef | null, schema: Schema): string | undefined {
  if (!type) return undefined;
  if (type.array) return "'{}'";
  const builtin = EXAMPLE_VALUES[type.name];
  if (builtin) return builtin;
  const key = type.name.includes('.') ? type.name : `public.${type.name}`;
  const e = schema.enums.get(key);
  if (e?.values.length) return quoteLiteral(e.values[0]);
  const d = schema.domains.get(key);
  if (d?.baseType) return exampleValue(d.baseType, schema);
  return undefined;
}

function recipe(ctx: RuleContext, table: string, def: ColumnDef, spanEnd: number): SafeAlternative {
  const f = columnFacts(def);
  const rel = displayRel(table);
  const col = quoteIdent(f.name);
  const type = columnTypeSource(ctx, def, spanEnd);
  const steps: SafeStep[] = [
    {
      title: 'Add the column as nullable (catalog-only, brief lock); existing application code keeps working',
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${col} ${type};`),
      transaction: 'own',
    },
  ];
  const value = exampleValue(f.type, ctx.schema);
  const deploy = `Deploy application code that sets ${col} on every INSERT (and keeps it non-null on UPDATE) before this step`;
  if (value) {
    steps.push({ ...batchedBackfill(ctx.schema, table, f.name, value, { pgVersion: ctx.pgVersion }), deploy, title: `Backfill existing rows in batches of 10000, committing each batch (replace ${value} with the value existing rows should get)` });
  }
  const nn = notNullSteps(table, f.name, ctx.pgVersion);
  if (!value && nn.steps[0]) nn.steps[0] = { ...nn.steps[0], deploy: `${deploy}, and backfill existing rows in batches` };
  steps.push(...nn.steps);
  const others = constraintsOf(def).filter((c) => !['CONSTR_NOTNULL', 'CONSTR_NULL', 'CONSTR_DEFAULT'].includes(c.contype ?? ''));
  const constNote =
    ctx.pgVersion >= VERSION_FEATURES.fastDefault
      ? ` If one constant fits every existing row, ADD COLUMN ${col} ${type} NOT NULL DEFAULT <constant> is catalog-only since PostgreSQL ${VERSION_FEATURES.fastDefault} and needs none of these steps.`
      : '';
  return {
    summary: `Add the column nullable, deploy code that writes it, backfill existing rows in batches, then make it NOT NULL without a long scan under an exclusive lock.${constNote}${others.length ? ' Add the column\'s other constraints (PRIMARY KEY, UNIQUE, REFERENCES, CHECK) separately, each the non-blocking way.' : ''}${nn.note ? ` ${nn.note}` : ''}`,
    steps,
  };
}

export default defineRule({
  id: 'add-column-required',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ADD COLUMN … NOT NULL without a default fails on a table with rows and breaks running INSERTs',
  docs: {
    why:
      'ALTER TABLE … ADD COLUMN … NOT NULL without a DEFAULT fills existing rows with NULL, which the constraint rejects: on any table that has rows the migration fails (SQLSTATE 23502, column contains null values) after waiting for its ACCESS EXCLUSIVE lock. On an empty table it succeeds, and then every INSERT from application code that does not yet know the column fails with the same error until new code is deployed. Identity, serial and generated columns fill themselves and are not reported. Add the column nullable (or with a constant default that fits every row, catalog-only since PostgreSQL 11), deploy code that writes it, backfill in batches, then add NOT NULL the non-blocking way.',
    bad: 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;',
    good:
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN currency text;\n-- deploy code that writes currency, backfill existing rows in batches, then:\nALTER TABLE orders ADD CONSTRAINT orders_currency_not_null CHECK (currency IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_currency_not_null;\nALTER TABLE orders ALTER COLUMN currency SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_currency_not_null;\n-- or, when one constant fits every row: ADD COLUMN currency text NOT NULL DEFAULT 'EUR'",
    versions: 'All versions. PostgreSQL 11+: ADD COLUMN … NOT NULL DEFAULT <constant> is catalog-only. The NOT NULL steps of the recipe depend on the version (PostgreSQL 18: NOT NULL … NOT VALID; 12–17: a validated CHECK lets SET NOT NULL skip its scan).',
  },
  check(ctx) {
    for (const { op, cmd, cmdIndex, table } of alterSubcommands(ctx, 'add-column')) {
      if (!op.existing) continue;
      const def = as(cmd.def, 'ColumnDef');
      if (!def) continue;
      // ADD COLUMN IF NOT EXISTS on a column we know exists does nothing.
      if (cmd.missing_ok && ctx.schema.tables.get(table)?.columns.has(def.colname ?? '')) continue;
      const f = columnFacts(def);
      if (!f.notNull || f.identity || f.serial || f.generated) continue;
      if (f.defaultExpr && as(f.defaultExpr, 'A_Const')?.isnull !== true) continue;
      const span = ctx.subcommandSpan(cmdIndex);
      const col = quoteIdent(f.name);
      const inserters = deployedInsertersWithout(ctx.models, table, f.name);
      const models = inserters.length ? ` ${inserters[0].message.replace(/ inserts into .*$/, '')} in ${inserters[0].path}:${inserters[0].line} is such code: its INSERTs do not write ${col}.` : '';
      ctx.report({
        span,
        relatedLocations: inserters.length ? inserters : undefined,
        message: `ADD COLUMN ${col} is NOT NULL without a default: existing rows of ${displayRel(table)} would hold NULL, so the migration fails on a table with rows (SQLSTATE 23502) after taking ${article(op.mode)} ${lockPhrase(op.mode, [table])}; and where it succeeds, INSERTs from running application code that do not set ${col} fail with the same error.${models}`,
        help: 'Add the column as nullable (or with a constant DEFAULT that fits every row), deploy code that writes it, backfill existing rows in batches, then add NOT NULL without a long scan.',
        safeAlternative: recipe(ctx, table, def, span.end),
      });
    }
  },
});
