/**
 * The RuleTester setup shared by test/eslint-rules.test.ts and the per-rule invalid cases it imports
 * (test/eslint-cases-*.ts): the testers (.sql, CommonJS, typescript-eslint), the history on disk,
 * and what the cases cover and produce (checked in eslint-rules.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, it } from 'vitest';
import plugin from '../src/eslint/plugin.ts';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-ruletester-'));
fs.writeFileSync(path.join(dir, '000_history.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);\nCREATE TABLE links (id bigint PRIMARY KEY, target text, note text);\n');
// A production snapshot (zerodown stats): orders_status_idx on orders (status), scanned 1,234,567 times.
export const STATS = path.join(dir, 'stats.json');
fs.copyFileSync(new URL('../fixtures/drop-index-still-used/stats.json', import.meta.url), STATS);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

export const settings = { zerodown: { pgVersion: 15, cache: false } };
export const sql = new RuleTester({ plugins: { zerodown: plugin }, language: 'zerodown/postgres', settings });
export const js = new RuleTester({ plugins: { zerodown: plugin }, languageOptions: { sourceType: 'commonjs' }, settings });
export const ts = new RuleTester({ plugins: { zerodown: plugin }, languageOptions: { parser: tseslint.parser }, settings });
/** RuleTester checks a suggestion count as well as a list (its types know only the list). */
export const ONE = 1 as unknown as [];
export const rule = (id: string) => plugin.rules[id];
export const file = (name: string): string => path.join(dir, name);
/** A message fragment (RuleTester matches a RegExp against the whole message). */
export const has = (fragment: string): RegExp => new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/** Rules with at least one invalid case (eslint-rules.test.ts and the eslint-cases-*.ts it imports). */
export const covered = new Set<string>();
/** SQL the fixes and suggestions of .sql cases produce (checked with the parser and PGlite in eslint-rules.test.ts). */
export const produced: { rule: string; kind: 'fix' | 'suggestion'; sql: string }[] = [];

export function runRule(tester: RuleTester, title: string, id: string, tests: { valid: RuleTester.ValidTestCase[]; invalid: RuleTester.InvalidTestCase[] }): void {
  if (tests.invalid.length) covered.add(id);
  for (const t of tests.invalid) {
    if (!t.filename?.endsWith('.sql')) continue;
    if (typeof t.output === 'string') produced.push({ rule: id, kind: 'fix', sql: t.output });
    for (const e of Array.isArray(t.errors) ? t.errors : []) {
      const suggestions = typeof e === 'object' && !(e instanceof RegExp) && Array.isArray(e.suggestions) ? e.suggestions : [];
      for (const sg of suggestions) if (typeof sg.output === 'string') produced.push({ rule: id, kind: 'suggestion', sql: sg.output });
    }
  }
  tester.run(title, rule(id), tests);
}

/** One rule's invalid cases (test/eslint-cases-*.ts). */
export const invalid = (tester: RuleTester, id: string, cases: RuleTester.InvalidTestCase[]): void => runRule(tester, `${id}: invalid`, id, { valid: [], invalid: cases });
