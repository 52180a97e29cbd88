/**
 * Baselines for the evaluation: the approaches of the best-known existing tools, each written as a chooser with the
 * evaluation's `Chooser` shape that picks one of the grid's configurations.
 * Rules and thresholds are the tools' own, as docs/heuristics.md states them with their sources (the tools' code);
 * where a tool has no rule for a setting, the baseline keeps the run's value.
 *
 * Every chooser looks only at the runs it is given (the "history"), newest run first, and maps the configuration its
 * rules ask for onto the nearest grid configuration ({@link nearestCandidate}).
 */
import { analyseRun } from '../analysis/run-analysis';
import { spilledStages } from '../analysis/heuristics';
import type { ApplicationRecord } from '../history/application-record';
import { simulateRun } from '../recommend/what-if';
import { DEFAULT_EXECUTOR_MEMORY_MIB, DEFAULT_SHUFFLE_PARTITIONS, runShape } from '../resource-model';
import type { GridChoice } from './ground-truth';

/** What a chooser is given besides the runs: the grid to choose from and the cluster (as the `sparkOptimizer.cluster.*` settings describe it). */
export interface ChooserOptions {
  candidates: readonly GridChoice[];
  cluster?: {
    nodeMemoryMiB: number;
    nodeCores: number;
    nodes?: number;
    totalCores?: number;
    maxExecutors?: number;
    physicalCores?: number;
  };
  /** Runs of other jobs in the store (given when the job has no runs of its own). */
  others?: readonly ApplicationRecord[];
  /** Runs of other jobs the store holds for the job's cluster (given when the job has runs; evaluate.ts `HistoryCase.cluster`). */
  clusterHistory?: readonly ApplicationRecord[];
  /** The configuration the job file asks for now (when the job has no runs, the only thing known of it). */
  current?: GridChoice;
  /** The job's name (when it has no runs to read it from). */
  appName?: string;
}

/**
 * What a rule that reads a run answers for a job without runs: the file's configuration, unchanged (a rule with nothing
 * to read changes nothing). @throws RangeError when neither runs nor the file's configuration are given.
 */
function keepWithoutRuns(options: ChooserOptions, rule: string): ChooserResult {
  if (options.current === undefined) throw new RangeError('no runs to recommend from');
  return {
    choice: nearestCandidate(options.current, options.candidates),
    evidence: [`${rule}: no run of this job to read, the file's configuration is kept`],
  };
}

/** A chooser's answer: the grid configuration, and what it expects and rests on. */
export interface ChooserResult {
  choice: GridChoice;
  expectedDurationMs?: number | null;
  evidence: string[];
}

/** A recommender under evaluation: runs of one job (any order) → one of `options.candidates`. */
export type Chooser = (runs: readonly ApplicationRecord[], options: ChooserOptions) => ChooserResult;

/** The newest run (by start time). @throws RangeError when `runs` is empty. */
export function newestRun(runs: readonly ApplicationRecord[]): ApplicationRecord {
  if (runs.length === 0) throw new RangeError('no runs to recommend from');
  return [...runs].sort((a, b) => b.startTimeMs - a.startTimeMs)[0];
}

/**
 * The configuration a run had: `spark.executor.memory` (else Spark's default 1024 MiB), executors × cores from
 * `runShape` (most executors alive at once × `spark.executor.cores` or the executors' `Total Cores`),
 * `spark.sql.shuffle.partitions` (else 200). @throws Error when the run's executor shape is unknown.
 */
export function runConfiguration(r: ApplicationRecord): GridChoice {
  const shape = runShape(r);
  if (shape === null) throw new Error(`${r.appId}: executor count or cores unknown`);
  return {
    executorMemoryMiB: r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB,
    executorCores: shape.executorCores,
    executorInstances: shape.executorInstances,
    shufflePartitions: r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS,
  };
}

/**
 * The candidate closest to `target`: smallest Σ |log2(candidate / target)| over the four fields. With
 * `memoryAtLeast`, candidates with less memory than the target cost an extra 10 (a memory rule asks for at least
 * that much; fewer MiB is only taken when no candidate has enough). Ties go to the earlier candidate.
 * @throws RangeError when `candidates` is empty.
 */
export function nearestCandidate(
  target: GridChoice,
  candidates: readonly GridChoice[],
  memoryAtLeast = false,
): GridChoice {
  if (candidates.length === 0) throw new RangeError('no candidates');
  const d = (a: number, b: number) => Math.abs(Math.log2(a / b));
  let best = candidates[0];
  let bestD = Infinity;
  for (const c of candidates) {
    const dist =
      d(c.executorMemoryMiB, target.executorMemoryMiB) +
      d(c.executorCores, target.executorCores) +
      d(c.executorInstances, target.executorInstances) +
      d(c.shufflePartitions, target.shufflePartitions) +
      (memoryAtLeast && c.executorMemoryMiB < target.executorMemoryMiB ? 10 : 0);
    if (dist < bestD - 1e-12) {
      best = c;
      bestD = dist;
    }
  }
  return best;
}

/** The smallest candidate memory above `mib` (same other fields preferred), else `mib` itself. */
function nextMemoryUp(mib: number, candidates: readonly GridChoice[]): number {
  const up = [...new Set(candidates.map((c) => c.executorMemoryMiB))].filter((m) => m > mib).sort((a, b) => a - b);
  return up[0] ?? mib;
}

/**
 * Spark's defaults, i.e. "change nothing and use what Spark picks": `spark.executor.memory` 1g,
 * `spark.sql.shuffle.partitions` 200, and on a standalone cluster one executor per worker taking all its cores
 * (`spark.executor.cores` unset = all the worker's cores, `spark.cores.max` unset = all; Spark configuration docs,
 * "spark.executor.cores": "all the available cores on the worker in standalone mode"), i.e. as many executors as the
 * cluster has nodes (`cluster.nodes`, else 1). Without `cluster.nodeCores` the run's own cores are kept.
 */
export const sparkDefaults: Chooser = (runs, options) => {
  const cores = options.cluster?.nodeCores ?? runConfiguration(newestRun(runs)).executorCores;
  const target: GridChoice = {
    executorMemoryMiB: DEFAULT_EXECUTOR_MEMORY_MIB,
    executorCores: cores,
    // One executor per worker (standalone: spark.cores.max unset takes every worker).
    executorInstances: options.cluster?.nodes ?? 1,
    shufflePartitions: DEFAULT_SHUFFLE_PARTITIONS,
  };
  return {
    choice: nearestCandidate(target, options.candidates),
    evidence: ['Spark defaults: 1g, all worker cores in one executor, 200 shuffle partitions'],
  };
};

/** Dr. Elephant thresholds used by {@link drElephant} (prior-art.md §2; linkedin/dr-elephant@60aa4dee). */
export const DR_ELEPHANT = {
  /** ConfigurationParametersHeuristic spill ratio (spill / data processed), lowest grade. */
  spillRatio: 0.01,
  /** ExecutorGcHeuristic: GC / executor run time, low grade; checked only when total executor run time ≥ 5 min. */
  gcShare: 0.08,
  gcMinExecutorRunTimeMs: 5 * 60_000,
  /** JvmUsedMemoryHeuristic: flagged when executor memory ≥ 1.5 × (peak JVM used + 300 MB) and memory > 2G; suggests 1.2 × peak. */
  jvmUsedRatio: 1.5,
  jvmUsedMinMemoryMiB: 2048,
  jvmHeadroom: 1.2,
  reservedMiB: 300,
  /** ConfigurationParametersHeuristic: median task above 2.5 min means too few partitions (target task time 150 s). */
  longMedianTaskMs: 150_000,
  /** Spill fix "decrease cores" applies only to executors with ≥ 4 cores and ≥ 10 GB (ExecutorStorageSpillHeuristic). */
  spillCoresMin: 4,
  spillMemoryMinMiB: 10 * 1024,
};

/**
 * Dr. Elephant's rules alone (linkedin/dr-elephant@60aa4dee, ConfigurationParametersHeuristic,
 * ExecutorStorageSpillHeuristic, ExecutorGcHeuristic, JvmUsedMemoryHeuristic, StagesWithFailedTasksHeuristic; thresholds
 * in {@link DR_ELEPHANT}, from prior-art.md §2), applied to the newest run:
 * - spill ratio ≥ 0.01, OOM failures, or GC ≥ 8 % of executor run time (only when run time ≥ 5 min): the spill fix
 *   order starts with more memory (4G → …), so the next larger memory of the grid; for executors with ≥ 4 cores and
 *   ≥ 10 GB the fix is fewer cores instead;
 * - executor memory > 2G and ≥ 1.5 × (peak JVM used + 300 MB): 1.2 × peak JVM used;
 * - median task of a stage ≥ 2.5 min: twice the shuffle partitions (target task time 150 s);
 * - executor count and cores otherwise unchanged (Dr. Elephant has no rule that adds executors).
 */
export const drElephant: Chooser = (runs, options) => {
  if (runs.length === 0) return keepWithoutRuns(options, "Dr. Elephant's rules");
  const run = newestRun(runs);
  const a = analyseRun(run);
  const cur = runConfiguration(run);
  const target = { ...cur };
  const evidence: string[] = [];
  const gcShare =
    run.executorRunTimeMs >= DR_ELEPHANT.gcMinExecutorRunTimeMs && run.executorRunTimeMs > 0
      ? run.jvmGcTimeMs / run.executorRunTimeMs
      : 0;
  // Dr. Elephant's spill ratio is per stage (spill / the most data the stage processed): the heuristics catalogue's.
  const spillRatio = Math.max(0, ...spilledStages(run).map((s) => s.ratio));
  const spilled = spillRatio >= DR_ELEPHANT.spillRatio;
  if (spilled || a.oomFailures > 0 || gcShare >= DR_ELEPHANT.gcShare) {
    if (cur.executorCores >= DR_ELEPHANT.spillCoresMin && cur.executorMemoryMiB >= DR_ELEPHANT.spillMemoryMinMiB) {
      target.executorCores = cur.executorCores - 1;
    } else {
      target.executorMemoryMiB = nextMemoryUp(cur.executorMemoryMiB, options.candidates);
    }
    evidence.push(
      `${run.appId}: spill ratio ${spillRatio.toFixed(3)}, OOM ${a.oomFailures}, GC ${(gcShare * 100).toFixed(1)} %`,
    );
  } else if (run.peakJvmHeapMemoryBytes !== null && cur.executorMemoryMiB > DR_ELEPHANT.jvmUsedMinMemoryMiB) {
    const peakMiB = run.peakJvmHeapMemoryBytes / 2 ** 20;
    if (cur.executorMemoryMiB >= DR_ELEPHANT.jvmUsedRatio * (peakMiB + DR_ELEPHANT.reservedMiB)) {
      target.executorMemoryMiB = Math.ceil(DR_ELEPHANT.jvmHeadroom * peakMiB);
      evidence.push(`${run.appId}: peak JVM used ${peakMiB.toFixed(0)} MiB`);
    }
  }
  const medians = run.stages.map((s) => s.taskDurationMs?.median ?? 0);
  if (medians.some((m) => m >= DR_ELEPHANT.longMedianTaskMs)) target.shufflePartitions = cur.shufflePartitions * 2;
  return { choice: nearestCandidate(target, options.candidates, true), evidence };
};

/** DataFlint thresholds used by {@link dataflintMemory} (prior-art.md §3; dataflint/spark@edd3207 `spark-ui/src/reducers/Alerts/`). */
export const DATAFLINT = {
  /** executorMemoryTooHigh: max executor memory usage above 95 % → current × 1.2. */
  usageHigh: 0.95,
  /** executorMemoryTooLow: max executor memory usage below 70 % → max used × 1.2. */
  usageLow: 0.7,
  headroom: 1.2,
};

/**
 * DataFlint's memory rule alone (dataflint/spark@edd3207, executorMemoryTooHigh / executorMemoryTooLow alerts,
 * prior-art.md §3): usage = peak JVM heap (`JVMHeapMemory`) / `spark.executor.memory`; above 95 % → memory × 1.2,
 * below 70 % → 1.2 × peak; everything else unchanged. The grid memory chosen is the smallest at least that large
 * (at the run's shape and partitions when the grid has it). Without executor metrics nothing changes.
 */
export const dataflintMemory: Chooser = (runs, options) => {
  if (runs.length === 0) return keepWithoutRuns(options, "DataFlint's memory rule");
  const run = newestRun(runs);
  const cur = runConfiguration(run);
  const target = { ...cur };
  const evidence: string[] = [];
  if (run.peakJvmHeapMemoryBytes !== null) {
    const peakMiB = run.peakJvmHeapMemoryBytes / 2 ** 20;
    const usage = peakMiB / cur.executorMemoryMiB;
    if (usage > DATAFLINT.usageHigh) target.executorMemoryMiB = cur.executorMemoryMiB * DATAFLINT.headroom;
    else if (usage < DATAFLINT.usageLow) target.executorMemoryMiB = DATAFLINT.headroom * peakMiB;
    evidence.push(
      `${run.appId}: peak JVM heap ${peakMiB.toFixed(0)} MiB = ${(usage * 100).toFixed(0)} % of ${cur.executorMemoryMiB} MiB`,
    );
  }
  return { choice: nearestCandidate(target, options.candidates, true), evidence };
};

/** Share of the fastest estimate within which {@link sparklensShape} takes the smallest shape. */
export const SPARKLENS_KNEE = 0.1;

/**
 * Sparklens-style simulation alone choosing executors × cores (qubole/sparklens@7f2ea4b `CompletionEstimator`,
 * prior-art.md §1): the newest run's task durations are replayed (`simulateRun`) over every executor shape in the grid,
 * memory and partitions kept; Sparklens prints the table and leaves the choice to the user, who takes the point where
 * more executors stop paying: here, the shape with the fewest total cores whose estimate is within 10 %
 * ({@link SPARKLENS_KNEE}) of the fastest (ties: fewer executors). Without per-task data nothing changes.
 */
export const sparklensShape: Chooser = (runs, options) => {
  if (runs.length === 0) return keepWithoutRuns(options, 'Sparklens');
  const run = newestRun(runs);
  const cur = runConfiguration(run);
  const shapes = new Map<string, { executorInstances: number; executorCores: number }>();
  for (const c of options.candidates)
    shapes.set(`${c.executorInstances}x${c.executorCores}`, {
      executorInstances: c.executorInstances,
      executorCores: c.executorCores,
    });
  const estimates = [...shapes.values()].flatMap((s) => {
    const e = simulateRun(run, s);
    return e === null ? [] : [{ shape: s, ms: e.durationMs }];
  });
  if (estimates.length === 0)
    return { choice: nearestCandidate(cur, options.candidates), evidence: [`${run.appId}: no task data to simulate`] };
  const fastest = Math.min(...estimates.map((e) => e.ms));
  const ok = estimates
    .filter((e) => e.ms <= fastest * (1 + SPARKLENS_KNEE))
    .sort(
      (a, b) =>
        a.shape.executorInstances * a.shape.executorCores - b.shape.executorInstances * b.shape.executorCores ||
        a.shape.executorInstances - b.shape.executorInstances ||
        a.ms - b.ms,
    );
  const pick = ok[0];
  const target = { ...cur, ...pick.shape };
  return {
    choice: nearestCandidate(target, options.candidates),
    expectedDurationMs: pick.ms,
    evidence: [
      `${run.appId}: simulated ${estimates.map((e) => `${e.shape.executorInstances}x${e.shape.executorCores}=${(e.ms / 1000).toFixed(1)}s`).join(', ')}`,
    ],
  };
};

/** The baselines by the names the report uses. */
export const BASELINES: { name: string; description: string; choose: Chooser }[] = [
  {
    name: 'spark-defaults',
    description: "Spark's defaults (1g, one executor with all worker cores, 200 partitions)",
    choose: sparkDefaults,
  },
  {
    name: 'dr-elephant',
    description:
      "Dr. Elephant's rules alone (spill/GC/OOM → more memory, JVM-used → 1.2 × peak, long tasks → more partitions)",
    choose: drElephant,
  },
  {
    name: 'dataflint-memory',
    description: "DataFlint's memory rule (1.2 × peak JVM heap when usage < 70 %, × 1.2 when > 95 %), rest unchanged",
    choose: dataflintMemory,
  },
  {
    name: 'sparklens-shape',
    description:
      'Sparklens-style simulation alone: fewest cores within 10 % of the fastest simulated executors × cores',
    choose: sparklensShape,
  },
];
