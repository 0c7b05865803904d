/**
 * PostgreSQL table-level lock modes and their conflicts, as documented in
 * "Explicit Locking — Table-Level Locks" (https://www.postgresql.org/docs/current/explicit-locking.html).
 * What a mode blocks is derived from the conflict table, never written by hand per rule.
 */

export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/** Strength order (index in LOCK_MODES); higher conflicts with more. */
export function lockRank(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode);
}

export function strongerLock(a: LockMode | undefined, b: LockMode): LockMode {
  return a === undefined || lockRank(b) > lockRank(a) ? b : a;
}

const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': LOCK_MODES,
};

export function conflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/** What application traffic a lock mode makes wait. */
export type Blocked = 'reads' | 'writes' | 'ddl';

/**
 * reads: plain SELECT (ACCESS SHARE); writes: INSERT/UPDATE/DELETE (ROW EXCLUSIVE);
 * ddl: VACUUM/ANALYZE, CREATE INDEX CONCURRENTLY and other schema changes (SHARE UPDATE EXCLUSIVE).
 */
export function blockedBy(mode: LockMode): Blocked[] {
  const out: Blocked[] = [];
  if (conflicts(mode, 'ACCESS SHARE')) out.push('reads');
  if (conflicts(mode, 'ROW EXCLUSIVE')) out.push('writes');
  if (conflicts(mode, 'SHARE UPDATE EXCLUSIVE')) out.push('ddl');
  return out;
}

export function blocksReadsOrWrites(mode: LockMode): boolean {
  return conflicts(mode, 'ROW EXCLUSIVE');
}

/** pg_locks spells modes in CamelCase (`AccessExclusiveLock`). */
function pgLocksName(mode: LockMode): string {
  return (
    mode
      .toLowerCase()
      .split(' ')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('') + 'Lock'
  );
}

export function fromPgLocksName(name: string): LockMode | undefined {
  return LOCK_MODES.find((m) => pgLocksName(m) === name);
}

/** "reads and writes", "writes" … for messages. */
export function describeBlocked(mode: LockMode): string {
  const b = blockedBy(mode);
  if (b.includes('reads')) return 'all reads and writes';
  if (b.includes('writes')) return 'writes (INSERT, UPDATE, DELETE); reads continue';
  if (b.includes('ddl')) return 'other schema changes and VACUUM; reads and writes continue';
  return 'nothing but ACCESS EXCLUSIVE';
}
