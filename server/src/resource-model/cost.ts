/**
 * What holding executors costs: core-hours, memory-GiB-hours (of what the cluster manager sets aside: container.ts
 * `reservedMiB`), DataFlint Compute Units, and money when prices are set. One formula for the measured cost of a run
 * (analysis/cost.ts, from the executors' real lifetimes) and the predicted cost of a shape (the engine).
 *
 * Sources: Sparklens core-hours (qubole/sparklens `EfficiencyStatisticsAnalyzer.scala`: executor lifetime × cores);
 * DataFlint Compute Units (dataflint/spark@edd3207 `StoreMetadataExtractor.scala`, `totalDCU`): memory-GiB-hours × 0.005
 * + core-hours × 0.05 (its "GB" is MiB / 1024).
 */

/** Prices for money figures: per core-hour and per GiB-hour of executor memory, in `currency`. */
export interface CostPrices {
  /** Price of one executor core for one hour. */
  perCoreHour: number;
  /** Price of one GiB (2^30 bytes) of executor memory, as the cluster manager sets it aside, for one hour. */
  perGiBHour: number;
  /** Currency label, e.g. `USD`. */
  currency: string;
}

/** DataFlint Compute Units per GiB-hour of executor memory (module comment). */
export const DCU_PER_GIB_HOUR = 0.005;
/** DataFlint Compute Units per executor core-hour (module comment). */
export const DCU_PER_CORE_HOUR = 0.05;

/** The cost of some executor capacity held for some time. */
export interface HeldCost {
  /** Σ executor lifetime × cores, hours. */
  coreHours: number;
  /** Σ executor lifetime × memory set aside, GiB-hours. */
  memoryGiBHours: number;
  /** memoryGiBHours × 0.005 + coreHours × 0.05. */
  dcu: number;
  /** coreHours × perCoreHour + memoryGiBHours × perGiBHour when prices are given, else null. */
  money: number | null;
  /** The two parts of `money` (cores, memory), null without prices. */
  moneyParts: { cores: number; memory: number } | null;
}

/** Prices are "set" when either is above 0 (the settings default both to 0). */
export function pricesSet(p: CostPrices | undefined): p is CostPrices {
  return p !== undefined && (p.perCoreHour > 0 || p.perGiBHour > 0);
}

/**
 * The prices of money figures as the front ends give them (settings `sparkOptimizer.cost.*`, the CLI's
 * `--price-core-hour`/`--price-gib-hour`/`--currency`, the service's `cost` object), or undefined when neither price is
 * above 0 (no money figures, the engine minimises DataFlint Compute Units).
 * @param perCoreHour price of one executor core for one hour (≥ 0).
 * @param perGiBHour price of one GiB of executor memory for one hour (≥ 0).
 * @param currency label, e.g. `USD`.
 */
export function costPrices(perCoreHour: number, perGiBHour: number, currency: string): CostPrices | undefined {
  const prices: CostPrices = { perCoreHour, perGiBHour, currency };
  return pricesSet(prices) ? prices : undefined;
}

/**
 * The cost of capacity held: `coreMs` executor-core-milliseconds and `memoryMiBMs` MiB-milliseconds.
 * @param prices money per core-hour and GiB-hour; money is null without them (or when both are 0).
 */
export function heldCost(coreMs: number, memoryMiBMs: number, prices?: CostPrices): HeldCost {
  const coreHours = coreMs / 3.6e6;
  const memoryGiBHours = memoryMiBMs / 1024 / 3.6e6;
  const parts = pricesSet(prices)
    ? { cores: coreHours * prices.perCoreHour, memory: memoryGiBHours * prices.perGiBHour }
    : null;
  return {
    coreHours,
    memoryGiBHours,
    dcu: memoryGiBHours * DCU_PER_GIB_HOUR + coreHours * DCU_PER_CORE_HOUR,
    money: parts === null ? null : parts.cores + parts.memory,
    moneyParts: parts,
  };
}

/**
 * The cost of a shape held for `durationMs`: executors × cores and executors × `reservedMiB` (MiB set aside per
 * executor) over the whole duration (executors live about as long as the application).
 */
export function shapeCost(
  executorInstances: number,
  executorCores: number,
  reservedMiB: number,
  durationMs: number,
  prices?: CostPrices,
): HeldCost {
  return heldCost(executorInstances * executorCores * durationMs, executorInstances * reservedMiB * durationMs, prices);
}

/**
 * The single cost figure a plan minimises: money when prices are set, else DataFlint Compute Units (which weigh one
 * core-hour as ten GiB-hours, close to cloud list prices of general-purpose instances).
 */
export function costFigure(c: HeldCost): number {
  return c.money ?? c.dcu;
}

/** A money amount with 2 decimals, or 3 significant digits below 1 (`0.00262 USD`). */
export function formatMoney(amount: number, currency: string): string {
  return `${amount >= 1 || amount === 0 ? amount.toFixed(2) : amount.toPrecision(3)} ${currency}`.trim();
}
