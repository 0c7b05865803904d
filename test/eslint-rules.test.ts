/**
 * ESLint's RuleTester on the plugin's rules: exact ranges (1-based, end exclusive) on .sql files
 * through the zerodown/postgres language, on multi-line statements, on JS/TS migrations (template
 * literals, interpolations, builders), eslint-disable and zerodown-ignore comments, autofix output.
 * Every file is linted against a history on disk (000_history.sql in a temp directory), as an editor
 * buffer is. Positions were counted by hand on the code below (noted beside each case); every
 * rule's documented good example is a valid case of that rule, and every rule the plugin exposes has
 * an invalid case (checked below). Fixed and suggested SQL is parsed by the real parser, and the
 * autofixes are run on PGlite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/eslint/plugin.ts';
import { RULES } from '../rules/index.ts';
import { parseRegion } from '../src/parse/parser.ts';
import { covered, dir, file, has, js, ONE, produced, runRule, settings, sql, ts } from './eslint-rule-kit.ts';
// Every rule the plugin exposes, one invalid case each (side effects: RuleTester cases).
import './eslint-cases-a.ts';
import './eslint-cases-b.ts';
import './eslint-cases-c.ts';

runRule(sql, 'drop-column (.sql)', 'drop-column', {
  valid: [
    { filename: file('001_a.sql'), code: 'ALTER TABLE users ADD COLUMN nickname text;\n' },
    // ESLint's own directive, read from a SQL comment (RuleTester renames the rule, so it names none;
    // the end-to-end test names zerodown/<rule-id>).
    { filename: file('001_b.sql'), code: '-- eslint-disable-next-line -- dropped after the v41 deploy\nALTER TABLE users DROP COLUMN legacy;\n' },
    // zerodown's directive, honoured as by the CLI.
    { filename: file('001_c.sql'), code: '-- zerodown-ignore drop-column -- the code stopped reading it in v41\nALTER TABLE users DROP COLUMN legacy;\n' },
  ],
  invalid: [
    {
      // "ALTER TABLE users " is 18 characters: DROP at 19; "DROP COLUMN legacy" (18) ends before 37.
      filename: file('001_d.sql'),
      code: 'ALTER TABLE users DROP COLUMN legacy;\n',
      errors: [{ messageId: 'finding', line: 1, column: 19, endLine: 1, endColumn: 37, suggestions: ONE }],
    },
    {
      // A column of a table the history does not know is still flagged on its own line.
      filename: file('001_e.sql'),
      code: 'SELECT 1;\n\nALTER TABLE users\n  DROP COLUMN email;\n',
      errors: [{ messageId: 'finding', line: 4, column: 3, endLine: 4, endColumn: 20, suggestions: ONE }],
    },
  ],
});

runRule(sql, 'index-not-concurrent (.sql, multi-line statement)', 'index-not-concurrent', {
  valid: [{ filename: file('001_f.sql'), code: 'CREATE INDEX CONCURRENTLY users_email_idx\n  ON users (email);\n' }],
  invalid: [
    {
      // The statement's keyword, "CREATE INDEX" (12 characters); the fix adds CONCURRENTLY after INDEX.
      filename: file('001_g.sql'),
      code: 'CREATE INDEX users_email_idx\n  ON users (email);\n',
      output: 'CREATE INDEX CONCURRENTLY users_email_idx\n  ON users (email);\n',
      errors: [
        {
          messageId: 'finding',
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 13,
          // The recipe replaces the statement: the concurrent build (two scans under SHARE UPDATE
          // EXCLUSIVE), and the cleanup of the INVALID index a failed concurrent build leaves
          // (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
          suggestions: [
            {
              messageId: 'recipe',
              data: { summary: 'Build the index with CONCURRENTLY, outside any transaction.' },
              output: [
                '-- Build the index without blocking writes (two table scans; SHARE UPDATE EXCLUSIVE) (outside a transaction block)',
                'CREATE INDEX CONCURRENTLY users_email_idx',
                '  ON users (email);',
                '-- If the build fails or is cancelled it leaves an INVALID index: drop it and retry (outside a transaction block)',
                'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;',
                '',
              ].join('\n'),
            },
          ],
        },
      ],
    },
  ],
});

runRule(sql, 'add-column-rewrite: rule options override settings.zerodown (pgVersion)', 'add-column-rewrite', {
  // PostgreSQL 11 stores a constant default in the catalog; 10 rewrites the table to fill it.
  valid: [{ filename: file('001_h.sql'), code: 'ALTER TABLE users ADD COLUMN flag boolean DEFAULT true;\n' }],
  invalid: [
    {
      // "ADD COLUMN flag boolean DEFAULT true" (36 characters) after "ALTER TABLE users ".
      filename: file('001_i.sql'),
      code: 'ALTER TABLE users ADD COLUMN flag boolean DEFAULT true;\n',
      options: [{ pgVersion: 10 }],
      errors: [{ messageId: 'finding', line: 1, column: 19, endLine: 1, endColumn: 55, suggestions: ONE }],
    },
  ],
});

runRule(js, 'drop-column and column-type-rewrite (Knex, interpolated template literals)', 'drop-column', {
  valid: [{ filename: file('002_a.js'), code: 'exports.up = async (knex) => {\n  await knex.raw(`ALTER TABLE links ADD COLUMN x text`);\n};\nexports.down = async () => {};\n' }],
  invalid: [
    {
      // "  await knex.raw(`" is 18 characters, "ALTER TABLE links " 18 more: DROP at 37; "DROP COLUMN ${col}" (18) ends before 55.
      filename: file('002_b.js'),
      code: 'exports.up = async (knex, col) => {\n  await knex.raw(`ALTER TABLE links DROP COLUMN ${col}`);\n};\nexports.down = async () => {};\n',
      errors: [{ messageId: 'finding', line: 2, column: 37, endLine: 2, endColumn: 55 }],
    },
  ],
});

runRule(js, 'column-type-rewrite (Knex raw)', 'column-type-rewrite', {
  valid: [],
  invalid: [
    {
      // The ALTER COLUMN subcommand at 37; "ALTER COLUMN note TYPE varchar(10)" (34) ends before 71.
      filename: file('002_c.js'),
      code: 'exports.up = async (knex) => {\n  await knex.raw(`ALTER TABLE links ALTER COLUMN note TYPE varchar(10)`);\n};\nexports.down = async () => {};\n',
      errors: [{ messageId: 'finding', line: 2, column: 37, endLine: 2, endColumn: 71 }],
    },
  ],
});

runRule(js, 'index-not-concurrent (Knex, multi-line template)', 'index-not-concurrent', {
  valid: [],
  invalid: [
    {
      // Third line of the file, four spaces in: CREATE at 5, "CREATE INDEX" ends before 17.
      filename: file('002_d.js'),
      code: 'exports.up = async (knex) => {\n  await knex.raw(`\n    CREATE INDEX links_target_idx\n      ON links (target);\n  `);\n};\nexports.down = async () => {};\n',
      errors: [{ messageId: 'finding', line: 3, column: 5, endLine: 3, endColumn: 17 }],
    },
  ],
});

runRule(ts, 'index-not-concurrent (TypeORM, typescript-eslint parser)', 'index-not-concurrent', {
  valid: [],
  invalid: [
    {
      // "    await queryRunner.query(`" is 29 characters: CREATE at 30, "CREATE INDEX" ends before 42.
      filename: file('1700000000003-AddIdx.ts'),
      code: [
        "import { MigrationInterface, QueryRunner } from 'typeorm';",
        'export class AddIdx1700000000003 implements MigrationInterface {',
        '  public async up(queryRunner: QueryRunner): Promise<void> {',
        '    await queryRunner.query(`CREATE INDEX "users_email_idx" ON "users" ("email")`);',
        '  }',
        '  public async down(): Promise<void> {}',
        '}',
        '',
      ].join('\n'),
      errors: [{ messageId: 'finding', line: 4, column: 30, endLine: 4, endColumn: 42 }],
    },
  ],
});

/**
 * Rules whose findings come from repository facts an editor buffer does not have, so ESLint cannot
 * report them (docs/eslint.md): they run in the CLI and the GitHub Action.
 */
const REPOSITORY_FACT_RULES: Readonly<Record<string, string>> = {
  'edited-applied-migration': 'needs the base revision of a pull request (--changed-since, the Action)',
  'model-stale-ignore': 'needs the ORM models at the deployed revision (the model check; not read by the plugin yet)',
};

describe('RuleTester coverage', () => {
  it('every rule the plugin exposes has an invalid case in this file, except those that need repository facts', () => {
    expect(Object.keys(plugin.rules).filter((id) => !covered.has(id) && !(id in REPOSITORY_FACT_RULES))).toEqual([]);
    for (const id of Object.keys(REPOSITORY_FACT_RULES)) expect(plugin.rules).toHaveProperty(id);
  });
});

describe('fixed and suggested SQL is SQL PostgreSQL accepts', () => {
  it('the real parser reads every fix output and suggestion output without an error', () => {
    expect(produced.length).toBeGreaterThan(30);
    const errors = produced.flatMap((p) => parseRegion(p.sql).errors.map((e) => `${p.rule} (${p.kind}): ${e.message}`));
    expect(errors).toEqual([]);
  });

  it('every autofix output runs on PGlite against tables shaped like the cases', async () => {
    const fixes = produced.filter((p) => p.kind === 'fix');
    expect(fixes.map((f) => f.rule).sort()).toEqual(['constraint-validation-scan', 'drop-index-not-concurrent', 'index-not-concurrent', 'index-not-concurrent', 'lock-timeout-missing']);
    const db = await PGlite.create();
    try {
      for (const [i, f] of fixes.entries()) {
        // Each fix in a schema of its own (one PGlite start is seconds; a clone per fix would be as slow).
        await db.exec(`
          CREATE SCHEMA fix${i};
          SET search_path = fix${i};
          CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);
          CREATE TABLE orders (id bigint PRIMARY KEY, total integer, status text);
          CREATE INDEX orders_status_idx ON orders (status);`);
        // One statement per call: PostgreSQL runs a multi-statement query as one transaction, which CONCURRENTLY refuses.
        for (const statement of parseRegion(f.sql).statements) await db.exec(f.sql.slice(statement.span.start, statement.span.end));
      }
    } finally {
      await db.close();
    }
  }, 180_000);
});

// Every rule: its documented good example raises nothing of that rule (examples needing more than a lone file excepted).
for (const r of RULES) {
  if (r.docs.examplesNeed || r.docs.history) continue;
  runRule(sql, `${r.id}: documented good example`, r.id, { valid: [{ filename: file(`003_${r.id}.sql`), code: r.docs.good }], invalid: [] });
}

describe('ESLint comments in .sql files (zerodown/postgres)', () => {
  const linter = new Linter({ configType: 'flat', cwd: dir });
  const config: Linter.Config[] = [{ files: ['**/*.sql'], plugins: { zerodown: plugin }, language: 'zerodown/postgres', rules: { 'zerodown/drop-column': 'error' }, settings }];
  const lint = (code: string): string[] => linter.verify(code, config, { filename: file('005_comments.sql') }).map((m) => `${m.ruleId}@${m.line}:${m.column} ${m.severity}`);
  const drop = 'ALTER TABLE users DROP COLUMN legacy;';

  it('reports without comments', () => expect(lint(`${drop}\n`)).toEqual(['zerodown/drop-column@1:19 2']));
  it('eslint-disable-next-line naming the rule', () => expect(lint(`-- eslint-disable-next-line zerodown/drop-column\n${drop}\n`)).toEqual([]));
  it('eslint-disable-line at the end of the statement', () => expect(lint(`${drop} -- eslint-disable-line zerodown/drop-column\n`)).toEqual([]));
  it('a block comment disabling the rule for the rest of the file', () => expect(lint(`/* eslint-disable zerodown/drop-column */\nSELECT 1;\n${drop}\n`)).toEqual([]));
  // (and ESLint reports the directive as unused, at its comment)
  it('eslint-disable naming another rule leaves it on', () => expect(lint(`-- eslint-disable-next-line zerodown/drop-table\n${drop}\n`)).toEqual(['null@1:1 1', 'zerodown/drop-column@2:19 2']));
  it('inline rule configuration', () => expect(lint(`-- eslint zerodown/drop-column: "warn"\n${drop}\n`)).toEqual(['zerodown/drop-column@2:19 1']));
});

describe('options through resolveOptions', () => {
  const linter = new Linter({ configType: 'flat', cwd: dir });
  const lintWith = (zerodown: Record<string, unknown>, name = '006_options.sql'): string[] =>
    linter
      .verify('ALTER TABLE users DROP COLUMN legacy;\n', [{ files: ['**/*.sql'], plugins: { zerodown: plugin }, language: 'zerodown/postgres', rules: { 'zerodown/drop-column': 'error' }, settings: { zerodown } }], { filename: file(name) })
      .map((m) => `${m.ruleId}@${m.line}:${m.column}`);

  it('a bad setting is one error naming settings.zerodown, not a command-line flag', () => {
    expect(() => lintWith({ pgVersion: 9, cache: false })).toThrow(/^settings\.zerodown\.pgVersion: expected a major version from /);
    expect(() => lintWith({ statementTimeout: 'later', cache: false })).toThrow('settings.zerodown.statementTimeout: expected a duration such as 2s or 500ms, got "later"');
    expect(() => lintWith({ runner: 'flywya', cache: false })).toThrow(/^settings\.zerodown\.runner: unknown value "flywya" \(did you mean "flyway"\?\)/);
  });

  it('settings.config: a JSONC file (comments, trailing commas) read by the options layer', () => {
    const config = path.join(dir, 'options.jsonc');
    fs.writeFileSync(config, '{\n  // the plugin reads it with jsonc-parser\n  "postgresVersion": 15,\n  "rules": { "drop-column": "warn", },\n}\n');
    expect(lintWith({ config, cache: false })).toEqual(['zerodown/drop-column@1:19']);
    fs.writeFileSync(config, '{ "postgresVersion": 15, }}');
    expect(() => lintWith({ config, cache: false })).toThrow(/options\.jsonc: invalid JSON at line 1, column 27: EndOfFileExpected/);
  });
});
