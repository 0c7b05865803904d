/**
 * Walks fixtures/: every `-- expect: rule-id[, rule-id]` comment must be matched by a finding that
 * starts on that line, and every finding must be expected. A first-line `-- fixture: key=value`
 * header sets pg-version, runner, assume-in-transaction and preset (`preset=strict` enables the
 * strict preset's rules; by default only the recommended preset runs) and `enable=rule-id,…` (opt-in rules). Subdirectories are migration
 * directories linted as a whole (history replayed in runner order).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../src/engine/lint.ts';
import type { FileResult } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { FIXTURES, header, presetRules, walkSql } from './fixture-files.ts';
import { engineOptions, lintText, ROOT } from './helpers.ts';
import { loadProduction } from '../src/options/production.ts';

/** The snapshot a fixture names in its header, read as the CLI reads `--stats`. */
function production(file: string, stats: string | undefined) {
  if (!stats) return undefined;
  const loaded = loadProduction(stats, {}, path.dirname(file), new Date('2026-12-02T00:00:00Z'));
  if ('error' in loaded) throw new Error(loaded.error);
  return loaded.facts;
}

/** "line rule" strings expected by the comments of a file. */
function expectations(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /--\s*expect:\s*([a-z0-9, -]+)\s*$/.exec(line);
    if (m) for (const id of m[1].split(',').map((s) => s.trim()).filter(Boolean)) out.push(`${i + 1} ${id}`);
  });
  return out.sort();
}

/**
 * Companion warnings fire beside most lock hazards (a lock request without lock_timeout, a lock held
 * into later slow work). A fixture answers for them only where it mentions them; elsewhere they are
 * left to their own fixtures, so that each rule's fixtures stay focused.
 */
const COMPANIONS = ['lock-timeout-missing', 'locks-held-across-statements'];

function actual(result: FileResult, text: string): string[] {
  const answered = COMPANIONS.filter((id) => text.includes(id));
  return result.findings
    .filter((f) => !COMPANIONS.includes(f.ruleId) || answered.includes(f.ruleId))
    .map((f) => `${f.line} ${f.ruleId}`)
    .sort();
}

const ruleDirs = fs.readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory());

for (const ruleDir of ruleDirs) {
  describe(`fixtures/${ruleDir.name}`, () => {
    const dir = path.join(FIXTURES, ruleDir.name);
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    const asDirectory = ruleDir.name === 'demo';
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isFile() && e.name.endsWith('.sql') && !asDirectory) {
        it(e.name, async () => {
          const text = fs.readFileSync(full, 'utf8');
          const h = header(text);
          const result = await lintText(
            text,
            { pgVersion: h.pgVersion ?? 15, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules(h.preset, h.enable), production: production(full, h.stats) },
            { path: full },
          );
          expect(actual(result, text)).toEqual(expectations(text));
        });
      }
    }
    const dirs = asDirectory ? [dir] : entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
    for (const sub of dirs) {
      it(`${path.relative(dir, sub) || '.'}/ (migration directory)`, async () => {
        const files: string[] = [];
        walkSql(sub, files);
        // A directory runs the strict preset when any of its files asks for it.
        const headers = files.map((f) => header(fs.readFileSync(f, 'utf8')));
        const strict = headers.some((h) => h.preset === 'strict');
        const rules = presetRules(strict ? 'strict' : 'recommended', headers.flatMap((h) => h.enable ?? []));
        const report = await lintPaths([sub], RULES, { ...engineOptions({ rules }), pgVersionSource: 'test', detectRunner: false }, { cwd: ROOT });
        expect(report.fatal).toEqual([]);
        for (const file of files) {
          const rel = path.relative(ROOT, file);
          const result = report.files.find((f) => f.path === rel);
          expect(result, rel).toBeDefined();
          const text = fs.readFileSync(file, 'utf8');
          expect(actual(result as FileResult, text), rel).toEqual(expectations(text));
        }
      });
    }
  });
}

describe('fixture coverage', () => {
  it('every rule has failing and passing fixtures', () => {
    for (const rule of RULES) {
      const dir = path.join(FIXTURES, rule.id);
      expect(fs.existsSync(dir), `fixtures/${rule.id}`).toBe(true);
      const files: string[] = [];
      walkSql(dir, files);
      const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
      expect(texts.some((t) => t.includes(`expect: ${rule.id}`)), `${rule.id} has a failing fixture`).toBe(true);
      expect(files.some((f) => path.basename(f).startsWith('good-') || f.includes('/good')), `${rule.id} has a passing fixture`).toBe(true);
    }
  });
});
