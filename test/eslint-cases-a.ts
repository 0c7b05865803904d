/** RuleTester: one invalid case for every rule the plugin exposes (part a: parse errors, table rewrites, locks and concurrency), run by test/eslint-rules.test.ts. */
import { ONE, STATS, file, has, invalid, js, sql } from './eslint-rule-kit.ts';

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
