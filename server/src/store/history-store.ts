import * as fs from 'fs';
import * as path from 'path';
import Database from 'better-sqlite3';
import type { ApplicationRecord, ExecutorRecord, JobRecord, StageRecord, TaskFailureGroup } from '../history/application-record';
import type { ApplicationTotals, HistoryReader } from '../history/history-reader';
import { errorMessage } from '../../../shared/src/errors';
import type { StoredJob } from '../../../shared/src/protocol';
import type { CollectionSourceState, HistorySink, RecordSource, SourceVersion, StoredAttempt, UpsertOutcome } from '../history/ingest';
import { jobSignature, resourceStem } from '../history/job-signature';
import type { AppliedFix } from '../recommend/feedback';
import type { FeedbackVerdict, RecommendationFeedback, ServiceStore, ServiceToken, TokenScope } from '../service/service-store';
import { MIGRATIONS } from './migrations';
import { StoreUnavailableError } from './store-path';

export type { ApplicationTotals } from '../history/history-reader';
export type { CollectionSourceState, RecordSource, StoredAttempt, UpsertOutcome } from '../history/ingest';

/** How the store waits for other processes' locks (see {@link HistoryStore.open}). */
export interface StoreLockOptions {
  /** SQLite's busy timeout: how long one statement waits for a lock held by another process, ms (default 10,000). */
  busyTimeoutMs?: number;
  /** Further tries after a statement or transaction gave up waiting (default 3), with growing pauses between them. */
  busyRetries?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
const DEFAULT_BUSY_RETRIES = 3;
/** Pause before the n-th retry: 100 ms, 400 ms, 1.6 s, ... (plus up to 50 % jitter so waiting processes spread out). */
const RETRY_BASE_MS = 100;
/**
 * Runs of other job names with a stage-DAG signature, newest first (`runsWithSameSignature`); read in the order of the
 * index applications_signature_runs (migration 8), so the newest `LIMIT` rows need no sort.
 */
export const SAME_SIGNATURE_RUNS_SQL = 'SELECT * FROM applications WHERE job_signature = ? AND app_name <> ? ORDER BY start_time_ms DESC LIMIT ?';

type Row = Record<string, unknown>;

/** The `attempt_id` column: Spark's `App Attempt ID`, or '' for an application without attempts (part of the key). */
function attemptKey(attemptId: string | null): string {
  return attemptId ?? '';
}

/** True for SQLite's "database is locked" family (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, ...). */
function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** Blocks this thread for `ms` (the store's API is synchronous, like better-sqlite3's own busy wait). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `fn`, retrying it while SQLite answers "database is locked" (each try already waited the busy timeout).
 * @throws Error naming the store and how long it waited, when every try was refused; other errors unchanged.
 */
function retryBusy<T>(fn: () => T, file: string, what: string, retries: number, busyTimeoutMs: number): T {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (attempt >= retries) {
        const waited = ((Date.now() - started) / 1000).toFixed(1);
        throw new Error(
          `the history store ${file} stayed locked by another process while ${what} (${attempt + 1} tries over ${waited} s, busy timeout ${busyTimeoutMs} ms): ${errorMessage(e)}`,
          { cause: e },
        );
      }
      const pause = RETRY_BASE_MS * 4 ** attempt;
      sleepSync(pause + Math.random() * pause * 0.5);
    }
  }
}

/**
 * The local SQLite store of application records (better-sqlite3, WAL mode): the {@link HistorySink} ingest writes to
 * and the {@link HistoryReader} the features read.
 *
 * One row per application attempt, keyed (`app_id`, `attempt_id`) as the History Server keys attempts: attempt 1 and
 * attempt 2 of a YARN application are two runs. The finished version of an in-progress log replaces its older version;
 * re-reading the same log (same path, size and mtime) changes nothing, and every source version read is remembered
 * (`record_sources`), so a second copy of a log elsewhere is read once and then skipped.
 *
 * Safe for several processes at once: writes take the write lock up front (`BEGIN IMMEDIATE`) and wait for it (busy
 * timeout, then retries); each application is written in one transaction, so a killed process leaves either the old
 * or the new record, never half of one; reads of one record run in one read transaction (a consistent snapshot while
 * another process writes); schema migrations run under an exclusive lock.
 */
export class HistoryStore implements HistorySink, HistoryReader, ServiceStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    db: Database.Database,
    private readonly file: string,
    private readonly busyTimeoutMs: number,
    private readonly busyRetries: number,
  ) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the store at `file` and applies pending migrations. Another process may open, migrate,
   * read or write the same file at the same time: the set-up waits for its locks (busy timeout, then retries), and
   * migrations run in one exclusive transaction that re-reads the schema version after taking the lock.
   * @param file path of the SQLite file; its folder is created. `:memory:` for a throwaway store.
   * @param lock how long to wait for other processes' locks.
   * @throws StoreUnavailableError (store-path.ts: the file and the reason) when its folder cannot be made, the file is
   *   not a SQLite database, was written by a newer version of this tool, or stayed locked.
   */
  static open(file: string, lock: StoreLockOptions = {}): HistoryStore {
    try {
      return HistoryStore.openFile(file, lock);
    } catch (e) {
      throw StoreUnavailableError.of(file, e);
    }
  }

  private static openFile(file: string, lock: StoreLockOptions): HistoryStore {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const busyTimeoutMs = lock.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const busyRetries = lock.busyRetries ?? DEFAULT_BUSY_RETRIES;
    return retryBusy(
      () => {
        const db = new Database(file);
        try {
          // The busy timeout first: every later statement, even setting WAL on a new file, may meet another process's lock.
          db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
          db.pragma('journal_mode = WAL');
          migrate(db, file);
          db.pragma('foreign_keys = ON');
          return new HistoryStore(db, file, busyTimeoutMs, busyRetries);
        } catch (e) {
          db.close();
          throw e;
        }
      },
      file,
      'opening it',
      busyRetries,
      busyTimeoutMs,
    );
  }

  /** Schema version (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Runs `fn` in one write transaction that takes the write lock first (`BEGIN IMMEDIATE`), retried while locked. */
  private write<T>(what: string, fn: () => T): T {
    const tx = this.db.transaction(fn);
    return retryBusy(() => tx.immediate(), this.file, what, this.busyRetries, this.busyTimeoutMs);
  }

  /** Runs `fn` in one read transaction (a snapshot: another process's commits in between are not seen), retried while locked. */
  private read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    const tx = this.db.transaction(fn);
    return retryBusy(() => tx.deferred(), this.file, 'reading it', this.busyRetries, this.busyTimeoutMs);
  }

  /**
   * True when this exact source version (path, size, mtime) was already upserted, whatever the outcome (a second copy
   * of a stored attempt counts), so a collection can skip reading it.
   */
  hasSource(source: SourceVersion): boolean {
    return this.read(() => this.stmt('SELECT 1 FROM record_sources WHERE path = ? AND size_bytes = ? AND mtime_ms = ?').get(source.path, source.sizeBytes, Math.trunc(source.mtimeMs)) !== undefined);
  }

  /**
   * Inserts or replaces one application attempt, with its stages, executors and jobs, in one transaction, and remembers
   * the source version. Rules, for the attempt (`appId`, `attemptId`):
   * - not stored: `inserted`;
   * - stored from this very source version: `unchanged`;
   * - stored completed and this version is not: kept (`unchanged` from the same path, else `duplicate`);
   * - from the same path (the log grew or finished): `updated`;
   * - from another path (a copy of the log): `updated` when this one is more complete (finished where the stored one is
   *   not, or, both unfinished, more tasks or a longer span), else `duplicate`.
   * @throws Error when the store stayed locked by other processes beyond the busy timeout and retries.
   */
  upsert(record: ApplicationRecord, source: RecordSource, nowMs = Date.now()): UpsertOutcome {
    return this.write(`storing ${record.appId}`, (): UpsertOutcome => {
      const attempt = attemptKey(record.attemptId);
      const old = this.stmt(
        'SELECT completed, source_path, source_size_bytes, source_mtime_ms, total_tasks, duration_ms FROM applications WHERE app_id = ? AND attempt_id = ?',
      ).get(record.appId, attempt) as Row | undefined;
      let outcome: UpsertOutcome;
      if (!old) outcome = 'inserted';
      else {
        const samePath = old.source_path === source.path;
        const oldCompleted = old.completed === 1;
        if (samePath && old.source_size_bytes === source.sizeBytes && old.source_mtime_ms === Math.trunc(source.mtimeMs)) outcome = 'unchanged';
        else if (oldCompleted && !record.completed) outcome = samePath ? 'unchanged' : 'duplicate';
        else if (samePath) outcome = 'updated';
        else {
          const moreComplete =
            (record.completed && !oldCompleted) ||
            (!record.completed && !oldCompleted && (record.totalTasks > num(old.total_tasks) || (record.totalTasks === num(old.total_tasks) && record.durationMs > num(old.duration_ms))));
          outcome = moreComplete ? 'updated' : 'duplicate';
        }
      }
      if (outcome === 'updated') this.stmt('DELETE FROM applications WHERE app_id = ? AND attempt_id = ?').run(record.appId, attempt);
      if (outcome === 'inserted' || outcome === 'updated') this.insert(record, source, nowMs);
      this.stmt(
        `INSERT INTO record_sources (path, size_bytes, mtime_ms, app_id, attempt_id, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms, app_id = excluded.app_id,
           attempt_id = excluded.attempt_id, recorded_at_ms = excluded.recorded_at_ms`,
      ).run(source.path, source.sizeBytes, Math.trunc(source.mtimeMs), record.appId, attempt, nowMs);
      return outcome;
    });
  }

  private insert(r: ApplicationRecord, source: RecordSource, nowMs: number): void {
    const attempt = attemptKey(r.attemptId);
    const app: Row = {
      app_id: r.appId,
      attempt_id: attempt,
      app_name: r.appName,
      user: r.user,
      spark_version: r.sparkVersion,
      master: r.master,
      submit_time_ms: r.submitTimeMs,
      start_time_ms: r.startTimeMs,
      end_time_ms: r.endTimeMs,
      duration_ms: r.durationMs,
      completed: r.completed ? 1 : 0,
      incomplete_reason: r.incompleteReason ?? null,
      exit_code: r.exitCode,
      executor_cores: r.executorCores,
      executor_memory_mib: r.executorMemoryMiB,
      memory_overhead_mib: r.memoryOverheadMiB,
      max_executors: r.maxExecutors,
      total_executors_added: r.totalExecutorsAdded,
      executor_instances: r.executorInstances,
      driver_memory_mib: r.driverMemoryMiB,
      driver_cores: r.driverCores,
      shuffle_partitions: r.shufflePartitions,
      dynamic_allocation_enabled: r.dynamicAllocationEnabled ? 1 : 0,
      dynamic_allocation_min_executors: r.dynamicAllocationMinExecutors,
      dynamic_allocation_max_executors: r.dynamicAllocationMaxExecutors,
      total_tasks: r.totalTasks,
      failed_tasks: r.failedTasks,
      total_stages: r.totalStages,
      failed_stages: r.failedStages,
      total_jobs: r.totalJobs,
      failed_jobs: r.failedJobs,
      executor_run_time_ms: r.executorRunTimeMs,
      cpu_time_ms: Math.round(r.cpuTimeMs),
      jvm_gc_time_ms: r.jvmGcTimeMs,
      input_bytes: r.inputBytes,
      output_bytes: r.outputBytes,
      shuffle_read_bytes: r.shuffleReadBytes,
      shuffle_write_bytes: r.shuffleWriteBytes,
      memory_spilled_bytes: r.memorySpilledBytes,
      disk_spilled_bytes: r.diskSpilledBytes,
      peak_execution_memory_bytes: r.peakExecutionMemoryBytes,
      peak_jvm_heap_bytes: r.peakJvmHeapBytes,
      executor_core_time_ms: Math.round(r.executorCoreTimeMs),
      spark_properties: JSON.stringify(r.sparkProperties),
      main_resource: r.mainResource ?? null,
      job_signature: jobSignature(r),
      task_failures: JSON.stringify(r.taskFailures),
      source_path: source.path,
      source_size_bytes: source.sizeBytes,
      source_mtime_ms: Math.trunc(source.mtimeMs),
      malformed_lines: source.malformedLines,
      collected_at_ms: nowMs,
    };
    insertRow(this.db, 'applications', app);
    for (const s of r.stages) {
      insertRow(this.db, 'stages', {
        app_id: r.appId,
        attempt_id: attempt,
        stage_id: s.stageId,
        stage_attempt_id: s.attemptId,
        name: s.name,
        num_tasks: s.numTasks,
        parent_ids: JSON.stringify(s.parentIds),
        submission_time_ms: s.submissionTimeMs,
        completion_time_ms: s.completionTimeMs,
        failure_reason: s.failureReason,
        succeeded_tasks: s.succeededTasks,
        failed_tasks: s.failedTasks,
        task_duration_ms: s.taskDurationMs ? JSON.stringify(s.taskDurationMs) : null,
        skew_ratio: s.skewRatio,
        executor_run_time_ms: s.executorRunTimeMs,
        executor_cpu_time_ms: Math.round(s.executorCpuTimeMs),
        jvm_gc_time_ms: s.jvmGcTimeMs,
        input_bytes: s.inputBytes,
        output_bytes: s.outputBytes,
        shuffle_read_bytes: s.shuffleReadBytes,
        shuffle_write_bytes: s.shuffleWriteBytes,
        memory_spilled_bytes: s.memorySpilledBytes,
        disk_spilled_bytes: s.diskSpilledBytes,
        peak_execution_memory_bytes: s.peakExecutionMemoryBytes,
        task_durations_ms: s.taskDurationsMs === undefined ? null : encodeDurations(s.taskDurationsMs),
      });
    }
    for (const j of r.jobs ?? []) {
      insertRow(this.db, 'jobs', {
        app_id: r.appId,
        attempt_id: attempt,
        job_id: j.jobId,
        submission_time_ms: j.submissionTimeMs,
        completion_time_ms: j.completionTimeMs,
        stage_ids: JSON.stringify(j.stageIds),
        result: j.result,
        failure_reason: j.failureReason,
        sql_execution_id: j.sqlExecutionId,
      });
    }
    for (const e of r.executors) {
      insertRow(this.db, 'executors', {
        app_id: r.appId,
        attempt_id: attempt,
        executor_id: e.executorId,
        host: e.host,
        total_cores: e.totalCores,
        add_time_ms: e.addTimeMs,
        remove_time_ms: e.removeTimeMs,
        removed_reason: e.removedReason,
        peak_jvm_heap_bytes: e.peakJvmHeapBytes,
        task_time_ms: Math.round(e.taskTimeMs),
        is_driver: e.isDriver ? 1 : 0,
        max_memory_bytes: e.maxMemoryBytes ?? null,
        disk_spilled_bytes: e.diskSpilledBytes ?? null,
        memory_spilled_bytes: e.memorySpilledBytes ?? null,
      });
    }
  }

  /** The stored version of one attempt (`attemptId` null: the application without attempt ids), or null. */
  storedAttempt(appId: string, attemptId: string | null): StoredAttempt | null {
    const row = this.read(() => this.stmt('SELECT app_id, attempt_id, completed, source_path, source_mtime_ms FROM applications WHERE app_id = ? AND attempt_id = ?').get(appId, attemptKey(attemptId))) as Row | undefined;
    return row ? storedAttemptOf(row) : null;
  }

  /** The stored attempts of one application, oldest first (by start time). */
  attemptsOf(appId: string): StoredAttempt[] {
    const rows = this.read(() => this.stmt('SELECT app_id, attempt_id, completed, source_path, source_mtime_ms FROM applications WHERE app_id = ? ORDER BY start_time_ms, attempt_id').all(appId)) as Row[];
    return rows.map(storedAttemptOf);
  }

  /**
   * Attempts stored unfinished (`completed` = 0) whose source path starts with `sourcePrefix`, so a collector can re-check
   * them even when a listing filter (an end-time watermark) would hide them.
   * @param sourcePrefix e.g. a History Server's `http://host:18080/api/v1/applications/`.
   */
  incompleteAttempts(sourcePrefix: string): { appId: string; attemptId: string | null }[] {
    const rows = this.read(() => this.stmt('SELECT app_id, attempt_id, source_path FROM applications WHERE completed = 0').all()) as Row[];
    return rows.filter((r) => String(r.source_path).startsWith(sourcePrefix)).map((r) => ({ appId: String(r.app_id), attemptId: attemptOf(r.attempt_id) }));
  }

  /**
   * The watermark of one collection source (a History Server URL), or null before its first recorded run.
   * @param sourceUrl the History Server base URL without credentials.
   */
  collectionSource(sourceUrl: string): CollectionSourceState | null {
    const row = this.read(() => this.stmt('SELECT last_completed_end_time_ms, last_run_time_ms FROM collection_sources WHERE source_url = ?').get(sourceUrl)) as Row | undefined;
    if (!row) return null;
    return { sourceUrl, lastCompletedEndTimeMs: numOrNull(row.last_completed_end_time_ms), lastRunTimeMs: num(row.last_run_time_ms) };
  }

  /**
   * Records a finished collection run of `sourceUrl`: its time, and the new watermark when the run
   * established one (null keeps the stored watermark). The watermark never moves back.
   * @param completedEndTimeMs every completed attempt that ended before this (epoch ms) is stored.
   * @param runTimeMs when the run started, epoch ms.
   */
  recordCollectionRun(sourceUrl: string, completedEndTimeMs: number | null, runTimeMs: number): void {
    this.write(`recording the run of ${sourceUrl}`, () =>
      this.stmt(
        `INSERT INTO collection_sources (source_url, last_completed_end_time_ms, last_run_time_ms) VALUES (?, ?, ?)
         ON CONFLICT(source_url) DO UPDATE SET
           last_completed_end_time_ms = CASE
             WHEN excluded.last_completed_end_time_ms IS NULL THEN last_completed_end_time_ms
             WHEN last_completed_end_time_ms IS NULL THEN excluded.last_completed_end_time_ms
             ELSE max(last_completed_end_time_ms, excluded.last_completed_end_time_ms) END,
           last_run_time_ms = excluded.last_run_time_ms`,
      ).run(sourceUrl, completedEndTimeMs === null ? null : Math.trunc(completedEndTimeMs), Math.trunc(runTimeMs)),
    );
  }

  /**
   * When history was last collected, epoch ms: the newest application write or History Server run; null for an
   * empty store.
   */
  lastCollectedAtMs(): number | null {
    const row = this.read(() =>
      this.stmt('SELECT max(t) AS t FROM (SELECT max(collected_at_ms) AS t FROM applications UNION ALL SELECT max(last_run_time_ms) FROM collection_sources)').get(),
    ) as { t: number | null };
    return row.t ?? null;
  }

  /** Number of application attempts stored. */
  countApplications(): number {
    return (this.read(() => this.stmt('SELECT count(*) AS n FROM applications').get()) as { n: number }).n;
  }

  /** Application names with run counts, newest first. */
  listJobs(): StoredJob[] {
    const rows = this.read(() =>
      this.stmt('SELECT app_name, count(*) AS runs, max(start_time_ms) AS last_start, group_concat(duration_ms) AS durations FROM applications GROUP BY app_name ORDER BY last_start DESC').all(),
    ) as Row[];
    return rows.map((row) => {
      const durations = String(row.durations)
        .split(',')
        .map(Number)
        .sort((a, b) => a - b);
      return {
        appName: String(row.app_name),
        runs: Number(row.runs),
        lastStartTimeMs: Number(row.last_start),
        medianDurationMs: durations[Math.floor((durations.length - 1) / 2)],
      };
    });
  }

  /**
   * Workload totals of every application, without stages or executors (one query): what the similar-jobs index needs,
   * at a fraction of the cost of `allRuns` (test/bench/similar-jobs.ts measures both).
   */
  workloadTotals(): ApplicationTotals[] {
    const rows = this.read(() =>
      this.stmt(
        `SELECT a.app_name, a.input_bytes, a.shuffle_read_bytes, a.shuffle_write_bytes, a.output_bytes, a.total_tasks, a.total_stages,
                a.cpu_time_ms, a.executor_run_time_ms, a.disk_spilled_bytes, coalesce(s.n, 0) AS stage_rows, coalesce(s.shuffling, 0) AS shuffling
         FROM applications a LEFT JOIN (
           SELECT app_id, attempt_id, count(*) AS n, sum(shuffle_read_bytes > 0 OR shuffle_write_bytes > 0) AS shuffling FROM stages GROUP BY app_id, attempt_id
         ) s ON s.app_id = a.app_id AND s.attempt_id = a.attempt_id
         ORDER BY a.start_time_ms DESC`,
      )
        .raw()
        .all(),
    ) as unknown[][];
    return rows.map((r) => ({
      appName: String(r[0]),
      inputBytes: num(r[1]),
      shuffleReadBytes: num(r[2]),
      shuffleWriteBytes: num(r[3]),
      outputBytes: num(r[4]),
      totalTasks: num(r[5]),
      totalStages: num(r[6]),
      cpuTimeMs: num(r[7]),
      executorRunTimeMs: num(r[8]),
      diskSpilledBytes: num(r[9]),
      stageRows: num(r[10]),
      shufflingStages: num(r[11]),
    }));
  }

  /**
   * App names of the runs whose submitted file has this stem (`nightly_etl` for `…/nightly_etl.py`), most runs first.
   * Rows collected before schema 5 have no submitted file and never match.
   */
  appNamesBySubmittedFile(stem: string): string[] {
    const rows = this.read(() =>
      this.stmt("SELECT app_name, main_resource, count(*) AS n FROM applications WHERE main_resource IS NOT NULL AND main_resource LIKE ? GROUP BY app_name, main_resource ORDER BY n DESC").all(`%${stem}%`),
    ) as Row[];
    const out: string[] = [];
    for (const r of rows) if (resourceStem(String(r.main_resource)).toLowerCase() === stem.toLowerCase() && !out.includes(String(r.app_name))) out.push(String(r.app_name));
    return out;
  }

  /**
   * Names of the jobs with runs on this `spark.master` (the same cluster), most recently run first, at most `limit`.
   */
  appNamesByMaster(master: string, limit = 8): string[] {
    const rows = this.read(() => this.stmt('SELECT app_name, max(start_time_ms) AS last FROM applications WHERE master = ? GROUP BY app_name ORDER BY last DESC LIMIT ?').all(master, limit)) as Row[];
    return rows.map((r) => String(r.app_name));
  }

  /**
   * Full records of runs with the same stage-DAG signature as the newest run of `appName` but stored under other app
   * names (the job was renamed), newest first. Empty when `appName` has no signature (no stages, or collected before schema 5).
   */
  runsWithSameSignature(appName: string, limit = 50): ApplicationRecord[] {
    return this.read(() => {
      const sig = this.stmt('SELECT job_signature FROM applications WHERE app_name = ? AND job_signature IS NOT NULL ORDER BY start_time_ms DESC LIMIT 1').get(appName) as Row | undefined;
      if (!sig) return [];
      const apps = this.stmt(SAME_SIGNATURE_RUNS_SQL).all(sig.job_signature, appName, limit) as Row[];
      return apps.map((a) => this.toRecord(a));
    });
  }

  /** Distinct application names (for matching a file to its job). */
  appNames(): string[] {
    return (this.read(() => this.stmt('SELECT DISTINCT app_name FROM applications').all()) as Row[]).map((r) => String(r.app_name));
  }

  /**
   * Full records (with stages and executors) of every run whose `app_name` equals `appName`, newest first; each attempt
   * of an application is its own record (with `attemptId`).
   * @param limit at most this many runs (newest).
   */
  runsByAppName(appName: string, limit = 50): ApplicationRecord[] {
    return this.read(() => {
      const apps = this.stmt('SELECT * FROM applications WHERE app_name = ? ORDER BY start_time_ms DESC, attempt_id DESC LIMIT ?').all(appName, limit) as Row[];
      return apps.map((a) => this.toRecord(a));
    });
  }

  /**
   * Remembers an applied quick fix (table `applied_fixes`, migration 4).
   * @returns its id.
   */
  recordAppliedFix(fix: Omit<AppliedFix, 'id'>): number {
    const r = this.write('remembering an applied fix', () =>
      this.stmt('INSERT INTO applied_fixes (file_uri, app_name, setting_key, old_value, new_value, applied_at_ms) VALUES (?, ?, ?, ?, ?, ?)').run(
        fix.fileUri,
        fix.appName,
        fix.key,
        fix.oldValue,
        fix.newValue,
        Math.trunc(fix.appliedAtMs),
      ),
    );
    return Number(r.lastInsertRowid);
  }

  /** Applied fixes of a job (by app name), or of a file when `fileUri` is given too; oldest first. */
  appliedFixes(appName: string | null, fileUri?: string): AppliedFix[] {
    const rows = this.read(() =>
      this.stmt('SELECT * FROM applied_fixes WHERE (app_name = ?) OR (? IS NOT NULL AND file_uri = ?) ORDER BY applied_at_ms, id').all(appName, fileUri ?? null, fileUri ?? null),
    ) as Row[];
    return rows.map((r) => ({
      id: num(r.id),
      fileUri: String(r.file_uri),
      appName: strOrNull(r.app_name),
      key: String(r.setting_key),
      oldValue: strOrNull(r.old_value),
      newValue: String(r.new_value),
      appliedAtMs: num(r.applied_at_ms),
    }));
  }

  /** Stores feedback on a recommendation (table `recommendation_feedback`, migration 8). @returns its id. */
  recordFeedback(f: Omit<RecommendationFeedback, 'id'>): number {
    const r = this.write('storing feedback', () =>
      this.stmt(
        `INSERT INTO recommendation_feedback (verdict, app_name, setting_key, recommended_value, previous_value, reason, file_uri, applied_fix_id, token_id, received_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(f.verdict, f.appName, f.key, f.recommendedValue, f.previousValue, f.reason, f.fileUri, f.appliedFixId, f.tokenId, Math.trunc(f.receivedAtMs)),
    );
    return Number(r.lastInsertRowid);
  }

  /** Feedback on the recommendations of one job (by app name), oldest first. */
  feedbackOf(appName: string): RecommendationFeedback[] {
    const rows = this.read(() => this.stmt('SELECT * FROM recommendation_feedback WHERE app_name = ? ORDER BY received_at_ms, id').all(appName)) as Row[];
    return rows.map((r) => ({
      id: num(r.id),
      verdict: String(r.verdict) as FeedbackVerdict,
      appName: String(r.app_name),
      key: String(r.setting_key),
      recommendedValue: strOrNull(r.recommended_value),
      previousValue: strOrNull(r.previous_value),
      reason: strOrNull(r.reason),
      fileUri: strOrNull(r.file_uri),
      appliedFixId: r.applied_fix_id === null ? null : num(r.applied_fix_id),
      tokenId: r.token_id === null ? null : num(r.token_id),
      receivedAtMs: num(r.received_at_ms),
    }));
  }

  /**
   * Stores a service token by its SHA-256 (table `service_tokens`, migration 8).
   * @returns its id. @throws Error (SQLite UNIQUE constraint) when that hash is already stored.
   */
  createToken(t: Omit<ServiceToken, 'id' | 'revokedAtMs'>): number {
    const r = this.write('storing a token', () =>
      this.stmt('INSERT INTO service_tokens (name, scope, token_sha256, created_at_ms) VALUES (?, ?, ?, ?)').run(t.name, t.scope, t.tokenSha256, Math.trunc(t.createdAtMs)),
    );
    return Number(r.lastInsertRowid);
  }

  /** The token stored with this SHA-256 (lower-case hex), valid or revoked; null when none. */
  tokenBySha256(tokenSha256: string): ServiceToken | null {
    const row = this.read(() => this.stmt('SELECT * FROM service_tokens WHERE token_sha256 = ?').get(tokenSha256)) as Row | undefined;
    return row ? toToken(row) : null;
  }

  /** Revokes a valid token by id (sets `revoked_at_ms`). @returns false when no valid token has this id. */
  revokeToken(id: number, atMs: number): boolean {
    const r = this.write('revoking a token', () => this.stmt('UPDATE service_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(Math.trunc(atMs), id));
    return r.changes === 1;
  }

  /** Every stored token (hashes only), oldest first. */
  listTokens(): ServiceToken[] {
    return (this.read(() => this.stmt('SELECT * FROM service_tokens ORDER BY id').all()) as Row[]).map(toToken);
  }

  /**
   * The full record of one attempt: with `attemptId` (null = the application without attempt ids) that attempt, without
   * it the newest attempt of `appId` (latest start). Null when not stored.
   */
  runById(appId: string, attemptId?: string | null): ApplicationRecord | null {
    return this.read(() => {
      const row = (
        attemptId === undefined
          ? this.stmt('SELECT * FROM applications WHERE app_id = ? ORDER BY start_time_ms DESC, attempt_id DESC LIMIT 1').get(appId)
          : this.stmt('SELECT * FROM applications WHERE app_id = ? AND attempt_id = ?').get(appId, attemptKey(attemptId))
      ) as Row | undefined;
      return row ? this.toRecord(row) : null;
    });
  }

  /** All records, newest first (for the CLI and tests; not for the hover path). */
  allRuns(limit = 1000): ApplicationRecord[] {
    return this.read(() => (this.stmt('SELECT * FROM applications ORDER BY start_time_ms DESC, attempt_id DESC LIMIT ?').all(limit) as Row[]).map((a) => this.toRecord(a)));
  }

  /** A record from its `applications` row and its child rows; call inside {@link read} (one snapshot). */
  private toRecord(a: Row): ApplicationRecord {
    const appId = String(a.app_id);
    const attempt = strOrNull(a.attempt_id) ?? '';
    const stages = (this.stmt('SELECT * FROM stages WHERE app_id = ? AND attempt_id = ? ORDER BY stage_id, stage_attempt_id').all(appId, attempt) as Row[]).map(
      (s): StageRecord => withDurations(s, {
        stageId: num(s.stage_id),
        attemptId: num(s.stage_attempt_id),
        name: String(s.name),
        numTasks: num(s.num_tasks),
        parentIds: parseJson<number[]>(s.parent_ids, []),
        submissionTimeMs: numOrNull(s.submission_time_ms),
        completionTimeMs: numOrNull(s.completion_time_ms),
        failureReason: strOrNull(s.failure_reason),
        succeededTasks: num(s.succeeded_tasks),
        failedTasks: num(s.failed_tasks),
        taskDurationMs: s.task_duration_ms === null ? null : parseJson(s.task_duration_ms, null),
        skewRatio: numOrNull(s.skew_ratio),
        executorRunTimeMs: num(s.executor_run_time_ms),
        executorCpuTimeMs: num(s.executor_cpu_time_ms),
        jvmGcTimeMs: num(s.jvm_gc_time_ms),
        inputBytes: num(s.input_bytes),
        outputBytes: num(s.output_bytes),
        shuffleReadBytes: num(s.shuffle_read_bytes),
        shuffleWriteBytes: num(s.shuffle_write_bytes),
        memorySpilledBytes: num(s.memory_spilled_bytes),
        diskSpilledBytes: num(s.disk_spilled_bytes),
        peakExecutionMemoryBytes: num(s.peak_execution_memory_bytes),
      }),
    );
    const jobs = (this.stmt('SELECT * FROM jobs WHERE app_id = ? AND attempt_id = ? ORDER BY job_id').all(appId, attempt) as Row[]).map(
      (j): JobRecord => ({
        jobId: num(j.job_id),
        submissionTimeMs: numOrNull(j.submission_time_ms),
        completionTimeMs: numOrNull(j.completion_time_ms),
        stageIds: parseJson<number[]>(j.stage_ids, []),
        result: strOrNull(j.result),
        failureReason: strOrNull(j.failure_reason),
        sqlExecutionId: numOrNull(j.sql_execution_id),
      }),
    );
    const executors = (this.stmt('SELECT * FROM executors WHERE app_id = ? AND attempt_id = ?').all(appId, attempt) as Row[]).map(
      (e): ExecutorRecord => withSpill(e, {
        executorId: String(e.executor_id),
        host: String(e.host),
        totalCores: num(e.total_cores),
        addTimeMs: num(e.add_time_ms),
        removeTimeMs: numOrNull(e.remove_time_ms),
        removedReason: strOrNull(e.removed_reason),
        peakJvmHeapBytes: numOrNull(e.peak_jvm_heap_bytes),
        taskTimeMs: num(e.task_time_ms),
        isDriver: e.is_driver === 1,
        maxMemoryBytes: numOrNull(e.max_memory_bytes),
      }),
    );
    return {
      appId,
      attemptId: attemptOf(a.attempt_id),
      appName: String(a.app_name),
      user: strOrNull(a.user),
      sparkVersion: strOrNull(a.spark_version),
      master: strOrNull(a.master),
      submitTimeMs: numOrNull(a.submit_time_ms),
      startTimeMs: num(a.start_time_ms),
      endTimeMs: numOrNull(a.end_time_ms),
      durationMs: num(a.duration_ms),
      completed: a.completed === 1,
      ...(typeof a.incomplete_reason === 'string' ? { incompleteReason: a.incomplete_reason } : {}),
      exitCode: numOrNull(a.exit_code),
      executorCores: numOrNull(a.executor_cores),
      executorMemoryMiB: numOrNull(a.executor_memory_mib),
      memoryOverheadMiB: numOrNull(a.memory_overhead_mib),
      maxExecutors: num(a.max_executors),
      totalExecutorsAdded: num(a.total_executors_added),
      executorInstances: numOrNull(a.executor_instances),
      driverMemoryMiB: numOrNull(a.driver_memory_mib),
      driverCores: numOrNull(a.driver_cores),
      shufflePartitions: numOrNull(a.shuffle_partitions),
      dynamicAllocationEnabled: a.dynamic_allocation_enabled === 1,
      dynamicAllocationMinExecutors: numOrNull(a.dynamic_allocation_min_executors),
      dynamicAllocationMaxExecutors: numOrNull(a.dynamic_allocation_max_executors),
      ...(a.main_resource !== undefined ? { mainResource: strOrNull(a.main_resource) } : {}),
      sparkProperties: parseJson<Record<string, string>>(a.spark_properties, {}),
      totalTasks: num(a.total_tasks),
      failedTasks: num(a.failed_tasks),
      totalStages: num(a.total_stages),
      failedStages: num(a.failed_stages),
      totalJobs: num(a.total_jobs),
      failedJobs: num(a.failed_jobs),
      executorRunTimeMs: num(a.executor_run_time_ms),
      cpuTimeMs: num(a.cpu_time_ms),
      jvmGcTimeMs: num(a.jvm_gc_time_ms),
      inputBytes: num(a.input_bytes),
      outputBytes: num(a.output_bytes),
      shuffleReadBytes: num(a.shuffle_read_bytes),
      shuffleWriteBytes: num(a.shuffle_write_bytes),
      memorySpilledBytes: num(a.memory_spilled_bytes),
      diskSpilledBytes: num(a.disk_spilled_bytes),
      peakExecutionMemoryBytes: num(a.peak_execution_memory_bytes),
      peakJvmHeapBytes: numOrNull(a.peak_jvm_heap_bytes),
      executorCoreTimeMs: num(a.executor_core_time_ms),
      stages,
      executors,
      taskFailures: parseJson<TaskFailureGroup[]>(a.task_failures, []),
      jobs,
    };
  }
}

/**
 * Applies the pending migrations in one exclusive transaction. The schema version is read again after the lock is
 * taken, so when several processes open a new store at once one creates the schema and the others find it done.
 * Foreign keys are off while tables are rebuilt (SQLite's procedure for changing a table's shape) and checked before
 * the commit.
 * @throws Error when the file holds a newer schema than this version knows, or the foreign-key check fails.
 */
function migrate(db: Database.Database, file: string): void {
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  const newer = (v: number) =>
    new Error(`The history store ${file} has schema version ${v}, newer than this version of Spark Resource Optimizer understands (${latest}): update Spark Resource Optimizer`);
  const before = db.pragma('user_version', { simple: true }) as number;
  if (before > latest) throw newer(before);
  if (before === latest) return;
  db.pragma('foreign_keys = OFF');
  db.exec('BEGIN EXCLUSIVE');
  try {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) throw newer(current);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`migrating the history store ${file} left ${broken.length} row(s) without their application; nothing was changed`);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

function storedAttemptOf(row: Row): StoredAttempt {
  return { appId: String(row.app_id), attemptId: attemptOf(row.attempt_id), completed: row.completed === 1, sourcePath: String(row.source_path), sourceMtimeMs: num(row.source_mtime_ms) };
}

/** Inverse of `attemptKey`: '' (no attempt id) → null. */
function attemptOf(v: unknown): string | null {
  return strOrNull(v) || null;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function insertRow(db: Database.Database, table: string, row: Row): void {
  const cols = Object.keys(row);
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`;
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map<string, Database.Statement>()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  stmt.run(row);
}

/**
 * Task durations (ms, integers as the event log writes them) as a BLOB of little-endian Int32 (4 bytes per task;
 * a stage of 100,000 tasks takes 400 kB, a quarter of JSON text). Values are rounded and clamped to [0, 2^31 − 1] ms
 * (24.8 days).
 */
export function encodeDurations(durations: readonly number[]): Buffer {
  const b = Buffer.alloc(durations.length * 4);
  for (let i = 0; i < durations.length; i++) b.writeInt32LE(Math.min(0x7fffffff, Math.max(0, Math.round(durations[i]))), i * 4);
  return b;
}

/** Inverse of {@link encodeDurations}. @throws RangeError when the BLOB length is not a multiple of 4. */
export function decodeDurations(b: Uint8Array): number[] {
  if (b.length % 4 !== 0) throw new RangeError(`task_durations_ms BLOB of ${b.length} bytes is not a whole number of Int32 values`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Array<number>(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** Adds `taskDurationsMs` from the row's BLOB to a stage (absent when the column is NULL: REST records, stores before v3). */
function withDurations(row: Row, stage: StageRecord): StageRecord {
  const blob = row.task_durations_ms;
  if (blob instanceof Uint8Array) stage.taskDurationsMs = decodeDurations(blob);
  return stage;
}

/** Adds per-executor spill from the row (absent when NULL: REST records, stores before v4). */
function withSpill(row: Row, e: ExecutorRecord): ExecutorRecord {
  if (row.disk_spilled_bytes !== null && row.disk_spilled_bytes !== undefined) e.diskSpilledBytes = num(row.disk_spilled_bytes);
  if (row.memory_spilled_bytes !== null && row.memory_spilled_bytes !== undefined) e.memorySpilledBytes = num(row.memory_spilled_bytes);
  return e;
}

/**
 * A number column read back. Rows written before validation bounded every figure (schema < 7) may hold values no run
 * can produce; a value that is not finite or beyond ±(2^53 − 1) reads as 0 rather than reaching a report.
 */
function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : 0;
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

/** A TEXT (or numeric) column's value as a string; null for NULL and for a BLOB (no column read this way holds one). */
function strOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null;
}

function parseJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

function toToken(r: Row): ServiceToken {
  return {
    id: num(r.id),
    name: String(r.name),
    scope: String(r.scope) as TokenScope,
    tokenSha256: String(r.token_sha256),
    createdAtMs: num(r.created_at_ms),
    revokedAtMs: r.revoked_at_ms === null ? null : num(r.revoked_at_ms),
  };
}
