/**
 * Loads the production stats snapshot named by `--stats` or config `statsFile`, with the policy
 * from config. Problems are returned as one-line messages naming the file; a stale snapshot is a
 * warning, never silent.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_POLICY, parseSnapshot, ProductionFacts, StatsFormatError, type ProductionPolicy } from '../analyze/production.ts';

export interface ProductionConfig {
  statsFile?: string;
  smallTableRows?: number;
  statsMaxAgeDays?: number;
  statsThroughputMBps?: { scan?: number; rewrite?: number; indexBuild?: number };
}

export type LoadedProduction = { facts?: ProductionFacts; warning?: string } | { error: string };

export function policyFrom(config: ProductionConfig): ProductionPolicy {
  const t = config.statsThroughputMBps ?? {};
  return {
    smallTableRows: config.smallTableRows ?? DEFAULT_POLICY.smallTableRows,
    maxAgeDays: config.statsMaxAgeDays ?? DEFAULT_POLICY.maxAgeDays,
    scanMBps: t.scan ?? DEFAULT_POLICY.scanMBps,
    rewriteMBps: t.rewrite ?? DEFAULT_POLICY.rewriteMBps,
    indexBuildMBps: t.indexBuild ?? DEFAULT_POLICY.indexBuildMBps,
  };
}

export function loadProduction(file: string | undefined, config: ProductionConfig, cwd: string, now = new Date()): LoadedProduction {
  if (!file) return {};
  const abs = path.resolve(cwd, file);
  const shown = path.relative(cwd, abs) || file;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: `${shown}: cannot read the stats snapshot (${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}); write it with \`zerodown stats --database-url … -o ${shown}\`` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return { error: `${shown}: not valid JSON (${(e as Error).message})` };
  }
  let facts: ProductionFacts;
  try {
    facts = new ProductionFacts(parseSnapshot(raw), policyFrom(config), shown, createHash('sha256').update(bytes).digest('hex').slice(0, 16));
  } catch (e) {
    if (e instanceof StatsFormatError) return { error: `${shown}: ${e.message}` };
    throw e;
  }
  const age = facts.ageDays(now);
  if (age > facts.policy.maxAgeDays) {
    return {
      facts,
      warning: `${shown}: the stats snapshot is ${age} days old (taken ${facts.takenOn}; statsMaxAgeDays ${facts.policy.maxAgeDays}): table sizes and index usage may have changed since. Regenerate it with \`zerodown stats --database-url … -o ${shown}\`.`,
    };
  }
  return { facts };
}
