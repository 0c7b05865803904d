/**
 * Sizes a finding with production facts (`--stats`): states the real size of the locked table, an
 * estimate of how long the lock is held (from the snapshot's bytes and the policy's throughput
 * assumptions, stated as assumptions), and lowers lock hazards on small tables to warnings.
 * Tables absent from the snapshot (created since) are left as the history says.
 */
import type { AppliedOp } from '../analyze/effects.ts';
import { formatBytes, formatDuration, formatRows, type ProductionFacts, type TableStats } from '../analyze/production.ts';
import type { FindingDraft, RuleCategory } from '../kit/rule.ts';
import type { ProductionSize, Severity } from '../findings/model.ts';
import type { OperationId } from '../pg/facts.ts';

/** Operations whose cost is an index build (sort + write of the index), not a plain scan. */
const BUILDS_INDEX: ReadonlySet<OperationId> = new Set<OperationId>(['create-index', 'create-index-concurrently', 'add-unique', 'add-primary-key', 'add-exclusion', 'reindex', 'reindex-concurrently']);

interface Work {
  kind: 'rewrite' | 'index build' | 'scan';
  bytes: number;
  mbps: number;
}

function workOn(table: TableStats, ops: readonly AppliedOp[], key: string, facts: ProductionFacts): Work | undefined {
  const mine = ops.filter((o) => o.relation === key);
  const p = facts.policy;
  if (mine.some((o) => o.rewrite)) return { kind: 'rewrite', bytes: table.totalBytes, mbps: p.rewriteMBps };
  if (mine.some((o) => BUILDS_INDEX.has(o.op))) return { kind: 'index build', bytes: table.heapBytes, mbps: p.indexBuildMBps };
  if (mine.some((o) => o.scan)) return { kind: 'scan', bytes: table.heapBytes, mbps: p.scanMBps };
  return undefined;
}

/** Adds the production size to `draft` and returns its severity (lowered for small tables). */
export function sizeFinding(
  draft: FindingDraft,
  severity: Severity,
  category: RuleCategory,
  ops: readonly AppliedOp[],
  facts: ProductionFacts | undefined,
): Severity {
  const lock = draft.lock;
  if (!facts || !lock || lock.relations.length === 0) return severity;
  const known = lock.relations.map((key) => ({ key, table: facts.table(key) }));
  const first = known.find((k) => k.table !== undefined);
  if (!first?.table) return severity;
  const table = first.table;
  const rows = facts.rows(table);
  const work = workOn(table, ops, first.key, facts);
  const seconds = work ? work.bytes / (work.mbps * 1024 * 1024) : undefined;
  let sentence = ` In production (stats of ${facts.takenOn}) ${table.name} has ${formatRows(rows)}, ${formatBytes(table.totalBytes)}`;
  if (work && seconds !== undefined) {
    sentence += `; the ${work.kind} of ${formatBytes(work.bytes)} takes ${formatDuration(seconds)} at an assumed ${work.mbps} MB/s, all of it under the ${lock.mode} lock`;
  }
  sentence += '.';
  const production: ProductionSize = { relation: first.key, rows, totalBytes: table.totalBytes, statsOf: facts.takenOn };
  if (work && seconds !== undefined) {
    production.work = work.kind;
    production.estimatedSeconds = Math.round(seconds);
  }
  let next = severity;
  // Only lock hazards shrink with the table; a dropped column breaks old code at any size.
  const allSmall = known.every((k) => k.table !== undefined && facts.rows(k.table) < facts.policy.smallTableRows);
  if (category === 'locking' && severity === 'error' && allSmall) {
    next = 'warning';
    sentence += ` Below smallTableRows (${facts.policy.smallTableRows.toLocaleString('en-US')}), so reported as a warning.`;
  }
  // In place: the engine keeps the rule's draft object (a rule may complete its message later).
  draft.message += sentence;
  draft.production = production;
  return next;
}
