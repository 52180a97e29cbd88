/**
 * Per-run findings: everything one application record shows about memory, parallelism, skew, utilisation, cost and
 * failures, each with a severity, the numbers behind it and the published source of its threshold
 * (thresholds.ts; ../shared/docs/prior-art.md). Pure: a record in, findings out; no LSP, no I/O.
 *
 * Severities are Dr. Elephant's grades (`low` < `moderate` < `severe` < `critical`), plus `info` for figures reported
 * without judgement (cost, executor-hours).
 */
import type { ApplicationRecord, StageRecord } from '../history/application-record';
import { formatBytes, formatDurationMs, formatSparkSizeMiB } from '../config/spark-units';
import { type CostPrices, utilisationAndCost } from './cost';
import { SPARK_DEFAULT_EXECUTOR_MEMORY_MIB } from './run-analysis';
import { THRESHOLDS } from './thresholds';

/** Dr. Elephant's severity grades, plus `info` for plain figures. */
export type Severity = 'info' | 'low' | 'moderate' | 'severe' | 'critical';

/** Order of severities, most severe last. */
export const SEVERITY_ORDER: readonly Severity[] = ['info', 'low', 'moderate', 'severe', 'critical'];

/** The kinds of finding. */
export type RunFindingId =
  | 'stage-spill'
  | 'executor-spill'
  | 'heap-high'
  | 'heap-low'
  | 'execution-memory'
  | 'oom'
  | 'container-killed'
  | 'gc'
  | 'tasks-per-core'
  | 'skew'
  | 'partition-size'
  | 'tiny-tasks'
  | 'huge-tasks'
  | 'idle-cores'
  | 'driver-only'
  | 'cost'
  | 'failed-tasks'
  | 'failed-stages'
  | 'failed-jobs'
  | 'executor-lost'
  | 'fetch-failed';

/** One finding on one run. */
export interface RunFinding {
  id: RunFindingId;
  severity: Severity;
  /** One or two sentences with the numbers and units. */
  message: string;
  /** The numbers behind it (units in the names: `Bytes`, `Ms`, `Share`, `Ratio`). */
  numbers: Record<string, number>;
  /** The rule and where its threshold comes from. */
  source: string;
  /** The stage it concerns, when it concerns one. */
  stageId?: number;
}

/** Options of {@link runFindings}. */
export interface RunFindingsOptions {
  /** Prices for the money figure (settings `sparkOptimizer.cost.pricePerCoreHour` / `pricePerGiBHour`). */
  prices?: CostPrices;
}

/** Grade of `value` against ascending thresholds [low, moderate, severe, critical]; null below the first. */
export function gradeAscending(value: number, grades: readonly number[]): Exclude<Severity, 'info'> | null {
  const names = ['low', 'moderate', 'severe', 'critical'] as const;
  let out: Exclude<Severity, 'info'> | null = null;
  for (let i = 0; i < 4; i++) if (value >= grades[i]) out = names[i];
  return out;
}

const MIB = 1024 * 1024;

/** A money amount with 2 decimals, or 3 significant digits below 1 (`0.00262 USD`). */
export function formatMoney(amount: number, currency: string): string {
  return `${amount >= 1 || amount === 0 ? amount.toFixed(2) : amount.toPrecision(3)} ${currency}`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/** Wall time of a stage attempt (ms), 0 when unknown. */
function stageWallMs(s: StageRecord): number {
  return s.submissionTimeMs !== null && s.completionTimeMs !== null ? Math.max(0, s.completionTimeMs - s.submissionTimeMs) : 0;
}

/**
 * The findings of one run, most severe first.
 * @param r an application record (event-log or store; REST records lack per-executor spill, which is then skipped).
 * @param options prices for the money figure.
 * @returns findings; never throws on missing data (a finding whose figures are missing is left out).
 */
export function runFindings(r: ApplicationRecord, options: RunFindingsOptions = {}): RunFinding[] {
  const out: RunFinding[] = [];
  const memoryMiB = r.executorMemoryMiB ?? SPARK_DEFAULT_EXECUTOR_MEMORY_MIB;
  const workers = r.executors.filter((e) => !e.isDriver);
  const cores = r.executorCores ?? 1;
  const slots = Math.max(1, cores * Math.max(1, r.maxExecutors));

  // Memory: spill per stage (Dr. Elephant spill ratio over the stage's processed bytes).
  for (const s of r.stages) {
    if (s.diskSpilledBytes < THRESHOLDS.spillMinBytes) continue;
    // Dr. Elephant divides by the most data the stage processed: what it read or what it wrote.
    const processed = Math.max(s.inputBytes + s.shuffleReadBytes, s.shuffleWriteBytes + s.outputBytes);
    const ratio = processed > 0 ? s.diskSpilledBytes / processed : 1;
    const sev = gradeAscending(ratio, THRESHOLDS.spillRatioGrades);
    if (sev === null) continue;
    out.push({
      id: 'stage-spill',
      severity: sev,
      stageId: s.stageId,
      message: `Stage ${s.stageId} spilled ${formatBytes(s.diskSpilledBytes)} to disk (${formatBytes(s.memorySpilledBytes)} in memory) while processing ${formatBytes(processed)}: ${pct(ratio)} of its data.`,
      numbers: { diskSpilledBytes: s.diskSpilledBytes, memorySpilledBytes: s.memorySpilledBytes, processedBytes: processed, spillRatio: ratio },
      source: 'Dr. Elephant ConfigurationParametersHeuristic spill ratio grades 1/10/25/50 %; ignored below 16 MiB',
    });
  }
  // Memory: spill per executor (Dr. Elephant ExecutorStorageSpillHeuristic: ≥ 20 % of executors).
  const withSpill = workers.filter((e) => e.diskSpilledBytes !== undefined);
  if (withSpill.length > 0) {
    const spilling = withSpill.filter((e) => (e.diskSpilledBytes ?? 0) > 0);
    const share = spilling.length / withSpill.length;
    if (spilling.length > 0 && share >= THRESHOLDS.executorSpillShare && r.diskSpilledBytes >= THRESHOLDS.spillMinBytes) {
      const perTaskCapBytes = (memoryMiB * MIB) / cores;
      const perTask = r.totalTasks > 0 ? r.diskSpilledBytes / r.totalTasks : 0;
      const list = spilling
        .slice(0, 8)
        .map((e) => `executor ${e.executorId} ${formatBytes(e.diskSpilledBytes ?? 0)}`)
        .join(', ');
      out.push({
        id: 'executor-spill',
        severity: perTask >= 0.05 * perTaskCapBytes ? 'critical' : share >= 0.5 ? 'severe' : 'moderate',
        message: `${spilling.length} of ${withSpill.length} executors spilled to disk (${list}); ${formatBytes(perTask)} per task against ${formatBytes(perTaskCapBytes)} of heap per core.`,
        numbers: { executorsSpilling: spilling.length, executors: withSpill.length, spillPerTaskBytes: perTask, heapPerCoreBytes: perTaskCapBytes },
        source: 'Dr. Elephant ExecutorStorageSpillHeuristic: critical when ≥ 20 % of executors spill and spill per task ≥ 5 % of executor memory / cores',
      });
    }
  }
  // Memory: peak JVM heap against the heap.
  if (r.peakJvmHeapBytes !== null) {
    const share = r.peakJvmHeapBytes / (memoryMiB * MIB);
    if (share >= THRESHOLDS.heapUsedHigh) {
      out.push({
        id: 'heap-high',
        severity: 'severe',
        message: `Peak JVM heap ${formatBytes(r.peakJvmHeapBytes)} reached ${pct(share)} of the ${formatSparkSizeMiB(memoryMiB)} executor heap.`,
        numbers: { peakJvmHeapBytes: r.peakJvmHeapBytes, heapBytes: memoryMiB * MIB, share },
        source: 'DataFlint executorMemoryTooHigh: usage > 95 %',
      });
    } else if (share < THRESHOLDS.heapUsedLow && memoryMiB > THRESHOLDS.heapCheckMinMemoryMiB) {
      const suggested = Math.ceil((r.peakJvmHeapBytes / MIB) * THRESHOLDS.heapHeadroom + THRESHOLDS.reservedMemoryMiB);
      const ratio = (memoryMiB * MIB) / (r.peakJvmHeapBytes + THRESHOLDS.reservedMemoryMiB * MIB);
      out.push({
        id: 'heap-low',
        severity: gradeAscending(ratio, [1.25, 1.5, 2, 3]) ?? 'low',
        message: `Peak JVM heap ${formatBytes(r.peakJvmHeapBytes)} used only ${pct(share)} of the ${formatSparkSizeMiB(memoryMiB)} heap; 1.2 × peak + 300 MiB = ${formatSparkSizeMiB(suggested)}.`,
        numbers: { peakJvmHeapBytes: r.peakJvmHeapBytes, heapBytes: memoryMiB * MIB, share, suggestedMiB: suggested },
        source: 'DataFlint executorMemoryTooLow (< 70 %); Dr. Elephant JvmUsedMemoryHeuristic grades 1.25×/1.5×/2×/3× of peak + 300 MiB, only above 2 GiB',
      });
    }
  }
  // Memory: peak execution memory of a task against its fair share of the unified region.
  const fractionText = r.sparkProperties['spark.memory.fraction'];
  const fraction = fractionText !== undefined && Number.isFinite(Number(fractionText)) ? Number(fractionText) : THRESHOLDS.memoryFraction;
  const unifiedBytes = Math.max(0, fraction * (memoryMiB - THRESHOLDS.reservedMemoryMiB) * MIB);
  if (r.peakExecutionMemoryBytes > 0 && unifiedBytes > 0) {
    const fairShare = unifiedBytes / cores;
    const share = r.peakExecutionMemoryBytes / fairShare;
    if (share >= THRESHOLDS.executionShareHigh) {
      out.push({
        id: 'execution-memory',
        severity: r.diskSpilledBytes >= THRESHOLDS.spillMinBytes ? 'moderate' : 'low',
        message: `A task peaked at ${formatBytes(r.peakExecutionMemoryBytes)} of execution memory: ${pct(share)} of its share of the unified region (${formatBytes(unifiedBytes)} = ${fraction} × (heap − 300 MiB), over ${cores} cores).`,
        numbers: { peakExecutionMemoryBytes: r.peakExecutionMemoryBytes, unifiedRegionBytes: unifiedBytes, perTaskShareBytes: fairShare, share },
        source: 'Spark tuning guide (unified region M = spark.memory.fraction × (heap − 300 MiB)); ExecutionMemoryPool caps each of N tasks at M/N',
      });
    }
  }
  // Memory: OOM and container kills (Dr. Elephant StagesWithFailedTasksHeuristic).
  const failuresOf = (kind: string) => r.taskFailures.filter((f) => f.kind === kind);
  for (const [kind, id, what] of [
    ['oom', 'oom', 'java.lang.OutOfMemoryError'],
    ['container-killed', 'container-killed', 'containers killed for exceeding memory limits'],
  ] as const) {
    const groups = failuresOf(kind);
    const n = groups.reduce((a, g) => a + g.count, 0);
    if (n === 0) continue;
    const rate = r.totalTasks > 0 ? n / r.totalTasks : 1;
    out.push({
      id,
      severity: r.failedStages > 0 ? 'critical' : rate < 0.02 ? 'moderate' : 'severe',
      message: `${n} task(s) failed with ${what} (${pct(rate)} of tasks): ${groups[0].example.slice(0, 160)}`,
      numbers: { failedTasks: n, totalTasks: r.totalTasks, rate },
      source: 'Dr. Elephant StagesWithFailedTasksHeuristic: < 2 % of tasks moderate, else severe, a failed stage critical',
    });
  }
  // GC share of executor run time (Dr. Elephant ExecutorGcHeuristic).
  if (r.executorRunTimeMs >= THRESHOLDS.gcMinExecutorRunTimeMs) {
    const share = r.jvmGcTimeMs / r.executorRunTimeMs;
    const sev = gradeAscending(share, THRESHOLDS.gcShareGrades);
    if (sev !== null) {
      out.push({
        id: 'gc',
        severity: sev,
        message: `Executors spent ${pct(share)} of their run time in GC (${formatDurationMs(r.jvmGcTimeMs)} of ${formatDurationMs(r.executorRunTimeMs)}).`,
        numbers: { jvmGcTimeMs: r.jvmGcTimeMs, executorRunTimeMs: r.executorRunTimeMs, share },
        source: 'Dr. Elephant ExecutorGcHeuristic grades 8/10/15/20 %; checked from 1 min of executor run time (Dr. Elephant: 5 min)',
      });
    }
  }

  // Parallelism per stage.
  for (const s of r.stages) {
    const q = s.taskDurationMs;
    const wall = stageWallMs(s);
    const big = r.durationMs > 0 && wall >= THRESHOLDS.stageMinShareOfRun * r.durationMs;
    // Tasks per core.
    if (big && s.numTasks > 0 && s.numTasks < slots) {
      out.push({
        id: 'tasks-per-core',
        severity: s.numTasks * 2 <= slots ? 'moderate' : 'low',
        stageId: s.stageId,
        message: `Stage ${s.stageId} (${formatDurationMs(wall)}) ran ${s.numTasks} tasks on ${slots} cores (${(s.numTasks / slots).toFixed(2)} per core): ${slots - s.numTasks} cores idle while it ran.`,
        numbers: { numTasks: s.numTasks, cores: slots, tasksPerCore: s.numTasks / slots, stageWallMs: wall },
        source: 'Spark tuning guide "Level of Parallelism": 2-3 tasks per CPU core (Sparklens PRatio = tasks / cores)',
      });
    }
    // Skew (DataFlint guard, Dr. Elephant grades).
    if (q !== null && s.skewRatio !== null && s.skewRatio > THRESHOLDS.skewRatio && q.max > THRESHOLDS.skewMinMaxTaskMs) {
      out.push({
        id: 'skew',
        severity: gradeAscending(s.skewRatio, THRESHOLDS.skewGrades) ?? 'low',
        stageId: s.stageId,
        message: `Stage ${s.stageId}: longest task ${formatDurationMs(q.max)} against a median of ${formatDurationMs(q.median)} (${s.skewRatio.toFixed(1)}×).`,
        numbers: { maxTaskMs: q.max, medianTaskMs: q.median, skewRatio: s.skewRatio },
        source: 'DataFlint partitionSkew (max/median > 10 and max > 5 s); severity by Dr. Elephant skew grades 2/4/8/16',
      });
    }
    // Bytes per task against the 128 MiB target partition.
    const bytes = s.inputBytes + s.shuffleReadBytes;
    if (s.numTasks > 0 && bytes > 0) {
      const perTask = bytes / s.numTasks;
      if (perTask > 2 * THRESHOLDS.targetPartitionBytes) {
        out.push({
          id: 'partition-size',
          severity: perTask > 8 * THRESHOLDS.targetPartitionBytes ? 'severe' : 'moderate',
          stageId: s.stageId,
          message: `Stage ${s.stageId} read ${formatBytes(perTask)} per task (${formatBytes(bytes)} over ${s.numTasks} tasks), over twice the 128 MiB target partition.`,
          numbers: { bytesPerTask: perTask, bytes, numTasks: s.numTasks, targetBytes: THRESHOLDS.targetPartitionBytes },
          source: 'DataFlint ideal partition 128 MiB; flagged above 2× (moderate) and 8× (severe)',
        });
      } else if (big && perTask < THRESHOLDS.smallBytesPerTask && s.numTasks > THRESHOLDS.tasksPerCoreTarget * slots) {
        out.push({
          id: 'partition-size',
          severity: perTask < THRESHOLDS.smallBytesPerTask / 10 ? 'moderate' : 'low',
          stageId: s.stageId,
          message: `Stage ${s.stageId} read only ${formatBytes(perTask)} per task over ${s.numTasks} tasks (${(s.numTasks / slots).toFixed(1)} per core).`,
          numbers: { bytesPerTask: perTask, bytes, numTasks: s.numTasks, targetBytes: THRESHOLDS.targetPartitionBytes },
          source: 'spark-advisor-rules: < 10 MB per task (critical < 1 MB); only for stages over 10 % of the run and above 3 tasks per core',
        });
      }
    }
    // Tiny tasks (DataFlint smallTasks, scaled to the cluster).
    if (q !== null && q.median < THRESHOLDS.tinyTaskMedianMs && s.numTasks > THRESHOLDS.tinyTasksPerCore * slots) {
      out.push({
        id: 'tiny-tasks',
        severity: s.numTasks > 5000 ? 'moderate' : 'low',
        stageId: s.stageId,
        message: `Stage ${s.stageId} ran ${s.numTasks} tasks of ${formatDurationMs(q.median)} median on ${slots} cores (${Math.round(s.numTasks / slots)} per core): scheduling overhead dominates.`,
        numbers: { numTasks: s.numTasks, medianTaskMs: q.median, cores: slots },
        source: 'DataFlint smallTasks (median < 500 ms, > 5000 tasks) scaled to > 10 tasks per core',
      });
    }
    // Huge tasks (Dr. Elephant median task duration grades).
    if (q !== null) {
      const sev = gradeAscending(q.median, THRESHOLDS.medianTaskGradesMs);
      if (sev !== null) {
        out.push({
          id: 'huge-tasks',
          severity: sev,
          stageId: s.stageId,
          message: `Stage ${s.stageId}'s median task ran ${formatDurationMs(q.median)} over ${s.numTasks} tasks: too few partitions.`,
          numbers: { medianTaskMs: q.median, numTasks: s.numTasks },
          source: 'Dr. Elephant ConfigurationParametersHeuristic median task grades 2.5/5/10/15 min (target task time 150 s)',
        });
      }
    }
  }

  // Utilisation and cost.
  const cost = utilisationAndCost(r, options.prices);
  if (cost.idleShare !== null) {
    const sev = gradeAscending(cost.idleShare, THRESHOLDS.idleShareGrades);
    if (sev !== null) {
      out.push({
        id: 'idle-cores',
        severity: sev,
        message: `Executor cores were idle ${pct(cost.idleShare)} of the time they were held (${(cost.executorCoreIdleMs / 3.6e6).toFixed(2)} of ${cost.coreHours.toFixed(2)} core-hours), ${(cost.driverOnlyIdleCoreMs / 3.6e6).toFixed(2)} core-hours of it while only the driver worked.`,
        numbers: { idleShare: cost.idleShare, idleCoreMs: cost.executorCoreIdleMs, availableCoreMs: cost.executorCoreAvailableMs, driverOnlyIdleCoreMs: cost.driverOnlyIdleCoreMs },
        source: 'DataFlint idleCoresTooHigh (> 50 % idle); spark-advisor slot use < 40 % / < 20 %: grades 50/60/70/80 % idle',
      });
    }
  }
  if (cost.driverOnlyShare !== null && cost.driverOnlyShare >= THRESHOLDS.driverOnlyShareHigh) {
    out.push({
      id: 'driver-only',
      severity: 'low',
      message: `Only the driver worked for ${formatDurationMs(cost.driverOnlyMs)} (${pct(cost.driverOnlyShare)} of the run): more executors cannot shorten that part.`,
      numbers: { driverOnlyMs: cost.driverOnlyMs, durationMs: cost.durationMs, share: cost.driverOnlyShare },
      source: 'Sparklens driver vs executor wall-clock time (no published threshold; flagged from 50 %, own choice)',
    });
  }
  const money = cost.money !== null ? `; ${formatMoney(cost.money.amount, cost.money.currency)} at the set prices` : '';
  out.push({
    id: 'cost',
    severity: 'info',
    message: `${cost.executorHours.toFixed(3)} executor-hours, ${cost.coreHours.toFixed(3)} core-hours, ${cost.memoryGiBHours.toFixed(3)} memory-GiB-hours (heap + overhead), ${cost.dcu.toFixed(4)} DCU${money}.`,
    numbers: {
      executorHours: cost.executorHours,
      coreHours: cost.coreHours,
      memoryGiBHours: cost.memoryGiBHours,
      dcu: cost.dcu,
      ...(cost.money !== null ? { money: cost.money.amount } : {}),
    },
    source: 'Sparklens core-hours; DataFlint DCU (0.005 per GiB-hour + 0.05 per core-hour)',
  });

  // Failures.
  if (r.failedTasks > 0) {
    const rate = r.totalTasks > 0 ? r.failedTasks / r.totalTasks : 1;
    const reasons = r.taskFailures.map((f) => `${f.count} ${f.reason} (${f.kind})`).join(', ');
    out.push({
      id: 'failed-tasks',
      severity: gradeAscending(rate, THRESHOLDS.taskFailureGrades) ?? 'low',
      message: `${r.failedTasks} of ${r.totalTasks} tasks failed (${pct(rate)}): ${reasons}.`,
      numbers: { failedTasks: r.failedTasks, totalTasks: r.totalTasks, rate },
      source: 'Dr. Elephant task failure grades 5/10/15/20 %',
    });
  }
  const failedStages = r.stages.filter((s) => s.failureReason !== null);
  if (failedStages.length > 0) {
    const rate = failedStages.length / Math.max(1, r.stages.length);
    out.push({
      id: 'failed-stages',
      severity: gradeAscending(rate, THRESHOLDS.jobFailureGrades) ?? 'low',
      message: `${failedStages.length} of ${r.stages.length} stage attempts failed: ${failedStages
        .slice(0, 3)
        .map((s) => `stage ${s.stageId}.${s.attemptId}: ${(s.failureReason ?? '').split('\n')[0].slice(0, 160)}`)
        .join('; ')}.`,
      numbers: { failedStages: failedStages.length, stages: r.stages.length, rate },
      source: 'Dr. Elephant StagesHeuristic stage failure grades 0.1/0.3/0.5',
    });
  }
  const jobs = r.jobs ?? [];
  const failedJobs = jobs.filter((j) => j.result !== null && j.result !== 'JobSucceeded');
  if (r.failedJobs > 0) {
    const rate = r.failedJobs / Math.max(1, r.totalJobs);
    const why = failedJobs
      .slice(0, 3)
      .map((j) => `job ${j.jobId}: ${(j.failureReason ?? j.result ?? '').split('\n')[0].slice(0, 160)}`)
      .join('; ');
    out.push({
      id: 'failed-jobs',
      severity: gradeAscending(rate, THRESHOLDS.jobFailureGrades) ?? 'low',
      message: `${r.failedJobs} of ${r.totalJobs} jobs failed${why ? `: ${why}` : ''}.`,
      numbers: { failedJobs: r.failedJobs, jobs: r.totalJobs, rate },
      source: 'Dr. Elephant JobsHeuristic job failure grades 0.1/0.3/0.5',
    });
  }
  const lost = workers.filter((e) => e.removedReason !== null && !/^(?:Executor killed by driver|Executor decommission|Application \S+ finished)/i.test(e.removedReason ?? ''));
  const lostTasks = failuresOf('executor-lost').reduce((a, g) => a + g.count, 0);
  if (lost.length > 0 || lostTasks > 0) {
    out.push({
      id: 'executor-lost',
      severity: lost.length > 0 ? 'moderate' : 'low',
      message: `${lost.length} executor(s) lost${lost.length > 0 ? ` (${lost.slice(0, 3).map((e) => `${e.executorId}: ${(e.removedReason ?? '').slice(0, 120)}`).join('; ')})` : ''}; ${lostTasks} task(s) failed with ExecutorLostFailure.`,
      numbers: { executorsLost: lost.length, tasksLost: lostTasks },
      source: 'SparkListenerExecutorRemoved reasons and ExecutorLostFailure task ends (Dr. Elephant lists them with failed tasks)',
    });
  }
  const fetch = failuresOf('fetch-failed').reduce((a, g) => a + g.count, 0);
  if (fetch > 0) {
    out.push({
      id: 'fetch-failed',
      severity: 'moderate',
      message: `${fetch} task(s) failed fetching shuffle blocks (FetchFailed): a lost executor or shuffle service forced stages to re-run.`,
      numbers: { fetchFailedTasks: fetch },
      source: 'Task End Reason FetchFailed (Spark re-runs the parent stage)',
    });
  }
  return out.sort((a, b) => SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity));
}
