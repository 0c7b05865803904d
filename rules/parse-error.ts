import { defineRule } from '../src/kit/index.ts';

/** Reported by the engine itself (the parser), documented here like any rule. */
export default defineRule({
  id: 'parse-error',
  severity: 'error',
  category: 'engine',
  presets: ['recommended', 'strict'],
  description: 'A statement that PostgreSQL 18\'s parser rejects (or templated SQL that is not SQL yet)',
  docs: {
    why:
      'zerodown parses with the real PostgreSQL parser (libpg-query). A statement it rejects would fail the migration on the server too, after the statements before it may have run. The error points at the token where Postgres stopped, and every other statement of the file is still analyzed. Files with template placeholders ({{ … }}) are reported once: render them first.',
    bad: 'ALTER TABLE users ALTER COLUMN email ADD NOT NULL;',
    good: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  },
  check() {
    // The engine reports parse errors; nothing to check per statement.
  },
});
