/**
 * One run's headline figures as plain numbers (spill, GC, skew, tiny tasks, utilisation, failures, heap): what the
 * hovers, the code lens, the inlay hints and the evaluation's baselines show per run. The rules behind every judgement
 * (what counts as "spilled", "skewed", "tiny") are the heuristics catalogue's (heuristics.ts); this module only
 * gathers them per run.
 */
import type { ApplicationRecord } from '../history/application-record';
import {
  DEFAULT_EXECUTOR_MEMORY_MIB,
  DEFAULT_SHUFFLE_PARTITIONS,
  lookupOf,
  taskCpusOf,
  taskSlots,
} from '../resource-model';
import { gcShare, memoryFailures, runSpilled, type StageSkew, stageSkew, stageTinyTasks } from './heuristics';

/** A stage of many tiny tasks by the heuristics catalogue's tiny-tasks rule. */
export interface TinyTaskStage {
  stageId: number;
  numTasks: number;
  medianTaskMs: number;
}

/**
 * What one run shows, as numbers (no judgement about settings; the engine does that).
 * All byte figures in bytes, times in ms, shares in [0, 1].
 */
export interface RunAnalysis {
  appId: string;
  attemptId: string | null;
  startTimeMs: number;
  durationMs: number;
  /** Effective executor memory in MiB: `spark.executor.memory`, else Spark's default. */
  executorMemoryMiB: number;
  /** Executor cores: `spark.executor.cores`, else the executors' `Total Cores`. */
  executorCores: number | null;
  /** Max executors alive at once. */
  executors: number;
  /** `spark.sql.shuffle.partitions`, else Spark's default. */
  shufflePartitions: number;
  diskBytesSpilled: number;
  memoryBytesSpilled: number;
  /** True when some stage spilled by the catalogue's spill rule (≥ 16 MiB and ≥ 1 % of its data). */
  spilled: boolean;
  /** JVM GC time / executor run time; null below the GC rule's guard (1 min of executor run time). */
  gcShare: number | null;
  /** Stages skewed by the catalogue's skew rule. */
  skewedStages: StageSkew[];
  /** Stages of tiny tasks by the catalogue's rule, among those with one task per shuffle partition (the ones `spark.sql.shuffle.partitions` sizes). */
  tinyTaskStages: TinyTaskStage[];
  /** Largest shuffle read of one stage, bytes (sizes `spark.sql.shuffle.partitions`). */
  maxStageShuffleReadBytes: number;
  /** Task executor run time / executor-core time available; null when no executor time was recorded. */
  utilisation: number | null;
  /** Tasks failed with java.lang.OutOfMemoryError. */
  oomFailures: number;
  /** Tasks failed because their container was killed for memory. */
  containerKilledFailures: number;
  failedTasks: number;
  totalTasks: number;
  /** Peak JVM heap across executors / executor memory; null when the log has no executor metrics. */
  peakHeapShare: number | null;
  peakJvmHeapMemoryBytes: number | null;
}

const cache = new WeakMap<ApplicationRecord, RunAnalysis>();

/**
 * Analyses one application record (cached per record object).
 * @param r a record from the store or the event-log reader.
 * @returns the run's figures; never throws on missing data (figures become null or 0).
 */
export function analyseRun(r: ApplicationRecord): RunAnalysis {
  const hit = cache.get(r);
  if (hit !== undefined) return hit;
  const executorCores = r.executorCores ?? mostCommon(r.executors.filter((e) => !e.isDriver).map((e) => e.totalCores));
  const slots = taskSlots(executorCores ?? 1, taskCpusOf(lookupOf(r.sparkProperties))) * Math.max(1, r.maxExecutors);
  const executorMemoryMiB = r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB;
  const shufflePartitions = r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS;
  const mf = memoryFailures(r);
  const out: RunAnalysis = {
    appId: r.appId,
    attemptId: r.attemptId,
    startTimeMs: r.startTimeMs,
    durationMs: r.durationMs,
    executorMemoryMiB,
    executorCores,
    executors: r.maxExecutors,
    shufflePartitions,
    diskBytesSpilled: r.diskBytesSpilled,
    memoryBytesSpilled: r.memoryBytesSpilled,
    spilled: runSpilled(r),
    gcShare: gcShare(r)?.share ?? null,
    skewedStages: r.stages.map(stageSkew).filter((x): x is StageSkew => x !== null),
    tinyTaskStages: r.stages
      .filter((s) => s.shuffleReadBytes > 0 && s.numTasks === shufflePartitions)
      .map((s) => stageTinyTasks(s, slots))
      .filter((x): x is NonNullable<typeof x> => x !== null)
      .map((x) => ({ stageId: x.stageId, numTasks: x.numTasks, medianTaskMs: x.medianTaskMs })),
    maxStageShuffleReadBytes: Math.max(0, ...r.stages.map((s) => s.shuffleReadBytes)),
    utilisation: r.executorCoreTimeMs > 0 ? Math.min(1, r.executorRunTimeMs / r.executorCoreTimeMs) : null,
    oomFailures: mf.oomTasks,
    containerKilledFailures: mf.containerKilledTasks,
    failedTasks: r.failedTasks,
    totalTasks: r.totalTasks,
    peakJvmHeapMemoryBytes: r.peakJvmHeapMemoryBytes,
    peakHeapShare:
      r.peakJvmHeapMemoryBytes !== null ? r.peakJvmHeapMemoryBytes / (executorMemoryMiB * 1024 * 1024) : null,
  };
  cache.set(r, out);
  return out;
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
