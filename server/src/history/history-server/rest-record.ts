/**
 * Fallback when `/logs` answers 503 "Event logs are not available": an application record built from
 * the History Server's REST views (`environment`, `allexecutors`, `stages?withSummaries=true`, `jobs`;
 * spark-reference.md B) instead of the event log.
 *
 * What differs from a record read from the event log (so the fallback is a second-best source):
 * - the REST views were built by replaying the log into a status store that keeps only
 *   `spark.ui.retainedStages` / `retainedJobs` / `retainedTasks` entries, so for big applications stage
 *   and job counts and every sum over them can be short;
 * - `taskFailures` is empty and `parentIds` of stages are empty (the stage list does not carry them);
 * - stages have no per-task durations (`taskDurationsMs` absent: the what-if simulation then synthesises them from
 *   the stored quantiles), and jobs have `sqlExecutionId` and `failureReason` null (`JobData` carries neither);
 * - a stage's `taskDurationMs` comes from `taskMetricsDistributions.duration` at quantiles
 *   0, 0.25, 0.5, 0.75, 0.95, 1 (`withSummaries`, Spark 3.4+; null on older servers), and the
 *   application's `peakExecutionMemoryBytes` from the per-stage maximum of
 *   `taskMetricsDistributions.peakExecutionMemory` (REST `peakExecutionMemory` is a sum over tasks);
 * - a stage's `duration` distribution is Spark's task `duration` metric, which differs from finish −
 *   launch time when tasks failed, so `taskDurationMs`/`skewRatio` of such stages differ;
 * - executor `executorRunTimeMs` is `totalDuration` (task wall time: REST has no per-executor `executorRunTime`; the
 *   log-based record sums `Executor Run Time`),
 *   and a local-mode driver's `host` is its block manager's host name;
 * - a running attempt's duration ends at the latest stage/executor time the views show, not the last event.
 * Measured on the live test set (test/live/history-server-live.test.ts): every other field of every record
 * equals the event-log record. Field meanings otherwise follow application-record.ts.
 */

import { z } from 'zod';
import { parseSparkSizeMiB } from '../../config/spark-units';
import type { ApplicationRecord, ExecutorRecord, JobRecord, StageRecord } from '../application-record';
import type { HistoryServerClient } from './client';
import { sparkSubmitPrimaryResource } from '../event-log/fold';
import { parseSparkDate, type ListedAttempt } from './rest-types';

/** Quantiles requested for stage summaries, in the order of `DurationQuantilesMs`. */
export const STAGE_QUANTILES = [0, 0.25, 0.5, 0.75, 0.95, 1];

const num = z.number().optional();

/** `GET …/environment` (`ApplicationEnvironmentInfo`); only what the record uses. */
const EnvironmentSchema = z.looseObject({
  sparkProperties: z.array(z.tuple([z.string(), z.string()])),
  systemProperties: z.array(z.tuple([z.string(), z.string()])).optional(),
});

/** One entry of `GET …/allexecutors` (`ExecutorSummary`). */
const ExecutorSchema = z.looseObject({
  id: z.string(),
  hostPort: z.string(),
  totalCores: z.number(),
  totalDuration: num,
  maxMemory: num,
  addTime: z.string().optional(),
  removeTime: z.string().optional(),
  removeReason: z.string().optional(),
  peakMemoryMetrics: z.looseObject({ JVMHeapMemory: num }).optional(),
});

/** One entry of `GET …/stages?withSummaries=true` (`StageData`). */
const StageSchema = z.looseObject({
  status: z.string(),
  stageId: z.number(),
  attemptId: z.number(),
  numTasks: z.number(),
  numCompleteTasks: z.number(),
  numFailedTasks: z.number(),
  numKilledTasks: num,
  name: z.string(),
  submissionTime: z.string().optional(),
  completionTime: z.string().optional(),
  failureReason: z.string().optional(),
  executorRunTime: num,
  executorCpuTime: num,
  jvmGcTime: num,
  inputBytes: num,
  outputBytes: num,
  shuffleReadBytes: num,
  shuffleWriteBytes: num,
  memoryBytesSpilled: num,
  diskBytesSpilled: num,
  taskMetricsDistributions: z
    .looseObject({ duration: z.array(z.number()).optional(), peakExecutionMemory: z.array(z.number()).optional() })
    .optional(),
});

/** One entry of `GET …/jobs` (`JobData`). */
const JobSchema = z.looseObject({
  jobId: z.number(),
  status: z.string(),
  submissionTime: z.string().optional(),
  completionTime: z.string().optional(),
  stageIds: z.array(z.number()).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`the History Server's ${what} answer is not what Spark sends (${i.path.join('.')}: ${i.message})`);
  }
  return r.data;
}

function intSetting(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : null;
}

/**
 * Builds the record of attempt `a` from the REST views (see the module comment for what differs).
 * @throws HistoryServerError when a view cannot be fetched; Error when a body has an unexpected shape.
 */
export async function recordFromRest(
  client: HistoryServerClient,
  a: ListedAttempt,
  signal?: AbortSignal,
): Promise<ApplicationRecord> {
  const get = (sub: string, query?: URLSearchParams) =>
    client.getAttemptResource(a.appId, a.attemptId, sub, query, signal);
  const env = parse(EnvironmentSchema, await get('environment'), 'environment');
  const executorsRaw = parse(z.array(ExecutorSchema), await get('allexecutors'), 'allexecutors');
  const stagesRaw = parse(
    z.array(StageSchema),
    await get('stages', new URLSearchParams({ withSummaries: 'true', quantiles: STAGE_QUANTILES.join(',') })),
    'stages',
  );
  const jobs = parse(z.array(JobSchema), await get('jobs'), 'jobs');

  const props = new Map(env.sparkProperties);
  const prop = (k: string) => props.get(k);
  const master = prop('spark.master') ?? '';
  const localMode = master === 'local' || master.startsWith('local[');
  // A running attempt has no end: like the event-log reader (last event seen), use the latest time the views show.
  let lastSeenMs = a.startTimeMs;
  for (const t of [
    ...stagesRaw.flatMap((s) => [s.submissionTime, s.completionTime]),
    ...executorsRaw.flatMap((e) => [e.addTime, e.removeTime]),
  ]) {
    const ms = parseSparkDate(t);
    if (ms !== null && ms > lastSeenMs) lastSeenMs = ms;
  }
  const endRefMs = a.endTimeMs ?? lastSeenMs;

  const executors: ExecutorRecord[] = executorsRaw.map((e) => {
    const heap = e.peakMemoryMetrics?.JVMHeapMemory;
    return {
      executorId: e.id,
      host: e.hostPort.replace(/:\d+$/, ''),
      totalCores: e.totalCores,
      addTimeMs: parseSparkDate(e.addTime) ?? 0,
      removeTimeMs: parseSparkDate(e.removeTime),
      removedReason: e.removeReason ?? null,
      peakJvmHeapMemoryBytes: heap !== undefined && heap > 0 ? heap : null,
      executorRunTimeMs: e.totalDuration ?? 0,
      isDriver: e.id === 'driver' || e.id === '<driver>',
      maxMemoryBytes: e.maxMemory ?? null,
    };
  });
  const workers = executors.filter((e) => !e.isDriver);
  // Most executors alive at once, from add/remove times.
  const edges = workers.flatMap((e) => [
    { t: e.addTimeMs, d: 1 },
    ...(e.removeTimeMs !== null ? [{ t: e.removeTimeMs, d: -1 }] : []),
  ]);
  edges.sort((x, y) => x.t - y.t || x.d - y.d);
  let alive = 0;
  let maxExecutors = 0;
  for (const e of edges) maxExecutors = Math.max(maxExecutors, (alive += e.d));
  let executorCoreTimeMs = 0;
  let peakJvmHeapMemoryBytes: number | null = null;
  const coreCounts = new Map<number, number>();
  for (const e of executors) {
    const counts = !e.isDriver || localMode;
    if (
      counts &&
      e.peakJvmHeapMemoryBytes !== null &&
      (peakJvmHeapMemoryBytes === null || e.peakJvmHeapMemoryBytes > peakJvmHeapMemoryBytes)
    )
      peakJvmHeapMemoryBytes = e.peakJvmHeapMemoryBytes;
    if (e.isDriver) continue;
    const until = e.removeTimeMs ?? endRefMs;
    if (e.totalCores > 0 && e.addTimeMs > 0 && until > e.addTimeMs)
      executorCoreTimeMs += (until - e.addTimeMs) * e.totalCores;
    if (e.totalCores > 0) coreCounts.set(e.totalCores, (coreCounts.get(e.totalCores) ?? 0) + 1);
  }
  let executorCores = intSetting(prop('spark.executor.cores'));
  if (executorCores === null && coreCounts.size > 0)
    executorCores = [...coreCounts.entries()].sort((x, y) => y[1] - x[1])[0][0];

  const stages: StageRecord[] = stagesRaw
    .filter((s) => s.status !== 'PENDING' && s.status !== 'SKIPPED')
    .map((s) => {
      const d = s.taskMetricsDistributions?.duration;
      const q =
        d && d.length === STAGE_QUANTILES.length
          ? { min: d[0], p25: d[1], median: d[2], p75: d[3], p95: d[4], max: d[5] }
          : null;
      return {
        stageId: s.stageId,
        attemptId: s.attemptId,
        name: s.name,
        numTasks: s.numTasks,
        parentIds: [],
        submissionTimeMs: parseSparkDate(s.submissionTime),
        completionTimeMs: parseSparkDate(s.completionTime),
        failureReason: s.failureReason ?? null,
        succeededTasks: s.numCompleteTasks,
        failedTasks: s.numFailedTasks + (s.numKilledTasks ?? 0),
        taskDurationMs: s.numCompleteTasks > 0 ? q : null,
        skewRatio: q && s.numCompleteTasks >= 2 && q.median > 0 ? q.max / q.median : null,
        executorRunTimeMs: s.executorRunTime ?? 0,
        executorCpuTimeMs: (s.executorCpuTime ?? 0) / 1e6,
        jvmGcTimeMs: s.jvmGcTime ?? 0,
        inputBytes: s.inputBytes ?? 0,
        outputBytes: s.outputBytes ?? 0,
        shuffleReadBytes: s.shuffleReadBytes ?? 0,
        shuffleWriteBytes: s.shuffleWriteBytes ?? 0,
        memoryBytesSpilled: s.memoryBytesSpilled ?? 0,
        diskBytesSpilled: s.diskBytesSpilled ?? 0,
        peakExecutionMemoryBytes: s.taskMetricsDistributions?.peakExecutionMemory?.at(-1) ?? 0,
      };
    })
    .sort((x, y) => x.stageId - y.stageId || x.attemptId - y.attemptId);
  const sum = (f: (s: StageRecord) => number) => stages.reduce((acc, s) => acc + f(s), 0);

  return {
    appId: a.appId,
    attemptId: a.attemptId,
    appName: a.appName,
    user: a.sparkUser,
    sparkVersion: a.sparkVersion,
    master: prop('spark.master') ?? null,
    submitTimeMs: intSetting(prop('spark.app.submitTime')),
    startTimeMs: a.startTimeMs,
    endTimeMs: a.endTimeMs,
    durationMs: Math.max(0, endRefMs - a.startTimeMs),
    completed: a.completed,
    exitCode: a.exitCode,
    executorCores,
    executorMemoryMiB: parseSparkSizeMiB(prop('spark.executor.memory')),
    memoryOverheadMiB: parseSparkSizeMiB(
      prop('spark.executor.memoryOverhead') ?? prop('spark.yarn.executor.memoryOverhead'),
    ),
    maxExecutors,
    totalExecutorsAdded: workers.length,
    executorInstances: intSetting(prop('spark.executor.instances')),
    driverMemoryMiB: parseSparkSizeMiB(prop('spark.driver.memory')),
    driverCores: intSetting(prop('spark.driver.cores')),
    shufflePartitions: intSetting(prop('spark.sql.shuffle.partitions')),
    dynamicAllocationEnabled: (prop('spark.dynamicAllocation.enabled') ?? '').trim().toLowerCase() === 'true',
    dynamicAllocationMinExecutors: intSetting(prop('spark.dynamicAllocation.minExecutors')),
    dynamicAllocationMaxExecutors: intSetting(prop('spark.dynamicAllocation.maxExecutors')),
    mainResource: sparkSubmitPrimaryResource(new Map(env.systemProperties ?? []).get('sun.java.command') ?? ''),
    sparkProperties: Object.fromEntries(props),
    totalTasks: sum((s) => s.succeededTasks + s.failedTasks),
    failedTasks: sum((s) => s.failedTasks),
    totalStages: stages.length,
    failedStages: stages.filter((s) => s.failureReason !== null).length,
    totalJobs: jobs.length,
    failedJobs: jobs.filter((j) => j.status === 'FAILED').length,
    executorRunTimeMs: sum((s) => s.executorRunTimeMs),
    executorCpuTimeMs: Math.round(sum((s) => s.executorCpuTimeMs)),
    jvmGcTimeMs: sum((s) => s.jvmGcTimeMs),
    inputBytes: sum((s) => s.inputBytes),
    outputBytes: sum((s) => s.outputBytes),
    shuffleReadBytes: sum((s) => s.shuffleReadBytes),
    shuffleWriteBytes: sum((s) => s.shuffleWriteBytes),
    memoryBytesSpilled: sum((s) => s.memoryBytesSpilled),
    diskBytesSpilled: sum((s) => s.diskBytesSpilled),
    peakExecutionMemoryBytes: stages.reduce((m, s) => Math.max(m, s.peakExecutionMemoryBytes), 0),
    peakJvmHeapMemoryBytes,
    executorCoreTimeMs,
    stages,
    executors,
    taskFailures: [],
    jobs: jobs
      .map((j): JobRecord => ({
        jobId: j.jobId,
        submissionTimeMs: parseSparkDate(j.submissionTime),
        completionTimeMs: parseSparkDate(j.completionTime),
        stageIds: j.stageIds ?? [],
        result: j.status === 'SUCCEEDED' ? 'JobSucceeded' : j.status === 'FAILED' ? 'JobFailed' : null,
        failureReason: null,
        sqlExecutionId: null,
      }))
      .sort((x, y) => x.jobId - y.jobId),
  };
}
