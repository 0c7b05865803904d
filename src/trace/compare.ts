/**
 * Prediction against observation for one traced statement: where lint's lock, rewrite and scan
 * claims differ from what PostgreSQL did, and the hazards observed (slow work under a lock that
 * blocks reads or writes). Each observed hazard is attributed to the lint finding that claims it;
 * when none does, it is the trace's own `trace-blocking-scan` and lint is marked as having missed it.
 */
import { displayRel } from '../parse/ast.ts';
import type { Finding, Severity } from '../findings/model.ts';
import { blockedBy, blocksReadsOrWrites, lockRank, strongerLock, type LockMode } from '../pg/locks.ts';
import { relkindOf, strongestByRel, TABLE_KINDS, type Rels } from './catalog.ts';
import type { Disagreement, TraceFinding, TracedStatement } from './types.ts';

/** The trace's id for an observed hazard no lint finding claims. */
export const UNCLAIMED_HAZARD = 'trace-blocking-scan';

/** Statements whose scans are the planner's choice (on small, unanalyzed tables it seq-scans): an unpredicted scan is no disagreement. */
const PLANNED = new Set(['UpdateStmt', 'DeleteStmt', 'InsertStmt', 'SelectStmt', 'MergeStmt', 'CreateTableAsStmt']);

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1 };

/**
 * Lint findings of the statement that claim slow work (scan or rewrite) on `relation` under a lock
 * that blocks reads or writes, as their lock summary states it: the most severe first, then the most
 * specific (the narrowest span: a finding on the offending clause before one on the whole statement).
 */
function claim(lint: readonly Finding[], relation: string): { ruleId: string; severity: Severity; lintAgrees: boolean } {
  const claims = lint
    .filter((f) => f.lock !== null && f.lock.relations.includes(relation) && blocksReadsOrWrites(f.lock.mode) && (f.lock.scan || f.lock.rewrite))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.end - a.start - (b.end - b.start));
  const first = claims[0];
  return first ? { ruleId: first.ruleId, severity: first.severity, lintAgrees: true } : { ruleId: UNCLAIMED_HAZARD, severity: 'error', lintAgrees: false };
}

function blockPhrase(mode: LockMode): string {
  const b = blockedBy(mode);
  return b.includes('reads') ? 'blocks reads and writes' : 'blocks writes';
}

/** Prediction vs observation per relation: lock mode, rewrite, scan. */
export function compare(st: TracedStatement, before: Rels, after: Rels, created: Set<string>): Disagreement[] {
  const out: Disagreement[] = [];
  const predicted = new Map<string, { mode: LockMode; rewrite: boolean; scan: boolean }>();
  for (const o of st.predicted?.ops ?? []) {
    const p = predicted.get(o.relation);
    predicted.set(o.relation, { mode: strongerLock(p?.mode, o.mode), rewrite: (p?.rewrite ?? false) || o.rewrite, scan: (p?.scan ?? false) || o.scan });
  }
  const relevant = (rel: string): boolean => {
    if (created.has(rel)) return false;
    const k = relkindOf(rel, before, after);
    return k === undefined ? predicted.has(rel) : TABLE_KINDS.includes(k) || predicted.has(rel);
  };
  if (st.locksObservable) {
    const acquired = strongestByRel(st.acquired);
    const held = new Map<string, Set<LockMode>>();
    for (const l of st.heldBefore) {
      let s = held.get(l.relation);
      if (!s) held.set(l.relation, (s = new Set()));
      s.add(l.mode);
    }
    const rels = new Set([...predicted.keys(), ...acquired.keys()]);
    for (const rel of rels) {
      if (!relevant(rel)) continue;
      const p = predicted.get(rel)?.mode;
      const o = acquired.get(rel);
      const alreadyHeld = p !== undefined && (held.get(rel)?.has(p) ?? false);
      if (p === undefined) {
        if (o !== undefined && o !== 'ACCESS SHARE') out.push({ aspect: 'lock', relation: rel, predicted: 'no lock', observed: o });
      } else if (o === undefined) {
        if (!alreadyHeld && relkindOf(rel, before, after) !== undefined) out.push({ aspect: 'lock', relation: rel, predicted: p, observed: 'no new lock' });
      } else if (o !== p && !(alreadyHeld && lockRank(o) < lockRank(p))) {
        out.push({ aspect: 'lock', relation: rel, predicted: p, observed: o });
      }
    }
  }
  const rewritten = new Set(st.rewritten);
  const scanned = new Set(st.seqScanned);
  const ddlLocked = new Set(st.acquired.filter((l) => lockRank(l.mode) > lockRank('ROW EXCLUSIVE')).map((l) => l.relation));
  const storageRels = new Set([...predicted.keys(), ...rewritten, ...scanned]);
  for (const rel of storageRels) {
    if (created.has(rel)) continue;
    const k = relkindOf(rel, before, after);
    if (k !== 'r' && k !== 'm') continue;
    const p = predicted.get(rel);
    if ((p?.rewrite ?? false) !== rewritten.has(rel) && (p !== undefined || rewritten.has(rel))) {
      out.push({ aspect: 'rewrite', relation: rel, predicted: p?.rewrite ? 'rewrite' : 'no rewrite', observed: rewritten.has(rel) ? 'rewritten' : 'not rewritten' });
    }
    // Reads by ordinary queries (INSERT … SELECT, subqueries) are not hazards the linter models:
    // an unpredicted scan counts only on a relation the statement locked for DDL.
    const observedScan = scanned.has(rel);
    const predictedScan = p?.scan ?? false;
    if (predictedScan && !observedScan) out.push({ aspect: 'scan', relation: rel, predicted: 'scan', observed: 'no scan' });
    if (!predictedScan && observedScan && !PLANNED.has(st.kind) && (p !== undefined || ddlLocked.has(rel))) out.push({ aspect: 'scan', relation: rel, predicted: 'no scan', observed: 'scanned' });
  }
  return out;
}

/**
 * Observed hazards: a lock blocking reads or writes on a pre-existing table held while it was
 * scanned or rewritten; and blocking locks from earlier statements held while another
 * pre-existing table is scanned or rewritten.
 */
export function observedFindings(st: TracedStatement, lint: readonly Finding[], atFileStart: Rels, before: Rels, after: Rels): TraceFinding[] {
  if (!st.locksObservable) return [];
  const out: TraceFinding[] = [];
  const preExisting = (rel: string): boolean => {
    const k = atFileStart.byKey.get(rel)?.relkind;
    return k === 'r' || k === 'm' || k === 'p';
  };
  const heldAfter = strongestByRel(st.heldAfter);
  const heldBefore = strongestByRel(st.heldBefore);
  const acquired = strongestByRel(st.acquired);
  const slow = new Map<string, 'rewrite' | 'scan'>();
  for (const r of st.seqScanned) if (preExisting(r)) slow.set(r, 'scan');
  for (const r of st.rewritten) if (preExisting(r) && relkindOf(r, before, after) !== 'i') slow.set(r, 'rewrite');
  const what = (rel: string, w: 'rewrite' | 'scan'): string => (w === 'rewrite' ? `rewrote ${displayRel(rel)}` : `scanned all of ${displayRel(rel)}`);
  for (const [rel, w] of slow) {
    const mode = heldAfter.get(rel);
    if (!mode || !blocksReadsOrWrites(mode)) continue;
    const own = acquired.get(rel);
    // A mode the statement requests but the transaction already holds shows no new pg_locks row: count the claim.
    const claimed = (st.predicted?.ops ?? []).filter((o) => o.relation === rel).some((o) => blocksReadsOrWrites(o.mode));
    const fromEarlier = heldBefore.get(rel);
    const earlierOnly = fromEarlier !== undefined && blocksReadsOrWrites(fromEarlier) && !(own && blocksReadsOrWrites(own)) && !claimed;
    out.push({
      ...claim(lint, rel),
      relation: rel,
      mode,
      message: earlierOnly
        ? `observed: this statement ${what(rel, w)} while the transaction held ${mode} on it from an earlier statement (${blockPhrase(mode)})`
        : `observed: this statement ${what(rel, w)} while holding ${mode} on it (${blockPhrase(mode)})`,
    });
  }
  // Blocking locks from earlier statements on other pre-existing tables, held during this slow work.
  if (slow.size > 0) {
    const held = [...heldBefore].filter(([rel, mode]) => !slow.has(rel) && preExisting(rel) && blocksReadsOrWrites(mode)).sort((a, b) => lockRank(b[1]) - lockRank(a[1]));
    if (held.length) {
      const [target, w] = [...slow.entries()][0];
      out.push({
        ...claim(lint, held[0][0]),
        relation: held[0][0],
        mode: held[0][1],
        message: `observed: ${held.map(([r, m]) => `${m} on ${displayRel(r)}`).join(', ')}, taken by earlier statements of the transaction, stayed held (${blockPhrase(held[0][1])}) while this statement ${what(target, w)}`,
      });
    }
  }
  return out;
}
