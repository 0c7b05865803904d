import { as, defineRule, displayRel, fileState, nameKey, quoteIdent, quoteLiteral, relKey, type RuleContext, type SafeAlternative, strings, VERSION_FEATURES } from '../src/kit/index.ts';
import { withLockTimeout } from '../src/advice/index.ts';
import { aLockPhrase } from '../src/advice/app-compat.ts';
import { renameTableMapping, tableVerdict } from '../src/advice/models.ts';

const CREATED_TYPES = fileState(() => new Set<string>());
const ADDED_VALUES = fileState(() => new Set<string>());

/** Enum values added earlier in this file (also for enums the replayed schema does not know). */
function addedValues(ctx: RuleContext): Set<string> {
  return ctx.state(ADDED_VALUES);
}

/** Types created earlier in this file (composite and range types are not in the replayed schema). */
function createdTypes(ctx: RuleContext): Set<string> {
  return ctx.state(CREATED_TYPES);
}

function rememberCreatedType(ctx: RuleContext): void {
  const node = ctx.stmt.node;
  const composite = as(node, 'CompositeTypeStmt');
  if (composite?.typevar) createdTypes(ctx).add(relKey(composite.typevar));
  const range = as(node, 'CreateRangeStmt');
  if (range) createdTypes(ctx).add(nameKey(strings(range.typeName)));
  const en = as(node, 'CreateEnumStmt');
  if (en) createdTypes(ctx).add(nameKey(strings(en.typeName)));
  const alter = as(node, 'AlterEnumStmt');
  if (alter?.newVal && !alter.oldVal) addedValues(ctx).add(`${nameKey(strings(alter.typeName))}\u0000${alter.newVal}`);
}

const KEYWORD: Record<string, string> = {
  OBJECT_TABLE: 'TABLE',
  OBJECT_VIEW: 'VIEW',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE',
};

const NOUN: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FOREIGN_TABLE: 'foreign table',
};

/** Transaction control that ends (or may undo part of) the current transaction. */
const ENDS_TRANSACTION = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_ROLLBACK_TO', 'TRANS_STMT_PREPARE']);

/** `CREATE VIEW <from> AS SELECT * FROM <to>`: the view over one relation that keeps every column of the old name. */
function isCompatibilityView(stmt: RuleContext['stmt'], from: string, to: string): boolean {
  const view = as(stmt.node, 'ViewStmt');
  if (!view || relKey(view.view) !== from) return false;
  const select = as(view.query, 'SelectStmt');
  const source = select?.fromClause?.length === 1 ? as(select.fromClause[0], 'RangeVar') : undefined;
  const target = select?.targetList?.length === 1 ? as(select.targetList[0], 'ResTarget') : undefined;
  const star = as(target?.val, 'ColumnRef')?.fields?.some((f) => as(f, 'A_Star') !== undefined) ?? false;
  return !!source && relKey(source) === to && star && !select?.whereClause;
}

/**
 * The rule's own recipe: the rename followed, in the same transaction, by a view with the old name
 * over the renamed relation. Both commit together, so running code never sees the old name missing.
 */
function compatibilityViewFollows(ctx: RuleContext, from: string, to: string): boolean {
  if (!ctx.tx.inTransaction || ctx.stmt.origin !== 'top') return false;
  for (const s of ctx.siblings) {
    if (s.index <= ctx.stmt.index || s.origin !== 'top') continue;
    const tx = as(s.node, 'TransactionStmt');
    if (tx?.kind && ENDS_TRANSACTION.has(tx.kind)) return false;
    if (isCompatibilityView(s, from, to)) return true;
  }
  return false;
}

function relationRename(ctx: RuleContext, renameType: string, from: string, newName: string): void {
  const op = ctx.ops.find((o) => o.op === 'rename' && o.relation === from);
  if (!op?.existing) return;
  const schema = from.slice(0, from.indexOf('.'));
  const to = `${schema}.${newName}`;
  if (compatibilityViewFollows(ctx, from, to)) return;
  const oldRel = displayRel(from);
  const models = tableVerdict(ctx.models, from, oldRel);
  if (models.kind === 'unused') {
    ctx.note(models.note);
    return;
  }
  const newRel = displayRel(to);
  const kind = ctx.schema.tables.get(from)?.kind;
  const matview = renameType === 'OBJECT_MATVIEW' || kind === 'matview';
  const noun = matview ? 'materialized view' : (NOUN[renameType] ?? 'table');
  const keyword = KEYWORD[renameType] ?? 'TABLE';
  const safeAlternative: SafeAlternative = {
    summary: `Rename and leave a view with the old name in the same transaction, so both names work while old and new code run side by side. ${matview ? 'The view answers reads (a materialized view is read-only anyway; REFRESH must use the new name)' : noun === 'view' ? 'A view over an automatically updatable view is itself updatable, so writes keep working if they did before' : 'A view over a single table with SELECT * is automatically updatable: INSERT (with the table\'s defaults), UPDATE, DELETE, RETURNING and ON CONFLICT work through it'}. The view's column list is fixed when it is created: avoid other changes to ${newRel} until the view is gone. DDL, TRUNCATE and LOCK must use the new name.`,
    steps: [
      {
        title: `In ONE transaction: rename, then create a view named ${oldRel} over ${newRel} (brief lock)`,
        sql: withLockTimeout(`ALTER ${keyword} ${oldRel} RENAME TO ${quoteIdent(newName)};\nCREATE VIEW ${oldRel} AS SELECT * FROM ${newRel};`),
        transaction: 'own',
        deploy: `Then deploy the code that uses ${newRel}; old instances keep working through the view meanwhile.`,
      },
      {
        title: `Drop the compatibility view`,
        sql: withLockTimeout(`DROP VIEW ${oldRel};`),
        transaction: 'own',
        deploy: `Only after no running instance uses the name ${oldRel} any more.`,
      },
    ],
  };
  ctx.report({
    span: ctx.stmt.span,
    relatedLocations: models.kind === 'mapped' ? models.related : undefined,
    message: `${models.kind === 'mapped' ? `${models.evidence}. ` : ''}Renaming the ${noun} ${oldRel} to ${quoteIdent(newName)} breaks the application version that is still running: from the moment this commits, every query that names ${oldRel} fails (relation does not exist) until the new code is everywhere, and during a rolling deploy old and new versions need different names at the same time. It also takes ${aLockPhrase(op.mode, [from])}, briefly.`,
    help: `Rename it and create a view with the old name in the same transaction (${noun === 'table' || noun === 'foreign table' ? 'a simple view over one table is updatable' : noun === 'view' ? 'a view over a simple view stays updatable' : 'reads keep working'}), deploy code that uses ${quoteIdent(newName)}, then drop the view in a later migration.${models.kind === 'mapped' ? ` Or keep the database name and rename only the model: ${renameTableMapping(models.uses, from.slice(from.indexOf('.') + 1))}.` : ''}`,
    safeAlternative,
  });
}

function schemaRename(ctx: RuleContext, oldName: string, newName: string): void {
  const origin = ctx.schema.schemas.get(oldName);
  if (origin && origin.file === ctx.file) return;
  const oldS = quoteIdent(oldName);
  const newS = quoteIdent(newName);
  ctx.report({
    span: ctx.stmt.span,
    message: `Renaming schema ${oldS} to ${newS} breaks the application version that is still running: every query that qualifies a name with ${oldS} (or finds it through search_path) fails from the moment this commits, until the new code is everywhere.`,
    help: `PostgreSQL has no schema alias. Rename the schema and, in the same transaction, recreate ${oldS} holding one view per table of ${newS} (simple views over one table are updatable); deploy code that uses ${newS}, then drop ${oldS}. Functions, types and sequences called by schema-qualified name need the same treatment (or code that stops qualifying them first).`,
    lock: null,
    safeAlternative: {
      summary: `Rename the schema and leave a schema with the old name whose views point at the renamed tables, so both names work during the deploy.`,
      steps: [
        {
          title: `In ONE transaction: rename the schema, recreate ${oldS} and a view there for every table and view of ${newS}`,
          sql: withLockTimeout(
            [
              `ALTER SCHEMA ${oldS} RENAME TO ${newS};`,
              `CREATE SCHEMA ${oldS};`,
              'DO $$',
              'DECLARE',
              '  r record;',
              'BEGIN',
              '  FOR r IN',
              `    SELECT relname FROM pg_class`,
              `    WHERE relnamespace = ${quoteLiteral(newS)}::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT relispartition`,
              '  LOOP',
              `    EXECUTE format('CREATE VIEW %I.%I AS SELECT * FROM %I.%I', ${quoteLiteral(oldName)}, r.relname, ${quoteLiteral(newName)}, r.relname);`,
              '  END LOOP;',
              'END $$;',
            ].join('\n'),
          ),
          transaction: 'own',
          deploy: `Then deploy the code that uses ${newS}.`,
        },
        {
          title: `Drop the compatibility schema (it holds only the views created above)`,
          sql: `DROP SCHEMA ${oldS} CASCADE;`,
          transaction: 'own',
          deploy: `Only after no running instance uses ${oldS} any more.`,
        },
      ],
    },
  });
}

function typeRename(ctx: RuleContext, key: string, newName: string): void {
  const en = ctx.schema.enums.get(key);
  if (en && en.origin.file === ctx.file) return;
  if (createdTypes(ctx).has(key)) return;
  const oldT = displayRel(key);
  const newT = quoteIdent(newName);
  ctx.report({
    span: ctx.stmt.span,
    message: `Renaming type ${oldT} to ${newT} breaks running code that names the type: casts such as $1::${oldT} or '…'::${oldT} (some ORMs cast every enum parameter to its type name), and functions or queries that declare it, fail from the moment this commits.`,
    help: `PostgreSQL has no type alias (a domain over the new type does not compare with it). First deploy code that never spells the type name — let parameters take the column's type (untyped parameters) — then rename, then deploy code that may use ${newT}. The columns themselves keep working: they refer to the type by OID.`,
    lock: null,
    safeAlternative: {
      summary: `Deploy ordering: no running code may name ${oldT} when the rename commits, and none may name ${newT} before.`,
      steps: [
        {
          title: `Rename the type once no running code names it`,
          sql: `ALTER TYPE ${oldT} RENAME TO ${newT};`,
          transaction: 'any',
          deploy: `First deploy code that never names ${oldT} (no casts to it, untyped parameters); only after this step deploy code that names ${newT}.`,
        },
      ],
    },
  });
}

function enumValueRename(ctx: RuleContext, key: string, oldVal: string, newVal: string): void {
  const en = ctx.schema.enums.get(key);
  if (en && (en.origin.file === ctx.file || en.added.get(oldVal)?.file === ctx.file)) return;
  if (createdTypes(ctx).has(key) || addedValues(ctx).has(`${key}\u0000${oldVal}`)) return;
  const type = displayRel(key);
  const o = quoteLiteral(oldVal);
  const n = quoteLiteral(newVal);
  const commit = ctx.pgVersion >= VERSION_FEATURES.doBlockCommit;
  const inTx = ctx.pgVersion >= VERSION_FEATURES.enumAddValueInTransaction;
  ctx.report({
    span: ctx.stmt.span,
    message: `Renaming value ${o} of enum ${type} to ${n} breaks the application version that is still running: every row changes at once, so old code that writes ${o} fails (invalid input value for enum) and old code that reads the rows meets a value it does not know, until the new code is everywhere.`,
    help: `Add ${n} as a new value, deploy code that reads both values and writes ${n}, move the rows over in batches, then stop using ${o}. PostgreSQL cannot drop an enum value: ${o} stays in the type (forbid it with a CHECK constraint if needed, or replace the type).`,
    lock: null,
    safeAlternative: {
      summary: `Add the new value next to the old one, switch the code, and migrate rows in batches. PostgreSQL cannot drop an enum value afterwards: ${o} remains a valid value of ${type}.`,
      steps: [
        {
          title: `Add ${n} right after ${o} (it must be committed before anything can use it)`,
          sql: `ALTER TYPE ${type} ADD VALUE IF NOT EXISTS ${n} AFTER ${o};`,
          transaction: inTx ? 'own' : 'outside',
        },
        {
          title: `Move every row of every column of type ${type} from ${o} to ${n}, in batches${commit ? ' that each commit' : ' (PostgreSQL 10 cannot COMMIT inside DO: this runs as one transaction)'} (array columns of the type need their own UPDATE)`,
          sql: [
            'DO $$',
            'DECLARE',
            '  col record;',
            '  updated bigint;',
            'BEGIN',
            '  FOR col IN',
            '    SELECT a.attrelid::regclass AS rel, a.attname AS name',
            '    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid',
            `    WHERE a.atttypid = ${quoteLiteral(type)}::regtype AND c.relkind IN ('r', 'p')`,
            '      AND a.attnum > 0 AND NOT a.attisdropped AND NOT c.relispartition',
            '  LOOP',
            '    LOOP',
            "      EXECUTE format('UPDATE %s SET %I = %L WHERE %I = %L AND (tableoid, ctid) IN (SELECT tableoid, ctid FROM %s WHERE %I = %L LIMIT 10000)',",
            `        col.rel, col.name, ${n}, col.name, ${o}, col.rel, col.name, ${o});`,
            '      GET DIAGNOSTICS updated = ROW_COUNT;',
            ...(commit ? ['      COMMIT;'] : []),
            '      EXIT WHEN updated = 0;',
            '    END LOOP;',
            '  END LOOP;',
            'END $$;',
          ].join('\n'),
          transaction: 'outside',
          deploy: `First deploy code that accepts both ${o} and ${n} when reading and writes only ${n}; wait until no old instance is left.`,
        },
      ],
    },
  });
}

export default defineRule({
  id: 'rename-table',
  severity: 'error',
  category: 'app-compat',
  presets: ['recommended', 'strict'],
  description: 'Renaming a table, view, schema, type or enum value breaks the application version still running during the deploy',
  docs: {
    why:
      'A rename is instant, and that is the problem: the moment it commits, every query of the running application that uses the old name fails (relation does not exist), until the new code is deployed everywhere — and during a rolling deploy old and new versions run side by side and need different names at the same time. The same holds for ALTER SCHEMA … RENAME (every schema-qualified name), ALTER TYPE … RENAME (casts to the type name, which some ORMs generate) and ALTER TYPE … RENAME VALUE (old code writing the old enum value fails, and reads return a value it does not know). For a table, rename it and create a view with the old name in the same transaction: a simple view over one table is updatable, so old code keeps working; drop the view once the new code is everywhere.',
    bad: 'ALTER TABLE users RENAME TO customers;',
    good:
      "BEGIN;\nSET lock_timeout = '2s';\nALTER TABLE users RENAME TO customers;\nCREATE VIEW users AS SELECT * FROM customers;\nCOMMIT;\n-- deploy code that uses customers, then in a later migration:\nDROP VIEW users;",
  },
  check(ctx) {
    rememberCreatedType(ctx);
    const en = as(ctx.stmt.node, 'AlterEnumStmt');
    if (en?.oldVal && en.newVal) {
      enumValueRename(ctx, nameKey(strings(en.typeName)), en.oldVal, en.newVal);
      return;
    }
    const s = as(ctx.stmt.node, 'RenameStmt');
    if (!s?.newname) return;
    switch (s.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_FOREIGN_TABLE':
        if (s.relation) relationRename(ctx, s.renameType, relKey(s.relation), s.newname);
        return;
      case 'OBJECT_SCHEMA':
        if (s.subname) schemaRename(ctx, s.subname, s.newname);
        return;
      case 'OBJECT_TYPE':
        typeRename(ctx, nameKey(strings(as(s.object, 'List')?.items)), s.newname);
        return;
      default:
        return;
    }
  },
});
