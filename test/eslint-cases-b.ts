/** RuleTester: one invalid case for every rule the plugin exposes (part b: rewrites, timeouts, enums, domains, renames and drops), run by test/eslint-rules.test.ts. */
import { ONE, STATS, file, has, invalid, js, sql } from './eslint-rule-kit.ts';

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
