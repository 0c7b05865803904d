/**
 * TS/JS migrations: fixtures/ts/<runner>/ are migration directories linted as a whole (history
 * replayed from the earlier TS files); every `// expect: rule-id@line:column "fragment"` comment
 * (`-- expect:` inside SQL text; the form of fixtures/README.md) must be matched by one finding and
 * every finding must be expected (companion warnings as in fixtures.test.ts). Then the template text map, the extract contract and --fix in template raw form.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../src/engine/lint.ts';
import type { FileResult, Finding } from '../src/findings/model.ts';
import { cookInto, escapeForLiteral, SqlBuilder } from '../src/source/ts/sql-builder.ts';
import { RULES } from '../rules/index.ts';
import { expectations, FIXTURES, presetRules, showExpectation } from './fixture-files.ts';
import { CLI, engineOptions, ROOT } from './helpers.ts';

const TS_FIXTURES = path.join(FIXTURES, 'ts');
const COMPANIONS = ['lock-timeout-missing', 'locks-held-across-statements'];

/** Findings as `rule@line:column message`, companions left out unless the file names them (as fixtures.test.ts). */
function actual(result: FileResult, text: string): Finding[] {
  const answered = COMPANIONS.filter((id) => text.includes(id));
  return result.findings.filter((f) => !f.direction && (!COMPANIONS.includes(f.ruleId) || answered.includes(f.ruleId)));
}

/** Every expectation met by exactly one finding (rule, line, column, message fragment), no finding left over. */
function compare(result: FileResult, text: string): { missing: string[]; unexpected: string[] } {
  const open = expectations(text);
  const unexpected: string[] = [];
  for (const f of actual(result, text)) {
    const i = open.findIndex((e) => e.rule === f.ruleId && e.line === f.line && e.column === f.column && f.message.includes(e.fragment));
    if (i >= 0) open.splice(i, 1);
    else unexpected.push(`${f.ruleId}@${f.line}:${f.column} ${f.message}`);
  }
  return { missing: open.map(showExpectation), unexpected };
}

async function lintDir(dir: string): Promise<Awaited<ReturnType<typeof lintPaths>>> {
  return lintPaths([dir], RULES, { ...engineOptions({ rules: presetRules('recommended') }), pgVersionSource: 'test', detectRunner: false }, { cwd: ROOT });
}

describe('fixtures/ts (one migration directory per runner)', () => {
  for (const runner of fs.readdirSync(TS_FIXTURES)) {
    it(runner, async () => {
      const dir = path.join(TS_FIXTURES, runner);
      const report = await lintDir(dir);
      expect(report.fatal).toEqual([]);
      const files = fs.readdirSync(dir).filter((f) => /\.[cm]?[jt]s$/.test(f));
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) {
        const rel = path.relative(ROOT, path.join(dir, f));
        const result = report.files.find((r) => r.path === rel);
        expect(result, rel).toBeDefined();
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        expect(compare(result as FileResult, text), rel).toEqual({ missing: [], unexpected: [] });
      }
    });
  }
});

describe('template literal text map', () => {
  it('cooks escapes, CRLF and non-ASCII, keeping each character\'s source range', () => {
    // Source of a template body: a\`b, CRLF, \u00e9, an emoji, \x41 and a line continuation.
    const src = 'a\\`b\r\n\\u00e9😀\\x41\\\nz';
    const b = new SqlBuilder([{ kind: 'template' }]);
    cookInto(b, src, 0, src.length, 0, true);
    expect(b.text).toBe('a`b\né😀Az');
    // The backtick comes from the two-character escape \`.
    expect([b.starts[1], b.ends[1]]).toEqual([1, 3]);
    // CRLF is one LF spanning both source characters.
    expect([b.starts[3], b.ends[3]]).toEqual([4, 6]);
    // \u00e9 spans six source characters; the emoji's two code units map to the same pair.
    expect([b.starts[4], b.ends[4]]).toEqual([6, 12]);
    expect([b.starts[5], b.starts[6], b.ends[6]]).toEqual([12, 12, 14]);
    expect([b.starts[7], b.ends[7]]).toEqual([14, 18]);
    // The line continuation contributes nothing: z follows A directly.
    expect(src[b.starts[8]]).toBe('z');
  });

  it('re-escapes inserted text into each literal form', () => {
    expect(escapeForLiteral('a`b${c}\\', 'template')).toBe('a\\`b\\${c}\\\\');
    expect(escapeForLiteral("it's\n", 'single')).toBe("it\\'s\\n");
  });
});

describe('positions in TS migrations', () => {
  it('reports the token inside a template after escapes and non-ASCII, and a whole ${…} as dynamic', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-ts-pos-'));
    const mig = path.join(dir, 'migrations');
    fs.mkdirSync(mig);
    const file = path.join(mig, '1700000000000-Pos.ts');
    const source = [
      "import { MigrationInterface, QueryRunner } from 'typeorm';",
      'export class Pos1700000000000 implements MigrationInterface {',
      '  async up(queryRunner: QueryRunner, table: string): Promise<void> {',
      '    await queryRunner.query(`-- café \\u00e9 😀',
      '      CREATE INDEX "idx" ON "t" ("a")`);',
      '    if (table) await queryRunner.query(`ALTER TABLE ${table} ALTER COLUMN "a" SET NOT NULL`);',
      '  }',
      '}',
      '',
    ].join('\r\n');
    fs.writeFileSync(file, source);
    const report = await lintPaths([mig], RULES, { ...engineOptions({ rules: presetRules('recommended') }), pgVersionSource: 'test', detectRunner: false }, { cwd: dir });
    const findings = report.files[0].findings;
    const index = findings.find((f) => f.ruleId === 'index-not-concurrent');
    // CREATE INDEX starts line 5, column 7 (after six spaces), whatever the escapes and emoji before it.
    expect(index && [index.line, index.column, index.endLine, index.endColumn]).toEqual([5, 7, 5, 19]);
    const notNull = findings.find((f) => f.ruleId === 'set-not-null-scan');
    expect(notNull?.conditional).toBe(true);
    expect(notNull?.message).toContain('runs only under a condition');
    // Reported on its ALTER TABLE subcommand, as for a .sql file, not on the placeholder.
    expect(notNull?.line).toBe(6);
    expect(source.split('\r\n')[5].slice((notNull?.column ?? 1) - 1, (notNull?.endColumn ?? 1) - 1)).toBe('ALTER COLUMN "a" SET NOT NULL');
    // A finding about the interpolated table covers the whole ${…} and says so.
    expect(notNull?.message).toContain('${table}');
  });
});

describe('zerodown extract (CLI)', () => {
  it('prints the fixed JSON contract with origins, lines and marks', () => {
    const run = spawnSync(process.execPath, [CLI, 'extract', 'fixtures/ts/typeorm', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { files: { path: string; runner: string; statements: Record<string, unknown>[] }[] };
    const file = json.files.find((f) => f.path.endsWith('1700000000001-AddProfile.ts'));
    expect(file?.runner).toBe('typeorm');
    expect(file?.statements[0]).toEqual({ line: 8, column: 11, sql: 'ALTER TABLE "users" ADD "age" int NOT NULL', origin: 'builder', dynamic: false, conditional: false });
    expect(file?.statements.map((s) => s.sql)).toContain('ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL');
    const raw = file?.statements.find((s) => s.origin === 'raw');
    expect(raw).toMatchObject({ line: 12, column: 8 });
    // A multi-statement knex.raw template yields one entry per statement, each on its own line.
    const knex = spawnSync(process.execPath, [CLI, 'extract', 'fixtures/ts/knex/20240102000000_alter_links.js'], { cwd: ROOT, encoding: 'utf8' });
    const stmts = (JSON.parse(knex.stdout) as typeof json).files[0].statements;
    expect(stmts.filter((s) => s.origin === 'raw').map((s) => [s.line, s.sql])).toEqual([
      [10, 'ALTER TABLE links ADD COLUMN owner_id bigint'],
      [11, 'ALTER TABLE links ALTER COLUMN target TYPE varchar(100)'],
    ]);
  });
});

describe('--fix in TS migrations', () => {
  it('rewrites inside the string literal, re-escaped, and a second run changes nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-ts-fix-'));
    fs.mkdirSync(path.join(dir, 'migrations'));
    fs.writeFileSync(path.join(dir, 'migrations', '20240101000000_create.js'), "exports.up = (knex) => knex.raw('CREATE TABLE links (id int, target text)');\nexports.down = () => {};\n");
    const file = path.join(dir, 'migrations', '20240102000000_index.js');
    fs.writeFileSync(file, "exports.config = { transaction: false };\nexports.up = async (knex) => {\n  await knex.raw('CREATE INDEX links_target ON links (target)');\n};\nexports.down = async () => {};\n");
    const first = spawnSync(process.execPath, [CLI, 'migrations', '--fix', '--no-cache', '--format', 'compact', '--runner', 'knex'], { cwd: dir, encoding: 'utf8' });
    expect(first.stderr).toContain('fixed');
    const fixed = fs.readFileSync(file, 'utf8');
    expect(fixed).toContain("knex.raw('CREATE INDEX CONCURRENTLY links_target ON links (target)')");
    const second = spawnSync(process.execPath, [CLI, 'migrations', '--fix', '--no-cache', '--format', 'compact', '--runner', 'knex'], { cwd: dir, encoding: 'utf8' });
    expect(second.stderr).not.toContain('fixed');
    expect(fs.readFileSync(file, 'utf8')).toBe(fixed);
  });
});

describe('lintFileSync (editor entry point)', () => {
  it('lints an unsaved buffer synchronously against the history on disk', async () => {
    const { prepareLintFile, lintFileSync } = await import('../src/engine/lint-file.ts');
    await prepareLintFile();
    const file = path.join(TS_FIXTURES, 'typeorm', '1700000000002-ConcurrentIndex.ts');
    const buffer = fs.readFileSync(file, 'utf8').replace('await queryRunner.query(`DROP INDEX', 'await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "legacy_name"`);\n    await queryRunner.query(`DROP INDEX');
    const options = { ...engineOptions({ rules: presetRules('recommended') }), pgVersionSource: 'test', detectRunner: false };
    const { result, errors } = lintFileSync(file, buffer, RULES, options, ROOT);
    expect(errors).toEqual([]);
    const drop = result?.findings.find((f) => f.ruleId === 'drop-column');
    // users.legacy_name exists only through the earlier TS migration replayed from disk.
    expect(drop?.message).toContain('legacy_name');
    expect(drop && buffer.slice(drop.start, drop.end)).toMatch(/^DROP COLUMN "legacy_name"/);
  });
});
