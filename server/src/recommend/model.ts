/**
 * The engine's prediction model: the expected wall time of a workload at a resource configuration (executor memory, cores,
 * instances, shuffle partitions), predicted from the workload's past runs. Used by the engine (engine.ts) for every
 * candidate, for the what-if tables and by the evaluation's predictor; nothing else predicts durations.
 *
 * A configuration is predicted from the **nearest past run** (configuration distance: |log ratio| of memory per core,
 * cores, instances and partitions; ties go to the newest run):
 * 1. **Partitions**: stages that ran one task per shuffle partition (`numTasks` = the run's
 *    `spark.sql.shuffle.partitions`, i.e. not coalesced by AQE) are re-bucketed to the new count: their work (task
 *    durations minus a fixed per-task overhead: the stage's mean (duration − Executor Run Time) plus
 *    `taskOverheadMs`) is spread evenly over the new tasks, except hot-key tasks (longer than `hotTaskFactor` × the
 *    median, at most 1 % of the tasks), which stay whole: a hot key lands in one partition whatever the count.
 * 2. **Memory**: a stage's execution memory need per task is its `Peak Execution Memory` plus `spillNeedFactor` × its
 *    `Memory Bytes Spilled` per task; for re-bucketed stages its data-bound part (at most `memoryPerShuffleByte` × the
 *    bytes a task read) scales with the partition ratio. The run's peak JVM heap per core × `memoryHeadroom` + 300 MiB
 *    is a floor for every stage. What a task gets is its share of the unified region (resource-model
 *    `executionMemoryPerTaskBytes`). Where the need exceeds the share, the stage's durations grow by `spillPenalty` ×
 *    the shortfall share; a run that spilled has that cost removed when the configuration has enough memory.
 * 3. **CPU contention** (capacity.ts): when the runs prove that a host runs fewer tasks' CPU work at once than it has
 *    slots (its CPU capacity, {@link cpuCapacityPerHost}), each stage's task durations change by
 *    {@link contentionFactor} from the tasks the base ran at once per host to those the configuration runs, their CPU
 *    part also by how the tasks' CPU time grows with the executors and slots per host ({@link cpuInflation}). Without
 *    that proof (slots that really run in parallel) nothing changes.
 * 4. **Cores and instances**: the adjusted run is replayed over the configuration's task slots (what-if.ts), and its
 *    driver-only time has the base's executor start-up wait replaced by the wait for the configuration's executors
 *    (the workload's {@link startupLine}; the executors its `spark.scheduler.minRegisteredResourcesRatio` makes the first
 *    stage wait for).
 * 5. Runs measured **at exactly the configuration** are averaged with the replay, each weighing `measuredWeight`
 *    times the replayed estimate.
 *
 * Runs are replayed once per distinct adjustment and slot count (what-if.ts memoises both), so predicting a few
 * hundred configurations of one workload replays each run only a handful of times.
 *
 * Sources: Sparklens what-if replay (qubole/sparklens `CompletionEstimator`); memory headroom 1.2 × peak (DataFlint
 * executorMemoryTooLow, Dr. Elephant JvmUsedMemoryHeuristic); hot-key factor 5 = AQE's
 * `spark.sql.adaptive.skewJoin.skewedPartitionFactor` default; Java objects 2-5× their serialized size (Spark tuning
 * guide, "Memory Tuning"). The numbers are {@link DEFAULT_TUNING}.
 */
import { HEAP_HEADROOM } from '../analysis/heuristics';
import type { ApplicationRecord, StageRecord } from '../history/application-record';
import {
  DEFAULT_EXECUTOR_MEMORY_MIB,
  DEFAULT_SHUFFLE_PARTITIONS,
  executionMemoryPerTaskBytes,
  lookupOf,
  memoryFractionOf,
  runShape,
  taskCpusOf,
  taskSlots,
} from '../resource-model';
import {
  type ExecutorStartup,
  type StartupLine,
  contentionFactor,
  type CpuInflation,
  cpuInflation,
  inflationRatio,
  cpuCapacityPerHost,
  executorStartup,
  hostsOf,
  startupLine,
} from './capacity';
import { replayOf, stageDurations } from './what-if';

/** One resource configuration. Memory in MiB (`spark.executor.memory`). */
export interface ResourceChoice {
  executorMemoryMiB: number;
  executorCores: number;
  executorInstances: number;
  shufflePartitions: number;
}

/** The engine's tunable numbers (plain numbers; sources in each comment). */
export interface Tuning {
  /** Heap sized to this × the need (DataFlint / Dr. Elephant: 1.2 × peak). */
  memoryHeadroom: number;
  /** Weight of `Memory Bytes Spilled` per task in a stage's memory need (1: all of it would have had to fit). */
  spillNeedFactor: number;
  /** Slowdown of a stage whose memory need is not met at all (the full shortfall share), as a fraction of its durations. */
  spillPenalty: number;
  /** Bytes of execution memory per byte a task reads, bounding the part of the need that scales with partition size (Java objects 2-5× serialized). */
  memoryPerShuffleByte: number;
  /** Fixed cost of one task inside its `Executor Run Time` (setup, Python worker hand-over), ms. */
  taskOverheadMs: number;
  /** A task longer than this × its stage's median is a hot-key task re-bucketing keeps whole (AQE skewedPartitionFactor 5). */
  hotTaskFactor: number;
  /** Weight of one run measured at the exact configuration, relative to the replayed estimate (weight 1). */
  measuredWeight: number;
  /** Target bytes of shuffle data per partition, MiB (DataFlint: 128). */
  targetPartitionMiB: number;
  /** Partitions per task slot at least (Spark tuning guide: 2-3 per core). */
  tasksPerSlot: number;
  /** Most cores per executor the engine proposes (Dr. Elephant's recommender caps 4); the current value is always allowed. */
  maxCoresPerExecutor: number;
  /** Heap values are rounded up to this step, MiB. */
  memoryStepMiB: number;
  /** Age in days at which a run's weight in the confidence halves (workloads and their data drift over months, not days). */
  recencyHalfLifeDays: number;
  /** Run-to-run noise assumed when the workload has no two runs of one configuration (share of duration). */
  defaultNoise: number;
  /** Relative differences below this are ties when ranking candidates. */
  tieTolerance: number;
}

/** Defaults (sources in the {@link Tuning} comments). */
export const DEFAULT_TUNING: Tuning = {
  memoryHeadroom: HEAP_HEADROOM,
  spillNeedFactor: 1,
  spillPenalty: 0.3,
  memoryPerShuffleByte: 2,
  taskOverheadMs: 20,
  hotTaskFactor: 5,
  measuredWeight: 2,
  targetPartitionMiB: 128,
  tasksPerSlot: 2,
  maxCoresPerExecutor: 4,
  memoryStepMiB: 512,
  recencyHalfLifeDays: 180,
  defaultNoise: 0.1,
  tieTolerance: 0.01,
};

const MIB = 1024 * 1024;

/** The configuration a run had (memory, cores, instances, partitions), with Spark's defaults for unset values; null when its shape is unknown. */
export function runChoice(r: ApplicationRecord): ResourceChoice | null {
  const shape = runShape(r);
  if (shape === null) return null;
  return {
    executorMemoryMiB: r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB,
    executorCores: shape.executorCores,
    executorInstances: shape.executorInstances,
    shufflePartitions: r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS,
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

/** Same configuration (all four fields equal). */
export function sameChoice(a: ResourceChoice, b: ResourceChoice): boolean {
  return (
    a.executorMemoryMiB === b.executorMemoryMiB &&
    a.executorCores === b.executorCores &&
    a.executorInstances === b.executorInstances &&
    a.shufflePartitions === b.shufflePartitions
  );
}

/** A configuration as people read it: `2 × 2 cores, 1g, 200 partitions`. */
export function describeChoice(c: ResourceChoice): string {
  const mem = c.executorMemoryMiB % 1024 === 0 ? `${c.executorMemoryMiB / 1024}g` : `${c.executorMemoryMiB}m`;
  return `${c.executorInstances} × ${c.executorCores} cores, ${mem}, ${c.shufflePartitions} partitions`;
}

/** Execution memory need per task of a stage, bytes: peak + spillNeedFactor × memory spilled per task. */
export function stageNeedPerTask(s: StageRecord, t: Tuning = DEFAULT_TUNING): number {
  const tasks = Math.max(1, s.succeededTasks || s.numTasks);
  return s.peakExecutionMemoryBytes + (t.spillNeedFactor * s.memoryBytesSpilled) / tasks;
}

function shortfall(needBytes: number, shareBytes: number): number {
  return needBytes > shareBytes && needBytes > 0 ? (needBytes - shareBytes) / needBytes : 0;
}

/** Task slots of a configuration for a run's `spark.task.cpus`. */
function slotsOf(c: ResourceChoice, taskCpus: number): number {
  return c.executorInstances * taskSlots(c.executorCores, taskCpus);
}

/** A run the model predicts from, with its configuration and per-run constants. */
interface BaseRun {
  r: ApplicationRecord;
  c: ResourceChoice;
  taskCpus: number;
  fraction: number;
  /** Heap need per task slot from the run's peak JVM heap, MiB (0 without executor metrics). */
  heapNeedPerSlotMiB: number;
  /** What the run waited for executors before its first stage (capacity.ts), null when not known. */
  startup: ExecutorStartup | null;
  /** Distinct hosts of its executors (≥ 1). */
  hosts: number;
}

/** Options of a {@link WorkloadModel}. */
export interface ModelOptions {
  /**
   * CPU capacity of one host (cores that run CPU work at once, capacity.ts {@link cpuCapacityPerHost}); null: unlimited
   * (slots run in parallel). Default: estimated from the model's own runs. The engine (given the store's runs of the
   * cluster, engine.ts `PlanInput.clusterRuns`) and the evaluation pass capacity.ts `clusterFacts` of the cluster's runs.
   */
  cpuCapacityPerHost?: number | null;
  /**
   * Executor start-up wait as a function of the executors waited for (capacity.ts {@link startupLine}); null: kept as
   * measured. Default: fitted on the model's own runs; from the cluster's runs as `cpuCapacityPerHost`.
   */
  startup?: StartupLine | null;
  /**
   * How the tasks' CPU time grows with the executors and slots sharing a host (capacity.ts {@link cpuInflation}),
   * applied with the CPU capacity only; null: unchanged. Default: fitted on the model's own runs; from the cluster's
   * runs as `cpuCapacityPerHost`.
   */
  cpuInflation?: CpuInflation | null;
}

/** A prediction. */
export interface Prediction {
  /** Expected wall time, ms; null when no run could be replayed or measured there. */
  durationMs: number | null;
  /** The run it was replayed from. */
  basedOn: string | null;
  /** Runs measured at exactly this configuration. */
  measured: string[];
}

/**
 * The model of one workload (module comment), built from its runs; `predict` answers any configuration.
 * Runs without a known executor shape are left out; finished runs are used when there are any.
 */
export class WorkloadModel {
  /** Runs it predicts from, newest first. */
  readonly bases: readonly BaseRun[];
  /** CPU capacity of one host used for contention (null: unlimited). */
  readonly cpuCapacity: number | null;
  /** Executor start-up wait as a function of the executors waited for (null: kept as measured). */
  readonly startup: StartupLine | null;
  /** Growth of the tasks' CPU time with executors and slots per host (null: none), used with {@link cpuCapacity}. */
  readonly cpuInflation: CpuInflation | null;
  /** Adjusted runs by their inputs (base, partitions, memory share), and by their outcome (the stage factors). */
  private readonly byInput = new Map<string, ApplicationRecord>();
  private readonly byOutcome = new Map<string, ApplicationRecord>();
  /** Re-bucketed durations by base, stage attempt and partition count. */
  private readonly rebucketed = new Map<string, number[]>();

  constructor(
    runs: readonly ApplicationRecord[],
    readonly tuning: Tuning = DEFAULT_TUNING,
    options: ModelOptions = {},
  ) {
    const finished = runs.filter((r) => r.completed);
    const pool = finished.length > 0 ? finished : [...runs];
    const bases: BaseRun[] = [];
    for (const r of pool) {
      const c = runChoice(r);
      if (c === null) continue;
      const lookup = lookupOf(r.sparkProperties);
      const taskCpus = taskCpusOf(lookup);
      const slots = taskSlots(c.executorCores, taskCpus);
      bases.push({
        r,
        c,
        taskCpus,
        fraction: memoryFractionOf(lookup),
        heapNeedPerSlotMiB:
          r.peakJvmHeapMemoryBytes !== null
            ? ((r.peakJvmHeapMemoryBytes / MIB) * tuning.memoryHeadroom) / slots + 300 / slots
            : 0,
        startup: executorStartup(r),
        hosts: hostsOf(r),
      });
    }
    bases.sort((a, b) => b.r.startTimeMs - a.r.startTimeMs);
    this.bases = bases;
    this.cpuCapacity = options.cpuCapacityPerHost !== undefined ? options.cpuCapacityPerHost : cpuCapacityPerHost(pool);
    // Used only with a CPU capacity: without one, nothing to fit.
    this.cpuInflation =
      options.cpuInflation !== undefined ? options.cpuInflation : this.cpuCapacity === null ? null : cpuInflation(pool);
    this.startup =
      options.startup !== undefined
        ? options.startup
        : startupLine(bases.flatMap((b) => (b.startup === null ? [] : [b.startup])));
  }

  /** The run nearest to `c` (configuration distance, newest first on ties); null without runs. */
  nearest(c: ResourceChoice): BaseRun | null {
    let best: BaseRun | null = null;
    let bestD = Infinity;
    for (const b of this.bases) {
      const d = choiceDistance(b.c, c);
      if (d < bestD - 1e-12) {
        best = b;
        bestD = d;
      }
    }
    return best;
  }

  /** Predicts the wall time of `c` (module comment). */
  predict(c: ResourceChoice): Prediction {
    const measured = this.bases.filter((b) => sameChoice(b.c, c));
    const base = this.nearest(c);
    let simMs: number | null = null;
    if (base !== null) {
      const adj = this.adjust(base, c);
      const replay = replayOf(adj);
      if (replay !== null)
        simMs = this.driverOnlyMs(base, replay.driverOnlyMs, c) + replay.stagesMs(slotsOf(c, base.taskCpus));
    }
    let durationMs = simMs;
    if (measured.length > 0) {
      const m = measured.reduce((a, x) => a + x.r.durationMs, 0) / measured.length;
      const wm = this.tuning.measuredWeight * measured.length;
      durationMs = simMs === null ? m : (wm * m + simMs) / (wm + 1);
    }
    return { durationMs, basedOn: base?.r.appId ?? null, measured: measured.map((b) => b.r.appId) };
  }

  /** The base's driver-only time with its executor start-up wait replaced by the wait for `c`'s executors (step 4). */
  private driverOnlyMs(b: BaseRun, measuredMs: number, c: ResourceChoice): number {
    const st = b.startup;
    if (st === null || this.startup === null || st.executors === 0 || st.requested <= 0) return measuredMs;
    // Spark's scheduler waits until registered ÷ requested ≥ the ratio.
    const waited = Math.min(c.executorInstances, Math.ceil(st.ratio * c.executorInstances - 1e-9));
    const line = this.startup;
    const predicted = waited > 0 ? line.interceptMs + line.perExecutorMs * waited : 0;
    return Math.max(0, measuredMs - st.waitMs + predicted);
  }

  /** Tasks of a stage running at once on one host: its tasks over the hosts, at most the slots per host. */
  private static tasksPerHost(s: StageRecord, slots: number, hosts: number): number {
    const h = Math.max(1, hosts);
    return Math.min(slots / h, Math.max(1, s.succeededTasks || s.numTasks) / h);
  }

  /**
   * The base run with its task durations changed to what they would be under `c` (partitions re-bucketed, memory
   * shortfall applied), cached per distinct outcome, so configurations that differ only in executors and cores share
   * one adjusted run (and one replay graph).
   */
  private adjust(b: BaseRun, c: ResourceChoice): ApplicationRecord {
    const t = this.tuning;
    const own = b.c;
    const ownShare = executionMemoryPerTaskBytes(
      own.executorMemoryMiB,
      taskSlots(own.executorCores, b.taskCpus),
      b.fraction,
    );
    const newSlotsPerExecutor = taskSlots(c.executorCores, b.taskCpus);
    const newShare = executionMemoryPerTaskBytes(c.executorMemoryMiB, newSlotsPerExecutor, b.fraction);
    const heapShortNew = shortfall(b.heapNeedPerSlotMiB, c.executorMemoryMiB / newSlotsPerExecutor);
    const cap = this.cpuCapacity;
    const ownSlots = slotsOf(own, b.taskCpus);
    const newSlots = slotsOf(c, b.taskCpus);
    const newHosts = Math.min(c.executorInstances, b.hosts);
    const cpuRatio = inflationRatio(
      this.cpuInflation,
      { executors: own.executorInstances / b.hosts, slots: ownSlots / b.hosts },
      { executors: c.executorInstances / newHosts, slots: newSlots / newHosts },
    );
    const inputKey = `${b.r.appId}|${b.r.attemptId ?? ''}|${c.shufflePartitions}|${Math.round(newShare)}|${heapShortNew}|${cap === null ? '' : `${newSlots}/${newHosts}/${cpuRatio}`}`;
    const known = this.byInput.get(inputKey);
    if (known !== undefined) return known;
    const heapShortOwn = shortfall(
      b.heapNeedPerSlotMiB,
      own.executorMemoryMiB / taskSlots(own.executorCores, b.taskCpus),
    );
    const plan = b.r.stages.map((s) => {
      const d = stageDurations(s);
      if (d === null || d.length === 0) return null;
      const rebucket =
        own.shufflePartitions !== c.shufflePartitions && s.numTasks === own.shufflePartitions && s.shuffleReadBytes > 0;
      const ratio = rebucket ? own.shufflePartitions / c.shufflePartitions : 1;
      const need = stageNeedPerTask(s, t);
      const dataPart = Math.min(
        need,
        ((s.shuffleReadBytes + s.inputBytes) / Math.max(1, d.length)) * t.memoryPerShuffleByte,
      );
      const newNeed = need - dataPart + dataPart * ratio;
      // Both sides judged alike (the need with headroom against the share), so the run's own memory per task changes
      // nothing; a run that spilled has that cost removed when the configuration holds the need.
      const shortNew = Math.max(heapShortNew, shortfall(newNeed * t.memoryHeadroom, newShare));
      const shortOwn = Math.max(heapShortOwn, shortfall(need * t.memoryHeadroom, ownShare));
      const contention =
        cap === null
          ? 1
          : contentionFactor(
              s,
              WorkloadModel.tasksPerHost(s, ownSlots, b.hosts),
              WorkloadModel.tasksPerHost(s, newSlots, newHosts),
              cap,
              cpuRatio,
            );
      const factor = ((1 + t.spillPenalty * shortNew) / (1 + t.spillPenalty * shortOwn)) * contention;
      return { s, d, rebucket, factor };
    });
    const key = `${b.r.appId}|${b.r.attemptId ?? ''}|${c.shufflePartitions}|${plan.map((p) => (p === null ? '-' : `${p.rebucket ? 'r' : ''}${p.factor.toFixed(6)}`)).join(',')}`;
    let adj = this.byOutcome.get(key);
    if (adj === undefined) {
      const stages = plan.map((p, i): StageRecord => {
        if (p === null) return b.r.stages[i];
        const { s, d, rebucket, factor } = p;
        let out = d;
        if (rebucket) {
          const rk = `${b.r.appId}|${b.r.attemptId ?? ''}|${s.stageId}.${s.attemptId}|${c.shufflePartitions}`;
          out = this.rebucketed.get(rk) ?? rebucketDurations(s, d, c.shufflePartitions, t);
          this.rebucketed.set(rk, out);
        }
        return factor === 1 && out === d
          ? s
          : { ...s, taskDurationsMs: factor === 1 ? out : out.map((x) => x * factor) };
      });
      adj = { ...b.r, stages };
      this.byOutcome.set(key, adj);
    }
    this.byInput.set(inputKey, adj);
    return adj;
  }
}

/** Runs of one other workload in the store, given to the engine when a workload has no runs of its own. */
export interface SimilarWorkloadRuns {
  appName: string;
  runs: readonly ApplicationRecord[];
}

/**
 * The model of a workload that has no runs of its own, from similar workloads in the store (a cold start): each similar workload's
 * {@link WorkloadModel} predicts the configuration from that workload's runs, and the prediction is the geometric mean over the
 * workloads (equal weights; workloads that cannot be replayed are left out). A configuration therefore wins when it is good for
 * workloads like this one, relative to how long they take, not because one long workload dominates the mean.
 */
export class CohortModel {
  /** The similar workloads with runs of known shape, and their models. */
  readonly workloads: readonly { appName: string; model: WorkloadModel }[];

  /** Per job, what predicts it (its `WorkloadModel`, or another model of its runs given to the constructor). */
  private readonly predictors: { predict(c: ResourceChoice): Prediction }[];

  /**
   * @param similar the similar workloads' runs.
   * @param make the model of one workload's runs (default: its {@link WorkloadModel}; the engine passes the learned scorer's
   *   model when that is switched on).
   */
  constructor(
    similar: readonly SimilarWorkloadRuns[],
    readonly tuning: Tuning = DEFAULT_TUNING,
    make?: (runs: readonly ApplicationRecord[]) => { predict(c: ResourceChoice): Prediction },
  ) {
    // Contention and start-up are left out of a cold start (the replay's behaviour): with them the geometric mean over
    // other workloads favoured small, few-slot configurations whose memory the cohort cannot judge, and the cost
    // objective's regret with no runs of its own got worse on eval/runs and on the benchmark's tuning set.
    const options: ModelOptions = { cpuCapacityPerHost: null, startup: null };
    const cohort = similar
      .map((j) => ({ appName: j.appName, runs: j.runs, model: new WorkloadModel(j.runs, tuning, options) }))
      .filter((j) => j.model.bases.length > 0);
    this.workloads = cohort.map(({ appName, model }) => ({ appName, model }));
    this.predictors = cohort.map((j) => (make === undefined ? j.model : make(j.runs)));
  }

  /** Geometric mean of the similar workloads' predictions at `c`; `basedOn` names the workloads. */
  predict(c: ResourceChoice): Prediction {
    let logSum = 0;
    let n = 0;
    for (const p of this.predictors) {
      const d = p.predict(c).durationMs;
      if (d === null || !(d > 0)) continue;
      logSum += Math.log(d);
      n++;
    }
    return {
      durationMs: n > 0 ? Math.exp(logSum / n) : null,
      basedOn: n > 0 ? `similar workloads: ${this.workloads.map((j) => j.appName).join(', ')}` : null,
      measured: [],
    };
  }
}

/** A stage's task durations spread over `n2` partitions, hot-key tasks kept whole (module comment, step 1); exported for tests. */
export function rebucketDurations(s: StageRecord, d: readonly number[], n2: number, t: Tuning): number[] {
  const sorted = [...d].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)];
  const total = d.reduce((a, x) => a + x, 0);
  const overhead = Math.min(median, Math.max(0, (total - s.executorRunTimeMs) / d.length) + t.taskOverheadMs);
  // Hot keys: the few longest tasks past hotTaskFactor × median (at most 1 % of the tasks, at least 1, and fewer than
  // the new partitions); more long tasks than that are noise (contention), not data skew, and are spread.
  const maxHot = Math.min(n2 - 1, Math.max(1, Math.floor(d.length * 0.01)));
  const hot = new Set(
    d
      .map((ms, i) => ({ ms, i }))
      .filter((x) => median > 0 && x.ms > t.hotTaskFactor * median)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, Math.max(0, maxHot))
      .map((x) => x.i),
  );
  let rest = 0;
  d.forEach((ms, i) => {
    if (!hot.has(i)) rest += Math.max(0, ms - overhead);
  });
  const uniform = rest / (n2 - hot.size) + overhead;
  const out = new Array<number>(n2).fill(uniform);
  // Each hot task replaces one uniform task at its relative position (the next free one on a collision).
  const taken = new Set<number>();
  for (const i of [...hot].sort((a, b) => a - b)) {
    let p = Math.min(n2 - 1, Math.floor((i * n2) / d.length));
    while (taken.has(p)) p = (p + 1) % n2;
    taken.add(p);
    out[p] = d[i];
  }
  return out;
}

/**
 * The shuffle partition count a configuration should have for the workload's data: `tasksPerSlot` tasks per task slot
 * (Spark tuning guide, "Level of Parallelism": 2-3 tasks per CPU core), and enough that no partition of the largest
 * shuffle (max `Shuffle Read` bytes of one stage over the runs) exceeds `targetPartitionMiB` (DataFlint: 128 MiB).
 * @returns a function of the configuration's task slots giving its wanted partition count (≥ 1).
 */
export function partitionsNeeded(
  runs: readonly ApplicationRecord[],
  t: Tuning = DEFAULT_TUNING,
): (slots: number) => number {
  const maxShuffle = Math.max(0, ...runs.flatMap((r) => r.stages.map((s) => s.shuffleReadBytes)));
  const bySize = Math.ceil(maxShuffle / (t.targetPartitionMiB * MIB));
  return (slots) => Math.max(1, bySize, slots * t.tasksPerSlot);
}
