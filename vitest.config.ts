import os from 'node:os';
import { defineConfig } from 'vitest/config';

// The database proofs (PGlite and the PostgreSQL server) are slow and do not depend on the Node
// version that runs them: ZERODOWN_SKIP_DB_PROOFS=1 leaves them out (.ci/run runs them once, on
// Node 20, and the rest of the suite again on Node 22 and 24).
const DB_PROOFS = ['test/lock-model.test.ts', 'test/recipes.test.ts', 'test/recipe-goal.test.ts', 'test/trace.test.ts', 'test/trace-server.test.ts', 'test/stats.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(process.env.ZERODOWN_SKIP_DB_PROOFS === '1' ? DB_PROOFS : [])],
    testTimeout: 60_000,
    pool: 'forks',
    // vitest's default leaves one core idle: on the 2-core CI machine that ran the whole suite in one
    // process. The database proofs spend most of their time in PGlite, so two processes nearly halve it.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
  },
});
