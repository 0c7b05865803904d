import type { Node, UpdateStmt } from 'libpg-query';
import { as, blockedBy, topLevelKeyword, defineRule, displayRel, exprVolatility, type HeldBlockingLock, quoteIdent, relKey, type RuleContext, type SafeAlternative, type SafeStep, splitTopLevel, statementSnippet, tokenEnd, walk, VERSION_FEATURES } from '../src/kit/index.ts';
import { batchedBackfill, lockPhrase, withLockTimeout } from '../src/advice/index.ts';
import { batchedByKeyRange, batchedByPredicate, repeatedBatch } from '../src/advice/batched-update.ts';

interface Assignment {
  column: string;
  valueSql: string;
  value: Node | undefined;
}

interface SetList {
  sql: string;
  /** Simple `col = expr` assignments; undefined when the list has multi-column or subscripted targets. */
  assignments?: Assignment[];
}

/** Top-level keywords that end an UPDATE's SET list. */
const AFTER_SET = new Set(['FROM', 'WHERE', 'RETURNING']);

/** The SET list exactly as written, split into assignments (located from the parse tree and the lexer). */
function setList(ctx: RuleContext, s: UpdateStmt): SetList | undefined {
  const text = ctx.stmt.text;
  const targets = (s.targetList ?? []).map((t) => as(t, 'ResTarget'));
  const first = targets[0]?.location;
  if (first === undefined) return undefined;
  let start = ctx.stmt.toIndex(first) - ctx.stmt.span.start;
  // A multi-column target `(a, b) = …` starts at its parenthesis, before the first column.
  for (let i = start - 1; i >= 0; i--) {
    if (text[i] === '(') start = i;
    else if (!/\s/.test(text[i])) break;
  }
  const end = topLevelKeyword(text, start, text.length, AFTER_SET) ?? text.length;
  const sql = text.slice(start, end).trim();
  const simple = targets.every((t) => t && t.name && !t.indirection?.length && !as(t.val, 'MultiAssignRef'));
  if (!simple) return { sql };
  const parts = splitTopLevel(text, start, end);
  if (parts.length !== targets.length) return { sql };
  const assignments: Assignment[] = [];
  parts.forEach((p, i) => {
    const afterName = tokenEnd(text, p.start, p.end);
    const eq = text.indexOf('=', afterName);
    if (eq < 0 || eq >= p.end) return;
    assignments.push({ column: targets[i]?.name ?? '', valueSql: text.slice(eq + 1, p.end).trim(), value: targets[i]?.val });
  });
  return assignments.length === targets.length ? { sql, assignments } : { sql };
}

/** Does the expression read one of `columns` (then re-running it is not idempotent)? */
function readsColumns(expr: Node | undefined, columns: Set<string>): boolean {
  let hit = false;
  walk(expr, (key, n) => {
    if (key !== 'ColumnRef') return;
    const fields = (n as { fields?: Node[] }).fields ?? [];
    const last = fields[fields.length - 1];
    const name = as(last, 'String')?.sval;
    if (name === undefined || columns.has(name)) hit = true;
  });
  return hit;
}

/** A batched version of a WHERE-less UPDATE, or undefined when none is safe. */
function batchedUpdate(ctx: RuleContext, table: string, s: UpdateStmt): { step: SafeStep; how: string } | undefined {
  const list = setList(ctx, s);
  if (!list) return undefined;
  const a = list.assignments;
  const columns = new Set((a ?? []).map((x) => x.column));
  const idempotent =
    !!a && !s.fromClause?.length && a.every((x) => x.value && !readsColumns(x.value, columns) && exprVolatility(x.value, ctx.schema).volatility !== 'v');
  const old = ctx.pgVersion < VERSION_FEATURES.doBlockCommit;
  if (a && idempotent) {
    const single = a.length === 1 ? a[0] : undefined;
    const col = single ? ctx.schema.tables.get(table)?.columns.get(single.column) : undefined;
    const constant = as(single?.value, 'A_Const');
    if (single && col?.origin.file === ctx.file && constant && !constant.isnull && !old) {
      return { step: batchedBackfill(ctx.schema, table, single.column, single.valueSql, { pgVersion: ctx.pgVersion }), how: 'filling the new column where it is still NULL' };
    }
    const predicate =
      a.length === 1
        ? `${quoteIdent(a[0].column)} IS DISTINCT FROM (${a[0].valueSql})`
        : `(${a.map((x) => quoteIdent(x.column)).join(', ')}) IS DISTINCT FROM (${a.map((x) => x.valueSql).join(', ')})`;
    if (old) return { step: repeatedBatch(ctx.schema, table, list.sql, predicate), how: 'selecting rows that still differ from the new value' };
    return { step: batchedByPredicate(ctx.schema, table, list.sql, predicate), how: 'selecting rows that still differ from the new value (safe to re-run)' };
  }
  if (old || s.fromClause?.length) return undefined;
  const step = batchedByKeyRange(ctx.schema, table, list.sql);
  return step ? { step, how: 'walking the primary key in ranges, so each row is updated exactly once' } : undefined;
}

/** Relations the DML statement writes or reads in bulk. */
function involved(ctx: RuleContext): { target: string; verb: string; relations: Set<string> } | undefined {
  const node = ctx.stmt.node;
  const rels = new Set<string>();
  const addRangeVars = (v: unknown): void =>
    walk(v, (key, n) => {
      if (key === 'RangeVar') rels.add(relKey(n as Parameters<typeof relKey>[0]));
    });
  const u = as(node, 'UpdateStmt');
  if (u) {
    rels.add(relKey(u.relation));
    addRangeVars(u.fromClause);
    return { target: relKey(u.relation), verb: 'UPDATE', relations: rels };
  }
  const d = as(node, 'DeleteStmt');
  if (d) {
    rels.add(relKey(d.relation));
    addRangeVars(d.usingClause);
    return { target: relKey(d.relation), verb: 'DELETE', relations: rels };
  }
  const i = as(node, 'InsertStmt');
  const sel = as(i?.selectStmt, 'SelectStmt');
  if (i && sel && !sel.valuesLists?.length) {
    rels.add(relKey(i.relation));
    addRangeVars(sel);
    return { target: relKey(i.relation), verb: 'INSERT … SELECT', relations: rels };
  }
  return undefined;
}

/** Columns an `UPDATE … WHERE a IS NULL [AND b IS NULL …]` selects by NULL; undefined when the WHERE limits rows otherwise (a batch). */
function nullSelectedColumns(where: Node | undefined): string[] | undefined {
  const and = as(where, 'BoolExpr');
  const parts = and?.boolop === 'AND_EXPR' ? (and.args ?? []) : [where];
  const cols: string[] = [];
  for (const p of parts) {
    const t = as(p, 'NullTest');
    const fields = as(t?.arg, 'ColumnRef')?.fields ?? [];
    const name = as(fields[fields.length - 1], 'String')?.sval;
    if (!t || t.nulltesttype !== 'IS_NULL' || !name) return undefined;
    cols.push(name);
  }
  return cols.length ? cols : undefined;
}

/** A later statement of the file that makes `column` of `table` NOT NULL (SET NOT NULL, a NOT NULL constraint, a primary key). */
function laterNotNull(ctx: RuleContext, table: string, columns: readonly string[]): { column: string; line: string } | undefined {
  for (const sib of ctx.siblings) {
    if (sib.index <= ctx.stmt.index || sib.origin !== 'top') continue;
    const alter = as(sib.node, 'AlterTableStmt');
    if (!alter || relKey(alter.relation) !== table) continue;
    for (const c of alter.cmds ?? []) {
      const cmd = as(c, 'AlterTableCmd');
      if (cmd?.subtype === 'AT_SetNotNull' && cmd.name && columns.includes(cmd.name)) return { column: cmd.name, line: statementSnippet(sib.text) };
      const con = as(cmd?.def, 'Constraint');
      if (cmd?.subtype === 'AT_AddConstraint' && (con?.contype === 'CONSTR_NOTNULL' || con?.contype === 'CONSTR_PRIMARY')) {
        const hit = (con.keys ?? []).map((k) => as(k, 'String')?.sval).find((k) => k && columns.includes(k));
        if (hit) return { column: hit, line: statementSnippet(sib.text) };
      }
    }
  }
  return undefined;
}

/** The unbatched `UPDATE … WHERE col IS NULL` that fills a column before it is made NOT NULL. */
function reportNullBackfill(ctx: RuleContext, target: string, update: UpdateStmt): boolean {
  if (ctx.stmt.origin !== 'top' || !ctx.isExisting(target) || update.fromClause?.length) return false;
  const columns = nullSelectedColumns(update.whereClause);
  const later = columns && laterNotNull(ctx, target, columns);
  if (!later) return false;
  const rel = displayRel(target);
  const col = quoteIdent(later.column);
  const list = setList(ctx, update);
  const assigned = list?.assignments?.length === 1 && list.assignments[0].column === later.column ? list.assignments[0] : undefined;
  const idempotent = assigned?.value && !readsColumns(assigned.value, new Set([later.column])) && exprVolatility(assigned.value, ctx.schema).volatility !== 'v';
  const steps: SafeStep[] = [];
  if (assigned && idempotent) steps.push(batchedBackfill(ctx.schema, target, later.column, assigned.valueSql, { pgVersion: ctx.pgVersion }));
  ctx.report({
    span: ctx.keywordSpan(/UPDATE/i),
    message: `UPDATE … WHERE ${col} IS NULL fills every NULL row of ${rel} in one statement before \`${later.line}\`: one transaction holds its ROW EXCLUSIVE lock on ${rel} and a row lock on every row it changes until it commits (concurrent UPDATE, DELETE and SELECT … FOR UPDATE of those rows wait), and writes a new version of each — WAL, replica lag and dead tuples that grow with the number of NULL rows (every row, for a column just added); a failure rolls all of it back.`,
    help: 'Backfill in batches of a few thousand rows that each commit (a migration that runs outside a transaction, or a background job), then make the column NOT NULL once no NULL is left.',
    safeAlternative: steps.length ? { summary: `Fill ${rel}.${col} in batches that each commit, selecting rows that are still NULL (safe to re-run), before the NOT NULL step.`, steps } : undefined,
  });
  return true;
}

function recipe(ctx: RuleContext, target: string, held: HeldBlockingLock | undefined, batched: { step: SafeStep; how: string } | undefined): SafeAlternative {
  const steps: SafeStep[] = [];
  if (held?.taker) {
    steps.push({
      title: 'Commit the schema change on its own first, so its lock is released in milliseconds',
      sql: withLockTimeout(`${held.taker.text.trim()};`),
      transaction: 'own',
    });
  }
  if (batched) steps.push(batched.step);
  else steps.push({ title: 'Then run the data change in a transaction (and migration) of its own', sql: `${ctx.stmt.text.trim()};`, transaction: 'own' });
  const split = held ? 'Commit between the schema change and the data change (a separate migration). ' : '';
  const batch = batched
    ? `Backfill in batches that each commit, ${batched.how}: row locks, WAL and dead tuples stay bounded and autovacuum keeps up.`
    : held
      ? 'If it touches many rows, batch it by primary key and commit each batch.'
      : `No safe batching key is known for ${displayRel(target)} (no single-column primary key in the replayed schema, or the SET list reads the columns it assigns): batch by a unique key range and commit each batch.`;
  return { summary: `${split}${batch}`, steps };
}

export default defineRule({
  id: 'backfill-under-lock',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'Data backfill that runs while the transaction holds a blocking lock, or as one unbatched UPDATE over the whole table or every NULL row',
  docs: {
    why:
      'Locks are held until the transaction commits. An UPDATE, DELETE or INSERT … SELECT that follows an ALTER TABLE in the same transaction keeps the ALTER\'s ACCESS EXCLUSIVE lock for as long as the data change runs, so every read and write of the table waits for the whole backfill, which grows with the table. Even without a schema change, a full-table UPDATE in one migration is one huge transaction: every row stays locked against concurrent updates until commit, every row gets a new version (WAL volume, replica lag, dead tuples that bloat the table), and a failure at the end rolls all of it back. The same holds for the usual backfill before SET NOT NULL, `UPDATE … SET col = … WHERE col IS NULL`: on a column just added every row is NULL, so it is a full-table UPDATE in one transaction.',
    bad: "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new';",
    good:
      "-- migration 1\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text;\n-- migration 2, outside a transaction: batches that each commit\nDO $$\nDECLARE updated bigint;\nBEGIN\n  LOOP\n    UPDATE orders SET status = 'new'\n    WHERE id IN (SELECT id FROM orders WHERE status IS NULL LIMIT 10000);\n    GET DIAGNOSTICS updated = ROW_COUNT;\n    COMMIT;\n    EXIT WHEN updated = 0;\n  END LOOP;\nEND $$;",
    versions: 'A DO block can COMMIT between batches since PostgreSQL 11; before that, run one batch per transaction until it updates no row.',
  },
  check(ctx) {
    const what = involved(ctx);
    if (!what) return;
    const held = ctx.heldBlockingLocks().filter((h) => what.relations.has(h.relation));
    const update = as(ctx.stmt.node, 'UpdateStmt');
    const fullTable = !!update && ctx.ops.some((o) => o.op === 'update' && o.scan && o.existing);
    const target = what.target;
    if (!held.length && update?.whereClause && reportNullBackfill(ctx, target, update)) return;
    if (!held.length && !fullTable) return;
    const rel = displayRel(target);
    const batched = update && !update.whereClause && ctx.isExisting(target) ? batchedUpdate(ctx, target, update) : undefined;
    const span = ctx.keywordSpan(/(UPDATE|DELETE\s+FROM|DELETE|INSERT\s+INTO)/i);
    if (held.length) {
      const h = held.find((x) => x.relation === target) ?? held[0];
      const by = h.taker ? `\`${statementSnippet(h.taker.text)}\`` : 'an earlier statement of this transaction';
      const scope = fullTable ? `every row of ${rel} (there is no WHERE)` : 'the rows it touches';
      ctx.report({
        span,
        message: `${what.verb} on ${rel} runs while this transaction still holds the ${lockPhrase(h.held.mode, [h.relation])}, taken by ${by}. Locks are kept until COMMIT, so ${displayRel(h.relation)} stays blocked while the data change processes ${scope}, for a time that grows with the table's size.`,
        help: 'Commit the schema change first (its own migration, with a short lock_timeout), then change the data in a later migration, in batches that each commit.',
        lock: { mode: h.held.mode, relations: [h.relation], blocks: blockedBy(h.held.mode), rewrite: false, scan: fullTable },
        safeAlternative: recipe(ctx, target, h, batched),
      });
      return;
    }
    ctx.report({
      span,
      message: `UPDATE without WHERE changes every row of ${rel} in one transaction: each row stays locked against concurrent UPDATE and DELETE until it commits, and every row gets a new version — WAL, replica lag and dead tuples (bloat) that grow with the table's size; a failure rolls all of it back.`,
      help: 'Backfill in batches that each commit, from a migration that runs outside a transaction (or from a background job).',
      safeAlternative: recipe(ctx, target, undefined, batched),
    });
  },
});
