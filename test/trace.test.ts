/**
 * `zerodown trace` on a real PGlite (no mocks): a golang-migrate directory in a temp dir, a seed,
 * rewrites, scans, CONCURRENTLY outside a transaction, an extension PGlite lacks, a data-dependent
 * failure, the markdown lock timeline, --check-down, and the --database-url refusal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTrace, trace, REUSE_REFUSAL, TraceUsageError, type TraceReport, type TracedStatement } from '../src/trace/trace.ts';
import { checkDatabaseUrl } from '../src/trace/db.ts';
import type { EngineOptions } from '../src/engine/engine.ts';

/** What the CLI passes with no config and no flags (rules at their defaults). */
const ENGINE: EngineOptions = { pgVersion: 18, runner: null, rules: new Map(), down: 'same', lockTimeoutMs: 0, statementTimeoutMs: 0, reportUnusedIgnores: false };

const FILES: Record<string, string> = {
  '001_init.up.sql': 'CREATE TABLE t (id int PRIMARY KEY, a int, note text);\n',
  '001_init.down.sql': 'DROP TABLE t;\n',
  '002_alter.up.sql': 'ALTER TABLE t ADD COLUMN r float8 DEFAULT random();\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\nALTER TABLE t ADD COLUMN c int DEFAULT 0;\n',
  // The down forgets column c.
  '002_alter.down.sql': 'ALTER TABLE t DROP COLUMN r;\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n',
  '003_idx.up.sql': 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n',
  '003_idx.down.sql': 'DROP INDEX CONCURRENTLY t_a_idx;\n',
  '004_geo.up.sql': 'CREATE EXTENSION postgis;\nCREATE TABLE places (id int PRIMARY KEY, g geometry(Point, 4326));\nCREATE INDEX places_id ON places (id);\nALTER TABLE t ADD COLUMN d int;\n',
  '004_geo.down.sql': 'ALTER TABLE t DROP COLUMN d;\nDROP TABLE places;\nDROP EXTENSION postgis;\n',
  // The seed leaves note NULL.
  '005_nn.up.sql': 'ALTER TABLE t ALTER COLUMN note SET NOT NULL;\n',
  '005_nn.down.sql': 'ALTER TABLE t ALTER COLUMN note DROP NOT NULL;\n',
  '006_tx.up.sql': 'BEGIN;\nALTER TABLE t ADD COLUMN e int;\nCREATE INDEX t_e_idx ON t (e);\nCOMMIT;\n',
  '006_tx.down.sql': 'DROP INDEX t_e_idx;\nALTER TABLE t DROP COLUMN e;\n',
};

let dir: string;
let report: TraceReport;
let down: TraceReport;

function stmt(r: TraceReport, file: string, sql: RegExp): TracedStatement {
  const f = r.files.find((x) => x.path.endsWith(file));
  const s = f?.statements.find((x) => sql.test(x.sql));
  if (!s) throw new Error(`no statement ${sql} in ${file}`);
  return s;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-trace-'));
  fs.mkdirSync(path.join(dir, 'migrations'));
  for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, 'migrations', name), text);
  fs.writeFileSync(path.join(dir, 'seed.sql'), 'INSERT INTO t (id, a) SELECT g, g FROM generate_series(1, 500) g;\n');
  const base = { engine: ENGINE, cwd: dir, seedFile: 'seed.sql' };
  report = await trace(['migrations'], { ...base, checkDown: false });
  down = await trace(['migrations'], { ...base, checkDown: true });
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('zerodown trace on PGlite', () => {
  it('names the backend, loads the seed after the table exists, and runs only up migrations', () => {
    expect(report.backend.kind).toBe('pglite');
    expect(report.backend.serverVersion.startsWith('18')).toBe(true);
    expect(report.seed).toMatchObject({ ok: true, before: 'migrations/002_alter.up.sql' });
    expect(report.files.map((f) => path.basename(f.path))).toEqual(['001_init.up.sql', '002_alter.up.sql', '003_idx.up.sql', '004_geo.up.sql', '005_nn.up.sql', '006_tx.up.sql']);
  });

  it('observes the volatile-default rewrite under ACCESS EXCLUSIVE, and lint agrees', () => {
    const s = stmt(report, '002_alter.up.sql', /random\(\)/);
    expect(s.status).toBe('traced');
    expect(s.txKind).toBe('implicit');
    expect(s.rewritten).toContain('public.t');
    expect(s.acquired.some((l) => l.relation === 'public.t' && l.mode === 'ACCESS EXCLUSIVE')).toBe(true);
    expect(s.predicted?.summary?.rewrite).toBe(true);
    expect(s.disagreements).toEqual([]);
    expect(s.findings.map((f) => f.ruleId)).toContain('add-column-rewrite');
    expect(s.findings.find((f) => f.ruleId === 'add-column-rewrite')?.lintAgrees).toBe(true);
  });

  it('observes the SET NOT NULL scan under the ACCESS EXCLUSIVE lock already held', () => {
    const s = stmt(report, '002_alter.up.sql', /SET NOT NULL/);
    expect(s.seqScanned).toContain('public.t');
    expect(s.heldBefore.some((l) => l.relation === 'public.t' && l.mode === 'ACCESS EXCLUSIVE')).toBe(true);
    const f = s.findings.find((x) => x.ruleId === 'set-not-null-scan');
    expect(f).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'public.t', lintAgrees: true });
    expect(s.catalog).toContainEqual(expect.objectContaining({ object: 'column', name: 'public.t.a', change: 'changed' }));
  });

  it('takes the fast-default path for a constant default', () => {
    const s = stmt(report, '002_alter.up.sql', /ADD COLUMN c/);
    expect(s.fastDefault).toEqual(['public.t.c']);
    expect(s.rewritten).toEqual([]);
  });

  it('runs CREATE INDEX CONCURRENTLY alone, outside a transaction, and says its locks are not observable', () => {
    const s = stmt(report, '003_idx.up.sql', /CONCURRENTLY/);
    expect(s.status).toBe('traced');
    expect(s.txKind).toBe('none');
    expect(s.locksObservable).toBe(false);
    expect(s.seqScanned).toContain('public.t');
    expect(s.catalog).toContainEqual(expect.objectContaining({ object: 'index', name: 'public.t_a_idx', change: 'added' }));
    expect(s.findings).toEqual([]);
  });

  it('reports an extension PGlite lacks as not traceable, skips what depends on it, and goes on', () => {
    const ext = stmt(report, '004_geo.up.sql', /postgis/);
    expect(ext).toMatchObject({ status: 'untraceable', error: { category: 'missing-extension', code: '0A000' } });
    const table = stmt(report, '004_geo.up.sql', /CREATE TABLE places/);
    expect(table.status).toBe('skipped');
    expect(table.notes.join(' ')).toMatch(/depends on an earlier untraceable statement/);
    expect(stmt(report, '004_geo.up.sql', /CREATE INDEX places_id/).status).toBe('skipped');
    expect(stmt(report, '004_geo.up.sql', /ADD COLUMN d/).status).toBe('traced');
    expect(stmt(report, '006_tx.up.sql', /ADD COLUMN e/).status).toBe('traced');
  });

  it('reports the data-dependent failure the seed causes', () => {
    const s = stmt(report, '005_nn.up.sql', /note SET NOT NULL/);
    expect(s).toMatchObject({ status: 'failed', error: { category: 'data', code: '23502' } });
    expect(s.error?.message).toMatch(/contains null values/);
    expect(report.summary.byCategory.data).toBe(1);
  });

  it('honours an explicit BEGIN … COMMIT and finds the index build under the held ACCESS EXCLUSIVE', () => {
    const s = stmt(report, '006_tx.up.sql', /CREATE INDEX t_e_idx/);
    expect(s.txKind).toBe('explicit');
    expect(s.heldAfter.some((l) => l.relation === 'public.t' && l.mode === 'ACCESS EXCLUSIVE')).toBe(true);
    expect(s.findings.map((f) => f.ruleId)).toContain('index-not-concurrent');
    const f = report.files.find((x) => x.path.endsWith('006_tx.up.sql'));
    expect(f?.transactions).toEqual([expect.objectContaining({ kind: 'explicit', statements: [2, 3] })]);
  });

  it('agrees with lint on every traced statement of this plan', () => {
    expect(report.summary.disagreements).toBe(0);
  });

  it('markdown shows the lock timeline: ACCESS EXCLUSIVE on t held across the statements of one transaction', () => {
    const md = renderTrace(report, 'markdown', false);
    expect(md).toContain('Lock timeline, transaction 0 (implicit');
    expect(md).toMatch(/\| `t` \| \*\*AX\*\* \| AX \| AX \|/);
    expect(md).toContain('not traceable (missing-extension)');
    expect(md).toContain('skipped: depends on an earlier untraceable statement');
    const json = JSON.parse(renderTrace(report, 'json', false)) as { version: number; files: unknown[] };
    expect(json.version).toBe(1);
    expect(json.files).toHaveLength(6);
    expect(renderTrace(report, 'pretty', false)).toMatch(/set-not-null-scan .*lint agrees/);
  });
});

describe('--check-down', () => {
  it('reports the down migration that leaves a column behind, and passes the good ones', () => {
    const d = down.downChecks.find((x) => x.up.endsWith('002_alter.up.sql'));
    expect(d?.status).toBe('differs');
    expect(d?.differences.join('\n')).toMatch(/column public\.t\.c left behind/);
    expect(down.downChecks.find((x) => x.up.endsWith('001_init.up.sql'))?.status).toBe('ok');
    expect(down.downChecks.find((x) => x.up.endsWith('003_idx.up.sql'))?.status).toBe('ok');
    expect(renderTrace(down, 'markdown', false)).toMatch(/\*\*differs\*\* \| column public\.t\.c left behind/);
  });

  it('reports a missing down migration', async () => {
    fs.rmSync(path.join(dir, 'migrations', '006_tx.down.sql'));
    try {
      const r = await trace(['migrations/006_tx.up.sql'], { engine: ENGINE, cwd: dir, checkDown: true });
      expect(r.downChecks).toEqual([expect.objectContaining({ status: 'missing', down: null })]);
      expect(r.history.files).toBe(5);
    } finally {
      fs.writeFileSync(path.join(dir, 'migrations', '006_tx.down.sql'), FILES['006_tx.down.sql']);
    }
  });
});

describe('--database-url', () => {
  it('refuses to reuse an existing database', async () => {
    expect(() => checkDatabaseUrl('postgres://app@db.example/prod?reuse=true')).toThrow(TraceUsageError);
    await expect(trace(['migrations'], { engine: ENGINE, cwd: dir, checkDown: false, databaseUrl: 'postgres://app@db.example/prod?reuse_database=1' })).rejects.toThrow(REUSE_REFUSAL);
    expect(REUSE_REFUSAL).toMatch(/never runs migrations in a database it did not create/);
  });

  it('rejects URLs that are not postgres://', () => {
    expect(() => checkDatabaseUrl('mysql://x@y/z')).toThrow(/expected postgres/);
  });
});
