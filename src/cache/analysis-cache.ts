/**
 * On-disk cache of analysis, so that a repeated run does not redo work whose inputs did not change.
 * Two kinds of entry:
 * - history: the schema built by the history files before the linted ones. Linting one new
 *   migration means replaying every earlier one (684 files, ~0.2 s on lemmy) only to learn the
 *   schema they build; keyed by the build, the options that shape replay, and each history file's
 *   path and bytes.
 * - results: the findings of a whole migrations directory, with the schema after its last file.
 *   Keyed by the build, every engine option and rule setting, and the directory; each file's path
 *   and bytes are chained into a digest per file, so a run whose files extend the stored ones
 *   (a new migration added at the end, the usual change) reuses the stored findings and analyzes
 *   only the new files.
 * Sibling files that formats consult (diesel metadata.toml, Flyway .conf) are recorded with an entry
 * and re-checked. The cache is an optimization: unreadable, corrupt or unwritable entries are
 * ignored, and findings are always those of a run without it. Every entry carries a sha256 of its
 * payload; one that does not match is deleted and recomputed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Schema } from '../analyze/schema.ts';
import type { FileResult } from '../findings/model.ts';

/** Below this much history, replaying is as quick as reading an entry. */
export const MIN_HISTORY_BYTES = 16 * 1024;
/** History entries kept per cache directory; the least recently used are removed beyond it. */
export const MAX_ENTRIES = 64;
/** Results entries (larger: every finding of a directory) kept per cache directory. */
export const MAX_RESULT_ENTRIES = 32;

export interface SiblingRead {
  file: string;
  name: string;
  /** sha256 of the content, or null when the sibling did not exist. */
  digest: string | null;
}

type SchemaData = Pick<Schema, 'tables' | 'indexes' | 'enums' | 'domains' | 'functions' | 'sequences' | 'schemas'>;

interface Entry {
  version: 1;
  siblings: SiblingRead[];
  schema: SchemaData;
}

interface ResultsEntry extends Entry {
  /** Chained digest of the directory up to and including each file (see chainDigest). */
  prefix: string[];
  /** One per file, without the file text. */
  results: FileResult[];
}

/** What a results entry gives back. */
export interface StoredResults {
  prefix: string[];
  results: FileResult[];
  schema: Schema;
  siblings: SiblingRead[];
}

function schemaData(schema: Schema): SchemaData {
  return {
    tables: schema.tables,
    indexes: schema.indexes,
    enums: schema.enums,
    domains: schema.domains,
    functions: schema.functions,
    sequences: schema.sequences,
    schemas: schema.schemas,
  };
}

// node:crypto and node:v8 cost ~2 ms each to load; a run that never touches the cache (one small
// file, --no-cache) should not pay for them.
const crypto = () => process.getBuiltinModule('node:crypto');
const v8 = () => process.getBuiltinModule('node:v8');

function digest(data: string | Uint8Array): string {
  return crypto().createHash('sha256').update(data).digest('hex');
}

/**
 * Entries are sealed with a checksum of their payload: a flipped byte in a serialized entry can
 * still deserialize (a rule id `lock-timeout-mising`, a shifted line), so deserializing is no check.
 */
const MAGIC = Buffer.from('ZDC1');
const SUM_BYTES = 32;

function sealed(payload: Uint8Array): Buffer {
  const sum = crypto().createHash('sha256').update(payload).digest();
  return Buffer.concat([MAGIC, sum, payload]);
}

/** The payload of a sealed entry, or undefined when the magic or the checksum does not match. */
export function verified(data: Buffer): Buffer | undefined {
  if (data.length < MAGIC.length + SUM_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const sum = data.subarray(MAGIC.length, MAGIC.length + SUM_BYTES);
  const payload = data.subarray(MAGIC.length + SUM_BYTES);
  return crypto().createHash('sha256').update(payload).digest().equals(sum) ? payload : undefined;
}

function readSiblingDigest(file: string, name: string): string | null {
  try {
    return digest(fs.readFileSync(path.join(path.dirname(file), name)));
  } catch {
    return null;
  }
}

/** Where entries live: ZERODOWN_CACHE_DIR, else node_modules/.cache/zerodown, else the user cache. */
export function defaultCacheDir(cwd: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.ZERODOWN_CACHE_DIR) return path.resolve(cwd, env.ZERODOWN_CACHE_DIR);
  const modules = path.join(cwd, 'node_modules');
  if (fs.existsSync(modules)) return path.join(modules, '.cache', 'zerodown');
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'zerodown');
}

/** Digest of a directory up to a file: the previous file's digest, then this file's path and bytes. */
export function chainDigest(previous: string, file: string, content: string | Uint8Array): string {
  return digest(`${previous}\0${file}\0${digest(content)}`);
}

/** Key of a directory's results: the build, everything the analysis depends on besides the files, the directory. */
export function resultsKey(build: string, context: unknown, root: string): string {
  return digest(`zerodown-results\0${build}\0${JSON.stringify(context)}\0${root}`);
}

/** Incremental key of a history: feed the replay context, then each file in order. */
export class HistoryKey {
  private readonly hash = crypto().createHash('sha256');

  constructor(build: string, context: unknown) {
    this.hash.update(`zerodown-history\0${build}\0${JSON.stringify(context)}\0`);
  }

  file(displayPath: string, content: string | Uint8Array | null): void {
    this.hash.update(`${displayPath}\0${content === null ? 'unreadable' : digest(content)}\0`);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export class AnalysisCache {
  constructor(
    readonly dir: string,
    /** Identifies the analysis code: an entry from another build is never used. */
    readonly build: string,
    /** Below this much SQL, analyzing is as quick as reading an entry (history or whole directory). */
    readonly minBytes: number = MIN_HISTORY_BYTES,
  ) {}

  private file(kind: 'history' | 'results', key: string): string {
    return path.join(this.dir, `${kind}-${key}.bin`);
  }

  /** The entry at `file` when it is readable and its recorded siblings are unchanged. */
  private read(file: string): Entry | undefined {
    let entry: Entry;
    try {
      const payload = verified(fs.readFileSync(file));
      if (!payload) {
        // Damaged on disk (or written by something else): discard it; this run recomputes and rewrites it.
        fs.rmSync(file, { force: true });
        return undefined;
      }
      entry = v8().deserialize(payload) as Entry;
    } catch {
      return undefined;
    }
    if (entry?.version !== 1 || !Array.isArray(entry.siblings)) return undefined;
    for (const s of entry.siblings) if (readSiblingDigest(s.file, s.name) !== s.digest) return undefined;
    try {
      // Recently used entries survive pruning.
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch {
      // read-only cache directory: still usable
    }
    return entry;
  }

  private write(kind: 'history' | 'results', key: string, entry: Entry): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const target = this.file(kind, key);
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, sealed(v8().serialize(entry)));
      fs.renameSync(tmp, target);
      this.prune(kind, kind === 'history' ? MAX_ENTRIES : MAX_RESULT_ENTRIES);
    } catch {
      // Read-only checkout, full disk: the next run analyzes again.
    }
  }

  private static siblingReads(siblings: readonly { file: string; name: string }[]): SiblingRead[] {
    return siblings.map((s) => ({ file: s.file, name: s.name, digest: readSiblingDigest(s.file, s.name) }));
  }

  /** The schema stored under `key`, when its recorded siblings are unchanged. */
  load(key: string): Schema | undefined {
    const entry = this.read(this.file('history', key));
    return entry && Object.assign(new Schema(), entry.schema);
  }

  save(key: string, schema: Schema, siblings: readonly { file: string; name: string }[]): void {
    this.write('history', key, { version: 1, siblings: AnalysisCache.siblingReads(siblings), schema: schemaData(schema) });
  }

  /** The results stored for a directory under `key`, when its recorded siblings are unchanged. */
  loadResults(key: string): StoredResults | undefined {
    const entry = this.read(this.file('results', key)) as ResultsEntry | undefined;
    if (!entry || !Array.isArray(entry.prefix) || !Array.isArray(entry.results) || entry.prefix.length !== entry.results.length) return undefined;
    return { prefix: entry.prefix, results: entry.results, schema: Object.assign(new Schema(), entry.schema), siblings: entry.siblings };
  }

  saveResults(key: string, prefix: readonly string[], results: readonly FileResult[], schema: Schema, siblings: readonly { file: string; name: string }[]): void {
    const entry: ResultsEntry = {
      version: 1,
      siblings: AnalysisCache.siblingReads(siblings),
      schema: schemaData(schema),
      prefix: [...prefix],
      results: results.map((r) => ({ path: r.path, statements: r.statements, findings: r.findings, notes: r.notes })),
    };
    this.write('results', key, entry);
  }

  private prune(kind: 'history' | 'results', keep: number): void {
    const entries = fs
      .readdirSync(this.dir)
      .filter((n) => n.startsWith(`${kind}-`) && n.endsWith('.bin'))
      .map((n) => {
        const p = path.join(this.dir, n);
        return { p, t: fs.statSync(p).mtimeMs };
      });
    if (entries.length <= keep) return;
    entries.sort((a, b) => a.t - b.t);
    for (const e of entries.slice(0, entries.length - keep)) fs.rmSync(e.p, { force: true });
  }
}
