import { analyseRun, RunAnalysis, SPARK_DEFAULT_EXECUTOR_MEMORY_MIB, SPARK_DEFAULT_SHUFFLE_PARTITIONS } from '../analysis/run-analysis';
import { THRESHOLDS } from '../analysis/thresholds';
import { formatBytes, formatDurationMs, formatSparkSizeMiB, parseSparkSizeMiB } from '../config/spark-units';
import type { ApplicationRecord } from '../history/application-record';
import { replayableRun } from './what-if-table';
import { simulateShapes, simulationError } from './what-if';

/** The resource keys the first version recommends. */
export const RECOMMENDED_KEYS = [
  'spark.executor.memory',
  'spark.executor.cores',
  'spark.executor.instances',
  'spark.executor.memoryOverhead',
  'spark.driver.memory',
  'spark.sql.shuffle.partitions',
] as const;
export type RecommendedKey = (typeof RECOMMENDED_KEYS)[number];

/** One fact a recommendation rests on: a run, the metric read from it, and its value. */
export interface Evidence {
  appId: string;
  /** Metric name as shown to the user, e.g. `Disk Bytes Spilled`, `GC share of executor run time`. */
  metric: string;
  /** Value as shown, units included (`1.9 GiB`, `23 %`). */
  value: string;
  /** The run's setting the metric was measured under, e.g. `spark.executor.memory=1g`. */
  under?: string;
}

/** A recommended value for one setting. */
export interface Recommendation {
  key: RecommendedKey;
  /** Value in the file (as written) or null when the file does not set it. */
  currentValue: string | null;
  /** Value to write, in Spark's syntax (`2g`, `4`, `48`). */
  recommendedValue: string;
  /** One sentence naming the evidence: "3 of 4 runs of nightly_etl spilled 1.9 GiB to disk with 1g executors; ...". */
  message: string;
  /** Name of the rule and where it comes from. */
  rule: string;
  evidence: Evidence[];
  /** 0..1: falls with fewer runs and with runs that disagree (see `confidence`). */
  confidence: number;
}

/** The settings of the application as written (literal values only; null for non-literals). */
export type CurrentSettings = ReadonlyMap<string, string | null>;

/**
 * Confidence of a finding: agreement × n/(n+1) × recency.
 * @param agreeing runs showing the finding.
 * @param considered runs the rule looked at (≥ agreeing).
 * @param newestAgeDays age of the newest considered run in days; runs older than 90 days halve it.
 * @returns a number in [0, 1], rounded to 2 decimals.
 */
export function confidence(agreeing: number, considered: number, newestAgeDays = 0): number {
  if (considered === 0) return 0;
  const agreement = agreeing / considered;
  const sample = considered / (considered + 1);
  const recency = newestAgeDays > 90 ? 0.5 : 1;
  return Math.round(agreement * sample * recency * 100) / 100;
}

/** Words for a confidence value: high ≥ 0.75, medium ≥ 0.5, else low. */
export function confidenceLabel(c: number): 'high' | 'medium' | 'low' {
  return c >= 0.75 ? 'high' : c >= 0.5 ? 'medium' : 'low';
}

/**
 * Recommends values for RECOMMENDED_KEYS from the past runs of one job.
 * @param appName the job's name, used in messages.
 * @param runs the job's runs (any order); runs without SparkListenerApplicationEnd are left out.
 * @param current the file's settings (key → literal value or null).
 * @param nowMs clock for recency.
 * @returns recommendations whose value differs from the current one; empty when the runs show nothing to change.
 */
export function recommend(appName: string, runs: ApplicationRecord[], current: CurrentSettings, nowMs = Date.now()): Recommendation[] {
  // A run still in progress (or crashed without SparkListenerApplicationEnd) has partial figures: not evidence.
  const finished = runs.filter((r) => r.completed);
  if (finished.length === 0) return [];
  const analyses = finished.map(analyseRun).sort((a, b) => b.startTimeMs - a.startTimeMs);
  const ageDays = (nowMs - analyses[0].startTimeMs) / 86_400_000;
  const ctx: RuleContext = { appName, analyses, current, ageDays, runs: finished };
  const out: Recommendation[] = [];
  for (const rule of RULES) {
    const r = rule(ctx);
    if (r && r.recommendedValue !== r.currentValue) out.push(r);
  }
  return out;
}

interface RuleContext {
  appName: string;
  analyses: RunAnalysis[];
  runs: ApplicationRecord[];
  current: CurrentSettings;
  ageDays: number;
}

type Rule = (ctx: RuleContext) => Recommendation | null;

function memoryProblem(a: RunAnalysis): string | null {
  if (a.oomFailures > 0) return `${a.oomFailures} task(s) failed with java.lang.OutOfMemoryError`;
  if (a.spilled) return `spilled ${formatBytes(a.diskSpilledBytes)} to disk`;
  if (a.gcShare !== null && a.gcShare >= THRESHOLDS.gcShareHigh) return `spent ${pct(a.gcShare)} of executor time in GC`;
  return null;
}

/**
 * spark.executor.memory. Rules: Dr. Elephant ExecutorStorageSpillHeuristic / ExecutorGcHeuristic /
 * StagesWithFailedTasksHeuristic (spill, GC, OOM ⇒ more memory) with its recommender's memory ladder
 * (×2 up to 4 GiB, ×1.5 up to 8 GiB, ×1.25 above); but when a run with more memory did not show the
 * problem, the smallest such memory is recommended instead (evidence beats a ladder). Over-provisioning:
 * DataFlint executorMemoryTooLow (peak heap < 70 %) sized as Dr. Elephant JvmUsedMemoryHeuristic
 * (1.2 × peak + 300 MiB).
 */
const executorMemoryRule: Rule = ({ appName, analyses, current, ageDays }) => {
  const key = 'spark.executor.memory';
  const written = current.get(key);
  if (written === null) return null; // non-literal: never rewritten
  // An invalid size is the checks' business (SPARK002); no recommendation rests on a value Spark would reject.
  const currentMiB = written !== undefined ? parseSparkSizeMiB(written) : SPARK_DEFAULT_EXECUTOR_MEMORY_MIB;
  if (currentMiB === null) return null;
  // Runs with less memory than the file's value say nothing about it: without runs at the current value,
  // only runs with at least as much memory count.
  const atCurrent = analyses.filter((a) => a.executorMemoryMiB === currentMiB);
  const considered = atCurrent.length > 0 ? atCurrent : analyses.filter((a) => a.executorMemoryMiB >= currentMiB);
  if (considered.length === 0) return null;
  const problems = considered.map((a) => ({ a, why: memoryProblem(a) })).filter((p) => p.why !== null);
  const memLabel = formatSparkSizeMiB(currentMiB);
  if (problems.length > 0) {
    const healthyBigger = analyses
      .filter((a) => a.executorMemoryMiB > currentMiB && memoryProblem(a) === null)
      .sort((x, y) => x.executorMemoryMiB - y.executorMemoryMiB);
    const spilledBytes = problems.map((p) => p.a.diskSpilledBytes).sort((x, y) => x - y);
    const what = problems.every((p) => p.a.spilled)
      ? `spilled ${formatBytes(spilledBytes[Math.floor((spilledBytes.length - 1) / 2)])} to disk`
      : problems[0].why;
    let target: number;
    let because: string;
    if (healthyBigger.length > 0) {
      target = healthyBigger[0].executorMemoryMiB;
      const ok = healthyBigger.filter((a) => a.executorMemoryMiB === target);
      because = `${ok.length} run(s) with ${formatSparkSizeMiB(target)} did not (${ok.map((a) => a.appId).join(', ')})`;
    } else {
      target = memoryLadder(currentMiB);
      because = `no run with more memory yet; next step of Dr. Elephant's memory ladder`;
    }
    const evidence: Evidence[] = [
      ...problems.map((p) => ({ appId: p.a.appId, metric: 'Disk Bytes Spilled', value: formatBytes(p.a.diskSpilledBytes), under: `${key}=${formatSparkSizeMiB(p.a.executorMemoryMiB)}` })),
      ...healthyBigger.map((a) => ({ appId: a.appId, metric: 'Disk Bytes Spilled', value: formatBytes(a.diskSpilledBytes), under: `${key}=${formatSparkSizeMiB(a.executorMemoryMiB)}` })),
    ];
    return {
      key,
      currentValue: written ?? null,
      recommendedValue: formatSparkSizeMiB(target),
      message: `${problems.length} of ${considered.length} runs of ${appName} ${what} with ${memLabel} executors; ${because}.`,
      rule: 'Memory pressure (Dr. Elephant spill/GC/OOM heuristics)',
      evidence,
      confidence: confidence(problems.length, considered.length, ageDays),
    };
  }
  // Over-provisioned heap.
  const withHeap = considered.filter((a) => a.peakJvmHeapBytes !== null && a.peakHeapShare !== null);
  if (currentMiB > THRESHOLDS.heapCheckMinMemoryMiB && withHeap.length > 0 && withHeap.length === considered.length) {
    const low = withHeap.filter((a) => (a.peakHeapShare ?? 1) < THRESHOLDS.heapUsedLow);
    if (low.length === withHeap.length) {
      const peakMiB = Math.max(...withHeap.map((a) => (a.peakJvmHeapBytes ?? 0) / 1024 / 1024));
      const target = Math.ceil((peakMiB * THRESHOLDS.heapHeadroom + THRESHOLDS.reservedMemoryMiB) / 512) * 512;
      if (target < currentMiB) {
        return {
          key,
          currentValue: written ?? null,
          recommendedValue: formatSparkSizeMiB(target),
          message: `${low.length} of ${considered.length} runs of ${appName} used at most ${formatBytes(peakMiB * 1024 * 1024)} of JVM heap with ${memLabel} executors (under 70 %).`,
          rule: 'Over-provisioned heap (DataFlint executorMemoryTooLow, sized as Dr. Elephant JvmUsedMemoryHeuristic)',
          evidence: withHeap.map((a) => ({ appId: a.appId, metric: 'peak JVMHeapMemory', value: formatBytes(a.peakJvmHeapBytes ?? 0), under: `${key}=${memLabel}` })),
          confidence: confidence(low.length, considered.length, ageDays),
        };
      }
    }
  }
  return null;
};

/** Dr. Elephant ConfigurationParametersHeuristic memory ladder: ×2 up to 4 GiB, ×1.5 up to 8 GiB, ×1.25 above; rounded up to 512 MiB. */
export function memoryLadder(mib: number): number {
  const next = mib < 4096 ? mib * 2 : mib < 8192 ? mib * 1.5 : mib * 1.25;
  return Math.ceil(next / 512) * 512;
}

/**
 * spark.executor.cores: when memory pressure shows and executors have more than 4 cores, fewer cores
 * give each task more memory. Dr. Elephant recommender caps cores at 4 and cuts cores before adding memory
 * when cores ≥ 4.
 */
const executorCoresRule: Rule = ({ appName, analyses, current, ageDays }) => {
  const key = 'spark.executor.cores';
  const written = current.get(key);
  if (written === null || written === undefined) return null;
  const cores = Number(written);
  if (!Number.isInteger(cores) || cores <= THRESHOLDS.maxRecommendedCores) return null;
  const considered = analyses.filter((a) => a.executorCores === cores);
  const pressured = considered.filter((a) => memoryProblem(a) !== null);
  if (pressured.length === 0) return null;
  return {
    key,
    currentValue: written,
    recommendedValue: String(THRESHOLDS.maxRecommendedCores),
    message: `${pressured.length} of ${considered.length} runs of ${appName} ran short of memory with ${cores} cores per executor sharing it; ${THRESHOLDS.maxRecommendedCores} cores give each task more memory.`,
    rule: 'Cores per executor (Dr. Elephant recommender cap of 4 cores)',
    evidence: pressured.map((a) => ({ appId: a.appId, metric: 'memory pressure', value: memoryProblem(a) ?? '', under: `${key}=${cores}` })),
    confidence: confidence(pressured.length, considered.length, ageDays),
  };
};

/** A smaller executor count is chosen when its simulated duration is within this share of the current count's. */
export const SIMULATED_SLOWDOWN_ALLOWED = 0.1;

/**
 * spark.executor.instances: cut idle capacity. DataFlint idleCoresTooHigh (> 50 % of executor-core time
 * idle). The new count: when a run can be replayed (what-if.ts, Sparklens-style), the fewest executors whose
 * simulated duration stays within 10 % of the current count's (`SIMULATED_SLOWDOWN_ALLOWED`), so the saving is
 * shown with its cost in time; otherwise the count that keeps the median utilisation at 70 %.
 */
const executorInstancesRule: Rule = ({ appName, analyses, current, ageDays, runs }) => {
  const key = 'spark.executor.instances';
  const written = current.get(key);
  if (written === null || written === undefined) return null;
  const instances = Number(written);
  if (!Number.isInteger(instances) || instances < 2) return null;
  const considered = analyses.filter((a) => a.utilisation !== null);
  const idle = considered.filter((a) => (a.utilisation ?? 1) < THRESHOLDS.utilisationLow);
  if (idle.length === 0 || idle.length * 2 < considered.length) return null;
  const utils = considered.map((a) => a.utilisation ?? 0).sort((x, y) => x - y);
  const median = utils[Math.floor((utils.length - 1) / 2)];
  let target = Math.max(1, Math.ceil((instances * median) / THRESHOLDS.utilisationTarget));
  let simulated = '';
  const base = replayableRun(runs);
  if (base !== null) {
    const counts = Array.from({ length: instances }, (_, i) => i + 1);
    const est = simulateShapes(base.run, counts.map((n) => ({ executorInstances: n, executorCores: base.shape.executorCores })));
    if (est !== null) {
      const now = est[instances - 1].durationMs;
      const pick = est.find((e) => e.durationMs <= now * (1 + SIMULATED_SLOWDOWN_ALLOWED));
      if (pick !== undefined) {
        target = pick.executorInstances;
        const err = simulationError(base.run);
        simulated = ` Replaying ${base.run.appId}: ${target} executors take ${formatDurationMs(pick.durationMs)} against ${formatDurationMs(now)} with ${instances} (${(pick.executorCoreHours).toFixed(3)} vs ${est[instances - 1].executorCoreHours.toFixed(3)} core-hours${err !== null ? `; model error on that run ${(err.relativeError * 100).toFixed(1)} %` : ''}).`;
      }
    }
  }
  if (target >= instances) return null;
  return {
    key,
    currentValue: written,
    recommendedValue: String(target),
    message: `${idle.length} of ${considered.length} runs of ${appName} kept executor cores busy only ${pct(median)} of the time (median).${simulated || ` ${target} executors would run at about 70 %.`}`,
    rule: 'Idle executors (DataFlint idleCoresTooHigh: > 50 % idle core time)',
    evidence: considered.map((a) => ({ appId: a.appId, metric: 'executor utilisation (task time / executor-core time)', value: pct(a.utilisation ?? 0), under: `executors=${a.executors}` })),
    confidence: confidence(idle.length, considered.length, ageDays),
  };
};

/**
 * spark.executor.memoryOverhead: containers killed for exceeding memory limits ⇒ current overhead + 1 GiB
 * (Dr. Elephant StagesWithFailedTasksHeuristic). The default overhead is max(384 MiB, 0.10 × executor memory).
 */
const memoryOverheadRule: Rule = ({ appName, analyses, current, ageDays }) => {
  const key = 'spark.executor.memoryOverhead';
  const written = current.get(key);
  if (written === null) return null;
  const killed = analyses.filter((a) => a.containerKilledFailures > 0);
  if (killed.length === 0) return null;
  const memMiB = parseSparkSizeMiB(current.get('spark.executor.memory') ?? undefined) ?? killed[0].executorMemoryMiB;
  const writtenOverhead = written !== undefined ? parseSparkSizeMiB(written) : undefined;
  if (writtenOverhead === null) return null; // invalid: SPARK002 says so
  const currentOverhead = writtenOverhead ?? Math.max(THRESHOLDS.overheadMinMiB, Math.floor(memMiB * THRESHOLDS.overheadFactor));
  return {
    key,
    currentValue: written ?? null,
    recommendedValue: formatSparkSizeMiB(currentOverhead + THRESHOLDS.overheadStepMiB),
    message: `${killed.length} of ${analyses.length} runs of ${appName} had containers killed for exceeding memory limits; raise the overhead by 1 GiB.`,
    rule: 'Container kills (Dr. Elephant StagesWithFailedTasksHeuristic)',
    evidence: killed.map((a) => ({ appId: a.appId, metric: 'tasks failed: container killed', value: String(a.containerKilledFailures) })),
    confidence: confidence(killed.length, analyses.length, ageDays),
  };
};

/**
 * spark.driver.memory: driver heap above 95 % of its memory ⇒ ×1.2 (DataFlint driverMemoryTooHigh). Needs the
 * driver's executor metrics (`spark.eventLog.logStageExecutorMetrics=true`); silent without them.
 */
const driverMemoryRule: Rule = ({ appName, runs, current, ageDays }) => {
  const key = 'spark.driver.memory';
  const written = current.get(key);
  if (written === null) return null;
  const driverMiB = written !== undefined ? parseSparkSizeMiB(written) : 1024;
  if (driverMiB === null) return null; // invalid: SPARK002 says so
  const withDriver = runs
    .map((r) => ({ r, heap: r.executors.find((e) => e.executorId === 'driver')?.peakJvmHeapBytes ?? null }))
    .filter((x): x is { r: ApplicationRecord; heap: number } => x.heap !== null);
  if (withDriver.length === 0) return null;
  const high = withDriver.filter((x) => x.heap > 0.95 * driverMiB * 1024 * 1024);
  if (high.length === 0) return null;
  return {
    key,
    currentValue: written ?? null,
    recommendedValue: formatSparkSizeMiB(Math.ceil((driverMiB * 1.2) / 512) * 512),
    message: `${high.length} of ${withDriver.length} runs of ${appName} used over 95 % of the driver's ${formatSparkSizeMiB(driverMiB)} heap.`,
    rule: 'Driver heap (DataFlint driverMemoryTooHigh)',
    evidence: high.map((x) => ({ appId: x.r.appId, metric: 'driver peak JVMHeapMemory', value: formatBytes(x.heap) })),
    confidence: confidence(high.length, withDriver.length, ageDays),
  };
};

/**
 * spark.sql.shuffle.partitions. Too many: shuffle stages of tiny tasks (DataFlint smallTasks: median task
 * < 500 ms) with more than 10 tasks per core. Too few: a shuffle stage reading more than 128 MiB per
 * partition while the run spilled. Target: max(3 tasks per core (Spark tuning guide), largest stage shuffle
 * read / 128 MiB), rounded up to a multiple of the cluster's cores.
 */
const shufflePartitionsRule: Rule = ({ appName, analyses, current, ageDays }) => {
  const key = 'spark.sql.shuffle.partitions';
  const written = current.get(key);
  if (written === null) return null;
  const partitions = written !== undefined ? Number(written) : SPARK_DEFAULT_SHUFFLE_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions <= 0) return null;
  // Tasks at another partition count say little about this one: only runs at the current value count.
  const considered = analyses.filter((a) => a.shufflePartitions === partitions);
  if (considered.length === 0) return null;
  const cores = Math.max(...considered.map((a) => (a.executorCores ?? 1) * Math.max(1, a.executors)));
  const maxRead = Math.max(...considered.map((a) => a.maxStageShuffleReadBytes));
  const sized = Math.max(cores * THRESHOLDS.tasksPerCoreTarget, Math.ceil(maxRead / THRESHOLDS.targetPartitionBytes));
  const target = Math.ceil(sized / cores) * cores;
  const tiny = considered.filter((a) => a.tinyTaskStages.length > 0);
  if (tiny.length > 0 && target < partitions) {
    const medians = tiny.map((a) => Math.min(...a.tinyTaskStages.map((s) => s.medianTaskMs)));
    // A run with fewer partitions that finished sooner is the strongest evidence: name the fastest.
    const fewer = analyses.filter((a) => a.shufflePartitions < partitions).sort((x, y) => x.durationMs - y.durationMs)[0];
    const currentMedian = median(considered.map((a) => a.durationMs));
    const faster = fewer && fewer.durationMs < currentMedian ? ` A run with ${fewer.shufflePartitions} partitions took ${formatDurationMs(fewer.durationMs)} against ${formatDurationMs(currentMedian)} (${fewer.appId}).` : '';
    return {
      key,
      currentValue: written ?? null,
      recommendedValue: String(target),
      message: `${tiny.length} of ${considered.length} runs of ${appName} ran ${partitions} shuffle tasks of ${Math.round(Math.min(...medians))} ms median on ${cores} cores; ${target} partitions give ${formatBytes(maxRead / target)} per task.${faster}`,
      rule: 'Tiny tasks (DataFlint smallTasks; Spark tuning guide 2-3 tasks per core)',
      evidence: [
        ...tiny.flatMap((a) => a.tinyTaskStages.map((s) => ({ appId: a.appId, metric: `stage ${s.stageId} median task`, value: `${s.medianTaskMs} ms × ${s.numTasks} tasks`, under: `${key}=${a.shufflePartitions}` }))),
        ...(faster ? [{ appId: fewer.appId, metric: 'duration', value: formatDurationMs(fewer.durationMs), under: `${key}=${fewer.shufflePartitions}` }] : []),
      ],
      confidence: confidence(tiny.length, considered.length, ageDays),
    };
  }
  const big = considered.filter((a) => a.spilled && a.maxStageShuffleReadBytes / partitions > THRESHOLDS.targetPartitionBytes);
  if (big.length > 0 && target > partitions) {
    return {
      key,
      currentValue: written ?? null,
      recommendedValue: String(target),
      message: `${big.length} of ${considered.length} runs of ${appName} spilled while shuffle partitions held ${formatBytes(maxRead / partitions)} each; ${target} partitions give about 128 MiB each.`,
      rule: 'Partition size (DataFlint 128 MiB ideal partition)',
      evidence: big.map((a) => ({ appId: a.appId, metric: 'largest stage shuffle read', value: formatBytes(a.maxStageShuffleReadBytes), under: `${key}=${a.shufflePartitions}` })),
      confidence: confidence(big.length, considered.length, ageDays),
    };
  }
  return null;
};

const RULES: Rule[] = [executorMemoryRule, executorCoresRule, executorInstancesRule, memoryOverheadRule, driverMemoryRule, shufflePartitionsRule];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}
