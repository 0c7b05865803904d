/**
 * Batched versions of a whole-table UPDATE, built from the statement's own SET list, for recipes.
 * Two shapes, both committing every batch from a DO block (PostgreSQL 11+, outside a transaction):
 * - predicate: re-select rows that still differ from the new value (idempotent, needs a SET list
 *   whose values do not depend on the columns being assigned and are not volatile);
 * - key ranges: walk the primary key in order, each row updated exactly once (any SET list).
 */
import { displayRel, quoteIdent } from '../parse/ast.ts';
import type { Schema } from '../analyze/schema.ts';
import type { SafeStep } from '../findings/model.ts';

/** Primary key columns of a table from the replayed schema, for batching. */
export function primaryKey(schema: Schema, table: string): string[] | undefined {
  const t = schema.tables.get(table);
  for (const c of t?.constraints.values() ?? []) if (c.kind === 'primary' && c.columns.length) return c.columns;
  return undefined;
}

/**
 * A DO block that repeats one batch UPDATE (`body`: its lines, indented for the loop), committing
 * after each, until it updates no row (COMMIT inside DO needs PostgreSQL 11, outside a transaction).
 */
export function untilNoRowsUpdated(body: string[]): string {
  return [
    'DO $$',
    'DECLARE',
    '  updated bigint;',
    'BEGIN',
    '  LOOP',
    ...body,
    '    GET DIAGNOSTICS updated = ROW_COUNT;',
    '    COMMIT;',
    '    EXIT WHEN updated = 0;',
    '  END LOOP;',
    'END $$;',
  ].join('\n');
}

/** UPDATE … SET <set> WHERE key IN (SELECT key … WHERE <predicate> LIMIT n), repeated until no row changes. */
export function batchedByPredicate(schema: Schema, table: string, setSql: string, predicate: string, batch = 10000): SafeStep {
  const rel = displayRel(table);
  const pk = primaryKey(schema, table);
  const key = pk && pk.length === 1 ? quoteIdent(pk[0]) : 'ctid';
  return {
    title: `Update ${rel} in batches of ${batch} rows that still need it, committing each batch`,
    sql: untilNoRowsUpdated([`    UPDATE ${rel} SET ${setSql}`, `    WHERE ${key} IN (SELECT ${key} FROM ${rel} WHERE ${predicate} LIMIT ${batch});`]),
    transaction: 'outside',
  };
}

/** Walks a single-column primary key in ranges of `batch` keys: each row is updated exactly once. */
export function batchedByKeyRange(schema: Schema, table: string, setSql: string, batch = 10000): SafeStep | undefined {
  const pk = primaryKey(schema, table);
  if (!pk || pk.length !== 1) return undefined;
  const rel = displayRel(table);
  const key = quoteIdent(pk[0]);
  const keyType = `${rel}.${key}%TYPE`;
  return {
    title: `Update ${rel} in primary-key ranges of ${batch} rows, committing each range (every row exactly once)`,
    sql: [
      'DO $$',
      'DECLARE',
      `  last_key ${keyType};`,
      `  batch_end ${keyType};`,
      'BEGIN',
      '  LOOP',
      `    SELECT max(b.${key}) INTO batch_end FROM (SELECT ${key} FROM ${rel} WHERE last_key IS NULL OR ${key} > last_key ORDER BY ${key} LIMIT ${batch}) b;`,
      '    EXIT WHEN batch_end IS NULL;',
      `    UPDATE ${rel} SET ${setSql}`,
      `    WHERE (last_key IS NULL OR ${key} > last_key) AND ${key} <= batch_end;`,
      '    last_key := batch_end;',
      '    COMMIT;',
      '  END LOOP;',
      'END $$;',
    ].join('\n'),
    transaction: 'outside',
  };
}

/** Before PostgreSQL 11 a DO block cannot COMMIT: one batch, to run repeatedly until it updates no row. */
export function repeatedBatch(schema: Schema, table: string, setSql: string, predicate: string, batch = 10000): SafeStep {
  const rel = displayRel(table);
  const pk = primaryKey(schema, table);
  const key = pk && pk.length === 1 ? quoteIdent(pk[0]) : 'ctid';
  return {
    title: `Update ${rel} ${batch} rows at a time: run this statement repeatedly, each run in its own transaction, until it reports UPDATE 0`,
    sql: `UPDATE ${rel} SET ${setSql}\nWHERE ${key} IN (SELECT ${key} FROM ${rel} WHERE ${predicate} LIMIT ${batch});`,
    transaction: 'own',
  };
}
