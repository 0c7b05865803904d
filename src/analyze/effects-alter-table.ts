/**
 * Effects of ALTER TABLE subcommands: which operation each one is, and whether it rewrites or scans
 * given the replayed schema and the target version (the rest of statementOps is in effects.ts).
 */
import type { AlterTableCmd, Node, RangeVar } from 'libpg-query';
import { VERSION_FEATURES, type OperationId } from '../pg/facts.ts';
import type { LockMode } from '../pg/locks.ts';
import { as, relKey, DEFAULT_SCHEMA } from '../parse/ast.ts';
import { columnFacts, exprVolatility, typeRef } from './expr.ts';
import type { TableInfo } from './schema.ts';
import { typeChange } from './types.ts';
import { op, type AppliedOp, type EffectContext } from './effect-ops.ts';

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
function notNullProven(table: TableInfo | undefined, column: string): boolean {
  if (!table) return false;
  for (const c of table.constraints.values()) {
    if (c.validated && (c.kind === 'check' || c.kind === 'notnull') && c.provesNotNull.includes(column)) return true;
  }
  return false;
}

export function alterTableOps(relation: RangeVar | undefined, cmds: AlterTableCmd[], ctx: EffectContext): AppliedOp[] {
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
function partitionBoundProven(ctx: EffectContext, parent: TableInfo | undefined, part: TableInfo | undefined): { proven: boolean; reason: string } {
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
export function domainUsers(ctx: EffectContext, key: string): string[] {
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
