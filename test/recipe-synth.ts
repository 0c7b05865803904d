/**
 * Recipe proofs, part 3: SQL creating what a fixture uses but never creates (it "pre-exists"),
 * with 200 rows of distinct non-null values per table.
 */
import type { Node } from 'libpg-query';
import type { Schema } from '../src/analyze/schema.ts';
import type { ObservableDb } from '../src/trace/observe.ts';
import { embedded } from './recipe-cases.ts';
import { lit, q, qkey, split, type RelModel } from './recipe-collect.ts';
import { Collector } from './recipe-uses.ts';

export interface Synthesis {
  /** Statements creating the pre-existing objects, in order. */
  sql: string[];
  /** Human-readable description (for failure messages). */
  summary: string[];
}

/** Value of row `g` (1..200) for a column type; undefined: left NULL. */
function valueExpr(type: string, enumFirst: Map<string, string>): string | undefined {
  const t = type.toLowerCase();
  const base = t.replace(/\(.*\)/, '').replace(/\[\]$/, '').trim();
  if (t.endsWith('[]')) {
    const el = valueExpr(type.slice(0, -2), enumFirst);
    return el ? `ARRAY[${el}]::${type}` : undefined;
  }
  const len = /\((\d+)/.exec(t)?.[1];
  if (enumFirst.has(type)) return `${lit(enumFirst.get(type)!)}::${type}`;
  if (/^(int|int2|int4|int8|integer|bigint|smallint|numeric|decimal|real|float4|float8|double precision|oid)$/.test(base)) return `(g)::${type}`;
  if (/^(text|varchar|character varying|bpchar|char|character|name|citext)$/.test(base)) {
    return len && Number(len) < 6 ? `left(md5(g::text), ${len})::${type}` : `('v' || g)::${type}`;
  }
  if (base === 'uuid') return 'md5(g::text)::uuid';
  if (base === 'bool' || base === 'boolean') return '(g % 2 = 0)';
  if (base === 'date') return `date '2024-01-01' + g`;
  if (/^(timestamp|timestamptz|timestamp with(out)? time zone)$/.test(base)) return `(timestamp '2024-01-01' + g * interval '1 hour')::${type}`;
  if (base === 'json' || base === 'jsonb') return `json_build_object('v', g)::${type}`;
  if (base === 'tstzrange') return `tstzrange(timestamptz '2024-01-01' + g * interval '1 hour', timestamptz '2024-01-01' + (g + 1) * interval '1 hour')`;
  if (base === 'daterange') return `daterange(date '2024-01-01' + g, date '2024-01-01' + g + 1)`;
  if (base === 'int8range' || base === 'int4range') return `${base}(g, g + 1)`;
  if (base === 'bytea') return `decode(lpad(to_hex(g), 8, '0'), 'hex')`;
  if (base === 'interval') return `g * interval '1 minute'`;
  return undefined;
}

/**
 * Builds the pre-existing objects a fixture relies on. `schema` is the linter's replay of the whole
 * fixture (its external tables and column types seed the model); `statements` are every statement
 * of the fixture (both directions); `recipeSql` the recipes' statements (they only contribute
 * columns of relations already known to pre-exist).
 */
export async function synthesize(db: ObservableDb, schema: Schema, statements: { text: string; node: Node }[], recipeSql: { text: string; node: Node }[]): Promise<Synthesis> {
  const col = new Collector();
  const all = statements.flatMap((s) => [s.node, ...embedded(s)]);
  const recipeAll = recipeSql.flatMap((s) => [s.node, ...embedded(s)]);
  for (const n of all) col.creations(n);
  for (const n of recipeAll) col.creations(n, true);
  for (const [key, t] of schema.tables) {
    if (!t.external || col.c.created.has(key)) continue;
    const r = col.rel(key);
    if (!r) continue;
    for (const [name, info] of t.columns) {
      if (col.c.added.get(key)?.has(name)) continue;
      col.col(key, name, info.type ? info.type.display : undefined, info.type ? 1.5 : 0);
    }
  }
  for (const n of all) col.uses(n, false);
  for (const n of recipeAll) col.uses(n, true);
  const c = col.c;

  const sql: string[] = [];
  const summary: string[] = [];
  // Schemas.
  for (const s of c.schemas) if (s !== 'public' && s !== 'pg_catalog' && !c.createdSchemas.has(s)) sql.push(`CREATE SCHEMA IF NOT EXISTS ${q(s)}`);
  // Types: only names Postgres does not know already.
  const enumFirst = new Map<string, string>();
  const missingType = async (key: string): Promise<boolean> => {
    if (c.createdTypes.has(key)) return false;
    const r = await db.query<{ t: string | null }>(`SELECT to_regtype(${lit(qkey(key))})::text AS t`);
    return r.rows[0]?.t == null;
  };
  const domainBase = (key: string): string => c.rels.get(`domain:${key}`)?.cols.get('value')?.type ?? 'text';
  for (const [key, t] of c.types) {
    if (!(await missingType(key))) continue;
    if (t.kind === 'domain') {
      sql.push(`CREATE DOMAIN ${qkey(key)} AS ${domainBase(key)}`);
    } else {
      const values = [...new Set(t.values.length ? t.values : ['zd_value'])];
      sql.push(`CREATE TYPE ${qkey(key)} AS ENUM (${values.map(lit).join(', ')})`);
      enumFirst.set(qkey(key), values[0]);
      enumFirst.set(split(key)[1], values[0]);
    }
  }
  c.rels.forEach((_, k) => k.startsWith('domain:') && c.rels.delete(k));
  const usable = (type: string): string => {
    // A column typed with something the fixture creates later cannot pre-exist with that type.
    const names = type.replace(/\(.*\)/, '').replace(/\[\]$/, '');
    const key = names.includes('.') ? names.replace(/"/g, '') : `public.${names.replace(/"/g, '')}`;
    return c.createdTypes.has(key) ? 'text' : type;
  };
  // Relations: partitioned parents first, then their partitions, then the rest.
  const rels = [...c.rels.values()].sort((a, b) => Number(b.kind === 'partitioned') - Number(a.kind === 'partitioned') || Number(!!a.partitionOf) - Number(!!b.partitionOf));
  for (const r of rels) {
    if (r.partitionOf) {
      const parent = c.rels.get(r.partitionOf);
      if (parent) for (const [n, h] of r.cols) if (!parent.cols.has(n)) parent.cols.set(n, h);
    }
  }
  const partitionsOf = new Map<string, RelModel[]>();
  for (const r of rels) if (r.partitionOf) partitionsOf.set(r.partitionOf, [...(partitionsOf.get(r.partitionOf) ?? []), r]);
  const colDefsOf = (r: RelModel): { n: string; type: string; def: string }[] => {
    const cols = new Map(r.cols);
    // A fixture that adds `id` (e.g. ADD COLUMN id bigserial PRIMARY KEY) needs a table without one.
    const addsId = c.added.get(r.key)?.has('id') === true;
    if (!cols.has('id') && !addsId) cols.set('id', { type: 'bigint', prio: 0 });
    if (addsId && cols.size === 0) cols.set('payload', { type: 'text', prio: 0 });
    if (r.kind === 'partitioned' && r.partition && !cols.has(r.partition.key)) cols.set(r.partition.key, { type: r.partition.keyType, prio: 3 });
    return [...cols].map(([n, h]) => {
      const type = usable(h.type);
      const pk = n === 'id' && r.kind !== 'partitioned' && !r.noPk && !r.partitionOf;
      // Identity starting above the synthesized ids, so that the application's INSERTs (and the recipes') need no id.
      const identity = pk && /^(bigint|int8|int|int4|integer|smallint|int2)$/.test(type) ? ' GENERATED BY DEFAULT AS IDENTITY (START WITH 1000001)' : '';
      return { n, type, def: `${q(n)} ${type}${identity}${pk ? ' PRIMARY KEY' : ''}` };
    });
  };
  const insertInto = (target: string, colDefs: { n: string; type: string }[]): string => {
    const values = colDefs.map((d) => ({ n: d.n, v: valueExpr(d.type, enumFirst) })).filter((x) => x.v !== undefined);
    return `INSERT INTO ${target} (${values.map((x) => q(x.n)).join(', ')}) SELECT ${values.map((x) => x.v).join(', ')} FROM generate_series(1, 200) g`;
  };
  for (const r of rels) {
    const colDefs = colDefsOf(r);
    const cols = new Map(colDefs.map((d) => [d.n, d.type]));
    const values = colDefs.map((d) => ({ n: d.n, v: valueExpr(d.type, enumFirst) })).filter((x) => x.v !== undefined);
    const insert = (target: string): string => insertInto(target, colDefs);
    const name = qkey(r.key);
    if (r.kind === 'matview') {
      sql.push(`CREATE MATERIALIZED VIEW ${name} AS SELECT ${values.map((x) => `${x.v} AS ${q(x.n)}`).join(', ')} FROM generate_series(1, 200) g`);
      // Stands in for the recipes' "once: give the view a unique index" template step.
      sql.push(`CREATE UNIQUE INDEX ON ${name} (id)`);
      summary.push(`matview ${name}(${[...cols.keys()].join(', ')}) with a unique index on id`);
      continue;
    }
    if (r.kind === 'view') {
      const [s, n] = split(r.key);
      const base = qkey(`${s}.${n}__zd_base`);
      sql.push(`CREATE TABLE ${base} (${colDefs.map((d) => d.def).join(', ')})`, insert(base), `CREATE VIEW ${name} AS SELECT * FROM ${base}`);
      summary.push(`view ${name} over ${base}(${[...cols.keys()].join(', ')})`);
      continue;
    }
    if (r.partitionOf) {
      const parent = c.rels.get(r.partitionOf);
      const siblings = partitionsOf.get(r.partitionOf) ?? [];
      if (!parent?.partition || siblings.indexOf(r) > 0) {
        sql.push(`CREATE TABLE ${name} (${colDefs.map((d) => d.def).join(', ')})`);
        summary.push(`table ${name} (could not be made a partition of ${r.partitionOf})`);
        continue;
      }
      const b = parent.partition.strategy === 'range' ? 'FROM (MINVALUE) TO (MAXVALUE)' : parent.partition.strategy === 'hash' ? 'WITH (MODULUS 1, REMAINDER 0)' : 'DEFAULT';
      sql.push(`CREATE TABLE ${name} PARTITION OF ${qkey(parent.key)} ${parent.partition.strategy === 'list' ? b : `FOR VALUES ${b}`}`);
      sql.push(insertInto(qkey(parent.key), colDefsOf(parent)));
      summary.push(`partition ${name} of ${qkey(parent.key)} (${b}), 200 rows`);
      continue;
    }
    const unique = r.unique.map((u) => `, UNIQUE (${u.map(q).join(', ')})`).join('');
    const part = r.kind === 'partitioned' && r.partition ? ` PARTITION BY ${r.partition.strategy.toUpperCase()} (${q(r.partition.key)})` : '';
    // A table the fixture only INSERTs into starts empty: pre-existing rows would collide with the rows it copies in.
    const onlyInserted = r.usage.size === 1 && r.usage.has('insert');
    sql.push(`CREATE TABLE ${name} (${colDefs.map((d) => d.def).join(', ')}${part ? '' : unique})${part}`);
    if (!part && !onlyInserted) sql.push(insert(name));
    summary.push(`${part ? 'partitioned table' : 'table'} ${name}(${colDefs.map((d) => `${d.n} ${d.type}`).join(', ')})${part}${part || onlyInserted ? ', empty' : ', 200 rows'}`);
  }
  // Sequences.
  for (const s of c.sequences) if (!c.created.has(s)) sql.push(`CREATE SEQUENCE IF NOT EXISTS ${qkey(s)}`);
  // Indexes referred to by name: on the table whose name prefixes the index name, else on a host table.
  const tables = [...c.rels.values()].filter((r) => r.kind === 'table' && !r.partitionOf);
  let host = false;
  for (const key of c.indexes) {
    if (c.createdIndexes.has(key)) continue;
    const [s, n] = split(key);
    const owner = tables
      .filter((t) => split(t.key)[0] === s && n.toLowerCase().startsWith(`${split(t.key)[1].toLowerCase()}_`))
      .sort((a, b) => b.key.length - a.key.length)[0];
    if (owner && n === `${split(owner.key)[1]}_pkey` && !owner.noPk) continue;
    if (owner) {
      const rest = n.slice(split(owner.key)[1].length + 1).replace(/_(idx|index|key|pkey|uniq)$/i, '');
      const column = owner.cols.has(rest) ? rest : 'id';
      sql.push(`CREATE INDEX IF NOT EXISTS ${q(n)} ON ${qkey(owner.key)} (${q(column)})`);
      summary.push(`index ${q(n)} on ${qkey(owner.key)}(${column})`);
    } else {
      if (!host) {
        sql.push(`CREATE TABLE zd_index_host (id bigint PRIMARY KEY)`, `INSERT INTO zd_index_host SELECT g FROM generate_series(1, 200) g`);
        host = true;
      }
      if (s !== 'public') sql.push(`CREATE TABLE IF NOT EXISTS ${q(s)}.zd_index_host (id bigint PRIMARY KEY)`);
      sql.push(`CREATE INDEX IF NOT EXISTS ${q(n)} ON ${s === 'public' ? 'zd_index_host' : `${q(s)}.zd_index_host`} (id)`);
      summary.push(`index ${q(n)} on a host table`);
    }
  }
  // Constraints validated/renamed by name but never added: a NOT VALID CHECK that holds.
  for (const [t, names] of c.constraints) {
    for (const n of names) {
      sql.push(`ALTER TABLE ${qkey(t)} ADD CONSTRAINT ${q(n)} CHECK (id IS NOT NULL) NOT VALID`);
      summary.push(`NOT VALID check ${q(n)} on ${qkey(t)}`);
    }
  }
  summary.unshift(...sql.filter((x) => /^CREATE (SCHEMA|TYPE|DOMAIN|SEQUENCE)/.test(x)));
  return { sql, summary };
}

