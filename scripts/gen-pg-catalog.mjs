#!/usr/bin/env node
// Generates src/pg/catalog.generated.ts from the system catalogs of a real
// PostgreSQL server (PGlite, in-process), so that Postgres facts used by the
// linter come from Postgres itself rather than from hand-kept lists.
//
// Usage:
//   node scripts/gen-pg-catalog.mjs           write src/pg/catalog.generated.ts
//   node scripts/gen-pg-catalog.mjs --check   regenerate in memory; exit 1 if the
//                                              committed file differs (for CI)
//
// Output is deterministic: every list is sorted by code point, so the same
// PGlite build always produces a byte-identical file.

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(ROOT, 'src/pg/catalog.generated.ts');
const CHECK = process.argv.includes('--check');

/** Code-point order (not locale order) so output never depends on the host. */
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const VOL_RANK = { i: 0, s: 1, v: 2 };

function fail(msg) {
  throw new Error(`gen-pg-catalog: ${msg}`);
}

// ---------------------------------------------------------------------------
// SQLValueFunction ops, in the order of the SQLValueFunctionOp enum in
// PostgreSQL's src/include/nodes/primnodes.h (libpg-query exposes the same
// enum as the string names below). Each entry gives the SQL keyword form and
// the pg_proc C symbol (pg_proc.prosrc) of the function that computes the
// value. The mapping comes from ExecEvalSQLValueFunction() in
// src/backend/executor/execExprInterp.c:
//   CURRENT_DATE/CURRENT_TIME/CURRENT_TIMESTAMP/LOCALTIME/LOCALTIMESTAMP (and
//   the (n) variants) call GetSQLCurrentDate/Time/Timestamp, GetSQLLocalTime/
//   Timestamp, which all read GetCurrentTransactionStartTimestamp() -- the
//   same clock as now() (pg_proc prosrc 'now', also transaction_timestamp()).
//   CURRENT_ROLE/CURRENT_USER/USER call current_user(), SESSION_USER calls
//   session_user(), CURRENT_CATALOG calls current_database(), CURRENT_SCHEMA
//   calls current_schema().
// The generator verifies against the live server that
//   (a) parse analysis really keeps each form as SQLValueFunction with the
//       enum ordinal listed here (decoded from a view's pg_rewrite.ev_action),
//   (b) the planner classifies the form with the same volatility as the
//       pg_proc entry: a non-immutable expression is rejected in an index
//       expression, and a volatile one cannot be used as an index-scan key.
// ---------------------------------------------------------------------------
const SVF_OPS = [
  ['SVFOP_CURRENT_DATE', 'CURRENT_DATE', 'now'],
  ['SVFOP_CURRENT_TIME', 'CURRENT_TIME', 'now'],
  ['SVFOP_CURRENT_TIME_N', 'CURRENT_TIME(3)', 'now'],
  ['SVFOP_CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP', 'now'],
  ['SVFOP_CURRENT_TIMESTAMP_N', 'CURRENT_TIMESTAMP(3)', 'now'],
  ['SVFOP_LOCALTIME', 'LOCALTIME', 'now'],
  ['SVFOP_LOCALTIME_N', 'LOCALTIME(3)', 'now'],
  ['SVFOP_LOCALTIMESTAMP', 'LOCALTIMESTAMP', 'now'],
  ['SVFOP_LOCALTIMESTAMP_N', 'LOCALTIMESTAMP(3)', 'now'],
  ['SVFOP_CURRENT_ROLE', 'CURRENT_ROLE', 'current_user'],
  ['SVFOP_CURRENT_USER', 'CURRENT_USER', 'current_user'],
  ['SVFOP_USER', 'USER', 'current_user'],
  ['SVFOP_SESSION_USER', 'SESSION_USER', 'session_user'],
  ['SVFOP_CURRENT_CATALOG', 'CURRENT_CATALOG', 'current_database'],
  ['SVFOP_CURRENT_SCHEMA', 'CURRENT_SCHEMA', 'current_schema'],
];

// SQL spellings of built-in types. The *spellings* have to be listed by hand
// (they are grammar keywords in gram.y, not catalog rows), but what each one
// resolves to is asked from Postgres via to_regtype(), which runs the real
// type-name grammar.
const TYPE_SPELLINGS = [
  'bigint', 'int8',
  'integer', 'int', 'int4',
  'smallint', 'int2',
  'real', 'float4', 'double precision', 'float', 'float8',
  'decimal', 'dec', 'numeric',
  'boolean', 'bool',
  'character varying', 'char varying', 'varchar',
  'national character varying', 'national char varying', 'nchar varying',
  'character', 'char', 'national character', 'national char', 'nchar', 'bpchar',
  'text',
  'bit', 'bit varying', 'varbit',
  'timestamp', 'timestamp without time zone',
  'timestamptz', 'timestamp with time zone',
  'time', 'time without time zone',
  'timetz', 'time with time zone',
  'date', 'interval',
  'bytea', 'json', 'jsonb', 'uuid', 'xml', 'money',
  'inet', 'cidr', 'macaddr', 'macaddr8',
];

// serial/bigserial/smallserial (+ serial2/4/8) are not types at all: they are
// expanded by transformColumnDefinition() in parse_utilcmd.c, so to_regtype()
// cannot resolve them. We still ask Postgres: a scratch table is created with
// a column of each, and the resulting column type is read from pg_attribute.
const SERIAL_SPELLINGS = ['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2'];

async function collect(db) {
  const q = async (sql, params) => (await db.query(sql, params)).rows;

  const [{ version, server_version, server_version_num }] = await q(
    `select version() as version,
            current_setting('server_version') as server_version,
            current_setting('server_version_num')::int as server_version_num`,
  );

  // 1. Function volatility (most volatile across overloads).
  const procRows = await q(
    `select lower(proname) as name, provolatile as vol
       from pg_catalog.pg_proc
      where pronamespace = 'pg_catalog'::regnamespace
        and prokind in ('f', 'w', 'a')`,
  );
  const funcVol = new Map();
  for (const { name, vol } of procRows) {
    if (!(vol in VOL_RANK)) fail(`unexpected provolatile ${vol} for ${name}`);
    const prev = funcVol.get(name);
    if (prev === undefined || VOL_RANK[vol] > VOL_RANK[prev]) funcVol.set(name, vol);
  }

  // 1b. SQLValueFunction volatility, via the pg_proc entry behind each op.
  const svfVol = new Map();
  {
    // (a) each keyword form is a SQLValueFunction with the expected ordinal.
    const cols = SVF_OPS.map(([, sql], i) => `${sql} as c${i}`).join(', ');
    await db.exec(`create temporary view zerodown_svf_probe as select ${cols}`);
    const [{ ev_action }] = await q(
      `select ev_action from pg_rewrite where ev_class = 'zerodown_svf_probe'::regclass`,
    );
    const ops = [...ev_action.matchAll(/\{TARGETENTRY :expr \{(\w+)(?: :op (\d+))?/g)].map((m) =>
      m[1] === 'SQLVALUEFUNCTION' ? Number(m[2]) : m[1],
    );
    if (ops.length !== SVF_OPS.length) fail(`svf probe: expected ${SVF_OPS.length} targets, got ${ops.length}`);
    ops.forEach((op, i) => {
      if (op !== i) fail(`${SVF_OPS[i][1]} parsed as ${op}, expected SQLValueFunction op ${i} (${SVF_OPS[i][0]})`);
    });

    // (b) planner-observed volatility class of an arbitrary expression.
    await db.exec(`create temporary table zerodown_vol_probe (i int4);
                   create index on zerodown_vol_probe (i);
                   set enable_seqscan = off; set enable_bitmapscan = off;`);
    const observedVolatility = async (expr) => {
      const wrapped = `case when (${expr}) is null then 1 else 2 end`;
      let immutable = true;
      await db.exec('savepoint p');
      try {
        await db.exec(`create index on zerodown_vol_probe ((${wrapped}))`);
      } catch (e) {
        if (!/must be marked IMMUTABLE/.test(e.message)) throw e;
        immutable = false;
      }
      await db.exec('rollback to savepoint p');
      if (immutable) return 'i';
      const plan = (await q(`explain select * from zerodown_vol_probe where i = ${wrapped}`))
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      if (/Index Cond:/.test(plan)) return 's';
      if (/Filter:/.test(plan)) return 'v';
      fail(`cannot classify ${expr}: ${plan}`);
    };
    await db.exec('begin');
    // Calibrate the probe on known functions first.
    for (const [expr, want] of [['abs(1)', 'i'], ['now()', 's'], ['random()', 'v']]) {
      const got = await observedVolatility(expr);
      if (got !== want) fail(`volatility probe miscalibrated: ${expr} -> ${got}, expected ${want}`);
    }
    for (const [op, sql, prosrc] of SVF_OPS) {
      const rows = await q(
        `select proname, provolatile from pg_proc
          where pronamespace = 'pg_catalog'::regnamespace and prosrc = $1 and pronargs = 0
            and proname = $1`,
        [prosrc],
      );
      if (rows.length !== 1) fail(`no unique pg_proc entry ${prosrc}() for ${op}`);
      const vol = rows[0].provolatile;
      const observed = await observedVolatility(sql);
      if (observed !== vol) fail(`${sql}: pg_proc ${prosrc}() is '${vol}' but planner treats it as '${observed}'`);
      svfVol.set(op, { vol, sql, proname: rows[0].proname });
    }
    await db.exec('rollback');
  }

  // 2. Binary-coercible casts (castmethod 'b'), by typname.
  const castRows = await q(
    `select s.typname as source, t.typname as target
       from pg_cast c
       join pg_type s on s.oid = c.castsource
       join pg_type t on t.oid = c.casttarget
      where c.castmethod = 'b'
        and s.typnamespace = 'pg_catalog'::regnamespace
        and t.typnamespace = 'pg_catalog'::regnamespace`,
  );
  const casts = castRows
    .map((r) => [r.source, r.target])
    .sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));

  // Type categories: base (incl. array), range and multirange types.
  const typeRows = await q(
    `select typname, typcategory from pg_type
      where typnamespace = 'pg_catalog'::regnamespace and typtype in ('b', 'r', 'm')`,
  );
  const typeCategory = new Map(typeRows.map((r) => [r.typname, r.typcategory]));

  // Type aliases.
  const aliases = new Map();
  for (const spelling of TYPE_SPELLINGS) {
    const rows = await q(`select t.typname from pg_type t where t.oid = to_regtype($1)`, [spelling]);
    if (rows.length !== 1) fail(`to_regtype(${JSON.stringify(spelling)}) did not resolve`);
    aliases.set(spelling, rows[0].typname);
  }
  {
    const cols = SERIAL_SPELLINGS.map((s, i) => `c${i} ${s}`).join(', ');
    await db.exec(`begin; create temporary table zerodown_serial_probe (${cols})`);
    const rows = await q(
      `select a.attnum, t.typname from pg_attribute a join pg_type t on t.oid = a.atttypid
        where a.attrelid = 'zerodown_serial_probe'::regclass and a.attnum > 0 order by a.attnum`,
    );
    await db.exec('rollback');
    if (rows.length !== SERIAL_SPELLINGS.length) fail('serial probe failed');
    rows.forEach((r, i) => aliases.set(SERIAL_SPELLINGS[i], r.typname));
  }

  return { version, server_version, server_version_num, funcVol, svfVol, casts, typeCategory, aliases };
}

function render(d) {
  const L = [];
  const s = JSON.stringify;
  const entries = (map) => [...map].sort((a, b) => cmp(a[0], b[0]));
  const nullProtoRecord = (name, type, map, comment) => {
    L.push('', ...comment.map((c) => `// ${c}`));
    L.push(`export const ${name}: ${type} = Object.freeze(Object.assign(Object.create(null) as ${type}, {`);
    for (const [k, v] of entries(map)) L.push(`  ${s(k)}: ${s(v)},`);
    L.push('}));');
  };

  L.push(`// generated by scripts/gen-pg-catalog.mjs from ${d.version} — do not edit`);
  L.push('// Regenerate: node scripts/gen-pg-catalog.mjs   (CI: node scripts/gen-pg-catalog.mjs --check)');
  L.push('// Record maps are null-prototype, frozen objects: lookups such as');
  L.push("// FUNCTION_VOLATILITY['constructor'] return undefined rather than Object members.");
  L.push('/* eslint-disable */');
  L.push('');
  L.push(`export const PG_VERSION: string = ${s(d.server_version)};`);
  L.push(`export const PG_VERSION_NUM: number = ${d.server_version_num};`);
  L.push(`export const PG_VERSION_FULL: string = ${s(d.version)};`);
  L.push('');
  L.push("/** pg_proc.provolatile: i = immutable, s = stable, v = volatile. */");
  L.push("export type Volatility = 'i' | 's' | 'v';");

  nullProtoRecord('FUNCTION_VOLATILITY', "Record<string, 'i' | 's' | 'v'>", d.funcVol, [
    "Every pg_catalog function (pg_proc.prokind in 'f','w','a'), keyed by lower-case proname.",
    'When overloads differ, the most volatile one wins (v > s > i).',
  ]);

  const svf = new Map([...d.svfVol].map(([op, { vol }]) => [op, vol]));
  L.push('');
  L.push('// Volatility of the SQL-standard keyword forms that the parser turns into a');
  L.push('// SQLValueFunction node (no pg_proc entry of their own), keyed by libpg-query');
  L.push('// SVFOp name. Each is the provolatile of the pg_proc function that');
  L.push('// ExecEvalSQLValueFunction() (src/backend/executor/execExprInterp.c) delegates to:');
  for (const [op, { sql, proname }] of d.svfVol) L.push(`//   ${op.padEnd(26)} ${sql.padEnd(21)} -> ${proname}()`);
  L.push('// (CURRENT_DATE/TIME/TIMESTAMP/LOCALTIME/LOCALTIMESTAMP read the transaction start');
  L.push('// timestamp, exactly like now().) The generator checks, on the live server, that each');
  L.push('// form analyses to that SQLValueFunction op and that the planner treats it with the');
  L.push('// same volatility (index-expression immutability check + index-scan-key usability).');
  L.push(`export const SQL_VALUE_FUNCTION_VOLATILITY: Record<string, 'i' | 's' | 'v'> = Object.freeze(Object.assign(Object.create(null) as Record<string, 'i' | 's' | 'v'>, {`);
  for (const [op, vol] of svf) L.push(`  ${s(op)}: ${s(vol)},`);
  L.push('}));');

  L.push('');
  L.push("// pg_cast rows with castmethod = 'b' (binary coercible, WITHOUT FUNCTION): converting");
  L.push('// between these types reuses the stored bytes, so ALTER COLUMN TYPE needs no table');
  L.push('// rewrite (typmod changes, e.g. shrinking varchar(n), are a separate question).');
  L.push('// [source typname, target typname]; directional.');
  L.push('export const BINARY_COERCIBLE_CASTS: ReadonlyArray<readonly [string, string]> = [');
  for (const [a, b] of d.casts) L.push(`  [${s(a)}, ${s(b)}],`);
  L.push('];');

  nullProtoRecord('TYPE_CATEGORY', 'Record<string, string>', d.typeCategory, [
    'pg_type.typcategory by typname for pg_catalog base types (incl. arrays, "_int4" etc.),',
    'range and multirange types. Codes: see the pg_type docs (N numeric, S string, D date/time,',
    'B boolean, A array, U user-defined, I network address, R range, V bit string, ...).',
  ]);

  nullProtoRecord('TYPE_ALIASES', 'Record<string, string>', d.aliases, [
    'SQL type spellings -> internal typname. The spellings are hand-listed (they are grammar',
    'keywords, not catalog rows); each target was resolved by Postgres via to_regtype().',
    'serial* are not types (parse_utilcmd.c expands them to an integer column + sequence),',
    'so their targets were read back from a scratch table declared with those columns.',
  ]);

  return L.join('\n') + '\n';
}

function spotChecks(d) {
  const hasCast = (a, b) => d.casts.some(([x, y]) => x === a && y === b);
  const checks = [
    ['FUNCTION_VOLATILITY.now', d.funcVol.get('now'), 's'],
    ['FUNCTION_VOLATILITY.random', d.funcVol.get('random'), 'v'],
    ['FUNCTION_VOLATILITY.nextval', d.funcVol.get('nextval'), 'v'],
    ['FUNCTION_VOLATILITY.gen_random_uuid', d.funcVol.get('gen_random_uuid'), 'v'],
    ['FUNCTION_VOLATILITY.clock_timestamp', d.funcVol.get('clock_timestamp'), 'v'],
    ['FUNCTION_VOLATILITY.lower', d.funcVol.get('lower'), 'i'],
    ['SQL_VALUE_FUNCTION_VOLATILITY.SVFOP_CURRENT_TIMESTAMP', d.svfVol.get('SVFOP_CURRENT_TIMESTAMP')?.vol, 's'],
    ['binary coercible varchar -> text', hasCast('varchar', 'text'), true],
    ['binary coercible text -> varchar', hasCast('text', 'varchar'), true],
    ['binary coercible cidr -> inet', hasCast('cidr', 'inet'), true],
    ['binary coercible int4 -> int8', hasCast('int4', 'int8'), false],
    ['TYPE_ALIASES.integer', d.aliases.get('integer'), 'int4'],
    ['TYPE_ALIASES["character varying"]', d.aliases.get('character varying'), 'varchar'],
    ['TYPE_ALIASES.bigserial', d.aliases.get('bigserial'), 'int8'],
    ['TYPE_CATEGORY.varchar', d.typeCategory.get('varchar'), 'S'],
  ];
  let ok = true;
  for (const [label, got, want] of checks) {
    const pass = got === want;
    ok &&= pass;
    console.error(`  ${pass ? 'ok  ' : 'FAIL'} ${label} = ${JSON.stringify(got)}${pass ? '' : ` (expected ${JSON.stringify(want)})`}`);
  }
  if (!ok) fail('spot checks failed');
}

async function main() {
  const db = await PGlite.create();
  let data;
  try {
    data = await collect(db);
  } finally {
    await db.close();
  }
  console.error(`PostgreSQL ${data.server_version}: ${data.funcVol.size} functions, ${data.casts.length} binary-coercible casts, ${data.typeCategory.size} types, ${data.aliases.size} aliases`);
  spotChecks(data);
  const text = render(data);
  const rel = relative(process.cwd(), OUT) || OUT;
  if (CHECK) {
    const current = await readFile(OUT, 'utf8').catch(() => null);
    if (current !== text) {
      console.error(`${rel} is out of date (or missing): run node scripts/gen-pg-catalog.mjs`);
      process.exit(1);
    }
    console.error(`${rel} is up to date`);
    return;
  }
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, text);
  console.error(`wrote ${rel}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
