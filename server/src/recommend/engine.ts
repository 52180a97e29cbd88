/**
 * The recommendation engine: the one module that computes what a workload should run with. Every surface asks it: the
 * diagnostics, hovers, code lens, inlay hints, quick fixes and workload-analysis view (through the language service), the
 * CLI's `check`, `recommend` and `analyze`, and the evaluation (`npm run eval`). Nothing else recommends.
 *
 * A plan, for one workload (its runs, each record one application attempt) and the settings a file gives it:
 * 1. **Read the workload**: its cluster manager (the file's `spark.master`, else the runs'), what the settings ask for
 *    (resource-model), the cluster's limits (declared, else seen in the runs: resource-model/cluster.ts), and the
 *    heuristics catalogue's findings on every run (spill, GC, heap, memory failures, skew, tiny/huge tasks, partition
 *    size, idle cores, driver-only time, failures): these are the evidence.
 * 2. **Memory safety** (never less memory than the runs needed): a configuration's execution memory per task must hold
 *    the largest measured need (Peak Execution Memory + Memory Bytes Spilled per task, of any stage of any run) ×
 *    `memoryHeadroom`; its heap must be proven by a run without memory pressure at as much memory per task, or be at
 *    least `memoryHeadroom` × the runs' peak JVM heap + 300 MiB (scaled per task slot); and it must give each task
 *    more than any run that failed for memory (OutOfMemoryError, container killed, exit 137/143) had. A run that failed
 *    for memory therefore always outweighs faster runs.
 * 3. **Candidates** (executors × cores within the cluster, each with the smallest safe heap, and shuffle partitions:
 *    the current count or the count the data needs) are predicted by the model (model.ts): duration, core-hours,
 *    memory-GiB-hours of what the manager sets aside, DataFlint Compute Units, money when prices are set.
 * 4. **Objective**: `runtime` takes the fastest, `cost` the cheapest (money, else DCU), `balanced` the cheapest whose
 *    predicted duration is within `maxSlowdown` of the fastest. Ties (within `tieTolerance`) go to fewer, larger
 *    executors, then the partition count nearest the data's need, then less memory.
 * 5. **Gate**: the plan replaces the current configuration only when its predicted gain on the objective exceeds both
 *    the model's measured error on the workload's own runs and the run-to-run noise (measured between runs of one
 *    configuration, else `defaultNoise`); otherwise the current values are kept and the plan says why. Safety changes
 *    (memory below what the runs needed, a configuration that does not fit) are not gated.
 * 6. **Settings**: the chosen configuration in the keys the cluster manager reads (resource-model: `spark.cores.max`
 *    on standalone, `spark.executor.instances` on YARN/Kubernetes, `spark.dynamicAllocation.maxExecutors` with dynamic
 *    allocation), never a key the manager ignores; `spark.executor.memoryOverhead` raised after container kills (YARN,
 *    Kubernetes); `spark.driver.memory` raised when the driver's heap was nearly full. Each with its evidence, its
 *    effect alone and a confidence that falls with few runs, old runs and runs that disagree.
 *
 * Plain data in, plain data out: no LSP, no I/O.
 */
import {
  type Grade,
  gcShare,
  heapUse,
  HEURISTICS,
  memoryFailures,
  runSpilled,
  spilledStages,
  stageSkew,
  stageTinyTasks,
  stagePartitionSize,
} from '../analysis/heuristics';
import { utilisationAndCost } from '../analysis/cost';
import { idleCoresGrade } from '../analysis/heuristics';
import { checkValue, versionLineOf } from '../config/catalogue';
import { formatBytes, formatDurationMs, formatSparkSizeMiB, parseSparkSizeMiB } from '../config/spark-units';
import type { ApplicationRecord } from '../history/application-record';
import {
  type ClusterLimits,
  type ClusterManager,
  clusterLimits,
  clusterManagerOf,
  type CostPrices,
  costFigure,
  DEFAULT_DRIVER_MEMORY_MIB,
  DEFAULT_EXECUTOR_MEMORY_MIB,
  DEFAULT_SHUFFLE_PARTITIONS,
  type DeclaredCluster,
  describeLimits,
  executionMemoryPerTaskBytes,
  executorContainer,
  executorRequest,
  fits,
  heapForExecutionMemoryMiB,
  type HeldCost,
  ignoredKeys,
  isPythonRun,
  type WorkloadContext,
  lookupOf,
  maxExecutors,
  memoryFractionOf,
  OVERHEAD_MIN_MIB,
  observedCluster,
  positiveInt,
  pricesSet,
  reservedMiB,
  shapeCost,
  shapeSettings,
  type SparkConfLookup,
  taskCpusOf,
  taskSlots,
} from '../resource-model';
import {
  CohortModel,
  DEFAULT_TUNING,
  describeChoice,
  type ModelOptions,
  WorkloadModel,
  partitionsNeeded,
  type ResourceChoice,
  runChoice,
  sameChoice,
  type SimilarWorkloadRuns,
  stageNeedPerTask,
  type Tuning,
} from './model';
import { simulationError } from './what-if';
import { clusterFacts } from './capacity';
import { LearnedModel, type LearnedScorer } from './learned-scorer';
import { OBJECTIVES } from '../../../shared/src/settings';

/** What the plan optimises for (the `sparkOptimizer.objective` setting's values). */
export type Objective = (typeof OBJECTIVES)[number];

export { OBJECTIVES };

/** The settings of the application as written: key → literal value, or null when not a literal; absent keys are not set. */
export type CurrentSettings = ReadonlyMap<string, string | null>;

/** One fact a plan rests on: a run, the stage when it concerns one, the figure and its value. */
export interface Evidence {
  appId: string;
  /** The stage the figure belongs to, when it belongs to one. */
  stageId?: number;
  /** Figure as shown, e.g. `Disk Bytes Spilled`, `GC share of executor run time`. */
  metric: string;
  /** Value as shown, units included (`1.9 GiB`, `23 %`). */
  value: string;
  /** The run's setting the figure was measured under, e.g. `spark.executor.memory=1g`. */
  under?: string;
  /** The heuristic (heuristics.ts id) that produced it, when one did. */
  heuristic?: string;
}

/**
 * One evidence line as every surface prints it: `app-… stage 2: Disk Bytes Spilled 72.5 MiB (spark.executor.memory=1g)`.
 * @param escape applied to each part that came from the logs or the file (Markdown escaping in hovers); identity by default.
 */
export function describeEvidence(e: Evidence, escape: (s: string) => string = (s) => s): string {
  return `${escape(e.appId)}${e.stageId !== undefined ? ` stage ${e.stageId}` : ''}: ${escape(e.metric)} ${escape(e.value)}${e.under ? ` (${escape(e.under)})` : ''}`;
}

/** A configuration with its prediction. */
export interface PlanEstimate {
  choice: ResourceChoice;
  /** Predicted wall time, ms (null when nothing could be replayed). */
  durationMs: number | null;
  /** Cost over that time (null with the duration). */
  cost: HeldCost | null;
  /** The run it was replayed from; runs measured at exactly this configuration. */
  basedOn: string | null;
  measured: string[];
}

/** A change's effect: before → after. */
export interface Effect {
  from: PlanEstimate;
  to: PlanEstimate;
}

/** One setting of the plan. */
export interface PlannedSetting {
  key: string;
  /** The value as written in the file, null when the file does not set it (or not as a literal). */
  currentValue: string | null;
  /** The value that applies now: the file's, else the runs', else Spark's default. */
  effectiveValue: string;
  /** Where `effectiveValue` comes from. */
  effectiveFrom: 'file' | 'runs' | 'default';
  /** The value to write, in Spark's syntax (`2g`, `4`). */
  recommendedValue: string;
  /** True when the recommended value differs from the effective one (a change to write). */
  change: boolean;
  /** `safety`: forced by memory or fit; `objective`: chosen for the objective. */
  reason: 'safety' | 'objective';
  /** One or two sentences naming the evidence. */
  message: string;
  /** The rules it rests on, with their sources. */
  rule: string;
  evidence: Evidence[];
  /** 0..1 (see {@link confidenceLabel}). */
  confidence: number;
  /** The effect of this change alone (other settings as now); null when unpredictable. */
  effectAlone: Effect | null;
}

/** A row of the trade-off table: a configuration on the duration/cost front. */
export interface ParetoRow extends PlanEstimate {
  chosen: boolean;
  current: boolean;
}

/** Something the runs show that no resource setting fixes by itself. */
export interface WorkloadFinding {
  /** `skew`, `task-failures`, `ignored-setting`. */
  id: 'skew' | 'task-failures' | 'ignored-setting';
  message: string;
  rule: string;
  evidence: Evidence[];
  /** For `ignored-setting`: the key. */
  key?: string;
}

/** A what-if row: the current configuration with another executor count or cores. */
export interface WhatIfRow extends PlanEstimate {
  current: boolean;
}

/** The plan for one workload. */
export interface WorkloadPlan {
  appName: string;
  objective: Objective;
  /** The slowdown `balanced` allows (fraction, 0.1 = 10 %). */
  maxSlowdown: number;
  manager: ClusterManager;
  dynamicAllocation: boolean;
  limits: ClusterLimits;
  /** Runs the plan read (attempts), and of those finished ones the model replays. */
  runsRead: number;
  runsModelled: number;
  /** The configuration the settings give now, predicted. Null without a run of known shape. */
  current: PlanEstimate | null;
  /** The configuration the plan asks for (the current one when nothing changes). */
  chosen: PlanEstimate | null;
  /** Every planned key, changed or kept. */
  settings: PlannedSetting[];
  /** Why the current configuration is kept although another was predicted better on the objective; null otherwise. */
  keptBecause: string | null;
  /** Null when the plan fits the cluster; else why no configuration does. */
  doesNotFit: string | null;
  /** The few best configurations on duration vs cost (Pareto front), fastest first. */
  pareto: ParetoRow[];
  /** What-if tables around the current configuration. */
  whatIf: { byInstances: WhatIfRow[]; byCores: WhatIfRow[] };
  findings: WorkloadFinding[];
  /** 0..1 for the plan as a whole. */
  confidence: number;
  /** Median |error| of the model on the workload's own runs (share), null when none could be replayed. */
  modelError: number | null;
  /** Run-to-run noise (share) and whether it was measured (else `defaultNoise`). */
  noise: { value: number; measured: boolean };
  /** Notes for the reader (where the cluster limits come from, …). */
  notes: string[];
  /** Currency of the money figures, null when no prices are set. */
  currency: string | null;
}

/** Options of {@link planWorkload}. */
export interface PlanOptions {
  objective?: Objective;
  /** For `balanced`: the slowdown allowed against the fastest configuration, fraction (default 0.1). */
  maxSlowdown?: number;
  /** The cluster as declared (settings, CLI flags); what is not declared is taken from the runs. */
  cluster?: DeclaredCluster;
  prices?: CostPrices;
  /** Clock for recency, epoch ms. */
  nowMs?: number;
  /** Restrict the configurations considered (the evaluation's grid); otherwise they are generated. */
  candidates?: readonly ResourceChoice[];
  tuning?: Partial<Tuning>;
  /**
   * The learned candidate scorer (learned-scorer.ts), switched on by giving it: candidates are then predicted by it
   * instead of the replay model (the gate, safety rules and settings are unchanged). Off by default
   * ({@link LEARNED_SCORER_ON}).
   */
  learnedScorer?: LearnedScorer;
}

/**
 * Whether the product switches the learned candidate scorer on. Off. On the benchmark's test set (docs/evaluation-benchmark.md,
 * "Learned candidate scorer", from a partial grid of 179 of 432 runs) it beat the engine without it on runtime and on
 * the balanced objective, but not on cost with no runs of its own (DCU regret 2.557 against 2.216) nor with one start
 * run (a tie, 1.096): it does not beat it on every objective, the grid it was judged on is partial, and no scorer trained
 * on committed runs ships with the extension. Judge it again on the complete grid (`npm run eval -- --benchmark`).
 */
export const LEARNED_SCORER_ON = false;

/** What the plan is made for. */
export interface PlanInput {
  /** The workload's name, for messages. */
  appName: string;
  /** Its runs (attempts; any order). */
  runs: readonly ApplicationRecord[];
  /** The file's settings. */
  current: CurrentSettings;
  /**
   * Whether the file is a Python application (PySpark memory, Kubernetes' 0.40 factor); default: as the runs.
   * `driverMemoryWritable`: false when a `spark.driver.memory` written in this file would have no effect (set in a
   * PySpark builder, client mode: config/checks.ts SPARK006), so the plan does not propose it there.
   * `executorsFixedBy`: set when the file's platform sizes executors itself (a Databricks cluster: node type and
   * `num_workers`), with the reason; the plan then proposes no executor memory, cores or count.
   * `manager`: the cluster manager the file kind implies when it sets no `spark.master` (a Kubernetes SparkApplication
   * runs on Kubernetes, an EMR or Dataproc workload on YARN), which wins over the runs' master.
   */
  context?: { isPython?: boolean; driverMemoryWritable?: boolean; executorsFixedBy?: string; manager?: ClusterManager };
  options?: PlanOptions;
  /**
   * Runs of similar jobs in the store, used only when the job has no runs of its own (a cold start: the plan predicts
   * every candidate as the geometric mean of those jobs' models, model.ts `CohortModel`; its confidence is 0, so it
   * shows as a hint).
   */
  similarWorkloads?: readonly SimilarWorkloadRuns[];
  /**
   * Runs of the other jobs the store holds for the cluster the job runs on (the same `spark.master`), any workloads. When
   * given, the job's model takes the cluster's facts (CPU capacity per host, executor start-up line, growth of CPU time
   * with executors per host: capacity.ts `clusterFacts`) from them together with the job's own runs, instead of from its
   * own runs alone (one run proves no CPU ceiling and fits no start-up line). Not used by a cold start (`CohortModel`).
   */
  clusterRuns?: readonly ApplicationRecord[];
}

/** Words for a confidence value: high ≥ 0.75, medium ≥ 0.5, else low. */
export function confidenceLabel(c: number): 'high' | 'medium' | 'low' {
  return c >= 0.75 ? 'high' : c >= 0.5 ? 'medium' : 'low';
}

/** `1 run`, `2 runs`. */
export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

const MIB = 1024 * 1024;

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

const pressureCache = new WeakMap<ApplicationRecord, string | null>();

/** Memory pressure a run showed, in words; null when none (a "healthy" run for memory). Cached per record. */
function memoryPressure(r: ApplicationRecord): string | null {
  let v = pressureCache.get(r);
  if (v === undefined) {
    v = pressureOf(r);
    pressureCache.set(r, v);
  }
  return v;
}

function pressureOf(r: ApplicationRecord): string | null {
  const mf = memoryFailures(r);
  if (mf.grade !== null) {
    const n = mf.oomTasks + mf.containerKilledTasks;
    return n > 0
      ? `${n} task(s) failed for memory (${mf.oomTasks} OutOfMemoryError, ${mf.containerKilledTasks} container kills)`
      : `${mf.executorsLost.length + mf.failedJobs} executor(s)/job(s) lost for memory`;
  }
  if (runSpilled(r)) return `spilled ${formatBytes(r.diskBytesSpilled)} to disk`;
  const gc = gcShare(r);
  if (gc !== null && gc.grade !== null && gc.grade !== 'low') return `spent ${pct(gc.share)} of executor time in GC`;
  const heap = heapUse(r, r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB);
  if (heap !== null && heap.high) return `used ${pct(heap.share)} of its heap`;
  return null;
}

/**
 * The workload's "current" properties: the file's literal value, else the newest run's, marking which. A value Spark would
 * reject (config/checks.ts SPARK002 reports it) is not used: no plan rests on it, and its key is not planned.
 */
function currentLookup(
  current: CurrentSettings,
  newest: ApplicationRecord | null,
): { lookup: SparkConfLookup; from: (key: string) => 'file' | 'runs' | 'default'; invalid: (key: string) => boolean } {
  const runProps = newest?.sparkProperties ?? {};
  const invalid = (key: string) => {
    const v = current.get(key);
    if (v === undefined || v === null) return false;
    const c = checkValue(key, v);
    return !c.ok && c.severity === 'error';
  };
  const written = (key: string) => {
    const v = current.get(key);
    return v !== undefined && v !== null && !invalid(key) ? v : undefined;
  };
  const lookup: SparkConfLookup = (key) => written(key) ?? runProps[key];
  const from = (key: string) =>
    written(key) !== undefined
      ? ('file' as const)
      : runProps[key] !== undefined
        ? ('runs' as const)
        : ('default' as const);
  return { lookup, from, invalid };
}

/**
 * Computes the plan for one workload (module comment).
 * @returns the plan; a workload without runs, or without a run of known executor shape, gets a plan with no settings and
 *   a note saying so. Never throws on odd records.
 */
export function planWorkload(input: PlanInput): WorkloadPlan {
  const o = input.options ?? {};
  const t: Tuning = { ...DEFAULT_TUNING, ...o.tuning };
  const objective = o.objective ?? 'balanced';
  const maxSlowdown = o.maxSlowdown ?? 0.1;
  const nowMs = o.nowMs ?? Date.now();
  const runs = [...input.runs].sort((a, b) => b.startTimeMs - a.startTimeMs);
  const finished = runs.filter((r) => r.completed);
  const newest = finished[0] ?? runs[0] ?? null;
  const { lookup, from, invalid } = currentLookup(input.current, newest);
  // The file's spark.master, else the manager its kind implies, else the runs'.
  const fileMaster = input.current.get('spark.master');
  const manager = fileMaster
    ? clusterManagerOf(fileMaster)
    : (input.context?.manager ?? clusterManagerOf(lookup('spark.master')));
  const dynamic = (lookup('spark.dynamicAllocation.enabled') ?? '').trim() === 'true' && manager !== 'local';
  const versionLine = newest?.sparkVersion ? versionLineOf(newest.sparkVersion) : undefined;
  const ctx: WorkloadContext = {
    isPython: input.context?.isPython ?? (newest !== null ? isPythonRun(newest) : false),
    versionLine,
  };
  const limits = clusterLimits(o.cluster ?? {}, observedCluster(runs));
  const notes: string[] = [];
  const findings = workloadFindings(input.appName, runs, input.current, manager, dynamic);

  // What every plan says about the workload, whatever it recommends.
  const about = {
    appName: input.appName,
    objective,
    maxSlowdown,
    manager,
    dynamicAllocation: dynamic,
    limits,
    runsRead: runs.length,
    findings,
    currency: pricesSet(o.prices) ? o.prices.currency : null,
  };
  const empty = (why: string): WorkloadPlan => ({
    ...about,
    runsModelled: 0,
    current: null,
    chosen: null,
    settings: [],
    keptBecause: null,
    doesNotFit: null,
    pareto: [],
    whatIf: { byInstances: [], byCores: [] },
    confidence: 0,
    modelError: null,
    noise: { value: t.defaultNoise, measured: false },
    notes: [...notes, why],
  });
  const cohort =
    runs.length === 0 && (input.similarWorkloads ?? []).length > 0
      ? new CohortModel(
          input.similarWorkloads ?? [],
          t,
          o.learnedScorer !== undefined
            ? (workloadRuns) => new LearnedModel(workloadRuns, o.learnedScorer as LearnedScorer, t)
            : undefined,
        )
      : null;
  if (runs.length === 0 && (cohort === null || cohort.workloads.length === 0))
    return empty('No runs of this workload yet.');
  const modelOptions = modelOptionsOf(runs, input.clusterRuns);
  const own = new WorkloadModel(runs, t, modelOptions);
  if (cohort === null && own.bases.length === 0)
    return empty(`No run of ${input.appName} has a known executor shape (executors × cores) to replay.`);
  const learned = o.learnedScorer;
  const model: { predict(c: ResourceChoice): ReturnType<WorkloadModel['predict']> } =
    cohort ?? (learned !== undefined ? new LearnedModel(runs, learned, t) : own);
  if (cohort !== null) {
    notes.push(
      `${input.appName} has no runs of its own: the plan is predicted from ${cohort.workloads.length} similar workload(s) in the store (${cohort.workloads.map((j) => j.appName).join(', ')}), so it is a first guess to confirm with a run.`,
    );
  }

  // What the settings ask for now.
  const taskCpus = taskCpusOf(lookup);
  const fraction = memoryFractionOf(lookup, versionLine);
  const req = executorRequest(lookup, manager, versionLine);
  const newestChoice = own.bases[0]?.c ?? cohort!.workloads[0].model.bases[0].c;
  const currentChoice: ResourceChoice = {
    executorMemoryMiB: parseSparkSizeMiB(lookup('spark.executor.memory')) ?? DEFAULT_EXECUTOR_MEMORY_MIB,
    executorCores: req.executorCores ?? newestChoice.executorCores,
    executorInstances: req.executorInstances ?? newestChoice.executorInstances,
    shufflePartitions: positiveInt(lookup('spark.sql.shuffle.partitions')) ?? DEFAULT_SHUFFLE_PARTITIONS,
  };
  if (manager === 'local') {
    // Local mode: the driver runs the tasks; executor settings do nothing. Only the partitions are planned.
    currentChoice.executorMemoryMiB = newestChoice.executorMemoryMiB;
    currentChoice.executorCores = newestChoice.executorCores;
    currentChoice.executorInstances = 1;
  }
  const reserved = new Map<number, number>();
  const reservedFor = (memMiB: number): number => {
    let v = reserved.get(memMiB);
    if (v === undefined) {
      const c = executorContainer(lookup, manager, ctx, memMiB);
      v = c === null ? memMiB : reservedMiB(c, manager);
      reserved.set(memMiB, v);
    }
    return v;
  };
  const estimate = (c: ResourceChoice): PlanEstimate => {
    const p = model.predict(c);
    return {
      choice: c,
      durationMs: p.durationMs,
      cost:
        p.durationMs === null
          ? null
          : shapeCost(c.executorInstances, c.executorCores, reservedFor(c.executorMemoryMiB), p.durationMs, o.prices),
      basedOn: p.basedOn,
      measured: p.measured,
    };
  };

  // Memory safety (module comment, 2).
  const safety = memorySafety(runs, t, fraction);
  const floorMiB = (cores: number) => safety.floorMiB(taskSlots(cores, taskCpus));
  const safeMemory = (c: ResourceChoice) => c.executorMemoryMiB >= floorMiB(c.executorCores) - 1e-6;
  const roundHeap = (mib: number) => Math.max(t.memoryStepMiB, Math.ceil(mib / t.memoryStepMiB) * t.memoryStepMiB);
  const fitOf = (c: ResourceChoice) =>
    fits(
      {
        executorInstances: c.executorInstances,
        executorCores: c.executorCores,
        reservedMiB: reservedFor(c.executorMemoryMiB),
      },
      limits,
    );

  // Candidates (module comment, 3).
  const wanted = partitionsNeeded(finished.length > 0 ? finished : runs, t);
  const candidates: ResourceChoice[] = [];
  if (o.candidates !== undefined && o.candidates.length > 0) candidates.push(...o.candidates);
  else if (manager === 'local' || input.context?.executorsFixedBy !== undefined) {
    // Only the partitions can change: the executors are the driver's threads, or the platform's to size.
    const slots = currentChoice.executorInstances * taskSlots(currentChoice.executorCores, taskCpus);
    for (const p of new Set([currentChoice.shufflePartitions, wanted(slots)]))
      candidates.push({ ...currentChoice, shufflePartitions: p });
  } else {
    const coreCap = Math.min(t.maxCoresPerExecutor, limits.nodeCores?.value ?? Infinity);
    const cores = new Set<number>([currentChoice.executorCores]);
    for (let k = 1; k <= coreCap; k++) cores.add(k);
    for (const k of cores) {
      const mem = roundHeap(floorMiB(k));
      const mems = new Set([mem]);
      if (currentChoice.executorMemoryMiB >= floorMiB(k)) mems.add(currentChoice.executorMemoryMiB);
      for (const m of mems) {
        const maxN = maxExecutors(k, reservedFor(m), limits);
        const cap = Number.isFinite(maxN) ? maxN : Math.max(8, 2 * currentChoice.executorInstances);
        const counts = new Set(
          [
            1,
            2,
            3,
            4,
            5,
            6,
            8,
            10,
            12,
            16,
            20,
            24,
            32,
            48,
            64,
            96,
            128,
            192,
            256,
            currentChoice.executorInstances,
            cap,
          ].filter((n) => n >= 1 && n <= cap),
        );
        for (const n of counts) {
          for (const p of new Set([currentChoice.shufflePartitions, wanted(n * taskSlots(k, taskCpus))])) {
            candidates.push({ executorMemoryMiB: m, executorCores: k, executorInstances: n, shufflePartitions: p });
          }
        }
      }
    }
  }
  // Executor memory is planned unless the driver runs the tasks (local mode) or the platform sizes the executors.
  const memoryPlanned = manager !== 'local' && input.context?.executorsFixedBy === undefined;
  const currentEst = estimate(currentChoice);
  const currentFits = fitOf(currentChoice);
  const currentSafe = !memoryPlanned || safeMemory(currentChoice);
  const eligible: PlanEstimate[] = [];
  const excluded = new Map<string, number>();
  for (const c of candidates) {
    if (memoryPlanned && !safeMemory(c)) {
      excluded.set('memory below what the runs needed', (excluded.get('memory below what the runs needed') ?? 0) + 1);
      continue;
    }
    const f = fitOf(c);
    if (!f.fits) {
      excluded.set(f.why, (excluded.get(f.why) ?? 0) + 1);
      continue;
    }
    const e = sameChoice(c, currentChoice) ? currentEst : estimate(c);
    if (e.durationMs !== null) eligible.push(e);
  }

  // Error and noise (module comment, 5).
  const modelError = cohort !== null ? null : ownRunsError(own, runs, modelOptions);
  const noise = cohort !== null ? null : runToRunNoise(own);
  const noiseValue = noise ?? t.defaultNoise;
  const threshold = Math.max(modelError ?? 0, noiseValue);

  // Choose (module comment, 4).
  const wantedFor = (c: ResourceChoice) => wanted(c.executorInstances * taskSlots(c.executorCores, taskCpus));
  const best = choose(eligible, objective, maxSlowdown, t, wantedFor);
  let chosen: PlanEstimate | null = best;
  let keptBecause: string | null = null;
  let doesNotFit: string | null = null;
  const unsafe = !currentSafe || !currentFits.fits;
  if (best === null) {
    if (candidates.length === 0 && manager !== 'local') {
      const one: ResourceChoice = {
        ...currentChoice,
        executorInstances: 1,
        executorCores: 1,
        executorMemoryMiB: roundHeap(floorMiB(1)),
      };
      const f = fitOf(one);
      if (!f.fits) excluded.set(f.why, 1);
    }
    const reasons = [...excluded.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    doesNotFit = `No configuration fits the cluster with the memory the runs needed (${safety.describe(taskSlots(currentChoice.executorCores, taskCpus))}): ${reasons.slice(0, 2).join('; ') || 'nothing could be predicted'}. Cluster: ${describeLimits(limits)}.`;
    chosen = currentFits.fits ? currentEst : null;
  } else if (!unsafe) {
    const gain = gainOf(objective, currentEst, best);
    if (gain <= threshold) {
      chosen = currentEst;
      keptBecause = sameChoice(best.choice, currentChoice)
        ? null
        : `the best ${objective} configuration (${describeChoice(best.choice)}) is predicted only ${pct(Math.max(0, gain))} better, within the model's error on this workload's runs (${modelError === null ? 'unknown' : pct(modelError)}) and the run-to-run noise (${pct(noiseValue)}${noise === null ? ', assumed' : ''})`;
    }
  } else {
    // Unsafe now: a change is needed. When the objective's gain is within the error, change only what safety needs.
    const gain = gainOf(objective, currentEst, best);
    if (gain <= threshold && memoryPlanned) {
      const minimal: ResourceChoice = {
        ...currentChoice,
        executorMemoryMiB: Math.max(currentChoice.executorMemoryMiB, roundHeap(floorMiB(currentChoice.executorCores))),
      };
      if (currentSafe || safeMemory(minimal)) {
        const mf = fitOf(minimal);
        if (mf.fits) chosen = estimate(minimal);
      }
    }
  }
  if (!currentFits.fits) notes.push(`The current configuration does not fit the cluster: ${currentFits.why}.`);
  if ([limits.nodes, limits.nodeCores, limits.totalCores].some((l) => l?.source === 'runs')) {
    notes.push(
      `Cluster limits not declared are taken from the runs (${describeLimits(limits)}); set sparkOptimizer.cluster.* (or the CLI's --nodes/--node-cores/--node-memory/--total-cores) to allow more.`,
    );
  }

  // Confidence of the plan.
  const ageDays = Math.max(0, (nowMs - (newest?.startTimeMs ?? nowMs)) / 86_400_000);
  const n = own.bases.length;
  const sample = n / (n + 1);
  const recency = 0.5 ** (ageDays / t.recencyHalfLifeDays);
  const consistency = Math.max(0, 1 - (modelError ?? 0.5)) * Math.max(0, 1 - (noise ?? 0));
  const planConfidence = round2(sample * recency * consistency);

  const settings: PlannedSetting[] =
    chosen === null
      ? []
      : plannedSettings({
          input,
          runs,
          lookup,
          from,
          invalid,
          manager,
          dynamic,
          currentChoice,
          currentEst,
          chosen,
          estimate,
          safety,
          taskCpus,
          fraction,
          t,
          planConfidence,
          objective,
          ageDays,
        });
  if (manager === 'local')
    notes.push(
      'Local mode: the driver runs the tasks, so only spark.sql.shuffle.partitions and the driver are planned.',
    );
  if (input.context?.executorsFixedBy !== undefined)
    notes.push(`Executor memory, cores and count are not planned here: ${input.context.executorsFixedBy}.`);

  return {
    ...about,
    runsModelled: n,
    current: currentEst,
    chosen,
    settings,
    keptBecause,
    doesNotFit,
    pareto: paretoRows(eligible, chosen, currentChoice),
    whatIf: whatIfTables(currentChoice, estimate, manager),
    confidence: planConfidence,
    modelError,
    noise: { value: noiseValue, measured: noise !== null },
    notes,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Relative gain of `to` over `from` on the objective (positive = better). */
function gainOf(objective: Objective, from: PlanEstimate, to: PlanEstimate): number {
  if (from.durationMs === null || to.durationMs === null || from.cost === null || to.cost === null) return 0;
  const dGain = (from.durationMs - to.durationMs) / from.durationMs;
  const cGain = (costFigure(from.cost) - costFigure(to.cost)) / Math.max(1e-12, costFigure(from.cost));
  if (objective === 'runtime') return dGain;
  if (objective === 'cost') return cGain;
  return Math.max(dGain, cGain);
}

/** The objective's choice among predicted configurations (module comment, 4); null when none. */
function choose(
  eligible: readonly PlanEstimate[],
  objective: Objective,
  maxSlowdown: number,
  t: Tuning,
  wanted: (c: ResourceChoice) => number,
): PlanEstimate | null {
  if (eligible.length === 0) return null;
  const dur = (e: PlanEstimate) => e.durationMs ?? Infinity;
  const cost = (e: PlanEstimate) => (e.cost === null ? Infinity : costFigure(e.cost));
  const miss = (e: PlanEstimate) => Math.abs(Math.log(e.choice.shufflePartitions / wanted(e.choice)));
  const tieBreak = (a: PlanEstimate, b: PlanEstimate) =>
    a.choice.executorInstances - b.choice.executorInstances ||
    miss(a) - miss(b) ||
    a.choice.executorMemoryMiB - b.choice.executorMemoryMiB ||
    dur(a) - dur(b);
  let pool: PlanEstimate[];
  if (objective === 'runtime') {
    const fastest = Math.min(...eligible.map(dur));
    pool = eligible.filter((e) => dur(e) <= fastest * (1 + t.tieTolerance));
    const cheapest = Math.min(...pool.map(cost));
    pool = pool.filter((e) => cost(e) <= cheapest * (1 + t.tieTolerance));
  } else {
    const fastest = Math.min(...eligible.map(dur));
    const within =
      objective === 'balanced' ? eligible.filter((e) => dur(e) <= fastest * (1 + maxSlowdown)) : [...eligible];
    const cheapest = Math.min(...within.map(cost));
    pool = within.filter((e) => cost(e) <= cheapest * (1 + t.tieTolerance));
    if (objective === 'cost') {
      const f = Math.min(...pool.map(dur));
      pool = pool.filter((e) => dur(e) <= f * (1 + t.tieTolerance));
    }
  }
  return [...pool].sort(tieBreak)[0];
}

/** The memory-safety rules of a workload (module comment, 2). */
interface MemorySafety {
  /** Smallest safe heap (MiB, not rounded) for executors of `slots` task slots. */
  floorMiB(slots: number): number;
  /** Largest execution need per task, bytes, and where it was measured. */
  need: {
    bytes: number;
    appId: string;
    stageId: number;
    partitions: number;
    peakBytes: number;
    spilledPerTaskBytes: number;
  } | null;
  /** Runs without memory pressure: the smallest execution memory per task one had (bytes), and which. */
  proven: { shareBytes: number; appId: string; heapMiB: number } | null;
  /** The largest peak heap per task slot, with headroom + reserved (MiB per slot), and which run. */
  heapPeak: { perSlotMiB: number; appId: string; peakBytes: number } | null;
  /** The most execution memory per task a run that failed for memory had (bytes), and which. */
  failed: { shareBytes: number; appId: string; what: string } | null;
  describe(slots: number): string;
}

function memorySafety(runs: readonly ApplicationRecord[], t: Tuning, fraction: number): MemorySafety {
  let need: MemorySafety['need'] = null;
  let proven: MemorySafety['proven'] = null;
  let heapPeak: MemorySafety['heapPeak'] = null;
  let failed: MemorySafety['failed'] = null;
  for (const r of runs) {
    const c = runChoice(r);
    if (c === null) continue;
    const lookup = lookupOf(r.sparkProperties);
    const slots = taskSlots(c.executorCores, taskCpusOf(lookup));
    const share = executionMemoryPerTaskBytes(c.executorMemoryMiB, slots, memoryFractionOf(lookup));
    for (const s of r.stages) {
      const b = stageNeedPerTask(s, t);
      if (need === null || b > need.bytes) {
        need = {
          bytes: b,
          appId: r.appId,
          stageId: s.stageId,
          partitions: c.shufflePartitions,
          peakBytes: s.peakExecutionMemoryBytes,
          spilledPerTaskBytes: s.memoryBytesSpilled / Math.max(1, s.succeededTasks || s.numTasks),
        };
      }
    }
    const mf = memoryFailures(r);
    // Heap failures (OutOfMemoryError) bound the memory per task; container kills are the overhead's business.
    const heapFailure = mf.oomTasks > 0 || mf.executorsLost.some((e) => e.kind === 'oom') || mf.failedJobs > 0;
    if (heapFailure && (failed === null || share > failed.shareBytes))
      failed = { shareBytes: share, appId: r.appId, what: memoryPressure(r) ?? 'failed for memory' };
    if (mf.grade !== null) continue;
    if (r.peakJvmHeapMemoryBytes !== null) {
      const perSlot = ((r.peakJvmHeapMemoryBytes / MIB) * t.memoryHeadroom + 300) / slots;
      if (heapPeak === null || perSlot > heapPeak.perSlotMiB)
        heapPeak = { perSlotMiB: perSlot, appId: r.appId, peakBytes: r.peakJvmHeapMemoryBytes };
    }
    if (r.completed && memoryPressure(r) === null && (proven === null || share < proven.shareBytes))
      proven = { shareBytes: share, appId: r.appId, heapMiB: c.executorMemoryMiB };
  }
  const floorMiB = (slots: number): number => {
    const exec = need !== null ? heapForExecutionMemoryMiB(need.bytes * t.memoryHeadroom, slots, fraction) : 0;
    const byProof = proven !== null ? heapForExecutionMemoryMiB(proven.shareBytes, slots, fraction) : Infinity;
    const byPeak = heapPeak !== null ? heapPeak.perSlotMiB * slots : 0;
    let floor = Math.max(exec, Math.min(byProof, byPeak));
    // Strictly more per task than any run that failed for memory had (one MiB more per task, at least).
    if (failed !== null) floor = Math.max(floor, heapForExecutionMemoryMiB(failed.shareBytes + MIB, slots, fraction));
    return Math.max(floor, 450); // Spark refuses heaps under 450 MiB (UnifiedMemoryManager: 1.5 × 300 MiB reserved)
  };
  return {
    floorMiB,
    need,
    proven,
    heapPeak,
    failed,
    describe: (slots) =>
      `at least ${formatSparkSizeMiB(Math.ceil(floorMiB(slots)))} of heap for ${slots} task slot(s) per executor`,
  };
}

/**
 * The options of a job's model: the facts of its cluster (capacity.ts `clusterFacts`) from its own runs and the
 * cluster's other runs (deduplicated by application id and attempt) when the store gave those; else none (the model fits
 * them on its own runs).
 */
function modelOptionsOf(
  runs: readonly ApplicationRecord[],
  clusterRuns: readonly ApplicationRecord[] | undefined,
): ModelOptions {
  if (clusterRuns === undefined || clusterRuns.length === 0) return {};
  const byId = new Map<string, ApplicationRecord>();
  for (const r of [...runs, ...clusterRuns]) byId.set(`${r.appId}\u0000${r.attemptId ?? ''}`, r);
  return clusterFacts([...byId.values()]);
}

/**
 * The model's measured error on the workload's own runs (share): when the runs have two configurations or more, the median
 * |error| of predicting the newest run of each (up to 4) from the runs of the other configurations, the test that
 * matters for a change; else the median |error| of replaying up to 5 runs at their own shape (Sparklens' "model
 * error"). Null when nothing could be replayed.
 */
function ownRunsError(model: WorkloadModel, runs: readonly ApplicationRecord[], options: ModelOptions): number | null {
  const self: number[] = [];
  for (const b of model.bases.slice(0, 5)) {
    const e = simulationError(b.r);
    if (e !== null) self.push(Math.abs(e.relativeError));
  }
  const errs: number[] = [];
  // Cross-configuration: the newest run of each of up to 4 configurations, predicted from the other configurations.
  const seen: ResourceChoice[] = [];
  for (const b of model.bases) {
    if (seen.some((c) => sameChoice(c, b.c))) continue;
    seen.push(b.c);
    if (seen.length > 4) break;
  }
  if (seen.length >= 2) {
    for (const c of seen) {
      const others = runs.filter((r) => {
        const rc = runChoice(r);
        return rc !== null && !sameChoice(rc, c);
      });
      const target = model.bases.find((b) => sameChoice(b.c, c));
      if (target === undefined || others.length === 0) continue;
      const p = new WorkloadModel(others, model.tuning, options).predict(c);
      if (p.durationMs !== null && target.r.durationMs > 0)
        errs.push(Math.abs(p.durationMs - target.r.durationMs) / target.r.durationMs);
    }
  }
  if (errs.length > 0) return median(errs);
  return self.length > 0 ? median(self) : null;
}

/** Mean relative spread (max − min) / mean of durations over configurations with two runs or more; null when none. */
function runToRunNoise(model: WorkloadModel): number | null {
  const groups: number[][] = [];
  for (const b of model.bases) {
    const g = model.bases.filter((x) => sameChoice(x.c, b.c));
    if (g.length >= 2 && g[0] === b) groups.push(g.map((x) => x.r.durationMs));
  }
  if (groups.length === 0) return null;
  const spreads = groups.map((d) => (Math.max(...d) - Math.min(...d)) / (d.reduce((a, x) => a + x, 0) / d.length));
  return spreads.reduce((a, x) => a + x, 0) / spreads.length;
}

/** The Pareto front of duration vs cost, at most 5 rows fastest first, always with the chosen and current configurations. */
function paretoRows(
  eligible: readonly PlanEstimate[],
  chosen: PlanEstimate | null,
  current: ResourceChoice,
): ParetoRow[] {
  const pts = eligible.filter((e) => e.durationMs !== null && e.cost !== null);
  const front = pts.filter(
    (a) =>
      !pts.some(
        (b) =>
          b !== a &&
          (b.durationMs ?? 0) <= (a.durationMs ?? 0) &&
          costFigure(b.cost!) <= costFigure(a.cost!) &&
          ((b.durationMs ?? 0) < (a.durationMs ?? 0) || costFigure(b.cost!) < costFigure(a.cost!)),
      ),
  );
  front.sort((a, b) => (a.durationMs ?? 0) - (b.durationMs ?? 0));
  const uniq: PlanEstimate[] = [];
  for (const f of front)
    if (!uniq.some((u) => u.durationMs === f.durationMs && costFigure(u.cost!) === costFigure(f.cost!))) uniq.push(f);
  let rows = uniq;
  if (rows.length > 5) {
    const idx = new Set([
      0,
      rows.length - 1,
      Math.round((rows.length - 1) / 4),
      Math.round((rows.length - 1) / 2),
      Math.round((3 * (rows.length - 1)) / 4),
    ]);
    rows = rows.filter((_, i) => idx.has(i));
  }
  const extra = [chosen, pts.find((e) => sameChoice(e.choice, current)) ?? null].filter(
    (e): e is PlanEstimate => e !== null && !rows.some((r) => sameChoice(r.choice, e.choice)),
  );
  return [...rows, ...extra]
    .sort((a, b) => (a.durationMs ?? 0) - (b.durationMs ?? 0))
    .map((e) => ({
      ...e,
      chosen: chosen !== null && sameChoice(e.choice, chosen.choice),
      current: sameChoice(e.choice, current),
    }));
}

/** What-if tables around the current configuration: executor counts ½×…2× and cores 1…2×, the rest as now. */
function whatIfTables(
  current: ResourceChoice,
  estimate: (c: ResourceChoice) => PlanEstimate,
  manager: ClusterManager,
): WorkloadPlan['whatIf'] {
  if (manager === 'local') return { byInstances: [], byCores: [] };
  const n = current.executorInstances;
  const k = current.executorCores;
  const counts = [
    ...new Set([Math.round(n / 2), n - 1, n, n + 1, Math.round(n * 1.5), n * 2].filter((x) => x >= 1)),
  ].sort((a, b) => a - b);
  const cores = [...new Set([1, Math.round(k / 2), k - 1, k, k + 1, k * 2].filter((x) => x >= 1))].sort(
    (a, b) => a - b,
  );
  const row = (c: ResourceChoice): WhatIfRow => ({ ...estimate(c), current: sameChoice(c, current) });
  return {
    byInstances: counts.map((x) => row({ ...current, executorInstances: x })),
    byCores: cores.map((x) => row({ ...current, executorCores: x })),
  };
}

/** Findings no setting fixes by itself: skew, failed tasks (not for memory), settings the cluster manager ignores. */
function workloadFindings(
  appName: string,
  runs: readonly ApplicationRecord[],
  current: CurrentSettings,
  manager: ClusterManager,
  dynamic: boolean,
): WorkloadFinding[] {
  const out: WorkloadFinding[] = [];
  const skewed = runs.flatMap((r) =>
    r.stages
      .map(stageSkew)
      .filter((s): s is NonNullable<typeof s> => s !== null)
      .map((s) => ({ r, s })),
  );
  if (skewed.length > 0) {
    const worst = [...skewed].sort((a, b) => b.s.ratio - a.s.ratio)[0];
    const nRuns = new Set(skewed.map((x) => x.r)).size;
    out.push({
      id: 'skew',
      message: `Task skew in ${nRuns} of ${runs.length} ${plural(runs.length, 'run')} of ${appName}: stage ${worst.s.stageId} of ${worst.r.appId} ran its longest task ${formatDurationMs(worst.s.maxTaskMs)} against a median of ${formatDurationMs(worst.s.medianTaskMs)} (${Math.round(worst.s.ratio)}×). More executors will not shorten it: split the hot key (salting) or let AQE split skewed partitions (spark.sql.adaptive.skewJoin.enabled).`,
      rule: `${HEURISTICS.skew.title} (${HEURISTICS.skew.source})`,
      evidence: skewed.map(({ r, s }) => ({
        appId: r.appId,
        stageId: s.stageId,
        metric: 'max/median task duration',
        value: `${formatDurationMs(s.maxTaskMs)} / ${formatDurationMs(s.medianTaskMs)}`,
        heuristic: HEURISTICS.skew.id,
      })),
    });
  }
  const failing = runs.filter((r) =>
    r.taskFailures.some((f) => f.kind !== 'oom' && f.kind !== 'container-killed' && f.count > 0),
  );
  if (failing.length > 0) {
    const byKind = new Map<string, number>();
    for (const r of failing)
      for (const f of r.taskFailures)
        if (f.kind !== 'oom' && f.kind !== 'container-killed') byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + f.count);
    const kinds = [...byKind.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    out.push({
      id: 'task-failures',
      message: `${failing.length} of ${runs.length} ${plural(runs.length, 'run')} of ${appName} had failed tasks (${kinds}).`,
      rule: `${HEURISTICS.failedTasks.title} (${HEURISTICS.failedTasks.source})`,
      evidence: failing.flatMap((r) =>
        r.taskFailures.slice(0, 3).map((f) => ({
          appId: r.appId,
          metric: `${f.reason} × ${f.count}`,
          value: f.example.slice(0, 120),
          heuristic: HEURISTICS.failedTasks.id,
        })),
      ),
    });
  }
  for (const [key, why] of ignoredKeys(manager, dynamic)) {
    if (!current.has(key)) continue;
    if (dynamic && key === 'spark.executor.instances') continue; // config/checks.ts SPARK007 says it
    out.push({
      id: 'ignored-setting',
      key,
      message: `${key} has no effect here: ${why}.`,
      rule: 'Resource model (cluster manager rules, resource-model/cluster-manager.ts)',
      evidence: [],
    });
  }
  return out;
}

interface SettingsContext {
  input: PlanInput;
  runs: readonly ApplicationRecord[];
  lookup: SparkConfLookup;
  from: (key: string) => 'file' | 'runs' | 'default';
  /** Keys whose value in the file Spark would reject: never planned. */
  invalid: (key: string) => boolean;
  manager: ClusterManager;
  dynamic: boolean;
  currentChoice: ResourceChoice;
  currentEst: PlanEstimate;
  chosen: PlanEstimate;
  estimate: (c: ResourceChoice) => PlanEstimate;
  safety: MemorySafety;
  taskCpus: number;
  fraction: number;
  t: Tuning;
  planConfidence: number;
  objective: Objective;
  ageDays: number;
}

function effectLine(e: Effect | null): string {
  if (
    e === null ||
    e.from.durationMs === null ||
    e.to.durationMs === null ||
    e.from.cost === null ||
    e.to.cost === null
  )
    return '';
  const money =
    e.from.cost.money !== null && e.to.cost.money !== null
      ? `, ${e.from.cost.money.toPrecision(3)} → ${e.to.cost.money.toPrecision(3)}`
      : '';
  return `${formatDurationMs(e.from.durationMs)} → ${formatDurationMs(e.to.durationMs)}, ${e.from.cost.coreHours.toFixed(4)} → ${e.to.cost.coreHours.toFixed(4)} core-hours, ${e.from.cost.memoryGiBHours.toFixed(4)} → ${e.to.cost.memoryGiBHours.toFixed(4)} GiB-hours${money}`;
}

/** The plan's settings (module comment, 6). */
function plannedSettings(x: SettingsContext): PlannedSetting[] {
  const out: PlannedSetting[] = [];
  const { currentChoice: cur, chosen, manager, lookup, from } = x;
  const c = chosen.choice;
  const alone = (patch: Partial<ResourceChoice>): Effect | null => {
    const to = x.estimate({ ...cur, ...patch });
    return to.durationMs === null || x.currentEst.durationMs === null ? null : { from: x.currentEst, to };
  };
  const effective = (key: string, derived: string): { value: string; from: 'file' | 'runs' | 'default' } => {
    const v = lookup(key);
    return v !== undefined ? { value: v, from: from(key) } : { value: derived, from: 'default' };
  };
  const written = (key: string): string | null => x.input.current.get(key) ?? null;
  const ignored = ignoredKeys(manager, x.dynamic);
  const planEffect = effectLine({ from: x.currentEst, to: chosen });
  const planTail = planEffect && !sameChoice(c, cur) ? ` Plan (${x.objective}): ${planEffect}.` : '';
  const add = (
    s: Omit<PlannedSetting, 'change' | 'currentValue' | 'effectiveValue' | 'effectiveFrom'> & {
      derivedCurrent: string;
      same: (a: string, b: string) => boolean;
    },
  ): void => {
    if (ignored.has(s.key) || x.invalid(s.key)) return;
    const eff = effective(s.key, s.derivedCurrent);
    const { derivedCurrent: _d, same, ...rest } = s;
    void _d;
    out.push({
      ...rest,
      currentValue: written(s.key),
      effectiveValue: eff.value,
      effectiveFrom: eff.from,
      change: !same(eff.value, s.recommendedValue),
    });
  };
  const sameSize = (a: string, b: string) => parseSparkSizeMiB(a) === parseSparkSizeMiB(b);
  const sameInt = (a: string, b: string) => positiveInt(a) === positiveInt(b);
  const runsAt = (pred: (rc: ResourceChoice) => boolean) =>
    x.runs.filter((r) => {
      const rc = runChoice(r);
      return rc !== null && pred(rc);
    });

  if (x.input.context?.executorsFixedBy === undefined && manager !== 'local') {
    // spark.executor.memory.
    const memSafety =
      c.executorMemoryMiB > cur.executorMemoryMiB &&
      cur.executorMemoryMiB < x.safety.floorMiB(taskSlots(cur.executorCores, x.taskCpus));
    const atCur = runsAt((rc) => rc.executorMemoryMiB === cur.executorMemoryMiB);
    const pressured = atCur.map((r) => ({ r, why: memoryPressure(r) })).filter((p) => p.why !== null);
    const healthyAtOrAbove = runsAt((rc) => rc.executorMemoryMiB >= c.executorMemoryMiB).filter(
      (r) => r.completed && memoryPressure(r) === null,
    );
    const memEvidence: Evidence[] = [
      ...pressured.flatMap(({ r }): Evidence[] => {
        const st = spilledStages(r);
        return st.length > 0
          ? st.slice(0, 2).map((s) => ({
              appId: r.appId,
              stageId: s.stageId,
              metric: 'Disk Bytes Spilled',
              value: formatBytes(s.diskBytesSpilled),
              under: `spark.executor.memory=${formatSparkSizeMiB(cur.executorMemoryMiB)}`,
              heuristic: HEURISTICS.spill.id,
            }))
          : [
              {
                appId: r.appId,
                metric: 'memory pressure',
                value: memoryPressure(r) ?? '',
                under: `spark.executor.memory=${formatSparkSizeMiB(cur.executorMemoryMiB)}`,
                heuristic: HEURISTICS.memoryFailure.id,
              },
            ];
      }),
      ...healthyAtOrAbove.slice(0, 3).map((r) => ({
        appId: r.appId,
        metric: 'Disk Bytes Spilled',
        value: formatBytes(r.diskBytesSpilled),
        under: `spark.executor.memory=${formatSparkSizeMiB(r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB)}`,
        heuristic: HEURISTICS.spill.id,
      })),
    ];
    const need = x.safety.need;
    if (need !== null && need.bytes > 0)
      memEvidence.push({
        appId: need.appId,
        stageId: need.stageId,
        metric: 'execution memory need per task (peak + spilled)',
        value: formatBytes(need.bytes),
        under: `spark.sql.shuffle.partitions=${need.partitions}`,
      });
    if (x.safety.heapPeak !== null)
      memEvidence.push({
        appId: x.safety.heapPeak.appId,
        metric: 'peak JVMHeapMemory',
        value: formatBytes(x.safety.heapPeak.peakBytes),
        heuristic: HEURISTICS.heapLow.id,
      });
    if (x.safety.failed !== null)
      memEvidence.push({
        appId: x.safety.failed.appId,
        metric: 'failed for memory',
        value: x.safety.failed.what,
        heuristic: HEURISTICS.memoryFailure.id,
      });
    const slots = taskSlots(c.executorCores, x.taskCpus);
    const share = executionMemoryPerTaskBytes(c.executorMemoryMiB, slots, x.fraction);
    let memMessage: string;
    let memRule: string;
    if (memSafety && pressured.length > 0) {
      const spilled = pressured.filter(({ r }) => runSpilled(r));
      const what =
        spilled.length === pressured.length
          ? `spilled ${formatBytes(median(spilled.map(({ r }) => r.diskBytesSpilled)))} to disk`
          : (pressured[0].why ?? '');
      const ok = healthyAtOrAbove.filter(
        (r) => (r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB) === c.executorMemoryMiB,
      );
      const because =
        ok.length > 0
          ? `${ok.length} run(s) with ${formatSparkSizeMiB(c.executorMemoryMiB)} did not (${ok.map((r) => r.appId).join(', ')})`
          : healthyAtOrAbove.length > 0
            ? `runs with more memory did not (${healthyAtOrAbove.map((r) => r.appId).join(', ')})`
            : 'no run with more memory yet';
      memMessage = `${pressured.length} of ${atCur.length} runs of ${x.input.appName} ${what} with ${formatSparkSizeMiB(cur.executorMemoryMiB)} executors; ${because}.${need !== null && need.bytes > 0 ? ` Stage ${need.stageId} of ${need.appId} needed about ${formatBytes(need.bytes)} per task; ${formatSparkSizeMiB(c.executorMemoryMiB)} over ${slots} task slot(s) gives ${formatBytes(share)}.` : ''}`;
      memRule = `Memory safety (${HEURISTICS.spill.title}: ${HEURISTICS.spill.source}; ${HEURISTICS.memoryFailure.source}; ${HEURISTICS.gc.source})`;
    } else if (memSafety) {
      memMessage = `${x.safety.describe(taskSlots(cur.executorCores, x.taskCpus))}: the runs needed more than ${formatSparkSizeMiB(cur.executorMemoryMiB)}${x.safety.failed !== null ? ` (${x.safety.failed.appId} ${x.safety.failed.what})` : ''}.`;
      memRule = `Memory safety (${HEURISTICS.memoryFailure.source})`;
    } else if (c.executorMemoryMiB < cur.executorMemoryMiB) {
      const peak = x.safety.heapPeak;
      memMessage = `${formatSparkSizeMiB(c.executorMemoryMiB)} over ${slots} task slot(s) still holds what the runs used${peak !== null ? ` (peak heap ${formatBytes(peak.peakBytes)} in ${peak.appId}, × ${x.t.memoryHeadroom} + 300 MiB)` : ''}${need !== null && need.bytes > 0 ? ` and the largest execution need, ${formatBytes(need.bytes)} per task (stage ${need.stageId} of ${need.appId})` : ''}.`;
      memRule = `Over-provisioned heap (${HEURISTICS.heapLow.source})`;
    } else {
      memMessage = `With ${c.executorCores} cores per executor, ${formatSparkSizeMiB(c.executorMemoryMiB)} keeps ${formatBytes(share)} of execution memory per task, what the runs needed with headroom${need !== null && need.bytes > 0 ? ` (stage ${need.stageId} of ${need.appId}: ${formatBytes(need.bytes)})` : ''}.`;
      memRule = 'Memory per task (Spark tuning guide: unified region; DataFlint / Dr. Elephant 1.2 × headroom)';
    }
    add({
      key: 'spark.executor.memory',
      derivedCurrent: formatSparkSizeMiB(cur.executorMemoryMiB),
      same: sameSize,
      recommendedValue: formatSparkSizeMiB(c.executorMemoryMiB),
      reason: memSafety ? 'safety' : 'objective',
      message: memMessage + (memSafety ? '' : planTail),
      rule: memRule,
      evidence: memEvidence,
      confidence:
        memSafety && atCur.length > 0
          ? round2(confidenceOf(pressured.length, atCur.length, x.ageDays, x.t))
          : x.planConfidence,
      effectAlone: alone({ executorMemoryMiB: c.executorMemoryMiB }),
    });

    // Executor shape: cores and the count key.
    const shapeEvidence = shapeEvidenceOf(x.runs, x.input.appName);
    const replay = effectLine({ from: x.currentEst, to: chosen });
    const shapeMessage = (what: string) =>
      `${what}${shapeEvidence.summary ? ` ${shapeEvidence.summary}` : ''}${replay ? ` Replaying ${chosen.basedOn ?? 'the runs'}: ${describeChoice(cur)} → ${describeChoice(c)}: ${replay}.` : ''}`;
    const wantShape = shapeSettings(c, manager, x.dynamic);
    const nowShape = shapeSettings(cur, manager, x.dynamic);
    for (const [key, value] of wantShape) {
      const derived = nowShape.get(key) ?? value;
      const isCores = key === 'spark.executor.cores';
      add({
        key,
        derivedCurrent: derived,
        same: sameInt,
        recommendedValue: value,
        reason: 'objective',
        message: shapeMessage(
          isCores
            ? `${c.executorCores} core(s) per executor (now ${cur.executorCores}).`
            : key === 'spark.cores.max'
              ? `${c.executorInstances} executor(s) of ${c.executorCores} core(s): spark.cores.max ${c.executorInstances * c.executorCores} (a standalone master launches spark.cores.max / spark.executor.cores executors; now ${cur.executorInstances} executor(s) of ${cur.executorCores} core(s)).`
              : `${c.executorInstances} executor(s) (now ${cur.executorInstances}).`,
        ),
        rule: `Executor shape for the ${x.objective} objective (Sparklens-style replay, model.ts; ${HEURISTICS.idleCores.source})`,
        evidence: shapeEvidence.evidence,
        confidence: x.planConfidence,
        effectAlone: isCores
          ? alone({ executorCores: c.executorCores })
          : alone({ executorInstances: c.executorInstances }),
      });
    }
  }

  // spark.sql.shuffle.partitions.
  const partEvidence = partitionEvidenceOf(x.runs, cur.shufflePartitions);
  const fewer = x.runs
    .filter((r) => r.completed && (r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS) === c.shufflePartitions)
    .sort((a, b) => a.durationMs - b.durationMs)[0];
  const atCurP = x.runs
    .filter((r) => r.completed && (r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS) === cur.shufflePartitions)
    .map((r) => r.durationMs);
  const measuredLine =
    fewer !== undefined && atCurP.length > 0 && c.shufflePartitions !== cur.shufflePartitions
      ? ` A run with ${c.shufflePartitions} partitions took ${formatDurationMs(fewer.durationMs)} against ${formatDurationMs(median(atCurP))} (${fewer.appId}).`
      : '';
  if (fewer !== undefined && measuredLine)
    partEvidence.evidence.push({
      appId: fewer.appId,
      metric: 'duration',
      value: formatDurationMs(fewer.durationMs),
      under: `spark.sql.shuffle.partitions=${c.shufflePartitions}`,
    });
  add({
    key: 'spark.sql.shuffle.partitions',
    derivedCurrent: String(cur.shufflePartitions),
    same: sameInt,
    recommendedValue: String(c.shufflePartitions),
    reason: 'objective',
    message:
      `${partEvidence.summary}${c.shufflePartitions !== cur.shufflePartitions ? ` ${c.shufflePartitions} partitions for ${c.executorInstances * taskSlots(c.executorCores, x.taskCpus)} task slots (${x.t.tasksPerSlot} per slot, at most ${x.t.targetPartitionMiB} MiB each).` : ''}${measuredLine}${planTail}`.trim(),
    rule: `Partitions (${HEURISTICS.tinyTasks.source}; ${HEURISTICS.partitionSize.source}; Spark tuning guide 2-3 tasks per core)`,
    evidence: partEvidence.evidence,
    confidence: x.planConfidence,
    effectAlone: alone({ shufflePartitions: c.shufflePartitions }),
  });

  // spark.executor.memoryOverhead after container kills (YARN, Kubernetes).
  if (manager === 'yarn' || manager === 'kubernetes' || manager === 'unknown') {
    const killed = x.runs.filter(
      (r) =>
        memoryFailures(r).containerKilledTasks > 0 ||
        memoryFailures(r).executorsLost.some((e) => e.kind === 'container-killed'),
    );
    if (killed.length > 0) {
      const ctr = executorContainer(
        lookup,
        manager,
        { isPython: x.input.context?.isPython ?? isPythonRun(killed[0]) },
        c.executorMemoryMiB,
      );
      const overhead = ctr?.overheadMiB ?? OVERHEAD_MIN_MIB;
      add({
        key: 'spark.executor.memoryOverhead',
        derivedCurrent: formatSparkSizeMiB(overhead),
        same: sameSize,
        recommendedValue: formatSparkSizeMiB(overhead + 1024),
        reason: 'safety',
        message: `${killed.length} of ${x.runs.length} runs of ${x.input.appName} had containers killed for exceeding memory limits; the overhead (${ctr?.arithmetic ?? `${overhead} MiB`}) is raised by 1 GiB.`,
        rule: `Container kills (${HEURISTICS.memoryFailure.source}: raise the overhead by 1 GiB)`,
        evidence: killed.map((r) => ({
          appId: r.appId,
          metric: 'containers killed for memory',
          value: String(memoryFailures(r).containerKilledTasks + memoryFailures(r).executorsLost.length),
          heuristic: HEURISTICS.memoryFailure.id,
        })),
        confidence: round2(confidenceOf(killed.length, x.runs.length, x.ageDays, x.t)),
        effectAlone: null,
      });
    }
  }

  // spark.driver.memory when the driver's heap was nearly full (DataFlint driverMemoryTooHigh).
  if (x.input.context?.driverMemoryWritable !== false) {
    const driverMiB = parseSparkSizeMiB(lookup('spark.driver.memory')) ?? DEFAULT_DRIVER_MEMORY_MIB;
    const withDriver = x.runs
      .map((r) => ({ r, heap: r.executors.find((e) => e.isDriver)?.peakJvmHeapMemoryBytes ?? null }))
      .filter((d): d is { r: ApplicationRecord; heap: number } => d.heap !== null);
    const high = withDriver.filter((d) => d.heap > 0.95 * driverMiB * MIB);
    if (high.length > 0) {
      add({
        key: 'spark.driver.memory',
        derivedCurrent: formatSparkSizeMiB(driverMiB),
        same: sameSize,
        recommendedValue: formatSparkSizeMiB(Math.ceil((driverMiB * 1.2) / 512) * 512),
        reason: 'safety',
        message: `${high.length} of ${withDriver.length} runs of ${x.input.appName} used over 95 % of the driver's ${formatSparkSizeMiB(driverMiB)} heap.`,
        rule: 'Driver heap (DataFlint driverMemoryTooHigh: usage > 95 %, × 1.2)',
        evidence: high.map((d) => ({
          appId: d.r.appId,
          metric: 'driver peak JVMHeapMemory',
          value: formatBytes(d.heap),
        })),
        confidence: round2(confidenceOf(high.length, withDriver.length, x.ageDays, x.t)),
        effectAlone: null,
      });
    }
  }
  return out;
}

/** Confidence of a finding: agreement × n/(n+1) × recency (0.5 per `recencyHalfLifeDays`). */
function confidenceOf(agreeing: number, considered: number, ageDays: number, t: Tuning): number {
  if (considered === 0) return 0;
  return (agreeing / considered) * (considered / (considered + 1)) * 0.5 ** (ageDays / t.recencyHalfLifeDays);
}

/** Evidence about the executor shape: idle cores per run (the idle-cores heuristic). */
function shapeEvidenceOf(
  runs: readonly ApplicationRecord[],
  appName: string,
): { summary: string; evidence: Evidence[] } {
  const evidence: Evidence[] = [];
  const idle: { r: ApplicationRecord; share: number; grade: Grade | null }[] = [];
  for (const r of runs.slice(0, 10)) {
    const cost = utilisationAndCost(r);
    if (cost.idleShare === null) continue;
    const grade = idleCoresGrade(cost.idleShare);
    idle.push({ r, share: cost.idleShare, grade });
    evidence.push({
      appId: r.appId,
      metric: 'executor cores idle (1 − task time / core time held)',
      value: pct(cost.idleShare),
      under: `executors=${r.maxExecutors}`,
      heuristic: HEURISTICS.idleCores.id,
    });
  }
  const flagged = idle.filter((x) => x.grade !== null);
  const summary =
    flagged.length > 0
      ? `${flagged.length} of ${idle.length} runs of ${appName} left executor cores idle ${pct(median(flagged.map((x) => x.share)))} of the time (median).`
      : '';
  return { summary, evidence };
}

/** Evidence about the partition count: tiny tasks and partition sizes of stages with one task per shuffle partition. */
function partitionEvidenceOf(
  runs: readonly ApplicationRecord[],
  partitions: number,
): { summary: string; evidence: Evidence[] } {
  const evidence: Evidence[] = [];
  let tinyRuns = 0;
  let considered = 0;
  let summary = '';
  for (const r of runs.slice(0, 10)) {
    if ((r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS) !== partitions) continue;
    considered++;
    const shape = runChoice(r);
    const slots =
      shape !== null
        ? shape.executorInstances * taskSlots(shape.executorCores, taskCpusOf(lookupOf(r.sparkProperties)))
        : 1;
    let tiny = false;
    for (const s of r.stages) {
      if (s.numTasks !== partitions || s.shuffleReadBytes <= 0) continue;
      const tt = stageTinyTasks(s, slots);
      if (tt !== null) {
        tiny = true;
        evidence.push({
          appId: r.appId,
          stageId: s.stageId,
          metric: 'median task',
          value: `${tt.medianTaskMs} ms × ${tt.numTasks} tasks`,
          under: `spark.sql.shuffle.partitions=${partitions}`,
          heuristic: HEURISTICS.tinyTasks.id,
        });
        if (summary === '')
          summary = `${partitions} shuffle tasks of ${Math.round(tt.medianTaskMs)} ms median on ${slots} slots (${r.appId}).`;
      }
      const ps = stagePartitionSize(s, slots, r.durationMs);
      if (ps !== null)
        evidence.push({
          appId: r.appId,
          stageId: s.stageId,
          metric: 'bytes per task',
          value: formatBytes(ps.bytesPerTask),
          under: `spark.sql.shuffle.partitions=${partitions}`,
          heuristic: HEURISTICS.partitionSize.id,
        });
    }
    if (tiny) tinyRuns++;
  }
  if (tinyRuns > 0) summary = `${tinyRuns} of ${considered} runs ran ${summary}`;
  return { summary, evidence };
}

/** The changes of a plan (settings whose value differs from the one that applies now). */
export function planChanges(plan: WorkloadPlan): PlannedSetting[] {
  return plan.settings.filter((s) => s.change);
}

/**
 * The settings of the plan as key → value for a file: every change. Used by "Apply all recommendations" and by the
 * evaluation, which applies exactly these to the job file.
 */
export function planEdits(plan: WorkloadPlan): Map<string, string> {
  return new Map(planChanges(plan).map((s) => [s.key, s.recommendedValue]));
}

export { describeChoice, type ResourceChoice, type Tuning, DEFAULT_TUNING } from './model';
