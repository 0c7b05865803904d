/**
 * The ORM model check's verdicts and wording for the app-compat rules: does the code running during
 * the deploy (the deployed revision) or the code being deployed (the working tree) still map what a
 * migration drops or renames, and the two-deploy plan for the project's ORM.
 */
import { columnUses, hasModels, tableUses, type ColumnUse, type ModelFacts, type ModelRevision } from '../analyze/models/facts.ts';
import type { ModelColumn, ModelTable, OrmKind } from '../analyze/models/types.ts';
import type { RelatedLocation } from '../findings/model.ts';

export interface ModelUse {
  table: ModelTable;
  column?: ModelColumn;
  /** deployed: the revision running in production; current: the working tree (this change). */
  where: 'deployed' | 'current';
}

export type ModelVerdict =
  /** No models were read (or the check is off): the rule keeps its general advice. */
  | { kind: 'unknown' }
  /** No model maps it at the deployed revision nor in the working tree: the safe second step. */
  | { kind: 'unused'; note: string }
  | { kind: 'mapped'; uses: ModelUse[]; related: RelatedLocation[]; evidence: string; orms: OrmKind[]; probable: boolean };

function deployedOf(facts: ModelFacts): ModelRevision {
  return facts.deployed ?? facts.current;
}

function place(u: ModelUse): string {
  const ref = u.column?.ref ?? u.table.ref;
  return `${ref.path}:${ref.line}`;
}

function subject(u: ModelUse): string {
  return u.column ? `\`${u.table.model}.${u.column.field}\`` : `\`${u.table.model}\``;
}

function whereLabel(facts: ModelFacts, u: ModelUse): string {
  return u.where === 'deployed' ? (facts.deployed ? `deployed at ${facts.deployed.label.replace(/ \(deployed\)$/, '')}` : `${facts.current.label}; no deployed revision known`) : `${facts.current.label}, the code this change deploys`;
}

function verdict(facts: ModelFacts | undefined, target: string, find: (rev: ModelRevision) => ModelUse[]): ModelVerdict {
  if (!facts) return { kind: 'unknown' };
  const deployed = deployedOf(facts);
  if (!hasModels(deployed) && !hasModels(facts.current)) return { kind: 'unknown' };
  const uses: ModelUse[] = find(deployed).map((u) => ({ ...u, where: 'deployed' }));
  if (facts.deployed) {
    // The working tree only adds places the deployed revision does not already show.
    const seen = new Set(uses.map(place));
    for (const u of find(facts.current)) if (!seen.has(place(u))) uses.push({ ...u, where: 'current' });
  }
  if (!uses.length) {
    const revs = facts.deployed ? `${facts.deployed.label} nor in the ${facts.current.label}` : `the ${facts.current.label} (no deployed revision known)`;
    return { kind: 'unused', note: `${target}: no ORM model maps it in ${revs}, so the running code does not use it (the safe second step of a two-deploy change)` };
  }
  const probable = uses.every((u) => (u.column ?? u.table).certainty === 'probable');
  const related = uses.map((u) => {
    const ref = u.column?.ref ?? u.table.ref;
    return { path: ref.path, line: ref.line, column: ref.column, message: `${subject(u)} (${u.table.orm}, ${whereLabel(facts, u)}) ${(u.column ?? u.table).certainty === 'probable' ? 'probably maps' : 'maps'} ${target}` };
  });
  const first = uses[0];
  const more = uses.length > 1 ? ` (and ${uses.length - 1} more model reference${uses.length > 2 ? 's' : ''})` : '';
  const evidence = `${subject(first)} in ${place(first)} (${whereLabel(facts, first)}) ${(first.column ?? first.table).certainty === 'probable' ? 'probably still maps' : 'still maps'} ${target}${more}`;
  return { kind: 'mapped', uses, related, evidence, orms: [...new Set(uses.map((u) => u.table.orm))], probable };
}

export function columnVerdict(facts: ModelFacts | undefined, relKey: string, column: string, target: string): ModelVerdict {
  // A table no model maps is used (if at all) by code no reader understands: absence proves nothing.
  if (facts && !tableUses(deployedOf(facts), relKey).length && !tableUses(facts.current, relKey).length) return { kind: 'unknown' };
  return verdict(facts, target, (rev) => columnUses(rev, relKey, column).map((u: ColumnUse) => ({ table: u.table, column: u.column, where: 'deployed' })));
}

export function tableVerdict(facts: ModelFacts | undefined, relKey: string, target: string): ModelVerdict {
  return verdict(facts, target, (rev) => tableUses(rev, relKey).map((table) => ({ table, where: 'deployed' })));
}

/** Model columns of the working tree that still carry an ignore marker for a column (model-stale-ignore). */
export function ignoredColumns(facts: ModelFacts | undefined, relKey: string, column: string): ColumnUse[] {
  return columnUses(facts?.current, relKey, column, true).filter((u) => u.column.markers.length > 0);
}

const GENERATORS: Partial<Record<OrmKind, string>> = {
  prisma: '`prisma migrate dev`',
  typeorm: 'TypeORM `migration:generate`',
  drizzle: '`drizzle-kit generate`',
  'mikro-orm': 'MikroORM `migration:create`',
  sequelize: 'sequelize-cli model generators',
};

/** Deploy A of a column drop, per ORM, with the real model and field names. */
export function dropColumnFirstDeploy(uses: readonly ModelUse[], column: string, required: boolean): string {
  const parts = uses.map((u) => {
    const f = u.column?.field ?? column;
    const at = `${u.table.model}.${f} (${place(u)})`;
    switch (u.table.orm) {
      case 'prisma':
        return `Prisma: add \`@ignore\` to ${at}${required ? ' and make it optional (`?`): the INSERTs Prisma then sends without it need the column nullable (the DROP NOT NULL step)' : ''}, or delete the field`;
      case 'typeorm':
        return `TypeORM: remove the property ${at}, or set \`@Column({ select: false, insert: false, update: false })\` on it`;
      case 'drizzle':
        return `Drizzle: remove \`${f}\` from the table definition ${at}`;
      case 'sequelize':
        return `Sequelize: remove the attribute ${at}`;
      case 'mikro-orm':
        return `MikroORM: remove the property ${at}`;
      default:
        return `remove the query references at ${place(u)}`;
    }
  });
  const gens = [...new Set(uses.map((u) => GENERATORS[u.table.orm]).filter((g): g is string => !!g))];
  const gen = gens.length ? ` ${gens.join(' / ')} will emit this DROP in the same change as the model edit: keep it out of that deploy and commit it in a later migration.` : '';
  return `Deploy A (this change without the DROP): ${[...new Set(parts)].join('; ')}. Wait until no instance of the old code is left.${gen}`;
}

/** Keeping the database name and renaming only the field, per ORM. */
export function renameColumnMapping(uses: readonly ModelUse[], oldName: string): string {
  const parts = uses.map((u) => {
    const at = `${u.table.model}.${u.column?.field ?? oldName} (${place(u)})`;
    switch (u.table.orm) {
      case 'prisma':
        return `Prisma: rename the field and keep \`@map("${oldName}")\` on ${at}`;
      case 'typeorm':
        return `TypeORM: rename the property and keep \`@Column({ name: '${oldName}' })\` on ${at}`;
      case 'drizzle':
        return `Drizzle: rename the key and keep the builder's name argument, e.g. \`text('${oldName}')\`, on ${at}`;
      case 'sequelize':
        return `Sequelize: rename the attribute and keep \`field: '${oldName}'\` on ${at}`;
      case 'mikro-orm':
        return `MikroORM: rename the property and keep \`fieldName: '${oldName}'\` on ${at}`;
      default:
        return `keep the name ${oldName} in the queries at ${place(u)}`;
    }
  });
  return [...new Set(parts)].join('; ');
}

/** Keeping the database table name and renaming only the model, per ORM. */
export function renameTableMapping(uses: readonly ModelUse[], oldName: string): string {
  const parts = uses.map((u) => {
    const at = `${u.table.model} (${place(u)})`;
    switch (u.table.orm) {
      case 'prisma':
        return `Prisma: keep \`@@map("${oldName}")\` on ${at}`;
      case 'typeorm':
        return `TypeORM: keep \`@Entity('${oldName}')\` on ${at}`;
      case 'drizzle':
        return `Drizzle: keep \`pgTable('${oldName}', …)\` for ${at}`;
      case 'sequelize':
        return `Sequelize: keep \`tableName: '${oldName}'\` on ${at}`;
      case 'mikro-orm':
        return `MikroORM: keep \`@Entity({ tableName: '${oldName}' })\` on ${at}`;
      default:
        return `keep ${oldName} in the queries at ${place(u)}`;
    }
  });
  return [...new Set(parts)].join('; ');
}

/**
 * Models at the deployed revision that insert into `relKey` without mapping `column`: their INSERTs
 * leave it out, so a NOT NULL column without default makes them fail.
 */
export function deployedInsertersWithout(facts: ModelFacts | undefined, relKey: string, column: string): RelatedLocation[] {
  if (!facts) return [];
  const rev = deployedOf(facts);
  return tableUses(rev, relKey)
    .filter((t) => columnUses(rev, relKey, column, true).every((u) => u.table !== t))
    .map((t) => ({ path: t.ref.path, line: t.ref.line, column: t.ref.column, message: `\`${t.model}\` (${t.orm}, ${facts.deployed ? `deployed at ${facts.deployed.label.replace(/ \(deployed\)$/, '')}` : facts.current.label}) inserts into ${relKey.startsWith('public.') ? relKey.slice(7) : relKey} without ${column}` }));
}
