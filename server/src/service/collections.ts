/**
 * The service's collections: a configured source (service/collection-sources.ts) collected on request
 * (`POST /api/v1/collect`, service/collection-routes.ts) or on its interval, by whichever service instance holds the
 * source's lease in the database (history/collection-ledger.ts). Each collection is recorded in the store (state,
 * counts, errors, the instance that held the lease), so any instance on the same database answers for it.
 *
 * One collection of a source at a time, across every instance on the database:
 * 1. take the source's lease (one atomic statement; a request fails with "already running" when another instance, or
 *    this one, holds it; a scheduled run also waits until `interval` after the source's last collection ended, by
 *    whichever instance), then mark any collection of the source still recorded queued or running as failed (its
 *    instance died: it stopped renewing and its lease expired), and record the new one;
 * 2. renew the lease every third of its time to live while collecting; a renewal that finds the lease taken by another
 *    instance (this one stalled past the expiry) aborts the collection at once;
 * 3. run the source's collector into the store: the store's incremental rules (a log version already stored is not
 *    read again, the History Server watermark) make a collection that follows another read only what is new, and a
 *    collection taken over from a dead instance read what that one had not stored;
 * 4. record the outcome, then release the lease.
 */
import * as os from 'os';
import type { HistorySink, IngestSummary } from '../history/ingest';
import { failureLevel } from '../history/ingest';
import { errorMessage } from '../../../shared/src/errors';
import {
  MAX_COLLECTION_ERRORS,
  type CollectionError,
  type CollectionLease,
  type CollectionRun,
  type CollectionTrigger,
} from '../history/collection-ledger';
import { collectSource, type CollectionSource } from './collection-sources';
import type { ServiceStore } from '../history/service-store';

/** Default time to live of a lease: 60 s (renewed every 20 s while collecting). */
export const DEFAULT_LEASE_TTL_MS = 60_000;

/** How often a running collection's counts are written to the store, ms. */
const PROGRESS_WRITE_MS = 1000;

/** The service instance's name in leases and collection records when none is configured: `host:pid`. */
export function defaultInstanceName(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** Where {@link Collections} reports what happens (the service's log). */
export type CollectionLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/** What {@link Collections} needs. */
export interface CollectionsOptions {
  store: ServiceStore;
  sources: readonly CollectionSource[];
  /** This instance's name in leases and collection records (unique per instance). */
  holder: string;
  /** Lease time to live, ms (default {@link DEFAULT_LEASE_TTL_MS}). */
  leaseTtlMs?: number;
  /** Where secrets named by environment variable are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The clock, epoch ms (default Date.now). */
  now?: () => number;
  log?: CollectionLog;
}

/** The outcome of {@link Collections.start}. */
export type StartOutcome =
  | { kind: 'started'; run: CollectionRun }
  | { kind: 'unknown-source' }
  /** Another collection of the source holds its lease (here or on another instance): its lease and record. */
  | { kind: 'running'; lease: CollectionLease | null; run: CollectionRun | null }
  /** A scheduled run found the source collected less than its interval ago. */
  | { kind: 'not-due' };

/** Runs and schedules the collections of the configured sources (see the module comment). */
export class Collections {
  private readonly byName: Map<string, CollectionSource>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly log: CollectionLog;
  private readonly running = new Map<number, { abort: AbortController; done: Promise<void> }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly opts: CollectionsOptions) {
    this.byName = new Map(opts.sources.map((s) => [s.name, s]));
    this.ttlMs = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => undefined);
  }

  /** The configured sources, in config order. */
  get sources(): readonly CollectionSource[] {
    return this.opts.sources;
  }

  /** This instance's name in leases and records. */
  get holder(): string {
    return this.opts.holder;
  }

  /**
   * Starts a collection of the source named `name` unless one is running: takes its lease, records the collection
   * (`queued`) and runs it in the background.
   * @param tokenId the `spo_` token of the request, or null.
   * @throws Error when the store cannot be reached.
   */
  async start(name: string, trigger: CollectionTrigger, tokenId: number | null = null): Promise<StartOutcome> {
    const source = this.byName.get(name);
    if (source === undefined) return { kind: 'unknown-source' };
    if (this.stopped) throw new Error('the service is stopping');
    const now = this.now();
    const releasedBefore = trigger === 'schedule' && source.interval !== undefined ? now - source.interval : now;
    if (!(await this.opts.store.acquireLease(name, this.holder, now, this.ttlMs, releasedBefore))) {
      const lease = await this.opts.store.leaseOf(name);
      if (lease !== null && lease.releasedAtMs !== null && lease.expiresAtMs <= now) return { kind: 'not-due' };
      const run = lease?.collectionId != null ? await this.opts.store.collection(lease.collectionId) : null;
      return { kind: 'running', lease, run };
    }
    try {
      await this.failAbandoned(name, now);
      const run: CollectionRun = {
        id: 0,
        sourceName: name,
        sourceKind: source.kind,
        trigger,
        state: 'queued',
        holder: this.holder,
        tokenId,
        requestedAtMs: now,
        startedAtMs: null,
        finishedAtMs: null,
        logsFound: 0,
        logsRead: 0,
        logsStored: 0,
        logsSkipped: 0,
        logsFailed: 0,
        applicationsStored: 0,
        errors: [],
        errorsTotal: 0,
      };
      run.id = await this.opts.store.createCollection(run);
      await this.opts.store.renewLease(name, this.holder, this.now(), this.ttlMs, run.id);
      const abort = new AbortController();
      const done = this.run(source, { ...run }, abort).finally(() => this.running.delete(run.id));
      this.running.set(run.id, { abort, done });
      return { kind: 'started', run };
    } catch (e) {
      await this.opts.store.releaseLease(name, this.holder, this.now()).catch(() => undefined);
      throw e;
    }
  }

  /** Collections of `name` still recorded queued or running: their instance stopped (we hold the lease now). */
  private async failAbandoned(name: string, now: number): Promise<void> {
    for (const old of await this.opts.store.recentCollections(20, name)) {
      if (old.state !== 'queued' && old.state !== 'running') continue;
      const reason = `instance ${old.holder} stopped renewing the source's lease (it was stopped or lost the database); the lease expired and ${this.holder} took it over`;
      await this.opts.store.updateCollection({
        ...old,
        state: 'failed',
        finishedAtMs: now,
        errors: [...old.errors, { path: name, reason }].slice(0, MAX_COLLECTION_ERRORS),
        errorsTotal: old.errorsTotal + 1,
      });
      this.log('warn', `collection ${old.id} of ${name} marked failed: ${reason}`);
    }
  }

  /** Runs one collection to its end and records it; never throws. */
  private async run(source: CollectionSource, run: CollectionRun, abort: AbortController): Promise<void> {
    const store = this.opts.store;
    let lostLease = false;
    const renew = setInterval(
      () => {
        store.renewLease(source.name, this.holder, this.now(), this.ttlMs, run.id).then(
          (held) => {
            if (!held && !abort.signal.aborted) {
              lostLease = true;
              abort.abort();
            }
          },
          (e: unknown) => this.log('warn', `renewing the lease of ${source.name} failed: ${errorMessage(e)}`),
        );
      },
      Math.max(100, Math.floor(this.ttlMs / 3)),
    );
    // Live counts: what the collector did so far, written at most once a second.
    let found = 0;
    let done = 0;
    const live = { read: 0, stored: 0, skipped: 0 };
    let dirty = false;
    const counting: HistorySink = {
      hasSource: async (s) => {
        const r = await store.hasSource(s);
        if (r) live.skipped++;
        return r;
      },
      upsert: async (record, s) => {
        live.read++;
        const outcome = await store.upsert(record, s);
        if (outcome === 'inserted' || outcome === 'updated') live.stored++;
        else live.skipped++;
        return outcome;
      },
      storedAttempt: (appId, attemptId) => store.storedAttempt(appId, attemptId),
      incompleteAttempts: (prefix) => store.incompleteAttempts(prefix),
      collectionSource: (url) => store.collectionSource(url),
      recordCollectionRun: (url, end, at) => store.recordCollectionRun(url, end, at),
    };
    let writing: Promise<void> = Promise.resolve();
    const progress = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      Object.assign(run, {
        logsFound: found,
        logsRead: live.read,
        logsStored: live.stored,
        logsSkipped: Math.max(live.skipped, done - live.read),
      });
      writing = writing
        .then(() => store.updateCollection(run))
        .catch((e: unknown) => this.log('warn', `recording the progress of collection ${run.id}: ${errorMessage(e)}`));
    }, PROGRESS_WRITE_MS);
    try {
      run.state = 'running';
      run.startedAtMs = this.now();
      await store.updateCollection(run);
      this.log('info', `collection ${run.id} of ${source.name} (${run.trigger}) started by ${this.holder}`);
      let summary: IngestSummary | null = null;
      let thrown: string | null = null;
      try {
        summary = await collectSource(source, counting, {
          signal: abort.signal,
          env: this.opts.env ?? process.env,
          onProgress: (d, total) => {
            done = d;
            found = total;
            dirty = true;
          },
        });
      } catch (e) {
        thrown = errorMessage(e);
      }
      clearInterval(progress);
      await writing;
      const errors: CollectionError[] = [];
      if (summary !== null) {
        const s = summary;
        const read = s.applications.filter((a) => a.outcome !== 'already-stored').length + s.failed.length;
        const storedApps = s.applications.filter((a) => a.outcome === 'inserted' || a.outcome === 'updated');
        Object.assign(run, {
          logsFound: s.found,
          logsRead: read,
          logsStored: s.inserted + s.updated,
          // Not read (stored already), or read and found the same as stored: the schema's "skipped".
          logsSkipped: Math.max(0, s.found - (s.inserted + s.updated) - s.failed.length),
          logsFailed: s.failed.length,
          applicationsStored: new Set(storedApps.map((a) => a.appId)).size,
        });
        for (const f of s.failed)
          errors.push({
            path: f.appId ? `${f.appId}${f.attemptId ? `/${f.attemptId}` : ''}` : f.path,
            reason: f.reason,
            ...(f.kind ? { kind: f.kind } : {}),
          });
      } else {
        Object.assign(run, { logsRead: live.read, logsStored: live.stored, logsSkipped: live.skipped });
      }
      if (lostLease)
        errors.push({
          path: source.name,
          reason: `${this.holder} lost the source's lease (it was not renewed in time and another instance took it); stopped`,
        });
      else if (abort.signal.aborted) errors.push({ path: source.name, reason: 'stopped: the service was shut down' });
      else if (thrown !== null) errors.push({ path: source.name, reason: thrown });
      run.errors = errors.slice(0, MAX_COLLECTION_ERRORS);
      run.errorsTotal = errors.length;
      run.state =
        abort.signal.aborted || thrown !== null || (summary !== null && failureLevel(summary) === 'all')
          ? 'failed'
          : 'succeeded';
      run.finishedAtMs = this.now();
      await store.updateCollection(run);
      this.log(
        run.state === 'succeeded' ? 'info' : 'warn',
        `collection ${run.id} of ${source.name} ${run.state}: ${run.logsFound} found, ${run.logsRead} read, ${run.logsStored} stored, ${run.logsSkipped} skipped, ${run.logsFailed} failed${errors.length > 0 ? ` (${errors[0].path}: ${errors[0].reason})` : ''}`,
      );
    } catch (e) {
      this.log('error', `collection ${run.id} of ${source.name} could not be recorded: ${errorMessage(e)}`);
    } finally {
      clearInterval(progress);
      clearInterval(renew);
      if (!lostLease)
        await store
          .releaseLease(source.name, this.holder, this.now())
          .catch((e: unknown) => this.log('warn', `releasing the lease of ${source.name}: ${errorMessage(e)}`));
    }
  }

  /**
   * Starts the schedule: each source with an interval is tried every min(interval, lease TTL / 2) (at least 250 ms);
   * the database decides whether it is due (see {@link start}), so instances ticking at once collect it once.
   */
  startSchedule(): void {
    for (const source of this.opts.sources) {
      if (source.interval === undefined) continue;
      const period = Math.max(250, Math.min(source.interval, this.ttlMs / 2));
      const tick = async () => {
        if (this.stopped) return;
        try {
          await this.start(source.name, 'schedule');
        } catch (e) {
          this.log('warn', `scheduled collection of ${source.name} could not start: ${errorMessage(e)}`);
        }
      };
      const loop = () => {
        if (this.stopped) return;
        const t = setTimeout(() => {
          this.timers.delete(t);
          void tick().finally(loop);
        }, period);
        this.timers.add(t);
      };
      void tick().finally(loop);
    }
  }

  /** Waits for the collections running in this instance to end. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Stops the schedule, stops the running collections (recorded failed, leases released) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.running.values()) r.abort.abort();
    await this.idle();
  }
}
