/**
 * Resource recommendation for one job: executor memory, executor cores, executor instances and shuffle partitions,
 * chosen together from the job's past runs by a model that combines the per-run analysis with the what-if
 * simulation (what-if.ts).
 *
 * For every configuration considered (the caller's `candidates`, else a generated set), the expected duration is
 * predicted from the **nearest past run** (configuration distance: |log ratio| of memory per core, cores, instances
 * and partitions; ties go to the newest run):
 * 1. **Partitions**: stages that ran one task per shuffle partition (`numTasks` = the run's
 *    `spark.sql.shuffle.partitions`) are re-bucketed to the candidate's count: their work (task durations minus a
 *    fixed per-task overhead: the stage's mean duration − Executor Run Time, plus `Tuning.taskOverheadMs`) is
 *    spread evenly over the new tasks, except skewed tasks
 *    (longer than `skewTaskFactor` × median), which stay whole: a hot key lands in one partition whatever the count.
 * 2. **Memory**: a stage's execution memory need per task is its `Peak Execution Memory` plus `spillNeedFactor` ×
 *    its `Memory Bytes Spilled` per task (what did not fit); for re-bucketed stages its data-bound part (at most
 *    `memoryPerShuffleByte` × the bytes a task read) scales with the partition ratio. The run's peak JVM heap per core
 *    × `memoryHeadroom` + 300 MiB (DataFlint / Dr. Elephant sizing) is a floor for every stage, since Peak Execution
 *    Memory misses what shuffle sorts and Python workers hold.
 *    What a task gets is its fair share of the unified region, `spark.memory.fraction` × (heap − 300 MiB) / cores
 *    (Spark tuning guide; ExecutionMemoryPool gives each of N tasks at most 1/N). Where the need exceeds the share the
 *    stage's durations grow by `spillPenalty` × the shortfall share; a run that spilled has that cost removed when the
 *    candidate has enough memory.
 * 3. **Cores and instances**: the modified run is replayed over the candidate's executors × cores (what-if.ts). When
 *    `cluster.physicalCores` is given, task durations also grow by (min(slots, …)/physical)^`contentionExponent` past
 *    that many slots, relative to the run's own slots (more slots than cores do not run more tasks at once).
 * 4. Runs measured **at exactly the candidate's configuration** are averaged with the simulation, each weighing
 *    `measuredWeight` times the simulated estimate.
 * A candidate whose memory per core is at or below one at which a run failed with OutOfMemoryError or a container
 * kill, or whose container (heap + overhead) or cores do not fit a node, is never chosen (container-size check of
 * config/checks.ts SPARK009/SPARK010). Among the rest, the choice is the cheapest (executor-core-hours, 1 % counts as
 * a tie) of those within `durationSlack` of the fastest predicted duration; ties go to fewer, larger executors (the
 * same slots in fewer JVMs: less start-up, heap and broadcast copies; the evaluation's 2 × 1-core runs were slower
 * than 1 × 2-core ones on every workload), then to the partition count nearest the data's need
 * ({@link partitionsNeeded}), then to less memory.
 *
 * Sources: Sparklens what-if replay (qubole/sparklens `CompletionEstimator`); memory headroom 1.2 × peak (DataFlint
 * executorMemoryTooLow, Dr. Elephant JvmUsedMemoryHeuristic); target partition 128 MiB (DataFlint); 2-3 tasks per core
 * (Spark tuning guide); the numbers are `DEFAULT_TUNING` and are cross-validated by the evaluation (eval/).
 */
import type { ApplicationRecord, StageRecord } from '../history/application-record';
import { formatBytes, formatDurationMs, formatSparkSizeMiB, parseSparkSizeMiB } from '../config/spark-units';
import { SPARK_DEFAULT_EXECUTOR_MEMORY_MIB, SPARK_DEFAULT_SHUFFLE_PARTITIONS } from '../analysis/run-analysis';
import { THRESHOLDS } from '../analysis/thresholds';
import { type ExecutorShape, runShape, simulateRun, simulationError, stageDurations } from './what-if';

/** One resource configuration. Memory in MiB (`spark.executor.memory`). */
export interface ResourceChoice {
  executorMemoryMiB: number;
  executorCores: number;
  executorInstances: number;
  shufflePartitions: number;
}

/** The engine's tunable numbers (all plain numbers, so the evaluation can cross-validate them). */
export interface Tuning {
  /** Choose the cheapest configuration whose predicted duration is within this share of the fastest (0.05 = 5 %). */
  durationSlack: number;
  /** Heap sized to this × the need (DataFlint / Dr. Elephant: 1.2 × peak). */
  memoryHeadroom: number;
  /** Weight of `Memory Bytes Spilled` per task in a stage's memory need (1: all of it would have had to fit). */
  spillNeedFactor: number;
  /** Slowdown of a stage whose memory need is not met at all (the full shortfall share), as a fraction of its durations. */
  spillPenalty: number;
  /** Bytes of execution memory per byte a task reads (input + shuffle), bounding the part of the need that scales with partition size. */
  memoryPerShuffleByte: number;
  /**
   * Fixed cost of one task inside its `Executor Run Time` (setup, Python worker hand-over), ms. A task's whole fixed
   * cost when re-bucketing is this plus the stage's mean (duration − Executor Run Time): deserialisation, scheduler and
   * result time, measured.
   */
  taskOverheadMs: number;
  /** A task longer than this × its stage's median is a hot-key task that re-bucketing keeps whole (the longest 1 % at most). */
  skewTaskFactor: number;
  /** Target bytes of shuffle data per partition when no candidates are given, MiB (DataFlint: 128). */
  targetPartitionMiB: number;
  /** Partitions per task slot at least, when no candidates are given (Spark tuning guide: 2-3 per core). */
  tasksPerCore: number;
  /** Weight of one run measured at the exact configuration, relative to the simulated estimate (weight 1). */
  measuredWeight: number;
  /** Exponent of the slowdown per slot past `cluster.physicalCores`. */
  contentionExponent: number;
  /** Age in days at which a run's weight in the confidence halves. */
  recencyHalfLifeDays: number;
  /** Most cores per executor in generated configurations (Dr. Elephant caps 4; THRESHOLDS.maxRecommendedCores). */
  maxCoresPerExecutor: number;
}

/** Defaults: sources in the {@link Tuning} field comments; cross-validated by the evaluation. */
export const DEFAULT_TUNING: Tuning = {
  durationSlack: 0.05,
  memoryHeadroom: THRESHOLDS.heapHeadroom,
  spillNeedFactor: 1,
  spillPenalty: 0.3,
  memoryPerShuffleByte: 2,
  taskOverheadMs: 20,
  skewTaskFactor: 5,
  targetPartitionMiB: THRESHOLDS.targetPartitionBytes / (1024 * 1024),
  tasksPerCore: 2,
  measuredWeight: 2,
  contentionExponent: 1,
  recencyHalfLifeDays: 30,
  maxCoresPerExecutor: THRESHOLDS.maxRecommendedCores,
};

/** Options of {@link recommendResources}. */
export interface RecommendOptions {
  /** When given, the answer is one of these (the evaluation grid); else configurations are generated. */
  candidates?: readonly ResourceChoice[];
  /**
   * The nodes executors run on (sparkOptimizer.cluster.*): no executor may have more cores than `nodeCores` or a
   * container (heap + overhead + off-heap + PySpark memory) above `nodeMemoryMiB` (0 = unknown, not checked);
   * at most `maxExecutors` executors. `physicalCores`: CPU cores all executors share (e.g. one machine), to model
   * contention past it; absent = slots scale freely.
   */
  cluster?: { nodeMemoryMiB: number; nodeCores: number; maxExecutors?: number; physicalCores?: number };
  /** Overrides of {@link DEFAULT_TUNING}. */
  tuning?: Partial<Tuning>;
  /** Clock for recency, epoch ms (default: now). */
  nowMs?: number;
}

/** The recommendation. */
export interface ResourceRecommendation {
  choice: ResourceChoice;
  /** Predicted application wall time at `choice`, ms; null when no run could be replayed or measured there. */
  expectedDurationMs: number | null;
  /** executorInstances × executorCores × expectedDurationMs / 3.6e6; null with it. */
  expectedExecutorCoreHours: number | null;
  /** 0..1 from number, recency and consistency of runs (see {@link recommendResources}). */
  confidence: number;
  /** Human-readable lines, each naming the app ids it rests on. */
  evidence: string[];
}

/** A candidate with its prediction. */
export interface CandidateEstimate {
  choice: ResourceChoice;
  /** Predicted duration, ms (null when unpredictable). */
  durationMs: number | null;
  executorCoreHours: number | null;
  /** Why it may not be chosen (OOM at this memory, does not fit a node), else null. */
  excluded: string | null;
  /** The run it was predicted from. */
  basedOn: string | null;
  /** Runs measured at exactly this configuration. */
  measured: string[];
}

const MIB = 1024 * 1024;

/** The configuration a run had (memory, cores, instances, partitions), with Spark's defaults for unset values. */
export function runChoice(r: ApplicationRecord): ResourceChoice | null {
  const shape = runShape(r);
  if (shape === null) return null;
  return {
    executorMemoryMiB: r.executorMemoryMiB ?? SPARK_DEFAULT_EXECUTOR_MEMORY_MIB,
    executorCores: shape.executorCores,
    executorInstances: shape.executorInstances,
    shufflePartitions: r.shufflePartitions ?? SPARK_DEFAULT_SHUFFLE_PARTITIONS,
  };
}

/** Distance between two configurations: Σ |ln ratio| of memory per core, cores, instances and partitions. */
export function choiceDistance(a: ResourceChoice, b: ResourceChoice): number {
  const l = (x: number, y: number) => Math.abs(Math.log(Math.max(1e-9, x) / Math.max(1e-9, y)));
  return (
    l(a.executorMemoryMiB / a.executorCores, b.executorMemoryMiB / b.executorCores) +
    l(a.executorCores, b.executorCores) +
    l(a.executorInstances, b.executorInstances) +
    l(a.shufflePartitions, b.shufflePartitions)
  );
}

function sameChoice(a: ResourceChoice, b: ResourceChoice): boolean {
  return a.executorMemoryMiB === b.executorMemoryMiB && a.executorCores === b.executorCores && a.executorInstances === b.executorInstances && a.shufflePartitions === b.shufflePartitions;
}

function memoryFraction(r: ApplicationRecord): number {
  const v = Number(r.sparkProperties['spark.memory.fraction']);
  return Number.isFinite(v) && v > 0 && v <= 1 ? v : THRESHOLDS.memoryFraction;
}

/** Execution memory a task gets: `spark.memory.fraction` × (heap − 300 MiB) / cores, bytes. */
export function executionSharePerTaskBytes(memoryMiB: number, cores: number, fraction: number = THRESHOLDS.memoryFraction): number {
  return (Math.max(0, memoryMiB - THRESHOLDS.reservedMemoryMiB) * MIB * fraction) / Math.max(1, cores);
}

/** Execution memory need per task of a stage, bytes: peak + spillNeedFactor × memory spilled per task. */
function stageNeedPerTask(s: StageRecord, t: Tuning): number {
  const tasks = Math.max(1, s.succeededTasks || s.numTasks);
  return s.peakExecutionMemoryBytes + (t.spillNeedFactor * s.memorySpilledBytes) / tasks;
}

/** Shortfall share in [0, 1] of a need against what a task gets. */
function shortfall(needBytes: number, shareBytes: number): number {
  return needBytes > shareBytes && needBytes > 0 ? (needBytes - shareBytes) / needBytes : 0;
}

/** Container memory Spark requests per executor (MiB), as config/checks.ts `executorContainer`, from the run's properties. */
export function containerMiB(memoryMiB: number, props: Record<string, string>): number {
  const ovh = parseSparkSizeMiB(props['spark.executor.memoryOverhead']);
  const factorText = props['spark.executor.memoryOverheadFactor'] ?? props['spark.kubernetes.memoryOverheadFactor'];
  const k8sPython = (props['spark.master'] ?? '').startsWith('k8s://') && props['spark.kubernetes.resource.type'] === 'python';
  const factor = factorText !== undefined && Number.isFinite(Number(factorText)) ? Number(factorText) : k8sPython ? 0.4 : 0.1;
  const minOverhead = parseSparkSizeMiB(props['spark.executor.minMemoryOverhead']) ?? THRESHOLDS.overheadMinMiB;
  const overhead = ovh ?? Math.max(minOverhead, Math.floor(factor * memoryMiB));
  const offHeap = props['spark.memory.offHeap.enabled'] === 'true' ? (parseSparkSizeMiB(props['spark.memory.offHeap.size']) ?? 0) : 0;
  const pyspark = parseSparkSizeMiB(props['spark.executor.pyspark.memory']) ?? 0;
  return memoryMiB + overhead + offHeap + pyspark;
}

/**
 * The run with its stages' task durations changed to what they would be under `c` (partitions re-bucketed, memory
 * shortfall and contention applied), ready to replay at `c`'s shape. Stages without durations are left as they are.
 */
export function adjustRun(r: ApplicationRecord, c: ResourceChoice, t: Tuning, physicalCores?: number): ApplicationRecord {
  const own = runChoice(r);
  if (own === null) return r;
  const fraction = memoryFraction(r);
  const ownShare = executionSharePerTaskBytes(own.executorMemoryMiB, own.executorCores, fraction);
  const newShare = executionSharePerTaskBytes(c.executorMemoryMiB, c.executorCores, fraction);
  const cpus = Math.max(1, Number(r.sparkProperties['spark.task.cpus']) || 1);
  const ownSlots = own.executorInstances * Math.max(1, Math.floor(own.executorCores / cpus));
  const newSlots = c.executorInstances * Math.max(1, Math.floor(c.executorCores / cpus));
  let contention = 1;
  if (physicalCores !== undefined && physicalCores > 0) {
    const f = (slots: number) => Math.max(1, slots / physicalCores) ** t.contentionExponent;
    contention = f(newSlots) / f(ownSlots);
  }
  // Heap need per core from the run's peak JVM heap (DataFlint / Dr. Elephant: headroom × peak + 300 MiB reserved),
  // a floor for every stage: Peak Execution Memory misses what sort-based shuffle writes and Python workers hold.
  const heapNeedPerCoreMiB = r.peakJvmHeapBytes !== null ? ((r.peakJvmHeapBytes / MIB) * t.memoryHeadroom) / own.executorCores + THRESHOLDS.reservedMemoryMiB : 0;
  const heapShort = (memoryMiB: number, cores: number) => shortfall(heapNeedPerCoreMiB, memoryMiB / cores);
  const heapShortNew = heapShort(c.executorMemoryMiB, c.executorCores);
  const heapShortOwn = heapShort(own.executorMemoryMiB, own.executorCores);
  const stages = r.stages.map((s): StageRecord => {
    const d = stageDurations(s);
    if (d === null || d.length === 0) return s;
    const rebucket = own.shufflePartitions !== c.shufflePartitions && s.numTasks === own.shufflePartitions && s.shuffleReadBytes > 0;
    const ratio = rebucket ? own.shufflePartitions / c.shufflePartitions : 1;
    const need = stageNeedPerTask(s, t);
    // Only the data-bound part of the need moves with the partition size: at most memoryPerShuffleByte × the bytes a
    // task read (Java objects take 2-5× their serialized size: Spark tuning guide, "Memory Tuning"); the rest
    // (fixed buffers) stays.
    const dataPart = Math.min(need, ((s.shuffleReadBytes + s.inputBytes) / Math.max(1, d.length)) * t.memoryPerShuffleByte);
    const newNeed = need - dataPart + dataPart * ratio;
    // The candidate must hold the need with headroom (memoryHeadroom, as DataFlint's 1.2 × peak); the run as it ran
    // is judged on its bare need (its measured durations already carry any spill).
    const shortNew = Math.max(heapShortNew, shortfall(newNeed * t.memoryHeadroom, newShare));
    const shortOwn = Math.max(heapShortOwn, shortfall(need, ownShare));
    const factor = ((1 + t.spillPenalty * shortNew) / (1 + t.spillPenalty * shortOwn)) * contention;
    let out: number[];
    if (rebucket) {
      const sorted = [...d].sort((x, y) => x - y);
      const median = sorted[Math.floor(sorted.length / 2)];
      const n2 = c.shufflePartitions;
      const total = d.reduce((a, x) => a + x, 0);
      const overhead = Math.min(median, Math.max(0, (total - s.executorRunTimeMs) / d.length) + t.taskOverheadMs);
      // Hot keys: the few longest tasks past skewTaskFactor × median (at most 1 % of the tasks, at least 1, and fewer
      // than the new partitions); more long tasks than that are noise (contention), not data skew, and are spread.
      const maxSkewed = Math.min(n2 - 1, Math.max(1, Math.floor(d.length * 0.01)));
      const hot = new Set(
        d
          .map((ms, i) => ({ ms, i }))
          .filter((x) => median > 0 && x.ms > t.skewTaskFactor * median)
          .sort((a, b) => b.ms - a.ms)
          .slice(0, Math.max(0, maxSkewed))
          .map((x) => x.i),
      );
      let rest = 0;
      d.forEach((ms, i) => {
        if (!hot.has(i)) rest += Math.max(0, ms - overhead);
      });
      const uniform = rest / (n2 - hot.size) + overhead;
      out = new Array<number>(n2).fill(uniform);
      // Each hot task replaces one uniform task at its relative position (the next free one on a collision).
      const taken = new Set<number>();
      for (const i of [...hot].sort((a, b) => a - b)) {
        let p = Math.min(n2 - 1, Math.floor((i * n2) / d.length));
        while (taken.has(p)) p = (p + 1) % n2;
        taken.add(p);
        out[p] = d[i];
      }
    } else out = d;
    return { ...s, taskDurationsMs: factor === 1 ? out : out.map((x) => x * factor) };
  });
  return { ...r, stages };
}

/**
 * The shuffle partition count a configuration should have for the job's data: enough partitions for
 * `tasksPerCore` tasks per task slot (Spark tuning guide, "Level of Parallelism": 2-3 tasks per CPU core), and
 * enough that no partition of the largest shuffle (max `Shuffle Read` bytes of one stage over the runs) exceeds
 * `targetPartitionMiB` (DataFlint: 128 MiB). Used to break ties between configurations the model predicts equally
 * fast: with AQE coalescing, the replay cannot see the cost of too many partitions (map-side shuffle files and
 * tasks), which the evaluation's runs measure (16 partitions beat 200 on every workload of eval/runs).
 * @returns a function of the candidate giving its wanted partition count (≥ 1).
 */
function partitionsNeeded(runs: readonly ApplicationRecord[], t: Tuning): (c: ResourceChoice) => number {
  const maxShuffle = Math.max(0, ...runs.flatMap((r) => r.stages.map((s) => s.shuffleReadBytes)));
  const bySize = Math.ceil(maxShuffle / (t.targetPartitionMiB * MIB));
  return (c) => Math.max(1, bySize, c.executorInstances * c.executorCores * t.tasksPerCore);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

/**
 * Predicts every candidate from the runs (the model of the module comment).
 * @param runs the job's runs (finished ones are used when there are any).
 * @returns one estimate per candidate, in order.
 */
export function estimateCandidates(runs: readonly ApplicationRecord[], candidates: readonly ResourceChoice[], options: RecommendOptions = {}): CandidateEstimate[] {
  const t: Tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const finished = runs.filter((r) => r.completed);
  const pool = (finished.length > 0 ? finished : [...runs]).map((r) => ({ r, c: runChoice(r) }));
  const known = pool.filter((x): x is { r: ApplicationRecord; c: ResourceChoice } => x.c !== null).sort((a, b) => b.r.startTimeMs - a.r.startTimeMs);
  // Memory per core at which runs failed with OOM or container kills: candidates at or below are excluded.
  const oomPerCore = Math.max(
    0,
    ...known.filter((x) => x.r.taskFailures.some((f) => (f.kind === 'oom' || f.kind === 'container-killed') && f.count > 0)).map((x) => x.c.executorMemoryMiB / x.c.executorCores),
  );
  const cluster = options.cluster;
  return candidates.map((c): CandidateEstimate => {
    let excluded: string | null = null;
    if (oomPerCore > 0 && c.executorMemoryMiB / c.executorCores <= oomPerCore) excluded = `tasks ran out of memory with ${formatSparkSizeMiB(oomPerCore)} per core`;
    if (cluster !== undefined) {
      if (cluster.nodeCores > 0 && c.executorCores > cluster.nodeCores) excluded = `${c.executorCores} cores exceed a node's ${cluster.nodeCores} (SPARK009)`;
      const props = known[0]?.r.sparkProperties ?? {};
      if (cluster.nodeMemoryMiB > 0 && containerMiB(c.executorMemoryMiB, props) > cluster.nodeMemoryMiB) {
        excluded = `container ${formatSparkSizeMiB(containerMiB(c.executorMemoryMiB, props))} exceeds a node's ${formatSparkSizeMiB(cluster.nodeMemoryMiB)} (SPARK010)`;
      }
      if (cluster.maxExecutors !== undefined && cluster.maxExecutors > 0 && c.executorInstances > cluster.maxExecutors) excluded = `${c.executorInstances} executors exceed ${cluster.maxExecutors}`;
    }
    const measured = known.filter((x) => sameChoice(x.c, c));
    let nearest: { r: ApplicationRecord; c: ResourceChoice } | null = null;
    let best = Infinity;
    for (const x of known) {
      const dist = choiceDistance(x.c, c);
      if (dist < best - 1e-12) {
        best = dist;
        nearest = x;
      }
    }
    let simMs: number | null = null;
    if (nearest !== null) {
      const est = simulateRun(adjustRun(nearest.r, c, t, cluster?.physicalCores), { executorInstances: c.executorInstances, executorCores: c.executorCores });
      simMs = est?.durationMs ?? null;
    }
    let durationMs: number | null = simMs;
    if (measured.length > 0) {
      const m = measured.reduce((a, x) => a + x.r.durationMs, 0) / measured.length;
      const wm = t.measuredWeight * measured.length;
      durationMs = simMs === null ? m : (wm * m + simMs) / (wm + 1);
    }
    return {
      choice: c,
      durationMs,
      executorCoreHours: durationMs === null ? null : (c.executorInstances * c.executorCores * durationMs) / 3.6e6,
      excluded,
      basedOn: nearest?.r.appId ?? null,
      measured: measured.map((x) => x.r.appId),
    };
  });
}

/** Configurations to consider when the caller gives none: around the runs, within the cluster. */
function generateCandidates(known: { r: ApplicationRecord; c: ResourceChoice }[], t: Tuning, options: RecommendOptions): ResourceChoice[] {
  const newest = known[0];
  const cluster = options.cluster;
  const maxCores = Math.max(1, Math.min(t.maxCoresPerExecutor, cluster && cluster.nodeCores > 0 ? cluster.nodeCores : t.maxCoresPerExecutor));
  const maxInst = cluster?.maxExecutors ?? Math.max(8, 2 * newest.c.executorInstances);
  const instances = [...new Set([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, newest.c.executorInstances].filter((n) => n <= maxInst))];
  const cores = [...new Set([1, 2, 3, 4, 5, 6, 8, newest.c.executorCores].filter((n) => n <= maxCores || n === newest.c.executorCores))];
  // Memory per core: the need of the most demanding stage × headroom, at least the heap floor (1.2 × peak heap + 300 MiB).
  const needPerTask = Math.max(0, ...known.flatMap((x) => x.r.stages.map((s) => stageNeedPerTask(s, t))));
  const maxShuffle = Math.max(0, ...known.flatMap((x) => x.r.stages.map((s) => s.shuffleReadBytes)));
  const out: ResourceChoice[] = [];
  for (const co of cores) {
    const needMiB = (needPerTask * t.memoryHeadroom * co) / MIB / THRESHOLDS.memoryFraction + THRESHOLDS.reservedMemoryMiB;
    const heapFloorMiB = Math.max(
      0,
      ...known.filter((x) => x.r.peakJvmHeapBytes !== null).map((x) => (((x.r.peakJvmHeapBytes ?? 0) / MIB) * t.memoryHeadroom * co) / x.c.executorCores + THRESHOLDS.reservedMemoryMiB),
    );
    const mem = Math.max(512, Math.ceil(Math.max(needMiB, heapFloorMiB) / 512) * 512);
    for (const inst of instances) {
      const slots = inst * co;
      const parts = [...new Set([newest.c.shufflePartitions, Math.max(slots * t.tasksPerCore, Math.ceil(maxShuffle / (t.targetPartitionMiB * MIB))), slots, slots * 2, slots * 3])];
      for (const p of parts) out.push({ executorMemoryMiB: mem, executorCores: co, executorInstances: inst, shufflePartitions: p });
    }
  }
  return out;
}

/**
 * Recommends executor memory, cores, instances and shuffle partitions for a job from its past runs (model in the
 * module comment).
 * @param runs the job's own past runs (any order; sorted by start time here). Finished runs are used when any exist.
 * @param options candidates (the answer is then one of them), cluster limits, tuning overrides, clock.
 * @returns the choice with its expected duration (ms) and executor-core-hours, a confidence in [0, 1] =
 *   sample (n / (n + 1), n = runs) × recency (0.5^(age of the newest run / recencyHalfLifeDays)) × consistency
 *   (1 − median |simulation error| of the runs on themselves, and 1 − the relative spread of runs measured at the
 *   choice, each floored at 0), and evidence lines naming app ids.
 * @throws RangeError when `runs` is empty, or when no run has a known executor shape to replay.
 */
export function recommendResources(runs: readonly ApplicationRecord[], options: RecommendOptions = {}): ResourceRecommendation {
  if (runs.length === 0) throw new RangeError('recommendResources needs at least one run of the job');
  const t: Tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const nowMs = options.nowMs ?? Date.now();
  const finished = runs.filter((r) => r.completed);
  const used = (finished.length > 0 ? finished : [...runs]).sort((a, b) => b.startTimeMs - a.startTimeMs);
  const known = used.map((r) => ({ r, c: runChoice(r) })).filter((x): x is { r: ApplicationRecord; c: ResourceChoice } => x.c !== null);
  if (known.length === 0) throw new RangeError(`no run of ${used[0].appName} has a known executor shape (executors × cores) to replay`);

  const candidates = options.candidates !== undefined && options.candidates.length > 0 ? options.candidates : generateCandidates(known, t, options);
  const estimates = estimateCandidates(used, candidates, options);
  const usable = estimates.filter((e) => e.excluded === null && e.durationMs !== null);
  const pickFrom = usable.length > 0 ? usable : estimates.filter((e) => e.durationMs !== null).length > 0 ? estimates.filter((e) => e.durationMs !== null) : estimates;
  let chosen: CandidateEstimate;
  if (pickFrom.every((e) => e.durationMs === null)) {
    // Nothing replayable: the candidate nearest to the newest run.
    chosen = [...pickFrom].sort((a, b) => choiceDistance(a.choice, known[0].c) - choiceDistance(b.choice, known[0].c))[0];
  } else {
    const fastest = Math.min(...pickFrom.map((e) => e.durationMs ?? Infinity));
    const within = pickFrom.filter((e) => (e.durationMs ?? Infinity) <= fastest * (1 + t.durationSlack));
    // Cheapest in core-hours (differences under 1 % are ties), then fewer and larger executors, then the partition
    // count nearest the data's need, then least memory, then fastest.
    const cheapest = Math.min(...within.map((e) => e.executorCoreHours ?? Infinity));
    const wantedPartitions = partitionsNeeded(known.map((x) => x.r), t);
    const partitionMiss = (e: CandidateEstimate) => Math.abs(Math.log(e.choice.shufflePartitions / wantedPartitions(e.choice)));
    chosen = within
      .filter((e) => (e.executorCoreHours ?? Infinity) <= cheapest * 1.01)
      .sort(
        (a, b) =>
          a.choice.executorInstances - b.choice.executorInstances ||
          partitionMiss(a) - partitionMiss(b) ||
          a.choice.executorMemoryMiB - b.choice.executorMemoryMiB ||
          (a.durationMs ?? 0) - (b.durationMs ?? 0),
      )[0];
  }

  // Confidence.
  const sample = known.length / (known.length + 1);
  const ageDays = Math.max(0, (nowMs - known[0].r.startTimeMs) / 86_400_000);
  const recency = 0.5 ** (ageDays / t.recencyHalfLifeDays);
  const errors = known.map((x) => simulationError(x.r)).filter((e) => e !== null);
  const modelError = errors.length > 0 ? median(errors.map((e) => Math.abs(e.relativeError))) : 1;
  const atChoice = known.filter((x) => sameChoice(x.c, chosen.choice)).map((x) => x.r.durationMs);
  const spread = atChoice.length >= 2 ? (Math.max(...atChoice) - Math.min(...atChoice)) / (atChoice.reduce((a, b) => a + b, 0) / atChoice.length) : 0;
  const consistency = Math.max(0, 1 - modelError) * Math.max(0, 1 - spread);
  const confidence = Math.round(sample * recency * consistency * 100) / 100;

  // Evidence.
  const evidence: string[] = [];
  const fmt = (c: ResourceChoice) => `${c.executorInstances} × ${c.executorCores} cores, ${formatSparkSizeMiB(c.executorMemoryMiB)}, ${c.shufflePartitions} partitions`;
  for (const x of known.slice(0, 5)) {
    const err = simulationError(x.r);
    evidence.push(
      `${x.r.appId} (${fmt(x.c)}): ${formatDurationMs(x.r.durationMs)} measured${err !== null ? `; the simulation gives ${formatDurationMs(err.estimatedMs)} on it (model error ${(err.relativeError * 100).toFixed(1)} %)` : ''}${x.r.diskSpilledBytes > 0 ? `; spilled ${formatBytes(x.r.diskSpilledBytes)}` : ''}.`,
    );
  }
  if (chosen.durationMs !== null) {
    evidence.push(
      `${fmt(chosen.choice)}: expected ${formatDurationMs(chosen.durationMs)}, ${(chosen.executorCoreHours ?? 0).toFixed(4)} executor-core-hours, replayed from ${chosen.basedOn ?? 'no run'}${chosen.measured.length > 0 ? ` and measured in ${chosen.measured.join(', ')}` : ''}.`,
    );
  }
  const worst = known
    .flatMap((x) => x.r.stages.map((s) => ({ x, s, need: stageNeedPerTask(s, t) })))
    .sort((a, b) => b.need - a.need)[0];
  if (worst !== undefined && worst.need > 0) {
    const share = executionSharePerTaskBytes(chosen.choice.executorMemoryMiB, chosen.choice.executorCores, memoryFraction(worst.x.r));
    evidence.push(
      `Memory: stage ${worst.s.stageId} of ${worst.x.r.appId} needed about ${formatBytes(worst.need)} per task (peak ${formatBytes(worst.s.peakExecutionMemoryBytes)} + ${formatBytes(worst.s.memorySpilledBytes / Math.max(1, worst.s.succeededTasks))} spilled) at ${worst.x.c.shufflePartitions} partitions; ${formatSparkSizeMiB(chosen.choice.executorMemoryMiB)} over ${chosen.choice.executorCores} cores gives ${formatBytes(share)} per task.`,
    );
  }
  const excluded = estimates.filter((e) => e.excluded !== null);
  if (excluded.length > 0) {
    evidence.push(`${excluded.length} configuration(s) left out: ${[...new Set(excluded.map((e) => e.excluded))].slice(0, 3).join('; ')} (runs considered: ${known.map((x) => x.r.appId).join(', ')}).`);
  }

  return {
    choice: chosen.choice,
    expectedDurationMs: chosen.durationMs,
    expectedExecutorCoreHours: chosen.executorCoreHours,
    confidence,
    evidence,
  };
}

/** Shapes for a what-if table around a run's own shape: executor counts ½×…2× at its cores. */
export function shapesAround(shape: ExecutorShape): ExecutorShape[] {
  const n = shape.executorInstances;
  const counts = [...new Set([Math.max(1, Math.round(n / 2)), Math.max(1, n - 1), n, n + 1, Math.round(n * 1.5), n * 2])].sort((a, b) => a - b);
  return counts.map((executorInstances) => ({ executorInstances, executorCores: shape.executorCores }));
}
