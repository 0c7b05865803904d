/**
 * Placeholders in extracted SQL: client-side binding markers (knex, sequelize) rewritten as what the
 * server receives, and the stand-in for an interpolation whose value only the running code knows.
 */
import { SqlBuilder } from './sql-builder.ts';

/**
 * Rewrites client-side binding markers into what the server receives, as placeholders: knex's `??`
 * (an identifier) and `?` (a value), sequelize's `?` and `:name` (values). Quotes, comments and
 * `::` casts are left alone.
 */
export function bindPlaceholders(b: SqlBuilder, style: 'knex' | 'sequelize'): SqlBuilder {
  const out = new SqlBuilder(b.literals);
  const text = b.text;
  let quote: string | undefined;
  let n = 0;
  const copy = (i: number): void => out.pushCooked(text[i], b.starts[i], b.ends[i], b.lits[i]);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote || (quote === '\n' && c === '\n')) quote = undefined;
      copy(i);
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '-' && text[i + 1] === '-') quote = '\n';
    if (quote) {
      copy(i);
      continue;
    }
    if (style === 'knex' && c === '\\' && text[i + 1] === '?') {
      copy(i + 1);
      i++;
      continue;
    }
    if (c === '?') {
      if (style === 'knex' && text[i + 1] === '?') {
        out.pushHole(`zd_dynamic_${++n}`, b.starts[i], b.ends[i + 1]);
        i++;
      } else out.push(`$${++n}`, b.starts[i], b.ends[i]);
      continue;
    }
    if (style === 'sequelize' && c === ':' && text[i - 1] !== ':' && text[i + 1] !== ':' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && /\w/.test(text[j])) j++;
      out.push(`$${++n}`, b.starts[i], b.ends[j - 1]);
      i = j - 1;
      continue;
    }
    copy(i);
  }
  // Keep the interpolation holes of the original text.
  for (const h of b.holes) {
    const start = out.starts.findIndex((s, k) => s === h.srcStart && out.lits[k] === -1);
    if (start >= 0 && !out.holes.some((x) => x.start === start)) {
      let end = start;
      while (end < out.length && out.starts[end] === h.srcStart) end++;
      out.holes.push({ start, end, srcStart: h.srcStart, srcEnd: h.srcEnd });
    }
  }
  out.holes.sort((x, y) => x.start - y.start);
  return out;
}

const VALUE_BEFORE = /(?:[=<>+\-*/%|]|\b(?:default|values|in|like|ilike|limit|offset|then|else|when|and|or|not|is|between))\s*\(?\s*$/i;

/**
 * The placeholder for an unknown interpolation at the end of `before`: inside a quoted string or
 * identifier, filler characters; in value position a parameter; otherwise an identifier.
 */
export function placeholderFor(before: string, n: number): string {
  let quote: string | undefined;
  let i = 0;
  while (i < before.length) {
    const c = before[i];
    if (quote) {
      if (c === quote) {
        if (before[i + 1] === quote) i++;
        else quote = undefined;
      }
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '-' && before[i + 1] === '-') {
      const nl = before.indexOf('\n', i);
      if (nl === -1) return `zd${n}`;
      i = nl;
    }
    i++;
  }
  if (quote) return `zd_dynamic_${n}`;
  const tail = before.slice(-60);
  if (VALUE_BEFORE.test(tail) && !/[.]\s*$/.test(tail)) return `$${n}`;
  // Identifier position (after TABLE, ON, COLUMN, a dot …) and anything else: an identifier
  // placeholder is also a valid expression, so the statement still parses.
  return `zd_dynamic_${n}`;
}
