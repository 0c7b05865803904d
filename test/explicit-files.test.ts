/**
 * Explicit file lists (what pre-commit and lint-staged pass): findings identical to the directory
 * run, whether every file of a directory is named or only some (the others are then history).
 */
import { isScriptMigrationPath } from '../src/source/ts/paths.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintPaths, type LintOptions } from '../src/engine/lint.ts';
import type { FileResult, LintReport } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { generateHistory } from '../bench/gen-history.mjs';
import { CLI, engineOptions } from './helpers.ts';
import { FIXTURES } from './fixture-files.ts';

const options: LintOptions = { ...engineOptions({ rules: new Map() }), pgVersionSource: 'test', detectRunner: true };

/** The migration files under dir, as a hook passes them: .sql and TS/JS migrations. */
function sqlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .map((f) => path.join(dir, f))
    .filter((f) => f.endsWith('.sql') || isScriptMigrationPath(f));
}

/** What a user sees per file: path and findings (the text and notes aside). */
function seen(report: LintReport): Map<string, Pick<FileResult, 'findings'>['findings']> {
  return new Map(report.files.map((f) => [f.path, f.findings]));
}

let tmp: string;
let history: string[];

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-list-')));
  fs.mkdirSync(path.join(tmp, '.git'));
  history = generateHistory(path.join(tmp, 'db', 'migrations'), 700);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('explicit file lists', () => {
  it('every fixture: naming all its files gives the directory run', async () => {
    const dirs = fs.readdirSync(FIXTURES).map((d) => path.join(FIXTURES, d)).filter((d) => fs.statSync(d).isDirectory());
    expect(dirs.length).toBeGreaterThan(20);
    for (const dir of dirs) {
      const byDir = await lintPaths([dir], RULES, options, { cwd: FIXTURES });
      const byList = await lintPaths(sqlFiles(dir), RULES, options, { cwd: FIXTURES });
      expect(byList.files.map((f) => f.path), dir).toEqual(byDir.files.map((f) => f.path));
      expect(seen(byList), dir).toEqual(seen(byDir));
    }
  }, 120_000);

  it('a 700-file history named file by file gives the directory run, in the same order', async () => {
    const byDir = await lintPaths([path.join(tmp, 'db', 'migrations')], RULES, options, { cwd: tmp });
    // Shuffled, as a hook may pass them.
    const shuffled = [...history].reverse();
    const byList = await lintPaths(shuffled, RULES, options, { cwd: tmp });
    expect(byDir.files).toHaveLength(700);
    expect(byDir.files.flatMap((f) => f.findings).length).toBeGreaterThan(100);
    expect(byList.files.map((f) => f.path)).toEqual(byDir.files.map((f) => f.path));
    expect(seen(byList)).toEqual(seen(byDir));
  }, 120_000);

  it('some files named: each gets the findings it has in the directory run (the rest is history)', async () => {
    const byDir = seen(await lintPaths([path.join(tmp, 'db', 'migrations')], RULES, options, { cwd: tmp }));
    const some = history.filter((_, i) => i % 70 === 4 || i % 70 === 6);
    const byList = await lintPaths(some, RULES, options, { cwd: tmp });
    expect(byList.files.map((f) => f.path)).toEqual(some.map((f) => path.relative(tmp, f)));
    for (const f of byList.files) {
      expect(f.findings.length, f.path).toBeGreaterThan(0);
      expect(f.findings, f.path).toEqual(byDir.get(f.path));
    }
  }, 120_000);

  it('the CLI prints the same compact report for the list as for the directory', () => {
    const cli = (args: string[]): { status: number | null; stdout: string } =>
      spawnSync(process.execPath, [CLI, '--no-cache', '--format', 'compact', ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    const byDir = cli(['db/migrations']);
    const byList = cli(history.map((f) => path.relative(tmp, f)));
    expect(byDir.status).toBe(1);
    expect(byList.status).toBe(1);
    expect(byList.stdout).toBe(byDir.stdout);
    expect(byDir.stdout).toMatch(/^db\/migrations\/0005_step_5\.up\.sql:2:1: error \[index-not-concurrent\]/m);
  }, 120_000);
});
