/**
 * Walks fixtures/: every `-- expect: rule-id[, rule-id]` comment must be matched by a finding that
 * starts on that line, and every finding must be expected. A first-line `-- fixture: key=value`
 * header sets pg-version, runner and assume-in-transaction. Subdirectories are migration
 * directories linted as a whole (history replayed in runner order).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../src/lint.ts';
import type { RunnerId } from '../src/analyze/runners.ts';
import type { FileResult } from '../src/model.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions, lintText, ROOT } from './helpers.ts';

const FIXTURES = path.join(ROOT, 'fixtures');

interface Header {
  pgVersion?: number;
  runner?: RunnerId;
  assumeInTransaction?: boolean;
}

function header(text: string): Header {
  const m = /^--\s*fixture:\s*(.*)$/m.exec(text);
  const h: Header = {};
  for (const pair of m?.[1].split(/\s+/) ?? []) {
    const [k, v] = pair.split('=');
    if (k === 'pg-version') h.pgVersion = Number(v);
    if (k === 'runner') h.runner = v as RunnerId;
    if (k === 'assume-in-transaction') h.assumeInTransaction = v === 'true';
  }
  return h;
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

function actual(result: FileResult): string[] {
  return result.findings.map((f) => `${f.line} ${f.ruleId}`).sort();
}

function walkSql(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walkSql(full, out);
    else if (e.name.endsWith('.sql')) out.push(full);
  }
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
          const result = await lintText(text, { pgVersion: h.pgVersion ?? 15, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction }, { path: full });
          expect(actual(result)).toEqual(expectations(text));
        });
      }
    }
    const dirs = asDirectory ? [dir] : entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
    for (const sub of dirs) {
      it(`${path.relative(dir, sub) || '.'}/ (migration directory)`, async () => {
        const report = await lintPaths([sub], RULES, { ...engineOptions(), pgVersionSource: 'test', detectRunner: false }, { cwd: ROOT });
        const files: string[] = [];
        walkSql(sub, files);
        expect(report.fatal).toEqual([]);
        for (const file of files) {
          const rel = path.relative(ROOT, file);
          const result = report.files.find((f) => f.path === rel);
          expect(result, rel).toBeDefined();
          expect(actual(result as FileResult), rel).toEqual(expectations(fs.readFileSync(file, 'utf8')));
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
