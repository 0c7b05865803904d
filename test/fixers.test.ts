/**
 * Every fixer has expected-output tests (input file → exact fixed text, written by hand from the
 * PostgreSQL grammar: CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name], DROP INDEX
 * [CONCURRENTLY] [IF EXISTS], ADD table_constraint [NOT VALID]) and is idempotent: a second --fix
 * changes nothing, and linting the fixed file reports no finding that the original did not have.
 * Runs the built CLI on files in temporary directories, as a user would.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseRegion } from '../src/parse/parser.ts';
import { FIXTURES, header, presetRules, walkSql } from './fixture-files.ts';
import { CLI, lintText } from './helpers.ts';

let dir: string | undefined;
beforeAll(() => initParser());
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function zerodown(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** "rule@line" of every finding, sorted. */
function findings(r: Run): string[] {
  const report = JSON.parse(r.stdout) as { files: { findings: { ruleId: string; line: number }[] }[] };
  return report.files.flatMap((f) => f.findings.map((x) => x.ruleId)).sort();
}

interface FixCase {
  name: string;
  file: string;
  input: string;
  /** Exact text after --fix (the input itself when the rewrite is not mechanical). */
  fixed: string;
  args?: string[];
  /** The rule the fixer belongs to: gone after the fix (unless the input is left alone). */
  rule: string;
}

/** Other fixers stay out of the way unless a case is about them. */
const ONLY = (rule: string): string[] =>
  ['lock-timeout-missing', 'index-not-concurrent', 'drop-index-not-concurrent', 'constraint-validation-scan']
    .filter((r) => r !== rule)
    .flatMap((r) => ['--rule', `${r}=off`]);

const CASES: FixCase[] = [
  {
    name: 'CREATE INDEX gains CONCURRENTLY after INDEX, also with UNIQUE and IF NOT EXISTS',
    rule: 'index-not-concurrent',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input: 'CREATE INDEX users_email_idx ON users (email);\ncreate unique index if not exists users_handle_key on users (lower(handle)); -- keep\n',
    fixed: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\ncreate unique index CONCURRENTLY if not exists users_handle_key on users (lower(handle)); -- keep\n',
  },
  {
    name: 'CREATE INDEX inside an explicit transaction is left alone (CONCURRENTLY would fail there)',
    rule: 'index-not-concurrent',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input: 'BEGIN;\nCREATE INDEX users_email_idx ON users (email);\nCOMMIT;\n',
    fixed: 'BEGIN;\nCREATE INDEX users_email_idx ON users (email);\nCOMMIT;\n',
  },
  {
    name: 'goose: CONCURRENTLY plus the NO TRANSACTION annotation when the file holds only index statements',
    rule: 'index-not-concurrent',
    file: 'db/00001_idx.sql',
    input: '-- +goose Up\nCREATE INDEX orders_created_idx ON orders (created_at);\n',
    fixed: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\n',
  },
  {
    name: 'dbmate: CONCURRENTLY plus transaction:false on the migrate:up marker',
    rule: 'index-not-concurrent',
    file: 'db/migrations/20240101000000_idx.sql',
    input: '-- migrate:up\nCREATE INDEX orders_created_idx ON orders (created_at);\n\n-- migrate:down\nDROP INDEX orders_created_idx;\n',
    fixed: '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at);\n\n-- migrate:down\nDROP INDEX orders_created_idx;\n',
  },
  {
    name: 'DROP INDEX gains CONCURRENTLY before IF EXISTS',
    rule: 'drop-index-not-concurrent',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input: 'DROP INDEX IF EXISTS users_old_idx;\nDROP INDEX public.users_older_idx;\n',
    fixed: 'DROP INDEX CONCURRENTLY IF EXISTS users_old_idx;\nDROP INDEX CONCURRENTLY public.users_older_idx;\n',
  },
  {
    name: 'DROP INDEX of two indexes or with CASCADE is left alone (CONCURRENTLY allows neither)',
    rule: 'drop-index-not-concurrent',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input: 'DROP INDEX a_idx, b_idx;\nDROP INDEX c_idx CASCADE;\n',
    fixed: 'DROP INDEX a_idx, b_idx;\nDROP INDEX c_idx CASCADE;\n',
  },
  {
    name: 'a named foreign key and CHECK become NOT VALID plus a VALIDATE statement of their own',
    rule: 'constraint-validation-scan',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input:
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n' +
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);\n',
    fixed:
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n' +
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n' +
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n' +
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n',
  },
  {
    name: 'an unnamed constraint, or one inside a transaction, is left alone',
    rule: 'constraint-validation-scan',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input: 'ALTER TABLE orders ADD CHECK (total >= 0);\nBEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\nCOMMIT;\n',
    fixed: 'ALTER TABLE orders ADD CHECK (total >= 0);\nBEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\nCOMMIT;\n',
  },
  {
    name: "lock_timeout is set once, before the first locking statement, with that statement's indentation",
    rule: 'lock-timeout-missing',
    file: 'schema.sql',
    args: ['--runner', 'psql'],
    input: '-- add columns\n    ALTER TABLE users ADD COLUMN note text;\nALTER TABLE users ADD COLUMN flag boolean;\n',
    fixed: "-- add columns\n    SET lock_timeout = '2s';\n    ALTER TABLE users ADD COLUMN note text;\nALTER TABLE users ADD COLUMN flag boolean;\n",
  },
];

describe('fixers: expected output and idempotence', () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.name}`, () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-fixers-'));
      dir = tmp;
      const file = path.join(tmp, c.file);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, c.input);
      const args = [...(c.args ?? []), ...ONLY(c.rule), c.file];
      const before = zerodown(args);
      expect(findings(before), 'the input triggers the rule').toContain(c.rule);

      const first = zerodown(['--fix', ...args]);
      const fixed = fs.readFileSync(file, 'utf8');
      expect(fixed).toBe(c.fixed);
      expect(parseRegion(fixed).errors).toEqual([]);
      const after = findings(first);
      if (c.fixed !== c.input) expect(after, 'the fixed rule is gone').not.toContain(c.rule);
      // No finding the original did not have (a fix must not trade one hazard for another).
      for (const id of new Set(after)) expect(after.filter((x) => x === id).length, id).toBeLessThanOrEqual(findings(before).filter((x) => x === id).length);

      // Fixing twice = fixing once.
      const second = zerodown(['--fix', ...args]);
      expect(second.stderr).toBe('');
      expect(fs.readFileSync(file, 'utf8')).toBe(fixed);
      expect(findings(second)).toEqual(after);
    });
  }

  it('covers every rule that offers a fix on the fixtures', async () => {
    // Which rules attach a fix is read from their findings on every fixture file, not from their source.
    const files: string[] = [];
    walkSql(FIXTURES, files);
    const fixers = new Set<string>();
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const h = header(text);
      const result = await lintText(text, { pgVersion: h.pgVersion ?? 15, runner: h.runner ?? null, assumeInTransaction: h.assumeInTransaction, rules: presetRules('strict') }, { path: f });
      for (const x of result.findings) if (x.fix) fixers.add(x.ruleId);
    }
    expect(fixers.size).toBeGreaterThan(0);
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual([...fixers].sort());
  });
});
