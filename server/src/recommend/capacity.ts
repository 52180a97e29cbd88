/**
 * Two facts about where a workload ran that the Sparklens-style replay (what-if.ts) does not see, measured from the
 * runs themselves and used by the engine's model (model.ts):
 *
 * 1. **Executor start-up** ({@link executorStartup}): how long the driver waited, from the application's start, for the
 *    executors it had before its first stage was submitted. With `spark.scheduler.minRegisteredResourcesRatio` (1.0
 *    on the benchmark's runs; Spark's default 0.8 on YARN and Kubernetes, 0 otherwise, where the first stage does not
 *    wait and nothing is modelled) the first stage waits until that share of the requested executors has registered
 *    (at most `spark.scheduler.maxRegisteredResourcesWaitingTime`). The replay keeps this time as measured
 *    (it is driver-only time), so a run with 1 executor predicts a run with 8 as if they started as fast. The model
 *    scales it with the number of executors waited for: a fitted line over the workload's runs
 *    ({@link startupLine}), through the origin when they all had one count.
 * 2. **Effective CPU parallelism** ({@link cpuCapacityPerHost}): how many task slots of one host really run CPU work at
 *    once. Where several executors share a host with fewer physical cores than slots (the benchmark's loopback
 *    cluster: 16 slots, 2 cores), a stage's executors' CPU time over its span stops growing with the slots: that
 *    ceiling is the capacity, and tasks' CPU phases, and the time outside their run time, stretch when more of them
 *    run on a host than it has capacity for (processor sharing, {@link contentionFactor}). The ceiling counts only when the runs prove it: one run with at least
 *    {@link CEILING_SLOT_RATIO} × the slots per host of another used no more CPU at once (within
 *    {@link CEILING_TOLERANCE}). Without that proof, e.g. on a real cluster where slots are parallel and CPU use
 *    grows with them, the capacity is unlimited and the model is the replay's.
 * 3. **CPU time per unit of work under sharing** ({@link cpuInflation}): on such a host the tasks' own CPU time (not
 *    only their wait for a core) grows with the executor JVMs and slots sharing it: each JVM interprets and
 *    JIT-compiles the same code for itself, and more threads share the caches. On the benchmark's loopback cluster the
 *    same work used ~3.5× the task CPU time with 4 executors × 4 cores as with 1 × 2. Fitted from the runs as
 *    CPU ∝ executorsPerHost^a × slotsPerHost^b (least squares on the log ratios of runs of one workload that differ
 *    only in shape; a, b ≥ 0) and applied, with the capacity, only where a ceiling is proven.
 *
 * Sources: Spark's `spark.scheduler.minRegisteredResourcesRatio` / `maxRegisteredResourcesWaitingTime` (configuration
 * docs, "Scheduling"); `Executor CPU Time` (ns in the log, ms in the record) and `Executor Run Time` of `Task
 * Metrics`; processor sharing: a host's CPU demand above its cores slows every running task's CPU phase alike.
 */
import type { ApplicationRecord, StageRecord } from '../history/application-record';
import { runShape } from '../resource-model';
import { stageDurations as stageDurationsOf } from './what-if';

/**
 * `spark.scheduler.minRegisteredResourcesRatio` of a run: its property, else Spark's default for its cluster manager
 * (0.8 on YARN and Kubernetes, whose scheduler backends override it; 0 otherwise, e.g. standalone, where the first
 * stage does not wait for executors). Clamped to [0, 1].
 */
export function minRegisteredResourcesRatioOf(run: ApplicationRecord): number {
  const v = Number.parseFloat(run.sparkProperties['spark.scheduler.minRegisteredResourcesRatio'] ?? '');
  if (Number.isFinite(v)) return Math.min(1, Math.max(0, v));
  const master = run.master ?? run.sparkProperties['spark.master'] ?? '';
  return master.startsWith('yarn') || master.startsWith('k8s://') ? 0.8 : 0;
}

/** What a run waited for executors before its first stage. */
export interface ExecutorStartup {
  /** ms from the application's start to the last executor added at or before the first stage's submission (0 when none was). */
  waitMs: number;
  /** Executors added by then. */
  executors: number;
  /** Executors the run asked for (its shape's instances). */
  requested: number;
  /** `spark.scheduler.minRegisteredResourcesRatio` of the run ({@link minRegisteredResourcesRatioOf}, > 0). */
  ratio: number;
}

/** Executors that are not the driver. */
function executorsOf(run: ApplicationRecord) {
  return run.executors.filter((e) => e.isDriver !== true && e.executorId !== 'driver');
}

/**
 * The run's executor start-up wait (module comment, item 1).
 * @returns null when the first stage did not wait for executors (`minRegisteredResourcesRatio` 0: executors that
 *   registered before it did so while the driver worked), the run has no executors apart from the driver (local mode),
 *   no stage with a submission time, an unknown shape, or dynamic allocation (executors come and go: the wait is not a
 *   function of a count).
 */
export function executorStartup(run: ApplicationRecord): ExecutorStartup | null {
  const shape = runShape(run);
  const ratio = minRegisteredResourcesRatioOf(run);
  if (shape === null || run.dynamicAllocationEnabled || ratio <= 0) return null;
  const execs = executorsOf(run);
  if (execs.length === 0) return null;
  let first = Infinity;
  for (const s of run.stages) if (s.submissionTimeMs !== null && s.submissionTimeMs < first) first = s.submissionTimeMs;
  if (!Number.isFinite(first)) return null;
  const before = execs.filter((e) => e.addTimeMs <= first);
  const waitMs = before.length === 0 ? 0 : Math.max(0, Math.max(...before.map((e) => e.addTimeMs)) - run.startTimeMs);
  return { waitMs, executors: before.length, requested: shape.executorInstances, ratio };
}

/** Start-up wait (ms) as a function of the executors waited for: `interceptMs + perExecutorMs × executors`. */
export interface StartupLine {
  interceptMs: number;
  perExecutorMs: number;
}

/**
 * The start-up line of runs (Theil–Sen, robust to a run slowed by a load spike): when they waited for at least two
 * different executor counts, the slope is the median of the pairwise slopes (≥ 0) and the intercept the median of
 * wait − slope × executors (≥ 0, the slope then refitted through the origin as the median wait per executor if it
 * went negative); with one count, the line goes through the origin with the median wait per executor.
 * @returns null when no run waited for an executor.
 */
export function startupLine(startups: readonly ExecutorStartup[]): StartupLine | null {
  const xs = startups.filter((s) => s.executors > 0);
  if (xs.length === 0) return null;
  const throughOrigin = (): StartupLine => ({
    interceptMs: 0,
    perExecutorMs: median(xs.map((s) => s.waitMs / s.executors)),
  });
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++)
      if (xs[i].executors !== xs[j].executors)
        slopes.push((xs[j].waitMs - xs[i].waitMs) / (xs[j].executors - xs[i].executors));
  if (slopes.length === 0) return throughOrigin();
  const slope = Math.max(0, median(slopes));
  const intercept = median(xs.map((s) => s.waitMs - slope * s.executors));
  return intercept < 0 ? throughOrigin() : { interceptMs: intercept, perExecutorMs: slope };
}

/** Median of a non-empty list. */
function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Stages shorter than this (ms) are left out of CPU-concurrency estimates (their span is mostly scheduling). */
export const MIN_STAGE_SPAN_MS = 1000;
/** A run with at least this × another's slots per host must use no more CPU at once to prove a ceiling. */
export const CEILING_SLOT_RATIO = 2;
/** "No more CPU at once": within this share of the other run's concurrency. */
export const CEILING_TOLERANCE = 0.25;

/** Distinct hosts of a run's executors (at least 1). */
export function hostsOf(run: ApplicationRecord): number {
  return Math.max(1, new Set(executorsOf(run).map((e) => e.host)).size);
}

/** A stage's real span, ms (0 without both times). */
function spanOf(s: StageRecord): number {
  return s.submissionTimeMs !== null && s.completionTimeMs !== null ? s.completionTimeMs - s.submissionTimeMs : 0;
}

/**
 * The run's CPU concurrency per host: the largest `executorCpuTimeMs` ÷ span ÷ hosts over its stages of at least
 * {@link MIN_STAGE_SPAN_MS} (how many cores of one host its tasks kept busy at once), with its slots per host
 * (instances × cores ÷ hosts). @returns null when the shape is unknown or no stage is long enough.
 */
export function cpuConcurrencyPerHost(run: ApplicationRecord): { cpu: number; slotsPerHost: number } | null {
  const shape = runShape(run);
  if (shape === null) return null;
  const hosts = hostsOf(run);
  let cpu = 0;
  let any = false;
  for (const s of run.stages) {
    const span = spanOf(s);
    if (span < MIN_STAGE_SPAN_MS) continue;
    any = true;
    cpu = Math.max(cpu, s.executorCpuTimeMs / span / hosts);
  }
  return any ? { cpu, slotsPerHost: (shape.executorInstances * shape.executorCores) / hosts } : null;
}

/**
 * The CPU capacity of one host (module comment, item 2): the largest CPU concurrency per host over the runs, when a
 * ceiling is proven (a run with ≥ {@link CEILING_SLOT_RATIO} × the slots per host of another used at most
 * (1 + {@link CEILING_TOLERANCE}) × its CPU at once, and the capacity is below the most slots per host any run had).
 * @param runs runs of one cluster (any workloads).
 * @returns cores per host that run CPU work at once; null when no ceiling is proven (unlimited).
 */
export function cpuCapacityPerHost(runs: readonly ApplicationRecord[]): number | null {
  const cs = runs.map(cpuConcurrencyPerHost).filter((c): c is { cpu: number; slotsPerHost: number } => c !== null);
  if (cs.length < 2) return null;
  const capacity = Math.max(...cs.map((c) => c.cpu));
  if (!(capacity > 0) || capacity >= Math.max(...cs.map((c) => c.slotsPerHost))) return null;
  const proven = cs.some((a) =>
    cs.some(
      (b) =>
        b.slotsPerHost >= CEILING_SLOT_RATIO * a.slotsPerHost &&
        a.cpu > 0 &&
        b.cpu <= (1 + CEILING_TOLERANCE) * a.cpu &&
        a.cpu >= 0.5 * Math.min(a.slotsPerHost, capacity),
    ),
  );
  return proven ? capacity : null;
}

/**
 * The factor a stage's task durations change by when the tasks running at once on one host go from `fromTasks` to
 * `toTasks`, on hosts of `capacity` cores (processor sharing). A task's duration (launch to finish) is its run time
 * (`Executor Run Time`) plus what lies outside it: deserialisation, the scheduler's and the executor's delays, result
 * serialisation (Spark's "scheduler delay" and the deserialise/serialise times). The run time is a non-CPU part w plus
 * the CPU part (`Executor CPU Time`) stretched by max(1, running ÷ capacity); the part outside the run time is taken
 * as CPU work stretched alike (on a host short of cores it is mostly threads waiting for a core: measured on the
 * benchmark's 16 slots on 2 cores, 24 % of the task durations of a waiting stage against 1.4 % at 2 slots). Summed
 * over the stage's tasks: factor = (w + (cpu × cpuRatio + outside ÷ stretch(from)) × stretch(to)) ÷ durations.
 * @param cpuRatio the change of the tasks' CPU time per unit of work ({@link inflationRatio}; 1: unchanged).
 * @returns 1 when the capacity is unlimited (null) or the stage has no run time or durations.
 */
export function contentionFactor(
  s: StageRecord,
  fromTasks: number,
  toTasks: number,
  capacity: number | null,
  cpuRatio = 1,
): number {
  if (capacity === null || !(capacity > 0) || s.executorRunTimeMs <= 0) return 1;
  const durations = stageDurationsOf(s);
  const total = durations === null ? 0 : durations.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return 1;
  const run = Math.min(total, s.executorRunTimeMs);
  const cpu = Math.min(run, s.executorCpuTimeMs);
  const stretch = (k: number) => Math.max(1, k / capacity);
  const from = stretch(fromTasks);
  const wait = Math.max(0, run - cpu * from);
  const outside = total - run;
  return (wait + (cpu * cpuRatio + outside / from) * stretch(toTasks)) / total;
}

/** CPU time per unit of work ∝ executorsPerHost^perLogExecutors × slotsPerHost^perLogSlots (module comment, item 3). */
export interface CpuInflation {
  perLogExecutors: number;
  perLogSlots: number;
}

/** Executors and task slots of one host. */
export interface HostShare {
  executors: number;
  slots: number;
}

/**
 * The factor the tasks' CPU time per unit of work changes by from `from` to `to` (executors and slots per host).
 * @returns 1 without an inflation (null).
 */
export function inflationRatio(inf: CpuInflation | null, from: HostShare, to: HostShare): number {
  if (inf === null) return 1;
  const f = (h: HostShare) =>
    Math.pow(Math.max(1e-9, h.executors), inf.perLogExecutors) * Math.pow(Math.max(1e-9, h.slots), inf.perLogSlots);
  return f(to) / f(from);
}

/** Pairs of runs needed before {@link cpuInflation} fits anything. */
export const MIN_INFLATION_PAIRS = 3;

/**
 * How the tasks' CPU time grows with the executors and slots sharing a host (module comment, item 3): over every pair
 * of runs of one workload (app name) with the same executor memory and shuffle partitions but another shape, the log
 * ratio of their total `Executor CPU Time` against the log ratios of executors per host and slots per host; least
 * squares through the origin, constrained to a, b ≥ 0 (sharing a host does not make work cheaper: a negative
 * coefficient is dropped and the other refitted alone).
 * @param runs runs of one cluster (any workloads).
 * @returns null with fewer than {@link MIN_INFLATION_PAIRS} pairs or when neither ratio varies.
 */
export function cpuInflation(runs: readonly ApplicationRecord[]): CpuInflation | null {
  const rows = runs.flatMap((r) => {
    const shape = runShape(r);
    const cpu = r.executorCpuTimeMs;
    if (shape === null || !(cpu > 0)) return [];
    const hosts = hostsOf(r);
    return [
      {
        key: `${r.appName}\u0000${r.executorMemoryMiB ?? ''}\u0000${r.shufflePartitions ?? ''}`,
        e: shape.executorInstances / hosts,
        k: (shape.executorInstances * shape.executorCores) / hosts,
        cpu,
      },
    ];
  });
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let sxz = 0;
  let syz = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i];
      const b = rows[j];
      if (a.key !== b.key) continue;
      const x = Math.log(a.e / b.e);
      const y = Math.log(a.k / b.k);
      if (x === 0 && y === 0) continue;
      const z = Math.log(a.cpu / b.cpu);
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
      sxz += x * z;
      syz += y * z;
      n++;
    }
  if (n < MIN_INFLATION_PAIRS || (sxx === 0 && syy === 0)) return null;
  // Non-negative least squares in two unknowns: the best of the joint fit (when both ≥ 0), each alone, and none.
  const sse = (a: number, b: number) => -2 * a * sxz - 2 * b * syz + a * a * sxx + 2 * a * b * sxy + b * b * syy;
  const candidates: [number, number][] = [
    [0, 0],
    [sxx > 0 ? Math.max(0, sxz / sxx) : 0, 0],
    [0, syy > 0 ? Math.max(0, syz / syy) : 0],
  ];
  const det = sxx * syy - sxy * sxy;
  if (det > 1e-12 * sxx * syy) {
    const a = (sxz * syy - syz * sxy) / det;
    const b = (syz * sxx - sxz * sxy) / det;
    if (a >= 0 && b >= 0) candidates.push([a, b]);
  }
  const [a, b] = candidates.reduce((best, c) => (sse(c[0], c[1]) < sse(best[0], best[1]) - 1e-15 ? c : best));
  return { perLogExecutors: a, perLogSlots: b };
}

/**
 * What a store holding a cluster's history knows of the cluster (module comment, items 1–3), for the model of any job
 * that runs there (model.ts `ModelOptions`).
 */
export interface ClusterFacts {
  /** {@link cpuCapacityPerHost}: cores per host that run CPU work at once; null: unlimited (no ceiling proven). */
  cpuCapacityPerHost: number | null;
  /** {@link startupLine}: executor start-up wait (ms) as a function of the executors waited for; null: none waited. */
  startup: StartupLine | null;
  /** {@link cpuInflation}: growth of the tasks' CPU time with executors and slots per host; null: too few pairs. */
  cpuInflation: CpuInflation | null;
}

/**
 * The facts of the cluster the runs ran on (any workloads: the job's own and the other jobs of its `spark.master`),
 * measured from the runs whose jobs all succeeded (a job that failed, e.g. for memory, stopped early: its CPU use and
 * stage spans are not the workload's). The engine (engine.ts `PlanInput.clusterRuns`) and the evaluation's model
 * predictor both take the cluster's facts from here.
 * @param runs runs of one cluster; an empty list gives no facts (all null).
 */
export function clusterFacts(runs: readonly ApplicationRecord[]): ClusterFacts {
  const ok = runs.filter((r) => r.failedJobs === 0);
  return {
    cpuCapacityPerHost: cpuCapacityPerHost(ok),
    startup: startupLine(ok.flatMap((r) => executorStartup(r) ?? [])),
    cpuInflation: cpuInflation(ok),
  };
}
