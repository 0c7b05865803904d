/**
 * `zerodown trace`: replays migrations on a real PostgreSQL (in-process PGlite by default, or a
 * scratch database on a server) in the runner's order and with the runner's transactions, observes
 * what each statement of the traced files did (locks, rewrites, scans, fast defaults, catalog
 * changes, duration), puts the linter's static prediction for the same statement next to it and
 * marks every disagreement. Findings come from observation: a lock that blocks reads or writes on
 * a pre-existing table held while that table (or, for locks held from earlier statements, another
 * pre-existing table) is scanned or rewritten.
 *
 * Statements run one at a time. Inside a transaction each one runs under a SAVEPOINT (src/trace/
 * observe.ts's BEGIN/COMMIT/ROLLBACK mapped onto SAVEPOINT/RELEASE/ROLLBACK TO), so a failing
 * statement is rolled back alone and the trace goes on; the report says the runner would have stopped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Node } from 'libpg-query';
import { as, displayRel, nodeKind } from '../parse/ast.ts';
import { detectRunner } from '../source/detect-runner.ts';
import { statementOps, summarize, type AppliedOp } from '../analyze/effects.ts';
import { applyStatement } from '../analyze/replay.ts';
import { RUNNERS, type RunnerId, type RunnerProfile } from '../source/runners.ts';
import { Schema } from '../analyze/schema.ts';
import type { TxKind } from '../analyze/session.ts';
import { analyzeSql, type EngineOptions } from '../engine/engine.ts';
import { readSql } from '../engine/lint.ts';
import type { Finding, LockSummary, Severity } from '../findings/model.ts';
import { initParser, parseRegion, type RawStatement } from '../parse/parser.ts';
import { blockedBy, blocksReadsOrWrites, fromPgLocksName, lockRank, strongerLock, type Blocked, type LockMode } from '../pg/locks.ts';
import { discover, type PlannedFile } from '../source/discover.ts';
import { FORMAT_RUNNER, layout, orderKey, type MigrationFormat, type Section } from '../source/formats.ts';
import { LineMap } from '../source/text.ts';
import { RULES } from '../../rules/index.ts';
import { checkDatabaseUrl, extensionsIn, openPglite, openServer, type TraceDb } from './db.ts';
import { observe, type ObservableDb, type Observation } from './observe.ts';

export { TraceUsageError, REUSE_REFUSAL } from './db.ts';
export { renderTrace, type TraceFormat } from './report.ts';

export interface TraceOptions {
  /** Target version of the static prediction (the trace predicts with the server's version and says so when they differ). */
  pgVersion: number;
  runner: RunnerId | null;
  /** Real server: a scratch database is created there and dropped afterwards. */
  databaseUrl?: string;
  seedFile?: string;
  checkDown: boolean;
  cwd: string;
  include?: string[];
  exclude?: string[];
  migrationFormat?: MigrationFormat;
  assumeInTransaction?: boolean;
  onProgress?: (msg: string) => void;
  /** The user's engine options (from resolveOptions); predictions use them at the traced server's version. */
  engine?: EngineOptions;
}

export interface LockEntry {
  /** `schema.name` */
  relation: string;
  /** pg_class.relkind */
  relkind: string;
  mode: LockMode;
  blocks: Blocked[];
}

export type StatementStatus = 'traced' | 'failed' | 'untraceable' | 'skipped';

/** Why a statement did not trace cleanly. */
export type ErrorCategory =
  | 'missing-extension'
  | 'missing-object'
  | 'depends-on-failed'
  | 'data'
  | 'transaction-block'
  | 'syntax'
  | 'duplicate-object'
  | 'privilege'
  | 'unsupported'
  | 'cluster-wide'
  | 'other';

export interface StatementError {
  message: string;
  code?: string;
  category: ErrorCategory;
}

export interface PredictedOp {
  op: string;
  relation: string;
  mode: LockMode;
  rewrite: boolean;
  scan: boolean;
  existing: boolean;
  reason?: string;
}

export interface Prediction {
  /** Operations the analyzer derives for the statement (src/analyze/effects.ts statementOps). */
  ops: PredictedOp[];
  /** summarize(ops) over every relation (not only pre-existing ones). */
  summary: LockSummary | null;
}

export interface Disagreement {
  aspect: 'lock' | 'rewrite' | 'scan';
  relation: string;
  predicted: string;
  observed: string;
}

export interface CatalogChange {
  object: 'relation' | 'column' | 'constraint' | 'index';
  change: 'added' | 'dropped' | 'changed';
  name: string;
  detail: string;
}

export interface TraceFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  relation: string;
  /** The lock held during the scan/rewrite. */
  mode: LockMode;
  /** The linter reported the same rule on this statement. */
  lintAgrees: boolean;
}

export interface TracedStatement {
  /** 1-based position among the file's traced statements. */
  n: number;
  line: number;
  column: number;
  /** The statement, whitespace-collapsed, at most 160 characters. */
  sql: string;
  kind: string;
  /** Transaction number within the file (autocommit statements get their own), and how it was opened. */
  tx: number;
  txKind: TxKind;
  status: StatementStatus;
  error?: StatementError;
  durationMs: number;
  /** false when the statement ran outside a transaction (CONCURRENTLY, VACUUM): its locks are unknown, not absent. */
  locksObservable: boolean;
  /** Locks held when it started (from earlier statements of the same transaction). */
  heldBefore: LockEntry[];
  /** Locks it acquired (modes not held before it). */
  acquired: LockEntry[];
  /** Locks held right after it (still held until the transaction ends). */
  heldAfter: LockEntry[];
  rewritten: string[];
  seqScanned: string[];
  /** `table.column` that took the fast-default path (pg_attribute.atthasmissing). */
  fastDefault: string[];
  catalog: CatalogChange[];
  /** null when the analyzer makes no per-statement claim (DO blocks, function bodies). */
  predicted: Prediction | null;
  disagreements: Disagreement[];
  /** Rule ids the linter reported on this statement. */
  lint: string[];
  findings: TraceFinding[];
  notes: string[];
}

export interface TxTrace {
  tx: number;
  kind: TxKind;
  /** Statement numbers (`n`) in the transaction. */
  statements: number[];
}

export interface TracedFile {
  path: string;
  format: MigrationFormat;
  runner: string | null;
  statements: TracedStatement[];
  transactions: TxTrace[];
  notes: string[];
  /** Lint findings (the same run `zerodown lint` would make over this plan). */
  lintFindings: Pick<Finding, 'ruleId' | 'severity' | 'line' | 'column' | 'message'>[];
  durationMs: number;
}

export interface DownCheck {
  migration: string;
  up: string;
  down: string | null;
  status: 'ok' | 'missing' | 'failed' | 'differs' | 'up-again-failed' | 'not-checked';
  /** Objects whose definition after the down differs from before the up. */
  differences: string[];
  errors: string[];
  notes: string[];
}

export interface TraceReport {
  version: 1;
  backend: { kind: 'pglite' | 'server'; description: string; database?: string; serverVersion: string; extensions: string[] };
  /** The version the static prediction used (the server's). */
  predictionVersion: number;
  requestedPgVersion: number;
  /** `before`: the traced file the seed was loaded before. */
  seed?: { path: string; ok: boolean; error?: string; durationMs: number; before?: string };
  files: TracedFile[];
  downChecks: DownCheck[];
  history: { files: number; statements: number; failed: number; durationMs: number };
  summary: {
    files: number;
    statements: number;
    traced: number;
    failed: number;
    untraceable: number;
    skipped: number;
    findings: number;
    errorFindings: number;
    disagreements: number;
    downProblems: number;
    byCategory: Partial<Record<ErrorCategory, number>>;
  };
  fatal: { path: string; message: string }[];
  notes: string[];
  limitations: string[];
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Catalog queries (qualified names; relation keys are `schema.name` like the analyzer's)

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`;

interface RelRow {
  oid: string;
  key: string;
  relkind: string;
}

const RELS_SQL = `SELECT c.oid::text AS oid, n.nspname || '.' || c.relname AS key, c.relkind::text AS relkind
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND ${USER_NS}`;

interface LockRow {
  oid: string;
  mode: string;
}

const LOCKS_SQL = `SELECT l.relation::text AS oid, l.mode FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384`;

interface CatRow {
  k: string;
  key: string;
  d: string;
}

const CATALOG_SQL = `
SELECT 'relation' AS k, n.nspname || '.' || c.relname AS key, c.relkind::text AS d
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'column', n.nspname || '.' || c.relname || '.' || a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || CASE WHEN a.atthasdef THEN ' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.oid >= 16384 AND ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', n.nspname || '.' || c.relname || '.' || con.conname,
       CASE WHEN con.convalidated THEN 'validated' ELSE 'NOT VALID' END || '|' || pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS} AND con.contype <> 'n'
UNION ALL
SELECT 'index', n.nspname || '.' || ic.relname,
       CASE WHEN i.indisvalid THEN 'valid' ELSE 'INVALID' END || '|' || pg_catalog.pg_get_indexdef(i.indexrelid)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
WHERE ${USER_NS}`;

/** Extra objects for --check-down comparisons. */
const CATALOG_FULL_SQL = `${CATALOG_SQL}
UNION ALL
SELECT 'schema', n.nspname, '' FROM pg_catalog.pg_namespace n WHERE ${USER_NS} AND n.nspname <> 'public'
UNION ALL
SELECT 'extension', e.extname, '' FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql'
UNION ALL
SELECT 'type', n.nspname || '.' || t.typname,
       t.typtype::text || '|' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '')
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid >= 16384 AND ${USER_NS} AND t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
UNION ALL
SELECT 'function', n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', pg_catalog.md5(coalesce(p.prosrc, ''))
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.oid >= 16384 AND ${USER_NS} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.objid = p.oid AND dep.deptype = 'e')
UNION ALL
SELECT 'trigger', n.nspname || '.' || c.relname || '.' || tg.tgname, pg_catalog.pg_get_triggerdef(tg.oid)
FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND ${USER_NS}
UNION ALL
SELECT 'view', n.nspname || '.' || c.relname, pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid))
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${USER_NS}`;

type Catalog = Map<string, string>;

async function catalog(db: TraceDb, full: boolean): Promise<Catalog> {
  const out: Catalog = new Map();
  for (const r of await db.query<CatRow>(full ? CATALOG_FULL_SQL : CATALOG_SQL)) out.set(`${r.k} ${r.key}`, r.d);
  return out;
}

function catalogChanges(before: Catalog, after: Catalog): CatalogChange[] {
  const out: CatalogChange[] = [];
  const split = (k: string): { object: CatalogChange['object']; name: string } => {
    const sp = k.indexOf(' ');
    return { object: k.slice(0, sp) as CatalogChange['object'], name: k.slice(sp + 1) };
  };
  const describe = (object: CatalogChange['object'], d: string): string => {
    if (object === 'relation') return RELKIND_NAMES[d] ?? d;
    if (object === 'constraint' || object === 'index') {
      const bar = d.indexOf('|');
      return `${d.slice(bar + 1)} (${d.slice(0, bar)})`;
    }
    return d;
  };
  for (const [k, d] of after) {
    const { object, name } = split(k);
    const prev = before.get(k);
    if (prev === undefined) out.push({ object, change: 'added', name, detail: describe(object, d) });
    else if (prev !== d) out.push({ object, change: 'changed', name, detail: `${describe(object, prev)} → ${describe(object, d)}` });
  }
  for (const [k, d] of before) {
    if (after.has(k)) continue;
    const { object, name } = split(k);
    out.push({ object, change: 'dropped', name, detail: describe(object, d) });
  }
  // A new table's columns are implied by the table: keep the list short.
  const newRels = new Set(out.filter((c) => c.object === 'relation' && c.change !== 'changed').map((c) => c.name));
  return out.filter((c) => !(c.object === 'column' && newRels.has(c.name.slice(0, c.name.lastIndexOf('.')))));
}

const RELKIND_NAMES: Record<string, string> = { r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table', S: 'sequence', i: 'index', I: 'partitioned index' };

/** Statement kinds that never change columns, constraints or indexes: no catalog snapshot around them. */
const NO_CATALOG_CHANGE = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'VariableSetStmt', 'VariableShowStmt', 'CommentStmt', 'GrantStmt', 'GrantRoleStmt', 'TransactionStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterSeqStmt', 'CreateFunctionStmt', 'CreateEnumStmt', 'AlterEnumStmt', 'CreateSchemaStmt', 'CreateExtensionStmt', 'AlterOwnerStmt', 'NotifyStmt', 'VacuumStmt']);

/** Cluster-wide statements: never run on a real server (they would reach beyond the scratch database). */
const CLUSTER_WIDE = new Set(['CreatedbStmt', 'DropdbStmt', 'AlterDatabaseStmt', 'AlterDatabaseSetStmt', 'AlterDatabaseRefreshCollStmt', 'AlterSystemStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt', 'AlterTableSpaceOptionsStmt', 'ReassignOwnedStmt']);

const TABLE_KINDS = 'rpmfv';

/** Statements whose scans are the planner's choice (on small, unanalyzed tables it seq-scans): an unpredicted scan is no disagreement. */
const PLANNED = new Set(['UpdateStmt', 'DeleteStmt', 'InsertStmt', 'SelectStmt', 'MergeStmt', 'CreateTableAsStmt']);

// ---------------------------------------------------------------------------------------------

function classify(err: { message: string; code?: string }, earlierFailure: boolean, kind: string): { status: StatementStatus; category: ErrorCategory } {
  const code = err.code ?? '';
  const msg = err.message;
  if (kind === 'CreateExtensionStmt' && (/is not available|could not open extension control file|extension .* does not exist/i.test(msg) || code === '58P01')) return { status: 'untraceable', category: 'missing-extension' };
  if (['42P01', '42704', '42883', '3F000', '42703', '42P02', '42P33'].includes(code) || (!code && /does not exist/.test(msg))) {
    return earlierFailure ? { status: 'skipped', category: 'depends-on-failed' } : { status: 'untraceable', category: 'missing-object' };
  }
  if (code.startsWith('23')) return { status: 'failed', category: 'data' };
  if (code === '25001' || /cannot run inside a transaction block/i.test(msg)) return { status: 'failed', category: 'transaction-block' };
  if (code === '42601') return { status: 'failed', category: 'syntax' };
  if (['42P07', '42710', '42723', '42P06', '42P16'].includes(code)) return { status: 'failed', category: 'duplicate-object' };
  if (code === '42501') return { status: 'untraceable', category: 'privilege' };
  if (code === '0A000' || code === '58P01' || code === '58000') return { status: 'untraceable', category: 'unsupported' };
  return { status: 'failed', category: 'other' };
}

function oneLine(sql: string, max = 160): string {
  const s = sql
    .replace(/--[^\n]*\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function sectionWrap(runner: RunnerProfile | null, section: Section, topCount: number, assume: boolean | undefined): Exclude<TxKind, 'explicit'> {
  const oneQuery = runner?.oneQueryPerFile === true && topCount > 1;
  if (section.transaction === false) return oneQuery ? 'implicit' : 'none';
  if (assume !== undefined) return assume ? 'runner' : 'none';
  if (runner?.opensTransaction) return 'runner';
  return oneQuery ? 'implicit' : 'none';
}

/** observe.ts opens and closes its own transaction; inside ours, those become a savepoint. */
function savepointView(db: ObservableDb): ObservableDb {
  return {
    query: db.query,
    exec: (async (sql: string) => {
      if (sql === 'BEGIN') return db.exec('SAVEPOINT zerodown_trace');
      if (sql === 'COMMIT') return db.exec('RELEASE SAVEPOINT zerodown_trace');
      if (sql === 'ROLLBACK') return db.exec('ROLLBACK TO SAVEPOINT zerodown_trace; RELEASE SAVEPOINT zerodown_trace');
      return db.exec(sql);
    }) as ObservableDb['exec'],
  };
}

interface Rels {
  byOid: Map<string, RelRow>;
  byKey: Map<string, RelRow>;
}

async function relations(db: TraceDb): Promise<Rels> {
  const byOid = new Map<string, RelRow>();
  const byKey = new Map<string, RelRow>();
  for (const r of await db.query<RelRow>(RELS_SQL)) {
    byOid.set(r.oid, r);
    byKey.set(r.key, r);
  }
  return { byOid, byKey };
}

async function heldLocks(db: TraceDb, ...rels: Rels[]): Promise<LockEntry[]> {
  const out = new Map<string, LockEntry>();
  for (const l of await db.query<LockRow>(LOCKS_SQL)) {
    const mode = fromPgLocksName(l.mode);
    const rel = rels.map((r) => r.byOid.get(l.oid)).find((r) => r !== undefined);
    if (!mode || !rel) continue;
    out.set(`${rel.key} ${mode}`, { relation: rel.key, relkind: rel.relkind, mode, blocks: blockedBy(mode) });
  }
  return [...out.values()].sort((a, b) => a.relation.localeCompare(b.relation) || lockRank(b.mode) - lockRank(a.mode));
}

/** Names from observe.ts are bare when the schema is on the search path: qualify them. */
function qualifier(rels: Rels[]): (name: string) => string {
  return (name) => {
    if (name.includes('.')) return name;
    for (const r of rels) {
      if (r.byKey.has(`public.${name}`)) return `public.${name}`;
      for (const k of r.byKey.keys()) if (k.slice(k.indexOf('.') + 1) === name) return k;
    }
    return `public.${name}`;
  };
}

function strongestByRel(locks: LockEntry[]): Map<string, LockMode> {
  const m = new Map<string, LockMode>();
  for (const l of locks) m.set(l.relation, strongerLock(m.get(l.relation), l.mode));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Rule ids for observed hazards (the linter's, where one matches)

function alterCmds(node: Node): string[] {
  const s = as(node, 'AlterTableStmt');
  return (s?.cmds ?? []).map((c) => as(c, 'AlterTableCmd')?.subtype ?? '').filter(Boolean);
}

function rewriteRule(node: Node): string {
  const cmds = alterCmds(node);
  if (cmds.includes('AT_AlterColumnType')) return 'column-type-rewrite';
  if (cmds.includes('AT_AddColumn')) return 'add-column-rewrite';
  return 'table-rewrite';
}

function scanRule(node: Node): string {
  const kind = nodeKind(node);
  if (kind === 'IndexStmt') return 'index-not-concurrent';
  if (kind === 'UpdateStmt' || kind === 'DeleteStmt' || kind === 'InsertStmt') return 'backfill-under-lock';
  const cmds = alterCmds(node);
  if (cmds.includes('AT_SetNotNull')) return 'set-not-null-scan';
  if (cmds.includes('AT_AttachPartition')) return 'attach-partition-scan';
  if (cmds.includes('AT_AlterColumnType')) return 'column-type-rewrite';
  const s = as(node, 'AlterTableStmt');
  for (const c of s?.cmds ?? []) {
    const con = as(as(c, 'AlterTableCmd')?.def, 'Constraint');
    if (con && (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') && !con.indexname) return 'constraint-builds-index';
  }
  if (cmds.includes('AT_AddConstraint') || cmds.includes('AT_ValidateConstraint')) return 'constraint-validation-scan';
  if (cmds.includes('AT_AddColumn')) return 'add-column-rewrite';
  if (kind === 'VacuumStmt' || kind === 'ClusterStmt') return 'table-rewrite';
  return 'trace-blocking-scan';
}

function ruleSeverity(id: string): Severity {
  return RULES.find((r) => r.id === id)?.severity ?? 'error';
}

function blockPhrase(mode: LockMode): string {
  const b = blockedBy(mode);
  return b.includes('reads') ? 'blocks reads and writes' : 'blocks writes';
}

// ---------------------------------------------------------------------------------------------

interface GroupState {
  predSchema: Schema;
  lintSchema: Schema;
  /** A statement of this history failed (later "does not exist" errors are dependent failures). */
  failed: boolean;
}

interface RunContext {
  /** Catalog and relation list as of now, when known (the previous observed statement's "after"). */
  cache: { catalog?: Catalog; rels?: Rels };
  db: TraceDb;
  options: TraceOptions;
  report: TraceReport;
  engine: EngineOptions;
  progress: (msg: string) => void;
}

interface FileJob {
  file: PlannedFile;
  display: string;
  text: string;
  runner: RunnerProfile | null;
  group: GroupState;
}

interface RunResult {
  statements: TracedStatement[];
  transactions: TxTrace[];
  notes: string[];
  failures: string[];
}

function lintFindingsOf(job: FileJob, ctx: RunContext, historyOnly: boolean): Finding[] {
  try {
    const r = analyzeSql(
      { path: job.display, text: job.text, format: job.file.format, historyOnly, readSibling: siblingReader(job.file.path) },
      job.group.lintSchema,
      RULES,
      { ...ctx.engine, runner: job.runner?.id ?? null },
    );
    return r.findings;
  } catch {
    return [];
  }
}

function siblingReader(file: string): (name: string) => string | undefined {
  return (name) => {
    try {
      return fs.readFileSync(path.join(path.dirname(file), name), 'utf8');
    } catch {
      return undefined;
    }
  };
}

/**
 * Runs the sections of one direction of a file, statement by statement, with the runner's
 * transaction behaviour. `observeAll`: record locks/rewrites/scans/catalog for every statement.
 */
async function runFile(ctx: RunContext, job: FileJob, direction: 'up' | 'down', observeAll: boolean, lint: Finding[], applyToSchema: boolean): Promise<RunResult> {
  const { db } = ctx;
  const result: RunResult = { statements: [], transactions: [], notes: [], failures: [] };
  const lines = new LineMap(job.text);
  const fileLayout = layout(job.file.format, job.file.path, job.text, siblingReader(job.file.path));
  let txCounter = 0;
  let n = 0;
  const relsAtStart = observeAll ? await relations(db) : undefined;
  for (const section of fileLayout.sections) {
    if (section.direction !== direction) continue;
    const region = parseRegion(job.text, section.start, section.end);
    for (const e of region.errors) {
      const pos = lines.position(e.index);
      result.notes.push(`${pos.line}:${pos.column} not run: PostgreSQL cannot parse this statement (${e.message})`);
      job.group.failed = true;
    }
    const raws = [...region.statements].sort((a, b) => a.span.start - b.span.start);
    const wrap = sectionWrap(job.runner, section, raws.length, ctx.options.assumeInTransaction);
    const state: { inTx: boolean; txKind: TxKind; tx: number; current: TxTrace | undefined } = { inTx: false, txKind: 'none', tx: -1, current: undefined };
    const openTx = async (kind: TxKind): Promise<void> => {
      await db.exec('BEGIN');
      state.inTx = true;
      state.txKind = kind;
      state.tx = txCounter++;
      state.current = { tx: state.tx, kind, statements: [] };
      result.transactions.push(state.current);
    };
    const closeTx = async (sql: 'COMMIT' | 'ROLLBACK'): Promise<string | undefined> => {
      if (sql === 'ROLLBACK') ctx.cache = {};
      state.inTx = false;
      state.txKind = 'none';
      state.current = undefined;
      try {
        await db.exec(sql);
        return undefined;
      } catch (e) {
        ctx.cache = {};
        await db.exec('ROLLBACK').catch(() => undefined);
        return (e as Error).message;
      }
    };
    if (wrap !== 'none') {
      await openTx(wrap);
      if (observeAll) result.notes.push(`${direction} section runs in one transaction: ${wrap === 'runner' ? `${job.runner?.name ?? 'the runner'} wraps it` : `${job.runner?.name ?? 'the runner'} sends the file as one query (an implicit transaction)`}`);
    }
    let reopenImplicit = false;
    for (const raw of raws) {
      if (reopenImplicit && !state.inTx) await openTx('implicit');
      reopenImplicit = false;
      const kind = nodeKind(raw.node);
      const sql = job.text.slice(raw.span.start, raw.span.end);
      const pos = lines.position(raw.span.start);
      const tstmt = await runStatement(ctx, job, raw, sql, kind, state.inTx, observeAll, relsAtStart, applyToSchema, state.tx, state.txKind);
      if (tstmt) {
        tstmt.n = ++n;
        tstmt.line = pos.line;
        tstmt.column = pos.column;
        if (!state.inTx && kind !== 'TransactionStmt') tstmt.tx = txCounter++;
        if (state.current && kind !== 'TransactionStmt') state.current.statements.push(tstmt.n);
        tstmt.lint = [...new Set(lint.filter((f) => f.start >= raw.span.start && f.start <= raw.span.end).map((f) => f.ruleId))];
        for (const f of tstmt.findings) f.lintAgrees = tstmt.lint.includes(f.ruleId);
        result.statements.push(tstmt);
        if (tstmt.status !== 'traced') {
          job.group.failed = true;
          result.failures.push(`${pos.line}:${pos.column} ${tstmt.status}: ${tstmt.error?.message ?? ''}`);
          if (state.inTx && tstmt.status === 'failed' && observeAll) tstmt.notes.push('the runner would stop here and roll back the transaction; the trace rolled back only this statement (savepoint) and went on');
        }
      }
      // Transaction control from the file.
      const t = as(raw.node, 'TransactionStmt');
      if (t) {
        switch (t.kind) {
          case 'TRANS_STMT_BEGIN':
          case 'TRANS_STMT_START':
            if (state.inTx) {
              if (state.txKind === 'implicit' && state.current) state.current.kind = 'explicit';
              state.txKind = state.txKind === 'implicit' ? 'explicit' : state.txKind;
              if (tstmt) tstmt.notes.push('already in a transaction: BEGIN only continues it');
            } else await openTx('explicit');
            if (tstmt) tstmt.tx = state.tx;
            break;
          case 'TRANS_STMT_COMMIT':
          case 'TRANS_STMT_ROLLBACK':
          case 'TRANS_STMT_PREPARE':
            if (state.inTx) {
              if (tstmt) tstmt.tx = state.tx;
              const err = await closeTx(t.kind === 'TRANS_STMT_ROLLBACK' ? 'ROLLBACK' : 'COMMIT');
              if (err && tstmt) {
                tstmt.status = 'failed';
                tstmt.error = { message: err, category: classify({ message: err, code: db.lastError?.code }, false, kind).category };
              }
              if (t.chain) await openTx('explicit');
              else if (wrap === 'implicit') reopenImplicit = true;
            } else if (tstmt) tstmt.notes.push('no transaction in progress: PostgreSQL only warns');
            break;
          default:
            break;
        }
      }
    }
    if (state.inTx) {
      if (state.txKind === 'explicit' && wrap === 'none') result.notes.push('the file leaves a transaction open; the trace commits it at the end of the file');
      const err = await closeTx('COMMIT');
      if (err) result.failures.push(`COMMIT at the end of the file failed: ${err}`);
    }
  }
  // Transactions with no statement (e.g. BEGIN; COMMIT only) are noise.
  result.transactions = result.transactions.filter((t) => t.statements.length > 0);
  return result;
}

async function runStatement(
  ctx: RunContext,
  job: FileJob,
  raw: RawStatement,
  sql: string,
  kind: string,
  inTx: boolean,
  observeAll: boolean,
  relsAtStart: Rels | undefined,
  applyToSchema: boolean,
  tx: number,
  txKind: TxKind,
): Promise<TracedStatement | undefined> {
  const { db } = ctx;
  const st: TracedStatement = {
    n: 0,
    line: 0,
    column: 0,
    sql: oneLine(sql),
    kind,
    tx,
    txKind,
    status: 'traced',
    durationMs: 0,
    locksObservable: true,
    heldBefore: [],
    acquired: [],
    heldAfter: [],
    rewritten: [],
    seqScanned: [],
    fastDefault: [],
    catalog: [],
    predicted: null,
    disagreements: [],
    lint: [],
    findings: [],
    notes: [],
  };
  if (kind === 'TransactionStmt') {
    const t = as(raw.node, 'TransactionStmt');
    // BEGIN/COMMIT are handled by the caller; savepoints of the file run as written.
    if (t && ['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO'].includes(t.kind ?? '')) {
      ctx.cache = {};
      try {
        await db.exec(sql);
      } catch (e) {
        st.status = 'failed';
        st.error = { message: (e as Error).message, code: db.lastError?.code, category: 'other' };
      }
    }
    return observeAll ? st : st.status === 'traced' ? undefined : st;
  }
  if (db.kind === 'server' && CLUSTER_WIDE.has(kind)) {
    st.status = 'untraceable';
    st.error = { message: 'not run: it changes the whole server (roles, databases, tablespaces), not only the scratch database', category: 'cluster-wide' };
    return st;
  }
  const copy = as(raw.node, 'CopyStmt');
  if (copy?.is_from && !copy.filename) {
    st.status = 'untraceable';
    st.error = { message: 'not run: COPY … FROM STDIN needs the data that follows it in a psql script', category: 'unsupported' };
    return st;
  }

  // Static prediction with the schema replayed so far.
  const effectCtx = { schema: job.group.predSchema, pgVersion: ctx.report.predictionVersion, file: job.display, tx: Math.max(tx, 0) };
  let ops: AppliedOp[] = [];
  const predictable = kind !== 'DoStmt' && kind !== 'CreateFunctionStmt';
  try {
    ops = predictable ? statementOps(raw.node, effectCtx) : [];
  } catch {
    ops = [];
  }

  if (!observeAll) {
    ctx.cache = {};
    const t0 = performance.now();
    let error: unknown;
    if (inTx) await db.exec('SAVEPOINT zerodown_trace');
    try {
      await db.exec(sql);
    } catch (e) {
      error = e;
    }
    if (inTx) await db.exec(error ? 'ROLLBACK TO SAVEPOINT zerodown_trace; RELEASE SAVEPOINT zerodown_trace' : 'RELEASE SAVEPOINT zerodown_trace');
    st.durationMs = performance.now() - t0;
    if (error) {
      const err = { message: (error as Error).message, code: db.lastError?.code };
      const c = classify(err, job.group.failed, kind);
      st.status = c.status;
      st.error = { ...err, category: c.category };
    } else if (applyToSchema) applySchema(job, raw.node, tx);
    return st.status === 'traced' ? undefined : st;
  }

  st.predicted = predictable ? { ops: ops.map(predictedOp), summary: summarize(ops, false) } : null;
  if (!predictable) st.notes.push(kind === 'DoStmt' ? 'DO block: the linter analyzes the statements inside it one by one; no per-statement comparison' : 'function definition: its body runs when called, not now');

  const relsBefore = ctx.cache.rels ?? (await relations(db));
  const snapCatalog = !NO_CATALOG_CHANGE.has(kind);
  const catBefore = snapCatalog ? (ctx.cache.catalog ?? (await catalog(db, false))) : undefined;
  ctx.cache = {};
  let obs: Observation;
  let ownTx = false;
  db.lastError = undefined;
  if (inTx) {
    st.heldBefore = await heldLocks(db, relsBefore);
    obs = await observe(savepointView(db.observable), sql, { inTransaction: true });
  } else {
    // Autocommit: the statement is its own transaction. Observe it inside one so its locks can be read.
    await db.exec('BEGIN');
    ownTx = true;
    obs = await observe(savepointView(db.observable), sql, { inTransaction: true });
    if (!obs.ok && /cannot (run|be executed) inside a transaction block|cannot run inside a transaction/i.test(obs.error ?? '')) {
      await db.exec('ROLLBACK');
      ownTx = false;
      db.lastError = undefined;
      obs = await observe(db.observable, sql, { inTransaction: false });
      st.notes.push('refuses a transaction block: ran on its own, so its locks cannot be observed (PGlite has one connection; nothing can look at pg_locks while it runs)');
    }
  }
  const code = lastCode(db);
  st.durationMs = Math.round(obs.durationMs * 100) / 100;
  st.locksObservable = obs.locksObservable;
  const relsAfter = await relations(db);
  if (obs.locksObservable) {
    st.heldAfter = await heldLocks(db, relsAfter, relsBefore);
    const before = new Set(st.heldBefore.map((l) => `${l.relation} ${l.mode}`));
    st.acquired = st.heldAfter.filter((l) => !before.has(`${l.relation} ${l.mode}`));
  }
  if (ownTx) {
    try {
      await db.exec('COMMIT');
    } catch (e) {
      if (obs.ok) {
        obs.ok = false;
        obs.error = `COMMIT failed: ${(e as Error).message}`;
      }
    }
  }
  if (!obs.ok) {
    const err = { message: obs.error ?? 'failed', code };
    const c = classify(err, job.group.failed, kind);
    st.status = c.status;
    st.error = { ...err, category: c.category };
    st.acquired = [];
    st.heldAfter = st.heldBefore;
    // Rolled back (savepoint or its own transaction): the catalog is as before.
    if (inTx || ownTx || !obs.inTransaction) ctx.cache = { rels: relsAfter, catalog: catBefore };
    if (c.status === 'skipped') st.notes.push('skipped: depends on an earlier untraceable statement');
    return st;
  }
  const qualify = qualifier([relsAfter, relsBefore]);
  const created = new Set([...relsAfter.byKey.keys()].filter((k) => !relsBefore.byKey.has(k)));
  // Relations the statement created were empty and unused: building them is not a scan or rewrite that matters.
  st.rewritten = obs.rewritten.map(qualify).filter((r) => !created.has(r));
  st.seqScanned = obs.seqScanned.map(qualify).filter((r) => !created.has(r));
  st.fastDefault = obs.fastDefault.map((k) => {
    const dot = k.lastIndexOf('.');
    return `${qualify(k.slice(0, dot))}.${k.slice(dot + 1)}`;
  });
  for (const note of obs.notes) {
    if (/ran outside a transaction|refused a transaction block/.test(note)) continue;
    // pg_locks shows the whole transaction's locks: these counts belong to this statement only in autocommit.
    if (/lock\(s\) on (relation|object)/.test(note) && (inTx || /object lock/.test(note))) continue;
    st.notes.push(note);
  }
  if (catBefore) {
    const catAfter = await catalog(db, false);
    st.catalog = catalogChanges(catBefore, catAfter);
    ctx.cache = { rels: relsAfter, catalog: catAfter };
  } else ctx.cache = { rels: relsAfter };
  if (applyToSchema) applySchema(job, raw.node, tx);

  if (st.predicted) st.disagreements = compare(st, ops, relsBefore, relsAfter, created);
  st.findings = observedFindings(st, raw.node, relsAtStart ?? relsBefore, relsBefore, relsAfter);
  return st;
}

function lastCode(db: TraceDb): string | undefined {
  return db.lastError?.code;
}

function applySchema(job: FileJob, node: Node, tx: number): void {
  try {
    applyStatement(job.group.predSchema, node, { file: job.display, tx: Math.max(tx, 0) });
  } catch {
    // The prediction schema is best effort; the database is the truth here.
  }
}

function predictedOp(o: AppliedOp): PredictedOp {
  const p: PredictedOp = { op: o.op, relation: o.relation, mode: o.mode, rewrite: o.rewrite, scan: o.scan, existing: o.existing };
  if (o.reason) p.reason = o.reason;
  return p;
}

function relkindOf(key: string, ...rels: Rels[]): string | undefined {
  for (const r of rels) {
    const k = r.byKey.get(key)?.relkind;
    if (k) return k;
  }
  return undefined;
}

/** Prediction vs observation per relation: lock mode, rewrite, scan. */
function compare(st: TracedStatement, ops: AppliedOp[], before: Rels, after: Rels, created: Set<string>): Disagreement[] {
  const out: Disagreement[] = [];
  const predicted = new Map<string, { mode: LockMode; rewrite: boolean; scan: boolean }>();
  for (const o of ops) {
    const p = predicted.get(o.relation);
    predicted.set(o.relation, { mode: strongerLock(p?.mode, o.mode), rewrite: (p?.rewrite ?? false) || o.rewrite, scan: (p?.scan ?? false) || o.scan });
  }
  const relevant = (rel: string): boolean => {
    if (created.has(rel)) return false;
    const k = relkindOf(rel, before, after);
    return k === undefined ? predicted.has(rel) : TABLE_KINDS.includes(k) || predicted.has(rel);
  };
  if (st.locksObservable) {
    const acquired = strongestByRel(st.acquired);
    const held = new Map<string, Set<LockMode>>();
    for (const l of st.heldBefore) {
      let s = held.get(l.relation);
      if (!s) held.set(l.relation, (s = new Set()));
      s.add(l.mode);
    }
    const rels = new Set([...predicted.keys(), ...acquired.keys()]);
    for (const rel of rels) {
      if (!relevant(rel)) continue;
      const p = predicted.get(rel)?.mode;
      const o = acquired.get(rel);
      const alreadyHeld = p !== undefined && (held.get(rel)?.has(p) ?? false);
      if (p === undefined) {
        if (o !== undefined && o !== 'ACCESS SHARE') out.push({ aspect: 'lock', relation: rel, predicted: 'no lock', observed: o });
      } else if (o === undefined) {
        if (!alreadyHeld && relkindOf(rel, before, after) !== undefined) out.push({ aspect: 'lock', relation: rel, predicted: p, observed: 'no new lock' });
      } else if (o !== p && !(alreadyHeld && lockRank(o) < lockRank(p))) {
        out.push({ aspect: 'lock', relation: rel, predicted: p, observed: o });
      }
    }
  }
  const rewritten = new Set(st.rewritten);
  const scanned = new Set(st.seqScanned);
  const ddlLocked = new Set(st.acquired.filter((l) => lockRank(l.mode) > lockRank('ROW EXCLUSIVE')).map((l) => l.relation));
  const storageRels = new Set([...predicted.keys(), ...rewritten, ...scanned]);
  for (const rel of storageRels) {
    if (created.has(rel)) continue;
    const k = relkindOf(rel, before, after);
    if (k !== 'r' && k !== 'm') continue;
    const p = predicted.get(rel);
    if ((p?.rewrite ?? false) !== rewritten.has(rel) && (p !== undefined || rewritten.has(rel))) {
      out.push({ aspect: 'rewrite', relation: rel, predicted: p?.rewrite ? 'rewrite' : 'no rewrite', observed: rewritten.has(rel) ? 'rewritten' : 'not rewritten' });
    }
    // Reads by ordinary queries (INSERT … SELECT, subqueries) are not hazards the linter models:
    // an unpredicted scan counts only on a relation the statement locked for DDL.
    const observedScan = scanned.has(rel);
    const predictedScan = p?.scan ?? false;
    if (predictedScan && !observedScan) out.push({ aspect: 'scan', relation: rel, predicted: 'scan', observed: 'no scan' });
    if (!predictedScan && observedScan && !PLANNED.has(st.kind) && (p !== undefined || ddlLocked.has(rel))) out.push({ aspect: 'scan', relation: rel, predicted: 'no scan', observed: 'scanned' });
  }
  return out;
}

/**
 * Observed hazards: a lock blocking reads or writes on a pre-existing table held while it was
 * scanned or rewritten; and blocking locks from earlier statements held while another
 * pre-existing table is scanned or rewritten.
 */
function observedFindings(st: TracedStatement, node: Node, atFileStart: Rels, before: Rels, after: Rels): TraceFinding[] {
  if (!st.locksObservable) return [];
  const out: TraceFinding[] = [];
  const preExisting = (rel: string): boolean => {
    const k = atFileStart.byKey.get(rel)?.relkind;
    return k === 'r' || k === 'm' || k === 'p';
  };
  const heldAfter = strongestByRel(st.heldAfter);
  const heldBefore = strongestByRel(st.heldBefore);
  const acquired = strongestByRel(st.acquired);
  const slow = new Map<string, 'rewrite' | 'scan'>();
  for (const r of st.seqScanned) if (preExisting(r)) slow.set(r, 'scan');
  for (const r of st.rewritten) if (preExisting(r) && relkindOf(r, before, after) !== 'i') slow.set(r, 'rewrite');
  const what = (rel: string, w: 'rewrite' | 'scan'): string => (w === 'rewrite' ? `rewrote ${displayRel(rel)}` : `scanned all of ${displayRel(rel)}`);
  for (const [rel, w] of slow) {
    const mode = heldAfter.get(rel);
    if (!mode || !blocksReadsOrWrites(mode)) continue;
    const own = acquired.get(rel);
    // A mode the statement requests but the transaction already holds shows no new pg_locks row: count the claim.
    const claimed = (st.predicted?.ops ?? []).filter((o) => o.relation === rel).some((o) => blocksReadsOrWrites(o.mode));
    const fromEarlier = heldBefore.get(rel);
    const earlierOnly = fromEarlier !== undefined && blocksReadsOrWrites(fromEarlier) && !(own && blocksReadsOrWrites(own)) && !claimed;
    const ruleId = earlierOnly ? 'locks-held-across-statements' : w === 'rewrite' ? rewriteRule(node) : scanRule(node);
    out.push({
      ruleId,
      severity: ruleSeverity(ruleId),
      relation: rel,
      mode,
      lintAgrees: false,
      message: earlierOnly
        ? `observed: this statement ${what(rel, w)} while the transaction held ${mode} on it from an earlier statement (${blockPhrase(mode)})`
        : `observed: this statement ${what(rel, w)} while holding ${mode} on it (${blockPhrase(mode)})`,
    });
  }
  // Blocking locks from earlier statements on other pre-existing tables, held during this slow work.
  if (slow.size > 0) {
    const held = [...heldBefore].filter(([rel, mode]) => !slow.has(rel) && preExisting(rel) && blocksReadsOrWrites(mode)).sort((a, b) => lockRank(b[1]) - lockRank(a[1]));
    if (held.length) {
      const [target, w] = [...slow.entries()][0];
      out.push({
        ruleId: 'locks-held-across-statements',
        severity: ruleSeverity('locks-held-across-statements'),
        relation: held[0][0],
        mode: held[0][1],
        lintAgrees: false,
        message: `observed: ${held.map(([r, m]) => `${m} on ${displayRel(r)}`).join(', ')}, taken by earlier statements of the transaction, stayed held (${blockPhrase(held[0][1])}) while this statement ${what(target, w)}`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const DOWN_FORMATS = new Set<MigrationFormat>(['golang-migrate', 'diesel', 'popx', 'goose', 'dbmate', 'sqitch']);

function diffCatalog(before: Catalog, after: Catalog): string[] {
  const out: string[] = [];
  for (const [k, d] of after) {
    const prev = before.get(k);
    if (prev === undefined) out.push(`${k} left behind (exists after down, not before up)`);
    else if (prev !== d) out.push(`${k} differs: before up "${short(prev)}", after down "${short(d)}"`);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push(`${k} missing (existed before up, gone after down)`);
  return out.sort();
}

function short(s: string): string {
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}

function hasSection(job: FileJob, direction: 'up' | 'down'): boolean {
  const l = layout(job.file.format, job.file.path, job.text, siblingReader(job.file.path));
  return l.sections.some((s) => s.direction === direction && job.text.slice(s.start, s.end).trim() !== '');
}

export const LIMITATIONS_PGLITE = [
  'PGlite is one backend with one connection: no second session can wait on a lock, so lock queues, lock_timeout and blocking of application queries are not simulated; what a lock blocks comes from the conflict table (src/pg/locks.ts).',
  'Statements that refuse a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, DETACH … CONCURRENTLY) run on their own and have committed before anything can read pg_locks: their locks are shown as "not observable"; rewrites and scans are still measured.',
  'Only the extensions bundled with PGlite can be created (pgcrypto, uuid-ossp, pg_trgm, citext, hstore, ltree, btree_gin/gist, … see docs/trace.md); CREATE EXTENSION of any other (postgis, vector, timescaledb …) is reported as not traceable, and statements that need it as skipped.',
  'Tables hold only the rows of --seed (if any): durations measure this replay, not production, and data-dependent failures show up only for data the seed provides.',
];

export const LIMITATIONS_SERVER = [
  'The trace runs on one connection: lock queues and lock_timeout are not simulated; what a lock blocks comes from the conflict table.',
  'Statements that refuse a transaction block run on their own: their locks are shown as "not observable"; rewrites and scans are still measured.',
  'Cluster-wide statements (roles, databases, tablespaces, ALTER SYSTEM) are not run on a server.',
  'Tables hold only the rows of --seed (if any).',
];

/** Replays the plan and traces the reported files. Throws TraceUsageError for a refused --database-url. */
export async function trace(paths: string[], options: TraceOptions): Promise<TraceReport> {
  const started = performance.now();
  const progress = options.onProgress ?? ((): void => undefined);
  if (options.databaseUrl !== undefined) checkDatabaseUrl(options.databaseUrl);
  await initParser();
  const plan = discover(paths.length ? paths : ['.'], { cwd: options.cwd, include: options.include, exclude: options.exclude, migrationFormat: options.migrationFormat });
  const display = (p: string): string => path.relative(options.cwd, p) || p;
  const fatal = plan.errors.map((e) => ({ path: e.path, message: e.message }));

  // Read everything first (extensions to load come from the texts).
  const texts = new Map<string, string>();
  for (const g of plan.groups) {
    for (const f of g.files) {
      const r = readSql(f.path);
      if ('error' in r) {
        if (f.report) fatal.push({ path: display(f.path), message: r.error });
      } else texts.set(f.path, r.text);
    }
  }
  let seedText: string | undefined;
  if (options.seedFile) {
    const r = readSql(path.resolve(options.cwd, options.seedFile));
    if ('error' in r) fatal.push({ path: options.seedFile, message: `--seed: ${r.error}` });
    else seedText = r.text;
  }

  let db: TraceDb;
  let extensions: string[] = [];
  if (options.databaseUrl !== undefined) {
    db = await openServer(options.databaseUrl, progress);
  } else {
    const t0 = performance.now();
    const lite = await openPglite(extensionsIn([...texts.values(), seedText ?? '']));
    extensions = lite.loadedExtensions;
    db = lite;
    progress(`PGlite started in ${Math.round(performance.now() - t0)} ms`);
  }

  const report: TraceReport = {
    version: 1,
    backend: { kind: db.kind, description: db.description, database: db.database, serverVersion: db.serverVersion, extensions },
    predictionVersion: db.major,
    requestedPgVersion: options.pgVersion,
    files: [],
    downChecks: [],
    history: { files: 0, statements: 0, failed: 0, durationMs: 0 },
    summary: { files: 0, statements: 0, traced: 0, failed: 0, untraceable: 0, skipped: 0, findings: 0, errorFindings: 0, disagreements: 0, downProblems: 0, byCategory: {} },
    fatal,
    notes: [],
    limitations: db.kind === 'pglite' ? LIMITATIONS_PGLITE : LIMITATIONS_SERVER,
    durationMs: 0,
  };
  if (options.pgVersion !== db.major) {
    report.notes.push(`The static prediction uses PostgreSQL ${db.major} (the version traced), not the configured ${options.pgVersion}, so that lint and trace compare like with like; lint with --pg-version ${options.pgVersion} may differ where behaviour changed between versions.`);
  }
  const ctx: RunContext = {
    cache: {},
    db,
    options,
    report,
    progress,
    engine: options.engine
      ? { ...options.engine, pgVersion: db.major }
      : {
          pgVersion: db.major,
          runner: options.runner,
          assumeInTransaction: options.assumeInTransaction,
          rules: new Map(),
          down: 'same',
          lockTimeoutMs: 0,
          statementTimeoutMs: 0,
          reportUnusedIgnores: false,
        },
  };

  try {
    let seeded = seedText === undefined;
    for (const g of plan.groups) {
      const group: GroupState = { predSchema: new Schema(), lintSchema: new Schema(), failed: false };
      const repoRunner = options.runner === null ? detectRunner(g.root) : undefined;
      let pending: { key: string; job: FileJob; before: Catalog } | undefined;
      const finishPending = async (): Promise<void> => {
        if (!pending) return;
        const p = pending;
        pending = undefined;
        if (DOWN_FORMATS.has(p.job.file.format)) report.downChecks.push({ migration: p.key, up: p.job.display, down: null, status: 'missing', differences: [], errors: [], notes: [] });
      };
      for (const file of g.files) {
        const text = texts.get(file.path);
        if (text === undefined) continue;
        const runnerId = options.runner ?? FORMAT_RUNNER[file.format] ?? (file.format === 'plain' ? (repoRunner?.runner ?? null) : null);
        const job: FileJob = { file, display: display(file.path), text, runner: runnerId ? RUNNERS[runnerId] : null, group };
        const key = orderKey(file.format, file.path).key;
        if (pending && pending.key !== key) await finishPending();

        if (file.direction === 'down' || (!hasSection(job, 'up') && hasSection(job, 'down'))) {
          // A separate down file: run only for --check-down, right after its up.
          if (options.checkDown && file.report && pending && pending.key === key) {
            const p = pending;
            pending = undefined;
            report.downChecks.push(await checkDown(ctx, p.job, job, p.before));
          }
          continue;
        }
        if (!file.report) {
          const t0 = performance.now();
          lintFindingsOf(job, ctx, true);
          const r = await runFile(ctx, job, 'up', false, [], true);
          report.history.files++;
          report.history.statements += parseCount(job);
          report.history.failed += r.statements.length;
          report.history.durationMs += performance.now() - t0;
          continue;
        }
        if (!seeded && seedText !== undefined) {
          // The seed loads after the history, before the first traced file. When it needs tables that
          // traced files create (e.g. the whole directory is traced), it is retried before each next
          // traced file until those exist; any other error is final.
          const t0 = performance.now();
          ctx.cache = {};
          const outcome = await loadSeed(db, seedText);
          const ms = performance.now() - t0;
          if (outcome.ok || !outcome.missing) {
            seeded = true;
            progress(outcome.ok ? `seeded from ${options.seedFile} before ${job.display}` : `seed ${options.seedFile} failed: ${outcome.error}`);
            report.seed = { path: options.seedFile ?? '', ok: outcome.ok, error: outcome.error, durationMs: ms, before: job.display };
          } else {
            report.seed = { path: options.seedFile ?? '', ok: false, error: `${outcome.error} (retried before each traced file until the tables it fills exist)`, durationMs: ms };
          }
        }
        progress(`tracing ${job.display}`);
        const t0 = performance.now();
        const before = options.checkDown ? await catalog(db, true) : undefined;
        const lint = lintFindingsOf(job, ctx, false);
        const r = await runFile(ctx, job, 'up', true, lint.filter((f) => f.direction !== 'down'), true);
        const traced: TracedFile = {
          path: job.display,
          format: file.format,
          runner: job.runner?.name ?? null,
          statements: r.statements,
          transactions: r.transactions,
          notes: r.notes,
          lintFindings: lint.filter((f) => f.direction !== 'down').map((f) => ({ ruleId: f.ruleId, severity: f.severity, line: f.line, column: f.column, message: f.message })),
          durationMs: Math.round(performance.now() - t0),
        };
        if (runnerId && repoRunner && file.format === 'plain' && !options.runner) traced.notes.push(`runner ${repoRunner.runner} detected from ${display(repoRunner.source)}`);
        report.files.push(traced);
        if (options.checkDown && before) {
          if (hasSection(job, 'down')) {
            report.downChecks.push(await checkDown(ctx, job, job, before));
          } else pending = { key, job, before };
        }
      }
      await finishPending();
    }
    if (options.checkDown) {
      const noDowns = new Set(report.files.filter((f) => !DOWN_FORMATS.has(f.format)).map((f) => f.format));
      for (const f of noDowns) report.notes.push(`--check-down: ${f} migrations have no down migrations to check`);
    }
  } finally {
    await db.close().catch(() => undefined);
  }

  // Summary.
  const s = report.summary;
  s.files = report.files.length;
  for (const f of report.files) {
    for (const st of f.statements) {
      if (st.kind === 'TransactionStmt' && st.status === 'traced') continue;
      s.statements++;
      s[st.status]++;
      if (st.error) s.byCategory[st.error.category] = (s.byCategory[st.error.category] ?? 0) + 1;
      s.findings += st.findings.length;
      s.errorFindings += st.findings.filter((x) => x.severity === 'error').length;
      s.disagreements += st.disagreements.length;
    }
  }
  s.downProblems = report.downChecks.filter((d) => d.status !== 'ok' && d.status !== 'not-checked').length;
  report.history.durationMs = Math.round(report.history.durationMs);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

async function loadSeed(db: TraceDb, text: string): Promise<{ ok: boolean; error?: string; missing: boolean }> {
  try {
    await db.exec('BEGIN');
    await db.exec(text);
    await db.exec('COMMIT');
    return { ok: true, missing: false };
  } catch (e) {
    const code = lastCode(db);
    await db.exec('ROLLBACK').catch(() => undefined);
    return { ok: false, error: (e as Error).message, missing: ['42P01', '42703', '42704', '3F000', '42883'].includes(code ?? '') };
  }
}

function parseCount(job: FileJob): number {
  const l = layout(job.file.format, job.file.path, job.text, siblingReader(job.file.path));
  let n = 0;
  for (const s of l.sections) if (s.direction === 'up') n += parseRegion(job.text, s.start, s.end).statements.length;
  return n;
}

/** up (already run) → snapshot → down → compare with before-up → up again. */
async function checkDown(ctx: RunContext, up: FileJob, down: FileJob, beforeUp: Catalog): Promise<DownCheck> {
  const check: DownCheck = { migration: orderKey(up.file.format, up.file.path).key, up: up.display, down: down.display, status: 'ok', differences: [], errors: [], notes: [] };
  ctx.progress(`checking down ${down.display}`);
  ctx.cache = {};
  const afterUp = await catalog(ctx.db, true);
  if (!hasSection(down, 'down')) {
    check.notes.push('the down migration is empty');
  }
  const r = await runFile(ctx, down, 'down', false, [], false);
  for (const st of r.statements) if (st.status !== 'traced') check.errors.push(`line ${lineOf(down, st)}: ${st.error?.message ?? st.status}`);
  for (const f of r.failures) if (!check.errors.some((e) => f.endsWith(e))) check.errors.push(f);
  const afterDown = await catalog(ctx.db, true);
  check.differences = diffCatalog(beforeUp, afterDown);
  if (diffCatalog(afterUp, afterDown).length === 0 && diffCatalog(beforeUp, afterUp).length > 0) check.notes.push('the down migration changed nothing');
  if (check.errors.length) check.status = 'failed';
  else if (check.differences.length) check.status = 'differs';
  // Up again, as `migrate down 1 && migrate up 1` would.
  const again = await runFile(ctx, up, 'up', false, [], false);
  const againErrors = again.statements.filter((st) => st.status !== 'traced').map((st) => st.error?.message ?? st.status);
  if (againErrors.length) {
    check.notes.push(`re-applying the up migration after the down failed: ${againErrors.slice(0, 3).join('; ')}`);
    if (check.status === 'ok') check.status = 'up-again-failed';
  }
  const afterAgain = await catalog(ctx.db, true);
  const drift = diffCatalog(afterUp, afterAgain);
  if (drift.length && check.status === 'ok') {
    check.status = 'up-again-failed';
    check.notes.push(`up → down → up leaves a different schema than up: ${drift.slice(0, 5).join('; ')}`);
  }
  return check;
}

function lineOf(job: FileJob, st: TracedStatement): number {
  return st.line || new LineMap(job.text).position(0).line;
}
