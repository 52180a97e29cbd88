/**
 * The evaluation's scoring math, pure functions on plain numbers (no Spark types), so each formula can be checked by
 * hand on a small grid (test/evaluation-scoring.test.ts).
 *
 * - Regret (issue 5 and the engine/evaluation contract): the measured mean of the chosen configuration ÷ the best
 *   measured mean in the grid; 1 is the best possible, 1.25 means 25 % slower (or dearer) than the best.
 * - "Within 10 %": regret ≤ 1.10.
 * - MAPE: mean of |predicted − actual| / actual.
 * - Run-to-run noise of identical configurations: mean over configurations with ≥ 2 runs of
 *   |rep1 − rep2| / mean(rep1, rep2) (for more than 2 runs: (max − min) / mean).
 */

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Geometric mean of positive numbers (the right mean for ratios such as regret); NaN for an empty list. */
export function geometricMean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += Math.log(x);
  return Math.exp(s / xs.length);
}

/**
 * Regret of a choice: `chosen` ÷ the smallest value in `all` (the same measure for every configuration of the grid,
 * e.g. mean runtime in ms or mean executor-core-hours).
 * @throws RangeError when `all` is empty or its minimum is not positive.
 */
export function regret(chosen: number, all: readonly number[]): number {
  if (all.length === 0) throw new RangeError('regret: empty grid');
  const best = Math.min(...all);
  if (!(best > 0)) throw new RangeError(`regret: best value ${best} is not positive`);
  return chosen / best;
}

/** True when a regret is within `tolerance` of the best (default 10 %: regret ≤ 1.10, with a 1e-9 guard for rounding). */
export function withinTolerance(r: number, tolerance = 0.1): boolean {
  return r <= 1 + tolerance + 1e-9;
}

/**
 * Mean absolute percentage error, as a fraction (0.12 = 12 %): mean of |predicted − actual| / actual.
 * @throws RangeError when a pair has a non-positive actual value; NaN for no pairs.
 */
export function mape(pairs: readonly { predicted: number; actual: number }[]): number {
  return mean(
    pairs.map((p) => {
      if (!(p.actual > 0)) throw new RangeError(`mape: actual value ${p.actual} is not positive`);
      return Math.abs(p.predicted - p.actual) / p.actual;
    }),
  );
}

/**
 * Relative spread of repeated measurements of one configuration: |a − b| / mean(a, b) for two runs,
 * (max − min) / mean for more; null for fewer than two runs.
 */
export function relativeSpread(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  return (Math.max(...values) - Math.min(...values)) / m;
}

/** Run-to-run noise: mean relative spread over the groups of identical configurations that have ≥ 2 runs (NaN when none). */
export function noise(groups: readonly (readonly number[])[]): number {
  return mean(groups.map(relativeSpread).filter((x): x is number => x !== null));
}
