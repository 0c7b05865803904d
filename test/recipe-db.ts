/**
 * Harness for test/recipes.test.ts: turns a failing fixture into a PGlite database on which its
 * findings' safe alternatives can be run, and runs/observes recipe steps.
 *
 *  - fixtureCases(): every failing fixture (bad-*.sql files, migration directories with
 *    `-- expect:` comments), with its `-- fixture:` header.
 *  - lintCase(): lints it like test/fixtures.test.ts does, with pgVersion forced to 18 (PGlite is
 *    PostgreSQL 18), and returns one ProofTarget per finding with a safe alternative: the
 *    finding, its recipe, and the history (statements that ran before the offending one).
 *  - synthesize(): SQL creating what the fixture uses but never creates (it "pre-exists"): tables
 *    with the columns the statements mention, typed from the replayed schema / usage / names,
 *    filled with 200 rows of distinct non-null values; schemas, enums, domains, partitioned
 *    parents and their partitions, materialized views, views, indexes and constraints the fixture
 *    refers to by name. Generic: derived from the AST only, no per-fixture cases.
 *  - runStep(): runs one recipe step the way its `transaction` says, observing locks, rewrites
 *    (relfilenode) and sequential scans of the tables that existed before the recipe started.
 */
export * from './recipe-cases.ts';
export { synthesize, type Synthesis } from './recipe-synth.ts';
export * from './recipe-run.ts';
