import type { Node, TypeName } from 'libpg-query';
import { as, defineRule, displayRel, fileState, nameKey, quoteLiteral, relKey, type RuleContext, strings, typeNameParts, VERSION_FEATURES } from '../src/kit/index.ts';

interface AddedValue {
  type: string;
  /** The ALTER TYPE … ADD VALUE statement, for the recipe. */
  text: string;
}

interface Group {
  /** value → the enum types it was added to in this transaction. */
  added: Map<string, AddedValue[]>;
  /** Enum types created in this transaction: their new values are safe to use (PostgreSQL 12+). */
  created: Set<string>;
}

/** The transaction the statement runs in; in autocommit, the DO block it belongs to. */
function groupKey(ctx: RuleContext): string | undefined {
  if (ctx.tx.inTransaction) return `tx${ctx.tx.id}`;
  if (ctx.stmt.origin === 'do') return `do${String(ctx.state(FILE).lastDo)}`;
  return undefined;
}

/** Per file: the last top-level DO block, and each transaction's (or DO block's) added values. */
const FILE = fileState(() => ({ lastDo: undefined as number | undefined, groups: new Map<string, Group>() }));

function groupOf(ctx: RuleContext, key: string): Group {
  const groups = ctx.state(FILE).groups;
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { added: new Map(), created: new Set() }));
  return g;
}

/** `schema.name` key of a type name; builtins resolve to pg_catalog and never match an enum. */
function typeKey(tn: TypeName | undefined): string {
  const parts = typeNameParts(tn);
  return nameKey(parts);
}

/** Values added to enums in this transaction, from the replayed schema and from what this rule saw. */
function addedValues(ctx: RuleContext, g: Group | undefined): Map<string, AddedValue[]> {
  const out = new Map<string, AddedValue[]>();
  for (const [v, list] of g?.added ?? []) out.set(v, [...list]);
  if (ctx.tx.inTransaction) {
    for (const e of ctx.schema.enums.values()) {
      if (e.origin.file === ctx.file && e.origin.tx === ctx.tx.id) continue;
      for (const [v, origin] of e.added) {
        if (origin.file !== ctx.file || origin.tx !== ctx.tx.id) continue;
        const list = out.get(v) ?? [];
        if (!list.some((a) => a.type === e.key)) list.push({ type: e.key, text: `ALTER TYPE ${displayRel(e.key)} ADD VALUE ${quoteLiteral(v)}` });
        out.set(v, list);
      }
    }
  }
  for (const [v, list] of out) {
    const kept = list.filter((a) => !g?.created.has(a.type));
    if (kept.length) out.set(v, kept);
    else out.delete(v);
  }
  return out;
}

/** Type of a column from the replayed schema, as a type key (undefined when unknown). */
function columnType(ctx: RuleContext, table: string, column: string | undefined): string | undefined {
  const t = column ? ctx.schema.tables.get(table)?.columns.get(column)?.type : undefined;
  if (!t) return undefined;
  return t.name.includes('.') ? t.name : `public.${t.name}`;
}

interface Use {
  location: number | undefined;
  value: string;
}

/**
 * String constants of the statement that may be read as one of `values`, skipping those whose
 * type is known to be something else (a cast to another type, a column of another type).
 */
function uses(ctx: RuleContext, values: Map<string, AddedValue[]>): Use[] {
  const out: Use[] = [];
  const isEnum = (value: string, type: string | undefined): boolean => type === undefined || (values.get(value) ?? []).some((a) => a.type === type);
  const visit = (value: unknown, type?: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, type);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    const c = as(node, 'A_Const');
    if (c) {
      const s = c.sval?.sval;
      if (s !== undefined && values.has(s) && isEnum(s, type)) out.push({ location: c.location, value: s });
      return;
    }
    const cast = as(node, 'TypeCast');
    if (cast) {
      visit(cast.arg, typeKey(cast.typeName));
      return;
    }
    const def = as(node, 'ColumnDef');
    if (def) {
      const t = typeKey(def.typeName);
      for (const con of def.constraints ?? []) visit(con, t);
      return;
    }
    const upd = as(node, 'UpdateStmt');
    if (upd) {
      const table = relKey(upd.relation);
      for (const t of upd.targetList ?? []) {
        const rt = as(t, 'ResTarget');
        visit(rt?.val, rt?.indirection?.length ? undefined : columnType(ctx, table, rt?.name));
      }
      visit(upd.whereClause);
      visit(upd.fromClause);
      visit(upd.returningClause);
      visit(upd.withClause);
      return;
    }
    const ins = as(node, 'InsertStmt');
    if (ins) {
      const table = relKey(ins.relation);
      const sel = as(ins.selectStmt, 'SelectStmt');
      const cols = ins.cols?.length ? ins.cols.map((c) => as(c, 'ResTarget')?.name) : [...(ctx.schema.tables.get(table)?.columns.keys() ?? [])];
      if (sel?.valuesLists?.length) {
        for (const row of sel.valuesLists) {
          (as(row, 'List')?.items ?? []).forEach((item, i) => visit(item, columnType(ctx, table, cols[i])));
        }
      } else visit(ins.selectStmt);
      visit(ins.onConflictClause);
      visit(ins.returningClause);
      visit(ins.withClause);
      return;
    }
    const alter = as(node, 'AlterTableCmd');
    if (alter?.subtype === 'AT_ColumnDefault') {
      const table = relKey(as(ctx.stmt.node, 'AlterTableStmt')?.relation);
      visit(alter.def, columnType(ctx, table, alter.name));
      return;
    }
    for (const v of Object.values(value as Record<string, unknown>)) visit(v, type);
  };
  visit(ctx.stmt.node);
  return out;
}

function txWhy(ctx: RuleContext): string {
  if (ctx.stmt.origin === 'do' && !ctx.tx.inTransaction) return 'in the same DO block (one transaction)';
  switch (ctx.tx.kind) {
    case 'runner':
      return `in the same transaction (${ctx.runner?.name ?? 'the runner'} wraps the migration in one)`;
    case 'implicit':
      return `in the same transaction (${ctx.runner?.name ?? 'the runner'} sends the file as one query, one implicit transaction)`;
    default:
      return 'in the same transaction (after BEGIN)';
  }
}

function withIfNotExists(text: string): string {
  return /ADD\s+VALUE\s+IF\s+NOT\s+EXISTS/i.test(text) ? text : text.replace(/ADD\s+VALUE/i, 'ADD VALUE IF NOT EXISTS');
}

export default defineRule({
  id: 'enum-value-in-transaction',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'A value added by ALTER TYPE … ADD VALUE is used before the transaction that added it commits',
  docs: {
    why:
      'ALTER TYPE … ADD VALUE refuses to run inside a transaction block before PostgreSQL 12. Since 12 it may, but the new value cannot be used until that transaction commits: an UPDATE, INSERT, DEFAULT, CHECK or comparison that mentions it fails with "unsafe use of new value … of enum type …". Migration runners usually wrap a migration in one transaction, so adding a value and using it in the same migration fails the deploy (after the earlier statements took their locks).',
    bad: "-- one transaction (an explicit BEGIN, or a runner that wraps each migration in one)\nBEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;\nCOMMIT;",
    good:
      "-- migration 1\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';\n-- migration 2 (after migration 1 committed)\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
    versions:
      'Before PostgreSQL 12, ADD VALUE cannot run in a transaction block at all. Since 12 it can, but the value is unusable until commit (unless the enum type itself was created in the same transaction).',
  },
  check(ctx) {
    if (ctx.stmt.kind === 'DoStmt' && ctx.stmt.origin === 'top') ctx.state(FILE).lastDo = ctx.stmt.index;
    if (ctx.stmt.origin === 'function') return;
    const key = groupKey(ctx);
    const g = key ? groupOf(ctx, key) : undefined;
    const node = ctx.stmt.node;

    const create = as(node, 'CreateEnumStmt');
    if (create && g) g.created.add(nameKey(strings(create.typeName)));

    const alter = as(node, 'AlterEnumStmt');
    if (alter) {
      if (alter.oldVal || !alter.newVal) return;
      const type = nameKey(strings(alter.typeName));
      const createdHere = g?.created.has(type) || (ctx.tx.inTransaction && ctx.schema.enums.get(type)?.origin.file === ctx.file && ctx.schema.enums.get(type)?.origin.tx === ctx.tx.id);
      // Before 12, ADD VALUE was allowed in the transaction that created the type.
      if (g && !createdHere && ctx.pgVersion < VERSION_FEATURES.enumAddValueInTransaction) {
        ctx.report({
          span: ctx.keywordSpan(/ALTER\s+TYPE/i),
          message: `ALTER TYPE ${displayRel(type)} ADD VALUE cannot run inside a transaction block before PostgreSQL ${VERSION_FEATURES.enumAddValueInTransaction}, and this one runs ${txWhy(ctx).replace(/^in the same /, 'in a ')}: the migration fails here (ERROR: ALTER TYPE ... ADD cannot run inside a transaction block).`,
          help: `Run ADD VALUE in a migration of its own, outside a transaction: ${ctx.escapeHatch()}. Use the new value only in a later migration.`,
          lock: null,
          safeAlternative: {
            summary: 'Add the value in its own migration outside a transaction; use it in a later one.',
            steps: [{ title: 'A migration containing only this statement, run outside a transaction', sql: `${withIfNotExists(ctx.stmt.text.trim())};`, transaction: 'outside' }],
          },
        });
      }
      if (g) {
        const list = g.added.get(alter.newVal) ?? [];
        list.push({ type, text: ctx.stmt.text.trim() });
        g.added.set(alter.newVal, list);
      }
      return;
    }
    if (!g || ctx.stmt.kind === 'VariableSetStmt' || ctx.stmt.kind === 'CommentStmt') return;
    const values = addedValues(ctx, g);
    if (values.size === 0) return;
    const seen = new Set<string>();
    for (const u of uses(ctx, values)) {
      const added = values.get(u.value)?.[0];
      if (!added) continue;
      const at = `${u.value}@${u.location ?? -1}`;
      if (seen.has(at)) continue;
      seen.add(at);
      ctx.report({
        span: ctx.spanAt(u.location),
        message: `${quoteLiteral(u.value)} was added to enum ${displayRel(added.type)} by ALTER TYPE … ADD VALUE ${txWhy(ctx)}: PostgreSQL rejects any use of a new enum value before the transaction that added it commits (ERROR: unsafe use of new value ${JSON.stringify(u.value)} of enum type ${added.type.replace(/^public\./, '')}), so the migration fails here.`,
        help: 'Commit between adding the value and using it: add the value in one migration, use it in a later one.',
        lock: null,
        safeAlternative: {
          summary: 'Add the enum value in its own migration (committed), then use it in the next migration.',
          steps: [
            {
              title: 'Migration 1: add the value (and nothing that uses it)',
              sql: `${withIfNotExists(added.text)};`,
              transaction: ctx.pgVersion < VERSION_FEATURES.enumAddValueInTransaction ? 'outside' : 'own',
            },
            { title: 'Migration 2, after migration 1 committed: use the value', sql: `${ctx.stmt.text.trim()};`, transaction: 'own' },
          ],
        },
      });
    }
  },
});
