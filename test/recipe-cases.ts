/**
 * Recipe proofs, part 1 (fixtures → lint targets): every failing fixture (bad-*.sql files, migration
 * directories with `-- expect:` comments), linted like test/fixtures.test.ts with pgVersion forced to
 * 18 (PGlite is PostgreSQL 18), with one ProofTarget per finding that has a safe alternative: the
 * finding, its recipe, and the history (statements that ran before the offending one).
 */
import { renderTemplates } from '../src/source/templates.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Node } from 'libpg-query';
import { analyzeSql } from '../src/engine/engine.ts';
import { lintPaths } from '../src/engine/lint.ts';
import { Schema } from '../src/analyze/schema.ts';
import { embeddedSql, initParser, parseRegion } from '../src/parse/parser.ts';
import { detectFormat, layout } from '../src/source/formats.ts';
import type { Finding } from '../src/findings/model.ts';
import { RULES } from '../rules/index.ts';
import { engineOptions, ROOT } from './helpers.ts';


export { FIXTURES, header, presetRules, type Header } from './fixture-files.ts';
import { FIXTURES, header, presetRules, walkSql, type Header } from './fixture-files.ts';

export const PROOF_PG_VERSION = 18;

// ───────────────────────────── fixtures ─────────────────────────────

export interface FixtureCase {
  /** Rule directory under fixtures/. */
  rule: string;
  /** Path relative to fixtures/<rule> ('.' for the demo directory). */
  name: string;
  /** Absolute path of the file or directory. */
  full: string;
  dir: boolean;
  /** The header's pg-version (the proof lints at 18 regardless). */
  headerVersion?: number;
}

export const SKIPPED_RULE_DIRS: Record<string, string> = {
  'parse-error': 'its fixtures are about SQL that does not parse: nothing to build or run',
};

/**
 * A templated migration (Flyway `${…}`, psql `:var`, Go `{{ }}`) is SQL only once its runner renders
 * it, so the harness cannot build its database from the file; its findings' recipes are those of the
 * rendered statements, which the plain fixtures of the same rules prove.
 */
function templated(file: string): boolean {
  const text = fs.readFileSync(file, 'utf8');
  const h = header(text);
  const readSibling = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(path.dirname(file), name), 'utf8');
    } catch {
      return undefined;
    }
  };
  return renderTemplates(text, { path: file, format: detectFormat(file, text), runner: h.runner ?? null, readSibling }) !== undefined;
}

export function fixtureCases(): FixtureCase[] {
  const out: FixtureCase[] = [];
  for (const d of fs.readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIPPED_RULE_DIRS[d.name]) continue;
    const dir = path.join(FIXTURES, d.name);
    const withExpect = (files: string[]): boolean => files.some((f) => /--\s*expect:/.test(fs.readFileSync(f, 'utf8'))) && !files.some(templated);
    if (d.name === 'demo') {
      const files: string[] = [];
      walkSql(dir, files);
      if (withExpect(files)) out.push({ rule: d.name, name: '.', full: dir, dir: true });
      continue;
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isFile() && e.name.startsWith('bad-') && e.name.endsWith('.sql') && !templated(full)) {
        out.push({ rule: d.name, name: e.name, full, dir: false, headerVersion: header(fs.readFileSync(full, 'utf8')).pgVersion });
      } else if (e.isDirectory()) {
        const files: string[] = [];
        walkSql(full, files);
        if (withExpect(files)) out.push({ rule: d.name, name: `${e.name}/`, full, dir: true });
      }
    }
  }
  return out;
}

// ───────────────────────────── statements ─────────────────────────────

export interface Stmt {
  file: string;
  text: string;
  node: Node;
  start: number;
  end: number;
  direction: 'up' | 'down';
}

export interface LintedFile {
  path: string;
  text: string;
  statements: Stmt[];
}

function fileStatements(relPath: string, text: string): Stmt[] {
  const abs = path.resolve(ROOT, relPath);
  const format = detectFormat(abs, text);
  const sib = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.join(path.dirname(abs), name), 'utf8');
    } catch {
      return undefined;
    }
  };
  const out: Stmt[] = [];
  for (const section of layout(format, abs, text, sib).sections) {
    const region = parseRegion(text, section.start, section.end);
    for (const s of region.statements) {
      out.push({ file: relPath, text: text.slice(s.span.start, s.span.end), node: s.node, start: s.span.start, end: s.span.end, direction: section.direction });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Statements inside DO blocks and PL/pgSQL function bodies (for synthesis only). */
export function embedded(stmt: { text: string; node: Node }): Node[] {
  const kind = Object.keys(stmt.node)[0];
  if (kind !== 'DoStmt' && kind !== 'CreateFunctionStmt') return [];
  const found = embeddedSql(stmt.text, stmt.text, { start: 0, end: stmt.text.length }) ?? [];
  const out: Node[] = [];
  for (const e of found) for (const s of parseRegion(e.query).statements) out.push(s.node);
  return out;
}

/** AST without positions, for "is this the same statement". */
export function astKey(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'location' || k === 'stmt_location' || k === 'stmt_len' ? undefined : v));
}

export function splitSql(sql: string): { statements: { text: string; node: Node }[]; errors: string[] } {
  const r = parseRegion(sql);
  return {
    statements: r.statements.map((s) => ({ text: sql.slice(s.span.start, s.span.end), node: s.node })),
    errors: r.errors.map((e) => e.message),
  };
}

// ───────────────────────────── linting ─────────────────────────────

export interface ProofTarget {
  id: string;
  finding: Finding;
  file: string;
  line: number;
  /** Statements that ran before the offending one, in order (transaction control removed). */
  history: Stmt[];
  /** History statements left out because a recipe step re-issues them (same AST). */
  reissued: string[];
  offending: string;
}

export interface LintedCase {
  files: LintedFile[];
  targets: ProofTarget[];
  /** Findings without a recipe (no safeAlternative or no steps), by rule. */
  withoutRecipe: string[];
}

const TX_CONTROL = new Set(['TransactionStmt']);

export async function lintCase(c: FixtureCase): Promise<LintedCase> {
  await initParser();
  const files: LintedFile[] = [];
  const findings: { file: string; f: Finding }[] = [];
  if (!c.dir) {
    const text = fs.readFileSync(c.full, 'utf8');
    const h = header(text);
    const rel = path.relative(ROOT, c.full);
    const result = analyzeSql(
      { path: c.full, text },
      new Schema(),
      RULES,
      engineOptions({ pgVersion: PROOF_PG_VERSION, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules(h.preset, h.enable) }),
    );
    files.push({ path: rel, text, statements: fileStatements(rel, text) });
    for (const f of result.findings) findings.push({ file: rel, f });
  } else {
    const all: string[] = [];
    walkSql(c.full, all);
    const strict = all.some((f) => header(fs.readFileSync(f, 'utf8')).preset === 'strict');
    const rules = presetRules(strict ? 'strict' : 'recommended');
    const report = await lintPaths([c.full], RULES, { ...engineOptions({ rules, pgVersion: PROOF_PG_VERSION }), pgVersionSource: 'test', detectRunner: false }, { cwd: ROOT });
    if (report.fatal.length) throw new Error(`lint fatal: ${JSON.stringify(report.fatal)}`);
    for (const r of report.files) {
      const text = r.text ?? fs.readFileSync(path.resolve(ROOT, r.path), 'utf8');
      files.push({ path: r.path, text, statements: fileStatements(r.path, text) });
      for (const f of r.findings) findings.push({ file: r.path, f });
    }
  }

  const targets: ProofTarget[] = [];
  const withoutRecipe: string[] = [];
  const seen = new Set<string>();
  for (const { file, f } of findings) {
    const where = `${path.relative(path.join(FIXTURES, c.rule), path.resolve(ROOT, file)) || path.basename(file)}:${f.line}`;
    if (!f.safeAlternative || f.safeAlternative.steps.length === 0) {
      withoutRecipe.push(`${where} ${f.ruleId}`);
      continue;
    }
    const fi = files.findIndex((x) => x.path === file);
    const own = files[fi].statements;
    const offending = own.find((s) => s.start <= f.start && f.start <= s.end);
    const down = f.direction === 'down';
    const history: Stmt[] = [];
    for (const lf of files.slice(0, fi)) history.push(...lf.statements.filter((s) => s.direction === 'up'));
    for (const s of own) {
      if (s === offending) continue;
      if (down ? s.direction === 'up' || s.end <= f.start : s.direction === 'up' && s.end <= f.start) history.push(s);
    }
    const stepKeys = new Set<string>();
    for (const step of f.safeAlternative.steps) for (const s of splitSql(step.sql).statements) stepKeys.add(astKey(s.node));
    const reissued: string[] = [];
    const kept = history.filter((s) => {
      const kind = Object.keys(s.node)[0];
      if (TX_CONTROL.has(kind)) return false;
      if (kind !== 'VariableSetStmt' && stepKeys.has(astKey(s.node))) {
        reissued.push(s.text);
        return false;
      }
      return true;
    });
    const key = `${file}|${offending?.start ?? f.start}|${JSON.stringify(f.safeAlternative.steps)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push({ id: `${where} ${f.ruleId}`, finding: f, file, line: f.line, history: kept, reissued, offending: offending?.text ?? '' });
  }
  return { files, targets, withoutRecipe };
}

/** The linter's replayed schema of the whole fixture (every file, history only). */
export function replaySchema(files: LintedFile[], h: Header): Schema {
  const schema = new Schema();
  for (const f of files) {
    analyzeSql(
      { path: path.resolve(ROOT, f.path), text: f.text, historyOnly: true },
      schema,
      RULES,
      engineOptions({ pgVersion: PROOF_PG_VERSION, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules(h.preset, h.enable) }),
    );
  }
  return schema;
}

