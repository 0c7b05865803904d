/**
 * Every rule's documented examples are linted, as typescript-eslint does for its docs: the `bad`
 * example must trigger the rule and the `good` example must not, at every supported PostgreSQL
 * version the rule claims (its `versions` range; all supported versions when it has none). The
 * examples are what docs/rules/<id>.md shows (scripts/gen-docs.mjs renders them from the metadata).
 */
import { describe, expect, it } from 'vitest';
import { SUPPORTED_PG_VERSIONS } from '../src/pg/versions.ts';
import type { Rule } from '../src/kit/rule.ts';
import type { RuleSetting } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeSql } from '../src/engine/engine.ts';
import { Schema } from '../src/analyze/schema.ts';
import { initParser } from '../src/parse/parser.ts';
import { engineOptions } from './helpers.ts';
import { FIXTURES } from './fixture-files.ts';

/** Versions of `range` (e.g. ">= 14", ">= 11 < 13"; undefined = all) among the supported ones. */
export function claimedVersions(range: string | undefined): number[] {
  const bounds = [...(range ?? '').matchAll(/(>=|<=|>|<|=)\s*(\d+)/g)].map((m) => ({ op: m[1], v: Number(m[2]) }));
  if (range && bounds.length === 0) throw new Error(`unreadable versions range "${range}"`);
  const holds = (n: number): boolean =>
    bounds.every(({ op, v }) => (op === '>=' ? n >= v : op === '<=' ? n <= v : op === '>' ? n > v : op === '<' ? n < v : n === v));
  return SUPPORTED_PG_VERSIONS.filter(holds);
}

/** Every rule at its default severity, so that opt-in rules are linted too. */
const ALL_ON: Map<string, RuleSetting> = new Map(RULES.map((r) => [r.id, r.severity]));

async function hits(rule: Rule, sql: string, pgVersion: number): Promise<string[]> {
  const options = engineOptions({ pgVersion, rules: ALL_ON });
  await initParser();
  // The schema the examples assume comes from an earlier migration file, as the CLI replays history.
  const schema = new Schema();
  if (rule.docs.history) analyzeSql({ path: '001_history.sql', text: rule.docs.history, historyOnly: true }, schema, RULES, options);
  const result = analyzeSql({ path: '002_example.sql', text: sql }, schema, RULES, options);
  return result.findings.filter((f) => f.ruleId === rule.id).map((f) => `${f.line}:${f.column} ${f.message}`);
}

describe('docs examples', () => {
  it('claimed version ranges are read as PostgreSQL majors', () => {
    expect(claimedVersions(undefined)).toEqual([...SUPPORTED_PG_VERSIONS]);
    expect(claimedVersions('>= 14')).toEqual(SUPPORTED_PG_VERSIONS.filter((v) => v >= 14));
    expect(claimedVersions('>= 11 < 13')).toEqual([11, 12]);
    expect(() => claimedVersions('recent ones')).toThrow(/unreadable/);
  });

  for (const rule of RULES) {
    const versions = claimedVersions(rule.versions);
    if (rule.docs.examplesNeed) {
      it(`${rule.id}: examples need ${rule.docs.examplesNeed}, so its failing and passing fixtures prove it`, () => {
        const dirs = [path.join(FIXTURES, rule.id), path.join(FIXTURES, 'ts')];
        const texts = dirs.filter((d) => fs.existsSync(d)).flatMap((d) => fs.readdirSync(d, { recursive: true }).map(String).filter((f) => /\.(sql|[cm]?[jt]s)$/.test(f)).map((f) => fs.readFileSync(path.join(d, f), 'utf8')));
        expect(texts.some((t) => t.includes(`expect: ${rule.id}`))).toBe(true);
      });
      continue;
    }
    describe(rule.id, () => {
      it(`has versions to check (${rule.versions ?? 'all'})`, () => {
        expect(versions.length).toBeGreaterThan(0);
      });
      for (const v of versions) {
        it(`bad example triggers it on PostgreSQL ${v}`, async () => {
          expect(await hits(rule, rule.docs.bad, v)).not.toEqual([]);
        });
        it(`good example does not trigger it on PostgreSQL ${v}`, async () => {
          expect(await hits(rule, rule.docs.good, v)).toEqual([]);
        });
      }
    });
  }
});
