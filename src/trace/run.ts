/**
 * Runs one direction of a migration file statement by statement with the runner's transaction
 * behaviour, observing each statement (src/trace/observe.ts) and putting lint's prediction for it
 * (src/trace/predict.ts) next to what PostgreSQL did.
 *
 * Statements run one at a time. Inside a transaction each one runs under a SAVEPOINT (observe.ts's
 * BEGIN/COMMIT/ROLLBACK mapped onto SAVEPOINT/RELEASE/ROLLBACK TO), so a failing statement is rolled
 * back alone and the trace goes on; the report says the runner would have stopped.
 */
import { as, nodeKind } from '../parse/ast.ts';
import type { TxKind } from '../analyze/session.ts';
import type { Schema } from '../analyze/schema.ts';
import { sectionWrap, type EngineOptions } from '../engine/engine.ts';
import type { Finding } from '../findings/model.ts';
import { parseRegion, type RawStatement, type RegionParse } from '../parse/parser.ts';
import type { PlannedFile } from '../source/discover.ts';
import { layout } from '../source/formats.ts';
import type { RunnerProfile } from '../source/runners.ts';
import { LineMap } from '../source/text.ts';
import { catalog, catalogChanges, heldLocks, NO_CATALOG_CHANGE, qualifier, relations, type Catalog, type Rels } from './catalog.ts';
import { compare, observedFindings } from './compare.ts';
import type { TraceDb } from './db.ts';
import { refusal } from './guard.ts';
import { observe, type ObservableDb, type Observation } from './observe.ts';
import { predictionAt, siblingReader, type FileAnalysis } from './predict.ts';
import type { ErrorCategory, StatementStatus, TracedStatement, TraceOptions, TraceReport, TxTrace } from './types.ts';

export interface GroupState {
  /** The schema lint's analysis has built from this history so far. */
  schema: Schema;
  /** A statement of this history failed (later "does not exist" errors are dependent failures). */
  failed: boolean;
}

export interface RunContext {
  /** Catalog and relation list as of now, when known (the previous observed statement's "after"). */
  cache: { catalog?: Catalog; rels?: Rels };
  db: TraceDb;
  options: TraceOptions & { engine: EngineOptions };
  report: TraceReport;
  progress: (msg: string) => void;
}

export interface FileJob {
  file: PlannedFile;
  display: string;
  text: string;
  runner: RunnerProfile | null;
  group: GroupState;
  analysis: FileAnalysis;
}

export interface RunResult {
  statements: TracedStatement[];
  transactions: TxTrace[];
  notes: string[];
  failures: string[];
}

export function classify(err: { message: string; code?: string }, earlierFailure: boolean, kind: string): { status: StatementStatus; category: ErrorCategory } {
  const code = err.code ?? '';
  const msg = err.message;
  if (kind === 'CreateExtensionStmt' && (/is not available|could not open extension control file|extension .* does not exist/i.test(msg) || code === '58P01')) return { status: 'untraceable', category: 'missing-extension' };
  if (['42P01', '42704', '42883', '3F000', '42703', '42P02', '42P33'].includes(code) || (!code && /does not exist/.test(msg))) {
    return earlierFailure ? { status: 'skipped', category: 'depends-on-failed' } : { status: 'untraceable', category: 'missing-object' };
  }
  if (code === '57014') return { status: 'failed', category: 'timeout' };
  if (code.startsWith('23')) return { status: 'failed', category: 'data' };
  if (code === '25001' || /cannot run inside a transaction block/i.test(msg)) return { status: 'failed', category: 'transaction-block' };
  if (code === '42601') return { status: 'failed', category: 'syntax' };
  if (['42P07', '42710', '42723', '42P06', '42P16'].includes(code)) return { status: 'failed', category: 'duplicate-object' };
  if (code === '42501') return { status: 'untraceable', category: 'privilege' };
  if (code === '0A000' || code === '58P01' || code === '58000') return { status: 'untraceable', category: 'unsupported' };
  return { status: 'failed', category: 'other' };
}

export function oneLine(sql: string, max = 160): string {
  const s = sql
    .replace(/--[^\n]*\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
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

/** SQLSTATE of the last error (a function: TypeScript would keep a narrowing of db.lastError across awaits). */
export function lastCode(db: TraceDb): string | undefined {
  return db.lastError?.code;
}

/** Lint findings that start inside the statement (its own, and those of statements in its DO body). */
function onStatement(lint: readonly Finding[], raw: RawStatement): Finding[] {
  return lint.filter((f) => f.start >= raw.span.start && f.start <= raw.span.end);
}

function blankStatement(sql: string, kind: string, tx: number, txKind: TxKind): TracedStatement {
  return {
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
}

/**
 * A file PostgreSQL cannot parse fails the migration: runners that send the file as one query run
 * nothing of it, and those that split it run it in a transaction the error rolls back. The trace
 * runs none of it and reports each parse error (failed, with its position) and every other
 * statement as skipped.
 */
function unparsable(job: FileJob, regions: RegionParse[], lines: LineMap, result: RunResult): RunResult {
  const errors = regions.flatMap((r) => r.errors);
  const first = lines.position(errors[0].index);
  const entries: { at: number; st: TracedStatement }[] = [];
  for (const e of errors) {
    const st = blankStatement(job.text.slice(e.span.start, e.span.end), 'ParseError', -1, 'none');
    st.status = 'failed';
    st.error = { message: `PostgreSQL cannot parse this statement: ${e.message}`, code: '42601', category: 'syntax' };
    st.locksObservable = false;
    entries.push({ at: e.index, st });
  }
  for (const r of regions) {
    for (const raw of r.statements) {
      const st = blankStatement(job.text.slice(raw.span.start, raw.span.end), nodeKind(raw.node), -1, 'none');
      st.status = 'skipped';
      st.error = { message: `not run: the file does not parse (${first.line}:${first.column}), so the migration fails before this statement takes effect`, category: 'syntax' };
      st.locksObservable = false;
      entries.push({ at: raw.span.start, st });
    }
  }
  entries.sort((a, b) => a.at - b.at);
  let n = 0;
  for (const { at, st } of entries) {
    const pos = lines.position(at);
    Object.assign(st, { n: ++n, line: pos.line, column: pos.column });
    result.statements.push(st);
    if (st.status === 'failed') result.failures.push(`${pos.line}:${pos.column} ${st.error?.message ?? ''}`);
  }
  result.notes.push(`not run: PostgreSQL cannot parse ${errors.length === 1 ? 'a statement' : `${errors.length} statements`} of this file (first at ${first.line}:${first.column}); the runner would apply nothing of it`);
  job.group.failed = true;
  return result;
}

/**
 * Runs the sections of one direction of a file, statement by statement, with the runner's
 * transaction behaviour. `observeAll`: record locks/rewrites/scans/catalog for every statement.
 */
export async function runFile(ctx: RunContext, job: FileJob, direction: 'up' | 'down', observeAll: boolean): Promise<RunResult> {
  const { db } = ctx;
  const result: RunResult = { statements: [], transactions: [], notes: [], failures: [] };
  const lines = new LineMap(job.text);
  const fileLayout = layout(job.file.format, job.file.path, job.text, siblingReader(job.file.path));
  let txCounter = 0;
  let n = 0;
  const relsAtStart = observeAll ? await relations(db) : undefined;
  const sections = fileLayout.sections.filter((s) => s.direction === direction).map((section) => ({ section, region: parseRegion(job.text, section.start, section.end) }));
  if (sections.some((s) => s.region.errors.length > 0)) return unparsable(job, sections.map((s) => s.region), lines, result);
  const lint = job.analysis.findings.filter((f) => (f.direction ?? 'up') === direction);
  for (const { section, region } of sections) {
    const raws = [...region.statements].sort((a, b) => a.span.start - b.span.start);
    const wrap = sectionWrap(job.runner, section, raws.length, ctx.options.engine);
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
      const tstmt = await runStatement(ctx, job, raw, sql, kind, state.inTx, observeAll, relsAtStart, state.tx, state.txKind, lint);
      if (tstmt) {
        tstmt.n = ++n;
        tstmt.line = pos.line;
        tstmt.column = pos.column;
        if (!state.inTx && kind !== 'TransactionStmt') tstmt.tx = txCounter++;
        if (state.current && kind !== 'TransactionStmt') state.current.statements.push(tstmt.n);
        tstmt.lint = [...new Set(onStatement(lint, raw).map((f) => f.ruleId))];
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
  tx: number,
  txKind: TxKind,
  lint: readonly Finding[],
): Promise<TracedStatement | undefined> {
  const { db } = ctx;
  const st = blankStatement(sql, kind, tx, txKind);
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
  if (db.kind === 'server') {
    // A server is shared: refuse, before running it, what would reach beyond the scratch database.
    const refused = refusal(raw, job.analysis.nested.get(raw.span.start) ?? [], job.analysis.error !== undefined);
    if (refused) {
      st.status = 'untraceable';
      st.error = { message: refused, category: 'cluster-wide' };
      return st;
    }
  }
  const copy = as(raw.node, 'CopyStmt');
  if (copy?.is_from && !copy.filename) {
    st.status = 'untraceable';
    st.error = { message: 'not run: COPY … FROM STDIN needs the data that follows it in a psql script', category: 'unsupported' };
    return st;
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
    }
    return st.status === 'traced' ? undefined : st;
  }

  st.predicted = predictionAt(job.analysis, raw.span.start, kind);
  if (job.analysis.error) st.notes.push('no lint prediction: the analyzer failed on this file (see the internal-error finding)');
  else if (!st.predicted) st.notes.push(kind === 'DoStmt' ? 'DO block: the linter analyzes the statements inside it one by one; no per-statement comparison' : 'function definition: its body runs when called, not now');

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

  if (st.predicted) st.disagreements = compare(st, relsBefore, relsAfter, created);
  st.findings = observedFindings(st, onStatement(lint, raw), relsAtStart ?? relsBefore, relsBefore, relsAfter);
  return st;
}
