/**
 * Task-duration distributions: a growable numeric buffer per stage and Spark's quantile rule.
 */

import type { DurationQuantilesMs } from '../application-record';

/**
 * A growable list of numbers in a `Float64Array` (8 bytes per value; a million tasks ≈ 8 MB, freed
 * when the stage is summarised). Starts small because most stages have few tasks.
 */
export class NumberBuffer {
  private data: Float64Array;
  private count = 0;

  constructor(initialCapacity = 16) {
    this.data = new Float64Array(initialCapacity);
  }

  /** Number of values pushed. */
  get length(): number {
    return this.count;
  }

  /** Appends one value, doubling the capacity when full. */
  push(value: number): void {
    if (this.count === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.count++] = value;
  }

  /** The values in push order (a view over the buffer; invalidated by `push` and `sorted`). */
  values(): Float64Array {
    return this.data.subarray(0, this.count);
  }

  /** The values sorted ascending (a view over the buffer, which is sorted in place). */
  sorted(): Float64Array {
    return this.data.subarray(0, this.count).sort();
  }
}

/**
 * The value at quantile `q` of ascending `sorted` values, by Spark's rule
 * `sorted[min(floor(q × n), n − 1)]` (no interpolation), so numbers match the Spark UI's task summary.
 * Source: apache/spark core/src/main/scala/org/apache/spark/util/Distribution.scala, `closestIndex`.
 * @param sorted ascending, non-empty.
 * @param q in [0, 1].
 */
export function sparkQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  return sorted[Math.min(Math.floor(q * n), n - 1)];
}

/**
 * Summarises durations (ms) as min / p25 / median / p75 / p95 / max by {@link sparkQuantile}.
 * @param sorted ascending, non-empty.
 */
export function durationQuantiles(sorted: ArrayLike<number>): DurationQuantilesMs {
  return {
    min: sorted[0],
    p25: sparkQuantile(sorted, 0.25),
    median: sparkQuantile(sorted, 0.5),
    p75: sparkQuantile(sorted, 0.75),
    p95: sparkQuantile(sorted, 0.95),
    max: sorted[sorted.length - 1],
  };
}
