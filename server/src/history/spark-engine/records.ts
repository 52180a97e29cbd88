/**
 * Rows of the Spark SQL fold (fold-sql.ts `foldQuery`) → what the event-log reader gives for the same log: the record,
 * built by the fold's own `applicationRecord` from the aggregates Spark computed, and the read statistics. What Spark
 * aggregated is checked here (zod) before use, as every outside payload is.
 */
import { z } from 'zod';
import type { DecodeError, JobRecord, ReadStats, TaskFailureGroup } from '../application-record';
import type { EventLogSource } from '../event-log/discover';
import {
  addTaskFailure,
  applicationRecord,
  foldWarnings,
  inLaunchOrder,
  isDriverId,
  MetricSums,
  sparkSubmitPrimaryResource,
  TASK_METRICS,
  withLateTask,
  type FoldedApplication,
  type FoldedStage,
} from '../event-log/fold';
import { durationQuantiles } from '../event-log/quantiles';
import { incompleteReason, JSON_FAILURE_RUN, jsonFailure, noApplicationStart } from '../event-log/reader';
import type { ReadOutcome } from '../ingest';

const count = z.number().int().nonnegative();
const time = z.number().nullable();
const sums = z.array(z.string()).length(TASK_METRICS.length);

const StageRowSchema = z.object({
  stage_id: count,
  attempt: count,
  orphan: z.boolean(),
  name: z.string(),
  num_tasks: count,
  parent_ids: z.array(count),
  submitted: time,
  completed: time,
  failure: z.string().nullable(),
  succeeded: count,
  failed: count,
  sums,
  early_launches: z.array(z.number()),
  early_durations: z.array(z.number()),
  late_durations: z.array(z.number()),
});

const ExecutorRowSchema = z.object({
  exec_id: z.string(),
  add_time: z.number(),
  removed: z.object({ at: time, why: z.string().nullable() }).nullable(),
  ea_host: z.string().nullable(),
  bm_host: z.string().nullable(),
  total_cores: count,
  max_memory: z.number().nullable(),
  peak_heap: z.number().nullable(),
  sums: sums.nullable(),
});

const FailureRowSchema = z.object({
  reason: z.string(),
  end_reason: z.record(z.string(), z.string().nullable()).nullable(),
  n: count,
});

const JobRowSchema = z.object({
  job_id: count,
  submitted: time,
  stage_ids: z.array(count),
  sql_id: z.number().nullable(),
  completed: time,
  result: z.string().nullable(),
  failure: z.string().nullable(),
});

/** One row of the fold query: one log (see fold-sql.ts for what each column is). */
export const FoldRowSchema = z.object({
  log_id: count,
  lines: count,
  malformed: count,
  files: z.array(z.object({ file_seq: count, nonblank: count, bad_lines: count })).nullable(),
  app_id: z.string().nullable(),
  attempt_id: z.string().nullable(),
  app_name: z.string().nullable(),
  user: z.string().nullable(),
  start_ts: time,
  saw_start: z.boolean(),
  first_ts: time,
  last_ts: time,
  spark_version: z.string().nullable(),
  dbc_spark_version: z.string().nullable(),
  end_ts: time,
  exit_code: z.number().nullable(),
  java_command: z.string().nullable(),
  total_jobs: count.nullable(),
  failed_jobs: count.nullable(),
  executors_added: count.nullable(),
  max_executors: count,
  properties: z.array(z.object({ key: z.string(), value: z.string() })).nullable(),
  total_tasks: count.nullable(),
  failed_tasks: count.nullable(),
  sums: sums.nullable(),
  stages: z.array(StageRowSchema).nullable(),
  executors: z.array(ExecutorRowSchema).nullable(),
  failures: z.array(FailureRowSchema).nullable(),
  jobs: z.array(JobRowSchema).nullable(),
});

/** One row of the fold query. */
export type FoldRow = z.infer<typeof FoldRowSchema>;

/** The longest run of malformed lines of one file (fold-sql.ts `malformedRunsQuery`). */
export interface MalformedRun {
  length: number;
  /** 1-based line of the file where it starts. */
  startLine: number;
}

const ZERO_SUMS = TASK_METRICS.map(() => '0');

function foldedStage(s: z.infer<typeof StageRowSchema>): FoldedStage {
  let taskDurationsMs: number[] = [];
  let quantiles = null;
  if (s.early_durations.length > 0) {
    taskDurationsMs = inLaunchOrder(s.early_durations, s.early_launches);
    quantiles = durationQuantiles(Float64Array.from(s.early_durations).sort());
  }
  for (const d of s.late_durations) {
    taskDurationsMs.push(d);
    quantiles = withLateTask(quantiles, d);
  }
  return {
    stageId: s.stage_id,
    attemptId: s.attempt,
    name: s.name,
    numTasks: s.num_tasks,
    parentIds: s.parent_ids,
    submissionTimeMs: s.submitted,
    completionTimeMs: s.completed,
    failureReason: s.failure,
    succeededTasks: s.succeeded,
    failedTasks: s.failed,
    sums: MetricSums.fromExact(s.sums),
    taskDurationsMs,
    quantiles,
    durationCount: s.early_durations.length + s.late_durations.length,
  };
}

function foldedExecutor(x: z.infer<typeof ExecutorRowSchema>): FoldedApplication['executors'][number] {
  const sums = MetricSums.fromExact(x.sums ?? ZERO_SUMS);
  const ex: FoldedApplication['executors'][number] = {
    executorId: x.exec_id,
    host: x.ea_host !== null && x.ea_host !== '' ? x.ea_host : (x.bm_host ?? ''),
    totalCores: x.total_cores,
    addTimeMs: x.add_time,
    removeTimeMs: x.removed?.at ?? null,
    removedReason: x.removed?.why ?? null,
    peakJvmHeapMemoryBytes: x.peak_heap,
    executorRunTimeMs: 0,
    isDriver: isDriverId(x.exec_id),
    maxMemoryBytes: x.max_memory,
    diskBytesSpilled: 0,
    memoryBytesSpilled: 0,
  };
  TASK_METRICS.forEach((m, i) => {
    if (m.executorField !== null) ex[m.executorField] = sums.value(i);
  });
  return ex;
}

/**
 * The application the fold query folded from one log (the input of fold.ts `applicationRecord`).
 * @param row a row of the fold query (checked).
 */
export function foldedApplication(row: FoldRow): FoldedApplication {
  const stages = (row.stages ?? []).map(foldedStage);
  const failures = new Map<string, TaskFailureGroup>();
  for (const g of row.failures ?? []) {
    const obj =
      g.end_reason === null ? null : Object.fromEntries(Object.entries(g.end_reason).filter(([, v]) => v !== null));
    addTaskFailure(failures, g.reason, obj, g.n);
  }
  const jobs: JobRecord[] = (row.jobs ?? []).map((j) => ({
    jobId: j.job_id,
    submissionTimeMs: j.submitted,
    completionTimeMs: j.completed,
    stageIds: j.stage_ids,
    result: j.result,
    failureReason: j.failure,
    sqlExecutionId: j.sql_id,
  }));
  return {
    appId: row.app_id,
    attemptId: row.attempt_id,
    appName: row.app_name ?? '',
    user: row.user,
    sparkVersion: row.spark_version,
    dbcSparkVersion: row.dbc_spark_version,
    sawStart: row.saw_start,
    startTimeMs: row.start_ts,
    firstTimestampMs: row.first_ts,
    lastTimestampMs: row.last_ts ?? 0,
    endTimeMs: row.end_ts,
    exitCode: row.exit_code,
    properties: new Map((row.properties ?? []).map((p) => [p.key, p.value])),
    mainResource: row.java_command !== null ? sparkSubmitPrimaryResource(row.java_command) : null,
    maxExecutors: row.max_executors,
    totalExecutorsAdded: row.executors_added ?? 0,
    totalTasks: row.total_tasks ?? 0,
    failedTasks: row.failed_tasks ?? 0,
    failedStages: stages.filter((s) => s.failureReason !== null).length,
    totalJobs: row.total_jobs ?? 0,
    failedJobs: row.failed_jobs ?? 0,
    sums: MetricSums.fromExact(row.sums ?? ZERO_SUMS),
    stages,
    executors: (row.executors ?? []).map(foldedExecutor),
    failures: [...failures.values()],
    jobs,
  };
}

/** The files of a row whose malformed lines are enough for a run of {@link JSON_FAILURE_RUN} (then their runs are needed). */
export function filesNeedingRuns(row: FoldRow): number[] {
  return (row.files ?? []).filter((f) => f.bad_lines >= JSON_FAILURE_RUN).map((f) => f.file_seq);
}

/**
 * What reading one log gives (event-log/reader.ts `readEventLog`'s result), from the fold query's row of that log.
 * @param source the log as discovery found it.
 * @param row its row, or null when Spark read no line of it (an empty log).
 * @param runs the longest malformed runs of its files by file index (for the files of {@link filesNeedingRuns}).
 */
export function readOutcomeOf(
  source: EventLogSource,
  row: FoldRow | null,
  runs: ReadonlyMap<number, MalformedRun> = new Map(),
): ReadOutcome {
  const decodeErrors: DecodeError[] = [];
  for (const f of row?.files ?? []) {
    const run = runs.get(f.file_seq) ?? { length: 0, startLine: 0 };
    const failure = jsonFailure(source.files[f.file_seq], f.nonblank, f.bad_lines, run.length, run.startLine);
    if (failure) decodeErrors.push(failure);
  }
  const malformed = row?.malformed ?? 0;
  const folded = row !== null ? foldedApplication(row) : null;
  const stats: ReadStats = {
    lines: row?.lines ?? 0,
    malformedLines: malformed,
    malformedLineNumbers: [],
    ignoredEvents: 0,
    bytes: 0,
    files: source.files,
    warnings: [
      ...source.warnings,
      ...(malformed > 0 ? [`${malformed} malformed line(s) skipped`] : []),
      ...foldWarnings(
        (row?.stages ?? []).filter((s) => s.orphan).length,
        (row?.stages ?? []).reduce((n, s) => n + s.late_durations.length, 0),
      ),
    ],
    decodeErrors,
    corrections: [],
  };
  if (folded === null || !folded.sawStart) {
    stats.warnings.unshift(noApplicationStart(source.path, stats.lines));
    return { record: null, stats };
  }
  const record = applicationRecord(folded, {
    inProgress: source.inProgress,
    fallbackAppId: source.nameHint,
    sparkVersionHint: source.sparkVersionHint,
  });
  const reason = incompleteReason(source, decodeErrors, []);
  if (reason !== null) {
    record.completed = false;
    record.incompleteReason = reason;
  }
  return { record, stats };
}
