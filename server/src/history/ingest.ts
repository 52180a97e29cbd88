/**
 * The ingest pipeline: the one path every application record takes into the history, whatever its source (an
 * event-log folder, a History Server `/logs` zip, the History Server REST views). For each record it
 * 1. marks a partly decoded log as incomplete with its reason (never a clean run),
 * 2. checks and bounds it (validate.ts: rejected records are reported, impossible figures clipped and counted),
 * 3. upserts it into the {@link HistorySink} keyed by (application id, attempt id), as the History Server keys attempts,
 * 4. counts the outcome and keeps what to report (failures with reasons, corrections, malformed lines).
 *
 * The sink is declared here and implemented by the stores (store/history-store.ts, SQLite, answering synchronously;
 * store/postgres-store.ts, PostgreSQL, answering with promises), so `history/` never imports `store/`.
 */

import type { CollectDecodeError, CollectSummary, SourceFailureKind } from '../../../shared/src/protocol';
import type { ApplicationRecord, ReadStats, ValueCorrection } from './application-record';
import { mergeCorrections } from './bounds';
import { checkRecord } from './validate';

/** A value, or a promise of it: what a sink method may return. */
export type Awaitable<T> = T | Promise<T>;

/** One version of a source: where a record was read from, with what identifies that version of it. */
export interface SourceVersion {
  /** Path of the event-log file or rolling directory (absolute), or the History Server URL of the attempt. */
  path: string;
  /** Size in bytes (sum of the files for a rolling directory; 0 for a REST-built record). */
  sizeBytes: number;
  /** Newest modification time of the file(s), epoch ms (a History Server attempt's `lastUpdated`). */
  mtimeMs: number;
  /**
   * What the object store says identifies the content of each of the log's objects, in reading order, joined by spaces:
   * the ETag (S3, Azure Blob) or generation (GCS) of each (object-store/object-store.ts `StoredObject.version`). When given, it decides alone whether the source is unchanged (a rewrite that kept the
   * size and Last-Modified is read again); absent or null (a local file, a History Server attempt, a store that gave
   * no versions) keeps the size and mtime test.
   */
  objectVersions?: string | null;
}

/** Where a record was read from: used to skip unchanged logs on the next collection. */
export interface RecordSource extends SourceVersion {
  /** Lines the reader skipped as malformed. */
  malformedLines: number;
}

/**
 * What an upsert did with a record:
 * - `inserted`: a new (application, attempt);
 * - `updated`: replaced the stored version of that attempt (its log grew or finished, or this copy is more complete);
 * - `unchanged`: the stored version was read from this very source version;
 * - `duplicate`: the attempt is stored from another source at least as complete (a copy of the log elsewhere); this
 *   source is remembered, so the next collection skips it without reading.
 */
export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged' | 'duplicate';

/** One stored attempt, as a collector needs it to decide whether to fetch it again. */
export interface StoredAttempt {
  appId: string;
  attemptId: string | null;
  completed: boolean;
  /** Where it was read from: an event-log path or a History Server URL. */
  sourcePath: string;
  /** Modification time of that source, epoch ms (a History Server attempt's `lastUpdated`). */
  sourceMtimeMs: number;
}

/** Watermark of one collection source (a History Server). */
export interface CollectionSourceState {
  /** History Server base URL without credentials. */
  sourceUrl: string;
  /** Every completed attempt that ended before this instant (epoch ms) is stored; null when unknown. */
  lastCompletedEndTimeMs: number | null;
  /** Start of the last recorded run, epoch ms. */
  lastRunTimeMs: number;
}

/**
 * Where ingest writes: one row per (application id, attempt id). Implemented by `HistoryStore` (SQLite) and
 * `PostgresStore` (PostgreSQL), which keep the same rules (store/history-store.ts `upsertOutcome`; test/history-store.test.ts,
 * test/live/postgres-store.test.ts):
 * - `upsert` is atomic per record (a killed process leaves the old version or the new one) and safe against other
 *   processes writing at the same time (it waits for their locks, and throws only when it could not get one);
 * - an attempt stored completed is never replaced by an incomplete version of itself;
 * - every source version upserted is remembered, so `hasSource` is true for it afterwards whatever the outcome.
 */
export interface HistorySink {
  /** True when this exact source version was already upserted (so it need not be read again). */
  hasSource(source: SourceVersion): Awaitable<boolean>;
  /**
   * Inserts or replaces one attempt with its stages, executors and jobs.
   * @throws Error when the store cannot be written (locked beyond its retries, read-only, corrupt).
   */
  upsert(record: ApplicationRecord, source: RecordSource): Awaitable<UpsertOutcome>;
  /** The stored version of one attempt, or null. */
  storedAttempt(appId: string, attemptId: string | null): Awaitable<StoredAttempt | null>;
  /** Attempts stored unfinished whose source path starts with `sourcePrefix` (e.g. a History Server's applications URL). */
  incompleteAttempts(sourcePrefix: string): Awaitable<{ appId: string; attemptId: string | null }[]>;
  /** The watermark of a History Server, or null before its first recorded run. */
  collectionSource(sourceUrl: string): Awaitable<CollectionSourceState | null>;
  /** Records a finished collection run of a History Server (the watermark never moves back; null keeps it). */
  recordCollectionRun(sourceUrl: string, completedEndTimeMs: number | null, runTimeMs: number): Awaitable<void>;
}

/** How a record reached ingest: an event-log file on disk, a History Server `/logs` zip, or its REST views. */
export type IngestVia = 'event-log' | 'logs' | 'rest';

/** One record ingest handled (stored, or read in a dry run, or known stored without reading). */
export interface IngestedApplication {
  appId: string;
  attemptId: string | null;
  appName: string;
  /** Where it came from: the event-log path, the `/logs` URL or the attempt's REST URL. */
  path: string;
  /** What the sink did, `dry-run` (read, nothing written) or `already-stored` (a History Server attempt not downloaded). */
  outcome: UpsertOutcome | 'dry-run' | 'already-stored';
  via: IngestVia;
  /** Why the record is incomplete although read (a decoder error), or null. */
  incompleteReason: string | null;
  /** Impossible values dropped or clipped in this record (reading and checking). */
  correctedValues: number;
}

/** One source that could not be collected, with the reason (shown after the path). */
export interface IngestFailure {
  /** The event-log path, or the History Server URL that failed (listing, `/logs`, attempt). */
  path: string;
  /** The application and attempt when known (History Server listings name them before anything is read). */
  appId: string | null;
  attemptId: string | null;
  /** What went wrong, naming no front end's remedy. */
  reason: string;
  /** Of what kind, when the source said (a History Server's 401, a certificate): the front end words the remedy from it. */
  kind?: SourceFailureKind;
}

/** The counts and reports of one collection run (any source). */
export interface IngestSummary {
  /** Sources (event logs) or attempts (History Server) considered. */
  found: number;
  inserted: number;
  updated: number;
  /** Unchanged sources, duplicates and attempts already stored. */
  unchanged: number;
  /** Records stored incomplete because their log could be decoded only in part (a subset of inserted + updated). */
  incomplete: number;
  failed: IngestFailure[];
  /** Malformed lines skipped over all logs read. */
  malformedLines: number;
  /** Impossible values dropped, clipped or whose event was skipped, by field and problem, over all records. */
  corrections: ValueCorrection[];
  /** Every decoder error of the logs read, under the log's path (`path`) and the file that did not decode. */
  decodeErrors: CollectDecodeError[];
  /** Every reader warning of the logs read (a file cut at its end, a missing rolling part, malformed lines), under the log's path. */
  warnings: { path: string; message: string }[];
  cancelled: boolean;
  applications: IngestedApplication[];
}

/** A fresh, empty summary. */
export function emptySummary(): IngestSummary {
  return {
    found: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    incomplete: 0,
    failed: [],
    malformedLines: 0,
    corrections: [],
    decodeErrors: [],
    warnings: [],
    cancelled: false,
    applications: [],
  };
}

/** Options of {@link Ingest}. */
export interface IngestOptions {
  /** Check and report, write nothing. */
  dryRun?: boolean;
}

/** What a source gave: the record read from it (null when none could be read) and the reader's statistics. */
export interface ReadOutcome {
  record: ApplicationRecord | null;
  /** Null for records not read from a log (the REST views). */
  stats: ReadStats | null;
}

/**
 * One collection run's ingest: every record goes through {@link accept}, every failure through {@link fail}, and
 * {@link summary} holds the counts. Collectors only find and read sources.
 */
export class Ingest {
  /** The run's counts and reports so far. */
  readonly summary: IngestSummary = emptySummary();

  /**
   * @param sink where records are written (the store).
   * @param options dry run.
   */
  constructor(
    private readonly sink: HistorySink,
    private readonly options: IngestOptions = {},
  ) {}

  /**
   * True (and counted as unchanged) when this source version was already ingested, so the collector may skip reading
   * it. Always false in a dry run (everything is read and reported).
   */
  async alreadyIngested(source: SourceVersion): Promise<boolean> {
    if (this.options.dryRun) return false;
    if (!(await this.sink.hasSource(source))) return false;
    this.summary.unchanged++;
    return true;
  }

  /**
   * Reports an attempt a collector did not fetch: `already-stored` (the sink holds it; counted as unchanged) or
   * `dry-run` (it would be fetched). History Server listings name attempts before anything is read.
   * @param app the listed attempt.
   */
  notFetched(
    app: Omit<IngestedApplication, 'outcome' | 'incompleteReason' | 'correctedValues'>,
    outcome: 'already-stored' | 'dry-run',
  ): void {
    if (outcome === 'already-stored') this.summary.unchanged++;
    this.summary.applications.push({ ...app, outcome, incompleteReason: null, correctedValues: 0 });
  }

  /**
   * The one way a record is stored: marks a partly decoded log incomplete with its reason, checks and bounds the record,
   * upserts it and counts the outcome. Never throws for the record's content (a record with no start event or an
   * invalid one becomes a failure); sink errors propagate to the caller, which reports them with {@link fail}.
   * @param read the record and the reader's statistics.
   * @param source where it was read from (`path` is what the report shows).
   * @param via how it was read.
   * @returns what was done with it, or null when it was reported as failed.
   * @throws Error from the sink (store locked beyond its retries, read-only, ...).
   */
  async accept(read: ReadOutcome, source: RecordSource, via: IngestVia): Promise<IngestedApplication | null> {
    const { record, stats } = read;
    if (stats) {
      this.summary.malformedLines += stats.malformedLines;
      mergeCorrections(this.summary.corrections, stats.corrections);
      for (const e of stats.decodeErrors) this.summary.decodeErrors.push({ path: source.path, ...e });
      // Without a record the first warning is the failure's reason (below); the others are still reported.
      for (const w of record || stats.decodeErrors.length > 0 ? stats.warnings : stats.warnings.slice(1)) {
        this.summary.warnings.push({ path: source.path, message: withoutPath(w, source.path) });
      }
    }
    if (!record) {
      const reason = stats?.decodeErrors[0]
        ? decodeErrorText(stats)
        : (stats?.warnings[0] ?? 'no SparkListenerApplicationStart event in the log');
      this.fail(source.path, withoutPath(reason, source.path));
      return null;
    }
    if (stats && stats.decodeErrors.length > 0 && !record.incompleteReason)
      record.incompleteReason = decodeErrorText(stats);
    if (record.incompleteReason) record.completed = false;
    const check = checkRecord(record);
    mergeCorrections(this.summary.corrections, check.corrections);
    if (check.problems.length > 0) {
      this.fail(
        source.path,
        `not stored, the record read from it is invalid: ${check.problems.join('; ')}`,
        record.appId,
        record.attemptId,
      );
      return null;
    }
    const correctedValues = [...(stats?.corrections ?? []), ...check.corrections].reduce((n, c) => n + c.count, 0);
    const outcome = this.options.dryRun ? 'dry-run' : await this.sink.upsert(record, source);
    if (outcome === 'inserted') this.summary.inserted++;
    else if (outcome === 'updated') this.summary.updated++;
    else if (outcome !== 'dry-run') this.summary.unchanged++;
    if (record.incompleteReason && (outcome === 'inserted' || outcome === 'updated')) this.summary.incomplete++;
    const app: IngestedApplication = {
      appId: record.appId,
      attemptId: record.attemptId,
      appName: record.appName,
      path: source.path,
      outcome,
      via,
      incompleteReason: record.incompleteReason ?? null,
      correctedValues,
    };
    this.summary.applications.push(app);
    return app;
  }

  /**
   * Counts one source or attempt that could not be collected.
   * @param path the event-log path or URL.
   * @param reason what went wrong (without a leading copy of the path).
   * @param kind of what kind, when known (IngestFailure.kind).
   */
  fail(
    path: string,
    reason: string,
    appId: string | null = null,
    attemptId: string | null = null,
    kind?: SourceFailureKind,
  ): void {
    this.summary.failed.push(
      kind === undefined ? { path, appId, attemptId, reason } : { path, appId, attemptId, reason, kind },
    );
  }
}

/** The first decoder error as a reason: `zstd data corrupt at byte 1234 of events_1_….zstd: …`, and how many more. */
function decodeErrorText(stats: ReadStats): string {
  const [d, ...more] = stats.decodeErrors;
  const file = d.file.split(/[\\/]/).pop() ?? d.file;
  return `the log could be decoded only in part: ${d.codec} data unreadable${d.offset !== null ? ` at byte ${d.offset}` : ''} of ${file} (${d.message})${more.length > 0 ? `, and ${more.length} more decoder error(s)` : ''}`;
}

/** A failure reason is shown after its path: drops a leading copy of the path (`/x/log: reason` → `reason`). */
export function withoutPath(reason: string, p: string): string {
  return reason.startsWith(`${p}: `) ? reason.slice(p.length + 2) : reason;
}

/**
 * Whether a collection run failed for some of what it found, for exit codes and status: `none` when everything found
 * was stored (or was already), `some` when at least one source failed or was stored incomplete because it could not be
 * decoded, `all` when something failed and nothing was stored or found stored.
 */
export function failureLevel(
  s: Pick<IngestSummary, 'inserted' | 'updated' | 'unchanged' | 'incomplete' | 'failed'>,
): 'none' | 'some' | 'all' {
  if (s.failed.length > 0 && s.inserted + s.updated + s.unchanged === 0) return 'all';
  return s.failed.length > 0 || s.incomplete > 0 ? 'some' : 'none';
}

/**
 * The summary a collection request answers (shared/src/protocol.ts `CollectSummary`): the counts, each failure under its
 * application (and attempt) when known, else its path, and the total of corrected values.
 * @param storedApplications attempts in the store after the run.
 */
export function collectSummaryOf(s: IngestSummary, storedApplications: number): CollectSummary {
  return {
    found: s.found,
    inserted: s.inserted,
    updated: s.updated,
    unchanged: s.unchanged,
    incomplete: s.incomplete,
    failed: s.failed.map((f) => ({
      path: f.appId ? `${f.appId}${f.attemptId ? `/${f.attemptId}` : ''}` : f.path,
      reason: f.reason,
      ...(f.kind ? { kind: f.kind } : {}),
    })),
    malformedLines: s.malformedLines,
    correctedValues: s.corrections.reduce((n, c) => n + c.count, 0),
    decodeErrors: s.decodeErrors,
    warnings: s.warnings,
    cancelled: s.cancelled,
    storedApplications,
  };
}
