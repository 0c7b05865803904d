/** Wording helpers shared by the app-compat rules (rename-*, drop-*, truncate). */
import { lockPhrase } from './index.ts';
import type { AppliedOp } from '../analyze/effects.ts';
import type { OperationId } from '../pg/facts.ts';
import type { LockMode } from '../pg/locks.ts';

/** "an ACCESS EXCLUSIVE lock on users (blocks …)" / "a SHARE lock on …". */
export function aLockPhrase(mode: LockMode, relations: string[]): string {
  return `${/^[AEIOU]/.test(mode) ? 'an' : 'a'} ${lockPhrase(mode, relations)}`;
}

/** Extra locks a statement takes that the analyzer does not list (for the finding's lock summary). */
export function extraLocks(op: OperationId, mode: LockMode | undefined, relations: string[]): AppliedOp[] {
  if (!mode) return [];
  return relations.map((relation) => ({ op, relation, mode, rewrite: false, scan: false, existing: true }));
}
