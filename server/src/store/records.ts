/**
 * The store's rows ⇄ application records, one mapping for every store implementation (SQLite in history-store.ts,
 * PostgreSQL in postgres-store.ts): which column holds which field, how lists and maps are encoded (JSON text, task
 * durations as Int32 BLOBs), how values read back are bounded, and the rule that decides what an upsert does. Pure
 * functions: no database here.
 */
import type { ApplicationRecord, ExecutorRecord, JobRecord, StageRecord, TaskFailureGroup } from '../history/application-record';
import type { RecordSource, StoredAttempt, UpsertOutcome } from '../history/ingest';
import { jobSignature } from '../history/job-signature';
import type { AppliedFix } from '../recommend/feedback';
import type { FeedbackVerdict, RecommendationFeedback, ServiceToken, TokenScope } from '../service/service-store';

/** A row as a driver gives or takes it: column name → value. */
export type Row = Record<string, unknown>;

/** The `attempt_id` column: Spark's `App Attempt ID`, or '' for an application without attempts (part of the key). */
export function attemptKey(attemptId: string | null): string {
  return attemptId ?? '';
}

/** The rows of one attempt, as the tables `applications`, `stages`, `jobs` and `executors` hold them. */
export interface RecordRows {
  application: Row;
  stages: Row[];
  jobs: Row[];
  executors: Row[];
}

/**
 * The rows that store one attempt: its `applications` row (with the source version and `collected_at_ms` = `nowMs`)
 * and its stage, job and executor rows. Times Spark writes as fractions (CPU ns → ms, executor core time) are rounded
 * to whole ms.
 */
export function recordRows(r: ApplicationRecord, source: RecordSource, nowMs: number): RecordRows {
  const attempt = attemptKey(r.attemptId);
  const application: Row = {
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
  const stages: Row[] = [];
  const jobs: Row[] = [];
  const executors: Row[] = [];
  for (const s of r.stages) {
    stages.push({
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
    jobs.push({
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
    executors.push({
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
  return { application, stages, jobs, executors };
}

/** The columns of an `applications` row an upsert compares (`completed`, source version, `total_tasks`, `duration_ms`). */
export const UPSERT_COMPARED_COLUMNS = 'completed, source_path, source_size_bytes, source_mtime_ms, total_tasks, duration_ms';

/**
 * What an upsert does with `record` read from `source`, given the stored row of that attempt (its
 * {@link UPSERT_COMPARED_COLUMNS}; undefined when not stored). The rules (history/ingest.ts `HistorySink`):
 * - not stored: `inserted`;
 * - stored from this very source version: `unchanged`;
 * - stored completed and this version is not: kept (`unchanged` from the same path, else `duplicate`);
 * - from the same path (the log grew or finished): `updated`;
 * - from another path (a copy of the log): `updated` when this one is more complete (finished where the stored one is
 *   not, or, both unfinished, more tasks or a longer span), else `duplicate`.
 */
export function upsertOutcome(old: Row | undefined, record: ApplicationRecord, source: RecordSource): UpsertOutcome {
  if (!old) return 'inserted';
  const samePath = old.source_path === source.path;
  const oldCompleted = num(old.completed) === 1;
  if (samePath && num(old.source_size_bytes) === source.sizeBytes && num(old.source_mtime_ms) === Math.trunc(source.mtimeMs)) return 'unchanged';
  if (oldCompleted && !record.completed) return samePath ? 'unchanged' : 'duplicate';
  if (samePath) return 'updated';
  const moreComplete =
    (record.completed && !oldCompleted) ||
    (!record.completed && !oldCompleted && (record.totalTasks > num(old.total_tasks) || (record.totalTasks === num(old.total_tasks) && record.durationMs > num(old.duration_ms))));
  return moreComplete ? 'updated' : 'duplicate';
}

/**
 * A record from its `applications` row and its child rows (stages ordered by stage and attempt id, jobs by job id, as the
 * stores read them).
 */
export function recordOf(a: Row, stageRows: Row[], jobRows: Row[], executorRows: Row[]): ApplicationRecord {
  const appId = String(a.app_id);
  const stages = stageRows.map(
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
  const jobs = jobRows.map(
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
  const executors = executorRows.map(
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
    ...(a.incomplete_reason !== null && a.incomplete_reason !== undefined ? { incompleteReason: String(a.incomplete_reason) } : {}),
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

/**
 * The lower median of a job's durations (the middle value, or the lower of the two middle ones), as the job list shows
 * it (`StoredJob.medianDurationMs`).
 */
export function lowerMedian(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** An `applied_fixes` row (migration 4) as an {@link AppliedFix}. */
export function appliedFixOf(r: Row): AppliedFix {
  return {
    id: num(r.id),
    fileUri: String(r.file_uri),
    appName: strOrNull(r.app_name),
    key: String(r.setting_key),
    oldValue: strOrNull(r.old_value),
    newValue: String(r.new_value),
    appliedAtMs: num(r.applied_at_ms),
  };
}

/** A `recommendation_feedback` row (migration 8) as {@link RecommendationFeedback}. */
export function feedbackOf(r: Row): RecommendationFeedback {
  return {
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
  };
}

/** A row of `applications` (app_id, attempt_id, completed, source_path, source_mtime_ms) as a {@link StoredAttempt}. */
export function storedAttemptOf(row: Row): StoredAttempt {
  return { appId: String(row.app_id), attemptId: attemptOf(row.attempt_id), completed: row.completed === 1, sourcePath: String(row.source_path), sourceMtimeMs: num(row.source_mtime_ms) };
}

/** Inverse of `attemptKey`: '' (no attempt id) → null. */
export function attemptOf(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : String(v);
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
export function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : 0;
}

/** A nullable number column read back (see {@link num}). */
export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

/** A nullable text column read back. */
export function strOrNull(v: unknown): string | null {
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

/** A `service_tokens` row (migration 8) as a {@link ServiceToken}. */
export function toToken(r: Row): ServiceToken {
  return {
    id: num(r.id),
    name: String(r.name),
    scope: String(r.scope) as TokenScope,
    tokenSha256: String(r.token_sha256),
    createdAtMs: num(r.created_at_ms),
    revokedAtMs: r.revoked_at_ms === null ? null : num(r.revoked_at_ms),
  };
}
