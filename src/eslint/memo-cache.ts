/**
 * The analysis cache of an editor's long-lived ESLint process: the history schema restored from
 * disk is kept in memory too, so that a keystroke in the newest migration does not deserialize the
 * replayed history again. Entries are keyed by the digest of every history file's text and the
 * options (see cache/analysis-cache.ts): an edited earlier migration is a different key. The disk
 * entry's check of sibling files (e.g. a runner's config) happens when the entry is first read.
 */
import { AnalysisCache } from '../cache/analysis-cache.ts';
import type { Schema } from '../analyze/schema.ts';

const KEEP = 8;

export class MemoAnalysisCache extends AnalysisCache {
  readonly #schemas = new Map<string, Schema>();

  #keep(key: string, schema: Schema): void {
    this.#schemas.delete(key);
    this.#schemas.set(key, schema);
    if (this.#schemas.size > KEEP) this.#schemas.delete(this.#schemas.keys().next().value as string);
  }

  // The engine replays the rest of the file into the schema it is given: callers get a copy.
  override load(key: string): Schema | undefined {
    const kept = this.#schemas.get(key) ?? super.load(key);
    if (!kept) return undefined;
    this.#keep(key, kept);
    return kept.clone();
  }

  override save(key: string, schema: Schema, siblings: readonly { file: string; name: string }[]): void {
    super.save(key, schema, siblings);
    this.#keep(key, schema.clone());
  }
}
