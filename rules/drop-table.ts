import { as, defineRule, displayRel, fileState, nameKey, OPERATIONS, quoteIdent, quoteLiteral, type RelatedLocation, type RuleContext, type SafeStep, type Schema, str, strings, summarize } from '../src/kit/index.ts';
import { withLockTimeout } from '../src/advice/index.ts';
import { aLockPhrase, extraLocks } from '../src/advice/app-compat.ts';
import { tableVerdict, type ModelUse } from '../src/advice/models.ts';

/** Databases created earlier in this file (dropping them again loses nothing). */
const CREATED_DATABASES = fileState(() => new Set<string>());

/** Tables (other than `except`) whose foreign keys reference `table`. */
function referencing(schema: Schema, table: string, except: string[]): string[] {
  const out: string[] = [];
  for (const t of schema.tables.values()) {
    if (except.includes(t.key)) continue;
    for (const c of t.constraints.values()) {
      if (c.kind === 'foreign' && c.refTable === table && !out.includes(t.key)) out.push(t.key);
    }
  }
  return out;
}

/** A read of the statistics that shows whether anything still uses the tables (run it twice, a while apart). */
function usageCheck(tables: string[]): SafeStep {
  const conds = tables.map((t) => `(schemaname = ${quoteLiteral(t.slice(0, t.indexOf('.')))} AND relname = ${quoteLiteral(t.slice(t.indexOf('.') + 1))})`);
  return {
    title: 'Confirm nothing uses it any more: these counters must stop moving (run it twice, some time apart)',
    sql: `SELECT schemaname, relname, seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del\nFROM pg_stat_user_tables\nWHERE ${conds.join('\n   OR ')};`,
    transaction: 'any',
    deploy: 'First deploy code that no longer reads or writes it (ORM: remove the model), and wait until no old instance is left.',
  };
}

function dropTables(ctx: RuleContext, keys: string[], cascade: boolean, keyword: string): void {
  const existing = keys.filter((k) => ctx.ops.some((o) => o.op === 'drop-table' && o.relation === k && o.existing));
  if (existing.length === 0) return;
  const rels = existing.map(displayRel).join(', ');
  const verdicts = existing.map((k) => tableVerdict(ctx.models, k, displayRel(k)));
  if (verdicts.every((v) => v.kind === 'unused')) {
    for (const v of verdicts) if (v.kind === 'unused') ctx.note(v.note);
    return;
  }
  const evidence: string[] = [];
  const related: RelatedLocation[] = [];
  const uses: ModelUse[] = [];
  for (const v of verdicts) {
    if (v.kind !== 'mapped') continue;
    evidence.push(v.evidence);
    related.push(...v.related);
    uses.push(...v.uses);
  }
  const proof = evidence.length ? `${evidence.join('; ')}. ` : '';
  const plan = uses.length
    ? `Deploy A: remove ${[...new Set(uses.map((u) => `${u.table.model} (${u.table.orm}, ${u.table.ref.path}:${u.table.ref.line})`))].join(', ')} and every use of it from the code${uses.some((u) => u.table.orm === 'prisma') ? ' (Prisma: delete the model, or mark it `@@ignore` first)' : ''}; do not commit the DROP your migration generator emits with that change. Deploy B: this DROP, in a later migration with lock_timeout. `
    : '';
  const mode = ctx.ops.find((o) => o.op === 'drop-table' && o.relation === existing[0])?.mode;
  const refMode = OPERATIONS['drop-table'].locks.referenced;
  // Tables this one references: the analyzer's ops on other relations.
  const referenced = [...new Set(ctx.ops.filter((o) => o.op === 'drop-table' && !keys.includes(o.relation) && o.existing).map((o) => o.relation))];
  const referencedBy = [...new Set(existing.flatMap((k) => referencing(ctx.schema, k, keys)))];
  const notes: string[] = [];
  if (referenced.length && refMode) notes.push(`It also takes ${aLockPhrase(refMode, referenced)}, to remove its foreign keys' triggers there.`);
  if (referencedBy.length) {
    notes.push(
      cascade
        ? `CASCADE also drops the foreign keys of ${referencedBy.map(displayRel).join(', ')} that reference it (the rows stay)${refMode ? `, taking ${aLockPhrase(refMode, referencedBy)}` : ''}, and any view that uses it.`
        : `Foreign keys of ${referencedBy.map(displayRel).join(', ')} reference it: without CASCADE the DROP fails; drop those constraints first.`,
    );
  } else if (cascade) notes.push('CASCADE also drops every view and foreign key that depends on it.');
  ctx.report({
    span: ctx.stmt.span,
    relatedLocations: related.length ? related : undefined,
    message: `${proof}Dropping ${rels} breaks the application version that is still running: from the moment this commits, every query that uses ${existing.length > 1 ? 'them' : 'it'} fails (relation does not exist), and the data is gone.${mode ? ` It takes ${aLockPhrase(mode, existing)}, waiting for running queries on the table while new ones queue behind it.` : ''}${notes.length ? ` ${notes.join(' ')}` : ''}`,
    lock: summarize([...ctx.ops.filter((o) => o.existing), ...(cascade ? extraLocks('drop-table', refMode, referencedBy) : [])]),
    help: `${plan}Deploy code that no longer uses the table first, confirm from pg_stat_user_tables that nothing reads or writes it, then drop it in a later migration with lock_timeout (keep a backup if the data may be needed).`,
    safeAlternative: {
      summary: `Deploy ordering: the code stops using ${rels} first; the drop comes in a later migration.${cascade ? ' List what CASCADE removes before running it (\\d+ or pg_depend): it is not only the table.' : ''}`,
      steps: [
        usageCheck(existing),
        {
          title: `Drop it with lock_timeout, so waiting for the lock does not queue the application behind it`,
          sql: withLockTimeout(`DROP ${keyword} ${existing.map(displayRel).join(', ')}${cascade ? ' CASCADE' : ''};`),
          transaction: 'own',
          deploy: 'Only after the usage check shows no traffic.',
        },
      ],
    },
  });
}

function dropSchemas(ctx: RuleContext, names: string[], cascade: boolean): void {
  const existing = names.filter((n) => {
    const origin = ctx.schema.schemas.get(n);
    return !origin || origin.file !== ctx.file;
  });
  if (existing.length === 0) return;
  const tables = [...ctx.schema.tables.values()]
    .filter((t) => existing.includes(t.key.slice(0, t.key.indexOf('.'))) && t.origin.file !== ctx.file)
    .map((t) => t.key);
  const mode = OPERATIONS['drop-table'].locks.table;
  const ops = extraLocks('drop-table', mode, tables);
  const schemas = existing.map(quoteIdent).join(', ');
  const what = tables.length
    ? cascade
      ? ` CASCADE drops everything in it, including ${tables.map(displayRel).join(', ')}${mode ? `, taking ${aLockPhrase(mode, tables)}` : ''}.`
      : ` It holds ${tables.map(displayRel).join(', ')}: without CASCADE the DROP fails.`
    : cascade
      ? ' CASCADE drops every table, view, function and type in it.'
      : '';
  ctx.report({
    span: ctx.stmt.span,
    message: `Dropping schema ${schemas} breaks the application version that is still running: every query that uses an object in it fails from the moment this commits, and the data is gone.${what}`,
    help: 'Deploy code that no longer uses anything in the schema first, confirm nothing reads or writes its tables, then drop it in a later migration with lock_timeout.',
    lock: summarize(ops),
    safeAlternative: {
      summary: `Deploy ordering: the code stops using ${schemas} first; the drop comes in a later migration.`,
      steps: [
        ...(tables.length ? [usageCheck(tables)] : []),
        {
          title: 'Drop it with lock_timeout, so waiting for locks does not queue the application behind it',
          sql: withLockTimeout(`DROP SCHEMA ${schemas}${cascade ? ' CASCADE' : ''};`),
          transaction: 'own',
          deploy: 'First deploy code that no longer uses anything in the schema, and wait until no old instance is left.',
        },
      ],
    },
  });
}

export default defineRule({
  id: 'drop-table',
  severity: 'error',
  category: 'app-compat',
  presets: ['recommended', 'strict'],
  description: 'DROP TABLE, DROP SCHEMA or DROP DATABASE of an object the running application may still use',
  docs: {
    why:
      'Dropping a table is quick, but the moment it commits every query of the running application that uses it fails (relation does not exist), and the data is gone for good. Migrations run before (or during) the rollout of the new code, so the old version is still serving traffic. DROP TABLE also takes ACCESS EXCLUSIVE on the table and on every table its foreign keys reference (to remove the key triggers there); with CASCADE it also drops views and the foreign keys of other tables. DROP SCHEMA … CASCADE and DROP DATABASE do the same for everything inside. Deploy code that no longer uses the object first, check that nothing touches it, and drop it in a later migration.',
    bad: 'DROP TABLE legacy_sessions;',
    good: "-- after deploying code that no longer uses legacy_sessions:\nSET lock_timeout = '2s';\n-- zerodown-ignore drop-table -- unused since release 42 (no running code names it)\nDROP TABLE legacy_sessions;",
  },
  check(ctx) {
    const created = as(ctx.stmt.node, 'CreatedbStmt');
    if (created?.dbname) {
      ctx.state(CREATED_DATABASES).add(created.dbname);
      return;
    }
    const dropdb = as(ctx.stmt.node, 'DropdbStmt');
    if (dropdb?.dbname) {
      if (ctx.state(CREATED_DATABASES).has(dropdb.dbname)) return;
      const db = quoteIdent(dropdb.dbname);
      const force = (dropdb.options ?? []).some((o) => as(o, 'DefElem')?.defname === 'force');
      ctx.report({
        span: ctx.stmt.span,
        message: `Dropping database ${db} removes every table in it at once: any application still connected to it fails${force ? ' (WITH (FORCE) terminates its sessions)' : ' (and the DROP itself fails while sessions are connected)'}, and the data is gone.`,
        help: `Move every application and job off ${db} first, check pg_stat_activity shows no sessions, then drop it — outside a transaction (DROP DATABASE cannot run in one), from a maintenance connection rather than a migration.`,
        lock: null,
        safeAlternative: {
          summary: `Deploy ordering: nothing may use ${db} when it is dropped.`,
          steps: [
            {
              title: 'Confirm nothing is connected to it any more',
              sql: `SELECT pid, usename, application_name, backend_start FROM pg_stat_activity WHERE datname = ${quoteLiteral(dropdb.dbname)};`,
              transaction: 'any',
              deploy: `First move every application and job off ${db}.`,
            },
          ],
        },
      });
      return;
    }
    const s = as(ctx.stmt.node, 'DropStmt');
    if (!s) return;
    const cascade = s.behavior === 'DROP_CASCADE';
    if (s.removeType === 'OBJECT_TABLE') {
      dropTables(ctx, (s.objects ?? []).map((o) => nameKey(strings(as(o, 'List')?.items))), cascade, 'TABLE');
    } else if (s.removeType === 'OBJECT_SCHEMA') {
      dropSchemas(
        ctx,
        (s.objects ?? []).map((o) => str(o) ?? '').filter((n) => n !== ''),
        cascade,
      );
    }
  },
});
