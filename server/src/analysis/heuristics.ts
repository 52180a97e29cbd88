/**
 * The heuristics catalogue: every rule the product judges a run by, defined once with the figure it measures, its
 * grades and guard, and the published source of its thresholds (docs/heuristics.md explains each in prose).
 *
 * Each heuristic is a figure function of a run or a stage that returns the figure with its grade, or null when the
 * rule does not fire (below its guard or its lowest grade). Per-run findings (run-findings.ts), the per-run analysis
 * (run-analysis.ts) and the recommendation engine (recommend/engine.ts, where they are evidence) all call these
 * functions; none keeps a threshold of its own.
 *
 * Grades are Dr. Elephant's severities, low < moderate < severe < critical.
 */
import type { ApplicationRecord, StageRecord, TaskFailureGroup } from '../history/application-record';
import { classifyTaskFailure } from '../history/event-log/failure';

/** Dr. Elephant's severity grades. */
export type Grade = 'low' | 'moderate' | 'severe' | 'critical';

/** One heuristic's definition. */
export interface Heuristic {
  /** Stable id, also the finding id and the diagnostic code suffix. */
  id: string;
  title: string;
  /** What is measured, with units. */
  figure: string;
  /** Ascending thresholds of low, moderate, severe, critical. */
  grades?: readonly [number, number, number, number];
  /** The one threshold of a rule with a fixed grade (when it has no `grades`). */
  threshold?: number;
  /** When the rule is not applied at all. */
  guard?: string;
  /** The published rule its thresholds come from (docs/heuristics.md has the details). */
  source: string;
  /** The settings it is evidence for in the engine (empty: no setting fixes it by itself). */
  settings: readonly string[];
}

const MIB = 1024 * 1024;

/** The catalogue. */
export const HEURISTICS = {
  spill: {
    id: 'stage-spill',
    title: 'Disk spill',
    figure:
      'Disk Bytes Spilled of a stage / the most data it processed (input + shuffle read, or shuffle write + output)',
    grades: [0.01, 0.1, 0.25, 0.5],
    guard: 'stages that spilled less than 16 MiB to disk',
    source: 'Dr. Elephant ConfigurationParametersHeuristic spill ratio grades 1/10/25/50 %; ignored below 16 MiB',
    settings: ['spark.executor.memory', 'spark.executor.cores', 'spark.sql.shuffle.partitions'],
  },
  executorSpill: {
    id: 'executor-spill',
    title: 'Executors spilling',
    figure: 'share of executors that spilled; spill per task against heap per core',
    guard: 'fewer than 20 % of executors spilled, or the run spilled less than 16 MiB',
    source:
      'Dr. Elephant ExecutorStorageSpillHeuristic: critical when ≥ 20 % of executors spill and spill per task ≥ 5 % of executor memory / cores',
    settings: ['spark.executor.memory', 'spark.executor.cores'],
  },
  gc: {
    id: 'gc',
    title: 'GC time',
    figure: 'JVM GC Time / Executor Run Time over all tasks',
    grades: [0.08, 0.1, 0.15, 0.2],
    guard: 'runs with less than 1 min of executor run time (Dr. Elephant: 5 min)',
    source:
      'Dr. Elephant ExecutorGcHeuristic grades 8/10/15/20 %; checked from 1 min of executor run time (Dr. Elephant: 5 min)',
    settings: ['spark.executor.memory'],
  },
  heapHigh: {
    id: 'heap-high',
    title: 'Heap nearly full',
    figure: 'peak JVMHeapMemory of the executors / spark.executor.memory (graded severe)',
    threshold: 0.95,
    source: 'DataFlint executorMemoryTooHigh: usage > 95 %',
    settings: ['spark.executor.memory'],
  },
  heapLow: {
    id: 'heap-low',
    title: 'Heap over-provisioned',
    figure: 'spark.executor.memory / (peak JVMHeapMemory + 300 MiB reserved), when the peak is under 70 % of the heap',
    grades: [1.25, 1.5, 2, 3],
    guard: 'executor memory of 2 GiB or less, peak heap 70 % or more',
    source:
      'DataFlint executorMemoryTooLow (< 70 %); Dr. Elephant JvmUsedMemoryHeuristic grades 1.25×/1.5×/2×/3× of peak + 300 MiB, only above 2 GiB',
    settings: ['spark.executor.memory'],
  },
  executionMemory: {
    id: 'execution-memory',
    title: 'Execution memory at its cap',
    figure:
      'peak Peak Execution Memory of a task / its share of the unified region (spark.memory.fraction × (heap − 300 MiB) / cores)',
    threshold: 0.9,
    source:
      'Spark tuning guide (unified region M = spark.memory.fraction × (heap − 300 MiB)); ExecutionMemoryPool caps each of N tasks at M/N',
    settings: ['spark.executor.memory', 'spark.executor.cores'],
  },
  memoryFailure: {
    id: 'memory-failure',
    title: 'Failed for memory',
    figure:
      'tasks failed with java.lang.OutOfMemoryError, containers killed for exceeding memory (YARN/Kubernetes, exit code 137/143), executors lost for those reasons',
    source:
      'Dr. Elephant StagesWithFailedTasksHeuristic: < 2 % of tasks moderate, else severe, a failed stage critical',
    settings: ['spark.executor.memory', 'spark.executor.memoryOverhead', 'spark.executor.cores'],
  },
  skew: {
    id: 'skew',
    title: 'Task skew',
    figure: 'longest / median successful task duration of a stage',
    grades: [2, 4, 8, 16],
    guard: 'max/median ≤ 10 or the longest task under 5 s (DataFlint partitionSkew)',
    source: 'DataFlint partitionSkew (max/median > 10 and max > 5 s); severity by Dr. Elephant skew grades 2/4/8/16',
    settings: [],
  },
  tinyTasks: {
    id: 'tiny-tasks',
    title: 'Tiny tasks',
    figure: 'median task duration of a stage with more than 10 tasks per task slot',
    guard: 'median task 500 ms or longer, or 10 tasks per slot or fewer',
    source: 'DataFlint smallTasks (median < 500 ms, > 5000 tasks) scaled to > 10 tasks per core',
    settings: ['spark.sql.shuffle.partitions'],
  },
  hugeTasks: {
    id: 'huge-tasks',
    title: 'Huge tasks',
    figure: 'median successful task duration of a stage',
    grades: [150_000, 300_000, 600_000, 900_000],
    source: 'Dr. Elephant ConfigurationParametersHeuristic median task grades 2.5/5/10/15 min (target task time 150 s)',
    settings: ['spark.sql.shuffle.partitions'],
  },
  partitionSize: {
    id: 'partition-size',
    title: 'Partition size',
    figure: '(input + shuffle read bytes) / tasks of a stage, against the 128 MiB target partition',
    guard:
      'between 10 MB and 256 MiB per task; small partitions only for stages over 10 % of the run with more than 3 tasks per slot',
    source:
      'DataFlint ideal partition 128 MiB (flagged above 2× moderate, 8× severe); spark-advisor-rules < 10 MB per task (critical < 1 MB)',
    settings: ['spark.sql.shuffle.partitions'],
  },
  tasksPerCore: {
    id: 'tasks-per-core',
    title: 'Fewer tasks than slots',
    figure: 'tasks of a stage / task slots, for stages over 10 % of the run',
    source: 'Spark tuning guide "Level of Parallelism": 2-3 tasks per CPU core (Sparklens PRatio = tasks / cores)',
    settings: ['spark.sql.shuffle.partitions', 'spark.executor.instances', 'spark.executor.cores'],
  },
  idleCores: {
    id: 'idle-cores',
    title: 'Idle executor cores',
    figure: '1 − Executor Run Time / executor-core time held',
    grades: [0.5, 0.6, 0.7, 0.8],
    source:
      'DataFlint idleCoresTooHigh (> 50 % idle); spark-advisor slot use < 40 % / < 20 %: grades 50/60/70/80 % idle',
    settings: ['spark.executor.instances', 'spark.executor.cores'],
  },
  driverOnly: {
    id: 'driver-only',
    title: 'Driver-only time',
    figure: 'share of wall time during which no stage ran (graded low)',
    threshold: 0.5,
    source: 'Sparklens driver vs executor wall-clock time (no published threshold; flagged from 50 %, own choice)',
    settings: [],
  },
  failedTasks: {
    id: 'failed-tasks',
    title: 'Failed tasks',
    figure: 'failed task ends / all task ends',
    grades: [0.05, 0.1, 0.15, 0.2],
    source: 'Dr. Elephant task failure grades 5/10/15/20 %',
    settings: [],
  },
  failedStages: {
    id: 'failed-stages',
    title: 'Failed stages',
    figure: 'stage attempts with a Failure Reason / all stage attempts',
    grades: [0.1, 0.3, 0.5, 0.5],
    source: 'Dr. Elephant StagesHeuristic stage failure grades 0.1/0.3/0.5',
    settings: [],
  },
  failedJobs: {
    id: 'failed-jobs',
    title: 'Failed jobs',
    figure: 'jobs whose Job Result is not JobSucceeded / all jobs',
    grades: [0.1, 0.3, 0.5, 0.5],
    source: 'Dr. Elephant JobsHeuristic job failure grades 0.1/0.3/0.5',
    settings: [],
  },
} as const satisfies Record<string, Heuristic>;

/** Guards and constants of the heuristics (sources in {@link HEURISTICS}). */
export const GUARDS = {
  /** Spill below this many bytes is noise. */
  spillMinBytes: 16 * MIB,
  /** Share of executors spilling from which the executor-spill rule applies. */
  executorSpillShare: 0.2,
  /** Executor run time from which GC share is judged, ms. */
  gcMinExecutorRunTimeMs: 60_000,
  /** Peak heap share under which the heap is over-provisioned. */
  heapUsedLow: 0.7,
  /** Heap above which over-provisioning is judged, MiB. */
  heapCheckMinMiB: 2048,
  /** Skew: max/median above this … */
  skewRatio: 10,
  /** … and the longest task at least this long, ms. */
  skewMinMaxTaskMs: 5_000,
  /** Tiny tasks: median under this, ms … */
  tinyTaskMedianMs: 500,
  /** … with more than this many tasks per task slot. */
  tinyTasksPerSlot: 10,
  /** The ideal partition: 128 MiB (DataFlint). */
  targetPartitionBytes: 128 * MIB,
  /** Small partitions: under 10 MB per task (spark-advisor-rules). */
  smallBytesPerTask: 10 * 1000 * 1000,
  /** Parallelism findings only for stages running at least this share of the run. */
  stageMinShareOfRun: 0.1,
  /** Spark tuning guide: 2-3 tasks per core; above this many per slot small partitions are worth merging. */
  tasksPerSlotHigh: 3,
} as const;

/** Grade of `value` against ascending thresholds [low, moderate, severe, critical]; null below the first. */
export function gradeAscending(value: number, grades: readonly number[]): Grade | null {
  const names = ['low', 'moderate', 'severe', 'critical'] as const;
  let out: Grade | null = null;
  for (let i = 0; i < 4; i++) if (value >= grades[i]) out = names[i];
  return out;
}

/** Wall time of a stage attempt (ms), 0 when unknown. */
export function stageWallMs(s: StageRecord): number {
  return s.submissionTimeMs !== null && s.completionTimeMs !== null
    ? Math.max(0, s.completionTimeMs - s.submissionTimeMs)
    : 0;
}

/** A stage's disk spill judged by {@link HEURISTICS.spill}. */
export interface StageSpill {
  stageId: number;
  diskBytesSpilled: number;
  memoryBytesSpilled: number;
  /** The most data the stage processed: max(input + shuffle read, shuffle write + output), bytes. */
  processedBytes: number;
  ratio: number;
  grade: Grade;
}

/** {@link HEURISTICS.spill} on one stage: null below 16 MiB of disk spill or below the lowest grade. */
export function stageSpill(s: StageRecord): StageSpill | null {
  if (s.diskBytesSpilled < GUARDS.spillMinBytes) return null;
  // Dr. Elephant divides by the most data the stage processed: what it read or what it wrote.
  const processed = Math.max(s.inputBytes + s.shuffleReadBytes, s.shuffleWriteBytes + s.outputBytes);
  const ratio = processed > 0 ? s.diskBytesSpilled / processed : 1;
  const grade = gradeAscending(ratio, HEURISTICS.spill.grades);
  return grade === null
    ? null
    : {
        stageId: s.stageId,
        diskBytesSpilled: s.diskBytesSpilled,
        memoryBytesSpilled: s.memoryBytesSpilled,
        processedBytes: processed,
        ratio,
        grade,
      };
}

/** Every stage of a run that spilled (by {@link stageSpill}), in stage order. */
export function spilledStages(r: ApplicationRecord): StageSpill[] {
  return r.stages.map(stageSpill).filter((x): x is StageSpill => x !== null);
}

/** True when some stage of the run spilled by {@link HEURISTICS.spill}. */
export function runSpilled(r: ApplicationRecord): boolean {
  return r.stages.some((s) => stageSpill(s) !== null);
}

/** {@link HEURISTICS.executorSpill}: which executors spilled, and the grade; null when the rule does not fire or the record lacks per-executor spill. */
export function executorSpill(
  r: ApplicationRecord,
  heapMiB: number,
  cores: number,
): { spilling: string[]; executors: number; spillPerTaskBytes: number; heapPerCoreBytes: number; grade: Grade } | null {
  const withSpill = r.executors.filter((e) => !e.isDriver && e.diskBytesSpilled !== undefined);
  if (withSpill.length === 0) return null;
  const spilling = withSpill.filter((e) => (e.diskBytesSpilled ?? 0) > 0);
  const share = spilling.length / withSpill.length;
  if (spilling.length === 0 || share < GUARDS.executorSpillShare || r.diskBytesSpilled < GUARDS.spillMinBytes)
    return null;
  const heapPerCoreBytes = (heapMiB * MIB) / Math.max(1, cores);
  const spillPerTaskBytes = r.totalTasks > 0 ? r.diskBytesSpilled / r.totalTasks : 0;
  const grade: Grade = spillPerTaskBytes >= 0.05 * heapPerCoreBytes ? 'critical' : share >= 0.5 ? 'severe' : 'moderate';
  return {
    spilling: spilling.map((e) => e.executorId),
    executors: withSpill.length,
    spillPerTaskBytes,
    heapPerCoreBytes,
    grade,
  };
}

/** {@link HEURISTICS.gc}: GC share of executor run time; null below the guard (share null) or grade null below 8 %. */
export function gcShare(r: ApplicationRecord): { share: number; grade: Grade | null } | null {
  if (r.executorRunTimeMs < GUARDS.gcMinExecutorRunTimeMs) return null;
  const share = r.jvmGcTimeMs / r.executorRunTimeMs;
  return { share, grade: gradeAscending(share, HEURISTICS.gc.grades) };
}

/**
 * {@link HEURISTICS.heapHigh} and {@link HEURISTICS.heapLow}: peak JVM heap against the heap. `suggestedMiB` is
 * Dr. Elephant's / DataFlint's sizing, 1.2 × peak + 300 MiB. @returns null when the log has no executor metrics.
 */
export function heapUse(
  r: ApplicationRecord,
  heapMiB: number,
): { peakBytes: number; share: number; high: boolean; lowGrade: Grade | null; suggestedMiB: number } | null {
  if (r.peakJvmHeapMemoryBytes === null) return null;
  const share = r.peakJvmHeapMemoryBytes / (heapMiB * MIB);
  const ratio = (heapMiB * MIB) / (r.peakJvmHeapMemoryBytes + 300 * MIB);
  const low =
    share < GUARDS.heapUsedLow && heapMiB > GUARDS.heapCheckMinMiB
      ? (gradeAscending(ratio, HEURISTICS.heapLow.grades) ?? 'low')
      : null;
  return {
    peakBytes: r.peakJvmHeapMemoryBytes,
    share,
    high: share >= HEURISTICS.heapHigh.threshold,
    lowGrade: low,
    suggestedMiB: Math.ceil((r.peakJvmHeapMemoryBytes / MIB) * HEAP_HEADROOM + 300),
  };
}

/** Headroom over a measured memory peak: 1.2 × (DataFlint executorMemoryTooLow, Dr. Elephant JvmUsedMemoryHeuristic). */
export const HEAP_HEADROOM = 1.2;

/** A stage's task skew by {@link HEURISTICS.skew}. */
export interface StageSkew {
  stageId: number;
  name: string;
  ratio: number;
  maxTaskMs: number;
  medianTaskMs: number;
  grade: Grade;
}

/** {@link HEURISTICS.skew} on one stage: null unless max/median > 10 and the longest task > 5 s. */
export function stageSkew(s: StageRecord): StageSkew | null {
  const q = s.taskDurationMs;
  if (q === null || s.skewRatio === null) return null;
  if (!(s.skewRatio > GUARDS.skewRatio && q.max > GUARDS.skewMinMaxTaskMs)) return null;
  return {
    stageId: s.stageId,
    name: s.name,
    ratio: s.skewRatio,
    maxTaskMs: q.max,
    medianTaskMs: q.median,
    grade: gradeAscending(s.skewRatio, HEURISTICS.skew.grades) ?? 'low',
  };
}

/** {@link HEURISTICS.tinyTasks} on one stage over `slots` task slots: null unless median < 500 ms and > 10 tasks per slot. */
export function stageTinyTasks(
  s: StageRecord,
  slots: number,
): { stageId: number; numTasks: number; medianTaskMs: number; tasksPerSlot: number; grade: Grade } | null {
  const q = s.taskDurationMs;
  if (q === null || !(q.median < GUARDS.tinyTaskMedianMs && s.numTasks > GUARDS.tinyTasksPerSlot * slots)) return null;
  return {
    stageId: s.stageId,
    numTasks: s.numTasks,
    medianTaskMs: q.median,
    tasksPerSlot: s.numTasks / Math.max(1, slots),
    grade: s.numTasks > 5000 ? 'moderate' : 'low',
  };
}

/** {@link HEURISTICS.hugeTasks} on one stage: the grade of its median task, null below 2.5 min. */
export function stageHugeTasks(
  s: StageRecord,
): { stageId: number; medianTaskMs: number; numTasks: number; grade: Grade } | null {
  const q = s.taskDurationMs;
  const grade = q !== null ? gradeAscending(q.median, HEURISTICS.hugeTasks.grades) : null;
  return grade === null || q === null
    ? null
    : { stageId: s.stageId, medianTaskMs: q.median, numTasks: s.numTasks, grade };
}

/**
 * {@link HEURISTICS.partitionSize} on one stage: `big` partitions (> 2 × 128 MiB per task) or `small` ones (< 10 MB per
 * task, for a stage over 10 % of the run with more than 3 tasks per slot). @returns null when neither.
 */
export function stagePartitionSize(
  s: StageRecord,
  slots: number,
  runDurationMs: number,
): {
  stageId: number;
  kind: 'big' | 'small';
  bytesPerTask: number;
  bytes: number;
  numTasks: number;
  grade: Grade;
} | null {
  const bytes = s.inputBytes + s.shuffleReadBytes;
  if (s.numTasks <= 0 || bytes <= 0) return null;
  const perTask = bytes / s.numTasks;
  if (perTask > 2 * GUARDS.targetPartitionBytes) {
    return {
      stageId: s.stageId,
      kind: 'big',
      bytesPerTask: perTask,
      bytes,
      numTasks: s.numTasks,
      grade: perTask > 8 * GUARDS.targetPartitionBytes ? 'severe' : 'moderate',
    };
  }
  if (
    stageIsBig(s, runDurationMs) &&
    perTask < GUARDS.smallBytesPerTask &&
    s.numTasks > GUARDS.tasksPerSlotHigh * slots
  ) {
    return {
      stageId: s.stageId,
      kind: 'small',
      bytesPerTask: perTask,
      bytes,
      numTasks: s.numTasks,
      grade: perTask < GUARDS.smallBytesPerTask / 10 ? 'moderate' : 'low',
    };
  }
  return null;
}

/** A stage that ran at least 10 % of the run's wall time (parallelism findings judge only those). */
export function stageIsBig(s: StageRecord, runDurationMs: number): boolean {
  return runDurationMs > 0 && stageWallMs(s) >= GUARDS.stageMinShareOfRun * runDurationMs;
}

/** {@link HEURISTICS.tasksPerCore} on one stage: a big stage with fewer tasks than slots; moderate when at most half the slots get one. */
export function stageTooFewTasks(
  s: StageRecord,
  slots: number,
  runDurationMs: number,
): { stageId: number; numTasks: number; slots: number; grade: Grade } | null {
  if (!stageIsBig(s, runDurationMs) || s.numTasks <= 0 || s.numTasks >= slots) return null;
  return { stageId: s.stageId, numTasks: s.numTasks, slots, grade: s.numTasks * 2 <= slots ? 'moderate' : 'low' };
}

/** {@link HEURISTICS.idleCores}: the grade of an idle share (1 − used / held executor-core time); null below 50 %. */
export function idleCoresGrade(idleShare: number): Grade | null {
  return gradeAscending(idleShare, HEURISTICS.idleCores.grades);
}

/** {@link HEURISTICS.driverOnly}: `low` from 50 % of wall time with no stage running, else null. */
export function driverOnlyGrade(share: number): Grade | null {
  return share >= HEURISTICS.driverOnly.threshold ? 'low' : null;
}

/** A run's failures for memory (module comment of {@link HEURISTICS.memoryFailure}). */
export interface MemoryFailures {
  /** Tasks failed with java.lang.OutOfMemoryError. */
  oomTasks: number;
  /** Tasks failed because their container was killed for memory (YARN, Kubernetes OOMKilled, exit 137/143). */
  containerKilledTasks: number;
  /** Executors removed for memory: `Removed Reason` classified as OOM or a container kill. */
  executorsLost: { executorId: string; reason: string; kind: 'oom' | 'container-killed' }[];
  /** Failed jobs whose failure names an OutOfMemoryError or a memory kill. */
  failedJobs: number;
  /** First message seen, for the evidence. */
  example: string | null;
  grade: Grade | null;
}

/** {@link HEURISTICS.memoryFailure} on a run. Severity: a failed stage or job critical, else < 2 % of tasks moderate, else severe. */
export function memoryFailures(r: ApplicationRecord): MemoryFailures {
  const count = (kind: TaskFailureGroup['kind']) =>
    r.taskFailures.filter((f) => f.kind === kind).reduce((n, f) => n + f.count, 0);
  const oomTasks = count('oom');
  const containerKilledTasks = count('container-killed');
  const executorsLost: MemoryFailures['executorsLost'] = [];
  for (const e of r.executors) {
    if (e.isDriver || e.removedReason === null) continue;
    const kind = classifyTaskFailure('ExecutorLostFailure', e.removedReason);
    if (kind === 'oom' || kind === 'container-killed')
      executorsLost.push({ executorId: e.executorId, reason: e.removedReason, kind });
  }
  let failedJobs = 0;
  for (const j of r.jobs ?? []) {
    if (j.result === 'JobSucceeded' || j.failureReason === null) continue;
    const kind = classifyTaskFailure('ExceptionFailure', j.failureReason);
    if (kind === 'oom' || kind === 'container-killed') failedJobs++;
  }
  const example =
    r.taskFailures.find((f) => f.kind === 'oom' || f.kind === 'container-killed')?.example ??
    executorsLost[0]?.reason ??
    (r.jobs ?? []).find((j) => j.failureReason !== null && j.result !== 'JobSucceeded')?.failureReason ??
    null;
  const tasks = oomTasks + containerKilledTasks;
  let grade: Grade | null = null;
  if (tasks > 0 || executorsLost.length > 0 || failedJobs > 0) {
    const rate = r.totalTasks > 0 ? tasks / r.totalTasks : 1;
    grade = r.failedStages > 0 || failedJobs > 0 ? 'critical' : rate < 0.02 ? 'moderate' : 'severe';
  }
  return { oomTasks, containerKilledTasks, executorsLost, failedJobs, example: grade === null ? null : example, grade };
}
