import { as, defineRule, quoteIdent, relKey, type RuleContext, type SafeStep, type Span, strings } from '../src/kit/index.ts';
import { helperName, withLockTimeout } from '../src/advice/index.ts';
import { locksExisting, rewriteStatement, type TextEdit } from '../src/advice/column-types.ts';

interface Spot {
  span: Span;
  /** What the statement does, e.g. `CREATE TABLE orders`. */
  what: string;
  clause: 'IF NOT EXISTS' | 'IF EXISTS' | 'existence check';
  /** The error a re-run hits, with its SQLSTATE. */
  error: string;
  edit: TextEdit;
}

const CREATE_TABLE = /CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMPORARY|TEMP|UNLOGGED)\s+)?TABLE\b/i;
const CREATE_INDEX = /CREATE\s+(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY\b)?/i;
const CREATE_SEQUENCE = /CREATE\s+(?:(?:TEMPORARY|TEMP|UNLOGGED)\s+)?SEQUENCE\b/i;
const CREATE_SCHEMA = /CREATE\s+SCHEMA\b/i;
const DROP_TABLE = /DROP\s+TABLE\b/i;
const DROP_INDEX = /DROP\s+INDEX(?:\s+CONCURRENTLY\b)?/i;
const DROP_TYPE = /DROP\s+(TYPE|DOMAIN)\b/i;

function leading(ctx: RuleContext, re: RegExp, insert: string): { span: Span; edit: TextEdit } | undefined {
  const span = ctx.keywordSpan(re);
  if (span.end === ctx.stmt.span.end && span.start === ctx.stmt.span.start) return undefined;
  return { span, edit: { start: span.end, end: span.end, text: insert } };
}

function rel(name: string | undefined, schema?: string): string {
  return `${schema ? `${quoteIdent(schema)}.` : ''}${quoteIdent(name ?? '')}`;
}

/** Non-idempotent parts of the statement, with the edit that makes each one re-runnable. */
function spots(ctx: RuleContext): { spots: Spot[]; dropFirst?: string; note?: string } {
  const node = ctx.stmt.node;
  const out: Spot[] = [];
  const create = as(node, 'CreateStmt');
  if (create) {
    if (create.if_not_exists || create.relation?.relpersistence === 't') return { spots: out };
    const name = rel(create.relation?.relname, create.relation?.schemaname);
    const at = leading(ctx, CREATE_TABLE, ' IF NOT EXISTS');
    if (at) out.push({ ...at, what: `CREATE TABLE ${name}`, clause: 'IF NOT EXISTS', error: `relation "${create.relation?.relname ?? ''}" already exists (SQLSTATE 42P07)` });
    return { spots: out, note: 'IF NOT EXISTS does not compare definitions: an existing table with different columns is kept as it is.' };
  }
  const index = as(node, 'IndexStmt');
  if (index) {
    if (index.if_not_exists) return { spots: out };
    const table = relKey(index.relation);
    let name = index.idxname;
    let insert = ' IF NOT EXISTS';
    if (!name) {
      const cols = (index.indexParams ?? []).map((p) => as(p, 'IndexElem')?.name ?? 'expr');
      name = helperName(table, cols.join('_'), 'idx');
      insert = ` IF NOT EXISTS ${quoteIdent(name)}`;
    }
    const at = leading(ctx, CREATE_INDEX, insert);
    if (!at) return { spots: out };
    const qualified = rel(name, index.relation?.schemaname);
    if (index.concurrent) {
      out.push({
        ...at,
        what: `CREATE INDEX CONCURRENTLY ${index.idxname ? qualified : `on ${rel(index.relation?.relname, index.relation?.schemaname)} (unnamed)`}`,
        clause: 'IF NOT EXISTS',
        error: index.idxname
          ? `relation "${name}" already exists (SQLSTATE 42P07), because a failed or cancelled concurrent build leaves an INVALID index behind under that name`
          : 'nothing, but a failed or cancelled concurrent build leaves an INVALID index behind and the re-run builds a second one under another name',
      });
      return {
        spots: out,
        dropFirst: `DROP INDEX CONCURRENTLY IF EXISTS ${qualified};`,
        note: 'IF NOT EXISTS alone would keep an INVALID index left by a failed build (it is never used for queries but slows every write): drop it first.',
      };
    }
    out.push({
      ...at,
      what: `CREATE INDEX ${index.idxname ? qualified : `on ${rel(index.relation?.relname, index.relation?.schemaname)} (unnamed)`}`,
      clause: 'IF NOT EXISTS',
      error: index.idxname ? `relation "${name}" already exists (SQLSTATE 42P07)` : 'nothing, but it builds a second, duplicate index under another name',
    });
    return { spots: out };
  }
  const seq = as(node, 'CreateSeqStmt');
  if (seq) {
    if (seq.if_not_exists || seq.sequence?.relpersistence === 't') return { spots: out };
    const at = leading(ctx, CREATE_SEQUENCE, ' IF NOT EXISTS');
    if (at) out.push({ ...at, what: `CREATE SEQUENCE ${rel(seq.sequence?.relname, seq.sequence?.schemaname)}`, clause: 'IF NOT EXISTS', error: `relation "${seq.sequence?.relname ?? ''}" already exists (SQLSTATE 42P07)` });
    return { spots: out };
  }
  const schema = as(node, 'CreateSchemaStmt');
  if (schema) {
    // IF NOT EXISTS cannot be combined with schema elements (CREATE SCHEMA s CREATE TABLE …): Postgres rejects it.
    if (schema.if_not_exists || (schema.schemaElts?.length ?? 0) > 0) return { spots: out };
    const name = schema.schemaname ?? schema.authrole?.rolename ?? '';
    const at = leading(ctx, CREATE_SCHEMA, ' IF NOT EXISTS');
    if (at) out.push({ ...at, what: `CREATE SCHEMA ${quoteIdent(name)}`, clause: 'IF NOT EXISTS', error: `schema "${name}" already exists (SQLSTATE 42P06)` });
    return { spots: out };
  }
  const drop = as(node, 'DropStmt');
  if (drop) {
    if (drop.missing_ok) return { spots: out };
    const names = (drop.objects ?? []).map((o) => strings(as(o, 'List')?.items).map(quoteIdent).join('.'));
    const first = strings(as(drop.objects?.[0], 'List')?.items).pop() ?? '';
    if (drop.removeType === 'OBJECT_TABLE') {
      const at = leading(ctx, DROP_TABLE, ' IF EXISTS');
      if (at) out.push({ ...at, what: `DROP TABLE ${names.join(', ')}`, clause: 'IF EXISTS', error: `table "${first}" does not exist (SQLSTATE 42P01)` });
    } else if (drop.removeType === 'OBJECT_INDEX') {
      const at = leading(ctx, DROP_INDEX, ' IF EXISTS');
      if (at) out.push({ ...at, what: `DROP INDEX${drop.concurrent ? ' CONCURRENTLY' : ''} ${names.join(', ')}`, clause: 'IF EXISTS', error: `index "${first}" does not exist (SQLSTATE 42704)` });
    } else if (drop.removeType === 'OBJECT_TYPE' || drop.removeType === 'OBJECT_DOMAIN') {
      // DROP TYPE's names are TypeName nodes, not lists.
      const typeNames = (drop.objects ?? []).map((o) => strings(as(o, 'TypeName')?.names).map(quoteIdent).join('.'));
      const kind = drop.removeType === 'OBJECT_TYPE' ? 'TYPE' : 'DOMAIN';
      const at = leading(ctx, DROP_TYPE, ' IF EXISTS');
      const firstType = strings(as(drop.objects?.[0], 'TypeName')?.names).pop() ?? '';
      if (at) out.push({ ...at, what: `DROP ${kind} ${typeNames.join(', ')}`, clause: 'IF EXISTS', error: `type "${firstType}" does not exist (SQLSTATE 42704)` });
    }
    return { spots: out };
  }
  const alter = as(node, 'AlterTableStmt');
  if (alter && (alter.objtype === undefined || alter.objtype === 'OBJECT_TABLE')) {
    const table = rel(alter.relation?.relname, alter.relation?.schemaname);
    (alter.cmds ?? []).forEach((c, i) => {
      const cmd = as(c, 'AlterTableCmd');
      if (!cmd || cmd.missing_ok) return;
      const add = cmd.subtype === 'AT_AddColumn';
      const sub = ctx.subcommandSpan(i);
      if (sub === ctx.stmt.span) return;
      const using = as(cmd.def, 'Constraint');
      if (cmd.subtype === 'AT_AddConstraint' && using?.indexname) {
        // No ADD CONSTRAINT IF NOT EXISTS in PostgreSQL: guard the single-subcommand statement with a catalog check.
        if ((alter.cmds ?? []).length !== 1) return;
        const name = using.conname ?? using.indexname;
        const kind = using.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
        const regclass = `${alter.relation?.schemaname ? `${quoteIdent(alter.relation.schemaname)}.` : ''}${quoteIdent(alter.relation?.relname ?? '')}`;
        const body = ctx.stmt.text.trim().replace(/;$/, '');
        const tag = body.includes('$$') ? '$zd$' : '$$';
        const guarded = [
          `DO ${tag}`,
          'BEGIN',
          `  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '${regclass.replace(/'/g, "''")}'::regclass AND conname = '${name.replace(/'/g, "''")}') THEN`,
          `    ${body.replace(/\n/g, '\n    ')};`,
          '  END IF;',
          `END ${tag}`,
        ].join('\n');
        out.push({
          span: sub,
          what: `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(using.indexname)}`,
          clause: 'existence check',
          error:
            using.conname && using.conname !== using.indexname
              ? `index "${using.indexname}" does not exist (SQLSTATE 42704), because the first run renamed it to "${using.conname}"`
              : `index "${using.indexname}" is already associated with a constraint (SQLSTATE 55000)`,
          edit: { start: ctx.stmt.span.start, end: ctx.stmt.span.end, text: guarded },
        });
        return;
      }
      if (cmd.subtype === 'AT_DropConstraint') {
        const dm = /^DROP\s+CONSTRAINT\b/i.exec(ctx.stmt.text.slice(sub.start - ctx.stmt.span.start));
        if (!dm) return;
        const cspan = { start: sub.start, end: sub.start + dm[0].length };
        out.push({
          span: cspan,
          what: `ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(cmd.name ?? '')}`,
          clause: 'IF EXISTS',
          error: `constraint "${cmd.name ?? ''}" of relation "${alter.relation?.relname ?? ''}" does not exist (SQLSTATE 42704)`,
          edit: { start: cspan.end, end: cspan.end, text: ' IF EXISTS' },
        });
        return;
      }
      if (!add && cmd.subtype !== 'AT_DropColumn') return;
      const m = (add ? /^ADD(?:\s+COLUMN\b)?/i : /^DROP(?:\s+COLUMN\b)?/i).exec(ctx.stmt.text.slice(sub.start - ctx.stmt.span.start));
      if (!m) return;
      const span = { start: sub.start, end: sub.start + m[0].length };
      const column = add ? (as(cmd.def, 'ColumnDef')?.colname ?? '') : (cmd.name ?? '');
      const clause = add ? 'IF NOT EXISTS' : 'IF EXISTS';
      out.push({
        span,
        what: `ALTER TABLE ${table} ${add ? 'ADD' : 'DROP'} COLUMN ${quoteIdent(column)}`,
        clause,
        error: add ? `column "${column}" of relation "${alter.relation?.relname ?? ''}" already exists (SQLSTATE 42701)` : `column "${column}" of relation "${alter.relation?.relname ?? ''}" does not exist (SQLSTATE 42703)`,
        edit: { start: span.end, end: span.end, text: ` ${clause}` },
      });
    });
  }
  return { spots: out };
}

export default defineRule({
  id: 'prefer-robust-statements',
  severity: 'warning',
  category: 'design',
  presets: ['strict'],
  description: 'Statements outside a transaction without IF [NOT] EXISTS: a migration that fails half-way cannot be re-run',
  docs: {
    why:
      'A migration that runs outside a transaction — because it uses CONCURRENTLY, because the runner is told not to wrap it (goose NO TRANSACTION, dbmate transaction:false, …) or because it is a plain psql script — commits each statement as it goes. When it fails half-way, the statements before the failure stay applied and the re-run fails on the first of them: relation already exists, column already exists, table does not exist. A CREATE INDEX CONCURRENTLY that fails or is cancelled is worse: it leaves an INVALID index under its name, which is never used by queries but is maintained on every write, and which IF NOT EXISTS would silently keep. Write such migrations so they can be re-run: IF NOT EXISTS on CREATE TABLE / INDEX / SEQUENCE / SCHEMA and ADD COLUMN, IF EXISTS on DROP TABLE / INDEX / COLUMN / TYPE / DOMAIN / CONSTRAINT, DROP INDEX CONCURRENTLY IF EXISTS before each CREATE INDEX CONCURRENTLY, and — since ADD CONSTRAINT has no IF NOT EXISTS — a pg_constraint check around ADD CONSTRAINT … USING INDEX (a re-run fails: the first run attached the index and renamed it to the constraint).',
    bad: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);',
    good:
      '-- +goose NO TRANSACTION\n-- +goose Up\nDROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);',
  },
  check(ctx) {
    if (ctx.tx.inTransaction || ctx.stmt.origin !== 'top') return;
    const found = spots(ctx);
    if (!found.spots.length) return;
    const fixed = rewriteStatement(ctx, found.spots.map((s) => s.edit));
    const concurrent = found.dropFirst !== undefined || (as(ctx.stmt.node, 'DropStmt')?.concurrent ?? false);
    const strong = locksExisting(ctx);
    const steps: SafeStep[] = [];
    if (found.dropFirst) {
      steps.push({ title: 'Drop an INVALID index left by an earlier failed build (no-op otherwise)', sql: found.dropFirst, transaction: 'outside' });
    }
    steps.push({
      title: 'The same statement, safe to run again',
      sql: strong ? withLockTimeout(fixed) : fixed,
      transaction: concurrent ? 'outside' : strong ? 'own' : 'any',
    });
    const runs = ctx.runner ? `${ctx.runner.name} runs this statement outside a transaction` : 'this statement runs outside a transaction';
    for (const spot of found.spots) {
      ctx.report({
        span: spot.span,
        message: `${spot.what} has no ${spot.clause === 'existence check' ? 'existence check (PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS)' : spot.clause}, and ${runs}: if the migration fails after this statement, the statement stays applied and the re-run ${spot.error.startsWith('nothing') ? `reports ${spot.error}` : `fails here with: ${spot.error}`}.`,
        help: `${spot.clause === 'existence check' ? 'Run it only when pg_constraint does not have the constraint yet (a DO block, as below)' : `Add ${spot.clause}`} so the migration can be re-run after a partial failure.${found.note ? ` ${found.note}` : ''}`,
        lock: null,
        safeAlternative: { summary: `Make the statement re-runnable with ${spot.clause === 'existence check' ? 'a pg_constraint check' : spot.clause}${found.dropFirst ? ', after dropping a leftover INVALID index' : ''}.`, steps },
      });
    }
  },
});
