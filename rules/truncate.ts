import { as, defineRule, displayRel, quoteIdent, relKey, type SafeStep, type Schema, summarize, VERSION_FEATURES } from '../src/kit/index.ts';
import { primaryKey } from '../src/advice/index.ts';
import { aLockPhrase, extraLocks } from '../src/advice/app-compat.ts';

/** Every table that TRUNCATE … CASCADE empties along with `roots`: foreign keys pointing at them, transitively. */
function cascadeTargets(schema: Schema, roots: string[]): string[] {
  const seen = new Set(roots);
  const out: string[] = [];
  const queue = [...roots];
  while (queue.length) {
    const target = queue.shift() as string;
    for (const t of schema.tables.values()) {
      if (seen.has(t.key)) continue;
      if ([...t.constraints.values()].some((c) => c.kind === 'foreign' && c.refTable === target)) {
        seen.add(t.key);
        out.push(t.key);
        queue.push(t.key);
      }
    }
  }
  return out;
}

/** Deletes every row in batches that each commit, so locks stay row-level and short. */
function batchedDelete(schema: Schema, table: string, pgVersion: number, batch = 10000): SafeStep {
  const rel = displayRel(table);
  const pk = primaryKey(schema, table);
  const partitioned = schema.tables.get(table)?.kind === 'partitioned';
  const key = pk && pk.length === 1 ? quoteIdent(pk[0]) : partitioned ? '(tableoid, ctid)' : 'ctid';
  const select = key === '(tableoid, ctid)' ? 'tableoid, ctid' : key;
  const del = `DELETE FROM ${rel} WHERE ${key} IN (SELECT ${select} FROM ${rel} LIMIT ${batch});`;
  if (pgVersion < VERSION_FEATURES.doBlockCommit) {
    return {
      title: `Delete the rows of ${rel} one batch of ${batch} per transaction: repeat this statement until it deletes 0 rows (PostgreSQL ${pgVersion} cannot COMMIT inside a DO block)`,
      sql: del,
      transaction: 'own',
    };
  }
  return {
    title: `Delete the rows of ${rel} in batches of ${batch}, committing each batch: reads and writes continue, only the deleted rows are locked`,
    sql: [
      'DO $$',
      'DECLARE',
      '  deleted bigint;',
      'BEGIN',
      '  LOOP',
      `    ${del}`,
      '    GET DIAGNOSTICS deleted = ROW_COUNT;',
      '    COMMIT;',
      '    EXIT WHEN deleted = 0;',
      '  END LOOP;',
      'END $$;',
    ].join('\n'),
    transaction: 'outside',
  };
}

export default defineRule({
  id: 'truncate',
  severity: 'error',
  category: 'app-compat',
  presets: ['recommended', 'strict'],
  description: 'TRUNCATE of a table the running application uses: every row is gone at once, under an ACCESS EXCLUSIVE lock',
  docs: {
    why:
      'TRUNCATE empties a table instantly by swapping in a new empty file, which needs ACCESS EXCLUSIVE: it waits for every running query on the table, and every read and write queues behind it. When it commits, all rows are gone for the running application at once — and with CASCADE, every table whose foreign keys point at it (transitively) is emptied too, under the same lock. In a migration that runs while the application serves traffic, delete the rows in batches instead (only the deleted rows are locked, and each batch commits), or deploy code that no longer needs the data first.',
    bad: 'TRUNCATE sessions CASCADE;',
    good: 'DO $$\nDECLARE deleted bigint;\nBEGIN\n  LOOP\n    DELETE FROM sessions WHERE id IN (SELECT id FROM sessions LIMIT 10000);\n    GET DIAGNOSTICS deleted = ROW_COUNT;\n    COMMIT;\n    EXIT WHEN deleted = 0;\n  END LOOP;\nEND $$;',
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'TruncateStmt');
    if (!s) return;
    const listed = (s.relations ?? []).map((r) => relKey(as(r, 'RangeVar'))).filter((k) => k !== '');
    const existing = listed.filter((k) => ctx.ops.some((o) => o.op === 'truncate' && o.relation === k && o.existing));
    if (existing.length === 0) return;
    const cascade = s.behavior === 'DROP_CASCADE';
    const mode = ctx.ops.find((o) => o.op === 'truncate' && o.relation === existing[0])?.mode;
    const also = cascade ? cascadeTargets(ctx.schema, listed) : [];
    const rels = existing.map(displayRel).join(', ');
    const cascadeText = cascade
      ? also.length
        ? ` CASCADE also empties ${also.map(displayRel).join(', ')} (their foreign keys point at it)${mode ? `, under the same ${mode} lock` : ''}.`
        : ' CASCADE also empties every table whose foreign keys point at it.'
      : '';
    ctx.report({
      span: ctx.stmt.span,
      message: `TRUNCATE removes every row of ${rels} at once for the running application${mode ? `, and needs ${aLockPhrase(mode, existing)}: it waits for every running query on the table while all new ones queue behind it` : ''}.${cascadeText}`,
      lock: summarize([...ctx.ops.filter((o) => o.existing), ...extraLocks('truncate', mode, also)]),
      help: 'If the data must go while traffic continues, delete it in batches that each commit (row locks only). If the table is being retired, deploy code that no longer uses it first, then truncate or drop it in a later migration with lock_timeout.',
      safeAlternative: {
        summary: `Delete in batches instead, so the table stays readable and writable throughout.${also.length ? ` Delete from the referencing tables (${also.map(displayRel).join(', ')}) first, children before parents, or their foreign keys reject the delete.` : ''}`,
        steps: [...also.slice().reverse(), ...existing].map((t) => batchedDelete(ctx.schema, t, ctx.pgVersion)),
      },
    });
  },
});
