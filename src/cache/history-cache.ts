/**
 * On-disk cache of replayed history. Linting one new migration means replaying every earlier one
 * (684 files, ~0.2 s on lemmy) only to learn the schema they build; that schema is stored here,
 * keyed by everything the replay read: zerodown's build, the options that shape replay, and the
 * path and bytes of each history file. Any change to those misses the cache. Sibling files that
 * formats consult (diesel metadata.toml, Flyway .conf) are recorded with the entry and re-checked.
 * The cache is an optimization: unreadable, corrupt or unwritable entries are ignored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Schema } from '../analyze/schema.ts';

/** Below this much history, replaying is as quick as reading an entry. */
export const MIN_HISTORY_BYTES = 16 * 1024;
/** Entries kept per cache directory; the oldest are removed beyond it. */
export const MAX_ENTRIES = 64;

export interface SiblingRead {
  file: string;
  name: string;
  /** sha256 of the content, or null when the sibling did not exist. */
  digest: string | null;
}

interface Entry {
  version: 1;
  siblings: SiblingRead[];
  schema: Pick<Schema, 'tables' | 'indexes' | 'enums' | 'domains' | 'functions' | 'sequences' | 'schemas'>;
}

// node:crypto and node:v8 cost ~2 ms each to load; a run that never touches the cache (one small
// file, --no-cache) should not pay for them.
const crypto = () => process.getBuiltinModule('node:crypto');
const v8 = () => process.getBuiltinModule('node:v8');

function digest(data: string | Uint8Array): string {
  return crypto().createHash('sha256').update(data).digest('hex');
}

function readSiblingDigest(file: string, name: string): string | null {
  try {
    return digest(fs.readFileSync(path.join(path.dirname(file), name)));
  } catch {
    return null;
  }
}

/** Where entries live: ZERODOWN_CACHE_DIR, else node_modules/.cache/zerodown, else the user cache. */
export function defaultCacheDir(cwd: string): string {
  if (process.env.ZERODOWN_CACHE_DIR) return path.resolve(cwd, process.env.ZERODOWN_CACHE_DIR);
  const modules = path.join(cwd, 'node_modules');
  if (fs.existsSync(modules)) return path.join(modules, '.cache', 'zerodown');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'zerodown');
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

export class HistoryCache {
  constructor(
    readonly dir: string,
    /** Identifies the analysis code: an entry from another build is never used. */
    readonly build: string,
    readonly minHistoryBytes: number = MIN_HISTORY_BYTES,
  ) {}

  private file(key: string): string {
    return path.join(this.dir, `history-${key}.bin`);
  }

  /** The schema stored under `key`, when its recorded siblings are unchanged. */
  load(key: string): Schema | undefined {
    let entry: Entry;
    try {
      entry = v8().deserialize(fs.readFileSync(this.file(key))) as Entry;
    } catch {
      return undefined;
    }
    if (entry?.version !== 1 || !Array.isArray(entry.siblings)) return undefined;
    for (const s of entry.siblings) if (readSiblingDigest(s.file, s.name) !== s.digest) return undefined;
    try {
      // Recently used entries survive pruning.
      const now = new Date();
      fs.utimesSync(this.file(key), now, now);
    } catch {
      // read-only cache directory: still usable
    }
    return Object.assign(new Schema(), entry.schema);
  }

  save(key: string, schema: Schema, siblings: readonly { file: string; name: string }[]): void {
    const entry: Entry = {
      version: 1,
      siblings: siblings.map((s) => ({ ...s, digest: readSiblingDigest(s.file, s.name) })),
      schema: {
        tables: schema.tables,
        indexes: schema.indexes,
        enums: schema.enums,
        domains: schema.domains,
        functions: schema.functions,
        sequences: schema.sequences,
        schemas: schema.schemas,
      },
    };
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const target = this.file(key);
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, v8().serialize(entry));
      fs.renameSync(tmp, target);
      this.prune();
    } catch {
      // Read-only checkout, full disk: the next run replays again.
    }
  }

  private prune(): void {
    const entries = fs
      .readdirSync(this.dir)
      .filter((n) => n.startsWith('history-') && n.endsWith('.bin'))
      .map((n) => {
        const p = path.join(this.dir, n);
        return { p, t: fs.statSync(p).mtimeMs };
      });
    if (entries.length <= MAX_ENTRIES) return;
    entries.sort((a, b) => a.t - b.t);
    for (const e of entries.slice(0, entries.length - MAX_ENTRIES)) fs.rmSync(e.p, { force: true });
  }
}
