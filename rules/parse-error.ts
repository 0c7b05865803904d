import type { Node } from 'libpg-query';
import { as, defBoolean, defineRule } from '../src/kit/index.ts';

/**
 * Options PostgreSQL reads with defGetBoolean, per statement (sql-vacuum, sql-reindex, sql-cluster,
 * sql-explain): any other value than true/false/on/off/1/0 fails the statement.
 */
const BOOLEAN_OPTIONS: Record<string, ReadonlySet<string>> = {
  VacuumStmt: new Set(['full', 'freeze', 'verbose', 'analyze', 'disable_page_skipping', 'skip_locked', 'process_main', 'process_toast', 'truncate', 'skip_database_stats', 'only_database_stats']),
  ReindexStmt: new Set(['concurrently', 'verbose']),
  ClusterStmt: new Set(['verbose']),
  ExplainStmt: new Set(['analyze', 'verbose', 'costs', 'settings', 'generic_plan', 'buffers', 'wal', 'timing', 'summary', 'memory']),
};

function optionList(node: Node): Node[] | undefined {
  return as(node, 'VacuumStmt')?.options ?? as(node, 'ReindexStmt')?.params ?? as(node, 'ClusterStmt')?.params ?? as(node, 'ExplainStmt')?.options;
}

/** Reported by the engine itself (the parser), documented here like any rule. */
export default defineRule({
  id: 'parse-error',
  severity: 'error',
  category: 'engine',
  presets: ['recommended', 'strict'],
  description: 'A statement that PostgreSQL rejects (syntax, or a non-Boolean option value), or a template block that leaves no analyzable SQL',
  docs: {
    why:
      'zerodown parses with the real PostgreSQL parser (libpg-query). A statement it rejects would fail the migration on the server too, after the statements before it may have run. The error points at the token where Postgres stopped, and every other statement of the file is still analyzed. Templated migrations are analyzed: Flyway `${…}` placeholders (values from flyway.conf / flyway.toml and `${flyway:defaultSchema}`), psql variables (`:name`, `:\'name\'`, `:"name"`, values from `\\set`) and Go text/template actions become identifiers, literals or values, with exact positions; only a Go/Jinja control block (`{{ if }}`, `{{ range }}`) whose rendering is not valid SQL is reported, once per file, as a warning. Statement options that take a Boolean (VACUUM FULL, REINDEX CONCURRENTLY, …) accept only true/false/on/off/1/0: other values (yes, no) fail the statement and are reported here.',
    bad: 'ALTER TABLE users ALTER COLUMN email ADD NOT NULL;',
    good: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  },
  check(ctx) {
    // The engine reports syntax errors; here, option values the grammar accepts but PostgreSQL rejects.
    const names = BOOLEAN_OPTIONS[ctx.stmt.kind];
    if (!names) return;
    for (const o of optionList(ctx.stmt.node) ?? []) {
      const d = as(o, 'DefElem');
      if (!d?.defname || !names.has(d.defname) || defBoolean(d) !== 'invalid') continue;
      ctx.report({
        span: ctx.spanAt(d.location, 'clause'),
        message: `PostgreSQL rejects this statement: ${d.defname.toUpperCase()} requires a Boolean value (true, false, on, off, 1 or 0), so the migration fails here.`,
        help: `Write ${d.defname.toUpperCase()} true/false (or on/off, 1/0); yes/no and other spellings are not accepted for statement options.`,
        lock: null,
      });
    }
  },
});
