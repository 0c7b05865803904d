import type { ColumnDef } from 'libpg-query';
import { as, clauseAfterKeyword, columnFacts, columnTypeSource, constraintsOf, defineRule, displayRel, quoteIdent, relKey, type RuleContext, type SafeAlternative, type SafeStep, VERSION_FEATURES } from '../src/kit/index.ts';
import { batchedBackfill, lockPhrase, notNullSteps, withLockTimeout } from '../src/advice/index.ts';

/** The column's type as the author wrote it (serial types become their integer type). */
function typeSource(ctx: RuleContext, def: ColumnDef, spanEnd: number): string {
  const f = columnFacts(def);
  if (f.serial) return { serial: 'integer', serial4: 'integer', smallserial: 'smallint', serial2: 'smallint' }[f.type?.display ?? ''] ?? 'bigint';
  return columnTypeSource(ctx, def, spanEnd);
}

function defaultSource(ctx: RuleContext, def: ColumnDef, spanEnd: number): string | undefined {
  const con = constraintsOf(def).find((c) => c.contype === 'CONSTR_DEFAULT');
  if (con?.location === undefined) return undefined;
  const at = ctx.stmt.toIndex(con.location) - ctx.stmt.span.start;
  return clauseAfterKeyword(ctx.stmt.text, at, spanEnd - ctx.stmt.span.start);
}

function recipe(ctx: RuleContext, table: string, def: ColumnDef, spanEnd: number): SafeAlternative {
  const f = columnFacts(def);
  const rel = displayRel(table);
  const col = quoteIdent(f.name);
  const type = typeSource(ctx, def, spanEnd);
  const steps: SafeStep[] = [];
  if (f.generated === 'stored') {
    if (ctx.pgVersion >= VERSION_FEATURES.virtualGenerated) {
      const gen = constraintsOf(def).find((c) => c.contype === 'CONSTR_GENERATED');
      const expr = gen?.location !== undefined ? clauseAfterKeyword(ctx.stmt.text, ctx.stmt.toIndex(gen.location) - ctx.stmt.span.start, spanEnd - ctx.stmt.span.start) : '';
      const asExpr = /AS\s*\(([\s\S]*)\)\s*STORED\s*$/i.exec(expr)?.[1] ?? /AS\s*\(([\s\S]*)\)/i.exec(expr)?.[1] ?? '…';
      steps.push({
        title: 'Use a VIRTUAL generated column (PostgreSQL 18): computed on read, nothing is written to existing rows',
        sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${col} ${type} GENERATED ALWAYS AS (${asExpr}) VIRTUAL;`),
        transaction: 'own',
      });
      return { summary: 'Add the generated column as VIRTUAL, which needs no rewrite.', steps };
    }
    steps.push({
      title: 'Add a plain nullable column (catalog-only)',
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${col} ${type};`),
      transaction: 'own',
    });
    return {
      summary:
        'Before PostgreSQL 18 a stored generated column always rewrites the table. Add a plain column, keep it filled from the application (or a BEFORE INSERT OR UPDATE trigger), and backfill it in batches.',
      steps,
    };
  }
  // A column of a constrained domain: add it with the domain's base type (no per-row check).
  const domain = f.type ? ctx.schema.domains.get(f.type.name.includes('.') ? f.type.name : `public.${f.type.name}`) : undefined;
  if (domain?.constraints.length && domain.baseType) {
    const dflt = defaultSource(ctx, def, spanEnd);
    steps.push({
      title: `Add the column with the domain's base type ${domain.baseType.display} (catalog-only${dflt ? ' with a constant default' : ''})`,
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${col} ${domain.baseType.display}${dflt ? ` DEFAULT ${dflt}` : ''};`),
      transaction: 'own',
    });
    return {
      summary: `A column of domain ${f.type?.display}, which has constraints, is checked row by row in a table rewrite. Use the base type, and enforce the domain's rule with a table CHECK constraint added NOT VALID and validated in a separate transaction.`,
      steps,
    };
  }
  const needsSequence = f.serial || f.identity;
  const seq = needsSequence ? quoteIdent(`${table.slice(table.indexOf('.') + 1)}_${f.name}_seq`.slice(0, 63)) : '';
  const value = needsSequence ? `nextval('${seq.replace(/'/g, "''")}')` : (defaultSource(ctx, def, spanEnd) ?? 'NULL');
  const create = needsSequence ? `CREATE SEQUENCE ${seq};\n` : '';
  steps.push({
    title: 'Add the column without a default (catalog-only, brief lock), then set the default for new rows',
    sql: withLockTimeout(
      `${create}ALTER TABLE ${rel} ADD COLUMN ${col} ${type};\nALTER TABLE ${rel} ALTER COLUMN ${col} SET DEFAULT ${value};${needsSequence ? `\nALTER SEQUENCE ${seq} OWNED BY ${rel}.${col};` : ''}`,
    ),
    transaction: 'own',
  });
  // Nothing to backfill when existing rows keep NULL.
  if (!/^null$/i.test(value.trim())) steps.push(batchedBackfill(ctx.schema, table, f.name, value, { pgVersion: ctx.pgVersion }));
  let note: string | undefined;
  if (f.notNull || f.primaryKey) {
    const nn = notNullSteps(table, f.name, ctx.pgVersion);
    steps.push(...nn.steps);
    note = nn.note;
  }
  const bare = table.slice(table.indexOf('.') + 1);
  if (f.identity) {
    const always = constraintsOf(def).find((c) => c.contype === 'CONSTR_IDENTITY')?.generated_when !== 'd';
    // Identity needs NOT NULL (done above) and replaces the helper default and sequence; catalog-only.
    steps.push({
      title: `Turn the column into an identity column (catalog-only once it is NOT NULL), continuing after the backfilled values`,
      sql: withLockTimeout(
        `ALTER TABLE ${rel} ALTER COLUMN ${col} DROP DEFAULT;\nALTER SEQUENCE ${seq} OWNED BY NONE;\nALTER TABLE ${rel} ALTER COLUMN ${col} ADD GENERATED ${always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY;\n-- Every existing value came from the helper sequence: continue after it (no scan).\nSELECT setval(pg_get_serial_sequence('${rel.replace(/'/g, "''")}', '${f.name.replace(/'/g, "''")}'), nextval('${seq.replace(/'/g, "''")}'), false);\nDROP SEQUENCE ${seq};`,
      ),
      transaction: 'own',
    });
  }
  if (f.primaryKey || f.unique) {
    const index = quoteIdent(`${bare}_${f.name}_key`.slice(0, 63));
    steps.push({
      title: 'Build the unique index without blocking writes',
      sql: `CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${rel} (${col});`,
      transaction: 'outside',
    });
    // USING INDEX renames the index to the constraint's name; the column is NOT NULL already, so no scan.
    const constraint = f.primaryKey ? quoteIdent(`${bare}_pkey`.slice(0, 63)) : index;
    steps.push({
      title: `Attach the index as the ${f.primaryKey ? 'primary key' : 'unique constraint'} (catalog-only, brief ACCESS EXCLUSIVE lock)`,
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD CONSTRAINT ${constraint} ${f.primaryKey ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${index};`),
      transaction: 'own',
    });
  }
  return {
    summary: `Add the column without the volatile default, set the default for new rows, then backfill existing rows in batches.${note ? ` ${note}` : ''}`,
    steps,
  };
}

export default defineRule({
  id: 'add-column-rewrite',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ADD COLUMN that rewrites the whole table under an ACCESS EXCLUSIVE lock',
  docs: {
    why:
      'Most ADD COLUMN statements only change the catalog. But a volatile default (random(), gen_random_uuid(), clock_timestamp(), a user function declared VOLATILE), a serial or identity column, a GENERATED … STORED column, or — before PostgreSQL 11 — any non-null default makes Postgres write every row into a new copy of the table. The statement holds ACCESS EXCLUSIVE for the whole rewrite: every read and write of the table waits, for a time that grows with the table (minutes on tens of millions of rows), and the rewrite needs disk for a second copy.',
    bad: "ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();",
    good:
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();\n-- then backfill in batches, and add NOT NULL with a NOT VALID constraint + VALIDATE",
    versions:
      'PostgreSQL 11+: a constant or stable default (0, \'x\', now(), CURRENT_TIMESTAMP) is stored in the catalog and does not rewrite. Before 11 every non-null default rewrites. PostgreSQL 18: VIRTUAL generated columns do not rewrite.',
  },
  check(ctx) {
    for (const op of ctx.ops) {
      if (op.op !== 'add-column' || !op.rewrite || !op.existing || op.cmdIndex === undefined) continue;
      const stmt = as(ctx.stmt.node, 'AlterTableStmt');
      const def = as(as(stmt?.cmds?.[op.cmdIndex], 'AlterTableCmd')?.def, 'ColumnDef');
      if (!stmt || !def) continue;
      const table = relKey(stmt.relation);
      const span = ctx.subcommandSpan(op.cmdIndex);
      ctx.report({
        span,
        message: `ADD COLUMN ${quoteIdent(def.colname ?? '')} rewrites ${displayRel(table)}: ${op.reason}. The ${lockPhrase(op.mode, [table])} is held for the whole rewrite, which grows with the table's size.`,
        help: 'Add the column without the rewriting part (no volatile default, no serial/identity, no STORED expression), set the default for new rows separately, and backfill existing rows in batches that each commit.',
        safeAlternative: recipe(ctx, table, def, span.end),
      });
    }
  },
});
