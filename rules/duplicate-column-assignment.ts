import type { Node } from 'libpg-query';
import { as, defineRule, displayRel, quoteIdent, relKey, type RuleContext } from '../src/kit/index.ts';

/** Each column named twice in a list of target names, with the location of its second occurrence. */
function duplicates(targets: { name: string; location?: number }[]): { name: string; location?: number }[] {
  const seen = new Set<string>();
  const out: { name: string; location?: number }[] = [];
  for (const t of targets) {
    if (seen.has(t.name) && !out.some((o) => o.name === t.name)) out.push(t);
    seen.add(t.name);
  }
  return out;
}

function resTargets(list: Node[] | undefined): { name: string; location?: number }[] {
  return (list ?? []).flatMap((n) => {
    const r = as(n, 'ResTarget');
    return r?.name ? [{ name: r.name, location: r.location }] : [];
  });
}

function report(ctx: RuleContext, what: string, name: string, location: number | undefined, error: string): void {
  ctx.report({
    span: ctx.spanAt(location),
    message: `${what} names column ${quoteIdent(name)} twice: PostgreSQL rejects the statement (${error}), so the migration fails here — after the statements before it may already have taken their locks.`,
    help: 'Name each column once: merge the two assignments (or the two subcommands) into one.',
    lock: null,
  });
}

/** ALTER TABLE subcommands that PostgreSQL refuses to apply twice to one column in one statement. */
const ONCE = new Set(['AT_AddColumn', 'AT_DropColumn', 'AT_AlterColumnType']);

export default defineRule({
  id: 'duplicate-column-assignment',
  severity: 'error',
  category: 'hygiene',
  presets: ['recommended', 'strict'],
  description: 'UPDATE … SET a = 1, a = 2, INSERT (a, a) or one ALTER TABLE changing a column twice: PostgreSQL rejects it',
  docs: {
    why:
      'PostgreSQL rejects an UPDATE that assigns a column twice ("multiple assignments to same column"), an INSERT that lists a column twice ("column specified more than once"), and an ALTER TABLE that adds, drops or retypes the same column twice. The parser accepts all of them, so they pass a syntax check and fail only on deploy — in a multi-statement migration after earlier statements ran and took their locks. Usually one of the two assignments is a copy-paste slip and the other is the intended value. Default preset decision: recommended, as an error: the statement can never succeed.',
    bad: "UPDATE orders SET status = 'paid', status = 'shipped' WHERE id = 1;",
    good: "UPDATE orders SET status = 'shipped' WHERE id = 1;",
  },
  check(ctx) {
    const node = ctx.stmt.node;
    const u = as(node, 'UpdateStmt');
    if (u) {
      for (const d of duplicates(resTargets(u.targetList))) report(ctx, 'UPDATE … SET', d.name, d.location, `multiple assignments to same column "${d.name}"`);
      return;
    }
    const i = as(node, 'InsertStmt');
    if (i) {
      for (const d of duplicates(resTargets(i.cols))) report(ctx, 'INSERT', d.name, d.location, `column "${d.name}" specified more than once`);
      return;
    }
    const a = as(node, 'AlterTableStmt');
    if (!a) return;
    const seen = new Map<string, number>();
    (a.cmds ?? []).forEach((c, index) => {
      const cmd = as(c, 'AlterTableCmd');
      if (!cmd?.subtype || !ONCE.has(cmd.subtype)) return;
      const name = cmd.subtype === 'AT_AddColumn' ? (as(cmd.def, 'ColumnDef')?.colname ?? '') : (cmd.name ?? '');
      const key = `${cmd.subtype}:${name}`;
      if (!name || cmd.missing_ok) return;
      if (seen.has(key)) {
        ctx.report({
          span: ctx.subcommandSpan(index),
          message: `ALTER TABLE ${displayRel(relKey(a.relation))} ${cmd.subtype === 'AT_AddColumn' ? 'adds' : cmd.subtype === 'AT_DropColumn' ? 'drops' : 'changes the type of'} column ${quoteIdent(name)} twice: PostgreSQL rejects the statement, so the migration fails here — after the statements before it may already have taken their locks.`,
          help: 'Name each column once per ALTER TABLE: keep the intended subcommand and delete the other.',
          lock: null,
        });
      }
      seen.set(key, index);
    });
  },
});
