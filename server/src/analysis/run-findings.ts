/**
 * Per-run findings: everything one application record shows about memory, parallelism, skew, utilisation, cost and
 * failures, each with a severity, the numbers behind it and the published source of its threshold. Every figure,
 * grade and source comes from the heuristics catalogue (heuristics.ts); this module words them. Pure: a record in,
 * findings out; no LSP, no I/O.
 *
 * Severities are Dr. Elephant's grades (`low` < `moderate` < `severe` < `critical`), plus `info` for figures reported
 * without judgement (cost, executor-hours).
 */
import type { ApplicationRecord } from '../history/application-record';
import { formatBytes, formatDurationMs, formatSparkSizeMiB } from '../config/spark-units';
import {
  type CostPrices,
  DEFAULT_EXECUTOR_MEMORY_MIB,
  executionMemoryPerTaskBytes,
  formatMoney,
  lookupOf,
  runResources,
  taskCpusOf,
  taskSlots,
} from '../resource-model';
import { utilisationAndCost } from './cost';
import {
  driverOnlyGrade,
  executorSpill,
  gcShare,
  type Grade,
  gradeAscending,
  heapUse,
  HEURISTICS,
  idleCoresGrade,
  memoryFailures,
  stageHugeTasks,
  stagePartitionSize,
  stageSkew,
  stageSpill,
  stageTinyTasks,
  stageTooFewTasks,
  stageWallMs,
} from './heuristics';

/** Dr. Elephant's severity grades, plus `info` for plain figures. */
export type Severity = 'info' | Grade;

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

const MIB = 1024 * 1024;

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/**
 * The findings of one run, most severe first.
 * @param r an application record (event-log or store; REST records lack per-executor spill, which is then skipped).
 * @param options prices for the money figure.
 * @returns findings; never throws on missing data (a finding whose figures are missing is left out).
 */
export function runFindings(r: ApplicationRecord, options: RunFindingsOptions = {}): RunFinding[] {
  const out: RunFinding[] = [];
  const memoryMiB = r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB;
  const workers = r.executors.filter((e) => !e.isDriver);
  const cores = r.executorCores ?? 1;
  const slots = Math.max(1, taskSlots(cores, taskCpusOf(lookupOf(r.sparkProperties))) * Math.max(1, r.maxExecutors));

  // Memory: spill per stage.
  for (const s of r.stages) {
    const sp = stageSpill(s);
    if (sp === null) continue;
    out.push({
      id: 'stage-spill',
      severity: sp.grade,
      stageId: s.stageId,
      message: `Stage ${s.stageId} spilled ${formatBytes(sp.diskBytesSpilled)} to disk (${formatBytes(sp.memoryBytesSpilled)} in memory) while processing ${formatBytes(sp.processedBytes)}: ${pct(sp.ratio)} of its data.`,
      numbers: {
        diskBytesSpilled: sp.diskBytesSpilled,
        memoryBytesSpilled: sp.memoryBytesSpilled,
        processedBytes: sp.processedBytes,
        spillRatio: sp.ratio,
      },
      source: HEURISTICS.spill.source,
    });
  }
  // Memory: spill per executor.
  const es = executorSpill(r, memoryMiB, cores);
  if (es !== null) {
    const list = workers
      .filter((e) => es.spilling.includes(e.executorId))
      .slice(0, 8)
      .map((e) => `executor ${e.executorId} ${formatBytes(e.diskBytesSpilled ?? 0)}`)
      .join(', ');
    out.push({
      id: 'executor-spill',
      severity: es.grade,
      message: `${es.spilling.length} of ${es.executors} executors spilled to disk (${list}); ${formatBytes(es.spillPerTaskBytes)} per task against ${formatBytes(es.heapPerCoreBytes)} of heap per core.`,
      numbers: {
        executorsSpilling: es.spilling.length,
        executors: es.executors,
        spillPerTaskBytes: es.spillPerTaskBytes,
        heapPerCoreBytes: es.heapPerCoreBytes,
      },
      source: HEURISTICS.executorSpill.source,
    });
  }
  // Memory: peak JVM heap against the heap.
  const heap = heapUse(r, memoryMiB);
  if (heap !== null && heap.high) {
    out.push({
      id: 'heap-high',
      severity: 'severe',
      message: `Peak JVM heap ${formatBytes(heap.peakBytes)} reached ${pct(heap.share)} of the ${formatSparkSizeMiB(memoryMiB)} executor heap.`,
      numbers: { peakJvmHeapMemoryBytes: heap.peakBytes, heapBytes: memoryMiB * MIB, share: heap.share },
      source: HEURISTICS.heapHigh.source,
    });
  } else if (heap !== null && heap.lowGrade !== null) {
    out.push({
      id: 'heap-low',
      severity: heap.lowGrade,
      message: `Peak JVM heap ${formatBytes(heap.peakBytes)} used only ${pct(heap.share)} of the ${formatSparkSizeMiB(memoryMiB)} heap; 1.2 × peak + 300 MiB = ${formatSparkSizeMiB(heap.suggestedMiB)}.`,
      numbers: {
        peakJvmHeapMemoryBytes: heap.peakBytes,
        heapBytes: memoryMiB * MIB,
        share: heap.share,
        suggestedMiB: heap.suggestedMiB,
      },
      source: HEURISTICS.heapLow.source,
    });
  }
  // Memory: peak execution memory of a task against its fair share of the unified region.
  const { memoryFraction } = runResources(r);
  const unifiedBytes = executionMemoryPerTaskBytes(memoryMiB, 1, memoryFraction);
  if (r.peakExecutionMemoryBytes > 0 && unifiedBytes > 0) {
    const fairShare = unifiedBytes / cores;
    const share = r.peakExecutionMemoryBytes / fairShare;
    if (share >= HEURISTICS.executionMemory.threshold) {
      out.push({
        id: 'execution-memory',
        severity: r.diskBytesSpilled >= 16 * MIB ? 'moderate' : 'low',
        message: `A task peaked at ${formatBytes(r.peakExecutionMemoryBytes)} of execution memory: ${pct(share)} of its share of the unified region (${formatBytes(unifiedBytes)} = ${memoryFraction} × (heap − 300 MiB), over ${cores} cores).`,
        numbers: {
          peakExecutionMemoryBytes: r.peakExecutionMemoryBytes,
          unifiedRegionBytes: unifiedBytes,
          perTaskShareBytes: fairShare,
          share,
        },
        source: HEURISTICS.executionMemory.source,
      });
    }
  }
  // Memory: OOM and container kills.
  const mf = memoryFailures(r);
  for (const [kind, id, what, n] of [
    ['oom', 'oom', 'java.lang.OutOfMemoryError', mf.oomTasks],
    ['container-killed', 'container-killed', 'containers killed for exceeding memory limits', mf.containerKilledTasks],
  ] as const) {
    if (n === 0) continue;
    const rate = r.totalTasks > 0 ? n / r.totalTasks : 1;
    const example = r.taskFailures.find((f) => f.kind === kind)?.example ?? '';
    out.push({
      id,
      severity: mf.grade ?? 'moderate',
      message: `${n} task(s) failed with ${what} (${pct(rate)} of tasks): ${example.slice(0, 160)}`,
      numbers: { failedTasks: n, totalTasks: r.totalTasks, rate },
      source: HEURISTICS.memoryFailure.source,
    });
  }
  // GC share of executor run time.
  const gc = gcShare(r);
  if (gc !== null && gc.grade !== null) {
    out.push({
      id: 'gc',
      severity: gc.grade,
      message: `Executors spent ${pct(gc.share)} of their run time in GC (${formatDurationMs(r.jvmGcTimeMs)} of ${formatDurationMs(r.executorRunTimeMs)}).`,
      numbers: { jvmGcTimeMs: r.jvmGcTimeMs, executorRunTimeMs: r.executorRunTimeMs, share: gc.share },
      source: HEURISTICS.gc.source,
    });
  }

  // Parallelism per stage.
  for (const s of r.stages) {
    const few = stageTooFewTasks(s, slots, r.durationMs);
    if (few !== null) {
      const wall = stageWallMs(s);
      out.push({
        id: 'tasks-per-core',
        severity: few.grade,
        stageId: s.stageId,
        message: `Stage ${s.stageId} (${formatDurationMs(wall)}) ran ${s.numTasks} tasks on ${slots} cores (${(s.numTasks / slots).toFixed(2)} per core): ${slots - s.numTasks} cores idle while it ran.`,
        numbers: { numTasks: s.numTasks, cores: slots, tasksPerCore: s.numTasks / slots, stageWallMs: wall },
        source: HEURISTICS.tasksPerCore.source,
      });
    }
    const sk = stageSkew(s);
    if (sk !== null) {
      out.push({
        id: 'skew',
        severity: sk.grade,
        stageId: s.stageId,
        message: `Stage ${s.stageId}: longest task ${formatDurationMs(sk.maxTaskMs)} against a median of ${formatDurationMs(sk.medianTaskMs)} (${sk.ratio.toFixed(1)}×).`,
        numbers: { maxTaskMs: sk.maxTaskMs, medianTaskMs: sk.medianTaskMs, skewRatio: sk.ratio },
        source: HEURISTICS.skew.source,
      });
    }
    const ps = stagePartitionSize(s, slots, r.durationMs);
    if (ps !== null) {
      out.push({
        id: 'partition-size',
        severity: ps.grade,
        stageId: s.stageId,
        message:
          ps.kind === 'big'
            ? `Stage ${s.stageId} read ${formatBytes(ps.bytesPerTask)} per task (${formatBytes(ps.bytes)} over ${s.numTasks} tasks), over twice the 128 MiB target partition.`
            : `Stage ${s.stageId} read only ${formatBytes(ps.bytesPerTask)} per task over ${s.numTasks} tasks (${(s.numTasks / slots).toFixed(1)} per core).`,
        numbers: { bytesPerTask: ps.bytesPerTask, bytes: ps.bytes, numTasks: s.numTasks, targetBytes: 128 * MIB },
        source: HEURISTICS.partitionSize.source,
      });
    }
    const tiny = stageTinyTasks(s, slots);
    if (tiny !== null) {
      out.push({
        id: 'tiny-tasks',
        severity: tiny.grade,
        stageId: s.stageId,
        message: `Stage ${s.stageId} ran ${s.numTasks} tasks of ${formatDurationMs(tiny.medianTaskMs)} median on ${slots} cores (${Math.round(tiny.tasksPerSlot)} per core): scheduling overhead dominates.`,
        numbers: { numTasks: s.numTasks, medianTaskMs: tiny.medianTaskMs, cores: slots },
        source: HEURISTICS.tinyTasks.source,
      });
    }
    const huge = stageHugeTasks(s);
    if (huge !== null) {
      out.push({
        id: 'huge-tasks',
        severity: huge.grade,
        stageId: s.stageId,
        message: `Stage ${s.stageId}'s median task ran ${formatDurationMs(huge.medianTaskMs)} over ${s.numTasks} tasks: too few partitions.`,
        numbers: { medianTaskMs: huge.medianTaskMs, numTasks: s.numTasks },
        source: HEURISTICS.hugeTasks.source,
      });
    }
  }

  // Utilisation and cost.
  const cost = utilisationAndCost(r, options.prices);
  const idle = cost.idleShare !== null ? idleCoresGrade(cost.idleShare) : null;
  if (cost.idleShare !== null && idle !== null) {
    out.push({
      id: 'idle-cores',
      severity: idle,
      message: `Executor cores were idle ${pct(cost.idleShare)} of the time they were held (${(cost.executorCoreIdleMs / 3.6e6).toFixed(2)} of ${cost.coreHours.toFixed(2)} core-hours), ${(cost.driverOnlyIdleCoreMs / 3.6e6).toFixed(2)} core-hours of it while only the driver worked.`,
      numbers: {
        idleShare: cost.idleShare,
        idleCoreMs: cost.executorCoreIdleMs,
        availableCoreMs: cost.executorCoreAvailableMs,
        driverOnlyIdleCoreMs: cost.driverOnlyIdleCoreMs,
      },
      source: HEURISTICS.idleCores.source,
    });
  }
  const driver = cost.driverOnlyShare !== null ? driverOnlyGrade(cost.driverOnlyShare) : null;
  if (cost.driverOnlyShare !== null && driver !== null) {
    out.push({
      id: 'driver-only',
      severity: driver,
      message: `Only the driver worked for ${formatDurationMs(cost.driverOnlyMs)} (${pct(cost.driverOnlyShare)} of the run): more executors cannot shorten that part.`,
      numbers: { driverOnlyMs: cost.driverOnlyMs, durationMs: cost.durationMs, share: cost.driverOnlyShare },
      source: HEURISTICS.driverOnly.source,
    });
  }
  const money = cost.money !== null ? `; ${formatMoney(cost.money.amount, cost.money.currency)} at the set prices` : '';
  out.push({
    id: 'cost',
    severity: 'info',
    message: `${cost.executorHours.toFixed(3)} executor-hours, ${cost.coreHours.toFixed(3)} core-hours, ${cost.memoryGiBHours.toFixed(3)} memory-GiB-hours (${cost.memoryBasis}), ${cost.dcu.toFixed(4)} DCU${money}.`,
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
      severity: gradeAscending(rate, HEURISTICS.failedTasks.grades) ?? 'low',
      message: `${r.failedTasks} of ${r.totalTasks} tasks failed (${pct(rate)}): ${reasons}.`,
      numbers: { failedTasks: r.failedTasks, totalTasks: r.totalTasks, rate },
      source: HEURISTICS.failedTasks.source,
    });
  }
  const failedStages = r.stages.filter((s) => s.failureReason !== null);
  if (failedStages.length > 0) {
    const rate = failedStages.length / Math.max(1, r.stages.length);
    out.push({
      id: 'failed-stages',
      severity: gradeAscending(rate, HEURISTICS.failedStages.grades) ?? 'low',
      message: `${failedStages.length} of ${r.stages.length} stage attempts failed: ${failedStages
        .slice(0, 3)
        .map((s) => `stage ${s.stageId}.${s.attemptId}: ${(s.failureReason ?? '').split('\n')[0].slice(0, 160)}`)
        .join('; ')}.`,
      numbers: { failedStages: failedStages.length, stages: r.stages.length, rate },
      source: HEURISTICS.failedStages.source,
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
      severity: gradeAscending(rate, HEURISTICS.failedJobs.grades) ?? 'low',
      message: `${r.failedJobs} of ${r.totalJobs} jobs failed${why ? `: ${why}` : ''}.`,
      numbers: { failedJobs: r.failedJobs, jobs: r.totalJobs, rate },
      source: HEURISTICS.failedJobs.source,
    });
  }
  const lost = workers.filter(
    (e) =>
      e.removedReason !== null &&
      !/^(?:Executor killed by driver|Executor decommission|Application \S+ finished)/i.test(e.removedReason ?? ''),
  );
  const lostTasks = r.taskFailures.filter((f) => f.kind === 'executor-lost').reduce((a, g) => a + g.count, 0);
  if (lost.length > 0 || lostTasks > 0) {
    out.push({
      id: 'executor-lost',
      severity: lost.length > 0 ? 'moderate' : 'low',
      message: `${lost.length} executor(s) lost${
        lost.length > 0
          ? ` (${lost
              .slice(0, 3)
              .map((e) => `${e.executorId}: ${(e.removedReason ?? '').slice(0, 120)}`)
              .join('; ')})`
          : ''
      }; ${lostTasks} task(s) failed with ExecutorLostFailure.`,
      numbers: { executorsLost: lost.length, tasksLost: lostTasks },
      source:
        'SparkListenerExecutorRemoved reasons and ExecutorLostFailure task ends (Dr. Elephant lists them with failed tasks)',
    });
  }
  const fetch = r.taskFailures.filter((f) => f.kind === 'fetch-failed').reduce((a, g) => a + g.count, 0);
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
