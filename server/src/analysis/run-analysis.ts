import type { ApplicationRecord, StageRecord } from '../history/application-record';
import { THRESHOLDS } from './thresholds';

/** A stage whose task durations are skewed (DataFlint partitionSkew rule). */
export interface SkewedStage {
  stageId: number;
  name: string;
  /** max / median successful task duration. */
  skewRatio: number;
  maxTaskMs: number;
  medianTaskMs: number;
}

/** A shuffle stage of many tiny tasks (DataFlint smallTasks rule, scaled to the cluster). */
export interface TinyTaskStage {
  stageId: number;
  numTasks: number;
  medianTaskMs: number;
}

/**
 * What one run shows, as numbers (no judgement about settings; the recommender does that).
 * All byte figures in bytes, times in ms, shares in [0, 1].
 */
export interface RunAnalysis {
  appId: string;
  attemptId: string | null;
  startTimeMs: number;
  durationMs: number;
  /** Effective executor memory in MiB: `spark.executor.memory`, else Spark's default 1024. */
  executorMemoryMiB: number;
  /** Executor cores: `spark.executor.cores`, else the executors' `Total Cores`. */
  executorCores: number | null;
  /** Max executors alive at once. */
  executors: number;
  /** `spark.sql.shuffle.partitions`, else Spark's default 200. */
  shufflePartitions: number;
  diskSpilledBytes: number;
  memorySpilledBytes: number;
  /** diskSpilledBytes / (input + shuffle read bytes); 0 when nothing was processed. */
  spillRatio: number;
  /** True when spill passes both THRESHOLDS.spillMinBytes and THRESHOLDS.spillRatioLow. */
  spilled: boolean;
  /** JVM GC time / executor run time; null when run time is below THRESHOLDS.gcMinExecutorRunTimeMs. */
  gcShare: number | null;
  skewedStages: SkewedStage[];
  tinyTaskStages: TinyTaskStage[];
  /** Largest shuffle read of one stage, bytes (sizes `spark.sql.shuffle.partitions`). */
  maxStageShuffleReadBytes: number;
  /** Task executor run time / executor-core time available; null when no executor time was recorded. */
  utilisation: number | null;
  /** Failed tasks by kind. */
  oomFailures: number;
  containerKilledFailures: number;
  failedTasks: number;
  totalTasks: number;
  /** Peak JVM heap across executors / executor memory; null when the log has no executor metrics. */
  peakHeapShare: number | null;
  peakJvmHeapBytes: number | null;
}

/** Spark's default `spark.executor.memory` (1g) and `spark.sql.shuffle.partitions` (200): Spark configuration docs. */
export const SPARK_DEFAULT_EXECUTOR_MEMORY_MIB = 1024;
export const SPARK_DEFAULT_SHUFFLE_PARTITIONS = 200;

/**
 * Analyses one application record.
 * @param r a record from the store or the event-log reader.
 * @returns the run's figures; never throws on missing data (figures become null or 0).
 */
export function analyseRun(r: ApplicationRecord): RunAnalysis {
  const processed = r.inputBytes + r.shuffleReadBytes;
  const spillRatio = processed > 0 ? r.diskSpilledBytes / processed : r.diskSpilledBytes > 0 ? 1 : 0;
  const executorCores = r.executorCores ?? mostCommon(r.executors.map((e) => e.totalCores));
  const totalCores = (executorCores ?? 1) * Math.max(1, r.maxExecutors);
  const executorMemoryMiB = r.executorMemoryMiB ?? SPARK_DEFAULT_EXECUTOR_MEMORY_MIB;
  const shufflePartitions = r.shufflePartitions ?? SPARK_DEFAULT_SHUFFLE_PARTITIONS;
  const successfulStages = r.stages.filter((s) => s.taskDurationMs !== null);
  return {
    appId: r.appId,
    attemptId: r.attemptId,
    startTimeMs: r.startTimeMs,
    durationMs: r.durationMs,
    executorMemoryMiB,
    executorCores,
    executors: r.maxExecutors,
    shufflePartitions,
    diskSpilledBytes: r.diskSpilledBytes,
    memorySpilledBytes: r.memorySpilledBytes,
    spillRatio,
    spilled: r.diskSpilledBytes >= THRESHOLDS.spillMinBytes && spillRatio >= THRESHOLDS.spillRatioLow,
    gcShare: r.executorRunTimeMs >= THRESHOLDS.gcMinExecutorRunTimeMs ? r.jvmGcTimeMs / r.executorRunTimeMs : null,
    skewedStages: successfulStages.flatMap((s) => skewOf(s)),
    tinyTaskStages: successfulStages.flatMap((s) => tinyTasksOf(s, shufflePartitions, totalCores)),
    maxStageShuffleReadBytes: Math.max(0, ...r.stages.map((s) => s.shuffleReadBytes)),
    utilisation: r.executorCoreTimeMs > 0 ? Math.min(1, r.executorRunTimeMs / r.executorCoreTimeMs) : null,
    oomFailures: r.taskFailures.filter((f) => f.kind === 'oom').reduce((n, f) => n + f.count, 0),
    containerKilledFailures: r.taskFailures.filter((f) => f.kind === 'container-killed').reduce((n, f) => n + f.count, 0),
    failedTasks: r.failedTasks,
    totalTasks: r.totalTasks,
    peakJvmHeapBytes: r.peakJvmHeapBytes,
    peakHeapShare: r.peakJvmHeapBytes !== null ? r.peakJvmHeapBytes / (executorMemoryMiB * 1024 * 1024) : null,
  };
}

function skewOf(s: StageRecord): SkewedStage[] {
  const q = s.taskDurationMs;
  if (!q || s.skewRatio === null) return [];
  if (s.skewRatio > THRESHOLDS.skewRatio && q.max > THRESHOLDS.skewMinMaxTaskMs) {
    return [{ stageId: s.stageId, name: s.name, skewRatio: s.skewRatio, maxTaskMs: q.max, medianTaskMs: q.median }];
  }
  return [];
}

function tinyTasksOf(s: StageRecord, shufflePartitions: number, totalCores: number): TinyTaskStage[] {
  const q = s.taskDurationMs;
  if (!q || s.shuffleReadBytes <= 0 || s.numTasks !== shufflePartitions) return [];
  if (q.median < THRESHOLDS.tinyTaskMedianMs && s.numTasks > THRESHOLDS.tinyTasksPerCore * totalCores) {
    return [{ stageId: s.stageId, numTasks: s.numTasks, medianTaskMs: q.median }];
  }
  return [];
}

function mostCommon(values: number[]): number | null {
  const counts = new Map<number, number>();
  let best: number | null = null;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (best === null || c > (counts.get(best) ?? 0)) best = v;
  }
  return best;
}
