/**
 * Harness for test/recipes.test.ts: turns a failing fixture into a PGlite database on which its
 * findings' safe alternatives can be run, and runs/observes recipe steps.
 *
 *  - fixtureCases(): every failing fixture (bad-*.sql files, migration directories with
 *    `-- expect:` comments), with its `-- fixture:` header.
 *  - lintCase(): lints it like test/fixtures.test.ts does, with pgVersion forced to 18 (PGlite is
 *    PostgreSQL 18), and returns one ProofTarget per finding with a safe alternative: the
 *    finding, its recipe, and the history (statements that ran before the offending one).
 *  - synthesize(): SQL creating what the fixture uses but never creates (it "pre-exists"): tables
 *    with the columns the statements mention, typed from the replayed schema / usage / names,
 *    filled with 200 rows of distinct non-null values; schemas, enums, domains, partitioned
 *    parents and their partitions, materialized views, views, indexes and constraints the fixture
 *    refers to by name. Generic: derived from the AST only, no per-fixture cases.
 *  - runStep(): runs one recipe step the way its `transaction` says, observing locks, rewrites
 *    (relfilenode) and sequential scans of the tables that existed before the recipe started.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Node } from 'libpg-query';
import { analyzeSql } from '../src/engine/engine.ts';
import { lintPaths } from '../src/engine/lint.ts';
import { Schema } from '../src/analyze/schema.ts';
import { constraintInfo } from '../src/analyze/replay.ts';
import { HISTORY } from '../src/analyze/schema.ts';
import { embeddedSql, initParser, parseRegion } from '../src/parse/parser.ts';
import { detectFormat, layout } from '../src/source/formats.ts';
import type { RunnerId } from '../src/source/runners.ts';
import type { Finding, RuleSetting, SafeStep } from '../src/findings/model.ts';
import type { Preset } from '../src/kit/rule.ts';
import type { ObservableDb } from '../src/trace/observe.ts';
import { lockStrength } from '../src/trace/observe.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions, ROOT } from './helpers.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

export { FIXTURES, header, presetRules, type Header } from './fixture-files.ts';
import { FIXTURES, header, presetRules, walkSql, type Header } from './fixture-files.ts';

export const PROOF_PG_VERSION = 18;

// ───────────────────────────── fixtures ─────────────────────────────

export interface FixtureCase {
  /** Rule directory under fixtures/. */
  rule: string;
  /** Path relative to fixtures/<rule> ('.' for the demo directory). */
  name: string;
  /** Absolute path of the file or directory. */
  full: string;
  dir: boolean;
  /** The header's pg-version (the proof lints at 18 regardless). */
  headerVersion?: number;
}

export const SKIPPED_RULE_DIRS: Record<string, string> = {
  'parse-error': 'its fixtures are about SQL that does not parse: nothing to build or run',
};

export function fixtureCases(): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const d of fs.readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIPPED_RULE_DIRS[d.name]) continue;
    const dir = path.join(FIXTURES, d.name);
    const withExpect = (files: string[]): boolean => files.some((f) => /--\s*expect:/.test(fs.readFileSync(f, 'utf8')));
    if (d.name === 'demo') {
      const files: string[] = [];
      walkSql(dir, files);
      if (withExpect(files)) out.push({ rule: d.name, name: '.', full: dir, dir: true });
      continue;
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isFile() && e.name.startsWith('bad-') && e.name.endsWith('.sql')) {
        out.push({ rule: d.name, name: e.name, full, dir: false, headerVersion: header(fs.readFileSync(full, 'utf8')).pgVersion });
      } else if (e.isDirectory()) {
        const files: string[] = [];
        walkSql(full, files);
        if (withExpect(files)) out.push({ rule: d.name, name: `${e.name}/`, full, dir: true });
      }
    }
  }
  return out;
}

// ───────────────────────────── statements ─────────────────────────────

export interface Stmt {
  file: string;
  text: string;
  node: Node;
  start: number;
  end: number;
  direction: 'up' | 'down';
}

export interface LintedFile {
  path: string;
  text: string;
  statements: Stmt[];
}

function fileStatements(relPath: string, text: string): Stmt[] {
  const abs = path.resolve(ROOT, relPath);
  const format = detectFormat(abs, text);
  const sib = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(path.dirname(abs), name), 'utf8');
    } catch {
      return undefined;
    }
  };
  const out: Stmt[] = [];
  for (const section of layout(format, abs, text, sib).sections) {
    const region = parseRegion(text, section.start, section.end);
    for (const s of region.statements) {
      out.push({ file: relPath, text: text.slice(s.span.start, s.span.end), node: s.node, start: s.span.start, end: s.span.end, direction: section.direction });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Statements inside DO blocks and PL/pgSQL function bodies (for synthesis only). */
function embedded(stmt: { text: string; node: Node }): Node[] {
  const kind = Object.keys(stmt.node)[0];
  if (kind !== 'DoStmt' && kind !== 'CreateFunctionStmt') return [];
  const found = embeddedSql(stmt.text, stmt.text, { start: 0, end: stmt.text.length }) ?? [];
  const out: Node[] = [];
  for (const e of found) for (const s of parseRegion(e.query).statements) out.push(s.node);
  return out;
}

/** AST without positions, for "is this the same statement". */
export function astKey(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'location' || k === 'stmt_location' || k === 'stmt_len' ? undefined : v));
}

export function splitSql(sql: string): { statements: { text: string; node: Node }[]; errors: string[] } {
  const r = parseRegion(sql);
  return {
    statements: r.statements.map((s) => ({ text: sql.slice(s.span.start, s.span.end), node: s.node })),
    errors: r.errors.map((e) => e.message),
  };
}

// ───────────────────────────── linting ─────────────────────────────

export interface ProofTarget {
  id: string;
  finding: Finding;
  file: string;
  line: number;
  /** Statements that ran before the offending one, in order (transaction control removed). */
  history: Stmt[];
  /** History statements left out because a recipe step re-issues them (same AST). */
  reissued: string[];
  offending: string;
}

export interface LintedCase {
  files: LintedFile[];
  targets: ProofTarget[];
  /** Findings without a recipe (no safeAlternative or no steps), by rule. */
  withoutRecipe: string[];
}

const TX_CONTROL = new Set(['TransactionStmt']);

export async function lintCase(c: FixtureCase): Promise<LintedCase> {
  await initParser();
  const files: LintedFile[] = [];
  const findings: { file: string; f: Finding }[] = [];
  if (!c.dir) {
    const text = fs.readFileSync(c.full, 'utf8');
    const h = header(text);
    const rel = path.relative(ROOT, c.full);
    const result = analyzeSql(
      { path: c.full, text },
      new Schema(),
      RULES,
      engineOptions({ pgVersion: PROOF_PG_VERSION, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules(h.preset, h.enable) }),
    );
    files.push({ path: rel, text, statements: fileStatements(rel, text) });
    for (const f of result.findings) findings.push({ file: rel, f });
  } else {
    const all: string[] = [];
    walkSql(c.full, all);
    const strict = all.some((f) => header(fs.readFileSync(f, 'utf8')).preset === 'strict');
    const rules = presetRules(strict ? 'strict' : 'recommended');
    const report = await lintPaths([c.full], RULES, { ...engineOptions({ rules, pgVersion: PROOF_PG_VERSION }), pgVersionSource: 'test', detectRunner: false }, { cwd: ROOT });
    if (report.fatal.length) throw new Error(`lint fatal: ${JSON.stringify(report.fatal)}`);
    for (const r of report.files) {
      const text = r.text ?? fs.readFileSync(path.resolve(ROOT, r.path), 'utf8');
      files.push({ path: r.path, text, statements: fileStatements(r.path, text) });
      for (const f of r.findings) findings.push({ file: r.path, f });
    }
  }

  const targets: ProofTarget[] = [];
  const withoutRecipe: string[] = [];
  const seen = new Set<string>();
  for (const { file, f } of findings) {
    const where = `${path.relative(path.join(FIXTURES, c.rule), path.resolve(ROOT, file)) || path.basename(file)}:${f.line}`;
    if (!f.safeAlternative || f.safeAlternative.steps.length === 0) {
      withoutRecipe.push(`${where} ${f.ruleId}`);
      continue;
    }
    const fi = files.findIndex((x) => x.path === file);
    const own = files[fi].statements;
    const offending = own.find((s) => s.start <= f.start && f.start <= s.end);
    const down = f.direction === 'down';
    const history: Stmt[] = [];
    for (const lf of files.slice(0, fi)) history.push(...lf.statements.filter((s) => s.direction === 'up'));
    for (const s of own) {
      if (s === offending) continue;
      if (down ? s.direction === 'up' || s.end <= f.start : s.direction === 'up' && s.end <= f.start) history.push(s);
    }
    const stepKeys = new Set<string>();
    for (const step of f.safeAlternative.steps) for (const s of splitSql(step.sql).statements) stepKeys.add(astKey(s.node));
    const reissued: string[] = [];
    const kept = history.filter((s) => {
      const kind = Object.keys(s.node)[0];
      if (TX_CONTROL.has(kind)) return false;
      if (kind !== 'VariableSetStmt' && stepKeys.has(astKey(s.node))) {
        reissued.push(s.text);
        return false;
      }
      return true;
    });
    const key = `${file}|${offending?.start ?? f.start}|${JSON.stringify(f.safeAlternative.steps)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push({ id: `${where} ${f.ruleId}`, finding: f, file, line: f.line, history: kept, reissued, offending: offending?.text ?? '' });
  }
  return { files, targets, withoutRecipe };
}

// ───────────────────────────── synthesis ─────────────────────────────

const q = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const split = (key: string): [string, string] => [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
const qkey = (key: string): string => {
  const [s, n] = split(key);
  return s === 'public' ? q(n) : `${q(s)}.${q(n)}`;
};
const rvKey = (rv: AnyNode): string => `${rv?.schemaname ?? 'public'}.${rv?.relname ?? ''}`;
const nameKey = (names: string[]): string => (names.length === 1 ? `public.${names[0]}` : `${names[names.length - 2]}.${names[names.length - 1]}`);
const strs = (list: AnyNode[] | undefined): string[] => (list ?? []).map((n) => n?.String?.sval).filter((x): x is string => typeof x === 'string');

type RelKind = 'table' | 'view' | 'matview' | 'partitioned';

interface ColHint {
  type: string;
  prio: number;
}

interface RelModel {
  key: string;
  kind: RelKind;
  cols: Map<string, ColHint>;
  unique: string[][];
  noPk: boolean;
  partition?: { strategy: 'range' | 'list' | 'hash'; key: string; keyType: string };
  /** Parent key when this table must pre-exist as a partition. */
  partitionOf?: string;
  /** How the fixture uses it: a table it only INSERTs into is synthesized empty. */
  usage: Set<string>;
}

interface Collected {
  created: Set<string>;
  createdIndexes: Set<string>;
  createdConstraints: Set<string>;
  createdTypes: Set<string>;
  createdSchemas: Set<string>;
  /** table key → columns the fixture adds (never pre-existing). */
  added: Map<string, Set<string>>;
  rels: Map<string, RelModel>;
  indexes: Set<string>;
  constraints: Map<string, Set<string>>;
  types: Map<string, { kind: 'enum' | 'domain' | 'unknown'; values: string[] }>;
  schemas: Set<string>;
  sequences: Set<string>;
}

const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'oid']);
const NUMERIC_FUNCS = new Set(['round', 'abs', 'floor', 'ceil', 'ceiling', 'trunc', 'sum', 'avg', 'sign', 'sqrt', 'power', 'mod']);
const TEXT_FUNCS = new Set(['upper', 'lower', 'char_length', 'length', 'btrim', 'ltrim', 'rtrim', 'trim', 'md5', 'initcap', 'substr', 'substring', 'left', 'right', 'replace', 'concat']);

function renderType(tn: AnyNode): string {
  const names = strs(tn?.names);
  if (!names.length) return 'text';
  const base = names[0] === 'pg_catalog' ? names[names.length - 1] : names.map(q).join('.');
  const mods = (tn.typmods ?? []).map((m: AnyNode) => m?.A_Const?.ival?.ival ?? m?.A_Const?.ival ?? 0);
  const modText = mods.length && base !== 'interval' ? `(${mods.map((m: unknown) => (typeof m === 'number' ? m : 0)).join(', ')})` : '';
  return `${base}${modText}${tn.arrayBounds?.length ? '[]' : ''}`;
}

function constType(c: AnyNode): string | undefined {
  if (!c) return undefined;
  if (c.ival !== undefined) return 'bigint';
  if (c.fval !== undefined) return 'numeric';
  if (c.boolval !== undefined) return 'boolean';
  if (c.sval !== undefined) return /^\d{4}-\d{2}-\d{2}/.test(c.sval.sval ?? '') ? 'timestamptz' : 'text';
  return undefined;
}

function nameHint(col: string): string | undefined {
  if (col === 'id' || col.endsWith('_id')) return 'bigint';
  if (col.endsWith('_at')) return 'timestamptz';
  if (col.endsWith('_on') || col === 'date') return 'date';
  if (/^(is|has)_/.test(col)) return 'boolean';
  return undefined;
}

class Collector {
  c: Collected = {
    created: new Set(),
    createdIndexes: new Set(),
    createdConstraints: new Set(),
    createdTypes: new Set(),
    createdSchemas: new Set(),
    added: new Map(),
    rels: new Map(),
    indexes: new Set(),
    constraints: new Map(),
    types: new Map(),
    schemas: new Set(),
    sequences: new Set(),
  };

  /** Pass 1: what the fixture creates (for recipe statements: only the columns they add). */
  creations(node: AnyNode, recipe = false): void {
    const [kind] = Object.keys(node);
    const s = node[kind];
    const c = this.c;
    if (recipe) {
      if (kind === 'AlterTableStmt') {
        for (const cmdNode of s.cmds ?? []) {
          const def = cmdNode.AlterTableCmd?.subtype === 'AT_AddColumn' ? cmdNode.AlterTableCmd.def?.ColumnDef : undefined;
          if (def) this.addedCol(rvKey(s.relation), def.colname);
        }
      }
      // (A recipe's RENAME COLUMN x_new TO x renames back to a pre-existing name: not an addition.)
      return;
    }
    const addConstraintName = (table: string, con: AnyNode, column?: string): void => {
      const info = constraintInfo(table, con, HISTORY, column);
      if (info) c.createdConstraints.add(`${table}|${info.name}`);
      if (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_EXCLUSION') {
        c.createdIndexes.add(`${split(table)[0]}.${con.conname ?? info?.name ?? ''}`);
        if (con.indexname) c.createdIndexes.add(`${split(table)[0]}.${con.conname ?? con.indexname}`);
      }
    };
    switch (kind) {
      case 'CreateStmt': {
        const key = rvKey(s.relation);
        c.created.add(key);
        for (const e of s.tableElts ?? []) {
          if (e.ColumnDef) for (const k of e.ColumnDef.constraints ?? []) if (k.Constraint) addConstraintName(key, k.Constraint, e.ColumnDef.colname);
          if (e.Constraint) addConstraintName(key, e.Constraint);
        }
        break;
      }
      case 'CreateTableAsStmt':
        c.created.add(rvKey(s.into?.rel));
        break;
      case 'ViewStmt':
        c.created.add(rvKey(s.view));
        break;
      case 'CreateSeqStmt':
        c.created.add(rvKey(s.sequence));
        break;
      case 'IndexStmt':
        if (s.idxname) c.createdIndexes.add(`${s.relation?.schemaname ?? 'public'}.${s.idxname}`);
        break;
      case 'RenameStmt':
        if (s.relation && ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(s.renameType)) {
          c.created.add(`${s.relation.schemaname ?? 'public'}.${s.newname}`);
          c.createdIndexes.add(`${s.relation.schemaname ?? 'public'}.${s.newname}`);
        }
        if (s.renameType === 'OBJECT_COLUMN') this.addedCol(rvKey(s.relation), s.newname);
        if (s.renameType === 'OBJECT_SCHEMA') c.createdSchemas.add(s.newname);
        if (s.renameType === 'OBJECT_TYPE' || s.renameType === 'OBJECT_DOMAIN') {
          const names = strs(s.object?.List?.items);
          c.createdTypes.add(nameKey([...names.slice(0, -1), s.newname]));
        }
        if (s.renameType === 'OBJECT_TABCONSTRAINT') c.createdConstraints.add(`${rvKey(s.relation)}|${s.newname}`);
        break;
      case 'AlterTableStmt': {
        const key = rvKey(s.relation);
        for (const cmdNode of s.cmds ?? []) {
          const cmd = cmdNode.AlterTableCmd;
          if (!cmd) continue;
          if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) {
            this.addedCol(key, cmd.def.ColumnDef.colname);
            for (const k of cmd.def.ColumnDef.constraints ?? []) if (k.Constraint) addConstraintName(key, k.Constraint, cmd.def.ColumnDef.colname);
          }
          if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) addConstraintName(key, cmd.def.Constraint);
        }
        break;
      }
      case 'CreateEnumStmt':
      case 'CreateRangeStmt':
        c.createdTypes.add(nameKey(strs(s.typeName)));
        break;
      case 'CompositeTypeStmt':
        c.createdTypes.add(rvKey(s.typevar));
        break;
      case 'CreateDomainStmt':
        c.createdTypes.add(nameKey(strs(s.domainname)));
        break;
      case 'CreateSchemaStmt':
        c.createdSchemas.add(s.schemaname);
        break;
      default:
        break;
    }
  }

  addedCol(table: string, col: string): void {
    let set = this.c.added.get(table);
    if (!set) this.c.added.set(table, (set = new Set()));
    set.add(col);
  }

  rel(key: string, kind: RelKind = 'table'): RelModel | undefined {
    if (!key || key.endsWith('.') || this.c.created.has(key)) return undefined;
    let r = this.c.rels.get(key);
    if (!r) this.c.rels.set(key, (r = { key, kind, cols: new Map(), unique: [], noPk: false, usage: new Set() }));
    if (kind !== 'table' && r.kind === 'table') r.kind = kind;
    return r;
  }

  col(table: string | undefined, col: string | undefined, type?: string, prio = 0): void {
    if (!table || !col || SYSTEM_COLUMNS.has(col)) return;
    if (this.c.added.get(table)?.has(col)) return;
    const r = this.rel(table);
    if (!r) return;
    const cur = r.cols.get(col);
    const named = nameHint(col);
    const hint: ColHint = type ? { type, prio } : named ? { type: named, prio: 1 } : { type: 'text', prio: 0 };
    if (!cur || hint.prio > cur.prio) r.cols.set(col, hint);
  }

  typeRef(tn: AnyNode): void {
    const names = strs(tn?.names);
    if (!names.length || names[0] === 'pg_catalog') return;
    const key = nameKey(names);
    if (!this.c.types.has(key)) this.c.types.set(key, { kind: 'unknown', values: [] });
    if (names.length === 2) this.c.schemas.add(names[0]);
  }

  /** Pass 2: what the fixture uses. `recipe` statements only add columns to relations already known. */
  uses(node: AnyNode, recipe: boolean): void {
    const [kind] = Object.keys(node);
    const s = node[kind];
    const c = this.c;
    const known = (key: string): boolean => !recipe || c.rels.has(key);
    const table = (rv: AnyNode, k: RelKind = 'table'): string | undefined => {
      const key = rvKey(rv);
      if (!known(key)) return undefined;
      if (rv?.schemaname) c.schemas.add(rv.schemaname);
      const r = this.rel(key, k);
      if (r && !recipe) r.usage.add(kind === 'InsertStmt' && rv === s.relation ? 'insert' : 'other');
      return r ? key : undefined;
    };
    switch (kind) {
      case 'AlterTableStmt': {
        const objKind = s.objtype === 'OBJECT_VIEW' ? 'view' : s.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table';
        if (s.objtype === 'OBJECT_INDEX') {
          if (!recipe) c.indexes.add(rvKey(s.relation));
          return;
        }
        const t = table(s.relation, objKind as RelKind);
        for (const cmdNode of s.cmds ?? []) {
          const cmd = cmdNode.AlterTableCmd;
          if (!cmd) continue;
          const sub = cmd.subtype as string;
          if (sub === 'AT_AddColumn') {
            const def = cmd.def?.ColumnDef;
            this.exprs(def, t, def ? renderType(def.typeName) : undefined);
            continue;
          }
          if (sub === 'AT_AlterColumnType') {
            const def = cmd.def?.ColumnDef;
            this.col(t, cmd.name, def ? renderType(def.typeName) : undefined, 1.5);
            this.exprs(def?.raw_default, t);
            continue;
          }
          if (sub === 'AT_AddConstraint') {
            this.constraint(cmd.def?.Constraint, t);
            continue;
          }
          if (sub === 'AT_ValidateConstraint' || sub === 'AT_DropConstraint') {
            if (t && !recipe && sub === 'AT_ValidateConstraint' && !c.createdConstraints.has(`${t}|${cmd.name}`)) {
              let set = c.constraints.get(t);
              if (!set) c.constraints.set(t, (set = new Set()));
              set.add(cmd.name);
            }
            continue;
          }
          if (sub === 'AT_AttachPartition' || sub === 'AT_DetachPartition') {
            const spec = cmd.def?.PartitionCmd;
            const r = t ? c.rels.get(t) : undefined;
            if (!r || !spec) continue;
            const bound = spec.bound;
            this.partitioned(r, bound);
            const partKey = rvKey(spec.name);
            if (spec.name?.schemaname) c.schemas.add(spec.name.schemaname);
            const p = this.rel(partKey);
            if (p && sub === 'AT_DetachPartition' && !recipe) p.partitionOf = r.key;
            continue;
          }
          if (cmd.name && t) this.col(t, cmd.name);
          this.exprs(cmd.def, t);
        }
        return;
      }
      case 'CreateStmt': {
        const self = rvKey(s.relation);
        if (s.relation?.schemaname && !recipe) c.schemas.add(s.relation.schemaname);
        for (const inh of s.inhRelations ?? []) {
          const parent = inh.RangeVar ? table(inh.RangeVar) : undefined;
          const r = parent ? c.rels.get(parent) : undefined;
          if (r && s.partbound) this.partitioned(r, s.partbound);
        }
        for (const e of s.tableElts ?? []) {
          if (e.ColumnDef) {
            this.typeRef(e.ColumnDef.typeName);
            for (const k of e.ColumnDef.constraints ?? []) if (k.Constraint) this.constraint(k.Constraint, self, e.ColumnDef.colname, renderType(e.ColumnDef.typeName));
          }
          if (e.Constraint) this.constraint(e.Constraint, self);
        }
        return;
      }
      case 'IndexStmt': {
        const t = table(s.relation);
        for (const p of s.indexParams ?? []) {
          const el = p.IndexElem;
          if (el?.name) this.col(t, el.name);
          if (el?.expr) this.exprs(el.expr, t);
        }
        for (const p of s.indexIncludingParams ?? []) if (p.IndexElem?.name) this.col(t, p.IndexElem.name);
        this.exprs(s.whereClause, t);
        return;
      }
      case 'UpdateStmt': {
        const t = table(s.relation);
        const aliases = this.aliases(s, recipe);
        for (const rt of s.targetList ?? []) {
          const r = rt.ResTarget;
          if (!r) continue;
          const ty = r.val?.A_Const ? constType(r.val.A_Const) : r.val?.TypeCast ? renderType(r.val.TypeCast.typeName) : undefined;
          this.col(t, r.name, ty, ty ? (r.val?.TypeCast ? 2.5 : 2) : 0);
          this.exprs(r.val, t, undefined, aliases);
        }
        this.exprs(s.whereClause, t, undefined, aliases);
        for (const f of s.fromClause ?? []) this.uses({ SelectStmt: { fromClause: [f] } }, recipe);
        return;
      }
      case 'DeleteStmt': {
        const t = table(s.relation);
        this.exprs(s.whereClause, t, undefined, this.aliases(s, recipe));
        return;
      }
      case 'InsertStmt': {
        const t = table(s.relation);
        const cols: string[] = (s.cols ?? []).map((x: AnyNode) => x.ResTarget?.name);
        const sel = s.selectStmt?.SelectStmt;
        const firstRow: AnyNode[] | undefined = sel?.valuesLists?.[0]?.List?.items;
        cols.forEach((col, i) => {
          const v = firstRow?.[i];
          const ty = v?.A_Const ? constType(v.A_Const) : v?.TypeCast ? renderType(v.TypeCast.typeName) : undefined;
          this.col(t, col, ty, ty ? 2 : 0);
        });
        if (sel && !sel.valuesLists) this.uses(s.selectStmt, recipe);
        return;
      }
      case 'SelectStmt': {
        const aliases = this.aliases(s, recipe);
        const from = s.fromClause ?? [];
        const primary = from.length === 1 && from[0].RangeVar ? rvKey(from[0].RangeVar) : undefined;
        for (const f of from) if (f.RangeVar) table(f.RangeVar);
        if (s.larg) this.uses({ SelectStmt: s.larg }, recipe);
        if (s.rarg) this.uses({ SelectStmt: s.rarg }, recipe);
        this.exprs({ t: s.targetList, w: s.whereClause, g: s.groupClause, h: s.havingClause, o: s.sortClause }, primary && known(primary) ? primary : undefined, undefined, aliases);
        return;
      }
      case 'ViewStmt':
        if (s.query) this.uses(s.query, recipe);
        return;
      case 'CreateTableAsStmt':
        if (s.query) this.uses(s.query, recipe);
        return;
      case 'RefreshMatViewStmt':
        table(s.relation, 'matview');
        return;
      case 'TruncateStmt':
        for (const r of s.relations ?? []) if (r.RangeVar) table(r.RangeVar);
        return;
      case 'ClusterStmt':
        if (s.relation) table(s.relation);
        if (s.indexname && !recipe) c.indexes.add(`${s.relation?.schemaname ?? 'public'}.${s.indexname}`);
        return;
      case 'ReindexStmt':
        if (s.kind === 'REINDEX_OBJECT_INDEX') {
          if (!recipe) c.indexes.add(rvKey(s.relation));
        } else if (s.relation) table(s.relation);
        return;
      case 'VacuumStmt':
        for (const r of s.rels ?? []) if (r.VacuumRelation?.relation) table(r.VacuumRelation.relation);
        return;
      case 'LockStmt':
        for (const r of s.relations ?? []) if (r.RangeVar) table(r.RangeVar);
        return;
      case 'RenameStmt': {
        if (recipe) return;
        const rt = s.renameType as string;
        if (rt === 'OBJECT_INDEX') c.indexes.add(rvKey(s.relation));
        else if (rt === 'OBJECT_COLUMN') {
          const t = table(s.relation, s.relationType === 'OBJECT_VIEW' ? 'view' : s.relationType === 'OBJECT_MATVIEW' ? 'matview' : 'table');
          this.col(t, s.subname);
        } else if (rt === 'OBJECT_TABLE' || rt === 'OBJECT_VIEW' || rt === 'OBJECT_MATVIEW') table(s.relation, rt === 'OBJECT_VIEW' ? 'view' : rt === 'OBJECT_MATVIEW' ? 'matview' : 'table');
        else if (rt === 'OBJECT_SEQUENCE') c.sequences.add(rvKey(s.relation));
        else if (rt === 'OBJECT_SCHEMA') c.schemas.add(s.subname);
        else if (rt === 'OBJECT_TYPE') {
          const names = strs(s.object?.List?.items);
          this.typeRef({ names: names.map((n) => ({ String: { sval: n } })) });
        } else if (rt === 'OBJECT_TABCONSTRAINT') {
          const t = table(s.relation);
          if (t && !c.createdConstraints.has(`${t}|${s.subname}`)) {
            let set = c.constraints.get(t);
            if (!set) c.constraints.set(t, (set = new Set()));
            set.add(s.subname);
          }
        }
        return;
      }
      case 'DropStmt': {
        if (recipe) return;
        for (const obj of s.objects ?? []) {
          const names = obj.List ? strs(obj.List.items) : obj.String ? [obj.String.sval] : obj.TypeName ? strs(obj.TypeName.names) : [];
          if (!names.length) continue;
          const key = nameKey(names);
          if (names.length >= 2) c.schemas.add(names[names.length - 2]);
          switch (s.removeType) {
            case 'OBJECT_TABLE':
              this.rel(key);
              break;
            case 'OBJECT_VIEW':
              this.rel(key, 'view');
              break;
            case 'OBJECT_MATVIEW':
              this.rel(key, 'matview');
              break;
            case 'OBJECT_INDEX':
              c.indexes.add(key);
              break;
            case 'OBJECT_SEQUENCE':
              c.sequences.add(key);
              break;
            case 'OBJECT_SCHEMA':
              c.schemas.add(names[0]);
              break;
            case 'OBJECT_TYPE':
            case 'OBJECT_DOMAIN':
              this.typeRef({ names: names.map((n) => ({ String: { sval: n } })) });
              break;
            default:
              break;
          }
        }
        return;
      }
      case 'AlterEnumStmt': {
        if (recipe) return;
        const names = strs(s.typeName);
        this.typeRef({ names: s.typeName });
        const t = c.types.get(nameKey(names));
        if (!t) return;
        t.kind = 'enum';
        if (s.oldVal) t.values.push(s.oldVal);
        if (s.newValNeighbor) t.values.push(s.newValNeighbor);
        return;
      }
      case 'AlterDomainStmt': {
        if (recipe) return;
        const names = strs(s.typeName);
        this.typeRef({ names: s.typeName });
        const t = c.types.get(nameKey(names));
        if (!t) return;
        t.kind = 'domain';
        // The base type is inferred from how the constraint uses VALUE (a pseudo-table column).
        this.exprs(s.def, `domain:${nameKey(names)}`);
        return;
      }
      case 'AlterObjectSchemaStmt':
      case 'AlterOwnerStmt':
        return;
      default:
        return;
    }
  }

  aliases(s: AnyNode, recipe: boolean): Map<string, string> {
    const m = new Map<string, string>();
    const add = (rv: AnyNode): void => {
      if (!rv) return;
      const key = rvKey(rv);
      if (recipe && !this.c.rels.has(key)) return;
      m.set(rv.alias?.aliasname ?? rv.relname, key);
    };
    add(s.relation);
    const visit = (v: AnyNode): void => {
      if (!v || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach(visit);
      if (v.RangeVar) add(v.RangeVar);
      if (v.JoinExpr) {
        visit(v.JoinExpr.larg);
        visit(v.JoinExpr.rarg);
      }
    };
    visit(s.fromClause);
    visit(s.usingClause);
    return m;
  }

  partitioned(r: RelModel, bound: AnyNode): void {
    const b = bound?.PartitionBoundSpec ?? bound;
    if (!b || b.is_default) {
      if (!r.partition) r.partition = { strategy: 'range', key: 'part_key', keyType: 'bigint' };
      r.kind = 'partitioned';
      return;
    }
    const strategy = b.strategy === 'l' ? 'list' : b.strategy === 'h' ? 'hash' : 'range';
    const datum = (b.lowerdatums ?? b.listdatums ?? [])[0];
    const ty = datum?.A_Const ? constType(datum.A_Const) : undefined;
    const keyType = strategy === 'hash' ? 'bigint' : ty === 'timestamptz' ? 'date' : (ty ?? 'bigint');
    r.kind = 'partitioned';
    r.partition = { strategy, key: 'part_key', keyType };
  }

  constraint(con: AnyNode, t: string | undefined, column?: string, columnType?: string): void {
    if (!con) return;
    const c = this.c;
    if (t && con.contype === 'CONSTR_PRIMARY' && c.rels.has(t)) c.rels.get(t)!.noPk = true;
    for (const k of [...strs(con.keys), ...strs(con.including), ...strs(con.fk_attrs)]) this.col(t, k);
    this.exprs(con.raw_expr, t);
    for (const ex of con.exclusions ?? []) {
      const items = ex.List?.items ?? [];
      const el = items[0]?.IndexElem;
      const op = strs(items[1]?.List?.items)[0];
      if (el?.name) this.col(t, el.name, op === '&&' ? 'tstzrange' : undefined, op === '&&' ? 2 : 0);
      if (el?.expr) this.exprs(el.expr, t);
    }
    if (con.pktable) {
      const ref = rvKey(con.pktable);
      if (con.pktable.schemaname) c.schemas.add(con.pktable.schemaname);
      if (!this.rel(ref)) return;
      const pk = strs(con.pk_attrs);
      const refCols = pk.length ? pk : ['id'];
      const fkCols = strs(con.fk_attrs).length ? strs(con.fk_attrs) : column ? [column] : [];
      refCols.forEach((rc, i) => {
        const fkType = fkCols[i] && t ? c.rels.get(t)?.cols.get(fkCols[i])?.type : undefined;
        const ty = columnType ?? fkType;
        this.col(ref, rc, ty, ty ? 3 : 0);
      });
      const r = c.rels.get(ref)!;
      if (!(refCols.length === 1 && refCols[0] === 'id')) r.unique.push(refCols);
    }
  }

  /**
   * Column references in an expression tree: unqualified ones belong to `t`, qualified ones to the
   * alias they name. Type hints from how they are used (compared with a constant, arithmetic,
   * well-known functions).
   */
  exprs(v: AnyNode, t: string | undefined, columnType?: string, aliases = new Map<string, string>()): void {
    const stack: AnyNode[] = [v];
    const target = (ref: AnyNode): [string | undefined, string | undefined] => {
      const f = ref?.ColumnRef?.fields ?? [];
      const names = strs(f);
      if (names.length !== f.length) return [undefined, undefined];
      if (names.length === 1) return [t, names[0]];
      if (names.length === 2) return [aliases.get(names[0]), names[1]];
      return [undefined, undefined];
    };
    const hintSide = (ref: AnyNode, other: AnyNode, op?: string): void => {
      if (!ref?.ColumnRef) return;
      const [tt, cc] = target(ref);
      if (op && ['+', '-', '*', '/', '%'].includes(op)) return this.col(tt, cc, 'numeric', 2);
      if (op && ['~', '~*', '!~', '~~', '!~~', '~~*'].includes(op)) return this.col(tt, cc, 'text', 2);
      // An explicit cast names the type; a bare constant only suggests one.
      if (other?.TypeCast) return this.col(tt, cc, renderType(other.TypeCast.typeName), 2.5);
      const ty = other?.A_Const ? constType(other.A_Const) : undefined;
      if (ty) this.col(tt, cc, ty, 2);
    };
    while (stack.length) {
      const cur = stack.pop();
      if (!cur || typeof cur !== 'object') continue;
      if (Array.isArray(cur)) {
        for (const x of cur) stack.push(x);
        continue;
      }
      if (cur.SelectStmt) {
        this.uses({ SelectStmt: cur.SelectStmt }, false);
        continue;
      }
      if (cur.ColumnRef) {
        const [tt, cc] = target(cur);
        this.col(tt, cc);
        continue;
      }
      if (cur.A_Expr) {
        const op = strs(cur.A_Expr.name)[0];
        hintSide(cur.A_Expr.lexpr, cur.A_Expr.rexpr, op);
        hintSide(cur.A_Expr.rexpr, cur.A_Expr.lexpr, op);
      }
      if (cur.FuncCall) {
        const fn = strs(cur.FuncCall.funcname).pop() ?? '';
        const ty = NUMERIC_FUNCS.has(fn) ? 'numeric' : TEXT_FUNCS.has(fn) ? 'text' : undefined;
        if (ty) for (const a of cur.FuncCall.args ?? []) if (a?.ColumnRef) this.col(...target(a), ty, 2);
      }
      if (cur.TypeCast?.arg?.ColumnRef) this.typeRef(cur.TypeCast.typeName);
      if (cur.TypeCast) this.typeRef(cur.TypeCast.typeName);
      if (cur.ColumnDef) this.typeRef(cur.ColumnDef.typeName);
      if (cur.Constraint) {
        this.constraint(cur.Constraint, t, undefined, columnType);
        continue;
      }
      for (const k of Object.keys(cur)) if (cur[k] && typeof cur[k] === 'object') stack.push(cur[k]);
    }
  }
}

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
    if (!cols.has('id')) cols.set('id', { type: 'bigint', prio: 0 });
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

// ───────────────────────────── running steps ─────────────────────────────

export interface RelSnapshot {
  oid: string;
  name: string;
  relkind: string;
  filenode: string;
}

const REL_SQL = `
SELECT c.oid::text AS oid,
       CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END AS name,
       c.relkind::text AS relkind, c.relfilenode::text AS filenode
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'm', 'p')`;

const SCAN_SQL = `
SELECT c.oid::text AS oid,
       (pg_catalog.pg_stat_get_numscans(c.oid) + pg_catalog.pg_stat_get_xact_numscans(c.oid))::text AS scans
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'm')`;

const LOCK_SQL = `
SELECT l.relation::text AS oid, l.mode
FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384`;

export async function relations(db: ObservableDb): Promise<Map<string, RelSnapshot>> {
  const r = await db.query<RelSnapshot>(REL_SQL);
  return new Map(r.rows.map((x) => [x.oid, x]));
}

async function scans(db: ObservableDb): Promise<Map<string, bigint>> {
  await db.query('SELECT pg_catalog.pg_stat_clear_snapshot()');
  const r = await db.query<{ oid: string; scans: string }>(SCAN_SQL);
  return new Map(r.rows.map((x) => [x.oid, BigInt(x.scans)]));
}

async function locks(db: ObservableDb): Promise<Map<string, string>> {
  const r = await db.query<{ oid: string; mode: string }>(LOCK_SQL);
  const m = new Map<string, string>();
  for (const l of r.rows) if (!m.has(l.oid) || lockStrength(l.mode) > lockStrength(m.get(l.oid)!)) m.set(l.oid, l.mode);
  return m;
}

const SUE = lockStrength('ShareUpdateExclusiveLock');
/**
 * Applications only read a materialized view, and EXCLUSIVE (REFRESH … CONCURRENTLY) lets reads
 * continue: for a matview only ACCESS EXCLUSIVE during a scan or rewrite blocks traffic.
 */
const MATVIEW_LIMIT = lockStrength('ExclusiveLock');

export interface Violation {
  statement: string;
  table: string;
  what: 'rewritten' | 'seq-scanned';
  lock: string;
}

export interface StepResult {
  template: boolean;
  ok: boolean;
  error?: string;
  failedStatement?: string;
  violations: Violation[];
  /** Pre-existing tables rewritten by an outside step (locks unobservable). */
  outsideRewrites: string[];
  statements: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs one recipe step. own/any: one transaction, observing after each statement the relation
 * locks held so far, and which pre-existing tables the statement rewrote (relfilenode) or scanned
 * sequentially. outside: each statement alone in autocommit (locks unobservable), rewrites only.
 */
export async function runStep(db: ObservableDb, step: SafeStep, preexisting: Map<string, RelSnapshot>): Promise<StepResult> {
  const { statements, errors } = splitSql(step.sql);
  const res: StepResult = { template: false, ok: true, violations: [], outsideRewrites: [], statements: statements.length };
  if (errors.length) return { ...res, ok: false, error: `recipe SQL does not parse: ${errors.join('; ')}` };
  if (statements.length === 0) return { ...res, template: true };
  if (step.transaction === 'outside') {
    for (const s of statements) {
      const before = await relations(db);
      try {
        await db.exec(s.text);
      } catch (e) {
        return { ...res, ok: false, error: errorText(e), failedStatement: s.text };
      }
      const after = await relations(db);
      for (const [oid, b] of before) {
        const a = after.get(oid);
        if (preexisting.has(oid) && a && a.filenode !== b.filenode && b.relkind !== 'p') res.outsideRewrites.push(`${b.name} (by: ${s.text.trim().split('\n')[0]})`);
      }
    }
    return res;
  }
  await db.exec('BEGIN');
  try {
    for (const s of statements) {
      const relBefore = await relations(db);
      const scanBefore = await scans(db);
      try {
        await db.exec(s.text);
      } catch (e) {
        await db.exec('ROLLBACK');
        return { ...res, ok: false, error: errorText(e), failedStatement: s.text };
      }
      const held = await locks(db);
      const scanAfter = await scans(db);
      const relAfter = await relations(db);
      for (const [oid, pre] of preexisting) {
        const mode = held.get(oid);
        if (!mode || lockStrength(mode) <= (pre.relkind === 'm' ? MATVIEW_LIMIT : SUE)) continue;
        const b = relBefore.get(oid);
        const a = relAfter.get(oid);
        if (b && a && b.filenode !== a.filenode && b.relkind !== 'p') res.violations.push({ statement: s.text, table: pre.name, what: 'rewritten', lock: mode });
        if ((scanAfter.get(oid) ?? 0n) > (scanBefore.get(oid) ?? 0n)) res.violations.push({ statement: s.text, table: pre.name, what: 'seq-scanned', lock: mode });
      }
    }
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => undefined);
    return { ...res, ok: false, error: `observer: ${errorText(e)}` };
  }
  try {
    await db.exec('COMMIT');
  } catch (e) {
    return { ...res, ok: false, error: `COMMIT failed: ${errorText(e)}` };
  }
  return res;
}

/** The linter's replayed schema of the whole fixture (every file, history only). */
export function replaySchema(files: LintedFile[], h: Header): Schema {
  const schema = new Schema();
  for (const f of files) {
    analyzeSql(
      { path: path.resolve(ROOT, f.path), text: f.text, historyOnly: true },
      schema,
      RULES,
      engineOptions({ pgVersion: PROOF_PG_VERSION, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules(h.preset, h.enable) }),
    );
  }
  return schema;
}
