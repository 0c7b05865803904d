/** Shared harness for test/reporters-*.test.ts: a real lint of a small migration that every output format renders. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect } from 'vitest';
import type { FileResult, LintReport } from '../src/findings/model.ts';
import type { ReporterContext } from '../src/report/types.ts';
import { RULES } from '../rules/index.ts';
import { lintText, ROOT } from './helpers.ts';

export const CTX: ReporterContext = { rules: RULES, color: false };
export const PKG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** One of each: a misspelled ignore, three locking rules (one set to warning), a parse error. */
export const SQL = [
  '-- zerodown-ignore index-not-concurent -- typo',
  'CREATE INDEX users_email_idx ON users (email);',
  'ALTER TABLE users ADD COLUMN n int DEFAULT random();',
  'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  'SELEC 1;',
  '',
].join('\n');

export const EXPECTED_RULES = ['invalid-ignore', 'index-not-concurrent', 'add-column-rewrite', 'set-not-null-scan', 'parse-error'];

export let main: FileResult;
export let clean: FileResult;

export function reportOf(files: FileResult[], fatal: LintReport['fatal'] = []): LintReport {
  return { postgresVersion: 15, postgresVersionSource: 'test', files, fatal };
}

export async function lintAs(filePath: string, sql: string): Promise<FileResult> {
  return lintText(sql, { rules: new Map([['set-not-null-scan', 'warning']]) }, { path: filePath });
}

export function fullReport(): LintReport {
  return reportOf([main, clean], [{ path: 'db/migrations/003_gone.sql', message: 'no such file or directory' }]);
}

/** The source text a finding's 1-based, end-exclusive position covers (single-line spans). */
export function covered(text: string, line: number, column: number, endLine: number, endColumn: number): string {
  expect(endLine).toBe(line);
  return text.split('\n')[line - 1].slice(column - 1, endColumn - 1);
}

/** Lints the sample migration (and a clean one) once per test file. */
export function lintSample(): void {
  beforeAll(async () => {
    main = await lintAs('db/migrations/001_users.sql', SQL);
    clean = await lintAs('db/migrations/002_clean.sql', 'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n');
  });
}
