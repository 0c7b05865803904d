// The hook tests that need tools installed outside npm (the pre-commit framework): run by
// scripts/hooks-check.sh, not by `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/hooks/*.hook.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
