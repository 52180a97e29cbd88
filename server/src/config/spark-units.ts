/**
 * Size strings as Spark parses them.
 *
 * Source: apache/spark common/utils/src/main/java/org/apache/spark/network/util/JavaUtils.java
 * (`byteStringAs`, `byteUnitSuffixes`): a number followed by an optional suffix b, k/kb, m/mb, g/gb,
 * t/tb, p/pb (case-insensitive, binary multiples: 1k = 1024 b); a number without suffix is in the
 * key's default unit (MiB for `spark.executor.memory`, `spark.driver.memory`,
 * `spark.executor.memoryOverhead`). Fractions are rejected ("Fractional values are not supported").
 */

const UNIT_POWER: Record<string, number> = {
  b: 0, k: 1, kb: 1, m: 2, mb: 2, g: 3, gb: 3, t: 4, tb: 4, p: 5, pb: 5,
};

/** Error thrown for a size string Spark would reject, with Spark's own wording where it has one. */
export class SparkSizeError extends Error {}

/**
 * Parses a Spark size string to bytes.
 * @param text e.g. `4g`, `4096m`, `512k`, `1024` (no suffix = `defaultUnit`).
 * @param defaultUnit unit of a bare number: `'b' | 'k' | 'm' | 'g' | 't' | 'p'` (MiB for memory keys).
 * @returns bytes (may exceed 2^53 only for absurd values; callers compare, not index).
 * @throws SparkSizeError for fractions, unknown suffixes, negative or non-numeric text.
 */
export function parseSparkSizeBytes(text: string, defaultUnit: 'b' | 'k' | 'm' | 'g' | 't' | 'p' = 'm'): number {
  const s = text.trim().toLowerCase();
  const m = /^(-?[0-9]+)([a-z]+)?$/.exec(s);
  if (!m) {
    if (/^-?[0-9]*\.[0-9]+([a-z]+)?$/.test(s)) {
      throw new SparkSizeError(`Fractional values are not supported. Input was: ${text.trim()}`);
    }
    throw new SparkSizeError(
      `Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m. Input was: ${text.trim()}`,
    );
  }
  const n = Number(m[1]);
  if (n < 0) throw new SparkSizeError(`Negative size is not allowed: ${text.trim()}`);
  const suffix = m[2] ?? defaultUnit;
  const power = UNIT_POWER[suffix];
  if (power === undefined) throw new SparkSizeError(`Invalid suffix: "${suffix}" in ${text.trim()}`);
  return n * 1024 ** power;
}

/**
 * Parses a Spark size string to MiB, as `byteStringAs(text, ByteUnit.MiB)` (truncating toward zero).
 * @returns MiB, or null when the text is not a valid size.
 */
export function parseSparkSizeMiB(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  try {
    return Math.floor(parseSparkSizeBytes(text, 'm') / 1024 ** 2);
  } catch {
    return null;
  }
}

/**
 * Formats MiB the way people write Spark memory settings: whole GiB as `4g`, else `1536m`.
 * @param mib mebibytes, > 0.
 */
export function formatSparkSizeMiB(mib: number): string {
  const whole = Math.round(mib);
  return whole % 1024 === 0 ? `${whole / 1024}g` : `${whole}m`;
}

/** Formats bytes for people: `1.9 GiB`, `512 MiB`, `13 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Formats a duration in ms as `850 ms`, `42 s`, `3.5 min`, `1.2 h`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 2 * 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
