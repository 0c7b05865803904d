import { defineRule } from '../src/kit/index.ts';

/**
 * Reported from git, not from the SQL: the engine adds the finding (src/engine/edited-applied.ts)
 * for the files --changed-since / the GitHub Action name as edited since the base. The check is empty.
 */
export default defineRule({
  id: 'edited-applied-migration',
  severity: 'error',
  category: 'hygiene',
  presets: ['recommended', 'strict'],
  description: 'A migration that already exists on the base/deployed branch was edited: runners never re-run it (checksum drift in Flyway and Prisma)',
  docs: {
    why:
      'Migration runners record which migrations ran and never run one again. Editing a migration that is already on the base branch (and so has probably run in staging or production) therefore changes nothing where it ran, while new databases (CI, a new developer, a restored environment) run the edited version: the schemas drift apart silently. Flyway stores a checksum of each applied migration and `flyway migrate` fails validation when a file changed; Prisma Migrate records a checksum too and reports the modified migration (and `prisma migrate dev` asks to reset the database). Reported only when zerodown knows the base: `--changed-since <ref>` on the command line, or the GitHub Action (the pull request\'s base). An intentional edit that changes nothing a database would see (a comment) is accepted with `-- zerodown-ignore-file edited-applied-migration -- reason` in the file (Flyway still needs `flyway repair` for the checksum).',
    bad: '-- V1__create_users.sql, already on main, edited in this pull request:\nCREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL  -- added by the edit\n);',
    good: '-- V1__create_users.sql unchanged; the change is a new migration V2__users_email.sql:\nALTER TABLE users ADD COLUMN email text;',
    examplesNeed: 'a git repository where the migration exists at the base ref and was changed since (the fixtures declare that fact in their header; test/changed-since.test.ts and test/action.test.ts build real repositories)',
  },
  check() {
    // Nothing to see in the SQL: see the comment above.
  },
});
