/**
 * PostgreSQL time settings (lock_timeout, statement_timeout): a number is milliseconds, a string
 * may carry a unit (https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-NAMES-VALUES).
 */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** '2s', '500ms', '1min', 1000 (ms), '0' → milliseconds; undefined when not a duration. */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()];
}
