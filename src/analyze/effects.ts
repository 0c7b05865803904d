/**
 * What a statement does to the database: the operations it performs (from pg/facts), with the
 * conditional rewrite/scan decided from the statement, the replayed schema and the target version.
 */
import type { AlterTableCmd, Node, RangeVar } from 'libpg-query';
import type { OperationId } from '../pg/facts.ts';
import { blockedBy, lockRank, strongerLock, type LockMode } from '../pg/locks.ts';
import type { LockSummary } from '../findings/model.ts';
import { as, boolOption, nameKey, nodeKind, relKey, strings, walk, DEFAULT_SCHEMA } from '../parse/ast.ts';
import { columnFacts } from './expr.ts';

import { isExisting, op, tableOfIndex, type AppliedOp, type EffectContext } from './effect-ops.ts';
import { alterTableOps, domainUsers } from './effects-alter-table.ts';

export { isExisting, type AppliedOp, type EffectContext } from './effect-ops.ts';
export { addColumnRewrite } from './effects-alter-table.ts';

function rangeVars(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => relKey(as(n, 'RangeVar'))).filter((k) => k !== '');
}

/** Tables a CREATE TABLE's foreign keys reference. */
function referencedByCreate(elts: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const e of elts ?? []) {
    const cd = as(e, 'ColumnDef');
    const fk = cd ? columnFacts(cd).references : as(e, 'Constraint')?.contype === 'CONSTR_FOREIGN' ? as(e, 'Constraint') : undefined;
    if (fk?.pktable) out.push(relKey(fk.pktable));
  }
  return out;
}

/** Does the DML statement touch every row (no WHERE)? */
function unfiltered(node: Node): boolean {
  const u = as(node, 'UpdateStmt');
  if (u) return !u.whereClause;
  const d = as(node, 'DeleteStmt');
  if (d) return !d.whereClause;
  return false;
}

export function statementOps(node: Node, ctx: EffectContext): AppliedOp[] {
  const out: AppliedOp[] = [];
  const push = (o: AppliedOp | undefined): void => {
    if (o) out.push(o);
  };
  switch (nodeKind(node)) {
    case 'AlterTableStmt': {
      const s = as(node, 'AlterTableStmt');
      if (!s) break;
      const cmds = (s.cmds ?? []).map((c) => as(c, 'AlterTableCmd')).filter((c): c is AlterTableCmd => !!c);
      if (s.objtype === 'OBJECT_INDEX') {
        push(op(ctx, 'alter-table-other', relKey(s.relation), { mode: 'SHARE UPDATE EXCLUSIVE' }));
        break;
      }
      out.push(...alterTableOps(s.relation, cmds, ctx));
      break;
    }
    case 'CreateStmt': {
      const s = as(node, 'CreateStmt');
      for (const ref of referencedByCreate(s?.tableElts)) push(op(ctx, 'create-table-with-fk', ref, { target: 'referenced' }));
      if (s?.partbound && s.inhRelations?.length) {
        // CREATE TABLE … PARTITION OF takes ACCESS EXCLUSIVE on the parent.
        push(op(ctx, 'alter-table-other', relKey(as(s.inhRelations[0], 'RangeVar')), { mode: 'ACCESS EXCLUSIVE' }));
      }
      break;
    }
    case 'IndexStmt': {
      const s = as(node, 'IndexStmt');
      if (!s) break;
      push(op(ctx, s.concurrent ? 'create-index-concurrently' : 'create-index', relKey(s.relation)));
      break;
    }
    case 'DropStmt': {
      const s = as(node, 'DropStmt');
      if (!s) break;
      for (const obj of s.objects ?? []) {
        const key = nameKey(strings(as(obj, 'List')?.items));
        if (s.removeType === 'OBJECT_INDEX') {
          const idx = ctx.schema.indexes.get(key);
          const table = idx?.table ?? key;
          push(op(ctx, s.concurrent ? 'drop-index-concurrently' : 'drop-index', table, { existing: isExisting(idx ? ctx.schema.tables.get(idx.table) : undefined, ctx) }));
        } else if (s.removeType === 'OBJECT_TRIGGER') {
          const names = strings(as(obj, 'List')?.items);
          push(op(ctx, 'drop-trigger', nameKey(names.slice(0, -1))));
        } else if (s.removeType === 'OBJECT_TABLE' || s.removeType === 'OBJECT_MATVIEW' || s.removeType === 'OBJECT_VIEW') {
          push(op(ctx, 'drop-table', key));
          const t = ctx.schema.tables.get(key);
          for (const c of t?.constraints.values() ?? []) {
            if (c.kind === 'foreign' && c.refTable && c.refTable !== key) push(op(ctx, 'drop-table', c.refTable, { target: 'referenced' }));
          }
          // CASCADE drops the foreign keys of referencing tables: ACCESS EXCLUSIVE on them too.
          if (s.behavior === 'DROP_CASCADE') {
            for (const other of ctx.schema.tables.values()) {
              if (other.key !== key && [...other.constraints.values()].some((c) => c.kind === 'foreign' && c.refTable === key)) push(op(ctx, 'drop-table', other.key, { target: 'referenced' }));
            }
          }
        }
      }
      break;
    }
    case 'ReindexStmt': {
      const s = as(node, 'ReindexStmt');
      if (!s) break;
      const concurrently = boolOption(s.params, 'concurrently') === true;
      const id: OperationId = concurrently ? 'reindex-concurrently' : 'reindex';
      if (s.kind === 'REINDEX_OBJECT_SCHEMA' || s.kind === 'REINDEX_OBJECT_DATABASE') {
        // Every table of the schema (database), each in its own transaction; only tables with indexes are read.
        const multi: OperationId = s.kind === 'REINDEX_OBJECT_SCHEMA' ? 'reindex-schema' : 'reindex-database';
        for (const t of ctx.schema.tables.values()) {
          if ((t.kind !== 'table' && t.kind !== 'matview') || (s.kind === 'REINDEX_OBJECT_SCHEMA' && t.key.slice(0, t.key.indexOf('.')) !== s.name)) continue;
          const indexed = ctx.schema.indexesOf(t.key).length > 0;
          if (concurrently && !indexed) continue;
          push(op(ctx, concurrently ? 'reindex-concurrently' : multi, t.key, { rewrite: false, scan: indexed }));
        }
        break;
      }
      const key = relKey(s.relation);
      if (!s.relation) break;
      if (s.kind === 'REINDEX_OBJECT_INDEX') {
        const table = ctx.schema.indexes.get(key)?.table;
        // The table is read, the index rebuilt.
        if (table) push(op(ctx, id, table, { rewrite: false }));
        push(op(ctx, id, key, { target: 'index', existing: isExisting(table ? ctx.schema.tables.get(table) : undefined, ctx) }));
      } else {
        push(op(ctx, id, key, { rewrite: false }));
      }
      break;
    }
    case 'AlterDomainStmt': {
      const s = as(node, 'AlterDomainStmt');
      const names = strings(s?.typeName);
      const domainKey = nameKey(names);
      const add = s?.subtype === 'C' || s?.subtype === 'O';
      const con = as(s?.def, 'Constraint');
      if (!s || (!add && s.subtype !== 'V') || (s.subtype === 'C' && con?.skip_validation)) break;
      for (const t of domainUsers(ctx, domainKey)) push(op(ctx, add ? 'alter-domain-add-constraint' : 'alter-domain-validate', t, { scan: true }));
      break;
    }
    case 'CommentStmt': {
      const s = as(node, 'CommentStmt');
      const names = strings(as(s?.object, 'List')?.items);
      if (s?.objtype === 'OBJECT_TABLE' || s?.objtype === 'OBJECT_COLUMN') {
        const rel = s.objtype === 'OBJECT_COLUMN' ? names.slice(0, -1) : names;
        if (rel.length) push(op(ctx, 'comment', nameKey(rel)));
      }
      break;
    }
    case 'ViewStmt': {
      const s = as(node, 'ViewStmt');
      const seen = new Set<string>();
      walk(s?.query, (key, n) => {
        if (key !== 'RangeVar') return;
        const rel = relKey(n as RangeVar);
        if (ctx.schema.tables.has(rel) && !seen.has(rel)) {
          seen.add(rel);
          push(op(ctx, 'create-view', rel));
        }
      });
      break;
    }
    case 'TruncateStmt': {
      const s = as(node, 'TruncateStmt');
      const targets = rangeVars(s?.relations);
      for (const key of targets) push(op(ctx, 'truncate', key));
      if (s?.behavior === 'DROP_CASCADE') {
        // CASCADE truncates every table with a foreign key to a truncated one, transitively.
        const seen = new Set(targets);
        for (let i = 0; i < targets.length; i++) {
          for (const t of ctx.schema.tables.values()) {
            if (seen.has(t.key)) continue;
            if ([...t.constraints.values()].some((c) => c.kind === 'foreign' && c.refTable === targets[i])) {
              seen.add(t.key);
              targets.push(t.key);
              push(op(ctx, 'truncate', t.key, { target: 'referenced' }));
            }
          }
        }
      }
      break;
    }
    case 'VacuumStmt': {
      const s = as(node, 'VacuumStmt');
      const full = boolOption(s?.options, 'full') === true;
      const id: OperationId = !s?.is_vacuumcmd ? 'analyze' : full ? 'vacuum-full' : 'vacuum';
      for (const r of s?.rels ?? []) {
        const rel = as(r, 'VacuumRelation');
        if (rel?.relation) push(op(ctx, id, relKey(rel.relation)));
      }
      break;
    }
    case 'ClusterStmt': {
      const s = as(node, 'ClusterStmt');
      if (s?.relation) push(op(ctx, 'cluster', relKey(s.relation)));
      break;
    }
    case 'RefreshMatViewStmt': {
      const s = as(node, 'RefreshMatViewStmt');
      push(op(ctx, s?.concurrent ? 'refresh-matview-concurrently' : 'refresh-matview', relKey(s?.relation)));
      break;
    }
    case 'LockStmt': {
      const s = as(node, 'LockStmt');
      const mode = LOCKSTMT_MODES[s?.mode ?? 8] ?? 'ACCESS EXCLUSIVE';
      for (const key of rangeVars(s?.relations)) push(op(ctx, 'lock-table', key, { mode }));
      break;
    }
    case 'CreateTrigStmt': {
      const s = as(node, 'CreateTrigStmt');
      push(op(ctx, 'create-trigger', relKey(s?.relation)));
      break;
    }
    case 'CreatePolicyStmt': {
      const s = as(node, 'CreatePolicyStmt');
      push(op(ctx, 'create-policy', relKey(s?.table)));
      break;
    }
    case 'RenameStmt': {
      const s = as(node, 'RenameStmt');
      if (!s?.relation) break;
      if (s.renameType === 'OBJECT_INDEX') push(op(ctx, 'rename-index', relKey(s.relation), { target: 'index', existing: isExisting(tableOfIndex(ctx, relKey(s.relation)), ctx) }));
      // A sequence is not read or written by queries (nextval takes no relation lock that a rename conflicts with for long).
      else if (s.renameType !== 'OBJECT_SEQUENCE') push(op(ctx, 'rename', relKey(s.relation)));
      break;
    }
    case 'UpdateStmt': {
      const s = as(node, 'UpdateStmt');
      push(op(ctx, 'update', relKey(s?.relation), { scan: unfiltered(node) }));
      break;
    }
    case 'DeleteStmt': {
      const s = as(node, 'DeleteStmt');
      push(op(ctx, 'delete', relKey(s?.relation), { scan: unfiltered(node) }));
      break;
    }
    case 'InsertStmt': {
      const s = as(node, 'InsertStmt');
      push(op(ctx, 'insert', relKey(s?.relation)));
      break;
    }
    default:
      break;
  }
  return out;
}

/** LockStmt.mode is the numeric lock level (1 = AccessShare … 8 = AccessExclusive). */
const LOCKSTMT_MODES: Record<number, LockMode> = {
  1: 'ACCESS SHARE',
  2: 'ROW SHARE',
  3: 'ROW EXCLUSIVE',
  4: 'SHARE UPDATE EXCLUSIVE',
  5: 'SHARE',
  6: 'SHARE ROW EXCLUSIVE',
  7: 'EXCLUSIVE',
  8: 'ACCESS EXCLUSIVE',
};

/** Strongest lock per relation, strongest first; rewrite/scan of the whole statement. */
export function summarize(ops: AppliedOp[], onlyExisting = false): LockSummary | null {
  const chosen = onlyExisting ? ops.filter((o) => o.existing) : ops;
  if (chosen.length === 0) return null;
  const perRel = new Map<string, LockMode>();
  let mode: LockMode | undefined;
  for (const o of chosen) {
    perRel.set(o.relation, strongerLock(perRel.get(o.relation), o.mode));
    mode = strongerLock(mode, o.mode);
  }
  const relations = [...perRel.entries()].sort((a, b) => lockRank(b[1]) - lockRank(a[1])).map(([r]) => r);
  const top = mode as LockMode;
  return {
    mode: top,
    relations,
    blocks: blockedBy(top),
    rewrite: chosen.some((o) => o.rewrite),
    scan: chosen.some((o) => o.scan),
  };
}

export { DEFAULT_SCHEMA };
