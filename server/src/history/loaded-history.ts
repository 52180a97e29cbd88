/**
 * A synchronous {@link HistoryReader} over records loaded from an asynchronous {@link LoadableStore}: the REST service's
 * store (SQLite or PostgreSQL, service/app.ts) or, in the language server, the team's service itself over HTTP
 * (history/team-service.ts), so the engine, the language service and the CLI's command functions keep their one
 * synchronous code path whatever the store.
 *
 * How a request is answered ({@link LoadedHistory.run}): the request's synchronous work (e.g. `recommendText`) runs
 * on this reader; a read whose answer is not loaded yet throws {@link NotLoaded} at once (so nothing half-computed is
 * cached anywhere: the language service fills its caches only from complete reads); the reader loads that read from
 * the store (one query per distinct read, shared by concurrent requests), and runs the work again. The work thus loads
 * exactly what the engine asks for — the job names, the runs of the matched job and of the same stage signature, the
 * workload totals when the job has few runs, its applied fixes — in as many rounds as it makes distinct reads (4-6 for
 * a job file), and a request whose reads are all loaded (the same job again) makes none.
 *
 * What was loaded is kept (at most `maxEntries` reads, least recently used dropped) until the store's
 * `historyVersion` changes, which is read again at most every `recheckMs` (another process's collection is seen within
 * that time) and at once after this service wrote ({@link invalidate}). Within one request the reads it loaded are
 * kept for it even if the shared cache drops them.
 */
import type { ApplicationRecord } from './application-record';
import type { ApplicationTotals, HistoryQueries, HistoryReader } from './history-reader';
import type { StoredAttempt } from './ingest';
import type { AppliedFix } from '../recommend/feedback';
import type { StoredWorkload } from '../../../shared/src/protocol';

/**
 * What {@link LoadedHistory} loads from: the history reads as promises, the applied fixes of the feedback loop, and a
 * version that changes whenever the history does. The service's `ServiceStore` (history/service-store.ts) is one; the
 * team service's HTTP client (history/team-service.ts) another.
 */
export interface LoadableStore extends HistoryQueries {
  /** A value that changes whenever the history the engine reads changes (by this process or another). */
  historyVersion(): Promise<string>;
  /** Applied fixes of a job (by app name) or of a file, oldest first. */
  appliedFixes(appName: string | null, fileUri?: string): Promise<AppliedFix[]>;
}

/** The store reads the engine may make: the {@link HistoryReader} methods and the applied fixes of the feedback loop. */
export type LoadableRead = keyof HistoryReader | 'appliedFixes';

/** Thrown by a read whose answer is not loaded yet; {@link LoadedHistory.run} catches it, loads the read and runs again. */
export class NotLoaded extends Error {
  constructor(
    readonly read: LoadableRead,
    readonly args: unknown[],
    readonly id: string,
  ) {
    super(`${read}(${args.map((a) => JSON.stringify(a)).join(', ')}) is not loaded`);
  }
}

/** Options of {@link LoadedHistory}. */
export interface LoadedHistoryOptions {
  /** How long the store's history version is trusted before it is read again, ms (default {@link DEFAULT_RECHECK_MS}). */
  recheckMs?: number;
  /** Most reads kept between requests (default 512; each holds up to 50 full records). */
  maxEntries?: number;
  /** Most rounds (distinct reads) one request may need before it fails (default 64). */
  maxRounds?: number;
  /** The clock, epoch ms (default Date.now). */
  now?: () => number;
}

/** Default recheck interval: another process's writes show within 1 s. */
export const DEFAULT_RECHECK_MS = 1000;

/** Reads the engine always makes together: loading the first loads the others with the same arguments. */
const COMPANIONS: Partial<Record<LoadableRead, LoadableRead[]>> = { runsByAppName: ['runsWithSameSignature'] };

/** A synchronous history over reads loaded from a {@link LoadableStore} (see the module comment). */
export class LoadedHistory implements HistoryReader {
  private cache = new Map<string, unknown>();
  private pending = new Map<string, Promise<unknown>>();
  /** The reads of the request running now (set only while its synchronous work runs). */
  private overlay: Map<string, unknown> | null = null;
  private generation = 0;
  private version: string | null = null;
  private checkedAtMs = -Infinity;
  private checking: Promise<void> | null = null;
  private readonly listeners: (() => void)[] = [];
  private readonly recheckMs: number;
  private readonly maxEntries: number;
  private readonly maxRounds: number;
  private readonly now: () => number;
  /** Store reads made (for tests and metrics). */
  loads = 0;

  constructor(
    private readonly store: LoadableStore,
    options: LoadedHistoryOptions = {},
  ) {
    this.recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
    this.maxEntries = options.maxEntries ?? 512;
    this.maxRounds = options.maxRounds ?? 64;
    this.now = options.now ?? Date.now;
  }

  /**
   * How many times what was loaded was dropped (the history changed): an answer computed at one count holds while the
   * count is the same (service/answer-cache.ts).
   */
  get changes(): number {
    return this.generation;
  }

  /** Calls `fn` whenever what was loaded is dropped (the history changed), e.g. to drop the language service's caches. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /**
   * Reads the store's history version when it was last read more than `recheckMs` ago (one read for all requests
   * waiting), and drops everything loaded when it changed.
   * @throws Error from the store (unreachable database).
   */
  async fresh(): Promise<void> {
    if (this.now() - this.checkedAtMs < this.recheckMs) return;
    this.checking ??= (async () => {
      try {
        const v = await this.store.historyVersion();
        this.checkedAtMs = this.now();
        if (v !== this.version) {
          if (this.version !== null) this.dropLoaded();
          this.version = v;
        }
      } finally {
        this.checking = null;
      }
    })();
    await this.checking;
  }

  /** Drops what was loaded and reads the version again on the next request: call after this service wrote to the store. */
  invalidate(): void {
    this.dropLoaded();
    this.checkedAtMs = -Infinity;
  }

  private dropLoaded(): void {
    this.generation++;
    this.cache = new Map();
    this.pending = new Map();
    for (const fn of this.listeners) fn();
  }

  /**
   * Runs a request's synchronous work on this reader, loading each read it makes that is not loaded yet and running it
   * again, until it finishes. `fn` must be synchronous and must not keep results of a round that threw.
   * @returns what `fn` returned.
   * @throws what `fn` throws (other than {@link NotLoaded}); Error from the store; Error when the work needed more than
   *   `maxRounds` reads.
   */
  async run<T>(fn: () => T): Promise<T> {
    let overlay = new Map<string, unknown>();
    let generation = this.generation;
    for (let round = 0; ; round++) {
      if (generation !== this.generation) {
        // The history changed while this request was loading: start over on the new version.
        overlay = new Map();
        generation = this.generation;
      }
      let miss: NotLoaded;
      this.overlay = overlay;
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof NotLoaded)) throw e;
        miss = e;
      } finally {
        this.overlay = null;
      }
      if (round >= this.maxRounds)
        throw new Error(`answering the request needed more than ${this.maxRounds} reads of the history store`);
      const reads = [
        miss,
        ...(COMPANIONS[miss.read] ?? [])
          .map((read) => keyOf(read, miss.args))
          .filter((k) => !overlay.has(k.id) && !this.cache.has(k.id)),
      ];
      const values = await Promise.all(reads.map((k) => this.load(k)));
      if (generation === this.generation) reads.forEach((k, i) => overlay.set(k.id, values[i]));
    }
  }

  /** Loads one read from the store (one query for every request waiting for it), kept when the history did not change meanwhile. */
  private load(k: { read: LoadableRead; args: unknown[]; id: string }): Promise<unknown> {
    let p = this.pending.get(k.id);
    if (p === undefined) {
      const generation = this.generation;
      const pending = this.pending;
      this.loads++;
      const call = (this.store[k.read] as (...a: unknown[]) => Promise<unknown>).bind(this.store);
      p = call(...k.args).then(
        (v) => {
          if (generation === this.generation) this.remember(k.id, v);
          pending.delete(k.id);
          return v;
        },
        (e: unknown) => {
          pending.delete(k.id);
          throw e;
        },
      );
      pending.set(k.id, p);
    }
    return p;
  }

  private remember(id: string, v: unknown): void {
    this.cache.delete(id);
    this.cache.set(id, v);
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
  }

  private get<T>(read: LoadableRead, args: unknown[]): T {
    const k = keyOf(read, args);
    const id = k.id;
    if (this.overlay?.has(id)) return this.overlay.get(id) as T;
    if (this.cache.has(id)) {
      const v = this.cache.get(id);
      this.remember(id, v);
      this.overlay?.set(id, v);
      return v as T;
    }
    throw new NotLoaded(k.read, k.args, id);
  }

  countApplications(): number {
    return this.get('countApplications', []);
  }
  lastCollectedAtMs(): number | null {
    return this.get('lastCollectedAtMs', []);
  }
  listWorkloads(): StoredWorkload[] {
    return this.get('listWorkloads', []);
  }
  appNames(): string[] {
    return this.get('appNames', []);
  }
  runsByAppName(appName: string, limit?: number): ApplicationRecord[] {
    return this.get('runsByAppName', [appName, limit]);
  }
  runById(appId: string, attemptId?: string | null): ApplicationRecord | null {
    return this.get('runById', [appId, attemptId]);
  }
  attemptsOf(appId: string): StoredAttempt[] {
    return this.get('attemptsOf', [appId]);
  }
  allRuns(limit?: number): ApplicationRecord[] {
    return this.get('allRuns', [limit]);
  }
  applicationTotals(): ApplicationTotals[] {
    return this.get('applicationTotals', []);
  }
  appNamesBySubmittedFile(stem: string): string[] {
    return this.get('appNamesBySubmittedFile', [stem]);
  }
  appNamesByMaster(master: string, limit?: number): string[] {
    return this.get('appNamesByMaster', [master, limit]);
  }
  runsWithSameSignature(appName: string, limit?: number): ApplicationRecord[] {
    return this.get('runsWithSameSignature', [appName, limit]);
  }
  /** Applied fixes of a job or a file (the language service's feedback loop reads them). */
  appliedFixes(appName: string | null, fileUri?: string): AppliedFix[] {
    return this.get('appliedFixes', [appName, fileUri]);
  }
}

/** A read's identity: its name and arguments (undefined arguments as given: `f(x)` and `f(x, undefined)` are one read). */
function keyOf(read: LoadableRead, args: unknown[]): { read: LoadableRead; args: unknown[]; id: string } {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const trimmed = args.slice(0, n);
  return { read, args: trimmed, id: JSON.stringify([read, ...trimmed]) };
}
