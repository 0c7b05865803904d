/**
 * Does ALTER COLUMN … TYPE rewrite the table? Decided from the replayed old type, Postgres'
 * binary-coercible casts (pg_cast.castmethod = 'b', generated from Postgres) and the typmod rules
 * of the length-coercion functions that Postgres knows to be no-ops when widening.
 */
import type { Node } from 'libpg-query';
import { BINARY_COERCIBLE_CASTS } from '../pg/catalog.generated.ts';
import { VERSION_FEATURES } from '../pg/facts.ts';
import { as, strings, type TypeRef } from '../parse/ast.ts';
import { isZeroOffsetTimeZone } from '../pg/time-zones.ts';

export interface TypeChangeVerdict {
  rewrite: 'no' | 'yes' | 'unknown';
  /** A scan without rewrite (e.g. a check of existing values). */
  scan: boolean;
  reason: string;
  /** The verdict follows the session TimeZone (timestamp ↔ timestamptz on PostgreSQL 12+). */
  dependsOnTimeZone?: boolean;
}

const COERCIBLE = new Set(BINARY_COERCIBLE_CASTS.map(([a, b]) => `${a}>${b}`));

/** Types whose typmod is a maximum length/precision, where widening needs no rewrite. */
const LENGTH_TYPES = new Set(['varchar', 'varbit']);
const PRECISION_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz', 'interval']);

function show(t: TypeRef): string {
  return t.display || t.name;
}

/** USING that is just the column (optionally cast to the new type) converts nothing. */
function trivialUsing(using: Node | undefined, column: string): boolean {
  if (!using) return true;
  const inner = as(using, 'TypeCast')?.arg ?? using;
  const ref = strings(as(inner, 'ColumnRef')?.fields);
  return ref.length > 0 && ref[ref.length - 1] === column;
}

export function typeChange(
  from: TypeRef | null,
  to: TypeRef | null,
  using: Node | undefined,
  column: string,
  pgVersion: number,
  /** The session TimeZone in force (SET earlier in the file, or configured); undefined = not known. */
  timeZone?: string,
): TypeChangeVerdict {
  const hasUsing = !trivialUsing(using, column);
  if (!to) return { rewrite: 'unknown', scan: true, reason: 'the new type could not be read' };
  if (!from) {
    return {
      rewrite: 'unknown',
      scan: true,
      reason: `the column's current type is unknown (not created by the replayed migrations), so the change to ${show(to)} may rewrite the table`,
    };
  }
  const desc = `${show(from)} → ${show(to)}`;
  if (hasUsing) return { rewrite: 'yes', scan: true, reason: `${desc} with USING evaluates the expression for every row` };
  if (from.array !== to.array) return { rewrite: 'yes', scan: true, reason: `${desc} changes between array and scalar` };
  if (from.name === to.name) {
    const [fm, tm] = [from.typmods, to.typmods];
    if (tm.length === 0 && (LENGTH_TYPES.has(from.name) || from.name === 'numeric')) {
      return { rewrite: 'no', scan: false, reason: `${desc} removes the length limit: catalog-only` };
    }
    if (tm.length === 0 && PRECISION_TYPES.has(from.name)) {
      return { rewrite: 'no', scan: false, reason: `${desc} removes the precision limit: catalog-only` };
    }
    if (LENGTH_TYPES.has(from.name) || PRECISION_TYPES.has(from.name)) {
      if (fm.length === 0 && tm.length > 0 && LENGTH_TYPES.has(from.name)) {
        return { rewrite: 'yes', scan: true, reason: `${desc} adds a length limit: every row is checked and the table rewritten` };
      }
      if (fm.length && tm.length && tm[0] >= fm[0]) return { rewrite: 'no', scan: false, reason: `${desc} widens the limit: catalog-only` };
      if (fm.length === 0 && tm.length === 0) return { rewrite: 'no', scan: false, reason: `${desc} is the same type` };
      return { rewrite: 'yes', scan: true, reason: `${desc} narrows the limit: every row is checked and the table rewritten` };
    }
    if (from.name === 'numeric') {
      // numeric(p,s) → numeric(p2,s) with p2 >= p and the same scale is a no-op; numeric(p,s) → numeric is too.
      const [fp, fs = 0] = from.typmods;
      const [tp, ts = 0] = to.typmods;
      if (fm.length && tm.length && ts === fs && tp >= fp) return { rewrite: 'no', scan: false, reason: `${desc} raises the precision at the same scale: catalog-only` };
      return { rewrite: 'yes', scan: true, reason: `${desc} changes the scale or lowers the precision: the table is rewritten` };
    }
    if (fm.join(',') === tm.join(',')) return { rewrite: 'no', scan: false, reason: `${desc} is the same type` };
    return { rewrite: 'yes', scan: true, reason: `${desc} changes the type modifier` };
  }
  const tz = new Set([from.name, to.name]);
  if (tz.has('timestamp') && tz.has('timestamptz') && from.typmods.join() === to.typmods.join()) {
    if (pgVersion < VERSION_FEATURES.timestampTimeZoneUtcNoRewrite) {
      return { rewrite: 'yes', scan: true, reason: `${desc} rewrites the table before PostgreSQL ${VERSION_FEATURES.timestampTimeZoneUtcNoRewrite}` };
    }
    if (timeZone !== undefined) {
      if (isZeroOffsetTimeZone(timeZone)) return { rewrite: 'no', scan: false, dependsOnTimeZone: true, reason: `${desc} is catalog-only because the session TimeZone is ${timeZone} (a fixed zero offset)` };
      return { rewrite: 'yes', scan: true, dependsOnTimeZone: true, reason: `${desc} rewrites the table because the session TimeZone is ${timeZone}, not UTC` };
    }
    return {
      rewrite: 'unknown',
      scan: true,
      dependsOnTimeZone: true,
      reason: `${desc} skips the rewrite only when the session TimeZone is UTC; otherwise the table is rewritten`,
    };
  }
  if (COERCIBLE.has(`${from.name}>${to.name}`) && to.name !== 'bpchar') {
    if (LENGTH_TYPES.has(to.name) && to.typmods.length > 0) {
      return { rewrite: 'yes', scan: true, reason: `${desc} adds a length limit: every row is checked and the table rewritten` };
    }
    return { rewrite: 'no', scan: false, reason: `${desc} is binary coercible: catalog-only` };
  }
  return { rewrite: 'yes', scan: true, reason: `${desc} converts every value: the table and its indexes are rewritten` };
}
