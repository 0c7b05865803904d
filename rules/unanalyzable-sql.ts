import { defineRule } from '../src/kit/index.ts';

/** Reported by the TS/JS extraction (src/engine/script.ts), documented here like any rule. */
export default defineRule({
  id: 'unanalyzable-sql',
  severity: 'warning',
  category: 'engine',
  presets: ['recommended', 'strict'],
  description: 'SQL in a TypeScript/JavaScript migration that cannot be known without running the code',
  docs: {
    why:
      'zerodown reads TS/JS migrations without running them. SQL that is built at run time (a variable filled in a loop, a helper imported from another file, an interpolation that leaves the statement unparseable) cannot be checked, and a statement that is not checked can still take an ACCESS EXCLUSIVE lock that blocks every query on a busy table. Nothing is skipped silently: each such call is reported once, on the call, with the reason.',
    bad: "await queryRunner.query(buildSql(table)); // buildSql is imported from another file",
    good: 'await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "nickname" text`);',
    examplesNeed: 'a TS/JS migration (the examples are TypeScript): fixtures/ts/ has them',
  },
  check() {
    // The TS/JS extraction reports these; nothing to check per statement.
  },
});
