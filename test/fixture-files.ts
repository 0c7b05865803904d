/**
 * Reading fixtures/: the `-- fixture: key=value` header, preset rule settings, and the .sql files
 * of a fixture directory. Shared by the fixture walker and the recipe proofs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunnerId } from '../src/source/runners.ts';
import type { RuleSetting } from '../src/findings/model.ts';
import type { Preset } from '../src/kit/rule.ts';
import { RULES } from '../rules/index.ts';
import { ROOT } from './helpers.ts';

export const FIXTURES = path.join(ROOT, 'fixtures');

export interface Header {
  pgVersion?: number;
  runner?: RunnerId;
  assumeInTransaction?: boolean;
  preset?: Preset;
  /** `enable=rule-a,rule-b`: opt-in rules (in no preset) to run too, at their default severity. */
  enable?: string[];
  /** A production stats snapshot beside the fixture (`stats=file.json`). */
  stats?: string;
  /** A directory of ORM model files beside the fixture (`models=dir`), read as the working tree. */
  models?: string;
  /**
   * `edited-since-base=<line>`: the git fact --changed-since and the GitHub Action derive (this file
   * existed at the base and was edited from that line on), for directory fixtures. That git gives
   * this fact is proven in real repositories by test/changed-since.test.ts and test/action.test.ts.
   */
  editedSinceBase?: number;
  /** The configured server TimeZone (`time-zone=UTC`, config `timeZone`). */
  timeZone?: string;
}

export function header(text: string): Header {
  const m = /^--\s*fixture:\s*(.*)$/m.exec(text);
  const h: Header = {};
  for (const pair of m?.[1].split(/\s+/) ?? []) {
    const [k, v] = pair.split('=');
    if (k === 'pg-version') h.pgVersion = Number(v);
    if (k === 'runner') h.runner = v as RunnerId;
    if (k === 'assume-in-transaction') h.assumeInTransaction = v === 'true';
    if (k === 'preset' && (v === 'recommended' || v === 'strict')) h.preset = v;
    if (k === 'enable') h.enable = v.split(',').filter(Boolean);
    if (k === 'stats') h.stats = v;
    if (k === 'models') h.models = v;
    if (k === 'edited-since-base') h.editedSinceBase = Number(v);
    if (k === 'time-zone') h.timeZone = v;
  }
  return h;
}

/** Rule settings of a preset: its rules at their default severity, every other rule off. */
export function presetRules(preset: Preset = 'recommended', enable: readonly string[] = []): Map<string, RuleSetting> {
  return new Map(RULES.map((r) => [r.id, r.presets.includes(preset) || enable.includes(r.id) ? r.severity : 'off']));
}

/** Every .sql file below `dir`, depth-first. */
export function walkSql(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walkSql(full, out);
    else if (e.name.endsWith('.sql')) out.push(full);
  }
}

/** One `rule-id@line:column "message fragment"` expectation of a fixture file. */
export interface Expectation {
  rule: string;
  line: number;
  column: number;
  fragment: string;
}

/** `-- expect:` in SQL (also inside a TS/JS template literal), `// expect:` in TS/JS. */
const EXPECT_COMMENT = /(?:--|\/\/)\s*expect:(.*)$/;
const EXPECT_ITEM = /^\s*([a-z0-9-]+)@(\d+):(\d+)\s+"((?:[^"\\]|\\.)*)"\s*(,|$)/;

/**
 * The expectations stated by a file's `-- expect:` comments (see fixtures/README.md). A comment
 * that does not follow the syntax throws, so that a malformed expectation cannot pass unchecked.
 */
export function expectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split('\n').forEach((source, i) => {
    const m = EXPECT_COMMENT.exec(source);
    if (!m) return;
    let rest = m[1];
    if (!rest.trim()) throw new Error(`line ${i + 1}: empty -- expect: comment`);
    while (rest.trim()) {
      const item = EXPECT_ITEM.exec(rest);
      if (!item) throw new Error(`line ${i + 1}: expected rule-id@line:column "message fragment", got: ${rest.trim()}`);
      out.push({ rule: item[1], line: Number(item[2]), column: Number(item[3]), fragment: item[4].replace(/\\(.)/g, '$1') });
      rest = rest.slice(item[0].length);
    }
  });
  return out;
}

export const showExpectation = (e: Expectation): string => `${e.rule}@${e.line}:${e.column} "${e.fragment}"`;
