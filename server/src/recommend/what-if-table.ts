/**
 * What-if figures for the editor: estimated duration, executor-core-hours and money of a job at other
 * `spark.executor.instances` / `spark.executor.cores` values (the hover table) and at the file's current values (for
 * inlay hints and code lenses: {@link whatIfForCurrentValue}). Replays the job's newest finished run that has task
 * data (what-if.ts) and reports the model's own error on that run.
 */
import type { ApplicationRecord } from '../history/application-record';
import { type CostPrices } from '../analysis/cost';
import { containerMiB } from './resources';
import { SPARK_DEFAULT_EXECUTOR_MEMORY_MIB } from '../analysis/run-analysis';
import type { CurrentSettings } from './recommender';
import { type ExecutorShape, runShape, type SimulationError, simulateShapes, simulationError, type WhatIfEstimate } from './what-if';

/** The two settings the table varies. */
export type WhatIfKey = 'spark.executor.instances' | 'spark.executor.cores';

/** One row: a shape and its estimate. */
export interface WhatIfRow {
  shape: ExecutorShape;
  estimate: WhatIfEstimate;
  /** Core-hours × pricePerCoreHour + memory-GiB-hours (heap + overhead) × pricePerGiBHour; null without prices. */
  money: number | null;
  /** True for the file's current value. */
  current: boolean;
}

/** A what-if table over one setting. */
export interface WhatIfTable {
  key: WhatIfKey;
  /** The run replayed. */
  basedOn: ApplicationRecord;
  /** Rows by ascending value of `key`. */
  rows: WhatIfRow[];
  /** The model's error on `basedOn` as it ran (estimate at its own shape vs measured). */
  modelError: SimulationError | null;
  currency: string | null;
}

/** The estimate at the file's current values. */
export interface CurrentWhatIf {
  shape: ExecutorShape;
  estimate: WhatIfEstimate;
  money: number | null;
  currency: string | null;
  /** App id of the run replayed. */
  basedOn: string;
  modelError: SimulationError | null;
}

/** Prices are "set" when either is above 0 (settings default both to 0). */
function pricesSet(p: CostPrices | undefined): p is CostPrices {
  return p !== undefined && (p.perCoreHour > 0 || p.perGiBHour > 0);
}

/** The newest finished run whose tasks can be replayed, with its shape; null when none. */
export function replayableRun(runs: readonly ApplicationRecord[]): { run: ApplicationRecord; shape: ExecutorShape } | null {
  const ordered = [...runs].sort((a, b) => Number(b.completed) - Number(a.completed) || b.startTimeMs - a.startTimeMs);
  for (const run of ordered) {
    const shape = runShape(run);
    if (shape === null) continue;
    if (!run.stages.some((s) => s.taskDurationsMs !== undefined || s.taskDurationMs !== null)) continue;
    return { run, shape };
  }
  return null;
}

function positiveInt(v: string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v.trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The shape the file asks for: its literal instances and cores, else the run's. */
function currentShape(current: CurrentSettings, own: ExecutorShape): ExecutorShape {
  return {
    executorInstances: positiveInt(current.get('spark.executor.instances')) ?? own.executorInstances,
    executorCores: positiveInt(current.get('spark.executor.cores')) ?? own.executorCores,
  };
}

function moneyOf(e: WhatIfEstimate, run: ApplicationRecord, prices: CostPrices | undefined): number | null {
  if (!pricesSet(prices)) return null;
  const memMiB = containerMiB(run.executorMemoryMiB ?? SPARK_DEFAULT_EXECUTOR_MEMORY_MIB, run.sparkProperties);
  return e.executorCoreHours * prices.perCoreHour + ((e.executorHours * memMiB) / 1024) * prices.perGiBHour;
}

/**
 * The what-if table for `key`: the replayed run at values around the file's current one (instances: ½×, −1, current,
 * +1, 1.5×, 2×; cores: 1, ½×, −1, current, +1, 2×), the other setting held at the file's value (else the run's).
 * @param runs the job's runs (any order).
 * @param current the file's settings (key → literal value, null when not a literal).
 * @param prices money per core-hour and GiB-hour; ignored when both are 0.
 * @returns null when no run can be replayed.
 */
export function whatIfTable(runs: readonly ApplicationRecord[], key: WhatIfKey, current: CurrentSettings, prices?: CostPrices): WhatIfTable | null {
  const base = replayableRun(runs);
  if (base === null) return null;
  const now = currentShape(current, base.shape);
  const v = key === 'spark.executor.instances' ? now.executorInstances : now.executorCores;
  const around = key === 'spark.executor.instances' ? [Math.round(v / 2), v - 1, v, v + 1, Math.round(v * 1.5), v * 2] : [1, Math.round(v / 2), v - 1, v, v + 1, v * 2];
  const values = [...new Set(around.filter((x) => x >= 1))].sort((a, b) => a - b);
  const shapes = values.map((x) => (key === 'spark.executor.instances' ? { ...now, executorInstances: x } : { ...now, executorCores: x }));
  const estimates = simulateShapes(base.run, shapes);
  if (estimates === null) return null;
  return {
    key,
    basedOn: base.run,
    rows: estimates.map((estimate, i) => ({ shape: shapes[i], estimate, money: moneyOf(estimate, base.run, prices), current: values[i] === v })),
    modelError: simulationError(base.run),
    currency: pricesSet(prices) ? prices.currency : null,
  };
}

/**
 * The estimate at the file's current `spark.executor.instances` × `spark.executor.cores` (each falling back on the
 * replayed run's own value when the file does not set it as a literal), for inlay hints and code lenses.
 * @param runs the job's runs (`SiteAnalysis.runs`).
 * @param current the file's settings (`SiteAnalysis.site.effective`, literal values; null when not a literal).
 * @param prices optional prices (ignored when both are 0).
 * @returns null when no run of the job can be replayed.
 */
export function whatIfForCurrentValue(runs: readonly ApplicationRecord[], current: CurrentSettings, prices?: CostPrices): CurrentWhatIf | null {
  const base = replayableRun(runs);
  if (base === null) return null;
  const shape = currentShape(current, base.shape);
  const [estimate] = simulateShapes(base.run, [shape]) ?? [];
  if (estimate === undefined) return null;
  return {
    shape,
    estimate,
    money: moneyOf(estimate, base.run, prices),
    currency: pricesSet(prices) ? prices.currency : null,
    basedOn: base.run.appId,
    modelError: simulationError(base.run),
  };
}
