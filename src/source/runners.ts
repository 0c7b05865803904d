// Facts about how each migration runner executes a PostgreSQL migration file:
// whether it is wrapped in a transaction, how to opt one migration out, and
// whether the file is sent as one multi-statement query (which PostgreSQL runs
// as one implicit transaction, so CREATE INDEX CONCURRENTLY fails there unless
// it is the only statement). Researched from each tool's docs and source; see
// docs/runners.md for the long form and citations.
//
// `transactionPerFile` models what matters to the linter: whether statements
// that refuse to run inside a transaction block (CREATE INDEX CONCURRENTLY,
// VACUUM, ALTER TYPE ... ADD VALUE before PG 12, ...) would fail in a
// multi-statement file under the runner's default behaviour. For runners that
// send the whole file as one query it is therefore `true` even though the
// runner itself issues no BEGIN.

export const RUNNER_IDS = [
  'prisma',
  'drizzle',
  'golang-migrate',
  'flyway',
  'dbmate',
  'goose',
  'diesel',
  'popx',
  'sqitch',
  'node-pg-migrate',
  'typeorm',
  'knex',
  'kysely',
  'sequelize',
  'mikro-orm',
  'db-migrate',
  'slonik',
  'psql',
] as const;

export type RunnerId = (typeof RUNNER_IDS)[number];

export interface RunnerProfile {
  id: RunnerId;
  /** Display name, e.g. "golang-migrate". */
  name: string;
  /** True when the runner wraps each migration file (or each migration) in a transaction by default. */
  transactionPerFile: boolean;
  /** How a user runs ONE migration outside a transaction, phrased for a lint message, e.g. "add `-- +goose NO TRANSACTION` at the top of the file"; null when the runner has no per-migration opt-out (then say what to do in `notes`). */
  escapeHatch: string | null;
  /** Can a file contain its own BEGIN/COMMIT? e.g. golang-migrate: yes (it does not wrap); prisma: wraps? research */
  explicitTransactionsAllowed: boolean;
  /** One or two sentences of facts a user needs (multi-statement behaviour, e.g. golang-migrate sends the whole file as one multi-statement query which Postgres runs as one implicit transaction unless the file has BEGIN/COMMIT; CONCURRENTLY then fails). */
  notes: string;
  /** Public URLs of the docs or source lines that back the facts above. */
  sources: string[];
  /**
   * True when the runner sends a whole file (or section) as ONE simple-protocol query: PostgreSQL then
   * runs its statements in one implicit transaction even when the runner opens none, so CONCURRENTLY
   * fails unless it is the file's only statement, and locks are held to the end of the file.
   */
  oneQueryPerFile: boolean;
  /**
   * True when the runner itself opens a transaction around the migration. False for runners whose only
   * transaction is the implicit one of a one-query file (Prisma, golang-migrate) or none at all.
   */
  opensTransaction: boolean;
}

/** PostgreSQL's own description of multi-statement simple queries (implicit transaction block). */
const PG_MULTI_STATEMENT =
  'https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT';
const PG_CREATE_INDEX_CONCURRENTLY =
  'https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY';

export const RUNNERS: Record<RunnerId, RunnerProfile> = {
  prisma: {
    id: 'prisma',
    opensTransaction: false,
    oneQueryPerFile: true,
    name: 'Prisma Migrate',
    transactionPerFile: true,
    escapeHatch:
      'move the statement into its own migration whose `migration.sql` contains only that one statement',
    explicitTransactionsAllowed: true,
    notes:
      'Prisma issues no BEGIN of its own but sends the whole `migration.sql` to PostgreSQL as one simple-protocol query, which the server runs as one implicit transaction; CONCURRENTLY therefore fails (SQLSTATE 25001) unless it is the only statement in the file, and an explicit BEGIN/COMMIT in the file is honoured. prisma-engines PR #5767 (merged February 2026) adds special handling for CREATE INDEX CONCURRENTLY in newer releases; older releases behave as described.',
    sources: [
      'https://github.com/prisma/prisma-engines/blob/main/schema-engine/connectors/sql-schema-connector/src/flavour/postgres/connector/native/mod.rs',
      'https://github.com/prisma/prisma/issues/14456',
      'https://github.com/prisma/prisma/discussions/3774',
      'https://github.com/prisma/prisma-engines/pull/5767',
      PG_MULTI_STATEMENT,
    ],
  },

  drizzle: {
    id: 'drizzle',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'drizzle-kit migrate',
    transactionPerFile: true,
    escapeHatch: null,
    explicitTransactionsAllowed: false,
    notes:
      'The drizzle-orm PostgreSQL migrator runs every pending migration inside ONE transaction (not one per file), executing the file chunk by chunk split on `--> statement-breakpoint`, and offers no per-migration opt-out, so CONCURRENTLY cannot run through it. Run such statements outside drizzle (a separate script or psql) and keep them out of the generated SQL; a COMMIT inside a file would end the migrator\'s transaction early.',
    sources: [
      'https://github.com/drizzle-team/drizzle-orm/blob/main/drizzle-orm/src/pg-core/dialect.ts',
      'https://github.com/drizzle-team/drizzle-orm/blob/main/drizzle-orm/src/migrator.ts',
      'https://github.com/drizzle-team/drizzle-orm/issues/860',
    ],
  },

  'golang-migrate': {
    id: 'golang-migrate',
    opensTransaction: false,
    oneQueryPerFile: true,
    name: 'golang-migrate',
    transactionPerFile: true,
    escapeHatch:
      'move the statement into its own migration file that contains only that statement (or run migrate with `x-multi-statement=true` in the database URL)',
    explicitTransactionsAllowed: true,
    notes:
      'The postgres driver issues no BEGIN (only the version update is transactional) but sends the whole file as one multi-statement query, which PostgreSQL runs as one implicit transaction unless the file has its own BEGIN/COMMIT, so CONCURRENTLY fails unless it is alone in the file. With `x-multi-statement=true` the driver splits on `;` and runs each statement separately (autocommit); the opt-in `x-use-transaction=true` wraps each migration in a real transaction.',
    sources: [
      'https://github.com/golang-migrate/migrate/blob/master/database/postgres/postgres.go',
      'https://github.com/golang-migrate/migrate/blob/master/database/postgres/README.md',
      'https://github.com/golang-migrate/migrate/issues/137',
      PG_MULTI_STATEMENT,
    ],
  },

  flyway: {
    id: 'flyway',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'Flyway',
    transactionPerFile: true,
    escapeHatch:
      'add a script config file `<migration file name>.conf` (e.g. `V7__add_index.sql.conf`) next to the migration containing `executeInTransaction=false`',
    explicitTransactionsAllowed: false,
    notes:
      'Flyway parses each script into statements and runs them over JDBC inside one transaction per migration (`executeInTransaction` defaults to true); recent PostgreSQL parsers detect CREATE INDEX CONCURRENTLY and run such a migration without a transaction, but mixing it with transactional statements in one file is an error unless `mixed=true`. With the default transactional advisory lock a CONCURRENTLY build can wait forever on Flyway\'s own transaction; set `postgresql.transactional.lock=false` for such migrations.',
    sources: [
      'https://documentation.red-gate.com/fd/flyway-execute-in-transaction-setting-277578997.html',
      'https://www.red-gate.com/blog/flyway-6-1-0-released',
      'https://github.com/flyway/flyway/blob/main/flyway-database/flyway-database-postgresql/src/main/java/org/flywaydb/database/postgresql/PostgreSQLParser.java',
      'https://github.com/flyway/flyway/issues/3854',
      'https://flywaydb.org/documentation/migrations',
    ],
  },

  dbmate: {
    id: 'dbmate',
    opensTransaction: true,
    oneQueryPerFile: true,
    name: 'dbmate',
    transactionPerFile: true,
    escapeHatch:
      'write the section header as `-- migrate:up transaction:false` and keep the CONCURRENTLY statement as the only statement in that section',
    explicitTransactionsAllowed: false,
    notes:
      'Each `-- migrate:up` section runs in its own transaction by default, and the section is sent as a single Exec, so even with `transaction:false` a section holding several statements is one implicit transaction and CONCURRENTLY fails unless it is alone. Explicit BEGIN/COMMIT only make sense in a `transaction:false` section.',
    sources: [
      'https://github.com/amacneil/dbmate/blob/main/pkg/dbmate/db.go',
      'https://github.com/amacneil/dbmate/blob/main/pkg/dbmate/migration.go',
      'https://github.com/amacneil/dbmate/issues/126',
      'https://github.com/amacneil/dbmate/issues/285',
      PG_MULTI_STATEMENT,
    ],
  },

  goose: {
    id: 'goose',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'goose',
    transactionPerFile: true,
    escapeHatch: 'add `-- +goose NO TRANSACTION` at the top of the file',
    explicitTransactionsAllowed: false,
    notes:
      'goose splits each SQL file into statements (on `;`, or on `-- +goose StatementBegin`/`StatementEnd` blocks) and runs them one by one inside a per-file transaction; with NO TRANSACTION each statement runs on its own, so several CONCURRENTLY statements may share one file. Do not put several statements inside one StatementBegin/StatementEnd block with CONCURRENTLY: the block is sent as one query.',
    sources: [
      'https://pressly.github.io/goose/documentation/annotations',
      'https://pressly.github.io/goose/blog/2022/overview-sql-file',
      'https://github.com/pressly/goose/issues/292',
    ],
  },

  diesel: {
    id: 'diesel',
    opensTransaction: true,
    oneQueryPerFile: true,
    name: 'Diesel',
    transactionPerFile: true,
    escapeHatch:
      'add a `metadata.toml` containing `run_in_transaction = false` to the migration directory',
    explicitTransactionsAllowed: false,
    notes:
      'Each migration runs in its own transaction unless `metadata.toml` sets `run_in_transaction = false`; `up.sql` is sent in one `batch_execute` call (one simple query), so without the transaction a multi-statement `up.sql` is still one implicit transaction and CONCURRENTLY must be the only statement in it.',
    sources: [
      'https://docs.diesel.rs/main/diesel/migration/trait.MigrationMetadata.html',
      'https://docs.rs/crate/diesel_migrations/latest',
      'https://docs.rs/crate/diesel_migrations/2.0.0/source/src/file_based_migrations.rs',
      PG_MULTI_STATEMENT,
    ],
  },

  popx: {
    id: 'popx',
    opensTransaction: true,
    oneQueryPerFile: true,
    name: 'popx (ory/x)',
    transactionPerFile: true,
    escapeHatch:
      'rename the file to include `.autocommit` before the direction, e.g. `<version>_<name>.postgres.autocommit.up.sql`, and keep it to one statement',
    explicitTransactionsAllowed: false,
    notes:
      'popx (used by Ory Kratos, Hydra and Keto) runs each migration file in its own SERIALIZABLE transaction and sends the file content in one Exec; files named with `.autocommit.` run outside a transaction, but a multi-statement autocommit file is still one implicit transaction, so keep CONCURRENTLY alone in it.',
    sources: [
      'https://github.com/ory/x/blob/master/popx/match.go',
      'https://github.com/ory/x/blob/master/popx/migrator.go',
      'https://github.com/ory/hydra/issues/3523',
    ],
  },

  sqitch: {
    id: 'sqitch',
    opensTransaction: false,
    oneQueryPerFile: false,
    name: 'Sqitch',
    transactionPerFile: false,
    escapeHatch: 'remove the `BEGIN;`/`COMMIT;` lines from this deploy script',
    explicitTransactionsAllowed: true,
    notes:
      'Sqitch runs each deploy script with `psql --file` and `ON_ERROR_STOP=1` and adds no transaction itself; the default PostgreSQL deploy template wraps the change in BEGIN/COMMIT, so a script that keeps those lines cannot run CONCURRENTLY, while one without them runs each statement in autocommit.',
    sources: [
      'https://github.com/sqitchers/sqitch/blob/develop/lib/App/Sqitch/Engine/pg.pm',
      'https://github.com/sqitchers/sqitch/blob/develop/etc/templates/deploy/pg.tmpl',
      'https://sqitch.org/docs/manual/sqitch-plan/',
    ],
  },

  'node-pg-migrate': {
    id: 'node-pg-migrate',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'node-pg-migrate',
    transactionPerFile: true,
    escapeHatch: 'call `pgm.noTransaction()` in the migration\'s `up` function',
    explicitTransactionsAllowed: false,
    notes:
      'By default (`singleTransaction`, on unless `--no-single-transaction`) all pending migrations run in one transaction, otherwise each migration gets its own; `pgm.noTransaction()` makes the runner COMMIT before and BEGIN after that migration. SQL-file migrations have no such switch and send the whole up section as one query, so CONCURRENTLY needs a JS/TS migration.',
    sources: [
      'https://github.com/salsita/node-pg-migrate/blob/main/src/migration.ts',
      'https://github.com/salsita/node-pg-migrate/blob/main/src/sqlMigration.ts',
      'https://salsita.github.io/node-pg-migrate/',
    ],
  },

  typeorm: {
    id: 'typeorm',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'TypeORM',
    transactionPerFile: true,
    escapeHatch:
      'set `transaction = false` on the migration class and run migrations with `migrationsTransactionMode: "each"` (CLI `--transaction each`)',
    explicitTransactionsAllowed: false,
    notes:
      'The default `migrationsTransactionMode` is "all": every pending migration runs inside one wrapping transaction, and a per-migration `transaction = false` is rejected in that mode (ForbiddenTransactionModeOverrideError). It is honoured only in "each" or "none" mode.',
    sources: [
      'https://typeorm.io/docs/migrations/faking',
      'https://typeorm.io/docs/migrations/setup',
      'https://app.unpkg.com/typeorm@0.3.28/files/migration/MigrationInterface.d.ts',
      'https://unpkg.com/typeorm@0.3.12/error/ForbiddenTransactionModeOverrideError.d.ts',
    ],
  },

  knex: {
    id: 'knex',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'Knex',
    transactionPerFile: true,
    escapeHatch: 'export `config = { transaction: false }` from the migration file (`exports.config = { transaction: false }`)',
    explicitTransactionsAllowed: false,
    notes:
      'Each migration runs inside its own transaction by default; `exports.config = { transaction: false }` disables it for one migration and the `disableTransactions` migration option for all of them.',
    sources: [
      'https://knexjs.org/guide/migrations.html#transactions-in-migrations',
      'https://github.com/knex/knex/issues/834',
    ],
  },

  kysely: {
    id: 'kysely',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'Kysely Migrator',
    transactionPerFile: true,
    escapeHatch: null,
    explicitTransactionsAllowed: false,
    notes:
      'On PostgreSQL (transactional DDL) the Migrator runs the whole batch of pending migrations inside one transaction, with no per-migration opt-out; newer Kysely versions add a Migrator-wide `disableTransactions` option (kysely-ctl `--no-transaction`). Run CONCURRENTLY in a separate migrator invocation with transactions disabled, or outside Kysely.',
    sources: [
      'https://github.com/kysely-org/kysely/blob/master/src/migration/migrator.ts',
      'https://newreleases.io/project/npm/kysely-ctl/release/0.14.0',
    ],
  },

  sequelize: {
    id: 'sequelize',
    opensTransaction: false,
    oneQueryPerFile: false,
    name: 'Sequelize (sequelize-cli / Umzug)',
    transactionPerFile: false,
    escapeHatch: null,
    explicitTransactionsAllowed: true,
    notes:
      'sequelize-cli and Umzug do not wrap migrations in a transaction; a migration is transactional only if its code opens one with `queryInterface.sequelize.transaction()`. Run CONCURRENTLY outside that callback.',
    sources: [
      'https://sequelize.org/docs/v6/other-topics/migrations/',
      'https://sequelize.org/v6/manual/transactions.html',
      'https://github.com/sequelize/umzug/discussions/486',
    ],
  },

  'mikro-orm': {
    id: 'mikro-orm',
    opensTransaction: true,
    oneQueryPerFile: false,
    name: 'MikroORM Migrator',
    transactionPerFile: true,
    escapeHatch: 'override `isTransactional()` in the migration class to return false',
    explicitTransactionsAllowed: false,
    notes:
      'The Migrator runs each migration in a transaction (`transactional: true` by default; `allOrNothing` wraps the whole batch in one); a migration whose `isTransactional()` returns false runs outside it. `this.addSql()` queues statements run in order, `this.execute()` runs at once.',
    sources: [
      'https://mikro-orm.io/docs/migrations',
      'https://github.com/mikro-orm/mikro-orm/blob/master/packages/migrations/src/Migration.ts',
      'https://github.com/mikro-orm/mikro-orm/blob/master/packages/migrations/src/MigrationRunner.ts',
    ],
  },

  'db-migrate': {
    id: 'db-migrate',
    opensTransaction: false,
    oneQueryPerFile: false,
    name: 'db-migrate',
    transactionPerFile: false,
    escapeHatch: null,
    explicitTransactionsAllowed: true,
    notes:
      'db-migrate runs each call of a migration on its own (autocommit) unless the migration is run with transactions enabled; statements therefore commit one by one and CONCURRENTLY works in a `db.runSql` call of its own.',
    sources: [
      'https://db-migrate.readthedocs.io/en/latest/API/SQL/',
      'https://github.com/db-migrate/pg/blob/master/index.js',
    ],
  },

  slonik: {
    id: 'slonik',
    opensTransaction: false,
    oneQueryPerFile: false,
    name: 'Slonik (custom runner)',
    transactionPerFile: false,
    escapeHatch: null,
    explicitTransactionsAllowed: true,
    notes:
      'Slonik is a client, not a migration runner: each `sql` query runs in autocommit unless the project\'s runner wraps the migration in `pool.transaction()` (Logto\'s alteration runner does; set `assumeInTransaction` for such projects).',
    sources: ['https://github.com/gajus/slonik#readme', 'https://github.com/logto-io/logto/blob/master/packages/cli/src/commands/database/alteration/index.ts'],
  },

  psql: {
    id: 'psql',
    opensTransaction: false,
    oneQueryPerFile: false,
    name: 'psql',
    transactionPerFile: false,
    escapeHatch:
      'run the file with `psql -f` without `-1`/`--single-transaction` and keep the statement outside any BEGIN/COMMIT block',
    explicitTransactionsAllowed: true,
    notes:
      'psql splits a `-f` script into statements and sends them one by one in autocommit mode, so CONCURRENTLY works unless the script is run with `-1`/`--single-transaction` (which wraps it in BEGIN/COMMIT) or sits inside its own BEGIN block. A `-c` string with several statements is sent as one query and runs as one implicit transaction.',
    sources: [
      'https://www.postgresql.org/docs/current/app-psql.html',
      PG_MULTI_STATEMENT,
      PG_CREATE_INDEX_CONCURRENTLY,
    ],
  },
};
