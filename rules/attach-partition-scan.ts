import type { Node, PartitionBoundSpec } from 'libpg-query';
import { alterSubcommands, as, defineRule, displayRel, OPERATIONS, quoteIdent, relKey, type RuleContext, type SafeAlternative, strings, type TableInfo, tokenEnd, walk } from '../src/kit/index.ts';
import { helperName, lockPhrase, withLockTimeout } from '../src/advice/index.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

/** Partition key of a partitioned table, when the replay records it (column names or expression text). */
function partitionKey(table: TableInfo | undefined): string[] | undefined {
  const key = (table as { partitionKey?: unknown } | undefined)?.partitionKey;
  if (!Array.isArray(key) || key.length === 0 || !key.every((k) => typeof k === 'string')) return undefined;
  // The replay names an expression key 'expr' (its source is not kept): then the key is not usable.
  if (key.some((k) => k === 'expr' && !table?.columns.has('expr'))) return undefined;
  return key as string[];
}

const SIMPLE_COLUMN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function keySql(k: string): string {
  return SIMPLE_COLUMN.test(k) ? quoteIdent(k) : `(${k})`;
}

type Datum = { kind: 'value'; sql: string } | { kind: 'minvalue' } | { kind: 'maxvalue' } | { kind: 'null' };

/** Source text of a bound value: from its first token to the next top-level comma or closing parenthesis. */
function datum(ctx: RuleContext, node: Node): Datum {
  const ref = strings(as(node, 'ColumnRef')?.fields);
  if (ref.length === 1 && ref[0] === 'minvalue') return { kind: 'minvalue' };
  if (ref.length === 1 && ref[0] === 'maxvalue') return { kind: 'maxvalue' };
  if (as(node, 'A_Const')?.isnull) return { kind: 'null' };
  let loc = Infinity;
  walk(node, (key, n) => {
    const l = (n as { location?: number }).location;
    if (typeof l === 'number' && l >= 0 && l < loc) loc = l;
  });
  const text = ctx.stmt.text;
  const start = ctx.stmt.toIndex(loc) - ctx.stmt.span.start;
  let i = start;
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
    i = tokenEnd(text, i, text.length);
  }
  return { kind: 'value', sql: text.slice(start, i).trim() };
}

type Cond = string | true | false;

function and(parts: Cond[]): Cond {
  if (parts.some((p) => p === false)) return false;
  const rest = parts.filter((p): p is string => p !== true);
  return rest.length === 0 ? true : rest.join(' AND ');
}

/** Lexicographic key >= lower (or key < upper) from position i, as PostgreSQL's partition constraint spells it. */
function bound(keys: string[], vals: Datum[], i: number, dir: 'lower' | 'upper'): Cond {
  const v = vals[i];
  if (!v) return true;
  if (v.kind === 'minvalue') return dir === 'lower';
  if (v.kind === 'maxvalue') return dir === 'upper';
  if (v.kind === 'null') return false;
  const k = keySql(keys[i]);
  const next = i + 1 < keys.length ? bound(keys, vals, i + 1, dir) : dir === 'lower';
  if (next === true) return `${k} ${dir === 'lower' ? '>=' : '<='} ${v.sql}`;
  if (next === false) return `${k} ${dir === 'lower' ? '>' : '<'} ${v.sql}`;
  return `(${k} ${dir === 'lower' ? '>' : '<'} ${v.sql} OR (${k} = ${v.sql} AND ${next}))`;
}

/** A CHECK expression equivalent to the FOR VALUES clause, that ATTACH PARTITION can use instead of scanning. */
function boundCheck(ctx: RuleContext, keys: string[], spec: PartitionBoundSpec, parent: string): string | undefined {
  const notNull = keys.map((k) => `${keySql(k)} IS NOT NULL`);
  if (spec.strategy === 'l') {
    const vals = (spec.listdatums ?? []).map((n) => datum(ctx, n));
    const listed = vals.filter((v): v is { kind: 'value'; sql: string } => v.kind === 'value').map((v) => v.sql);
    const k = keySql(keys[0]);
    const hasNull = vals.some((v) => v.kind === 'null');
    if (listed.length === 0) return hasNull ? `${k} IS NULL` : undefined;
    const inList = `${k} IN (${listed.join(', ')})`;
    return hasNull ? `(${inList} OR ${k} IS NULL)` : `${inList} AND ${notNull[0]}`;
  }
  if (spec.strategy === 'r') {
    const lower = (spec.lowerdatums ?? []).map((n) => datum(ctx, n));
    const upper = (spec.upperdatums ?? []).map((n) => datum(ctx, n));
    const parts: Cond[] = [...notNull];
    let i = 0;
    // Equal leading values: key = value (how PostgreSQL spells its own constraint).
    for (; i < keys.length; i++) {
      const lo = lower[i];
      const up = upper[i];
      if (lo?.kind === 'value' && up?.kind === 'value' && lo.sql === up.sql && i < keys.length - 1) parts.push(`${keySql(keys[i])} = ${lo.sql}`);
      else break;
    }
    parts.push(bound(keys, lower, i, 'lower'), bound(keys, upper, i, 'upper'));
    const c = and(parts);
    return typeof c === 'string' ? c : undefined;
  }
  if (spec.strategy === 'h' && spec.modulus !== undefined) {
    return `satisfies_hash_partition('${displayRel(parent).replace(/'/g, "''")}'::regclass, ${spec.modulus}, ${spec.remainder ?? 0}, ${keys.map(keySql).join(', ')})`;
  }
  return undefined;
}

type Proof = 'proven' | 'none' | 'unknown';

/** Does a validated CHECK on the child imply the bound, as far as the replayed schema tells? */
function proof(child: TableInfo | undefined, keys: string[] | undefined, spec: PartitionBoundSpec): Proof {
  const checks = [...(child?.constraints.values() ?? [])].filter((c) => c.kind === 'check' && c.validated);
  if (checks.length === 0) return 'none';
  if (!keys || !keys.every((k) => SIMPLE_COLUMN.test(k))) return 'unknown';
  const covering = checks.some((c) => keys.every((k) => c.columns.includes(k)));
  if (!covering) return 'none';
  const listHasNull = spec.strategy === 'l' && (spec.listdatums ?? []).some((n) => as(n, 'A_Const')?.isnull);
  // A hash bound is satisfies_hash_partition(…): the schema keeps no CHECK expression to compare, so it cannot be proven here.
  if (spec.strategy === 'h') return 'unknown';
  if (listHasNull) return 'proven';
  const notNull = (k: string): boolean => child?.columns.get(k)?.notNull === true || checks.some((c) => c.provesNotNull.includes(k));
  return keys.every(notNull) ? 'proven' : 'none';
}

function recipe(ctx: RuleContext, parent: string, child: string, keys: string[] | undefined, spec: PartitionBoundSpec): SafeAlternative {
  const check = keys ? boundCheck(ctx, keys, spec, parent) : undefined;
  const attach = withLockTimeout(`${ctx.stmt.text.trim()};`);
  if (!check) {
    return {
      summary: `Add a CHECK constraint on ${displayRel(child)} that matches the partition bound, NOT VALID (no scan), VALIDATE it (scans under ${OPERATIONS['validate-constraint'].locks.table ?? 'a weak lock'}, reads and writes continue), ATTACH (the validated CHECK lets it skip the scan), then drop the helper. zerodown does not know the partition key of ${displayRel(parent)}: the first step prints it.`,
      steps: [
        { title: `Look up the partition key of ${displayRel(parent)}`, sql: `SELECT pg_get_partkeydef('${displayRel(parent).replace(/'/g, "''")}'::regclass);`, transaction: 'any' },
      ],
    };
  }
  const name = quoteIdent(helperName(child, 'partition', 'bound'));
  const rel = displayRel(child);
  return {
    summary: `Prove the bound with a CHECK constraint validated under a weak lock, so ATTACH PARTITION skips its scan, then drop the helper constraint.`,
    steps: [
      {
        title: `Add a CHECK matching the partition bound without checking existing rows (brief ${OPERATIONS['add-check'].locks.table ?? 'exclusive'} lock on the table, no scan)`,
        sql: withLockTimeout(`ALTER TABLE ${rel} ADD CONSTRAINT ${name} CHECK (${check}) NOT VALID;`),
        transaction: 'own',
      },
      {
        title: `Validate it: scans under ${OPERATIONS['validate-constraint'].locks.table ?? 'a weak lock'}, reads and writes continue`,
        sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${name};`,
        transaction: 'own',
      },
      {
        title: 'Attach: the validated CHECK implies the bound, so no scan',
        sql: attach,
        transaction: 'own',
      },
      {
        title: 'Drop the helper constraint (the partition bound now enforces it)',
        sql: withLockTimeout(`ALTER TABLE ${rel} DROP CONSTRAINT ${name};`),
        transaction: 'own',
      },
    ],
  };
}

export default defineRule({
  id: 'attach-partition-scan',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ATTACH PARTITION scans the whole partition under ACCESS EXCLUSIVE unless a validated CHECK implies the bound',
  docs: {
    why:
      'ALTER TABLE … ATTACH PARTITION … FOR VALUES must prove that every row of the table being attached fits the bound. Unless a validated CHECK constraint on it already implies the bound (including IS NOT NULL on the key columns, or NOT NULL columns), Postgres scans the whole table while holding ACCESS EXCLUSIVE on it, and a lock on the parent (SHARE UPDATE EXCLUSIVE since PostgreSQL 12, ACCESS EXCLUSIVE before). Add a CHECK that spells the bound as NOT VALID (instant), VALIDATE it under SHARE UPDATE EXCLUSIVE (reads and writes continue), and the ATTACH then skips the scan; drop the helper constraint afterwards.',
    bad: "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    good:
      "-- events is partitioned by created_at (here created by this migration to partition an existing table;\n-- zerodown reads the key from earlier migrations too)\nCREATE TABLE events (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\nSET lock_timeout = '2s';\nALTER TABLE events_2024 ADD CONSTRAINT events_2024_bound CHECK (created_at IS NOT NULL AND created_at >= '2024-01-01' AND created_at < '2025-01-01') NOT VALID;\nALTER TABLE events_2024 VALIDATE CONSTRAINT events_2024_bound;\n-- the validated CHECK implies the bound: no scan under the ACCESS EXCLUSIVE lock\nALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\nALTER TABLE events_2024 DROP CONSTRAINT events_2024_bound;",
    versions: 'All versions with declarative partitioning (10+). Before PostgreSQL 12 the parent is locked ACCESS EXCLUSIVE as well.',
  },
  check(ctx) {
    for (const { op, cmd: sub, cmdIndex, table: parent } of alterSubcommands(ctx, 'attach-partition')) {
      if (op.relation === parent) continue;
      // A table created in this file is empty: the scan costs nothing.
      if (!op.existing || !op.scan) continue;
      const cmd = as(sub.def, 'PartitionCmd');
      const spec = cmd?.bound;
      if (!cmd || !spec || spec.is_default) continue;
      const child = relKey(cmd.name);
      const keys = partitionKey(ctx.schema.tables.get(parent));
      const verdict = proof(ctx.schema.tables.get(child), keys, spec);
      if (verdict === 'proven') continue;
      const lock = lockPhrase(op.mode, [child]);
      ctx.report({
        span: ctx.subcommandSpan(cmdIndex),
        message:
          verdict === 'none'
            ? `ATTACH PARTITION scans all of ${displayRel(child)} to check the partition bound while holding ${article(op.mode)} ${lock}: no validated CHECK constraint on it implies the bound. The scan grows with the table's size.`
            : `ATTACH PARTITION may scan all of ${displayRel(child)} while holding ${article(op.mode)} ${lock}: zerodown cannot prove that its validated CHECK constraints imply the bound (the partition key of ${displayRel(parent)} is unknown).`,
        help: 'Add a CHECK constraint that matches the bound as NOT VALID, VALIDATE it in a separate transaction (weak lock), then ATTACH: Postgres skips the scan when a validated CHECK implies the bound. Drop the helper constraint afterwards.',
        severity: verdict === 'unknown' ? 'warning' : undefined,
        safeAlternative: recipe(ctx, parent, child, keys, spec),
      });
    }
  },
});
