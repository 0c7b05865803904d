/**
 * Trace predicts with the engine lint uses: the user's options (a config file's lockTimeout), the
 * version resolution lint does (postgres:19 in docker-compose), an analyzer failure shown as an
 * internal-error finding, and a file PostgreSQL cannot parse reported as failed with its position,
 * nothing of it run. Real PGlite, real CLI (dist/cli.cjs, built by `npm test`'s pretest).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineOptions } from '../src/engine/engine.ts';
import { defineRule } from '../src/kit/rule.ts';
import { renderTrace, trace, type TraceReport } from '../src/trace/trace.ts';
import { RULES } from '../rules/index.ts';
import { CLI } from './helpers.ts';

const ENGINE: EngineOptions = { pgVersion: 18, runner: null, rules: new Map(), down: 'same', lockTimeoutMs: 0, statementTimeoutMs: 0, reportUnusedIgnores: false };

let dir: string;

function mkProject(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(dir, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}

function cliTrace(cwd: string, args: string[] = []): { code: number | null; report: TraceReport; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'trace', 'migrations', '--format', 'json', ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  let report: TraceReport;
  try {
    report = JSON.parse(r.stdout) as TraceReport;
  } catch {
    throw new Error(`trace did not print JSON (exit ${r.status}): ${r.stderr}`);
  }
  return { code: r.status, report, stderr: r.stderr };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-trace-engine-'));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// golang-migrate: each file is one query (an implicit transaction) when it has several statements.
const MIGRATIONS = {
  'migrations/001_t.up.sql': 'CREATE TABLE t (id int PRIMARY KEY, a int);\n',
  'migrations/002_add.up.sql': 'ALTER TABLE t ADD COLUMN b int;\n',
  // PostgreSQL: syntax error at or near "TABLEE" (the cursor is on TABLEE: line 2, column 8).
  'migrations/003_bad.up.sql': 'CREATE TABLE u (id int);\nCREATE TABLEE v (id int);\nCREATE TABLE w (id int);\n',
};

describe('zerodown trace predicts with the options lint uses', () => {
  let plain: ReturnType<typeof cliTrace>;
  let configured: ReturnType<typeof cliTrace>;
  beforeAll(() => {
    plain = cliTrace(mkProject(MIGRATIONS));
    configured = cliTrace(mkProject({ ...MIGRATIONS, 'zerodown.config.json': '{ "lockTimeout": "2s" }\n', 'docker-compose.yml': 'services:\n  db:\n    image: postgres:19\n' }));
  }, 600_000);

  it('reports lock-timeout-missing on ALTER TABLE without a config, and not when the config says lockTimeout is in force', () => {
    const lintOf = (r: TraceReport): string[] => r.files.find((f) => f.path.endsWith('002_add.up.sql'))?.lintFindings.map((f) => f.ruleId) ?? [];
    expect(lintOf(plain.report)).toContain('lock-timeout-missing');
    expect(lintOf(configured.report)).not.toContain('lock-timeout-missing');
    const st = configured.report.files.find((f) => f.path.endsWith('002_add.up.sql'))?.statements[0];
    expect(st?.status).toBe('traced');
    expect(st?.lint).not.toContain('lock-timeout-missing');
  });

  it('resolves postgres:19 in docker-compose as lint does (the newest known version), not a usage error', () => {
    expect(configured.stderr).not.toMatch(/--pg-version/);
    expect(configured.report.requestedPgVersion).toBe(18);
  });

  it('reports the syntax error with its position, counts it as failed, runs nothing of that file, and exits 1', () => {
    for (const { code, report } of [plain, configured]) {
      expect(code).toBe(1);
      const bad = report.files.find((f) => f.path.endsWith('003_bad.up.sql'));
      expect(bad?.statements.map((s) => [s.line, s.column, s.status])).toEqual([
        [1, 1, 'skipped'],
        [2, 8, 'failed'],
        [3, 1, 'skipped'],
      ]);
      expect(bad?.statements[1].error).toMatchObject({ category: 'syntax' });
      expect(bad?.statements[1].error?.message).toMatch(/syntax error at or near "TABLEE"/);
      expect(bad?.statements.some((s) => s.status === 'traced')).toBe(false);
      expect(bad?.notes.join(' ')).toMatch(/cannot parse a statement of this file \(first at 2:8\)/);
      expect(report.summary.failed).toBe(1);
      expect(report.summary.traced).toBe(2);
    }
  });
});

describe('an analyzer failure', () => {
  it('shows as an internal-error finding on the file, the statements still traced, instead of silence', async () => {
    const explodes = defineRule({
      id: 'explodes-on-alter',
      severity: 'error',
      category: 'hygiene',
      presets: ['recommended'],
      description: 'throws on ALTER TABLE (a stand-in for an analyzer bug)',
      docs: { why: 'test', bad: 'ALTER TABLE t ADD COLUMN c int;', good: 'SELECT 1;' },
      check(ctx) {
        if (ctx.stmt.kind === 'AlterTableStmt') throw new Error('boom in the analyzer');
      },
    });
    const cwd = mkProject({ 'migrations/001_t.up.sql': MIGRATIONS['migrations/001_t.up.sql'], 'migrations/002_add.up.sql': MIGRATIONS['migrations/002_add.up.sql'] });
    const report = await trace(['migrations'], { engine: ENGINE, rules: [...RULES, explodes], cwd, checkDown: false });
    const f = report.files.find((x) => x.path.endsWith('002_add.up.sql'));
    expect(f?.lintFindings[0]).toMatchObject({ ruleId: 'internal-error', severity: 'error' });
    expect(f?.lintFindings[0].message).toMatch(/boom in the analyzer/);
    expect(f?.statements[0]).toMatchObject({ status: 'traced', predicted: null });
    expect(report.summary.internalErrors).toBe(1);
    expect(report.files.find((x) => x.path.endsWith('001_t.up.sql'))?.lintFindings).toEqual([]);
    expect(renderTrace(report, 'pretty', false)).toMatch(/error internal-error internal error while analyzing this file: boom in the analyzer/);
  }, 300_000);
});
