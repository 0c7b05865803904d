/**
 * Walks fixtures/: every `-- expect: rule-id@line:column "message fragment"` (fixtures/README.md)
 * must be matched by a finding of that rule starting at that line and column whose message contains
 * the fragment, and every finding must be expected. A first-line `-- fixture: key=value` header sets
 * pg-version, runner, assume-in-transaction and preset (`preset=strict` enables the strict preset's
 * rules; by default only the recommended preset runs). Subdirectories are migration directories
 * linted as a whole (history replayed in runner order).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../src/engine/lint.ts';
import type { FileResult, Finding } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { expectations, FIXTURES, header, presetRules, showExpectation, walkSql } from './fixture-files.ts';
import { engineOptions, lintText, ROOT } from './helpers.ts';
import { loadProduction } from '../src/options/production.ts';
import { readModels, type ModelFacts } from '../src/analyze/models/facts.ts';
import { workingTree } from '../src/source/revision.ts';
import { loadPrismaAst } from '../src/analyze/models/prisma.ts';
import { initParser } from '../src/parse/parser.ts';
import { loadTypeScript } from '../src/source/ts/typescript.ts';

/** The ORM models a fixture names in its header, read as the CLI reads a working tree without git. */
async function models(file: string, dir: string | undefined): Promise<ModelFacts | undefined> {
  if (!dir) return undefined;
  await Promise.all([loadTypeScript(), loadPrismaAst(), initParser()]);
  return { deployed: undefined, current: readModels(workingTree(path.join(path.dirname(file), dir), false)) };
}

/** The snapshot a fixture names in its header, read as the CLI reads `--stats`. */
function production(file: string, stats: string | undefined) {
  if (!stats) return undefined;
  const loaded = loadProduction(stats, {}, path.dirname(file), new Date('2026-12-02T00:00:00Z'));
  if ('error' in loaded) throw new Error(loaded.error);
  return loaded.facts;
}

/**
 * Companion warnings fire beside most lock hazards (a lock request without lock_timeout, a lock held
 * into later slow work). A fixture answers for them only where it mentions them; elsewhere they are
 * left to their own fixtures, so that each rule's fixtures stay focused.
 */
const COMPANIONS = ['lock-timeout-missing', 'locks-held-across-statements'];

/**
 * Pairs findings with expectations (rule, line, column equal; message contains the fragment) and
 * returns what is left on either side: both lists must be empty.
 */
function compare(result: FileResult, text: string): { missing: string[]; unexpected: string[] } {
  const answered = COMPANIONS.filter((id) => text.includes(id));
  const findings = result.findings.filter((f) => !COMPANIONS.includes(f.ruleId) || answered.includes(f.ruleId));
  const open = expectations(text);
  const unexpected: Finding[] = [];
  for (const f of findings) {
    const i = open.findIndex((e) => e.rule === f.ruleId && e.line === f.line && e.column === f.column && f.message.includes(e.fragment));
    if (i >= 0) open.splice(i, 1);
    else unexpected.push(f);
  }
  return {
    missing: open.map(showExpectation),
    unexpected: unexpected.map((f) => `${f.ruleId}@${f.line}:${f.column} ${f.message}`),
  };
}

const NOTHING_LEFT = { missing: [], unexpected: [] };

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
            { pgVersion: h.pgVersion ?? 15, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules(h.preset, h.enable), production: production(full, h.stats), models: await models(full, h.models), timeZone: h.timeZone },
            { path: full },
          );
          expect(compare(result, text)).toEqual(NOTHING_LEFT);
        });
      }
    }
    // models/ holds ORM model files for the fixtures' `models=` header, not migrations.
    const dirs = asDirectory ? [dir] : entries.filter((e) => e.isDirectory() && e.name !== 'models').map((e) => path.join(dir, e.name));
    for (const sub of dirs) {
      it(`${path.relative(dir, sub) || '.'}/ (migration directory)`, async () => {
        const files: string[] = [];
        walkSql(sub, files);
        // A directory runs the strict preset when any of its files asks for it.
        const headers = files.map((f) => header(fs.readFileSync(f, 'utf8')));
        const strict = headers.some((h) => h.preset === 'strict');
        const rules = presetRules(strict ? 'strict' : 'recommended', headers.flatMap((h) => h.enable ?? []));
        const editedApplied = Object.fromEntries(files.flatMap((f, i) => (headers[i].editedSinceBase ? [[f, headers[i].editedSinceBase]] : [])));
        const report = await lintPaths([sub], RULES, { ...engineOptions({ rules, timeZone: headers.find((h) => h.timeZone)?.timeZone }), pgVersionSource: 'test', detectRunner: false, editedApplied }, { cwd: ROOT });
        expect(report.fatal).toEqual([]);
        for (const file of files) {
          const rel = path.relative(ROOT, file);
          const result = report.files.find((f) => f.path === rel);
          expect(result, rel).toBeDefined();
          const text = fs.readFileSync(file, 'utf8');
          expect(compare(result as FileResult, text), rel).toEqual(NOTHING_LEFT);
        }
      });
    }
  });
}

/** The TS/JS migration fixtures (fixtures/ts/<runner>/…). */
function tsFixtureTexts(): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) visit(full);
      else if (/\.[cm]?[jt]s$/.test(e.name)) out.push(fs.readFileSync(full, 'utf8'));
    }
  };
  visit(path.join(FIXTURES, 'ts'));
  return out;
}

describe('fixture coverage', () => {
  it('every rule has failing and passing fixtures', () => {
    for (const rule of RULES) {
      const dir = path.join(FIXTURES, rule.id);
      // A rule about TS/JS migrations only (unanalyzable-sql) has its cases in fixtures/ts/ (test/ts-migrations.test.ts).
      if (!fs.existsSync(dir) && tsFixtureTexts().some((t) => t.includes(`// expect: ${rule.id}`))) continue;
      expect(fs.existsSync(dir), `fixtures/${rule.id}`).toBe(true);
      const files: string[] = [];
      walkSql(dir, files);
      const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
      expect(texts.some((t) => expectations(t).some((e) => e.rule === rule.id)), `${rule.id} has a failing fixture`).toBe(true);
      expect(files.some((f) => path.basename(f).startsWith('good-') || f.includes('/good')), `${rule.id} has a passing fixture`).toBe(true);
    }
  });
});
