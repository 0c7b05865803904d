/**
 * Column type sites for the design rules (prefer-bigint, prefer-text, ban-char, …): every column a
 * statement defines or retypes (CREATE TABLE columns, ALTER TABLE … ADD COLUMN, ALTER COLUMN … TYPE),
 * with the exact text span of the type as written, and a helper that rewrites the statement with a
 * different type so recipes keep the author's own SQL.
 */
import type { ColumnDef, Node } from 'libpg-query';
import { as, displayRel, quoteIdent, relKey, strings } from '../parse/ast.ts';
import { columnFacts, type ColumnFacts } from '../analyze/expr.ts';
import { helperName, withLockTimeout } from './index.ts';
import type { SafeStep } from '../findings/model.ts';
import type { RuleContext } from '../kit/rule.ts';
import { OPERATIONS } from '../pg/facts.ts';
import { blocksReadsOrWrites } from '../pg/locks.ts';
import { tokenEnd } from '../source/lexer.ts';
import type { Span } from '../source/text.ts';

export interface ColumnSite {
  def: ColumnDef;
  facts: ColumnFacts;
  /** Column name (for ALTER COLUMN TYPE, the altered column). */
  name: string;
  /** Relation key `schema.name`. */
  table: string;
  where: 'create' | 'add' | 'alter-type';
  cmdIndex?: number;
  /** The type as written, in analyzed-text indices; undefined when the text cannot be located (embedded SQL). */
  typeSpan?: Span;
  /** The type as written (source text when located, else the canonical display), for messages. */
  typeText: string;
  /** End of the whole column definition (create/add), where a column constraint can be appended. */
  defEnd?: number;
  /** Part of the table's primary key: a column or table constraint of this statement, or (ALTER COLUMN TYPE) the replayed schema. */
  primaryKey: boolean;
  /** An identity column: declared here or, for ALTER COLUMN TYPE, in the replayed schema. */
  identity: boolean;
}

/** Words that end a column's type and begin its constraints/options. */
const TYPE_STOP = new Set(['CONSTRAINT', 'NOT', 'NULL', 'DEFAULT', 'CHECK', 'REFERENCES', 'PRIMARY', 'UNIQUE', 'GENERATED', 'COLLATE', 'COMPRESSION', 'STORAGE', 'USING', 'EXCLUDE', 'DEFERRABLE', 'INITIALLY']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** From the start of a type, the end of the type text and of the whole column definition. */
function scanColumn(text: string, start: number, end: number): { typeEnd: number; defEnd: number } {
  let i = start;
  let depth = 0;
  let typeEnd = -1;
  let last = start;
  while (i < end) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (text.startsWith('--', i) || text.startsWith('/*', i)) {
      i = tokenEnd(text, i, end);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) break;
    else if (depth === 0 && typeEnd < 0 && i > start && /[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_]+/.exec(text.slice(i, i + 16))?.[0].toUpperCase() ?? '';
      if (TYPE_STOP.has(word)) typeEnd = last;
    }
    const next = tokenEnd(text, i, end);
    last = next;
    i = next;
  }
  if (typeEnd < 0) typeEnd = last;
  return { typeEnd, defEnd: last };
}

function locate(ctx: RuleContext, def: ColumnDef): { typeSpan?: Span; defEnd?: number; typeText: string } {
  const fallback = { typeText: columnFacts(def).type?.display ?? '' };
  const loc = def.typeName?.location;
  if (loc === undefined || loc < 0) return fallback;
  const start = ctx.stmt.toIndex(loc);
  const { span, text } = ctx.stmt;
  if (start < span.start || start >= span.end) return fallback;
  // Scan the statement text (indices relative to the statement), then map back.
  const rel = start - span.start;
  const { typeEnd, defEnd } = scanColumn(text, rel, text.length);
  if (typeEnd <= rel) return fallback;
  return { typeSpan: { start, end: span.start + typeEnd }, defEnd: span.start + defEnd, typeText: text.slice(rel, typeEnd).replace(/\s+/g, ' ') };
}

function tablePrimaryKey(elts: Node[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const e of elts ?? []) {
    const con = as(e, 'Constraint');
    if (con?.contype === 'CONSTR_PRIMARY') for (const k of strings(con.keys)) out.add(k);
  }
  return out;
}

/** Columns whose type this statement writes. Temporary tables are skipped (they live for one session). */
export function columnSites(ctx: RuleContext): ColumnSite[] {
  const out: ColumnSite[] = [];
  const create = as(ctx.stmt.node, 'CreateStmt');
  if (create) {
    if (create.relation?.relpersistence === 't') return out;
    const table = relKey(create.relation);
    const pk = tablePrimaryKey(create.tableElts);
    for (const e of create.tableElts ?? []) {
      const def = as(e, 'ColumnDef');
      if (!def?.typeName) continue;
      const facts = columnFacts(def);
      out.push({ def, facts, name: facts.name, table, where: 'create', primaryKey: facts.primaryKey || pk.has(facts.name), identity: facts.identity, ...locate(ctx, def) });
    }
    return out;
  }
  const alter = as(ctx.stmt.node, 'AlterTableStmt');
  if (!alter || (alter.objtype !== undefined && alter.objtype !== 'OBJECT_TABLE')) return out;
  const table = relKey(alter.relation);
  const info = ctx.schema.tables.get(table);
  if (info?.kind === 'foreign' || info?.kind === 'view' || info?.kind === 'matview') return out;
  const schemaPk = new Set<string>();
  for (const c of info?.constraints.values() ?? []) if (c.kind === 'primary') for (const col of c.columns) schemaPk.add(col);
  (alter.cmds ?? []).forEach((c, cmdIndex) => {
    const cmd = as(c, 'AlterTableCmd');
    const def = as(cmd?.def, 'ColumnDef');
    if (!cmd || !def?.typeName) return;
    if (cmd.subtype === 'AT_AddColumn') {
      const facts = columnFacts(def);
      out.push({ def, facts, name: facts.name, table, where: 'add', cmdIndex, primaryKey: facts.primaryKey, identity: facts.identity, ...locate(ctx, def) });
    } else if (cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
      const facts = columnFacts(def);
      const name = cmd.name;
      out.push({
        def,
        facts: { ...facts, name },
        name,
        table,
        where: 'alter-type',
        cmdIndex,
        primaryKey: schemaPk.has(name),
        identity: info?.columns.get(name)?.identity === true,
        ...locate(ctx, def),
      });
    }
  });
  return out;
}

/** Calls `visit` for each site whose column was not yet seen in this statement (one finding per column). */
export function eachColumnOnce(sites: ColumnSite[], match: (s: ColumnSite) => boolean, visit: (s: ColumnSite) => void): void {
  const seen = new Set<string>();
  for (const s of sites) {
    if (seen.has(s.name) || !match(s)) continue;
    seen.add(s.name);
    visit(s);
  }
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The statement's text (with `;`) after applying edits given in analyzed-text indices. */
export function rewriteStatement(ctx: RuleContext, edits: TextEdit[]): string {
  let sql = ctx.stmt.text;
  const base = ctx.stmt.span.start;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    sql = sql.slice(0, e.start - base) + e.text + sql.slice(e.end - base);
  }
  return `${sql.trim()};`;
}

/** Does the statement take a lock that blocks reads or writes of a relation that existed before this file? */
export function locksExisting(ctx: RuleContext): boolean {
  return ctx.lock !== null && blocksReadsOrWrites(ctx.lock.mode);
}

/**
 * The statement with the given sites' types replaced (and optional column constraints appended),
 * as one recipe step; the lock_timeout preamble is added when the statement locks an existing table.
 */
export function retypeStep(ctx: RuleContext, sites: ColumnSite[], newType: (s: ColumnSite) => string, append?: (s: ColumnSite) => string | undefined, title?: string): SafeStep | undefined {
  const edits: TextEdit[] = [];
  for (const s of sites) {
    if (!s.typeSpan) return undefined;
    edits.push({ ...s.typeSpan, text: newType(s) });
    const extra = append?.(s);
    if (extra && s.where !== 'alter-type' && s.defEnd !== undefined) edits.push({ start: s.defEnd, end: s.defEnd, text: ` ${extra}` });
  }
  if (!edits.length) return undefined;
  const sql = rewriteStatement(ctx, edits);
  const existing = locksExisting(ctx);
  return {
    title: title ?? (sites.length > 1 ? 'The same statement with the suggested column types' : 'The same statement with the suggested column type'),
    sql: existing ? withLockTimeout(sql) : sql,
    transaction: existing ? 'own' : 'any',
  };
}

/** Steps that add a length CHECK to an existing column without a long lock: NOT VALID, then VALIDATE. */
export function lengthCheckSteps(ctx: RuleContext, site: ColumnSite, max: number): SafeStep[] {
  const rel = displayRel(site.table);
  const col = quoteIdent(site.name);
  const name = quoteIdent(helperName(site.table, site.name, 'length_check'));
  const existing = ctx.isExisting(site.table);
  const add = `ALTER TABLE ${rel} ADD CONSTRAINT ${name} CHECK (char_length(${col}) <= ${max}) NOT VALID;`;
  return [
    {
      title: `Keep the length limit as a CHECK constraint, added without checking existing rows (brief ${OPERATIONS['add-check'].locks.table ?? ''} lock, no scan)`,
      sql: existing ? withLockTimeout(add) : add,
      transaction: existing ? 'own' : 'any',
    },
    {
      title: `Validate it: scans the table under ${OPERATIONS['validate-constraint'].locks.table ?? ''}, reads and writes continue`,
      sql: `ALTER TABLE ${rel} VALIDATE CONSTRAINT ${name};`,
      transaction: existing ? 'own' : 'any',
    },
  ];
}

/** The column constraint that keeps a length limit: `CHECK (char_length(col) <= n)`. */
export function lengthCheck(site: ColumnSite, max: number): string {
  return `CHECK (char_length(${quoteIdent(site.name)}) <= ${max})`;
}

/** How the column is introduced, for messages: `column email of users`. */
export function columnPhrase(site: ColumnSite): string {
  return `column ${quoteIdent(site.name)} of ${displayRel(site.table)}`;
}

/** `[]` when the type is an array. */
export function arraySuffix(site: ColumnSite): string {
  return site.facts.type?.array ? '[]' : '';
}
