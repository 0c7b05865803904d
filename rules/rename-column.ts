import { as, type ColumnInfo, defineRule, displayRel, quoteIdent, quoteLiteral, relKey, type RuleContext, type SafeAlternative, type SafeStep, type Schema, VERSION_FEATURES } from '../src/kit/index.ts';
import { helperName, notNullSteps, primaryKey, untilNoRowsUpdated, withLockTimeout } from '../src/advice/index.ts';
import { aLockPhrase } from '../src/advice/app-compat.ts';
import { columnVerdict, renameColumnMapping } from '../src/advice/models.ts';

/*
 * The expand/contract steps are written here rather than with src/advice/expand-contract.ts: that
 * builder (written for type changes) syncs one way, new := conversion(old), which would overwrite
 * what the new code writes to the new name. A rename needs both directions: old code writes the old
 * column, new code writes the new one, and each must reach the other.
 */

const SIMPLE_TYPE = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?(\(\d+(,\d+)?\))?(\[\])?$/;

/** The column's type as SQL for ADD COLUMN, when the replayed schema knows it and it is safe to spell back. */
function typeSql(col: ColumnInfo | undefined): string | undefined {
  const t = col?.type;
  if (!t) return undefined;
  // serial types create a sequence: the copy is a plain integer column (the type's internal name).
  const display = /^(small|big)?serial[248]?$/.test(t.display) ? t.name : t.display;
  if (!SIMPLE_TYPE.test(display)) return undefined;
  // `"char"` (the one-byte type) would read back as char(1); interval typmods are field masks.
  if (display === 'char' || display.startsWith('interval(')) return undefined;
  const base = display.replace(/\(.*$/, '').replace(/\[\]$/, '');
  if (base.split('.').some((p) => quoteIdent(p) !== p)) return undefined;
  return display;
}

/** `'public.users'::regclass`, for catalog lookups in generated DO blocks. */
function regclass(table: string): string {
  return `${quoteLiteral(displayRel(table))}::regclass`;
}

function addColumnStep(table: string, col: ColumnInfo | undefined, oldName: string, newName: string): SafeStep {
  const rel = displayRel(table);
  const type = typeSql(col);
  if (type) {
    return {
      title: `Expand: add ${quoteIdent(newName)} with the same type as ${quoteIdent(oldName)} (${type}), nullable and without a default (catalog-only, brief lock)`,
      sql: withLockTimeout(`ALTER TABLE ${rel} ADD COLUMN ${quoteIdent(newName)} ${type};`),
      transaction: 'own',
    };
  }
  return {
    title: `Expand: add ${quoteIdent(newName)} with the type of ${quoteIdent(oldName)} — the replayed migrations do not say which type it has, so this copies it from the catalog (catalog-only, brief lock)`,
    sql: withLockTimeout(
      [
        'DO $$',
        'BEGIN',
        `  EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', ${regclass(table)}, ${quoteLiteral(newName)},`,
        `    (SELECT format_type(atttypid, atttypmod) FROM pg_attribute`,
        `     WHERE attrelid = ${regclass(table)} AND attname = ${quoteLiteral(oldName)} AND NOT attisdropped));`,
        'END $$;',
      ].join('\n'),
    ),
    transaction: 'own',
  };
}

function qualifiedHelper(table: string, name: string): string {
  const schema = table.slice(0, table.indexOf('.'));
  return schema === 'public' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

function syncSteps(table: string, oldName: string, newName: string, pgVersion: number, partitioned: boolean): { steps: SafeStep[]; fn: string; trigger: string } {
  const rel = displayRel(table);
  const o = `NEW.${quoteIdent(oldName)}`;
  const n = `NEW.${quoteIdent(newName)}`;
  const triggerName = helperName(table, oldName, 'rename_sync');
  const fn = qualifiedHelper(table, triggerName);
  const trigger = quoteIdent(triggerName);
  const execute = pgVersion >= VERSION_FEATURES.triggerExecuteFunction ? 'EXECUTE FUNCTION' : 'EXECUTE PROCEDURE';
  const partitionNote = partitioned && pgVersion < VERSION_FEATURES.partitionedBeforeRowTriggers ? ' (before PostgreSQL 13 a BEFORE ROW trigger cannot be created on a partitioned table: create it on each partition)' : '';
  return {
    fn,
    trigger,
    steps: [
      {
        title: `Keep both columns in sync in both directions: old code writes ${quoteIdent(oldName)}, new code writes ${quoteIdent(newName)}${partitionNote}`,
        sql: [
          `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$`,
          'BEGIN',
          "  IF TG_OP = 'INSERT' THEN",
          `    IF ${n} IS NULL THEN ${n} := ${o}; ELSE ${o} := ${n}; END IF;`,
          `  ELSIF ${n} IS DISTINCT FROM OLD.${quoteIdent(newName)} THEN`,
          `    ${o} := ${n};`,
          `  ELSIF ${o} IS DISTINCT FROM OLD.${quoteIdent(oldName)} THEN`,
          `    ${n} := ${o};`,
          '  END IF;',
          '  RETURN NEW;',
          'END $$;',
          withLockTimeout(`CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${rel}\n  FOR EACH ROW ${execute} ${fn}();`),
        ].join('\n'),
        transaction: 'own',
      },
    ],
  };
}

/**
 * Copies existing rows old → new in batches that each commit. Rows whose old value is NULL are
 * skipped (the new column is already NULL there), so the loop always ends.
 */
function backfillStep(schema: Schema, table: string, oldName: string, newName: string, partitioned: boolean, pgVersion: number, batch = 10000): SafeStep {
  const rel = displayRel(table);
  const o = quoteIdent(oldName);
  const n = quoteIdent(newName);
  const pk = primaryKey(schema, table);
  const key = pk && pk.length === 1 ? quoteIdent(pk[0]) : partitioned ? '(tableoid, ctid)' : 'ctid';
  const keySelect = key === '(tableoid, ctid)' ? 'tableoid, ctid' : key;
  const update = `UPDATE ${rel} SET ${n} = ${o}\nWHERE ${key} IN (SELECT ${keySelect} FROM ${rel} WHERE ${n} IS NULL AND ${o} IS NOT NULL LIMIT ${batch});`;
  if (pgVersion < VERSION_FEATURES.doBlockCommit) {
    return {
      title: `Backfill existing rows one batch of ${batch} per transaction: repeat this statement until it updates 0 rows (PostgreSQL ${pgVersion} cannot COMMIT inside a DO block)`,
      sql: update,
      transaction: 'own',
    };
  }
  return {
    title: `Backfill existing rows in batches of ${batch}, committing each batch (the trigger copies the value into ${o} too, which is a no-op)`,
    sql: untilNoRowsUpdated(update.split('\n').map((l) => `    ${l}`)),
    transaction: 'outside',
  };
}

function indexSteps(ctx: RuleContext, table: string, oldName: string, newName: string): { steps: SafeStep[]; skipped: string[] } {
  const steps: SafeStep[] = [];
  const skipped: string[] = [];
  for (const idx of ctx.schema.indexesOf(table)) {
    if (!idx.columns.includes(oldName)) continue;
    const isConstraint = ctx.schema.tables.get(table)?.constraints.has(idx.key.slice(idx.key.indexOf('.') + 1));
    if (idx.columns.includes('expr') || isConstraint) {
      skipped.push(idx.key.slice(idx.key.indexOf('.') + 1));
      continue;
    }
    const name = helperName(table, idx.columns.map((c) => (c === oldName ? newName : c)).join('_'), idx.unique ? 'key' : 'idx');
    const cols = idx.columns.map((c) => quoteIdent(c === oldName ? newName : c)).join(', ');
    steps.push({
      title: `Build the counterpart of index ${quoteIdent(idx.key.slice(idx.key.indexOf('.') + 1))} on the new column without blocking writes (the old one goes with the old column)`,
      sql: `CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(name)} ON ${displayRel(table)} (${cols});`,
      transaction: 'outside',
    });
  }
  return { steps, skipped };
}

function contractStep(table: string, col: ColumnInfo | undefined, oldName: string, newName: string, fn: string, trigger: string): SafeStep {
  const rel = displayRel(table);
  const copyDefault = !col || (col.hasDefault && !col.identity);
  const lines: string[] = [];
  if (copyDefault) {
    lines.push(
      '-- Move the column default (and an owned serial sequence) to the new column.',
      'DO $$',
      'DECLARE',
      '  def text;',
      '  seq text;',
      'BEGIN',
      '  SELECT pg_get_expr(d.adbin, d.adrelid) INTO def',
      '  FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum',
      `  WHERE d.adrelid = ${regclass(table)} AND a.attname = ${quoteLiteral(oldName)};`,
      '  IF def IS NOT NULL THEN',
      `    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', ${regclass(table)}, ${quoteLiteral(newName)}, def);`,
      '  END IF;',
      `  seq := pg_get_serial_sequence(${quoteLiteral(displayRel(table))}, ${quoteLiteral(oldName)});`,
      '  IF seq IS NOT NULL THEN',
      `    EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', seq, ${regclass(table)}, ${quoteLiteral(newName)});`,
      '  END IF;',
      'END $$;',
    );
  }
  lines.push(`DROP TRIGGER ${trigger} ON ${rel};`, `DROP FUNCTION ${fn}();`, `ALTER TABLE ${rel} DROP COLUMN ${quoteIdent(oldName)};`);
  return {
    title: `Contract: drop the trigger, its function and the old column ${quoteIdent(oldName)}${copyDefault ? ', after moving its default to ' + quoteIdent(newName) : ''} (catalog-only, brief lock)`,
    sql: withLockTimeout(lines.join('\n')),
    transaction: 'own',
    deploy: `Only after every running instance uses the version that reads and writes ${quoteIdent(newName)} and never mentions ${quoteIdent(oldName)}: the old column disappears when this commits.`,
  };
}

function recipe(ctx: RuleContext, table: string, oldName: string, newName: string): SafeAlternative {
  const info = ctx.schema.tables.get(table);
  const col = info?.columns.get(oldName);
  const partitioned = info?.kind === 'partitioned';
  const rel = displayRel(table);
  const steps: SafeStep[] = [addColumnStep(table, col, oldName, newName)];
  const sync = syncSteps(table, oldName, newName, ctx.pgVersion, partitioned);
  steps.push(...sync.steps);
  steps.push(backfillStep(ctx.schema, table, oldName, newName, partitioned, ctx.pgVersion));
  let note = '';
  if (col?.notNull) {
    const nn = notNullSteps(table, newName, ctx.pgVersion);
    steps.push(...nn.steps);
    if (nn.note) note += ` ${nn.note}`;
  }
  const idx = indexSteps(ctx, table, oldName, newName);
  steps.push(...idx.steps);
  if (idx.skipped.length) note += ` Recreate ${idx.skipped.map(quoteIdent).join(', ')} (constraint or expression indexes on ${quoteIdent(oldName)}) for ${quoteIdent(newName)} before the contract step.`;
  steps.push({
    title: `Check that every row agrees (expect 0), then deploy the code that reads and writes ${quoteIdent(newName)}`,
    sql: `SELECT count(*) FROM ${rel} WHERE ${quoteIdent(newName)} IS DISTINCT FROM ${quoteIdent(oldName)};`,
    transaction: 'any',
    deploy: `Deploy the application version that reads and writes ${quoteIdent(newName)} (ORM: map the attribute to the new column). Old and new versions can run side by side: the trigger keeps both columns equal. Wait until no instance of the old version is left.`,
  });
  steps.push(contractStep(table, col, oldName, newName, sync.fn, sync.trigger));
  if (col?.identity || primaryKey(ctx.schema, table)?.includes(oldName)) {
    note += ` ${quoteIdent(oldName)} is ${col?.identity ? 'an identity column' : 'part of the primary key'}: moving it is heavy (identity, primary key and referencing foreign keys must move too); consider keeping the column name and mapping it in the application instead.`;
  }
  if (col?.generated) note += ` ${quoteIdent(oldName)} is a generated column: create ${quoteIdent(newName)} with the same generation expression instead of the trigger and backfill.`;
  return {
    summary: `Expand/contract: add ${quoteIdent(newName)} next to ${quoteIdent(oldName)}, keep them in sync with a trigger, backfill, switch the application to the new name, then drop the old column. No step breaks the running version.${note}`,
    steps,
  };
}

export default defineRule({
  id: 'rename-column',
  severity: 'error',
  category: 'app-compat',
  presets: ['recommended', 'strict'],
  description: 'RENAME COLUMN breaks the application version that is still running during the deploy',
  docs: {
    why:
      'A column rename is instant in Postgres, and that is the problem: the moment it commits, every query of the running application that names the old column fails (column "…" does not exist) — SELECTs, INSERTs, UPDATEs, and ORMs that list every mapped column in their queries. Migrations run before (or while) the new code is rolled out, so for the length of the deploy the old version is talking to a schema it does not understand; with a rolling deploy, old and new versions even run side by side, and neither name works for both. The safe path is expand/contract: add the new column, keep both in sync with a trigger, backfill, move the code to the new name, and only then drop the old column.',
    bad: 'ALTER TABLE users RENAME COLUMN email TO email_address;',
    good:
      "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email_address text;\n-- trigger keeping email and email_address in sync, batched backfill,\n-- deploy code using email_address, then in a later migration:\nALTER TABLE users DROP COLUMN email;",
  },
  check(ctx) {
    const s = as(ctx.stmt.node, 'RenameStmt');
    if (!s || s.renameType !== 'OBJECT_COLUMN' || !s.subname || !s.newname) return;
    if (s.relationType !== 'OBJECT_TABLE' && s.relationType !== 'OBJECT_FOREIGN_TABLE' && s.relationType !== 'OBJECT_VIEW' && s.relationType !== 'OBJECT_MATVIEW') return;
    const table = relKey(s.relation);
    const op = ctx.ops.find((o) => o.op === 'rename' && o.relation === table);
    if (!op?.existing) return;
    const info = ctx.schema.tables.get(table);
    const col = info?.columns.get(s.subname);
    // A column added earlier in this file is unknown to the running code.
    if (col && col.origin.file === ctx.file) return;
    const isMatview = s.relationType === 'OBJECT_MATVIEW' || info?.kind === 'matview';
    const isView = isMatview || s.relationType === 'OBJECT_VIEW' || info?.kind === 'view';
    const rel = displayRel(table);
    const oldCol = quoteIdent(s.subname);
    const newCol = quoteIdent(s.newname);
    const models = isView ? { kind: 'unknown' as const } : columnVerdict(ctx.models, table, s.subname, `${rel}.${oldCol}`);
    if (models.kind === 'unused') {
      ctx.note(models.note);
      return;
    }
    const mapping = models.kind === 'mapped' ? ` Or keep the database name and rename only the field: ${renameColumnMapping(models.uses, s.subname)}.` : '';
    ctx.report({
      span: ctx.stmt.span,
      relatedLocations: models.kind === 'mapped' ? models.related : undefined,
      message: `${models.kind === 'mapped' ? `${models.evidence}. ` : ''}Renaming ${rel}.${oldCol} to ${newCol} breaks the application version that is still running: from the moment this commits, every query that names ${oldCol} (or an ORM that lists all mapped columns) fails until the new code is everywhere, and during a rolling deploy the old and new versions need different names at the same time. It also takes ${aLockPhrase(op.mode, [table])}, briefly.`,
      help: isMatview
        ? `${rel} is a materialized view: create a new one that exposes ${newCol}, deploy code that reads it, then drop the old one.`
        : isView
        ? `${rel} is a view: recreate it with CREATE OR REPLACE VIEW adding ${newCol} as an extra last column (same expression as ${oldCol}), deploy code that uses ${newCol}, then recreate the view without ${oldCol}.`
        : `Do it as expand/contract: add ${newCol}, keep both columns in sync with a trigger, backfill in batches, deploy code that reads and writes ${newCol}, then drop ${oldCol}. If the name only matters to the code, map the attribute to the existing column in the ORM instead of renaming it.${mapping}`,
      safeAlternative: isView ? null : recipe(ctx, table, s.subname, s.newname),
    });
  },
});
