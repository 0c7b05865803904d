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
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Linter, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/eslint/plugin.ts';
import { RULES } from '../rules/index.ts';
import { parseRegion } from '../src/parse/parser.ts';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zerodown-ruletester-'));
fs.writeFileSync(path.join(dir, '000_history.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);\nCREATE TABLE links (id bigint PRIMARY KEY, target text, note text);\n');
// A production snapshot (zerodown stats): orders_status_idx on orders (status), scanned 1,234,567 times.
const STATS = path.join(dir, 'stats.json');
fs.copyFileSync(new URL('../fixtures/drop-index-still-used/stats.json', import.meta.url), STATS);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const settings = { zerodown: { pgVersion: 15, cache: false } };
const sql = new RuleTester({ plugins: { zerodown: plugin }, language: 'zerodown/postgres', settings });
const js = new RuleTester({ plugins: { zerodown: plugin }, languageOptions: { sourceType: 'commonjs' }, settings });
const ts = new RuleTester({ plugins: { zerodown: plugin }, languageOptions: { parser: tseslint.parser }, settings });
/** RuleTester checks a suggestion count as well as a list (its types know only the list). */
const ONE = 1 as unknown as [];
const rule = (id: string) => plugin.rules[id];
const file = (name: string): string => path.join(dir, name);
/** A message fragment (RuleTester matches a RegExp against the whole message). */
const has = (fragment: string): RegExp => new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/** Rules with at least one invalid case in this file. */
const covered = new Set<string>();
/** SQL the fixes and suggestions of .sql cases produce (checked with the parser and PGlite below). */
const produced: { rule: string; kind: 'fix' | 'suggestion'; sql: string }[] = [];

function runRule(tester: RuleTester, title: string, id: string, tests: { valid: RuleTester.ValidTestCase[]; invalid: RuleTester.InvalidTestCase[] }): void {
  if (tests.invalid.length) covered.add(id);
  for (const t of tests.invalid) {
    if (!t.filename?.endsWith('.sql')) continue;
    if (typeof t.output === 'string') produced.push({ rule: id, kind: 'fix', sql: t.output });
    for (const e of Array.isArray(t.errors) ? t.errors : []) {
      const suggestions = typeof e === 'object' && !(e instanceof RegExp) && Array.isArray(e.suggestions) ? e.suggestions : [];
      for (const sg of suggestions) if (typeof sg.output === 'string') produced.push({ rule: id, kind: 'suggestion', sql: sg.output });
    }
  }
  tester.run(title, rule(id), tests);
}

/** One rule's invalid cases, in the per-rule section below. */
const invalid = (tester: RuleTester, id: string, cases: RuleTester.InvalidTestCase[]): void => runRule(tester, `${id}: invalid`, id, { valid: [], invalid: cases });

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

// Every rule the plugin exposes, one invalid case each, in the order `zerodown rules` lists them.
// SQL from the rule's fixtures (fixtures/<rule-id>/, whose expected positions were verified by hand)
// or its documented bad example; each range recounted by hand on the code (noted above each case).
// The message fragment is the part of the message stating this case, as the rule's docs page words
// the hazard. Opt-in rules run here because the tester enables them; settings a rule needs (a runner,
// a stats snapshot, reportUnusedIgnores) are given as rule options.

invalid(sql, 'parse-error', [
  // "ALTER TABLE users ALTER COLUMN email ADD " is 41 characters: the rejected token NOT at 42, ends before 45.
  {
    filename: file('004_parse-error.sql'),
    code: 'ALTER TABLE users ALTER COLUMN email ADD NOT NULL;\n',
    errors: [
      { message: has('PostgreSQL cannot parse this statement: syntax error at or near "NOT"'), line: 1, column: 42, endLine: 1, endColumn: 45, suggestions: [] },
    ],
  },
]);

invalid(js, 'unanalyzable-sql', [
  // "  await knex.raw(" is 17 characters: the argument `buildSql("users")` (17) at 18, ends before 35.
  {
    filename: file('004_unanalyzable-sql.js'),
    code: [
      'const { buildSql } = require("./sql");',
      'exports.up = async (knex) => {',
      '  await knex.raw(buildSql("users"));',
      '};',
      'exports.down = async () => {};',
      '',
    ].join('\n'),
    errors: [
      { message: has('the SQL passed to knex.raw() is computed at run time'), line: 3, column: 18, endLine: 3, endColumn: 35, suggestions: [] },
    ],
  },
]);

invalid(sql, 'add-column-rewrite', [
  // "ALTER TABLE users " is 18 characters: the subcommand "ADD COLUMN token uuid DEFAULT gen_random_uuid()" (47) at 19, ends before 66.
  {
    filename: file('004_add-column-rewrite.sql'),
    code: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n',
    errors: [
      {
        message: has('ADD COLUMN token rewrites users: volatile default gen_random_uuid()'), line: 1, column: 19, endLine: 1, endColumn: 66,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Add the column without the volatile default, set the default for new rows, then backfill existing rows in batches.',
            output: [
              '-- Add the column without a default (catalog-only, brief lock), then set the default for new rows',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ADD COLUMN token uuid;',
              'ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();',
              '-- Backfill users.token: update users in primary-key ranges of 10000 rows, committing each range (every row exactly once) (outside a transaction block)',
              'DO $$',
              'DECLARE',
              '  last_key users.id%TYPE;',
              '  batch_end users.id%TYPE;',
              'BEGIN',
              '  LOOP',
              '    SELECT max(b.id) INTO batch_end FROM (SELECT id FROM users WHERE last_key IS NULL OR id > last_key ORDER BY id LIMIT 10000) b;',
              '    EXIT WHEN batch_end IS NULL;',
              '    UPDATE users SET token = gen_random_uuid()',
              '    WHERE (last_key IS NULL OR id > last_key) AND id <= batch_end;',
              '    last_key := batch_end;',
              '    COMMIT;',
              '  END LOOP;',
              'END $$;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'add-column-required', [
  // "ALTER TABLE orders " is 19 characters: "ADD COLUMN region_id bigint NOT NULL" (36) at 20, ends before 56.
  {
    filename: file('004_add-column-required.sql'),
    code: 'ALTER TABLE orders ADD COLUMN region_id bigint NOT NULL;\n',
    errors: [
      {
        message: has('ADD COLUMN region_id is NOT NULL without a default: existing rows of orders would hold NULL'), line: 1, column: 20, endLine: 1, endColumn: 56,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Add the column nullable, deploy code that writes it, backfill existing rows in batches, then make it NOT NULL without a long scan under an exclusive lock. If one constant fits every existing row, ADD COLUMN region_id bigint NOT NULL DEFAULT <constant> is catalog-only since PostgreSQL 11 and needs none of these steps.',
            output: [
              '-- Add the column as nullable (catalog-only, brief lock); existing application code keeps working',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders ADD COLUMN region_id bigint;',
              '-- Backfill existing rows in batches of 10000, committing each batch (replace 0 with the value existing rows should get) (outside a transaction block)',
              'DO $$',
              'DECLARE',
              '  updated bigint;',
              'BEGIN',
              '  LOOP',
              '    UPDATE orders SET region_id = 0',
              '    WHERE ctid IN (SELECT ctid FROM orders WHERE region_id IS NULL LIMIT 10000);',
              '    GET DIAGNOSTICS updated = ROW_COUNT;',
              '    COMMIT;',
              '    EXIT WHEN updated = 0;',
              '  END LOOP;',
              'END $$;',
              '-- Add a CHECK (… IS NOT NULL) without checking existing rows (brief ACCESS EXCLUSIVE, no scan)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders ADD CONSTRAINT orders_region_id_not_null CHECK (region_id IS NOT NULL) NOT VALID;',
              '-- Validate it: scans under SHARE UPDATE EXCLUSIVE, reads and writes continue',
              'ALTER TABLE orders VALIDATE CONSTRAINT orders_region_id_not_null;',
              '-- SET NOT NULL now uses the validated CHECK instead of scanning; then drop the helper',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders ALTER COLUMN region_id SET NOT NULL;',
              'ALTER TABLE orders DROP CONSTRAINT orders_region_id_not_null;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'set-not-null-scan', [
  // "ALTER TABLE users " (18): "ALTER COLUMN email SET NOT NULL" (31) at 19, ends before 50.
  {
    filename: file('004_set-not-null-scan.sql'),
    code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n',
    errors: [
      {
        message: has('SET NOT NULL on users.email scans every row to check for NULLs while holding an ACCESS EXCLUSIVE'), line: 1, column: 19, endLine: 1, endColumn: 50,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Prove the column has no NULLs with a constraint validated under a weak lock, so that NOT NULL needs no scan under ACCESS EXCLUSIVE.',
            output: [
              '-- Add a CHECK (… IS NOT NULL) without checking existing rows (brief ACCESS EXCLUSIVE, no scan)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;',
              '-- Validate it: scans under SHARE UPDATE EXCLUSIVE, reads and writes continue',
              'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;',
              '-- SET NOT NULL now uses the validated CHECK instead of scanning; then drop the helper',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
              'ALTER TABLE users DROP CONSTRAINT users_email_not_null;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'index-not-concurrent', [
  // The keyword "CREATE INDEX" (12): 1 to 13; the fix adds CONCURRENTLY after INDEX.
  {
    filename: file('004_index-not-concurrent.sql'),
    code: 'CREATE INDEX users_email_idx ON users (email);\n',
    output: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n',
    errors: [
      {
        message: has('CREATE INDEX on users takes a SHARE lock on users'), line: 1, column: 1, endLine: 1, endColumn: 13,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Build the index with CONCURRENTLY, outside any transaction.',
            output: [
              '-- Build the index without blocking writes (two table scans; SHARE UPDATE EXCLUSIVE) (outside a transaction block)',
              'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
              '-- If the build fails or is cancelled it leaves an INVALID index: drop it and retry (outside a transaction block)',
              'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'drop-index-not-concurrent', [
  // The keyword "DROP INDEX" (10): 1 to 11. The fix adds CONCURRENTLY after INDEX.
  {
    filename: file('004_drop-index-not-concurrent.sql'),
    code: 'DROP INDEX orders_status_idx;\n',
    output: 'DROP INDEX CONCURRENTLY orders_status_idx;\n',
    errors: [
      {
        message: has('DROP INDEX orders_status_idx takes an ACCESS EXCLUSIVE lock on the table'), line: 1, column: 1, endLine: 1, endColumn: 11,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Drop the index with DROP INDEX CONCURRENTLY, outside any transaction.',
            output: [
              '-- Drop orders_status_idx without blocking queries on its table (one index per statement) (outside a transaction block)',
              'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'drop-index-before-replacement', [
  // Line 2, the keyword "DROP INDEX" (10): 1 to 11. The stats snapshot gives orders_status_idx's column (status).
  {
    filename: file('004_drop-index-before-replacement.sql'),
    code: [
      'CREATE INDEX CONCURRENTLY orders_status_created_idx ON orders (status, created_at);',
      'DROP INDEX CONCURRENTLY orders_status_idx;',
      '',
    ].join('\n'),
    options: [{ stats: STATS }],
    errors: [
      {
        message: has('DROP INDEX orders_status_idx runs in the same migration that builds its replacement orders_status_created_idx'), line: 2, column: 1, endLine: 2, endColumn: 11,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Two deploys: build orders_status_created_idx, verify it, then drop orders_status_idx.',
            output: [
              'CREATE INDEX CONCURRENTLY orders_status_created_idx ON orders (status, created_at);',
              '-- Deploy 1: build the replacement (keep orders_status_idx) (outside a transaction block)',
              '-- keep only the CREATE INDEX CONCURRENTLY of orders_status_created_idx in this migration',
              '-- Before deploy 2: the replacement is valid and the planner uses it (idx_scan grows)',
              "SELECT i.indisvalid, s.idx_scan FROM pg_index i JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid WHERE i.indexrelid = 'orders_status_created_idx'::regclass;",
              '-- Deploy 2: drop the old index (outside a transaction block)',
              'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'reindex-not-concurrent', [
  // The keyword "REINDEX INDEX" (13): 1 to 14.
  {
    filename: file('004_reindex-not-concurrent.sql'),
    code: 'REINDEX INDEX orders_customer_id_idx;\n',
    errors: [
      {
        message: has('REINDEX rebuilds index orders_customer_id_idx holding a SHARE lock on'), line: 1, column: 1, endLine: 1, endColumn: 14,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Rebuild with REINDEX … CONCURRENTLY, outside any transaction.',
            output: [
              '-- Rebuild without blocking reads or writes (SHARE UPDATE EXCLUSIVE) (outside a transaction block)',
              'REINDEX INDEX CONCURRENTLY orders_customer_id_idx;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'detach-partition-not-concurrent', [
  // "ALTER TABLE events " (19): "DETACH PARTITION events_2023" (28) at 20, ends before 48.
  {
    filename: file('004_detach-partition-not-concurrent.sql'),
    code: 'ALTER TABLE events DETACH PARTITION events_2023;\n',
    errors: [
      {
        message: has('DETACH PARTITION events_2023 takes an ACCESS EXCLUSIVE lock on events, events_2023'), line: 1, column: 20, endLine: 1, endColumn: 48,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Detach with CONCURRENTLY, outside any transaction (not possible while events has a DEFAULT partition: then keep the plain DETACH with a lock_timeout, at a quiet time).',
            output: [
              '-- Detach without blocking queries (SHARE UPDATE EXCLUSIVE on parent and partition) (outside a transaction block)',
              'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'refresh-matview-blocking', [
  // The keyword "REFRESH MATERIALIZED VIEW" (25): 1 to 26.
  {
    filename: file('004_refresh-matview-blocking.sql'),
    code: 'REFRESH MATERIALIZED VIEW sales_summary;\n',
    errors: [
      {
        message: has('REFRESH MATERIALIZED VIEW sales_summary holds an ACCESS EXCLUSIVE lock on sales_summary'), line: 1, column: 1, endLine: 1, endColumn: 26,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Create a unique index on the view (once, concurrently), then refresh with CONCURRENTLY.',
            output: [
              '-- Once: give the view a unique index on the column(s) that identify a row (plain columns, no WHERE), built without blocking reads (outside a transaction block)',
              "-- zerodown does not know the view's columns: name the ones that identify a row.",
              '-- CREATE UNIQUE INDEX CONCURRENTLY sales_summary_refresh_key ON sales_summary (<columns>);',
              '-- Refresh without blocking reads (EXCLUSIVE lock: reads of the view continue; another refresh waits)',
              'REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'concurrent-in-transaction', [
  // Line 2, "CREATE INDEX " (13): the word CONCURRENTLY (12) at 14, ends before 26.
  {
    filename: file('004_concurrent-in-transaction.sql'),
    code: [
      'BEGIN;',
      'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
      'COMMIT;',
      '',
    ].join('\n'),
    errors: [
      // No suggestion: the recipe moves the statement to a migration of its own, unchanged, which a replacement in this file cannot do.
      { message: has('CREATE INDEX CONCURRENTLY cannot run inside a transaction block'), line: 2, column: 14, endLine: 2, endColumn: 26, suggestions: [] },
    ],
  },
]);

invalid(sql, 'constraint-validation-scan', [
  // "ALTER TABLE orders " (19): "ADD CONSTRAINT orders_total_positive CHECK (total >= 0)" (55) at 20, ends before 75. The fix is the documented good form: NOT VALID, then VALIDATE CONSTRAINT as its own statement (autocommit: its own transaction).
  {
    filename: file('004_constraint-validation-scan.sql'),
    code: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);\n',
    output: [
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
      '',
    ].join('\n'),
    errors: [
      {
        message: has('ADD CONSTRAINT … CHECK orders_total_positive checks every existing row of orders while holding an ACCESS EXCLUSIVE lock'), line: 1, column: 20, endLine: 1, endColumn: 75,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Add the constraint NOT VALID (new and updated rows are checked at once, no scan), then VALIDATE CONSTRAINT in a separate transaction, which scans without blocking reads or writes.',
            output: [
              '-- Add the constraint without checking existing rows (brief ACCESS EXCLUSIVE lock, no scan)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;',
              '-- In a separate transaction (the next migration): validate existing rows. Takes SHARE UPDATE EXCLUSIVE on orders: reads and writes continue during the scan',
              'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'validate-in-same-transaction', [
  // Line 3, "ALTER TABLE orders " (19): "VALIDATE CONSTRAINT orders_total_positive" (41) at 20, ends before 61.
  {
    filename: file('004_validate-in-same-transaction.sql'),
    code: [
      'BEGIN;',
      'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;',
      'COMMIT;',
      '',
    ].join('\n'),
    errors: [
      // No suggestion: the recipe moves the VALIDATE to a later transaction, unchanged, which a replacement in this file cannot do.
      { message: has('VALIDATE CONSTRAINT orders_total_positive runs in the same transaction that added it NOT VALID'), line: 3, column: 20, endLine: 3, endColumn: 61, suggestions: [] },
    ],
  },
]);

invalid(sql, 'constraint-builds-index', [
  // "ALTER TABLE users " (18): "ADD CONSTRAINT users_email_key UNIQUE (email)" (45) at 19, ends before 64.
  {
    filename: file('004_constraint-builds-index.sql'),
    code: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n',
    errors: [
      {
        message: has('ADD CONSTRAINT … UNIQUE builds a unique index over every row of users while holding an ACCESS EXCLUSIVE lock'), line: 1, column: 19, endLine: 1, endColumn: 64,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Build the unique index concurrently, then turn it into the constraint.',
            output: [
              '-- Build the unique index without blocking writes (SHARE UPDATE EXCLUSIVE, two scans) (outside a transaction block)',
              'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);',
              '-- Attach it as the unique constraint: a catalog change under a brief ACCESS EXCLUSIVE lock',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'column-type-rewrite', [
  // The history declares links.note text. "ALTER TABLE links " (18): "ALTER COLUMN note TYPE varchar(10)" (34) at 19, ends before 53.
  {
    filename: file('004_column-type-rewrite.sql'),
    code: 'ALTER TABLE links ALTER COLUMN note TYPE varchar(10);\n',
    errors: [
      {
        message: has('ALTER COLUMN note TYPE varchar(10) rewrites links: text → varchar(10) adds a length limit'), line: 1, column: 19, endLine: 1, endColumn: 53,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Expand/contract: add note_new varchar(10), keep it in sync with a trigger, backfill it in batches, switch the application to it, then drop note. Every step holds its strong lock only briefly.',
            output: [
              '-- Expand: add the new column note_new (nullable, no default: catalog-only, brief lock)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE links ADD COLUMN note_new varchar(10);',
              '-- Dual writes: a BEFORE INSERT OR UPDATE trigger keeps note_new = conversion of note for every row the application writes',
              'CREATE FUNCTION links_note_new_sync() RETURNS trigger LANGUAGE plpgsql AS $$',
              '#variable_conflict use_column',
              'BEGIN',
              '  NEW.note_new := (SELECT note::varchar(10) FROM (SELECT NEW.*) AS r);',
              '  RETURN NEW;',
              'END $$;',
              "SET lock_timeout = '2s';",
              'CREATE TRIGGER links_note_new_sync_trg BEFORE INSERT OR UPDATE ON links FOR EACH ROW EXECUTE FUNCTION links_note_new_sync();',
              '-- Backfill links.note_new: update links in primary-key ranges of 10000 rows, committing each range (every row exactly once) (outside a transaction block)',
              'DO $$',
              'DECLARE',
              '  last_key links.id%TYPE;',
              '  batch_end links.id%TYPE;',
              'BEGIN',
              '  LOOP',
              '    SELECT max(b.id) INTO batch_end FROM (SELECT id FROM links WHERE last_key IS NULL OR id > last_key ORDER BY id LIMIT 10000) b;',
              '    EXIT WHEN batch_end IS NULL;',
              '    UPDATE links SET note_new = note::varchar(10)',
              '    WHERE (last_key IS NULL OR id > last_key) AND id <= batch_end;',
              '    last_key := batch_end;',
              '    COMMIT;',
              '  END LOOP;',
              'END $$;',
              '-- Stop syncing: drop the trigger',
              "SET lock_timeout = '2s';",
              'DROP TRIGGER links_note_new_sync_trg ON links;',
              'DROP FUNCTION links_note_new_sync();',
              '-- Contract: drop the old column note (catalog-only, brief lock)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE links DROP COLUMN note;',
              '-- Optional: rename note_new to note. A rename breaks every query that uses note_new: do it only once the code can handle both names, or keep the new name',
              "SET lock_timeout = '2s';",
              'ALTER TABLE links RENAME COLUMN note_new TO note;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'table-rewrite', [
  // "ALTER TABLE orders " (19): "SET UNLOGGED" (12) at 20, ends before 32.
  {
    filename: file('004_table-rewrite.sql'),
    code: 'ALTER TABLE orders SET UNLOGGED;\n',
    errors: [
      {
        message: has('SET UNLOGGED rewrites all of orders'), line: 1, column: 20, endLine: 1, endColumn: 32,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Core PostgreSQL has no online form of SET UNLOGGED: it rewrites the whole table under ACCESS EXCLUSIVE. Run it in a maintenance window with a lock_timeout.',
            output: [
              '-- If it must run: in a maintenance window, with a lock_timeout so a blocked lock request gives up instead of queueing every query behind it',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders SET UNLOGGED;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'attach-partition-scan', [
  // "ALTER TABLE events " (19): "ATTACH PARTITION events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')" (77) at 20, ends before 97.
  {
    filename: file('004_attach-partition-scan.sql'),
    code: "ALTER TABLE events ATTACH PARTITION events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');\n",
    errors: [
      { message: has('ATTACH PARTITION scans all of events_2023 to check the partition bound while holding an ACCESS EXCLUSIVE lock on events_2023'), line: 1, column: 20, endLine: 1, endColumn: 97, suggestions: [] },
    ],
  },
]);

invalid(sql, 'backfill-under-lock', [
  // Line 3, the keyword UPDATE (6): 1 to 7.
  {
    filename: file('004_backfill-under-lock.sql'),
    code: [
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN status text;',
      "UPDATE orders SET status = 'new';",
      'COMMIT;',
      '',
    ].join('\n'),
    errors: [
      // No suggestion: the recipe restates the ADD COLUMN of line 2 and commits between its steps, which a replacement inside this BEGIN … COMMIT cannot do.
      { message: has('UPDATE on orders runs while this transaction still holds the ACCESS EXCLUSIVE lock on orders'), line: 3, column: 1, endLine: 3, endColumn: 7, suggestions: [] },
    ],
  },
]);

invalid(sql, 'locks-held-across-statements', [
  // Line 3, the keyword "CREATE INDEX" (12): 1 to 13.
  {
    filename: file('004_locks-held-across-statements.sql'),
    code: [
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
      'CREATE INDEX orders_customer_idx ON orders (customer_id);',
      'COMMIT;',
      '',
    ].join('\n'),
    errors: [
      // No suggestion: the recipe restates the ADD COLUMN of line 2 and builds the index outside the transaction, which a replacement inside this BEGIN … COMMIT cannot do.
      { message: has('CREATE INDEX builds an index over every row of orders while this transaction still holds the ACCESS EXCLUSIVE lock on orders'), line: 3, column: 1, endLine: 3, endColumn: 13, suggestions: [] },
    ],
  },
]);

invalid(sql, 'lock-timeout-missing', [
  // The keyword "ALTER TABLE" (11): 1 to 12. The fix is the documented good form: SET lock_timeout = '2s' before it.
  {
    filename: file('004_lock-timeout-missing.sql'),
    code: 'ALTER TABLE orders ADD COLUMN note text;\n',
    output: [
      "SET lock_timeout = '2s';",
      'ALTER TABLE orders ADD COLUMN note text;',
      '',
    ].join('\n'),
    errors: [
      { message: has('This statement requests an ACCESS EXCLUSIVE lock on orders with lock_timeout = 0'), line: 1, column: 1, endLine: 1, endColumn: 12, suggestions: [] },
    ],
  },
]);

invalid(sql, 'statement-timeout-missing', [
  // Opt-in (off in the presets), enabled here by running the rule. The keyword "ALTER TABLE" (11): 1 to 12.
  {
    filename: file('004_statement-timeout-missing.sql'),
    code: 'ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);\n',
    errors: [
      { message: has('This statement scans orders while holding an ACCESS EXCLUSIVE lock (all reads and writes) with statement_timeout = 0'), line: 1, column: 1, endLine: 1, endColumn: 12, suggestions: [] },
    ],
  },
]);

invalid(sql, 'enum-value-in-transaction', [
  // Line 3, "UPDATE orders SET status = " (27): the literal 'refunded' (10) at 28, ends before 38.
  {
    filename: file('004_enum-value-in-transaction.sql'),
    code: [
      'BEGIN;',
      "ALTER TYPE order_status ADD VALUE 'refunded';",
      "UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
      'COMMIT;',
      '',
    ].join('\n'),
    errors: [
      // No suggestion: the recipe's two steps belong to two migrations, which a replacement inside this BEGIN … COMMIT cannot give.
      { message: has("'refunded' was added to enum order_status by ALTER TYPE … ADD VALUE in the same transaction"), line: 3, column: 28, endLine: 3, endColumn: 38, suggestions: [] },
    ],
  },
]);

invalid(sql, 'enum-value-ordering', [
  // From ALTER to the BEFORE keyword: "ALTER TYPE order_status ADD VALUE 'packed' BEFORE" (49), 1 to 50.
  {
    filename: file('004_enum-value-ordering.sql'),
    code: "ALTER TYPE order_status ADD VALUE 'packed' BEFORE 'shipped';\n",
    errors: [
      { message: has("ADD VALUE 'packed' BEFORE 'shipped' inserts the value into the middle of order_status's sort order"), line: 1, column: 1, endLine: 1, endColumn: 50, suggestions: [] },
    ],
  },
]);

invalid(sql, 'domain-constraint', [
  // From ALTER to the ADD keyword: "ALTER DOMAIN email_address ADD" (30), 1 to 31.
  {
    filename: file('004_domain-constraint.sql'),
    code: "ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');\n",
    errors: [
      {
        message: has('ALTER DOMAIN email_address ADD CONSTRAINT checks every value of every column of this domain'), line: 1, column: 1, endLine: 1, endColumn: 31,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Add the constraint NOT VALID: new and updated values are checked at once, and no existing row is scanned. Validate it later in its own transaction: VALIDATE CONSTRAINT still reads every column of the domain holding SHARE lock on the table (blocks writes (INSERT, UPDATE, DELETE); reads continue) on each table, so run it at a quiet time with a lock_timeout. For a large table, a table CHECK constraint (ADD … NOT VALID, then VALIDATE under SHARE UPDATE EXCLUSIVE, reads and writes continue) enforces the same rule without that lock.',
            output: [
              '-- Add the constraint without checking existing values (no scan)',
              "ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%') NOT VALID;",
              '-- Later, in a separate transaction at a quiet time: validate existing values (scans every column using the domain)',
              "SET lock_timeout = '2s';",
              'ALTER DOMAIN email_address VALIDATE CONSTRAINT email_has_at;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'create-domain-with-constraint', [
  // "CREATE DOMAIN email AS text " (28): the CHECK keyword (5) at 29, ends before 34.
  {
    filename: file('004_create-domain-with-constraint.sql'),
    code: "CREATE DOMAIN email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');\n",
    errors: [
      { message: has('Domain email carries a CHECK constraint: it is checked wherever the type is used'), line: 1, column: 29, endLine: 1, endColumn: 34, suggestions: [] },
    ],
  },
]);

invalid(sql, 'rename-column', [
  // The whole statement "ALTER TABLE users RENAME COLUMN email TO email_address" (54): 1 to 55.
  {
    filename: file('004_rename-column.sql'),
    code: 'ALTER TABLE users RENAME COLUMN email TO email_address;\n',
    errors: [
      {
        message: has('Renaming users.email to email_address breaks the application version that is still running'), line: 1, column: 1, endLine: 1, endColumn: 55,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Expand/contract: add email_address next to email, keep them in sync with a trigger, backfill, switch the application to the new name, then drop the old column. No step breaks the running version.',
            output: [
              '-- Expand: add email_address with the same type as email (text), nullable and without a default (catalog-only, brief lock)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ADD COLUMN email_address text;',
              '-- Keep both columns in sync in both directions: old code writes email, new code writes email_address',
              'CREATE FUNCTION users_email_rename_sync() RETURNS trigger LANGUAGE plpgsql AS $$',
              'BEGIN',
              "  IF TG_OP = 'INSERT' THEN",
              '    IF NEW.email_address IS NULL THEN NEW.email_address := NEW.email; ELSE NEW.email := NEW.email_address; END IF;',
              '  ELSIF NEW.email_address IS DISTINCT FROM OLD.email_address THEN',
              '    NEW.email := NEW.email_address;',
              '  ELSIF NEW.email IS DISTINCT FROM OLD.email THEN',
              '    NEW.email_address := NEW.email;',
              '  END IF;',
              '  RETURN NEW;',
              'END $$;',
              "SET lock_timeout = '2s';",
              'CREATE TRIGGER users_email_rename_sync BEFORE INSERT OR UPDATE ON users',
              '  FOR EACH ROW EXECUTE FUNCTION users_email_rename_sync();',
              '-- Backfill existing rows in batches of 10000, committing each batch (the trigger copies the value into email too, which is a no-op) (outside a transaction block)',
              'DO $$',
              'DECLARE',
              '  updated bigint;',
              'BEGIN',
              '  LOOP',
              '    UPDATE users SET email_address = email',
              '    WHERE id IN (SELECT id FROM users WHERE email_address IS NULL AND email IS NOT NULL LIMIT 10000);',
              '    GET DIAGNOSTICS updated = ROW_COUNT;',
              '    COMMIT;',
              '    EXIT WHEN updated = 0;',
              '  END LOOP;',
              'END $$;',
              '-- Check that every row agrees (expect 0), then deploy the code that reads and writes email_address',
              'SELECT count(*) FROM users WHERE email_address IS DISTINCT FROM email;',
              '-- Contract: drop the trigger, its function and the old column email (catalog-only, brief lock)',
              "SET lock_timeout = '2s';",
              'DROP TRIGGER users_email_rename_sync ON users;',
              'DROP FUNCTION users_email_rename_sync();',
              'ALTER TABLE users DROP COLUMN email;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'rename-table', [
  // The whole statement "ALTER TABLE links RENAME TO bookmarks" (37): 1 to 38.
  {
    filename: file('004_rename-table.sql'),
    code: 'ALTER TABLE links RENAME TO bookmarks;\n',
    errors: [
      {
        message: has('Renaming the table links to bookmarks breaks the application version that is still running'), line: 1, column: 1, endLine: 1, endColumn: 38,
        suggestions: [
          {
            desc: "Replace the statement with the safe recipe: Rename and leave a view with the old name in the same transaction, so both names work while old and new code run side by side. A view over a single table with SELECT * is automatically updatable: INSERT (with the table's defaults), UPDATE, DELETE, RETURNING and ON CONFLICT work through it. The view's column list is fixed when it is created: avoid other changes to bookmarks until the view is gone. DDL, TRUNCATE and LOCK must use the new name.",
            output: [
              '-- In ONE transaction: rename, then create a view named links over bookmarks (brief lock)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE links RENAME TO bookmarks;',
              'CREATE VIEW links AS SELECT * FROM bookmarks;',
              '-- Drop the compatibility view',
              "SET lock_timeout = '2s';",
              'DROP VIEW links;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'ban-drop-not-null', [
  // "ALTER TABLE orders " (19): "ALTER COLUMN customer_id DROP NOT NULL" (38) at 20, ends before 58.
  {
    filename: file('004_ban-drop-not-null.sql'),
    code: 'ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;\n',
    errors: [
      { message: has('DROP NOT NULL on orders.customer_id lets the next writes store NULL'), line: 1, column: 20, endLine: 1, endColumn: 58, suggestions: [] },
    ],
  },
]);

invalid(sql, 'drop-column', [
  // "ALTER TABLE users " (18): "DROP COLUMN legacy" (18) at 19, ends before 37.
  {
    filename: file('004_drop-column.sql'),
    code: 'ALTER TABLE users DROP COLUMN legacy;\n',
    errors: [
      {
        message: has('Dropping users.legacy breaks the application version that is still running'), line: 1, column: 19, endLine: 1, endColumn: 37,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Deploy ordering: the code stops using legacy first; the column is dropped in a later migration.',
            output: [
              '-- Drop the column (catalog-only: the ACCESS EXCLUSIVE lock is brief, and lock_timeout keeps it from queueing traffic)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users DROP COLUMN legacy;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
  {
    // A file that already sets lock_timeout keeps the suggestion: the recipe's own SET is not a
    // restated statement. Line 2, same columns as above.
    filename: file('004_drop-column-b.sql'),
    code: "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN legacy;\n",
    errors: [
      {
        message: has('Dropping users.legacy breaks the application version that is still running'), line: 2, column: 19, endLine: 2, endColumn: 37,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Deploy ordering: the code stops using legacy first; the column is dropped in a later migration.',
            output: [
              "SET lock_timeout = '2s';",
              '-- Drop the column (catalog-only: the ACCESS EXCLUSIVE lock is brief, and lock_timeout keeps it from queueing traffic)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users DROP COLUMN legacy;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'drop-table', [
  // The whole statement "DROP TABLE legacy_sessions" (26): 1 to 27.
  {
    filename: file('004_drop-table.sql'),
    code: 'DROP TABLE legacy_sessions;\n',
    errors: [
      {
        message: has('Dropping legacy_sessions breaks the application version that is still running'), line: 1, column: 1, endLine: 1, endColumn: 27,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Deploy ordering: the code stops using legacy_sessions first; the drop comes in a later migration.',
            output: [
              '-- Confirm nothing uses it any more: these counters must stop moving (run it twice, some time apart)',
              'SELECT schemaname, relname, seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del',
              'FROM pg_stat_user_tables',
              "WHERE (schemaname = 'public' AND relname = 'legacy_sessions');",
              '-- Drop it with lock_timeout, so waiting for the lock does not queue the application behind it',
              "SET lock_timeout = '2s';",
              'DROP TABLE legacy_sessions;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'truncate', [
  // The whole statement "TRUNCATE links" (14): 1 to 15.
  {
    filename: file('004_truncate.sql'),
    code: 'TRUNCATE links;\n',
    errors: [
      { message: has('TRUNCATE removes every row of links at once for the running application'), line: 1, column: 1, endLine: 1, endColumn: 15, suggestions: [] },
    ],
  },
]);

invalid(sql, 'transaction-nesting', [
  // Flyway wraps each migration in a transaction: BEGIN (5) on line 1, 1 to 6; COMMIT (6) on line 3, 1 to 7.
  {
    filename: file('004_transaction-nesting.sql'),
    code: [
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN note text;',
      'COMMIT;',
      '',
    ].join('\n'),
    options: [{ runner: 'flyway' }],
    errors: [
      { message: has('BEGIN inside a transaction: Flyway already runs this migration in a transaction'), line: 1, column: 1, endLine: 1, endColumn: 6, suggestions: [] },
      { message: has('COMMIT ends the transaction Flyway opened around this migration'), line: 3, column: 1, endLine: 3, endColumn: 7, suggestions: [] },
    ],
  },
]);

invalid(sql, 'drop-index-still-used', [
  // The keyword "DROP INDEX" (10): 1 to 11; the snapshot counts 1,234,567 scans of orders_status_idx.
  {
    filename: file('004_drop-index-still-used.sql'),
    code: 'DROP INDEX CONCURRENTLY orders_status_idx;\n',
    options: [{ stats: STATS }],
    errors: [
      { message: has('orders_status_idx is still used in production: 1,234,567 index scans'), line: 1, column: 1, endLine: 1, endColumn: 11, suggestions: [] },
    ],
  },
]);

invalid(sql, 'duplicate-column-assignment', [
  // "UPDATE orders SET status = 'paid', " (35): the second status (6) at 36, ends before 42.
  {
    filename: file('004_duplicate-column-assignment.sql'),
    code: "UPDATE orders SET status = 'paid', status = 'shipped' WHERE id = 1;\n",
    errors: [
      { message: has('UPDATE … SET names column status twice: PostgreSQL rejects the statement'), line: 1, column: 36, endLine: 1, endColumn: 42, suggestions: [] },
    ],
  },
]);

invalid(sql, 'identifier-too-long', [
  // "CREATE INDEX CONCURRENTLY " (26): the 65-character name at 27, ends before 92. The suggestion spells the first 63 bytes, the name PostgreSQL stores.
  {
    filename: file('004_identifier-too-long.sql'),
    code: 'CREATE INDEX CONCURRENTLY orders_customer_id_created_at_status_shipping_country_partial_idx ON orders (customer_id);\n',
    errors: [
      {
        message: has('Identifier orders_customer_id_created_at_status_shipping_country_partial_idx is 65 bytes long'), line: 1, column: 27, endLine: 1, endColumn: 92,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Spell the name as PostgreSQL stores it (63 bytes), so the migration and the catalog agree.',
            output: [
              '-- The statement with the identifier shortened (outside a transaction block)',
              'CREATE INDEX CONCURRENTLY orders_customer_id_created_at_status_shipping_country_partial_i ON orders (customer_id);',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'index-too-many-columns', [
  // Opt-in. The keyword "CREATE INDEX" (12): 1 to 13.
  {
    filename: file('004_index-too-many-columns.sql'),
    code: 'CREATE INDEX CONCURRENTLY orders_search_idx ON orders (customer_id, status, created_at, region, channel);\n',
    errors: [
      { message: has('This index on orders has 5 key columns'), line: 1, column: 1, endLine: 1, endColumn: 13, suggestions: [] },
    ],
  },
]);

invalid(sql, 'prefer-bigint', [
  // "ALTER TABLE payments ADD COLUMN invoice_id " (43): the type integer (7) at 44, ends before 51.
  {
    filename: file('004_prefer-bigint.sql'),
    code: 'ALTER TABLE payments ADD COLUMN invoice_id integer;\n',
    errors: [
      {
        message: has('column invoice_id of payments is declared as integer'), line: 1, column: 44, endLine: 1, endColumn: 51,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Declare the column as bigint.',
            output: [
              '-- The same statement with the suggested column type',
              "SET lock_timeout = '2s';",
              'ALTER TABLE payments ADD COLUMN invoice_id bigint;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'prefer-identity', [
  // "CREATE TABLE events (id " (24): the type bigserial (9) at 25, ends before 34.
  {
    filename: file('004_prefer-identity.sql'),
    code: 'CREATE TABLE events (id bigserial PRIMARY KEY);\n',
    errors: [
      {
        message: has('column id of events is declared as bigserial'), line: 1, column: 25, endLine: 1, endColumn: 34,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Declare the column as a bigint identity column.',
            output: [
              '-- The same statement with the suggested column type',
              'CREATE TABLE events (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'prefer-jsonb', [
  // "ALTER TABLE orders ADD COLUMN metadata " (39): the type json (4) at 40, ends before 44.
  {
    filename: file('004_prefer-jsonb.sql'),
    code: 'ALTER TABLE orders ADD COLUMN metadata json;\n',
    errors: [
      {
        message: has('column metadata of orders is declared as json'), line: 1, column: 40, endLine: 1, endColumn: 44,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Declare the column as jsonb.',
            output: [
              '-- The same statement with the suggested column type',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders ADD COLUMN metadata jsonb;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'prefer-robust-statements', [
  // psql runs each statement on its own: the keyword "DROP TYPE" (9), 1 to 10.
  {
    filename: file('004_prefer-robust-statements.sql'),
    code: 'DROP TYPE billing.invoice_state;\n',
    options: [{ runner: 'psql' }],
    errors: [
      {
        message: has('DROP TYPE billing.invoice_state has no IF EXISTS, and psql runs this statement outside a transaction'), line: 1, column: 1, endLine: 1, endColumn: 10,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Make the statement re-runnable with IF EXISTS.',
            output: [
              '-- The same statement, safe to run again',
              'DROP TYPE IF EXISTS billing.invoice_state;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'prefer-text', [
  // "ALTER TABLE users ADD COLUMN nickname " (38): the type varchar(50) (11) at 39, ends before 50.
  {
    filename: file('004_prefer-text.sql'),
    code: 'ALTER TABLE users ADD COLUMN nickname varchar(50);\n',
    errors: [
      {
        message: has('column nickname of users is declared as varchar(50): the length limit lives in the type'), line: 1, column: 39, endLine: 1, endColumn: 50,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Declare the column as text and keep the 50-character limit as a CHECK constraint.',
            output: [
              '-- The same statement with the suggested column type',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ADD COLUMN nickname text;',
              '-- Keep the length limit as a CHECK constraint, added without checking existing rows (brief ACCESS EXCLUSIVE lock, no scan)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE users ADD CONSTRAINT users_nickname_length_check CHECK (char_length(nickname) <= 50) NOT VALID;',
              '-- Validate it: scans the table under SHARE UPDATE EXCLUSIVE, reads and writes continue',
              'ALTER TABLE users VALIDATE CONSTRAINT users_nickname_length_check;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'prefer-timestamptz', [
  // "ALTER TABLE orders ADD COLUMN shipped_at " (41): the type timestamp (9) at 42, ends before 51.
  {
    filename: file('004_prefer-timestamptz.sql'),
    code: 'ALTER TABLE orders ADD COLUMN shipped_at timestamp;\n',
    errors: [
      {
        message: has('column shipped_at of orders is declared as timestamp'), line: 1, column: 42, endLine: 1, endColumn: 51,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Declare the column as timestamptz.',
            output: [
              '-- The same statement with the suggested column type',
              "SET lock_timeout = '2s';",
              'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'require-table-schema', [
  // Opt-in. "CREATE TABLE IF NOT EXISTS " (27): the table name orders (6) at 28, ends before 34.
  {
    filename: file('004_require-table-schema.sql'),
    code: 'CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY);\n',
    errors: [
      { message: has('orders is not schema-qualified: search_path decides at run time'), line: 1, column: 28, endLine: 1, endColumn: 34, suggestions: [] },
    ],
  },
]);

invalid(sql, 'ban-char', [
  // "ALTER TABLE accounts ADD COLUMN currency " (41): the type char(3) (7) at 42, ends before 49.
  {
    filename: file('004_ban-char.sql'),
    code: 'ALTER TABLE accounts ADD COLUMN currency char(3);\n',
    errors: [
      {
        message: has('column currency of accounts is declared as char(3): char pads values with blanks to 3 characters'), line: 1, column: 42, endLine: 1, endColumn: 49,
        suggestions: [
          {
            desc: 'Replace the statement with the safe recipe: Declare the column as text and keep the 3-character limit as a CHECK constraint.',
            output: [
              '-- The same statement with the suggested column type',
              "SET lock_timeout = '2s';",
              'ALTER TABLE accounts ADD COLUMN currency text;',
              '-- Keep the length limit as a CHECK constraint, added without checking existing rows (brief ACCESS EXCLUSIVE lock, no scan)',
              "SET lock_timeout = '2s';",
              'ALTER TABLE accounts ADD CONSTRAINT accounts_currency_length_check CHECK (char_length(currency) <= 3) NOT VALID;',
              '-- Validate it: scans the table under SHARE UPDATE EXCLUSIVE, reads and writes continue',
              'ALTER TABLE accounts VALIDATE CONSTRAINT accounts_currency_length_check;',
              '',
            ].join('\n'),
          },
        ],
      },
    ],
  },
]);

invalid(sql, 'invalid-ignore', [
  // The whole comment "-- zerodown-ignore index-not-concurent -- typo" (46): 1 to 47.
  {
    filename: file('004_invalid-ignore.sql'),
    code: [
      '-- zerodown-ignore index-not-concurent -- typo',
      'SELECT 1;',
      '',
    ].join('\n'),
    errors: [
      { message: has('unknown rule id "index-not-concurent" in zerodown-ignore (did you mean "index-not-concurrent"?)'), line: 1, column: 1, endLine: 1, endColumn: 47, suggestions: [] },
    ],
  },
]);

invalid(sql, 'unused-ignore', [
  // Reported with reportUnusedIgnores. The whole comment "-- zerodown-ignore add-column-rewrite -- not needed" (51): 1 to 52.
  {
    filename: file('004_unused-ignore.sql'),
    code: [
      '-- zerodown-ignore add-column-rewrite -- not needed',
      'SELECT 1;',
      '',
    ].join('\n'),
    options: [{ reportUnusedIgnores: true }],
    errors: [
      { message: has('zerodown-ignore for "add-column-rewrite" suppresses nothing'), line: 1, column: 1, endLine: 1, endColumn: 52, suggestions: [] },
    ],
  },
]);

describe('RuleTester coverage', () => {
  it('every rule the plugin exposes has an invalid case in this file', () => {
    expect(Object.keys(plugin.rules).filter((id) => !covered.has(id))).toEqual([]);
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
