/**
 * Collecting application records from a Spark History Server into the history store.
 *
 * Why `/logs` and not the REST metrics: the History Server's REST views are built by replaying the log
 * into its status store, which keeps only `spark.ui.retainedJobs` / `retainedStages` / `retainedTasks`
 * entries ("garbage collection takes place on playback", Spark docs monitoring.md; spark-reference.md B).
 * For big applications the REST numbers are truncated. `GET /applications/{id}[/{attempt}]/logs` returns
 * the event-log files themselves (a zip, still compressed as Spark wrote them), which the same event-log
 * reader as `collect --source event-logs` folds completely; so a record collected over the History
 * Server equals the record read from the files directly (apart from where it came from).
 * When `/logs` answers 503 "Event logs are not available" (the server lists the app but cannot read its
 * files), the record is built from the REST views instead (rest-record.ts: possibly truncated, no task
 * failure groups; `via: 'rest'` in the summary); with `restFallback: false` the attempt is reported as failed.
 *
 * Flow: one listing (`GET /applications`, metadata only) → per application, its newest attempt
 * (the store keeps one attempt per application, so older ones would be discarded and are not
 * downloaded) → skip it when the store already holds that attempt completed (or the same in-progress
 * version) → else download its zip into a private `fs.mkdtemp` folder, extract it safely, read it with
 * `discoverEventLogs` + `readEventLog`, upsert, delete the folder. `concurrency` workers pull attempts
 * from the listing one at a time, so at most `concurrency` zips are on disk at once.
 *
 * Applications the store holds unfinished from this server are also asked for one by one
 * (`GET /applications/{id}`) when the listing does not include them, so an in-progress attempt is
 * refreshed once it completed even when its end time falls before the listing window.
 *
 * Incremental runs: the store keeps a watermark per History Server (`collection_sources`): an end time
 * before which every completed attempt is stored. The next run lists only applications that ended after
 * the watermark minus `overlapMs` (plus every running one, which the server always includes); the
 * overlap absorbs the server's listing lag (`spark.history.fs.update.interval`). The watermark only moves
 * after a run that saw everything from the old watermark on: no `user`/`limit`-truncated/`status`
 * filter, not cancelled, listing answered; with failures it stops at the earliest failed attempt's end.
 */

import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CollectSummary } from '../../../../shared/src/protocol';
import { compareAttempts, type HistoryStore, type UpsertOutcome } from '../../store/history-store';
import type { ApplicationRecord, ReadStats } from '../application-record';
import { discoverEventLogs, type EventLogSource } from '../event-log/discover';
import { readEventLog } from '../event-log/reader';
import { HistoryServerError, type ApplicationListFilter, type HistoryServerClient } from './client';
import { recordFromRest } from './rest-record';
import type { ListedAttempt } from './rest-types';
import { DEFAULT_MAX_EXTRACT_BYTES, extractZip } from './zip';

/** Options of {@link collectFromHistoryServer}. */
export interface HistoryServerCollectOptions {
  /**
   * Only applications that ended at or after this instant (epoch ms; REST `minEndDate`); running ones
   * are always listed. Default: the stored watermark of this server minus `overlapMs` (nothing on the first run).
   */
  since?: number;
  /** Only attempts whose `sparkUser` is this (filtered here: the REST API has no user filter). */
  user?: string;
  /** At most this many applications (REST `limit`; the server returns the latest-ending ones). */
  limit?: number;
  /** Only `completed` or only `running` applications (REST `status`). */
  status?: 'completed' | 'running';
  /** Attempts downloaded and read at once (default 4, at least 1). */
  concurrency?: number;
  /** List and report what would be downloaded; download and write nothing. */
  dryRun?: boolean;
  /** Cancels the listing, the downloads and the reads; what was stored stays consistent. */
  signal?: AbortSignal;
  /** Called after each attempt with (done, total, `/logs` URL). */
  onProgress?: (done: number, total: number, path: string) => void;
  /** How far before the watermark the next listing starts, ms (default 1 hour). */
  overlapMs?: number;
  /** Parent folder of the private temp folders (default `os.tmpdir()`). */
  tempDir?: string;
  /**
   * When `/logs` answers 503 "Event logs are not available", build the record from the REST views
   * instead (default true; see rest-record.ts for what such a record lacks).
   */
  restFallback?: boolean;
  /**
   * Largest `/logs` download and largest extraction of it, bytes (default `DEFAULT_MAX_EXTRACT_BYTES`, 8 GiB);
   * see zip.ts for the per-entry compression ratio cap.
   */
  maxLogBytes?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** One attempt that could not be collected. `path` is the URL that failed (the listing or the attempt's `/logs`). */
export interface HistoryServerFailure {
  path: string;
  appId: string | null;
  attemptId: string | null;
  reason: string;
}

/** What one attempt came to. `already-stored`: not downloaded, the store holds it. */
export type AttemptOutcome = UpsertOutcome | 'dry-run' | 'already-stored';

/**
 * Result of one collection from a History Server: the protocol's counts (`found` = attempts considered
 * after the filters; `unchanged` includes attempts not downloaded because they are stored), every
 * failure with its reason, and the watermark before and after.
 */
export interface HistoryServerCollectionSummary extends Omit<CollectSummary, 'storedApplications' | 'failed'> {
  failed: HistoryServerFailure[];
  /** The History Server base URL (no credentials): the key of its watermark. */
  source: string;
  /** Attempts downloaded (zips fetched). */
  downloaded: number;
  /** Attempts whose record was built from the REST views because `/logs` was not available. */
  fromRest: number;
  /** Older attempts of listed applications, not downloaded (the store keeps the newest attempt). */
  olderAttemptsSkipped: number;
  /** Watermark (epoch ms) before and after the run; null = none. */
  watermarkBeforeMs: number | null;
  watermarkAfterMs: number | null;
  /** `minEndDate` the listing used, epoch ms, or null for none. */
  listedSinceMs: number | null;
  /** `path`: where the record came from (the `/logs` URL, or the attempt URL for a REST-built record). */
  applications: { appId: string; attemptId: string | null; appName: string; path: string; outcome: AttemptOutcome; via: 'logs' | 'rest' | null }[];
}

const DEFAULT_OVERLAP_MS = 60 * 60 * 1000;

/**
 * Collects the applications of the History Server behind `client` into `store` (see the module comment).
 * Never throws for server or per-application problems: a failed listing is one entry of `failed`
 * (with `found` 0), each failed attempt is one entry, and everything else is kept.
 * @throws only for store errors (a read-only or corrupt database).
 */
export async function collectFromHistoryServer(
  client: HistoryServerClient,
  store: HistoryStore,
  opts: HistoryServerCollectOptions = {},
): Promise<HistoryServerCollectionSummary> {
  const now = opts.now ?? Date.now;
  const runStartMs = now();
  const source = client.baseUrl;
  const watermarkBeforeMs = store.collectionSource(source)?.lastCompletedEndTimeMs ?? null;
  const overlapMs = opts.overlapMs ?? DEFAULT_OVERLAP_MS;
  const sinceMs = opts.since ?? (watermarkBeforeMs !== null ? Math.max(0, watermarkBeforeMs - overlapMs) : undefined);
  const summary: HistoryServerCollectionSummary = {
    found: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    failed: [],
    malformedLines: 0,
    cancelled: false,
    source,
    downloaded: 0,
    fromRest: 0,
    olderAttemptsSkipped: 0,
    watermarkBeforeMs,
    watermarkAfterMs: watermarkBeforeMs,
    listedSinceMs: sinceMs ?? null,
    applications: [],
  };

  const filter: ApplicationListFilter = { status: opts.status, minEndMs: sinceMs, limit: opts.limit };
  let listed: ListedAttempt[];
  try {
    listed = await client.listApplications(filter, opts.signal);
  } catch (e) {
    if (opts.signal?.aborted) {
      summary.cancelled = true;
      return summary;
    }
    summary.failed.push({ path: client.urlOf('/applications'), appId: null, attemptId: null, reason: messageOf(e) });
    return summary;
  }

  const listedApplications = new Set(listed.map((a) => a.appId)).size;
  // Applications stored unfinished from this server but missing from the listing (their end time lies
  // before the watermark window, e.g. an old log the server found late): ask for each one directly, so an
  // in-progress attempt is refreshed once it completed whatever its end time.
  // (Not with `limit`: the caller asked for at most that many applications.)
  if (opts.status !== 'running' && opts.limit === undefined && !opts.signal?.aborted) {
    const listedIds = new Set(listed.map((a) => a.appId));
    for (const appId of store.incompleteApplicationIds(client.urlOf('/applications/'))) {
      if (listedIds.has(appId)) continue;
      try {
        const attempts = await client.getApplication(appId, opts.signal);
        if (attempts) listed.push(...attempts.filter((a) => opts.status === undefined || a.completed));
      } catch (e) {
        if (opts.signal?.aborted) break;
        summary.failed.push({ path: client.urlOf(`/applications/${encodeURIComponent(appId)}`), appId, attemptId: null, reason: messageOf(e) });
      }
    }
  }

  const { work, older } = newestAttempts(listed.filter((a) => opts.user === undefined || a.sparkUser === opts.user));
  summary.olderAttemptsSkipped = older;
  summary.found = work.length;
  const failedEnds: number[] = [];
  let done = 0;
  let next = 0;
  const tempParent = opts.tempDir ?? os.tmpdir();
  const maxLogBytes = opts.maxLogBytes ?? DEFAULT_MAX_EXTRACT_BYTES;

  const count = (outcome: UpsertOutcome) => {
    if (outcome === 'inserted') summary.inserted++;
    else if (outcome === 'updated') summary.updated++;
    else summary.unchanged++;
  };

  const one = async (a: ListedAttempt): Promise<void> => {
    const url = client.logsUrl(a.appId, a.attemptId);
    const report = (outcome: AttemptOutcome, via: 'logs' | 'rest' | null = null, path_ = url) =>
      summary.applications.push({ appId: a.appId, attemptId: a.attemptId, appName: a.appName, path: path_, outcome, via });
    const stored = store.storedAttempt(a.appId);
    if (stored) {
      const cmp = compareAttempts(a.attemptId, stored.attemptId);
      const sameVersion = cmp === 0 && (stored.completed || (!a.completed && a.lastUpdatedMs !== null && stored.sourceMtimeMs === a.lastUpdatedMs));
      if (cmp < 0 || sameVersion) {
        summary.unchanged++;
        report('already-stored');
        return;
      }
    }
    if (opts.dryRun) {
      report('dry-run');
      return;
    }
    const tmp = await fsp.mkdtemp(path.join(tempParent, 'spark-optimizer-hs-'));
    try {
      const zipFile = path.join(tmp, 'logs.zip');
      try {
        await client.downloadEventLogs(a.appId, a.attemptId, zipFile, opts.signal, maxLogBytes);
      } catch (e) {
        if (!(opts.restFallback !== false && e instanceof HistoryServerError && e.status === 503 && !e.retryable)) throw e;
        // Event logs not available: the REST views are the next best source.
        const record = await recordFromRest(client, a, opts.signal).catch((restErr: unknown) => {
          throw new Error(`${e.message}; building the record from the REST views failed too: ${messageOf(restErr)}`);
        });
        const attemptUrl = url.replace(/\/logs$/, '');
        const outcome = store.upsert(record, { path: attemptUrl, sizeBytes: 0, mtimeMs: a.lastUpdatedMs ?? record.endTimeMs ?? record.startTimeMs, malformedLines: 0 });
        summary.fromRest++;
        count(outcome);
        report(outcome, 'rest', attemptUrl);
        return;
      }
      summary.downloaded++;
      const dir = path.join(tmp, 'logs');
      await fsp.mkdir(dir, { mode: 0o700 });
      await extractZip(zipFile, dir, { signal: opts.signal, maxTotalBytes: maxLogBytes });
      await fsp.rm(zipFile, { force: true });
      const { record, src, stats } = await readAttempt(dir, a, opts.signal);
      summary.malformedLines += stats.malformedLines;
      const outcome = store.upsert(record, {
        path: url,
        sizeBytes: src.sizeBytes,
        // The extracted files' mtimes are the extraction time; the server's lastUpdated is the log's.
        mtimeMs: a.lastUpdatedMs ?? record.endTimeMs ?? record.startTimeMs,
        malformedLines: stats.malformedLines,
      });
      count(outcome);
      report(outcome, 'logs');
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (opts.signal?.aborted) {
        summary.cancelled = true;
        return;
      }
      const i = next++;
      if (i >= work.length) return;
      const a = work[i];
      try {
        await one(a);
      } catch (e) {
        if (opts.signal?.aborted) {
          summary.cancelled = true;
          return;
        }
        summary.failed.push({ path: client.logsUrl(a.appId, a.attemptId), appId: a.appId, attemptId: a.attemptId, reason: messageOf(e) });
        if (a.completed && a.endTimeMs !== null) failedEnds.push(a.endTimeMs);
      }
      done++;
      opts.onProgress?.(done, work.length, client.logsUrl(a.appId, a.attemptId));
    }
  };
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));

  if (!opts.dryRun) {
    const listingComplete = opts.limit === undefined || listedApplications < opts.limit;
    const coversFromWatermark = sinceMs === undefined || (watermarkBeforeMs !== null && sinceMs <= watermarkBeforeMs);
    let watermark: number | null = null;
    if (!summary.cancelled && listingComplete && coversFromWatermark && opts.user === undefined && opts.status === undefined) {
      const ends = work.filter((a) => a.completed && a.endTimeMs !== null).map((a) => a.endTimeMs as number);
      if (failedEnds.length > 0) watermark = Math.min(...failedEnds);
      else if (ends.length > 0) watermark = Math.max(...ends);
    }
    store.recordCollectionRun(source, watermark, runStartMs);
    summary.watermarkAfterMs = store.collectionSource(source)?.lastCompletedEndTimeMs ?? null;
  }
  return summary;
}

/**
 * The newest attempt of each application (by `compareAttempts`), in listing order.
 * @returns the attempts to consider, and how many older attempts were dropped.
 */
function newestAttempts(listed: ListedAttempt[]): { work: ListedAttempt[]; older: number } {
  const best = new Map<string, ListedAttempt>();
  for (const a of listed) {
    const b = best.get(a.appId);
    if (!b || compareAttempts(a.attemptId, b.attemptId) > 0) best.set(a.appId, a);
  }
  return { work: [...best.values()], older: listed.length - best.size };
}

/**
 * Reads the extracted zip of one attempt. The zip holds one log (a file or an `eventlog_v2_` folder);
 * when it holds several, the one whose `App ID` (and attempt) match the listing is used.
 * @throws Error when no log in the folder holds this application.
 */
async function readAttempt(dir: string, a: ListedAttempt, signal?: AbortSignal): Promise<{ record: ApplicationRecord; src: EventLogSource; stats: ReadStats }> {
  const sources = await discoverEventLogs(dir);
  if (sources.length === 0) throw new Error('the /logs zip held no event-log file');
  let fallback: { record: ApplicationRecord; src: EventLogSource; stats: ReadStats } | null = null;
  const seen: string[] = [];
  for (const src of sources) {
    const { record, stats } = await readEventLog(src, { signal });
    if (!record) {
      seen.push(`${path.relative(dir, src.path)}: ${stats.warnings[0] ?? 'no SparkListenerApplicationStart event'}`);
      continue;
    }
    if (record.appId === a.appId && record.attemptId === a.attemptId) return { record, src, stats };
    seen.push(`${path.relative(dir, src.path)}: App ID ${record.appId}${record.attemptId ? ` attempt ${record.attemptId}` : ''}`);
    if (record.appId === a.appId && sources.length === 1) fallback = { record, src, stats };
  }
  if (fallback) return fallback;
  throw new Error(`the /logs zip held no event log of ${a.appId}${a.attemptId ? ` attempt ${a.attemptId}` : ''} (${seen.join('; ')})`);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
