/**
 * `zerodown trace`: replays migrations on a real PostgreSQL (in-process PGlite by default, or a
 * scratch database on a server) in the runner's order and with the runner's transactions, observes
 * what each statement of the traced files did (locks, rewrites, scans, fast defaults, catalog
 * changes, duration), puts lint's prediction for the same statement next to it (analyzeSql with the
 * caller's engine options: src/trace/predict.ts) and marks every disagreement. Findings come from
 * observation: a lock that blocks reads or writes on a pre-existing table held while that table (or,
 * for locks held from earlier statements, another pre-existing table) is scanned or rewritten.
 *
 * Modules: types (report shape), catalog (what is read from pg_catalog), predict (lint's side),
 * run (statement by statement), compare (prediction vs observation), guard (what a server trace
 * refuses), down-check (--check-down), db (PGlite / server scratch database), report (rendering).
 */
import path from 'node:path';
import { Schema } from '../analyze/schema.ts';
import { initParser, parseRegion } from '../parse/parser.ts';
import { SUPPORTED_PG_VERSIONS } from '../pg/versions.ts';
import { detectRunner } from '../source/detect-runner.ts';
import { discover } from '../source/discover.ts';
import { FORMAT_RUNNER, layout, orderKey } from '../source/formats.ts';
import { readSql } from '../source/read.ts';
import { RUNNERS } from '../source/runners.ts';
import { isScriptFile } from '../source/ts/typescript.ts';
import { RULES } from '../../rules/index.ts';
import { catalog, type Catalog } from './catalog.ts';
import { checkDatabaseUrl, extensionsIn, openPglite, type TraceDb } from './db.ts';
import { PgliteStopped } from './pglite-worker.ts';
import { openServer } from './server.ts';
import { checkDown, DOWN_FORMATS, hasSection } from './down-check.ts';
import { analyzeFile, internalErrorFinding, siblingReader } from './predict.ts';
import { lastCode, runFile, type FileJob, type GroupState, type RunContext } from './run.ts';
import type { TracedFile, TraceOptions, TraceReport } from './types.ts';

export { TraceUsageError, REUSE_REFUSAL } from './db.ts';
export { renderTrace, type TraceFormat } from './report.ts';
export type * from './types.ts';

/** Default for --statement-timeout: long enough for a seeded replay, short enough that a stuck statement does not hang CI. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

export const LIMITATIONS_PGLITE = [
  'PGlite is one backend with one connection: no second session can wait on a lock, so lock queues, lock_timeout and blocking of application queries are not simulated; what a lock blocks comes from the conflict table (src/pg/locks.ts).',
  'Statements that refuse a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, DETACH … CONCURRENTLY) run on their own and have committed before anything can read pg_locks: their locks are shown as "not observable"; rewrites and scans are still measured.',
  'Only the extensions bundled with PGlite can be created (pgcrypto, uuid-ossp, pg_trgm, citext, hstore, ltree, btree_gin/gist, … see docs/trace.md); CREATE EXTENSION of any other (postgis, vector, timescaledb …) is reported as not traceable, and statements that need it as skipped.',
  'Tables hold only the rows of --seed (if any): durations measure this replay, not production, and data-dependent failures show up only for data the seed provides.',
];

export const LIMITATIONS_SERVER = [
  'The trace runs on one connection: lock queues and lock_timeout are not simulated; what a lock blocks comes from the conflict table.',
  'Statements that refuse a transaction block run on their own: their locks are shown as "not observable"; rewrites and scans are still measured.',
  'Statements that act on the whole server (roles and memberships, databases, tablespaces, ALTER SYSTEM, subscriptions, comments and grants on those), also inside DO and function bodies, are refused before they run; the migration runs as a temporary role that owns only the scratch database (no superuser, CREATEROLE or CREATEDB), so what the parse tree cannot see (dynamic SQL) fails with a privilege error instead of reaching the server. Extensions a database owner may not create (untrusted ones) are not traceable there.',
  'Tables hold only the rows of --seed (if any).',
];

/** Replays the plan and traces the reported files. Throws TraceUsageError for a refused --database-url. */
export async function trace(paths: string[], options: TraceOptions): Promise<TraceReport> {
  const started = performance.now();
  const progress = options.onProgress ?? ((): void => undefined);
  if (options.databaseUrl !== undefined) checkDatabaseUrl(options.databaseUrl);
  await initParser();
  const plan = discover(paths.length ? paths : ['.'], { cwd: options.cwd, include: options.include, exclude: options.exclude, migrationFormat: options.migrationFormat });
  // trace runs .sql files; TS/JS migrations are linted (their SQL is not replayed on a server yet).
  for (const g of plan.groups) g.files = g.files.filter((f) => !isScriptFile(f.path));
  const display = (p: string): string => path.relative(options.cwd, p) || p;
  const fatal = plan.errors.map((e) => ({ path: e.path, message: e.message }));

  // Read everything first (extensions to load come from the texts).
  const texts = new Map<string, string>();
  for (const g of plan.groups) {
    for (const f of g.files) {
      const r = readSql(f.path);
      if ('error' in r) {
        if (f.report) fatal.push({ path: display(f.path), message: r.error });
      } else texts.set(f.path, r.text.replace(/^\uFEFF/, ' ')); // the BOM is not SQL: a space keeps the indices
    }
  }
  let seedText: string | undefined;
  if (options.seedFile) {
    const r = readSql(path.resolve(options.cwd, options.seedFile));
    if ('error' in r) fatal.push({ path: options.seedFile, message: `--seed: ${r.error}` });
    else seedText = r.text.replace(/^\uFEFF/, ' ');
  }

  const timeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  let db: TraceDb;
  let extensions: string[] = [];
  if (options.databaseUrl !== undefined) {
    db = await openServer(options.databaseUrl, { onProgress: progress, statementTimeoutMs: timeoutMs });
  } else {
    const t0 = performance.now();
    const lite = await openPglite(extensionsIn([...texts.values(), seedText ?? '']), timeoutMs);
    extensions = lite.loadedExtensions;
    db = lite;
    progress(`PGlite started in ${Math.round(performance.now() - t0)} ms`);
  }

  const report: TraceReport = {
    version: 1,
    backend: { kind: db.kind, description: db.description, database: db.database, serverVersion: db.serverVersion, extensions },
    predictionVersion: db.major,
    requestedPgVersion: options.engine.pgVersion,
    files: [],
    downChecks: [],
    history: { files: 0, statements: 0, failed: 0, durationMs: 0 },
    summary: { files: 0, statements: 0, traced: 0, failed: 0, untraceable: 0, skipped: 0, findings: 0, errorFindings: 0, disagreements: 0, downProblems: 0, internalErrors: 0, byCategory: {} },
    fatal,
    notes: [],
    limitations: db.kind === 'pglite' ? LIMITATIONS_PGLITE : LIMITATIONS_SERVER,
    durationMs: 0,
  };
  // Lint's prediction uses the version traced (the nearest one zerodown knows), so that lint and trace compare like with like.
  const supported: readonly number[] = SUPPORTED_PG_VERSIONS;
  const predictionVersion = supported.includes(db.major) ? db.major : db.major > supported[supported.length - 1] ? supported[supported.length - 1] : supported[0];
  report.predictionVersion = predictionVersion;
  const requested = options.engine.pgVersion;
  if (requested !== predictionVersion) {
    report.notes.push(`The static prediction uses PostgreSQL ${predictionVersion} (${predictionVersion === db.major ? 'the version traced' : `the nearest version zerodown knows to the traced ${db.major}`}), not the configured ${requested}, so that lint and trace compare like with like; lint with --pg-version ${requested} may differ where behaviour changed between versions.`);
  }
  const rules = options.rules ?? RULES;
  const ctx: RunContext = { cache: {}, db, options, report, progress };
  const engine = { ...options.engine, pgVersion: predictionVersion };

  let current = '';
  try {
    let seeded = seedText === undefined;
    for (const g of plan.groups) {
      const group: GroupState = { schema: new Schema(), failed: false };
      const repoRunner = options.engine.runner === null ? detectRunner(g.root) : undefined;
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
        const runnerId = options.engine.runner ?? FORMAT_RUNNER[file.format] ?? (file.format === 'plain' ? (repoRunner?.runner ?? null) : null);
        const shown = display(file.path);
        // Down sections never advance the schema, so a separate down file is analyzed like any other
        // (its DO bodies are what the server guard walks when --check-down runs it).
        const analysis = analyzeFile(file, shown, text, group.schema, rules, { ...engine, runner: runnerId }, !file.report || file.direction === 'down');
        const job: FileJob = { file, display: shown, text, runner: runnerId ? RUNNERS[runnerId] : null, group, analysis };
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
          if (analysis.error) report.notes.push(`${shown}: ${internalErrorFinding(analysis.error).message}`);
          const r = await runFile(ctx, job, 'up', false);
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
        current = job.display;
        progress(`tracing ${job.display}`);
        const t0 = performance.now();
        const before = options.checkDown ? await catalog(db, true) : undefined;
        const r = await runFile(ctx, job, 'up', true);
        const lint = analysis.findings.filter((f) => f.direction !== 'down').map((f) => ({ ruleId: f.ruleId, severity: f.severity, line: f.line, column: f.column, message: f.message }));
        if (analysis.error) lint.unshift(internalErrorFinding(analysis.error));
        const traced: TracedFile = {
          path: job.display,
          format: file.format,
          runner: job.runner?.name ?? null,
          statements: r.statements,
          transactions: r.transactions,
          notes: r.notes,
          lintFindings: lint,
          durationMs: Math.round(performance.now() - t0),
        };
        if (runnerId && repoRunner && file.format === 'plain' && !options.engine.runner) traced.notes.push(`runner ${repoRunner.runner} detected from ${display(repoRunner.source)}`);
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
  } catch (e) {
    // A PGlite statement outlived --statement-timeout: the worker was stopped, the rest cannot run.
    if (!(e instanceof PgliteStopped)) throw e;
    fatal.push({ path: current || '(trace)', message: e.message });
  } finally {
    const cleanup = await db.close();
    if (cleanup) {
      report.backend.cleanup = cleanup;
      progress(cleanup.message);
    }
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
  s.internalErrors = report.files.filter((f) => f.lintFindings.some((x) => x.ruleId === 'internal-error')).length;
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

