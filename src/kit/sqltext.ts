/**
 * Source-text extraction for recipes and fixes: the exact text the author wrote for a type, a
 * default expression or a clause, so generated SQL keeps their spelling.
 */
import type { ColumnDef } from 'libpg-query';
import { columnFacts, constraintsOf } from '../analyze/expr.ts';
import type { RuleContext } from './rule.ts';
import { tokenEnd } from '../source/lexer.ts';

const CLAUSE_STOP = new Set(['NOT', 'NULL', 'CHECK', 'REFERENCES', 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'GENERATED', 'COLLATE', 'DEFAULT', 'USING']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
}

/**
 * Text of the clause that follows the keyword at `at` (e.g. the expression after DEFAULT), up to a
 * top-level comma, an unbalanced `)`, a column-constraint keyword, or `end`.
 */
export function clauseAfterKeyword(text: string, at: number, end: number): string {
  let i = tokenEnd(text, at, end);
  while (i < end && isSpace(text[i])) i++;
  const start = i;
  let depth = 0;
  let last = i;
  while (i < end) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if ((c === ',' || c === ';') && depth === 0) break;
    else if (depth === 0 && /[A-Za-z_]/.test(c) && i > start) {
      const word = /^[A-Za-z_]+/.exec(text.slice(i, i + 16))?.[0].toUpperCase() ?? '';
      if (CLAUSE_STOP.has(word) && !(word === 'NULL' && /\bIS\s+(NOT\s+)?$/i.test(text.slice(start, i)))) break;
    }
    const next = tokenEnd(text, i, end);
    last = next;
    i = next;
  }
  return text.slice(start, last).trim();
}

/** Text between two indices, trimmed. */
function sliceTrim(text: string, start: number, end: number): string {
  return text.slice(start, end).trim();
}

/** The column definition's type as the author wrote it (up to its first constraint, or `spanEnd`). */
export function columnTypeSource(ctx: RuleContext, def: ColumnDef, spanEnd: number): string {
  const start = def.typeName?.location;
  if (start === undefined) return columnFacts(def).type?.display ?? 'text';
  const cons = constraintsOf(def)
    .map((c) => c.location)
    .filter((l): l is number => l !== undefined && l > start);
  const end = cons.length ? ctx.stmt.toIndex(Math.min(...cons)) : spanEnd;
  const base = ctx.stmt.span.start;
  return sliceTrim(ctx.stmt.text, ctx.stmt.toIndex(start) - base, end - base);
}
