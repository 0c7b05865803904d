import { as, defineRule, nameKey, strings } from '../src/kit/index.ts';

export default defineRule({
  id: 'create-domain-with-constraint',
  severity: 'warning',
  category: 'design',
  presets: ['strict'],
  description: 'CREATE DOMAIN … CHECK: domain constraints are checked on every use and are costly to change later',
  docs: {
    why:
      'A CHECK on a domain is part of every column, cast, function argument and variable of that type. Changing it later is expensive: ALTER DOMAIN … ADD CONSTRAINT checks every column of every table that uses the domain while holding a SHARE lock on each (writes wait), a column of the domain added to a populated table rewrites it, and the constraint cannot be dropped or replaced per table. A CHECK constraint on the table column keeps the same rule where it can be added NOT VALID and validated online, table by table. Default preset decision: strict only. A domain constraint is a design choice that costs nothing on the day it is created (the domain has no users yet); it is reported so that the team makes it knowingly.',
    bad: "CREATE DOMAIN email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');",
    good: "CREATE DOMAIN email AS text;\nALTER TABLE users ADD CONSTRAINT users_email_format CHECK (email ~ '^[^@]+@[^@]+$') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_format;",
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'CreateDomainStmt');
    if (!s) return;
    const checks = (s.constraints ?? []).map((c) => as(c, 'Constraint')).filter((c) => c?.contype === 'CONSTR_CHECK');
    if (!checks.length) return;
    const name = nameKey(strings(s.domainname)).replace(/^public\./, '');
    ctx.report({
      span: ctx.spanAt(checks[0]?.location, 'token'),
      message: `Domain ${name} carries a CHECK constraint: it is checked wherever the type is used, and changing it later (ALTER DOMAIN … ADD/VALIDATE CONSTRAINT) scans every column of the domain under a SHARE lock on each table, while adding a column of this domain to a populated table rewrites it.`,
      help: 'Prefer a plain domain (or the base type) with CHECK constraints on the table columns: those can be added NOT VALID and validated online, one table at a time.',
      lock: null,
    });
  },
});
