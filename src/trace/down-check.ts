/**
 * --check-down: after a migration's up ran, run its down, compare the schema with the one before
 * the up, then run the up again (as `migrate down 1 && migrate up 1` would) and compare again.
 */
import type { MigrationFormat } from '../source/formats.ts';
import { layout, orderKey } from '../source/formats.ts';
import { LineMap } from '../source/text.ts';
import { catalog, diffCatalog, type Catalog } from './catalog.ts';
import { siblingReader } from './predict.ts';
import { runFile, type FileJob, type RunContext } from './run.ts';
import type { DownCheck, TracedStatement } from './types.ts';

/** Formats whose migrations have down migrations. */
export const DOWN_FORMATS = new Set<MigrationFormat>(['golang-migrate', 'diesel', 'popx', 'goose', 'dbmate', 'sqitch']);

export function hasSection(job: FileJob, direction: 'up' | 'down'): boolean {
  const l = layout(job.file.format, job.file.path, job.text, siblingReader(job.file.path));
  return l.sections.some((s) => s.direction === direction && job.text.slice(s.start, s.end).trim() !== '');
}

/** up (already run) → snapshot → down → compare with before-up → up again. */
export async function checkDown(ctx: RunContext, up: FileJob, down: FileJob, beforeUp: Catalog): Promise<DownCheck> {
  const check: DownCheck = { migration: orderKey(up.file.format, up.file.path).key, up: up.display, down: down.display, status: 'ok', differences: [], errors: [], notes: [] };
  ctx.progress(`checking down ${down.display}`);
  ctx.cache = {};
  const afterUp = await catalog(ctx.db, true);
  if (!hasSection(down, 'down')) {
    check.notes.push('the down migration is empty');
  }
  const r = await runFile(ctx, down, 'down', false);
  for (const st of r.statements) if (st.status !== 'traced') check.errors.push(`line ${lineOf(down, st)}: ${st.error?.message ?? st.status}`);
  for (const f of r.failures) if (!check.errors.some((e) => f.endsWith(e))) check.errors.push(f);
  const afterDown = await catalog(ctx.db, true);
  check.differences = diffCatalog(beforeUp, afterDown);
  if (diffCatalog(afterUp, afterDown).length === 0 && diffCatalog(beforeUp, afterUp).length > 0) check.notes.push('the down migration changed nothing');
  if (check.errors.length) check.status = 'failed';
  else if (check.differences.length) check.status = 'differs';
  // Up again, as `migrate down 1 && migrate up 1` would.
  const again = await runFile(ctx, up, 'up', false);
  const againErrors = again.statements.filter((st) => st.status !== 'traced').map((st) => st.error?.message ?? st.status);
  if (againErrors.length) {
    check.notes.push(`re-applying the up migration after the down failed: ${againErrors.slice(0, 3).join('; ')}`);
    if (check.status === 'ok') check.status = 'up-again-failed';
  }
  const afterAgain = await catalog(ctx.db, true);
  const drift = diffCatalog(afterUp, afterAgain);
  if (drift.length && check.status === 'ok') {
    check.status = 'up-again-failed';
    check.notes.push(`up → down → up leaves a different schema than up: ${drift.slice(0, 5).join('; ')}`);
  }
  return check;
}

function lineOf(job: FileJob, st: TracedStatement): number {
  return st.line || new LineMap(job.text).position(0).line;
}
