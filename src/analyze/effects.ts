/**
 * What a statement does to the database: the operations it performs (from pg/facts), with the
 * conditional rewrite/scan decided from the statement, the replayed schema and the target version.
 */
import type { AlterTableCmd, Node, RangeVar } from 'libpg-query';
import { OPERATIONS, VERSION_FEATURES, type OperationId } from '../pg/facts.ts';
import { blockedBy, lockRank, strongerLock, type LockMode } from '../pg/locks.ts';
import type { LockSummary } from '../findings/model.ts';
import { as, boolOption, nameKey, nodeKind, relKey, strings, walk, DEFAULT_SCHEMA } from '../parse/ast.ts';
import { columnFacts, exprVolatility, typeRef } from './expr.ts';
import type { Schema, TableInfo } from './schema.ts';
import { typeChange, type TypeChangeVerdict } from './types.ts';

export interface AppliedOp {
  op: OperationId;
  /** Relation key (`schema.name`) the lock is on. */
  relation: string;
  mode: LockMode;
  rewrite: boolean;
  scan: boolean;
  /** The relation existed before the file being analyzed (it may hold data and serve traffic). */
  existing: boolean;
  /** ALTER TABLE subcommand index, when the op comes from one. */
  cmdIndex?: number;
  /** Why rewrite/scan was decided, for messages (e.g. "volatile default random()"). */
  reason?: string;
  /** For ALTER COLUMN TYPE: the verdict. */
  typeChange?: TypeChangeVerdict;
  /** For ALTER COLUMN TYPE without a rewrite: validated CHECK constraints on the column, re-checked by a full scan. */
  recheck?: string[];
}

export interface EffectContext {
  schema: Schema;
  pgVersion: number;
  /** The file being analyzed; objects created in it are new (empty, unused). */
  file: string;
  /** Current transaction number; objects created in it are invisible to other sessions. */
  tx: number;
  /** Session TimeZone in force (SET earlier in the file, or configured); undefined = not known. */
  timeZone?: string;
}

export function isExisting(table: TableInfo | undefined, ctx: EffectContext): boolean {
  return !table || table.origin.file !== ctx.file;
}

function op(
  ctx: EffectContext,
  id: OperationId,
  relation: string,
  extra: Partial<AppliedOp> & { target?: 'table' | 'referenced' | 'index' | 'parent' | 'partition' } = {},
): AppliedOp | undefined {
  const fact = OPERATIONS[id];
  const mode = extra.mode ?? fact.locks[extra.target ?? 'table'];
  if (!mode) return undefined;
  const table = ctx.schema.tables.get(relation) ?? tableOfIndex(ctx, relation);
  return {
    op: id,
    relation,
    mode,
    rewrite: extra.rewrite ?? fact.rewrite === 'yes',
    scan: extra.scan ?? fact.scan === 'yes',
    existing: extra.existing ?? isExisting(table, ctx),
    cmdIndex: extra.cmdIndex,
    reason: extra.reason,
    typeChange: extra.typeChange,
    recheck: extra.recheck,
  };
}

function tableOfIndex(ctx: EffectContext, key: string): TableInfo | undefined {
  const idx = ctx.schema.indexes.get(key);
  return idx ? ctx.schema.tables.get(idx.table) : undefined;
}

/** ADD COLUMN: does it rewrite, and why. */
export function addColumnRewrite(def: Node | undefined, ctx: EffectContext): { rewrite: boolean; reason?: string } {
  const cd = as(def, 'ColumnDef');
  if (!cd) return { rewrite: false };
  const f = columnFacts(cd);
  if (f.generated === 'stored') return { rewrite: true, reason: 'GENERATED … STORED column computes and stores a value for every row' };
  if (f.generated === 'virtual') return { rewrite: false };
  const domain = f.type ? (ctx.schema.domains.get(f.type.name.includes('.') ? f.type.name : `${DEFAULT_SCHEMA}.${f.type.name}`)) : undefined;
  if (domain?.constraints.length) return { rewrite: true, reason: `the column's domain ${f.type?.display} has constraints, which PostgreSQL checks by rewriting every row` };
  if (f.serial) return { rewrite: true, reason: `${f.type?.display ?? 'serial'} column fills every row from a sequence (nextval() is volatile)` };
  if (f.identity) return { rewrite: true, reason: 'identity column fills every row from its sequence' };
  if (f.defaultExpr) {
    const isNull = as(f.defaultExpr, 'A_Const')?.isnull === true;
    if (isNull) return { rewrite: false };
    if (ctx.pgVersion < VERSION_FEATURES.fastDefault) {
      return { rewrite: true, reason: `before PostgreSQL ${VERSION_FEATURES.fastDefault} any non-null default is written into every row` };
    }
    const v = exprVolatility(f.defaultExpr, ctx.schema);
    if (v.volatility === 'v') {
      return {
        rewrite: true,
        reason: v.assumed
          ? `default calls ${v.culprit}, whose volatility is unknown (assumed volatile): a volatile default is evaluated for every row`
          : `volatile default ${v.culprit} is evaluated for every row`,
      };
    }
  }
  // A domain with constraints also forces a rewrite-like check; not modelled here.
  return { rewrite: false };
}

/** Is `column` proven non-null by a validated CHECK (PG 12+) or NOT NULL constraint? */
export function notNullProven(table: TableInfo | undefined, column: string): boolean {
  if (!table) return false;
  for (const c of table.constraints.values()) {
    if (c.validated && (c.kind === 'check' || c.kind === 'notnull') && c.provesNotNull.includes(column)) return true;
  }
  return false;
}

function alterTableOps(relation: RangeVar | undefined, cmds: AlterTableCmd[], ctx: EffectContext): AppliedOp[] {
  const key = relKey(relation);
  const table = ctx.schema.tables.get(key);
  const out: AppliedOp[] = [];
  const push = (o: AppliedOp | undefined): void => {
    if (o) out.push(o);
  };
  cmds.forEach((cmd, cmdIndex) => {
    const base = { cmdIndex };
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const r = addColumnRewrite(cmd.def, ctx);
        const cd = as(cmd.def, 'ColumnDef');
        const facts = cd ? columnFacts(cd) : undefined;
        const nonNullDefault = facts?.defaultExpr !== undefined && as(facts.defaultExpr, 'A_Const')?.isnull !== true;
        // Observed (docs/observed-locks-pg18.md): CHECK and UNIQUE on the new column scan the table;
        // REFERENCES scans both tables only when the new column gets a non-null default.
        const scan = !!facts && (facts.check !== undefined || facts.unique || facts.primaryKey || (facts.references !== undefined && nonNullDefault));
        push(op(ctx, 'add-column', key, { ...base, rewrite: r.rewrite, scan: r.rewrite || scan, reason: r.reason }));
        if (facts?.references?.pktable) {
          push(op(ctx, 'add-foreign-key', relKey(facts.references.pktable), { ...base, target: 'referenced', scan: nonNullDefault }));
        }
        break;
      }
      case 'AT_DropColumn':
        push(op(ctx, 'drop-column', key, base));
        // Dropping a foreign-key column drops the FK triggers on the referenced table.
        for (const c of table?.constraints.values() ?? []) {
          if (c.kind === 'foreign' && c.refTable && c.refTable !== key && c.columns.includes(cmd.name ?? '')) push(op(ctx, 'drop-constraint', c.refTable, { ...base, target: 'referenced' }));
        }
        break;
      case 'AT_AlterColumnType': {
        const cd = as(cmd.def, 'ColumnDef');
        const col = table?.columns.get(cmd.name ?? '');
        const verdict = typeChange(col?.type ?? null, typeRef(cd?.typeName), cd?.raw_default, cmd.name ?? '', ctx.pgVersion, ctx.timeZone);
        // Without a rewrite, PostgreSQL re-adds the CHECK constraints on the column and validates them
        // with a full scan under the ACCESS EXCLUSIVE lock (observed; NOT VALID ones are re-added unvalidated).
        const recheck = verdict.rewrite === 'no' ? [...(table?.constraints.values() ?? [])].filter((c) => c.kind === 'check' && c.validated && c.columns.includes(cmd.name ?? '')).map((c) => c.name) : [];
        push(
          op(ctx, 'alter-column-type', key, {
            ...base,
            rewrite: verdict.rewrite !== 'no',
            scan: verdict.rewrite !== 'no' || verdict.scan || recheck.length > 0,
            reason: recheck.length ? `the CHECK constraint${recheck.length > 1 ? 's' : ''} ${recheck.join(', ')} on the column ${recheck.length > 1 ? 'are' : 'is'} re-validated by a full scan` : verdict.reason,
            typeChange: verdict,
            recheck: recheck.length ? recheck : undefined,
          }),
        );
        // Foreign keys on (or to) the column are rebuilt: ACCESS EXCLUSIVE on the other table too.
        // A rewrite re-validates those foreign keys, reading the other table too.
        for (const other of fkPartners(ctx, key, cmd.name ?? '')) push(op(ctx, 'alter-column-type', other, { ...base, target: 'referenced', rewrite: false, scan: verdict.rewrite !== 'no' }));
        break;
      }
      case 'AT_ColumnDefault':
        push(op(ctx, cmd.def ? 'set-default' : 'drop-default', key, base));
        break;
      case 'AT_SetNotNull': {
        const col = table?.columns.get(cmd.name ?? '');
        const proven = ctx.pgVersion >= VERSION_FEATURES.setNotNullUsesCheck && notNullProven(table, cmd.name ?? '');
        push(
          op(ctx, 'set-not-null', key, {
            ...base,
            scan: !proven && !col?.notNull,
            reason: proven ? 'a validated CHECK (… IS NOT NULL) proves the column has no NULLs' : undefined,
          }),
        );
        break;
      }
      case 'AT_DropNotNull':
        push(op(ctx, 'drop-not-null', key, base));
        break;
      case 'AT_AddConstraint':
        out.push(...addConstraintOps(key, table, cmd, cmdIndex, ctx));
        break;
      case 'AT_ValidateConstraint': {
        const con = table?.constraints.get(cmd.name ?? '');
        if (con?.kind === 'foreign' && con.refTable) {
          // The validation query joins both tables: both are read in full.
          push(op(ctx, 'validate-foreign-key', key, base));
          push(op(ctx, 'validate-foreign-key', con.refTable, { ...base, target: 'referenced', scan: true }));
        } else push(op(ctx, 'validate-constraint', key, base));
        break;
      }
      case 'AT_DropConstraint':
        push(op(ctx, 'drop-constraint', key, base));
        {
          const con = table?.constraints.get(cmd.name ?? '');
          if (con?.kind === 'foreign' && con.refTable) push(op(ctx, 'drop-constraint', con.refTable, { ...base, target: 'referenced' }));
        }
        break;
      case 'AT_SetTableSpace':
        // Moving to the tablespace the table is already in copies nothing.
        push(op(ctx, 'set-tablespace', key, { ...base, rewrite: (cmd.name ?? '') !== (table?.tablespace ?? 'pg_default') }));
        break;
      case 'AT_SetLogged':
      case 'AT_SetUnLogged':
        push(op(ctx, 'set-logged', key, base));
        break;
      case 'AT_SetAccessMethod':
        {
          const changes = (cmd.name ?? 'heap') !== (table?.accessMethod ?? 'heap');
          push(op(ctx, 'set-access-method', key, { ...base, rewrite: changes, scan: changes }));
        }
        break;
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions':
        push(op(ctx, 'set-storage-params', key, base));
        break;
      case 'AT_SetStatistics':
      case 'AT_SetOptions':
      case 'AT_ResetOptions':
        push(op(ctx, 'set-statistics', key, base));
        break;
      case 'AT_SetStorage':
        push(op(ctx, 'set-storage', key, base));
        break;
      case 'AT_SetCompression':
        push(op(ctx, 'set-compression', key, base));
        break;
      case 'AT_EnableTrig':
      case 'AT_EnableAlwaysTrig':
      case 'AT_EnableReplicaTrig':
      case 'AT_DisableTrig':
      case 'AT_EnableTrigAll':
      case 'AT_DisableTrigAll':
      case 'AT_EnableTrigUser':
      case 'AT_DisableTrigUser':
        push(op(ctx, 'toggle-trigger', key, base));
        break;
      case 'AT_ReplicaIdentity':
        push(op(ctx, 'replica-identity', key, base));
        break;
      case 'AT_ChangeOwner':
        push(op(ctx, 'owner', key, base));
        break;
      case 'AT_EnableRowSecurity':
      case 'AT_DisableRowSecurity':
      case 'AT_ForceRowSecurity':
      case 'AT_NoForceRowSecurity':
        push(op(ctx, 'row-security', key, base));
        break;
      case 'AT_ClusterOn':
      case 'AT_DropCluster':
        push(op(ctx, 'cluster-on', key, base));
        break;
      case 'AT_AddIdentity':
      case 'AT_SetIdentity':
      case 'AT_DropIdentity':
        push(op(ctx, 'identity', key, base));
        break;
      case 'AT_AddInherit':
      case 'AT_DropInherit': {
        push(op(ctx, 'inherit', key, base));
        const parent = relKey(as(cmd.def, 'RangeVar'));
        if (parent) push(op(ctx, 'inherit', parent, { ...base, target: 'parent' }));
        break;
      }
      case 'AT_AttachPartition': {
        const spec = as(cmd.def, 'PartitionCmd');
        const part = relKey(spec?.name);
        const parentMode: LockMode = ctx.pgVersion >= VERSION_FEATURES.attachPartitionWeakLock ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
        push(op(ctx, 'attach-partition', key, { ...base, target: 'parent', mode: parentMode }));
        const proof = partitionBoundProven(ctx, table, ctx.schema.tables.get(part));
        push(op(ctx, 'attach-partition', part, { ...base, target: 'partition', scan: !proof.proven, reason: proof.reason }));
        break;
      }
      case 'AT_DetachPartition': {
        const spec = as(cmd.def, 'PartitionCmd');
        const part = relKey(spec?.name);
        const id: OperationId = spec?.concurrent ? 'detach-partition-concurrently' : 'detach-partition';
        push(op(ctx, id, key, { ...base, target: 'parent' }));
        push(op(ctx, id, part, { ...base, target: 'partition' }));
        break;
      }
      case 'AT_DetachPartitionFinalize':
        push(op(ctx, 'detach-partition-concurrently', key, { ...base, target: 'parent' }));
        break;
      default:
        push(op(ctx, 'alter-table-other', key, base));
        break;
    }
  });
  return out;
}

/**
 * Can Postgres skip the partition scan of ATTACH PARTITION? It can when a validated CHECK constraint
 * of the partition implies the bound. We accept a validated CHECK over every partition key column,
 * with those columns proven NOT NULL (range and list bounds exclude NULL unless listed): the shape
 * of the recipe's helper constraint. Anything else is reported as not provable.
 */
export function partitionBoundProven(ctx: EffectContext, parent: TableInfo | undefined, part: TableInfo | undefined): { proven: boolean; reason: string } {
  const key = parent?.partitionKey;
  if (!part) return { proven: false, reason: 'the partition is not known from the replayed migrations' };
  if (!key?.length || key.includes('expr')) return { proven: false, reason: "the parent's partition key is not known from the replayed migrations" };
  const checks = [...part.constraints.values()].filter((c) => c.kind === 'check' && c.validated && key.every((k) => c.columns.includes(k)));
  if (!checks.length) return { proven: false, reason: `no validated CHECK constraint on ${part.key} covers the partition key (${key.join(', ')})` };
  const notNull = key.every((k) => part.columns.get(k)?.notNull || checks.some((c) => c.provesNotNull.includes(k)));
  if (!notNull && parent?.partitionStrategy !== 'hash') return { proven: false, reason: `the partition key (${key.join(', ')}) may hold NULLs: the CHECK must include IS NOT NULL` };
  return { proven: true, reason: `the validated CHECK ${checks[0].name} implies the bound` };
}

/** Tables with a column of the domain `key`. */
function domainUsers(ctx: EffectContext, key: string): string[] {
  const bare = key.slice(key.indexOf('.') + 1);
  return [...ctx.schema.tables.values()].filter((t) => (t.kind === 'table' || t.kind === 'partitioned') && [...t.columns.values()].some((c) => c.type?.name === key || c.type?.name === bare)).map((t) => t.key);
}

/** Tables linked to `table.column` by a foreign key in either direction. */
function fkPartners(ctx: EffectContext, table: string, column: string): string[] {
  const out = new Set<string>();
  for (const c of ctx.schema.tables.get(table)?.constraints.values() ?? []) {
    if (c.kind === 'foreign' && c.refTable && c.columns.includes(column) && c.refTable !== table) out.add(c.refTable);
  }
  // Foreign keys point at a primary key or unique constraint: only a change to such a column touches them.
  const keyColumn = [...(ctx.schema.tables.get(table)?.constraints.values() ?? [])].some((c) => (c.kind === 'primary' || c.kind === 'unique') && c.columns.includes(column));
  if (keyColumn) {
    for (const t of ctx.schema.tables.values()) {
      if (t.key === table) continue;
      for (const c of t.constraints.values()) if (c.kind === 'foreign' && c.refTable === table) out.add(t.key);
    }
  }
  return [...out];
}

function addConstraintOps(key: string, table: TableInfo | undefined, cmd: AlterTableCmd, cmdIndex: number, ctx: EffectContext): AppliedOp[] {
  const con = as(cmd.def, 'Constraint');
  const out: AppliedOp[] = [];
  if (!con) return out;
  const validated = !con.skip_validation;
  const push = (o: AppliedOp | undefined): void => {
    if (o) out.push(o);
  };
  switch (con.contype) {
    case 'CONSTR_CHECK':
      push(op(ctx, 'add-check', key, { cmdIndex, scan: validated }));
      break;
    case 'CONSTR_FOREIGN':
      push(op(ctx, 'add-foreign-key', key, { cmdIndex, scan: validated }));
      if (con.pktable) push(op(ctx, 'add-foreign-key', relKey(con.pktable), { cmdIndex, target: 'referenced', scan: validated }));
      break;
    case 'CONSTR_UNIQUE':
    case 'CONSTR_PRIMARY': {
      if (con.indexname) {
        const cols = ctx.schema.indexes.get(`${key.slice(0, key.indexOf('.'))}.${con.indexname}`)?.columns ?? [];
        const nullable = con.contype === 'CONSTR_PRIMARY' && cols.some((c) => !table?.columns.get(c)?.notNull);
        push(op(ctx, 'add-constraint-using-index', key, { cmdIndex, scan: nullable, reason: nullable ? 'PRIMARY KEY makes nullable columns NOT NULL, which scans the table' : undefined }));
      } else {
        push(op(ctx, con.contype === 'CONSTR_PRIMARY' ? 'add-primary-key' : 'add-unique', key, { cmdIndex }));
      }
      break;
    }
    case 'CONSTR_EXCLUSION':
      push(op(ctx, 'add-exclusion', key, { cmdIndex }));
      break;
    case 'CONSTR_NOTNULL':
      push(op(ctx, 'add-not-null-constraint', key, { cmdIndex, scan: validated }));
      break;
    default:
      push(op(ctx, 'alter-table-other', key, { cmdIndex }));
  }
  return out;
}

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
