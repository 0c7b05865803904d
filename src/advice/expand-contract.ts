/**
 * The expand/contract plan (in the spirit of pgroll) for changing a column without rewriting the
 * table under ACCESS EXCLUSIVE: add a new column, keep it in sync with a trigger while the
 * application still writes the old one, backfill in batches, add NOT NULL without a long scan,
 * switch the application over, then drop the trigger and the old column.
 * Used by column-type-rewrite; meant to be reused by rename-column and similar rules.
 */
import { displayRel, quoteIdent } from '../parse/ast.ts';
import type { Schema } from '../analyze/schema.ts';
import { batchedBackfill, helperName, notNullSteps, withLockTimeout } from './index.ts';
import type { SafeStep } from '../findings/model.ts';

export interface ExpandContractOptions {
  /** Target PostgreSQL major version (NOT NULL steps depend on it). */
  pgVersion: number;
  /** Add a last, optional step renaming the new column to the old column's name. Default true. */
  renameToOld?: boolean;
}

export interface ExpandContractPlan {
  steps: SafeStep[];
  /** Caveats for the summary (version limits, objects that still reference the old column). */
  notes: string[];
}

/** `<name>_new` (new column, rebuilt index), kept within the 63-byte identifier limit. */
export function expandColumnName(oldColumn: string, suffix = 'new'): string {
  const max = 63 - suffix.length - 1;
  const base = Buffer.byteLength(oldColumn) > max ? oldColumn.slice(0, max) : oldColumn;
  return `${base}_${suffix}`;
}

/** The batched backfill: rows whose new value still differs from the conversion (ends even for NULL conversions). */
function backfill(schema: Schema, table: string, newColumn: string, conversionSql: string, pgVersion: number): SafeStep {
  return batchedBackfill(schema, table, newColumn, conversionSql, { pgVersion, predicate: `${quoteIdent(newColumn)} IS DISTINCT FROM (${conversionSql})` });
}

/**
 * Steps that replace `oldColumn` of `table` (a `schema.name` key) by `newColumn` of type
 * `newTypeSql`, filled with `conversionSql` (an expression over the table's columns, e.g.
 * `"amount"::bigint` or the author's USING expression). Every step is PostgreSQL the target
 * version accepts; deploy ordering is attached to the steps that need it.
 */
export function expandContractSteps(
  schema: Schema,
  table: string,
  oldColumn: string,
  newColumn: string,
  newTypeSql: string,
  conversionSql: string,
  options: ExpandContractOptions,
): ExpandContractPlan {
  const rel = displayRel(table);
  const oldCol = quoteIdent(oldColumn);
  const newCol = quoteIdent(newColumn);
  const info = schema.tables.get(table);
  const oldNotNull = info?.columns.get(oldColumn)?.notNull === true;
  const fn = quoteIdent(helperName(table, newColumn, 'sync'));
  const trigger = quoteIdent(helperName(table, newColumn, 'sync_trg'));
  const schemaName = table.slice(0, table.indexOf('.'));
  const fnQualified = schemaName === 'public' ? fn : `${quoteIdent(schemaName)}.${fn}`;
  const notes: string[] = [];
  const steps: SafeStep[] = [];

  steps.push({
    title: `Expand: add the new column ${newCol} (nullable, no default: catalog-only, brief lock)`,
    sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${newCol} ${newTypeSql};`),
    transaction: 'own',
  });

  // The conversion is written over the table's column names; evaluating it over `SELECT NEW.*`
  // gives it exactly those names inside the trigger. use_column makes a column named like a
  // PL/pgSQL variable (new, old) resolve to the column.
  steps.push({
    title: `Dual writes: a BEFORE INSERT OR UPDATE trigger keeps ${newCol} = conversion of ${oldCol} for every row the application writes`,
    sql: [
      `CREATE FUNCTION ${fnQualified}() RETURNS trigger LANGUAGE plpgsql AS $$`,
      '#variable_conflict use_column',
      'BEGIN',
      `  NEW.${newCol} := (SELECT ${conversionSql} FROM (SELECT NEW.*) AS r);`,
      '  RETURN NEW;',
      'END $$;',
      withLockTimeout(`CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${rel} FOR EACH ROW EXECUTE FUNCTION ${fnQualified}();`),
    ].join('\n'),
    transaction: 'own',
  });

  steps.push(backfill(schema, table, newColumn, conversionSql, options.pgVersion));

  if (oldNotNull) {
    const nn = notNullSteps(table, newColumn, options.pgVersion);
    steps.push(...nn.steps);
    if (nn.note) notes.push(nn.note);
  }

  const indexes = schema.indexesOf(table).filter((i) => i.columns.includes(oldColumn));
  const constraints = [...(info?.constraints.values() ?? [])].filter((c) => c.columns.includes(oldColumn) && c.kind !== 'notnull');
  const constraintIndexes = new Set(constraints.map((c) => `${schemaName}.${c.name}`));
  const plainIndexes = indexes.filter((i) => !constraintIndexes.has(i.key) && !i.columns.includes('expr'));
  for (const idx of plainIndexes) {
    const name = quoteIdent(expandColumnName(idx.key.slice(idx.key.indexOf('.') + 1)));
    const cols = idx.columns.map((c) => quoteIdent(c === oldColumn ? newColumn : c)).join(', ');
    steps.push({
      title: `Rebuild index ${quoteIdent(idx.key.slice(idx.key.indexOf('.') + 1))} on the new column without blocking writes`,
      sql: `CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${name} ON ${rel} (${cols});`,
      transaction: 'outside',
    });
  }
  if (constraints.length || indexes.length > plainIndexes.length) {
    const names = [...constraints.map((c) => c.name), ...indexes.filter((i) => !plainIndexes.includes(i) && !constraintIndexes.has(i.key)).map((i) => i.key.slice(i.key.indexOf('.') + 1))];
    notes.push(`Recreate what references ${oldCol} on ${newCol} before dropping it (${names.map(quoteIdent).join(', ')}); views and functions that use the column must be updated too.`);
  }

  const contract: string[] = [`DROP TRIGGER ${trigger} ON ${rel};`, `DROP FUNCTION ${fnQualified}();`];
  // A primary-key column cannot drop NOT NULL: code keeps writing it until the contract step.
  const inPrimaryKey = [...(schema.tables.get(table)?.constraints.values() ?? [])].some((c) => c.kind === 'primary' && c.columns.includes(oldColumn));
  if (oldNotNull && !inPrimaryKey) contract.push(`ALTER TABLE ${rel} ALTER COLUMN ${oldCol} DROP NOT NULL;`);
  steps.push({
    title: `Stop syncing: drop the trigger${oldNotNull ? `, and let ${oldCol} accept NULLs so code that no longer writes it keeps working` : ''}`,
    sql: withLockTimeout(contract.join('\n')),
    transaction: 'own',
    deploy: `Before this step, deploy application code that reads ${newCol} and writes both ${oldCol} and ${newCol} (until the trigger is dropped it recomputes ${newCol} from ${oldCol}).`,
  });

  steps.push({
    title: `Contract: drop the old column ${oldCol} (catalog-only, brief lock)`,
    sql: withLockTimeout(`ALTER TABLE ${rel} DROP COLUMN ${oldCol};`),
    transaction: 'own',
    deploy: `Before this step, deploy application code that no longer reads or writes ${oldCol}.`,
  });

  if (options.renameToOld !== false) {
    steps.push({
      title: `Optional: rename ${newCol} to ${oldCol}. A rename breaks every query that uses ${newCol}: do it only once the code can handle both names, or keep the new name`,
      sql: withLockTimeout(`ALTER TABLE ${rel} RENAME COLUMN ${newCol} TO ${oldCol};`),
      transaction: 'own',
      deploy: `Deploy code that uses ${oldCol} again in lockstep with this rename (or skip the rename and keep ${newCol}).`,
    });
  }
  return { steps, notes };
}
