/**
 * Serialised answers of the service's read routes (`POST /api/v1/recommend`, `GET /api/v1/workloads`), kept per history
 * generation: the same request asked again on an unchanged history is answered with the bytes computed the first time,
 * without running the engine, checking the answer against its schema or serialising it again.
 *
 * Validity: an answer is stored with the {@link LoadedHistory} generation it was computed on (taken inside the
 * synchronous work, so it is the generation of the records the work read) and answered only while the history is still
 * at that generation. The generation moves whenever the store's `historyVersion` changes (a collection stored an attempt,
 * an applied fix was recorded, by this process or another: seen within `recheckMs`) and at once after this service's own
 * writes ({@link LoadedHistory.invalidate}), so a collection that adds a run of a workload makes the next `/recommend` of
 * it a new plan on the new runs. Planning reads "now" once per plan, as the language service's own plan cache does (it
 * keeps a plan until the next collection too).
 *
 * Concurrent requests for an answer not computed yet share one computation. Answers that are errors (problem documents)
 * are never kept. At most `maxBytes` of answers are kept, least recently used dropped first, and all of them are
 * dropped when the history changes.
 */
import type { LoadedHistory } from '../history/loaded-history';

/** Options of {@link AnswerCache}. */
export interface AnswerCacheOptions {
  /** Most bytes of serialised answers kept (default {@link DEFAULT_ANSWER_CACHE_BYTES}). */
  maxBytes?: number;
}

/** Default size of the answer cache: 64 MiB (a 50-run plan is 10-30 kB, the list of 2,000 workloads about 200 kB). */
export const DEFAULT_ANSWER_CACHE_BYTES = 64 * 1024 * 1024;

interface Entry {
  generation: number;
  body: Buffer;
}

/** Serialised answers per request key and history generation (see the module comment). */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private bytes = 0;
  /** The history's change count the kept answers were made at. */
  private keptChanges = 0;
  private readonly maxBytes: number;

  constructor(
    private readonly history: LoadedHistory,
    options: AnswerCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_ANSWER_CACHE_BYTES;
  }

  /**
   * The serialised answer to the request `key` on the current history: the kept one when it was computed on the
   * current generation, else `compute` run on the loaded history ({@link LoadedHistory.run}: synchronous, loading the
   * reads it makes) and `serialize`d (e.g. the route's response schema check and JSON text), kept for the next request.
   * @param key everything the answer depends on besides the history (route and request body).
   * @returns the answer's bytes (UTF-8 JSON).
   * @throws what `compute` or `serialize` throw (e.g. a ProblemError: not kept); Error from the store.
   */
  async answer<T>(key: string, compute: () => T, serialize: (value: T) => string): Promise<Buffer> {
    await this.history.fresh();
    this.dropIfChanged();
    const kept = this.entries.get(key);
    if (kept !== undefined && kept.generation === this.history.changes) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, kept);
      return kept.body;
    }
    // A computation started on an older generation may answer from the older history: never share it.
    const pendingKey = `${this.history.changes}\u0000${key}`;
    let p = this.pending.get(pendingKey);
    if (p === undefined) {
      p = this.history
        .run(() => ({ generation: this.history.changes, value: compute() }))
        .then(({ generation, value }) => {
          const entry = { generation, body: Buffer.from(serialize(value), 'utf8') };
          if (generation === this.history.changes) this.keep(key, entry);
          return entry;
        })
        .finally(() => this.pending.delete(pendingKey));
      this.pending.set(pendingKey, p);
    }
    return (await p).body;
  }

  /** Drops every kept answer when the history changed since they were made (none can be given again). */
  private dropIfChanged(): void {
    if (this.history.changes === this.keptChanges) return;
    this.entries.clear();
    this.bytes = 0;
    this.keptChanges = this.history.changes;
  }

  private keep(key: string, entry: Entry): void {
    this.dropIfChanged();
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    if (entry.body.length > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length;
    }
  }
}
