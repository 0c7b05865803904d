import { type AppliedOp, as, boolOption, defineRule, describeBlocked, displayRel, type OperationId, OPERATIONS, type RuleContext, type SafeAlternative, type Span } from '../src/kit/index.ts';
import { lockPhrase, withLockTimeout } from '../src/advice/index.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

const REWRITES = new Set<OperationId>(['vacuum-full', 'cluster', 'set-tablespace', 'set-logged', 'set-access-method']);

const TOOLS = 'pg_repack or pg_squeeze (extensions that rebuild a table while it stays in use, locking it exclusively only for a short swap at the end)';

function what(ctx: RuleContext, op: AppliedOp): string {
  if (op.op === 'set-logged') {
    const cmd = as(as(ctx.stmt.node, 'AlterTableStmt')?.cmds?.[op.cmdIndex ?? -1], 'AlterTableCmd');
    return cmd?.subtype === 'AT_SetUnLogged' ? 'SET UNLOGGED' : 'SET LOGGED';
  }
  return OPERATIONS[op.op].title.replace(/^ALTER TABLE … /, '');
}

function recipe(ctx: RuleContext, op: AppliedOp | undefined, kind: OperationId, sql: string): SafeAlternative {
  // VACUUM and CLUSTER without a table refuse to run in a transaction block, which a multi-statement
  // string is: set lock_timeout for the session instead (e.g. PGOPTIONS='-c lock_timeout=2s').
  const bare = kind === 'vacuum-full' || (kind === 'cluster' && !op);
  const step = {
    title: bare
      ? 'If it must run: in a maintenance window, in a session with lock_timeout set (e.g. PGOPTIONS=\'-c lock_timeout=2s\'), so a blocked lock request gives up instead of queueing every query behind it'
      : 'If it must run: in a maintenance window, with a lock_timeout so a blocked lock request gives up instead of queueing every query behind it',
    sql: bare ? sql : withLockTimeout(sql),
    transaction: bare ? ('outside' as const) : ('own' as const),
  };
  if (kind === 'vacuum-full' || kind === 'cluster') {
    return {
      summary: `Core PostgreSQL has no online form of ${kind === 'vacuum-full' ? 'VACUUM FULL' : 'CLUSTER'}. To reclaim space or reorder rows while the table stays in use, run ${TOOLS} outside the migration; otherwise schedule a maintenance window.${kind === 'vacuum-full' ? ' Plain VACUUM (no FULL) makes dead space reusable without a rewrite and without blocking reads or writes.' : ''}`,
      steps: [step],
    };
  }
  const name = op ? what(ctx, op) : 'this change';
  const mode = op?.mode ?? OPERATIONS[kind].locks.table;
  const online =
    kind === 'set-tablespace'
      ? ` pg_repack can move a table to another tablespace while it stays in use (its --tablespace option).`
      : name === 'SET LOGGED'
        ? ' SET LOGGED also writes the whole table to the WAL (and so to replicas).'
        : '';
  // SET TABLESPACE / SET ACCESS METHOD name objects that must exist on the target: no step to paste.
  return {
    summary: `Core PostgreSQL has no online form of ${name}: it rewrites the whole table${mode ? ` under ${mode}` : ''}. Run it in a maintenance window with a lock_timeout.${online}`,
    steps: kind === 'set-logged' ? [step] : [],
  };
}

export default defineRule({
  id: 'table-rewrite',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED and SET ACCESS METHOD rewrite the table under ACCESS EXCLUSIVE',
  docs: {
    why:
      'VACUUM FULL, CLUSTER, ALTER TABLE … SET TABLESPACE, SET LOGGED / SET UNLOGGED and SET ACCESS METHOD write a complete new copy of the table (and rebuild its indexes) while holding ACCESS EXCLUSIVE: every read and write waits for the whole copy, which grows with the table, and the copy needs as much free disk as the table. Core PostgreSQL has no online variant of any of these. For reclaiming space or reordering rows, the pg_repack and pg_squeeze extensions rebuild a table while it stays in use; otherwise run the statement in a maintenance window, with a lock_timeout.',
    bad: 'VACUUM FULL orders;',
    good: '-- plain VACUUM makes dead space reusable without a rewrite and without blocking reads or writes\nVACUUM orders;\n-- (VACUUM FULL only in a maintenance window, with lock_timeout set)',
    versions: 'All versions. SET ACCESS METHOD exists since PostgreSQL 15.',
  },
  check(ctx) {
    // rewrite is false when the analyzer knows the change is a no-op (e.g. the table is already in that tablespace).
    const ops = ctx.ops.filter((o) => REWRITES.has(o.op) && o.existing && o.rewrite);
    const table = ctx.schema.tables;
    for (const op of ops) {
      if (op.op === 'set-logged') {
        // SET LOGGED on a logged table (or UNLOGGED on an unlogged one) does nothing.
        const t = table.get(op.relation);
        const unlogged = what(ctx, op) === 'SET UNLOGGED';
        if (t && !t.external && (t.unlogged ?? false) === unlogged) continue;
      }
      const span: Span =
        op.cmdIndex !== undefined && ctx.stmt.kind === 'AlterTableStmt'
          ? ctx.subcommandSpan(op.cmdIndex)
          : ctx.keywordSpan(op.op === 'cluster' ? /CLUSTER/i : /VACUUM\s*(\([^)]*\)|FULL)/i);
      const sql = op.cmdIndex !== undefined && ctx.stmt.kind === 'AlterTableStmt' ? `ALTER TABLE ${displayRel(op.relation)} ${ctx.stmt.text.slice(span.start - ctx.stmt.span.start, span.end - ctx.stmt.span.start)};` : `${ctx.stmt.text.trim()};`;
      ctx.report({
        span,
        message: `${what(ctx, op)} rewrites all of ${displayRel(op.relation)} (and rebuilds its indexes) while holding ${article(op.mode)} ${lockPhrase(op.mode, [op.relation])}, for a time that grows with the table's size.`,
        help: `There is no online form of ${what(ctx, op)} in core PostgreSQL. ${op.op === 'vacuum-full' || op.op === 'cluster' ? `Use ${TOOLS}, or a maintenance window` : op.op === 'set-tablespace' ? 'Use a maintenance window, or pg_repack --tablespace' : 'Use a maintenance window'}; if it must run here, set a lock_timeout first.`,
        safeAlternative: recipe(ctx, op, op.op, sql),
      });
    }
    // Without a table list, VACUUM FULL and CLUSTER rewrite every table (every clustered table).
    const vac = as(ctx.stmt.node, 'VacuumStmt');
    const full = vac?.is_vacuumcmd && boolOption(vac.options, 'full') === true;
    const cluster = as(ctx.stmt.node, 'ClusterStmt');
    const bare = (full && !(vac?.rels ?? []).length) || (cluster && !cluster.relation);
    if (bare) {
      const kind: OperationId = full ? 'vacuum-full' : 'cluster';
      const mode = OPERATIONS[kind].locks.table;
      ctx.report({
        span: ctx.keywordSpan(full ? /VACUUM\s*(\([^)]*\)|FULL)/i : /CLUSTER/i),
        message: `${full ? 'VACUUM FULL without a table list rewrites every table of the database' : 'CLUSTER without a table rewrites every table that was clustered before'}, one after another, each under ${mode ? `an ${mode} lock (blocks ${describeBlocked(mode)})` : 'an exclusive lock'} for the whole copy.`,
        help: `Never run it in a migration. Rebuild only the tables that need it, online with ${TOOLS}, or in a maintenance window.`,
        lock: null,
        safeAlternative: recipe(ctx, undefined, kind, `${ctx.stmt.text.trim()};`),
      });
    }
  },
});
