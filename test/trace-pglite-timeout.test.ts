/**
 * PGlite traces get the same statement timeout as server traces: PGlite runs in-process, where
 * statement_timeout never fires, so the trace runs it in a worker thread and stops the worker when a
 * statement outlives --statement-timeout. Without that, `SELECT pg_sleep(600)` would hold the trace
 * (and this test) for ten minutes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers.ts';

const run = promisify(execFile);

describe('trace on PGlite: --statement-timeout', () => {
  it('stops a statement that outlives the timeout, names it, runs nothing after it, exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-pglite-timeout-'));
    fs.writeFileSync(path.join(dir, '001_sleep.sql'), 'CREATE TABLE t (id int);\nSELECT pg_sleep(600);\nCREATE TABLE after_sleep (id int);\n');
    const r = await run(process.execPath, [CLI, 'trace', '--statement-timeout', '1s', '--format', 'json', '001_sleep.sql'], { cwd: dir }).then(
      (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('zerodown: 001_sleep.sql: cancelled: `SELECT pg_sleep(600)` ran longer than the statement timeout (1 s, --statement-timeout); PGlite runs in-process and was stopped with it, so nothing after this statement ran');
    expect(r.stderr).not.toMatch(/internal error|at .*\.cjs:\d+/);
    const report = JSON.parse(r.stdout) as { fatal: { path: string; message: string }[] };
    expect(report.fatal).toEqual([{ path: '001_sleep.sql', message: expect.stringContaining('ran longer than the statement timeout') }]);
  }, 300_000);

  it('a statement within the timeout is traced as before', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-pglite-timeout-'));
    fs.writeFileSync(path.join(dir, '001_short.sql'), 'CREATE TABLE t (id int);\nSELECT pg_sleep(0.1);\nCREATE INDEX t_id ON t (id);\n');
    const r = await run(process.execPath, [CLI, 'trace', '--statement-timeout', '60s', '--format', 'json', '001_short.sql'], { cwd: dir }).then(
      (ok) => ({ code: 0, stdout: ok.stdout }),
      (e: { code: number; stdout: string }) => e,
    );
    const report = JSON.parse(r.stdout) as { fatal: unknown[]; summary: { statements: number; traced: number; failed: number } };
    expect(report.fatal).toEqual([]);
    expect(report.summary).toMatchObject({ statements: 3, failed: 0 });
  }, 300_000);
});
