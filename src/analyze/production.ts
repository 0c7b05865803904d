/**
 * Production facts: a snapshot of table sizes and index usage taken from the real database
 * (`zerodown stats`), read by the engine to size lock hazards and by the index-drop rules.
 * The snapshot is data the user commits or produces in CI; nothing here connects to a database.
 */
import { DEFAULT_SCHEMA } from '../parse/ast.ts';

export interface TableStats {
  schema: string;
  name: string;
  /** r table, p partitioned table, m materialized view. */
  kind: string;
  /** The planner's row estimate (pg_class.reltuples; -1 or 0 when never analyzed). */
  reltuples: number;
  totalBytes: number;
  heapBytes: number;
  indexBytes: number;
  liveTuples: number | null;
  deadTuples: number | null;
  seqScan: number | null;
  idxScan: number | null;
  lastVacuum: string | null;
  lastAutovacuum: string | null;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
}

export interface IndexStats {
  schema: string;
  table: string;
  name: string;
  bytes: number;
  /** Key columns in order; null for an expression. */
  columns: Array<string | null>;
  /** Scans since the statistics were last reset (pg_stat_user_indexes.idx_scan). */
  idxScan: number | null;
  /** PostgreSQL 16+: time of the last scan. */
  lastIdxScan: string | null;
  valid: boolean;
  unique: boolean;
  primary: boolean;
  /** The PRIMARY KEY / UNIQUE / EXCLUDE constraint the index backs, if any. */
  constraint: string | null;
  /** Foreign keys (of any table) that depend on this index. */
  referencedBy: string[];
  definition: string;
}

export interface TopQuery {
  query: string;
  calls: number;
  totalMs: number;
}

export interface StatsSnapshot {
  zerodownStats: 1;
  generatedAt: string;
  serverVersion: string;
  serverVersionNum: number;
  database: string;
  /** When pg_stat_database's counters were last reset (null: since the server's statistics began). */
  statsReset: string | null;
  tables: TableStats[];
  indexes: IndexStats[];
  /** pg_stat_statements' top queries, when the extension is installed. */
  topQueries?: TopQuery[];
}

/** Thresholds and assumptions that turn sizes into severities and durations (config: `stats`). */
export interface ProductionPolicy {
  /** Below this many rows a lock hazard is reported as a warning, not an error. */
  smallTableRows: number;
  /** A snapshot older than this is reported as stale. */
  maxAgeDays: number;
  /** Assumed throughput, in MB/s, for estimating how long a lock is held (stated as assumptions). */
  scanMBps: number;
  rewriteMBps: number;
  indexBuildMBps: number;
}

export const DEFAULT_POLICY: ProductionPolicy = { smallTableRows: 10_000, maxAgeDays: 30, scanMBps: 200, rewriteMBps: 50, indexBuildMBps: 25 };

export class StatsFormatError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Validates a parsed snapshot; throws StatsFormatError naming the first field that is wrong. */
export function parseSnapshot(raw: unknown): StatsSnapshot {
  if (!isObj(raw)) throw new StatsFormatError('expected a JSON object as written by `zerodown stats`');
  if (raw.zerodownStats !== 1) throw new StatsFormatError('not a zerodown stats snapshot ("zerodownStats": 1 is missing); produce it with `zerodown stats`');
  const generatedAt = text(raw.generatedAt);
  if (!generatedAt || Number.isNaN(Date.parse(generatedAt))) throw new StatsFormatError('"generatedAt" must be a timestamp');
  if (!Array.isArray(raw.tables)) throw new StatsFormatError('"tables" must be an array');
  if (!Array.isArray(raw.indexes)) throw new StatsFormatError('"indexes" must be an array');
  const tables = raw.tables.map((t, i): TableStats => {
    if (!isObj(t) || !text(t.name) || !text(t.schema)) throw new StatsFormatError(`tables[${i}] needs "schema" and "name"`);
    return {
      schema: t.schema as string,
      name: t.name as string,
      kind: text(t.kind) ?? 'r',
      reltuples: num(t.reltuples) ?? -1,
      totalBytes: num(t.totalBytes) ?? 0,
      heapBytes: num(t.heapBytes) ?? 0,
      indexBytes: num(t.indexBytes) ?? 0,
      liveTuples: num(t.liveTuples),
      deadTuples: num(t.deadTuples),
      seqScan: num(t.seqScan),
      idxScan: num(t.idxScan),
      lastVacuum: text(t.lastVacuum),
      lastAutovacuum: text(t.lastAutovacuum),
      lastAnalyze: text(t.lastAnalyze),
      lastAutoanalyze: text(t.lastAutoanalyze),
    };
  });
  const indexes = raw.indexes.map((x, i): IndexStats => {
    if (!isObj(x) || !text(x.name) || !text(x.schema) || !text(x.table)) throw new StatsFormatError(`indexes[${i}] needs "schema", "table" and "name"`);
    return {
      schema: x.schema as string,
      table: x.table as string,
      name: x.name as string,
      bytes: num(x.bytes) ?? 0,
      columns: Array.isArray(x.columns) ? x.columns.map((c) => (typeof c === 'string' ? c : null)) : [],
      idxScan: num(x.idxScan),
      lastIdxScan: text(x.lastIdxScan),
      valid: x.valid !== false,
      unique: x.unique === true,
      primary: x.primary === true,
      constraint: text(x.constraint),
      referencedBy: Array.isArray(x.referencedBy) ? x.referencedBy.filter((r): r is string => typeof r === 'string') : [],
      definition: text(x.definition) ?? '',
    };
  });
  const topQueries = Array.isArray(raw.topQueries)
    ? raw.topQueries.flatMap((q) => (isObj(q) && text(q.query) ? [{ query: q.query as string, calls: num(q.calls) ?? 0, totalMs: num(q.totalMs) ?? 0 }] : []))
    : undefined;
  return {
    zerodownStats: 1,
    generatedAt,
    serverVersion: text(raw.serverVersion) ?? 'unknown',
    serverVersionNum: num(raw.serverVersionNum) ?? 0,
    database: text(raw.database) ?? '',
    statsReset: text(raw.statsReset),
    tables,
    indexes,
    ...(topQueries ? { topQueries } : {}),
  };
}

/** The snapshot indexed by the engine's relation keys (`schema.name`), with the policy that sizes it. */
export class ProductionFacts {
  private readonly tables = new Map<string, TableStats>();
  private readonly indexes = new Map<string, IndexStats>();

  constructor(
    readonly snapshot: StatsSnapshot,
    readonly policy: ProductionPolicy,
    /** Where the snapshot came from, for messages (a path relative to the working directory). */
    readonly source: string,
    /** Digest of the snapshot's bytes: part of the analysis cache's key. */
    readonly digest: string,
  ) {
    for (const t of snapshot.tables) this.tables.set(`${t.schema}.${t.name}`, t);
    for (const i of snapshot.indexes) this.indexes.set(`${i.schema}.${i.name}`, i);
  }

  table(key: string): TableStats | undefined {
    return this.tables.get(key) ?? this.tables.get(`${DEFAULT_SCHEMA}.${key}`);
  }

  index(key: string): IndexStats | undefined {
    return this.indexes.get(key) ?? this.indexes.get(`${DEFAULT_SCHEMA}.${key}`);
  }

  /** Best row count: the planner's estimate when analyzed, else the live-tuple counter. */
  rows(t: TableStats): number {
    return t.reltuples > 0 ? t.reltuples : Math.max(t.liveTuples ?? 0, 0);
  }

  /** The date the snapshot was taken, YYYY-MM-DD. */
  get takenOn(): string {
    return this.snapshot.generatedAt.slice(0, 10);
  }

  /** Whole days between the snapshot and `now`. */
  ageDays(now: Date): number {
    return Math.floor((now.getTime() - Date.parse(this.snapshot.generatedAt)) / 86_400_000);
  }

  /** The analysis cache keys on what changes findings: the snapshot's bytes and the policy. */
  toJSON(): unknown {
    return { digest: this.digest, policy: this.policy };
  }
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 31 GB, 820 MB, 4 kB: PostgreSQL's pg_size_pretty units with one significant decimal below 10. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** ~48M rows, ~1.2k rows, 12 rows. */
export function formatRows(rows: number): string {
  if (rows < 1000) return `${Math.round(rows)} rows`;
  const [div, suffix] = rows >= 1e9 ? [1e9, 'G'] : rows >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  const v = rows / div;
  return `~${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)}${suffix} rows`;
}

/** 40 s, 12 min, 2.5 h. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `~${Math.round(seconds)} s`;
  if (seconds < 5400) return `~${Math.round(seconds / 60)} min`;
  return `~${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
}
