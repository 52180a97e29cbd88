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
 * Flow: one listing (`GET /applications`, metadata only) → every attempt of every application (the store keeps each
 * attempt, keyed as the History Server keys them: application id + attempt id) → skip it when the store already holds
 * that attempt completed (or the same in-progress version) → else download its zip into a private `fs.mkdtemp` folder,
 * extract it safely, read it with `discoverEventLogs` + `readEventLog`, hand the record to the ingest pipeline
 * (ingest.ts: the same validation, upsert and counts as event-log folders), delete the folder. `concurrency` workers
 * pull attempts from the listing one at a time, so at most `concurrency` zips are on disk at once.
 *
 * Attempts the store holds unfinished from this server are also asked for by application
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
import type { ApplicationRecord, ReadStats } from '../application-record';
import { discoverEventLogs, type EventLogSource } from '../event-log/discover';
import { readEventLog } from '../event-log/reader';
import { Ingest, type HistorySink, type IngestFailure, type IngestSummary } from '../ingest';
import { HistoryServerError, type ApplicationListFilter, type HistoryServerClient } from './client';
import { recordFromRest } from './rest-record';
import type { ListedAttempt } from './rest-types';
import { DEFAULT_MAX_EXTRACT_BYTES, extractZip } from './zip';
import { errorMessage } from '../../../../shared/src/errors';
import type { SourceFailureKind } from '../../../../shared/src/protocol';

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
export type HistoryServerFailure = IngestFailure;

/**
 * Result of one collection from a History Server: the ingest pipeline's counts (`found` = attempts considered after
 * the filters; `unchanged` includes attempts not downloaded because they are stored; `applications[].via` says whether
 * a record came from `/logs` or the REST views), every failure with its reason, and the watermark before and after.
 */
export interface HistoryServerCollectionSummary extends IngestSummary {
  /** The History Server base URL (no credentials): the key of its watermark. */
  source: string;
  /** Attempts downloaded (zips fetched). */
  downloaded: number;
  /** Attempts whose record was built from the REST views because `/logs` was not available. */
  fromRest: number;
  /** Watermark (epoch ms) before and after the run; null = none. */
  watermarkBeforeMs: number | null;
  watermarkAfterMs: number | null;
  /** `minEndDate` the listing used, epoch ms, or null for none. */
  listedSinceMs: number | null;
}

const DEFAULT_OVERLAP_MS = 60 * 60 * 1000;

/**
 * Collects every application attempt of the History Server behind `client` into `sink` (see the module comment).
 * Never throws for server or per-attempt problems: a failed listing is one entry of `failed` (with `found` 0), each
 * failed attempt is one entry (a store that stayed locked too), and everything else is kept.
 * @throws only for store errors outside one attempt (reading or recording the watermark).
 */
export async function collectFromHistoryServer(
  client: HistoryServerClient,
  sink: HistorySink,
  opts: HistoryServerCollectOptions = {},
): Promise<HistoryServerCollectionSummary> {
  const now = opts.now ?? Date.now;
  const runStartMs = now();
  const source = client.baseUrl;
  const watermarkBeforeMs = (await sink.collectionSource(source))?.lastCompletedEndTimeMs ?? null;
  const overlapMs = opts.overlapMs ?? DEFAULT_OVERLAP_MS;
  const sinceMs = opts.since ?? (watermarkBeforeMs !== null ? Math.max(0, watermarkBeforeMs - overlapMs) : undefined);
  const ingest = new Ingest(sink, { dryRun: opts.dryRun });
  const summary: HistoryServerCollectionSummary = Object.assign(ingest.summary, {
    source,
    downloaded: 0,
    fromRest: 0,
    watermarkBeforeMs,
    watermarkAfterMs: watermarkBeforeMs,
    listedSinceMs: sinceMs ?? null,
  });

  const filter: ApplicationListFilter = { status: opts.status, minEndMs: sinceMs, limit: opts.limit };
  let listed: ListedAttempt[];
  try {
    listed = await client.listApplications(filter, opts.signal);
  } catch (e) {
    if (opts.signal?.aborted) {
      summary.cancelled = true;
      return summary;
    }
    ingest.fail(client.urlOf('/applications'), messageOf(e), null, null, kindOf(e));
    return summary;
  }

  const listedApplications = new Set(listed.map((a) => a.appId)).size;
  // Attempts stored unfinished from this server whose application is missing from the listing (their end time lies
  // before the watermark window, e.g. an old log the server found late): ask for each application directly, so an
  // in-progress attempt is refreshed once it completed whatever its end time.
  // (Not with `limit`: the caller asked for at most that many applications.)
  if (opts.status !== 'running' && opts.limit === undefined && !opts.signal?.aborted) {
    const listedIds = new Set(listed.map((a) => a.appId));
    const unfinished = new Set((await sink.incompleteAttempts(client.urlOf('/applications/'))).map((a) => a.appId));
    for (const appId of unfinished) {
      if (listedIds.has(appId)) continue;
      try {
        const attempts = await client.getApplication(appId, opts.signal);
        if (attempts) listed.push(...attempts.filter((a) => opts.status === undefined || a.completed));
      } catch (e) {
        if (opts.signal?.aborted) break;
        ingest.fail(client.urlOf(`/applications/${encodeURIComponent(appId)}`), messageOf(e), appId, null, kindOf(e));
      }
    }
  }

  const work = listed.filter((a) => opts.user === undefined || a.sparkUser === opts.user);
  summary.found = work.length;
  const failedEnds: number[] = [];
  let done = 0;
  let next = 0;
  const tempParent = opts.tempDir ?? os.tmpdir();
  const maxLogBytes = opts.maxLogBytes ?? DEFAULT_MAX_EXTRACT_BYTES;

  const one = async (a: ListedAttempt): Promise<void> => {
    const url = client.logsUrl(a.appId, a.attemptId);
    const listedAs = { appId: a.appId, attemptId: a.attemptId, appName: a.appName, path: url, via: 'logs' as const };
    const stored = await sink.storedAttempt(a.appId, a.attemptId);
    if (
      stored &&
      (stored.completed || (!a.completed && a.lastUpdatedMs !== null && stored.sourceMtimeMs === a.lastUpdatedMs))
    ) {
      ingest.notFetched(listedAs, 'already-stored');
      return;
    }
    if (opts.dryRun) {
      ingest.notFetched(listedAs, 'dry-run');
      return;
    }
    const tmp = await fsp.mkdtemp(path.join(tempParent, 'spark-optimizer-hs-'));
    try {
      const zipFile = path.join(tmp, 'logs.zip');
      try {
        await client.downloadEventLogs(a.appId, a.attemptId, zipFile, opts.signal, maxLogBytes);
      } catch (e) {
        if (!(opts.restFallback !== false && e instanceof HistoryServerError && e.status === 503 && !e.retryable))
          throw e;
        // Event logs not available: the REST views are the next best source.
        const record = await recordFromRest(client, a, opts.signal).catch((restErr: unknown) => {
          throw new Error(`${e.message}; building the record from the REST views failed too: ${messageOf(restErr)}`);
        });
        const attemptUrl = url.replace(/\/logs$/, '');
        summary.fromRest++;
        const stored = await ingest.accept(
          { record, stats: null },
          {
            path: attemptUrl,
            sizeBytes: 0,
            mtimeMs: a.lastUpdatedMs ?? record.endTimeMs ?? record.startTimeMs,
            malformedLines: 0,
          },
          'rest',
        );
        if (stored === null && a.completed && a.endTimeMs !== null) failedEnds.push(a.endTimeMs);
        return;
      }
      summary.downloaded++;
      const dir = path.join(tmp, 'logs');
      await fsp.mkdir(dir, { mode: 0o700 });
      await extractZip(zipFile, dir, { signal: opts.signal, maxTotalBytes: maxLogBytes });
      await fsp.rm(zipFile, { force: true });
      const { record, src, stats } = await readAttempt(dir, a, opts.signal);
      // The files live in a temporary folder: name them relative to the /logs zip in what is reported.
      for (const e of stats.decodeErrors) e.file = `${url} ${path.relative(dir, e.file)}`;
      stats.warnings = stats.warnings.map((w) => w.split(dir + path.sep).join(''));
      const stored = await ingest.accept(
        { record, stats },
        {
          path: url,
          sizeBytes: src.sizeBytes,
          // The extracted files' mtimes are the extraction time; the server's lastUpdated is the log's.
          mtimeMs: a.lastUpdatedMs ?? record.endTimeMs ?? record.startTimeMs,
          malformedLines: stats.malformedLines,
        },
        'logs',
      );
      if (stored === null && a.completed && a.endTimeMs !== null) failedEnds.push(a.endTimeMs);
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
        ingest.fail(client.logsUrl(a.appId, a.attemptId), messageOf(e), a.appId, a.attemptId, kindOf(e));
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
    if (
      !summary.cancelled &&
      listingComplete &&
      coversFromWatermark &&
      opts.user === undefined &&
      opts.status === undefined
    ) {
      const ends = work.filter((a) => a.completed && a.endTimeMs !== null).map((a) => a.endTimeMs as number);
      if (failedEnds.length > 0) watermark = Math.min(...failedEnds);
      else if (ends.length > 0) watermark = Math.max(...ends);
    }
    await sink.recordCollectionRun(source, watermark, runStartMs);
    summary.watermarkAfterMs = (await sink.collectionSource(source))?.lastCompletedEndTimeMs ?? null;
  }
  return summary;
}

/**
 * Reads the extracted zip of one attempt. The zip holds one log (a file or an `eventlog_v2_` folder);
 * when it holds several, the one whose `App ID` (and attempt) match the listing is used.
 * @throws Error when no log in the folder holds this application.
 */
async function readAttempt(
  dir: string,
  a: ListedAttempt,
  signal?: AbortSignal,
): Promise<{ record: ApplicationRecord; src: EventLogSource; stats: ReadStats }> {
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
    seen.push(
      `${path.relative(dir, src.path)}: App ID ${record.appId}${record.attemptId ? ` attempt ${record.attemptId}` : ''}`,
    );
    if (record.appId === a.appId && sources.length === 1) fallback = { record, src, stats };
  }
  if (fallback) return fallback;
  throw new Error(
    `the /logs zip held no event log of ${a.appId}${a.attemptId ? ` attempt ${a.attemptId}` : ''} (${seen.join('; ')})`,
  );
}

function messageOf(e: unknown): string {
  return errorMessage(e);
}

/** The failure's kind when the History Server client said (HistoryServerError.kind), for the front end's remedy. */
function kindOf(e: unknown): SourceFailureKind | undefined {
  return e instanceof HistoryServerError ? e.kind : undefined;
}
