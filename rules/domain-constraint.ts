import type { ColumnDef, Constraint } from 'libpg-query';
import { alterSubcommands, as, clauseAfterKeyword, columnFacts, constraintsOf, defineRule, displayRel, type DomainInfo, fileState, type LockMode, nameKey, type OperationFact, OPERATIONS, quoteIdent, type RuleContext, type SafeAlternative, strings } from '../src/kit/index.ts';
import { lockPhrase, withLockTimeout } from '../src/advice/index.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

/**
 * Lock that ALTER DOMAIN … ADD CONSTRAINT / VALIDATE CONSTRAINT take on each table using the domain.
 * pg/facts has no ALTER DOMAIN operation yet; read it when it is added, otherwise describe the lock
 * without naming a mode.
 */
function domainLock(): LockMode | undefined {
  const facts = OPERATIONS as Partial<Record<string, OperationFact>>;
  return facts['alter-domain-add-constraint']?.locks.table;
}

const CONSTRAINED = fileState(() => new Set<string>());

/** Domains with constraints created or constrained earlier in this file (the replay does not record domain constraints yet). */
function constrainedInFile(ctx: RuleContext): Set<string> {
  return ctx.state(CONSTRAINED);
}

/** Does the domain have a CHECK or NOT NULL constraint, as far as the schema (or this file) tells? */
function hasConstraints(ctx: RuleContext, key: string, domain: DomainInfo | undefined): boolean {
  const recorded = (domain as { constraints?: unknown } | undefined)?.constraints;
  if (Array.isArray(recorded) && recorded.length > 0) return true;
  return constrainedInFile(ctx).has(key);
}

function domainKey(names: string[]): string {
  return nameKey(names.filter((n) => n !== 'pg_catalog'));
}

/** Existing tables of the replayed schema with a column of the domain. */
function tablesUsing(ctx: RuleContext, key: string): string[] {
  const short = key.slice(key.indexOf('.') + 1);
  const out: string[] = [];
  for (const t of ctx.schema.tables.values()) {
    if (!ctx.isExisting(t.key)) continue;
    for (const c of t.columns.values()) {
      if (c.type && (c.type.name === key || c.type.name === short)) {
        out.push(t.key);
        break;
      }
    }
  }
  return out;
}

function record(ctx: RuleContext): void {
  const create = as(ctx.stmt.node, 'CreateDomainStmt');
  if (create) {
    const cons = (create.constraints ?? []).map((c) => as(c, 'Constraint')).filter((c): c is Constraint => !!c);
    if (cons.some((c) => c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_NOTNULL')) constrainedInFile(ctx).add(domainKey(strings(create.domainname)));
    return;
  }
  const alter = as(ctx.stmt.node, 'AlterDomainStmt');
  if (alter && (alter.subtype === 'C' || alter.subtype === 'O')) constrainedInFile(ctx).add(domainKey(strings(alter.typeName)));
}

function addConstraintRecipe(ctx: RuleContext, domain: string, con: Constraint): SafeAlternative {
  const dname = strings(as(ctx.stmt.node, 'AlterDomainStmt')?.typeName);
  const rel = displayRel(domainKey(dname));
  const name = con.conname ?? `${domain.slice(domain.indexOf('.') + 1)}_check`;
  const at = con.location !== undefined ? ctx.stmt.toIndex(con.location) - ctx.stmt.span.start : -1;
  let constraintSql = at >= 0 ? ctx.stmt.text.slice(at).trim() : '';
  if (!/^CONSTRAINT\b/i.test(constraintSql)) constraintSql = `CONSTRAINT ${quoteIdent(name)} ${constraintSql}`;
  const lock = domainLock();
  return {
    summary: `Add the constraint NOT VALID: new and updated values are checked at once, and no existing row is scanned. Validate it later in its own transaction: VALIDATE CONSTRAINT still reads every column of the domain${lock ? ` holding ${lockPhrase(lock, [])} on each table` : ' and locks each table while it does'}, so run it at a quiet time with a lock_timeout. For a large table, a table CHECK constraint (ADD … NOT VALID, then VALIDATE under ${OPERATIONS['validate-constraint'].locks.table}, reads and writes continue) enforces the same rule without that lock.`,
    steps: [
      {
        title: 'Add the constraint without checking existing values (no scan)',
        sql: `ALTER DOMAIN ${rel} ADD ${constraintSql} NOT VALID;`,
        transaction: 'own',
      },
      {
        title: 'Later, in a separate transaction at a quiet time: validate existing values (scans every column using the domain)',
        sql: withLockTimeout(`ALTER DOMAIN ${rel} VALIDATE CONSTRAINT ${quoteIdent(name)};`),
        transaction: 'own',
      },
    ],
  };
}

function addColumnRecipe(ctx: RuleContext, table: string, def: ColumnDef, domain: DomainInfo | undefined, spanEnd: number): SafeAlternative {
  const f = columnFacts(def);
  const base = domain?.baseType?.display;
  const rel = displayRel(table);
  const col = quoteIdent(f.name);
  const dflt = constraintsOf(def).find((c) => c.contype === 'CONSTR_DEFAULT');
  const dfltSql = dflt?.location !== undefined ? clauseAfterKeyword(ctx.stmt.text, ctx.stmt.toIndex(dflt.location) - ctx.stmt.span.start, spanEnd - ctx.stmt.span.start) : undefined;
  const summary = `A column of a domain with constraints makes PostgreSQL rewrite the table to check every row. Add the column with the domain's base type instead (catalog-only with a constant default), and enforce the rule with a table CHECK constraint added NOT VALID and validated in a separate transaction (${OPERATIONS['validate-constraint'].locks.table}: reads and writes continue). Otherwise run the ADD COLUMN in a maintenance window with a lock_timeout.`;
  if (!base) return { summary, steps: [] };
  return {
    summary,
    steps: [
      {
        title: `Add the column with the base type ${base} (no rewrite)`,
        sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${col} ${base}${dfltSql ? ` DEFAULT ${dfltSql}` : ''}${f.notNull && dfltSql ? ' NOT NULL' : ''};`),
        transaction: 'own',
      },
    ],
  };
}

export default defineRule({
  id: 'domain-constraint',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'ALTER DOMAIN … ADD CONSTRAINT scans every column using the domain; ADD COLUMN of a constrained domain rewrites the table',
  docs: {
    why:
      'ALTER DOMAIN … ADD CONSTRAINT checks every value of every column, in every table, that uses the domain, holding a lock on each of those tables that makes their writes wait for the scan. Adding it NOT VALID checks only new values and scans nothing; ALTER DOMAIN … VALIDATE CONSTRAINT, run later in its own transaction, checks the old ones. Separately, ALTER TABLE … ADD COLUMN with a domain type that has constraints rewrites the whole table under ACCESS EXCLUSIVE to check the domain for every row (even without a default): add the column with the base type and a table CHECK constraint instead.',
    bad: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_max CHECK (VALUE < 1000000);',
    good:
      "ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_max CHECK (VALUE < 1000000) NOT VALID;\n-- later, in its own transaction, at a quiet time\nSET lock_timeout = '2s';\nALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive_amount_max;",
    versions: 'All versions. Observed on PostgreSQL 18: ADD CONSTRAINT and VALIDATE CONSTRAINT lock each table using the domain in SHARE mode while they scan; ADD CONSTRAINT … NOT VALID locks no table.',
  },
  check(ctx) {
    // ALTER DOMAIN … ADD CONSTRAINT (validated) on a domain that predates this file.
    const alter = as(ctx.stmt.node, 'AlterDomainStmt');
    if (alter?.subtype === 'C') {
      const con = as(alter.def, 'Constraint');
      const key = domainKey(strings(alter.typeName));
      const domain = ctx.schema.domains.get(key);
      const newDomain = domain !== undefined && domain.origin.file === ctx.file;
      const users = tablesUsing(ctx, key);
      if (con?.contype === 'CONSTR_CHECK' && !con.skip_validation && (!newDomain || users.length > 0)) {
        const lock = domainLock();
        const where = users.length ? users.map(displayRel).join(', ') : 'every table that uses it';
        ctx.report({
          span: ctx.keywordSpan(/ALTER\s+DOMAIN\s+\S+\s+ADD/i),
          message: `ALTER DOMAIN ${displayRel(key)} ADD CONSTRAINT checks every value of every column of this domain, in ${where}, ${lock ? `holding ${lockPhrase(lock, users)} on each table` : 'locking each table'} for the scan, which grows with the tables' size.`,
          help: 'Add the constraint NOT VALID (checks new values only, no scan), then run ALTER DOMAIN … VALIDATE CONSTRAINT in a separate transaction, at a quiet time, with a lock_timeout.',
          lock: null,
          safeAlternative: addConstraintRecipe(ctx, key, con),
        });
      }
    }
    // ALTER TABLE … ADD COLUMN of a constrained domain on an existing table.
    for (const { op, cmd, cmdIndex, table } of alterSubcommands(ctx, 'add-column')) {
      // A rewrite the analyzer already knows about is reported by add-column-rewrite.
      if (!op.existing || op.rewrite) continue;
      const def = as(cmd.def, 'ColumnDef');
      if (!def?.typeName || def.typeName.arrayBounds?.length) continue;
      const key = domainKey(strings(def.typeName.names));
      const domain = ctx.schema.domains.get(key);
      if (!hasConstraints(ctx, key, domain)) continue;
      const span = ctx.subcommandSpan(cmdIndex);
      const f = columnFacts(def);
      const withDefault = f.defaultExpr !== undefined && as(f.defaultExpr, 'A_Const')?.isnull !== true;
      ctx.report({
        span,
        message: `ADD COLUMN ${quoteIdent(f.name)} has domain type ${displayRel(key)}, which has constraints: PostgreSQL rewrites all of ${displayRel(table)} to check ${withDefault ? 'the default' : 'the new (NULL) value'} against the domain for every row, holding ${article(op.mode)} ${lockPhrase(op.mode, [table])} for the whole rewrite${withDefault ? '; a default that violates the domain fails the migration' : ''}.`,
        help: `Add the column with the domain's base type (catalog-only) and enforce the rule with a table CHECK constraint added NOT VALID and validated separately; or run it in a maintenance window with a lock_timeout.`,
        safeAlternative: addColumnRecipe(ctx, table, def, domain, span.end),
      });
    }
    record(ctx);
  },
});
