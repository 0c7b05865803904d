/**
 * The plugin's contract: for every fixture (SQL and TS/JS), ESLint's findings equal the CLI's —
 * same rule, line, column, end line and end column. The CLI is the built one (dist/cli.cjs, as a
 * process, --format json); ESLint is the real ESLint class with the plugin's own configs, run over
 * the same files with the same options (the fixture header as settings.zerodown).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/eslint/plugin.ts';
import { RULES } from '../rules/index.ts';
import { FIXTURES, header, presetRules, type Header } from './fixture-files.ts';
import { ROOT } from './helpers.ts';

/**
 * ESLint does not run the ORM model check (docs/eslint.md), so the CLI is compared with it off: run
 * from this repository, the model check would otherwise read the fixtures' own model files as the
 * application's models.
 */
const NO_MODELS_CONFIG = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zd-eq-')), 'zerodown.config.json');
fs.writeFileSync(NO_MODELS_CONFIG, '{ "models": false }\n');

interface CliFinding {
  ruleId: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const show = (f: CliFinding): string => `${f.ruleId}@${f.line}:${f.column}-${f.endLine}:${f.endColumn}`;

/** One run: a set of files linted with the same header options (a migration directory, or lone files of a rule's fixtures). */
interface Run {
  name: string;
  /** Paths given to the CLI (files, or one directory). */
  args: string[];
  /** Files whose findings are compared. */
  files: string[];
  header: Header;
}

function runs(): Run[] {
  const out: Run[] = [];
  const scriptOrSql = /\.(sql|[cm]?[jt]s)$/;
  const walk = (d: string, acc: string[]): string[] => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full, acc);
      else if (scriptOrSql.test(e.name) && !e.name.endsWith('.d.ts')) acc.push(full);
    }
    return acc;
  };
  const mergedHeader = (files: string[]): Header => {
    const hs = files.filter((f) => f.endsWith('.sql')).map((f) => header(fs.readFileSync(f, 'utf8')));
    return { ...Object.assign({}, ...hs), preset: hs.some((h) => h.preset === 'strict') ? 'strict' : undefined, enable: hs.flatMap((h) => h.enable ?? []) };
  };
  for (const d of fs.readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = path.join(FIXTURES, d.name);
    if (d.name === 'demo' || d.name === 'ts') {
      const subs = d.name === 'ts' ? fs.readdirSync(dir).map((s) => path.join(dir, s)) : [dir];
      for (const sub of subs) {
        const files = walk(sub, []);
        out.push({ name: path.relative(FIXTURES, sub), args: [sub], files, header: mergedHeader(files) });
      }
      continue;
    }
    // Lone files of a rule: grouped by header; each is linted by name (earlier siblings are its history in both).
    const groups = new Map<string, string[]>();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith('.sql')) continue;
      const full = path.join(dir, e.name);
      const key = JSON.stringify(header(fs.readFileSync(full, 'utf8')));
      groups.set(key, [...(groups.get(key) ?? []), full]);
    }
    for (const [key, files] of groups) out.push({ name: `${d.name} ${key}`, args: files, files, header: JSON.parse(key) as Header });
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const sub = path.join(dir, e.name);
      const files = walk(sub, []);
      out.push({ name: path.relative(FIXTURES, sub), args: [sub], files, header: mergedHeader(files) });
    }
  }
  return out;
}

function cliFindings(run: Run, statsDir: string): Map<string, string[]> {
  const h = run.header;
  const args = [path.join(ROOT, 'dist/cli.cjs'), ...run.args.map((a) => path.relative(ROOT, a)), '--format', 'json', '--no-cache', '--pg-version', String(h.pgVersion ?? 15)];
  args.push('--config', NO_MODELS_CONFIG);
  if (h.runner) args.push('--runner', h.runner);
  if (h.assumeInTransaction !== undefined) args.push(h.assumeInTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction');
  if (h.stats) args.push('--stats', path.relative(ROOT, path.join(statsDir, h.stats)));
  for (const [id, level] of presetRules(h.preset, h.enable)) args.push('--rule', `${id}=${level === 'warning' ? 'warn' : level}`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  expect(r.status === 0 || r.status === 1, `${run.name}: CLI exit ${r.status}: ${r.stderr}`).toBe(true);
  const report = JSON.parse(r.stdout) as { files: { path: string; findings: CliFinding[] }[] };
  return new Map(report.files.map((f) => [path.resolve(ROOT, f.path), f.findings.map(show).sort()]));
}

async function eslintFindings(run: Run, statsDir: string): Promise<Map<string, string[]>> {
  const h = run.header;
  const rules: Linter.RulesRecord = {};
  for (const [id, level] of presetRules(h.preset, h.enable)) rules[`zerodown/${id}`] = level === 'warning' ? 'warn' : level;
  const settings = {
    zerodown: { pgVersion: h.pgVersion ?? 15, runner: h.runner, assumeInTransaction: h.assumeInTransaction, stats: h.stats ? path.join(statsDir, h.stats) : undefined, cache: false },
  };
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.{ts,mts,cts}'], languageOptions: { parser: tseslint.parser } },
      { files: ['**/*.{js,mjs,cjs,ts,mts,cts}'], plugins: { zerodown: plugin }, rules, settings },
      { files: ['**/*.sql'], plugins: { zerodown: plugin }, language: 'zerodown/postgres', rules, settings },
    ],
  });
  const results = await eslint.lintFiles(run.files);
  return new Map(
    results.map((r) => [
      r.filePath,
      r.messages.map((m) => show({ ruleId: m.ruleId?.replace(/^zerodown\//, '') ?? `fatal: ${m.message}`, line: m.line, column: m.column, endLine: m.endLine ?? 0, endColumn: m.endColumn ?? 0 })).sort(),
    ]),
  );
}

/** Findings compared so far, by kind of file: the equality must not hold vacuously. */
const compared = { sql: 0, script: 0 };

describe('ESLint findings equal the CLI findings on every fixture', () => {
  for (const run of runs()) {
    it(run.name, async () => {
      const statsDir = path.dirname(run.files[0] ?? run.args[0]);
      const cli = cliFindings(run, statsDir);
      const lint = await eslintFindings(run, statsDir);
      for (const file of run.files) {
        const rel = path.relative(ROOT, file);
        // A TS/JS helper beside the migrations (no up/down) is not reported by the CLI.
        expect(lint.get(file) ?? [], rel).toEqual(cli.get(file) ?? []);
        compared[file.endsWith('.sql') ? 'sql' : 'script'] += cli.get(file)?.length ?? 0;
      }
    });
  }

  it('compared real findings of both kinds (SQL and TS/JS)', () => {
    expect(compared.sql).toBeGreaterThan(RULES.length);
    expect(compared.script).toBeGreaterThan(10);
  });
});
