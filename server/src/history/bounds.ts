/**
 * What Spark can produce: the bounds every figure read from an event log or a History Server must respect before it
 * is stored, and the tally of values that did not ({@link Corrections}).
 *
 * Sources of the bounds:
 * - Spark writes ids, counts and cores as JVM `Int` (JsonProtocol.scala: `Stage ID`, `Stage Attempt ID`,
 *   `Number of Tasks`, `Job ID`, `Total Cores`), so they lie in [0, 2^31 − 1]; none of them is ever negative.
 * - Metrics and timestamps are JVM `Long` (TaskMetrics.scala, `System.currentTimeMillis`), never negative for these
 *   fields; JavaScript keeps integers exactly only up to 2^53 − 1 (`Number.MAX_SAFE_INTEGER`), so a larger value can
 *   neither have been produced by a real run (2^53 ms is 285,000 years, 2^53 bytes 8 PiB per task) nor be stored as read.
 * - A task's `Executor Run Time`, `Executor CPU Time` and `JVM GC Time` are measured inside the task's life on the
 *   executor, so they cannot exceed its wall time `Finish Time − Launch Time` (driver clock) — checked on the 33,868
 *   task ends of the 207 real logs in the fixtures, examples and evaluation runs: none does.
 * - Summed over an application, task time cannot exceed its duration × the cores its executors held.
 */

import type { ValueCorrection } from './application-record';

/** Largest value of a Spark `Int` field (ids, counts, cores): 2^31 − 1. */
export const MAX_SPARK_INT = 2 ** 31 - 1;

/** Largest value stored for a `Long` metric, time or timestamp: 2^53 − 1, the largest integer a JavaScript number holds exactly. */
export const MAX_STORED_LONG = Number.MAX_SAFE_INTEGER;

/** The problem text for a value outside [0, 2^53 − 1] or not an integer. */
export const NOT_A_LONG = 'not a non-negative integer within 2^53';

/** The problem text for an `Int` field outside [0, 2^31 − 1] or not an integer. */
export const NOT_AN_INT = 'not a non-negative integer within 2^31 − 1';

/** True when `v` is an integer in [0, 2^53 − 1]. */
export function isStoredLong(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_STORED_LONG;
}

/** True when `v` is an integer in [0, 2^31 − 1]. */
export function isSparkInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SPARK_INT;
}

/** At most this many characters of an offending value are kept as its example. */
const EXAMPLE_MAX_CHARS = 60;

/**
 * Tally of impossible values by field, problem and action (one {@link ValueCorrection} per kind), so a reader can
 * count every value it dropped or clipped without keeping them all.
 */
export class Corrections {
  private readonly byKey = new Map<string, ValueCorrection>();

  /**
   * Counts one impossible value.
   * @param field the event and field as Spark writes them, or a record field.
   * @param problem what was wrong with it.
   * @param action what was done: dropped, clipped, or the event skipped.
   * @param value the value as read (its JSON text is kept as the example of the first one).
   */
  note(field: string, problem: string, action: ValueCorrection['action'], value: unknown): void {
    const key = `${field}\u0000${problem}\u0000${action}`;
    const c = this.byKey.get(key);
    if (c !== undefined) {
      c.count++;
      return;
    }
    let example: string;
    try {
      // JSON.stringify gives undefined for a function or a symbol: String() is the fallback for those (Spark's JSON has none).
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the fallback above; an object never reaches it.
      example = value === undefined ? 'absent' : (JSON.stringify(value) ?? String(value));
    } catch {
      example = String(value);
    }
    this.byKey.set(key, { field, problem, action, count: 1, example: example.slice(0, EXAMPLE_MAX_CHARS) });
  }

  /** Number of values counted. */
  get total(): number {
    let n = 0;
    for (const c of this.byKey.values()) n += c.count;
    return n;
  }

  /** The tally, in the order the kinds were first met. */
  list(): ValueCorrection[] {
    return [...this.byKey.values()].map((c) => ({ ...c }));
  }
}

/**
 * Adds `more` into `into` (same field, problem and action add their counts).
 * @returns `into`.
 */
export function mergeCorrections(into: ValueCorrection[], more: readonly ValueCorrection[]): ValueCorrection[] {
  for (const m of more) {
    const c = into.find((x) => x.field === m.field && x.problem === m.problem && x.action === m.action);
    if (c) c.count += m.count;
    else into.push({ ...m });
  }
  return into;
}

/** One line per kind: `Task Metrics.Executor Run Time: 2 not a non-negative integer within 2^53 (dropped; e.g. 1e+308)`. */
export function describeCorrection(c: ValueCorrection): string {
  return `${c.field}: ${c.count} ${c.problem} (${c.action}; e.g. ${c.example})`;
}
