import { alterSubcommands, as, defineRule, displayRel, OPERATIONS, relKey, VERSION_FEATURES } from '../src/kit/index.ts';
import { lockPhrase } from '../src/advice/index.ts';

/** 'a' or 'an' before a lock mode name. */
function article(mode: string): string {
  return /^[AEIOU]/.test(mode) ? 'an' : 'a';
}

export default defineRule({
  id: 'detach-partition-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'DETACH PARTITION without CONCURRENTLY locks the parent and the partition with ACCESS EXCLUSIVE',
  versions: `>= ${VERSION_FEATURES.detachConcurrently}`,
  docs: {
    why:
      'ALTER TABLE … DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned parent and on the partition. Every query on the parent — which is how the application reaches all partitions — waits, and the lock request itself queues behind running queries while new ones queue behind it. Since PostgreSQL 14, DETACH PARTITION … CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE on both and waits for running queries in two transactions. It cannot run inside a transaction block, and it is refused while the parent has a DEFAULT partition.',
    bad: 'ALTER TABLE events DETACH PARTITION events_2023;',
    good: '-- in a migration that runs outside a transaction (PostgreSQL 14+)\nALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    versions: 'PostgreSQL 14+ (DETACH … CONCURRENTLY does not exist before 14, so the rule does not apply there).',
  },
  check(ctx) {
    if (ctx.pgVersion < VERSION_FEATURES.detachConcurrently) return;
    for (const { op, cmd, cmdIndex, table: parent } of alterSubcommands(ctx, 'detach-partition')) {
      if (op.relation !== parent) continue;
      const spec = as(cmd.def, 'PartitionCmd');
      const part = relKey(spec?.name);
      // Both created in this file: empty and unused.
      if (!op.existing && !ctx.isExisting(part)) continue;
      const partOp = ctx.ops.find((o) => o.cmdIndex === cmdIndex && o.relation === part);
      const relations = [parent, ...(partOp ? [part] : [])];
      const weak = OPERATIONS['detach-partition-concurrently'].locks.parent;
      ctx.report({
        span: ctx.subcommandSpan(cmdIndex),
        message: `DETACH PARTITION ${displayRel(part)} takes ${article(op.mode)} ${lockPhrase(op.mode, relations)}: every query on ${displayRel(parent)} waits, and the request queues behind running queries while new ones queue behind it.`,
        help: `Use DETACH PARTITION … CONCURRENTLY (${weak} on both tables; queries continue). It is refused when ${displayRel(parent)} has a DEFAULT partition, and it cannot run inside a transaction block: ${ctx.escapeHatch()}. If it is interrupted, finish it with ALTER TABLE ${displayRel(parent)} DETACH PARTITION ${displayRel(part)} FINALIZE.`,
        safeAlternative: {
          summary: `Detach with CONCURRENTLY, outside any transaction (not possible while ${displayRel(parent)} has a DEFAULT partition: then keep the plain DETACH with a lock_timeout, at a quiet time).`,
          steps: [
            {
              title: `Detach without blocking queries (${weak} on parent and partition)`,
              sql: `ALTER TABLE ${displayRel(parent)} DETACH PARTITION ${displayRel(part)} CONCURRENTLY;`,
              transaction: 'outside',
            },
          ],
        },
      });
    }
  },
});
