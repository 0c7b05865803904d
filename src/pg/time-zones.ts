/** TimeZone settings PostgreSQL treats as a fixed zero offset (the list itself is data in facts.ts). */
import { ZERO_OFFSET_TIME_ZONES } from './facts.ts';

/** Does this TimeZone setting have a fixed zero offset (PostgreSQL then treats timestamp ↔ timestamptz as catalog-only)? */
export function isZeroOffsetTimeZone(tz: string): boolean {
  const v = tz.trim().toLowerCase();
  // Numeric offsets (SET TIME ZONE 0, INTERVAL '00:00') and POSIX specs without DST such as UTC0.
  return ZERO_OFFSET_TIME_ZONES.has(v) || /^[+-]?0+(?:\.0+)?$/.test(v) || /^[+-]?0+(?::0+){1,2}$/.test(v) || /^(?:utc|gmt)[+-]?0+$/.test(v);
}
