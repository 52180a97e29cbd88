import * as fs from 'fs';
import * as path from 'path';
import Database from 'better-sqlite3';
import type { ApplicationRecord, ExecutorRecord, JobRecord, StageRecord, TaskFailureGroup } from '../history/application-record';
import { jobSignature, resourceStem } from '../history/job-signature';
import type { AppliedFix } from '../recommend/feedback';
import { MIGRATIONS } from './migrations';

/**
 * Workload totals of one application (columns of `applications`, plus counts over its `stages` rows), as
 * `workloadTotals` returns them; field meanings as in ApplicationRecord.
 */
export interface ApplicationTotals {
  appName: string;
  inputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  outputBytes: number;
  totalTasks: number;
  totalStages: number;
  cpuTimeMs: number;
  executorRunTimeMs: number;
  diskSpilledBytes: number;
  /** Stage rows stored for it. */
  stageRows: number;
  /** Of those, stages that read or wrote shuffle data. */
  shufflingStages: number;
}

/** Where a record was read from; used to skip unchanged logs on the next collection. */
export interface RecordSource {
  /** Path of the event-log file or rolling directory. */
  path: string;
  /** Size in bytes (sum of the files for a rolling directory). */
  sizeBytes: number;
  /** Newest modification time of the file(s), epoch ms. */
  mtimeMs: number;
  /** Lines the reader skipped as malformed. */
  malformedLines: number;
}

/** What `upsert` did with a record. */
export type UpsertOutcome = 'inserted' | 'updated' | 'unchanged' | 'skipped-older-attempt';

/** One row of `jobs`: an application name and its runs in the store. */
export interface JobSummary {
  appName: string;
  runs: number;
  /** Start of the newest run, epoch ms. */
  lastStartTimeMs: number;
  /** Median `duration_ms` of its runs. */
  medianDurationMs: number;
}

/** The attempt of an application the store holds (see `storedAttempt`). */
export interface StoredAttempt {
  attemptId: string | null;
  completed: boolean;
  /** Where it was read from: an event-log path or a History Server `/logs` URL. */
  sourcePath: string;
  /** Modification time of that source, epoch ms (a History Server attempt's `lastUpdated`). */
  sourceMtimeMs: number;
}

/** Watermark of one collection source (table `collection_sources`, migration 2). */
export interface CollectionSourceState {
  /** History Server base URL without credentials. */
  sourceUrl: string;
  /** Every completed attempt that ended before this instant (epoch ms) is in the store; null when unknown. */
  lastCompletedEndTimeMs: number | null;
  /** Start of the last recorded run, epoch ms. */
  lastRunTimeMs: number;
}

type Row = Record<string, unknown>;

/**
 * The local SQLite store of application records (better-sqlite3, WAL mode).
 *
 * One row per application id (`applications.app_id`): a newer attempt, or the finished version of an
 * in-progress log, replaces the older row; re-reading the same log (same path, size and mtime) changes
 * nothing. Each application is written in one transaction, so a killed process leaves either the old
 * or the new record, never half of one.
 */
export class HistoryStore {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the store at `file` and applies pending migrations.
   * @param file path of the SQLite file; its folder is created. `:memory:` for a throwaway store.
   * @throws Error when the file is not a SQLite database or was written by a newer version of this tool.
   */
  static open(file: string): HistoryStore {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const current = db.pragma('user_version', { simple: true }) as number;
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    if (current > latest) {
      db.close();
      throw new Error(
        `The history store ${file} has schema version ${current}, newer than this version of Spark Resource Optimizer understands (${latest}). Update the extension or use another --db file.`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      })();
    }
    return new HistoryStore(db);
  }

  /** Schema version (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /**
   * True when the store already holds a record read from exactly this source (path, size, mtime),
   * so a collection can skip reading it.
   */
  hasSource(source: Pick<RecordSource, 'path' | 'sizeBytes' | 'mtimeMs'>): boolean {
    const row = this.db
      .prepare('SELECT 1 FROM applications WHERE source_path = ? AND source_size_bytes = ? AND source_mtime_ms = ?')
      .get(source.path, source.sizeBytes, Math.trunc(source.mtimeMs));
    return row !== undefined;
  }

  /**
   * Inserts or replaces one application record, with its stages and executors, in one transaction.
   * Replacement rules: an older attempt never replaces a newer one; the same attempt is replaced only
   * when its source changed (size/mtime/path) or the stored one was incomplete.
   */
  upsert(record: ApplicationRecord, source: RecordSource, nowMs = Date.now()): UpsertOutcome {
    return this.db.transaction((): UpsertOutcome => {
      const old = this.db
        .prepare('SELECT attempt_id, completed, source_path, source_size_bytes, source_mtime_ms FROM applications WHERE app_id = ?')
        .get(record.appId) as Row | undefined;
      if (old) {
        const cmp = compareAttempts(record.attemptId, (old.attempt_id as string | null) ?? null);
        if (cmp < 0) return 'skipped-older-attempt';
        if (
          cmp === 0 &&
          old.source_path === source.path &&
          old.source_size_bytes === source.sizeBytes &&
          old.source_mtime_ms === Math.trunc(source.mtimeMs)
        ) {
          return 'unchanged';
        }
        if (cmp === 0 && old.completed === 1 && !record.completed) return 'unchanged';
        this.db.prepare('DELETE FROM applications WHERE app_id = ?').run(record.appId);
      }
      this.insert(record, source, nowMs);
      return old ? 'updated' : 'inserted';
    })();
  }

  private insert(r: ApplicationRecord, source: RecordSource, nowMs: number): void {
    const app: Row = {
      app_id: r.appId,
      attempt_id: r.attemptId,
      app_name: r.appName,
      user: r.user,
      spark_version: r.sparkVersion,
      master: r.master,
      submit_time_ms: r.submitTimeMs,
      start_time_ms: r.startTimeMs,
      end_time_ms: r.endTimeMs,
      duration_ms: r.durationMs,
      completed: r.completed ? 1 : 0,
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

  /**
   * The attempt stored for `appId` (the store keeps one attempt per application: the newest), so a
   * collector can skip downloading what it already has.
   * @returns null when the application is not stored.
   */
  storedAttempt(appId: string): StoredAttempt | null {
    const row = this.db.prepare('SELECT attempt_id, completed, source_path, source_mtime_ms FROM applications WHERE app_id = ?').get(appId) as Row | undefined;
    if (!row) return null;
    return { attemptId: strOrNull(row.attempt_id), completed: row.completed === 1, sourcePath: String(row.source_path), sourceMtimeMs: num(row.source_mtime_ms) };
  }

  /**
   * Applications stored unfinished (`completed` = 0) whose source path starts with `sourcePrefix`, so a
   * collector can re-check them even when a listing filter (an end-time watermark) would hide them.
   * @param sourcePrefix e.g. a History Server's `http://host:18080/api/v1/applications/`.
   */
  incompleteApplicationIds(sourcePrefix: string): string[] {
    const rows = this.db.prepare('SELECT app_id, source_path FROM applications WHERE completed = 0').all() as Row[];
    return rows.filter((r) => String(r.source_path).startsWith(sourcePrefix)).map((r) => String(r.app_id));
  }

  /**
   * The watermark of one collection source (a History Server URL), or null before its first recorded run.
   * @param sourceUrl the History Server base URL without credentials.
   */
  collectionSource(sourceUrl: string): CollectionSourceState | null {
    const row = this.db
      .prepare('SELECT last_completed_end_time_ms, last_run_time_ms FROM collection_sources WHERE source_url = ?')
      .get(sourceUrl) as Row | undefined;
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
    this.db
      .prepare(
        `INSERT INTO collection_sources (source_url, last_completed_end_time_ms, last_run_time_ms) VALUES (?, ?, ?)
         ON CONFLICT(source_url) DO UPDATE SET
           last_completed_end_time_ms = CASE
             WHEN excluded.last_completed_end_time_ms IS NULL THEN last_completed_end_time_ms
             WHEN last_completed_end_time_ms IS NULL THEN excluded.last_completed_end_time_ms
             ELSE max(last_completed_end_time_ms, excluded.last_completed_end_time_ms) END,
           last_run_time_ms = excluded.last_run_time_ms`,
      )
      .run(sourceUrl, completedEndTimeMs === null ? null : Math.trunc(completedEndTimeMs), Math.trunc(runTimeMs));
  }

  /**
   * When history was last collected, epoch ms: the newest application write or History Server run; null for an
   * empty store.
   */
  lastCollectedAtMs(): number | null {
    const row = this.db
      .prepare('SELECT max(t) AS t FROM (SELECT max(collected_at_ms) AS t FROM applications UNION ALL SELECT max(last_run_time_ms) FROM collection_sources)')
      .get() as { t: number | null };
    return row.t ?? null;
  }

  /** Number of applications stored. */
  countApplications(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM applications').get() as { n: number }).n;
  }

  /** Application names with run counts, newest first. */
  listJobs(): JobSummary[] {
    const rows = this.db
      .prepare(
        'SELECT app_name, count(*) AS runs, max(start_time_ms) AS last_start, group_concat(duration_ms) AS durations FROM applications GROUP BY app_name ORDER BY last_start DESC',
      )
      .all() as Row[];
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
    const rows = this.db
      .prepare(
        `SELECT a.app_name, a.input_bytes, a.shuffle_read_bytes, a.shuffle_write_bytes, a.output_bytes, a.total_tasks, a.total_stages,
                a.cpu_time_ms, a.executor_run_time_ms, a.disk_spilled_bytes, coalesce(s.n, 0) AS stage_rows, coalesce(s.shuffling, 0) AS shuffling
         FROM applications a LEFT JOIN (
           SELECT app_id, count(*) AS n, sum(shuffle_read_bytes > 0 OR shuffle_write_bytes > 0) AS shuffling FROM stages GROUP BY app_id
         ) s ON s.app_id = a.app_id
         ORDER BY a.start_time_ms DESC`,
      )
      .raw()
      .all() as unknown[][];
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
    const rows = this.db.prepare("SELECT app_name, main_resource, count(*) AS n FROM applications WHERE main_resource IS NOT NULL AND main_resource LIKE ? GROUP BY app_name, main_resource ORDER BY n DESC").all(`%${stem}%`) as Row[];
    const out: string[] = [];
    for (const r of rows) if (resourceStem(String(r.main_resource)).toLowerCase() === stem.toLowerCase() && !out.includes(String(r.app_name))) out.push(String(r.app_name));
    return out;
  }

  /**
   * Full records of runs with the same stage-DAG signature as the newest run of `appName` but stored under other app
   * names (the job was renamed), newest first. Empty when `appName` has no signature (no stages, or collected before schema 5).
   */
  runsWithSameSignature(appName: string, limit = 50): ApplicationRecord[] {
    const sig = this.db.prepare('SELECT job_signature FROM applications WHERE app_name = ? AND job_signature IS NOT NULL ORDER BY start_time_ms DESC LIMIT 1').get(appName) as Row | undefined;
    if (!sig) return [];
    const apps = this.db.prepare('SELECT * FROM applications WHERE job_signature = ? AND app_name <> ? ORDER BY start_time_ms DESC LIMIT ?').all(sig.job_signature, appName, limit) as Row[];
    return apps.map((a) => this.toRecord(a));
  }

  /** Distinct application names (for matching a file to its job). */
  appNames(): string[] {
    return (this.db.prepare('SELECT DISTINCT app_name FROM applications').all() as Row[]).map((r) => String(r.app_name));
  }

  /**
   * Full records (with stages and executors) of every run whose `app_name` equals `appName`, newest first.
   * @param limit at most this many runs (newest).
   */
  runsByAppName(appName: string, limit = 50): ApplicationRecord[] {
    const apps = this.db
      .prepare('SELECT * FROM applications WHERE app_name = ? ORDER BY start_time_ms DESC LIMIT ?')
      .all(appName, limit) as Row[];
    return apps.map((a) => this.toRecord(a));
  }

  /**
   * Remembers an applied quick fix (table `applied_fixes`, migration 4).
   * @returns its id.
   */
  recordAppliedFix(fix: Omit<AppliedFix, 'id'>): number {
    const r = this.db
      .prepare('INSERT INTO applied_fixes (file_uri, app_name, setting_key, old_value, new_value, applied_at_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(fix.fileUri, fix.appName, fix.key, fix.oldValue, fix.newValue, Math.trunc(fix.appliedAtMs));
    return Number(r.lastInsertRowid);
  }

  /** Applied fixes of a job (by app name), or of a file when `fileUri` is given too; oldest first. */
  appliedFixes(appName: string | null, fileUri?: string): AppliedFix[] {
    const rows = this.db
      .prepare('SELECT * FROM applied_fixes WHERE (app_name = ?) OR (? IS NOT NULL AND file_uri = ?) ORDER BY applied_at_ms, id')
      .all(appName, fileUri ?? null, fileUri ?? null) as Row[];
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

  /** The full record of one application, or null when it is not stored. */
  runById(appId: string): ApplicationRecord | null {
    const row = this.db.prepare('SELECT * FROM applications WHERE app_id = ?').get(appId) as Row | undefined;
    return row ? this.toRecord(row) : null;
  }

  /** All records, newest first (for the CLI and tests; not for the hover path). */
  allRuns(limit = 1000): ApplicationRecord[] {
    const apps = this.db.prepare('SELECT * FROM applications ORDER BY start_time_ms DESC LIMIT ?').all(limit) as Row[];
    return apps.map((a) => this.toRecord(a));
  }

  private toRecord(a: Row): ApplicationRecord {
    const appId = String(a.app_id);
    const stages = (this.db.prepare('SELECT * FROM stages WHERE app_id = ? ORDER BY stage_id, stage_attempt_id').all(appId) as Row[]).map(
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
    const jobs = (this.db.prepare('SELECT * FROM jobs WHERE app_id = ? ORDER BY job_id').all(appId) as Row[]).map(
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
    const executors = (this.db.prepare('SELECT * FROM executors WHERE app_id = ?').all(appId) as Row[]).map(
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
      attemptId: strOrNull(a.attempt_id),
      appName: String(a.app_name),
      user: strOrNull(a.user),
      sparkVersion: strOrNull(a.spark_version),
      master: strOrNull(a.master),
      submitTimeMs: numOrNull(a.submit_time_ms),
      startTimeMs: num(a.start_time_ms),
      endTimeMs: numOrNull(a.end_time_ms),
      durationMs: num(a.duration_ms),
      completed: a.completed === 1,
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
 * Orders attempt ids: numeric ids numerically (`"10"` after `"9"`), else as strings; null (no attempt) first.
 * @returns negative when a is older than b, 0 when equal, positive when newer.
 */
export function compareAttempts(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : 1;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function insertRow(db: Database.Database, table: string, row: Row): void {
  const cols = Object.keys(row);
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`;
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
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

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function parseJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}
