/**
 * Utilisation and cost of one run: how much executor capacity the application held, how much of it tasks used,
 * how long only the driver worked, and what the capacity costs in core-hours, memory-GiB-hours, money and
 * DataFlint Compute Units. Pure: takes an {@link ApplicationRecord}, returns plain numbers; no LSP, no I/O.
 *
 * Sources of the definitions:
 * - Sparklens (qubole/sparklens@7f2ea4b `EfficiencyStatisticsAnalyzer.scala`): executor wall-clock time is the time
 *   during which some job is running, driver time is total app time minus that; core-hours available, used and
 *   wasted, the waste split into "while only the driver works" and "idle executor cores".
 * - DataFlint (dataflint/spark@edd3207 `StoreMetadataExtractor.scala`, `ExecutorsReducer.ts`): idle cores
 *   = 1 − task time / (executor lifetime × cores).
 * - Memory held per executor and the cost formulas (core-hours, memory-GiB-hours, DCU, money): the resource model
 *   (resource-model/container.ts `reservedMiB`, resource-model/cost.ts `heldCost`).
 */
import type { ApplicationRecord, ExecutorRecord } from '../history/application-record';
import { type CostPrices, DEFAULT_EXECUTOR_MEMORY_MIB, heldCost, runResources } from '../resource-model';

export type { CostPrices } from '../resource-model';

/** A money figure: core-hours × perCoreHour + memory-GiB-hours × perGiBHour. */
export interface RunMoney {
  amount: number;
  currency: string;
  /** The core part of `amount`. */
  coresAmount: number;
  /** The memory part of `amount`. */
  memoryAmount: number;
}

/**
 * Utilisation and cost of one application attempt. Times in ms, shares in [0, 1], hours as fractional hours.
 * Executors are the non-driver entries of `ApplicationRecord.executors`; an executor still alive at the end of the
 * log counts until the app end (`startTimeMs + durationMs`: `SparkListenerApplicationEnd`, else the last event).
 */
export interface RunCost {
  appId: string;
  attemptId: string | null;
  /** App wall time (ms): `ApplicationRecord.durationMs`. */
  durationMs: number;

  /**
   * Executor-core time available (ms): Σ over non-driver executors of (removeTime or app end − addTime) × `Total Cores`
   * (Sparklens "core-hours available", autoscale-aware; DataFlint's task-slot time). Equals `ApplicationRecord.executorCoreTimeMs`.
   */
  executorCoreAvailableMs: number;
  /** Executor-core time used (ms): Σ `Task Metrics`.`Executor Run Time` over all tasks (`ApplicationRecord.executorRunTimeMs`). */
  executorCoreUsedMs: number;
  /** Available − used (ms), never below 0 (Sparklens "core-hours wasted"). */
  executorCoreIdleMs: number;
  /** Idle / available, in [0, 1] (DataFlint idleCoresTooHigh's "idle cores"); null when nothing was available (local mode, no executors). */
  idleShare: number | null;

  /**
   * Driver-only time (ms): app wall time during which no stage was running, i.e. `durationMs` minus the length of the
   * union of the stage intervals [`Submission Time`, `Completion Time`] clipped to the app (a stage with no completion
   * runs until the app end; a stage never submitted is ignored). Sparklens' driver time, measured on stages.
   */
  driverOnlyMs: number;
  /** driverOnlyMs / durationMs; null when durationMs is 0. */
  driverOnlyShare: number | null;
  /** Length of the union of stage intervals (ms): durationMs − driverOnlyMs (Sparklens' executor wall-clock time). */
  stagesWallMs: number;
  /**
   * Executor-core time (ms) of executors alive while only the driver worked: part of `executorCoreIdleMs`, the Sparklens
   * "wasted while only the driver works" share; the rest is idle cores while stages ran.
   */
  driverOnlyIdleCoreMs: number;

  /** Σ executor lifetimes (ms) / 3 600 000: executor-hours. */
  executorHours: number;
  /** executorCoreAvailableMs / 3 600 000: core-hours. */
  coreHours: number;
  /** Executor memory requested per executor (MiB): `spark.executor.memory`, else Spark's default 1024. */
  executorMemoryMiB: number;
  /** Memory overhead per executor (MiB) as Spark computes it (resource-model/container.ts). */
  memoryOverheadMiB: number;
  /**
   * Memory the cluster manager set aside per executor (MiB, resource-model `reservedMiB`): the whole container
   * (heap + overhead + off-heap + PySpark memory) on YARN and Kubernetes, the heap alone on a standalone worker.
   */
  reservedMiB: number;
  /** What `reservedMiB` counts, in words (`heap + overhead`, `heap: what a standalone worker reserves`). */
  memoryBasis: string;
  /** executorHours × reservedMiB / 1024: memory-GiB-hours held. */
  memoryGiBHours: number;
  /**
   * DataFlint Compute Units over executors: memoryGiBHours × 0.005 + coreHours × 0.05 (resource-model/cost.ts).
   * DataFlint itself also adds the driver's cores and `spark.driver.memory` over its lifetime; this figure does not.
   */
  dcu: number;
  /** The money figure when prices were given, else null. */
  money: RunMoney | null;
}

const MS_PER_HOUR = 3_600_000;

/**
 * Computes utilisation and cost of one run.
 * @param record a record from the event-log reader or the store.
 * @param prices optional prices per core-hour and per GiB-hour; without them `money` is null.
 * @returns the figures ({@link RunCost}); never throws: missing times give 0 and shares give null.
 */
export function utilisationAndCost(record: ApplicationRecord, prices?: CostPrices): RunCost {
  const appStartMs = record.startTimeMs;
  const appEndMs = record.startTimeMs + Math.max(0, record.durationMs);
  const durationMs = appEndMs - appStartMs;

  const lifetimes = record.executors.filter((e) => !e.isDriver).flatMap((e) => lifetimeOf(e, appEndMs));
  const executorCoreAvailableMs = lifetimes.reduce((n, l) => n + (l.untilMs - l.fromMs) * l.cores, 0);
  const executorLifetimeMs = lifetimes.reduce((n, l) => n + (l.untilMs - l.fromMs), 0);
  const executorCoreUsedMs = record.executorRunTimeMs;
  const executorCoreIdleMs = Math.max(0, executorCoreAvailableMs - executorCoreUsedMs);

  const stageUnion = unionOf(
    record.stages.flatMap((s) => {
      if (s.submissionTimeMs === null) return [];
      const from = Math.max(appStartMs, s.submissionTimeMs);
      const until = Math.min(appEndMs, s.completionTimeMs ?? appEndMs);
      return until > from ? [{ fromMs: from, untilMs: until }] : [];
    }),
  );
  const stagesWallMs = stageUnion.reduce((n, i) => n + (i.untilMs - i.fromMs), 0);
  const driverOnlyMs = Math.max(0, durationMs - stagesWallMs);
  const gaps = complementOf(stageUnion, appStartMs, appEndMs);
  let driverOnlyIdleCoreMs = 0;
  for (const l of lifetimes) {
    for (const g of gaps)
      driverOnlyIdleCoreMs += Math.max(0, Math.min(l.untilMs, g.untilMs) - Math.max(l.fromMs, g.fromMs)) * l.cores;
  }

  const executorMemoryMiB = record.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB;
  const res = runResources(record);
  const memoryOverheadMiB = res.container?.overheadMiB ?? record.memoryOverheadMiB ?? 0;
  const executorHours = executorLifetimeMs / MS_PER_HOUR;
  const held = heldCost(executorCoreAvailableMs, executorLifetimeMs * res.reservedMiB, prices);
  const coreHours = held.coreHours;
  const memoryGiBHours = held.memoryGiBHours;

  const money: RunMoney | null =
    prices !== undefined && held.money !== null && held.moneyParts !== null
      ? {
          amount: held.money,
          currency: prices.currency,
          coresAmount: held.moneyParts.cores,
          memoryAmount: held.moneyParts.memory,
        }
      : null;

  return {
    appId: record.appId,
    attemptId: record.attemptId,
    durationMs,
    executorCoreAvailableMs,
    executorCoreUsedMs,
    executorCoreIdleMs,
    idleShare: executorCoreAvailableMs > 0 ? executorCoreIdleMs / executorCoreAvailableMs : null,
    driverOnlyMs,
    driverOnlyShare: durationMs > 0 ? driverOnlyMs / durationMs : null,
    stagesWallMs,
    driverOnlyIdleCoreMs,
    executorHours,
    coreHours,
    executorMemoryMiB,
    memoryOverheadMiB,
    reservedMiB: res.reservedMiB,
    memoryBasis:
      res.manager === 'standalone'
        ? 'heap: what a standalone worker reserves'
        : res.container !== null && (res.container.offHeapMiB > 0 || res.container.pysparkMiB > 0)
          ? 'heap + overhead + off-heap + PySpark'
          : 'heap + overhead',
    memoryGiBHours,
    dcu: held.dcu,
    money,
  };
}

/** A half-open time interval [fromMs, untilMs) in epoch ms. */
interface Interval {
  fromMs: number;
  untilMs: number;
}

/** An executor's lifetime with its cores; none when its add time or cores are unknown (as the reader's executorCoreTimeMs). */
function lifetimeOf(e: ExecutorRecord, appEndMs: number): Array<Interval & { cores: number }> {
  const until = e.removeTimeMs ?? appEndMs;
  if (e.totalCores <= 0 || e.addTimeMs <= 0 || until <= e.addTimeMs) return [];
  return [{ fromMs: e.addTimeMs, untilMs: until, cores: e.totalCores }];
}

/** Union of intervals, as sorted disjoint intervals. */
function unionOf(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.fromMs - b.fromMs);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i.fromMs <= last.untilMs) last.untilMs = Math.max(last.untilMs, i.untilMs);
    else out.push({ ...i });
  }
  return out;
}

/** The parts of [fromMs, untilMs) not covered by `union` (sorted, disjoint, inside the range). */
function complementOf(union: Interval[], fromMs: number, untilMs: number): Interval[] {
  const out: Interval[] = [];
  let cursor = fromMs;
  for (const i of union) {
    if (i.fromMs > cursor) out.push({ fromMs: cursor, untilMs: i.fromMs });
    cursor = Math.max(cursor, i.untilMs);
  }
  if (untilMs > cursor) out.push({ fromMs: cursor, untilMs });
  return out;
}
