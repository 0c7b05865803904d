/**
 * What the ORM models map at the deployed revision and in the working tree, and the lookups the
 * model-aware rules ask: which models still read a table or a column.
 */
import { camelCase, snakeCase } from './naming.ts';
import { MODEL_READERS } from './readers.ts';
import type { ModelColumn, ModelReader, ModelTable, RevisionFiles, SourceRef } from './types.ts';

export interface ModelRevision {
  /** `origin/main (deployed)`, `working tree`. */
  label: string;
  tables: ModelTable[];
  problems: { ref: SourceRef; message: string }[];
}

export interface ModelFacts {
  /** The revision running in production during the deploy; undefined without git (then `current` stands in). */
  deployed: ModelRevision | undefined;
  /** The working tree: the code this change deploys (and a rollback target once deployed). */
  current: ModelRevision;
  /** Why the deployed revision is unknown, for the report's notes. */
  note?: string;
}

export function readModels(files: RevisionFiles, readers: readonly ModelReader[] = MODEL_READERS): ModelRevision {
  const rev: ModelRevision = { label: files.label, tables: [], problems: [] };
  for (const reader of readers) {
    try {
      const r = reader.read(files);
      rev.tables.push(...r.tables);
      rev.problems.push(...r.problems);
    } catch (e) {
      // One reader's bug must not hide the other ORMs' models.
      rev.problems.push({ ref: { path: '.', line: 1, column: 1 }, message: `${reader.orm} reader failed: ${(e as Error).message}` });
    }
  }
  return rev;
}

/** Digest input for caches: everything the rules can see of the models. */
export function modelFactsKey(facts: ModelFacts | undefined): string {
  return facts ? JSON.stringify([facts.deployed?.tables, facts.current.tables]) : '';
}

/** Spellings a name may have when the naming strategy is not certain. */
function spellings(name: string, probable: boolean): string[] {
  return probable ? [...new Set([name, snakeCase(name), camelCase(name), name.toLowerCase()])] : [name];
}

function sameTable(t: ModelTable, relKey: string): boolean {
  const dot = relKey.indexOf('.');
  const schema = relKey.slice(0, dot);
  const name = relKey.slice(dot + 1);
  if ((t.schema ?? 'public') !== schema) return false;
  const probable = t.certainty === 'probable';
  return spellings(t.table, probable).includes(name) || (probable && spellings(t.model, true).includes(name));
}

function sameColumn(c: ModelColumn, column: string): boolean {
  const probable = c.certainty === 'probable';
  return spellings(c.column, probable).includes(column) || (probable && spellings(c.field, true).includes(column));
}

/** Does the ORM still send this column in some statement? (@ignore, or select+insert+update all off, means no.) */
export function columnInUse(c: ModelColumn): boolean {
  if (c.markers.includes('ignored')) return false;
  return !(c.markers.includes('no-select') && c.markers.includes('no-insert') && c.markers.includes('no-update'));
}

export interface TableUse {
  table: ModelTable;
}

export interface ColumnUse {
  table: ModelTable;
  column: ModelColumn;
}

/** Models of `rev` that map the relation (`schema.table`) and are not ignored. */
export function tableUses(rev: ModelRevision | undefined, relKey: string): ModelTable[] {
  return (rev?.tables ?? []).filter((t) => !t.ignored && sameTable(t, relKey));
}

/** Model columns of `rev` that map `relKey.column`, in use or (with `all`) also ignored/marked ones. */
export function columnUses(rev: ModelRevision | undefined, relKey: string, column: string, all = false): ColumnUse[] {
  const out: ColumnUse[] = [];
  for (const table of tableUses(rev, relKey)) for (const c of table.columns) if (sameColumn(c, column) && (all || columnInUse(c))) out.push({ table, column: c });
  return out;
}

/** Does the revision have any model at all (else absence of a mapping proves nothing)? */
export function hasModels(rev: ModelRevision | undefined): boolean {
  return (rev?.tables.length ?? 0) > 0;
}
