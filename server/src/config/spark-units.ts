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
  b: 0,
  k: 1,
  kb: 1,
  m: 2,
  mb: 2,
  g: 3,
  gb: 3,
  t: 4,
  tb: 4,
  p: 5,
  pb: 5,
};

/** Unit of a bare number in a size setting: Spark's `ByteUnit` BYTE, KiB, MiB, GiB, TiB, PiB. */
export type SparkByteUnit = 'b' | 'k' | 'm' | 'g' | 't' | 'p';

/** Java's `Long.MAX_VALUE` and `Long.MIN_VALUE`, the bounds Spark's parsers work in. */
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** First line of every size error, as `JavaUtils.byteStringAs` writes it. */
const SIZE_ERROR =
  'Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m.';

/** First line of every time error, as `JavaUtils.timeStringAs` writes it. */
const TIME_ERROR =
  'Time must be specified as seconds (s), milliseconds (ms), microseconds (us), minutes (m or min), hour (h), or day (d). E.g. 50s, 100ms, or 250us.';

/** Error thrown for a size string Spark would reject, with Spark's own wording where it has one. */
export class SparkSizeError extends Error {}

/** Error thrown for a time string Spark would reject, with Spark's own wording. */
export class SparkTimeError extends Error {}

/**
 * `String.trim()` as Java does it: strips characters up to U+0020 (spaces, tabs, newlines, other
 * control characters) from both ends, and nothing else (JavaScript's `trim` also strips U+00A0 and
 * other Unicode spaces, which Java keeps and Spark then rejects).
 */
export function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/**
 * `Long.parseLong` of a string already known to be `-?[0-9]+`.
 * @throws the message Java's `NumberFormatException` carries (`For input string: "…"`) when out of range.
 */
function parseJavaLong(digits: string): bigint | string {
  const v = BigInt(digits);
  return v > LONG_MAX || v < LONG_MIN ? `For input string: "${digits}"` : v;
}

/**
 * Parses a size exactly as Spark's `JavaUtils.byteStringAs(text, unit)` and returns the value in
 * `unit`, truncated toward zero as `ByteUnit.convertFrom` does (so `1023k` as MiB is 0).
 *
 * Rules (apache/spark common/utils/src/main/java/org/apache/spark/network/util/JavaUtils.java):
 * the text is lower-cased and Java-trimmed, then must match `([0-9]+)([a-z]+)?` as a whole: no sign,
 * no space between number and suffix, no fraction. Suffixes: b, k/kb, m/mb, g/gb, t/tb, p/pb
 * (binary multiples). No suffix means `unit`.
 * @param text e.g. `4g`, `4GB`, `4096m`, `512k`, `1024`.
 * @param unit the unit of a bare number and of the result (the key's `bytesConf(ByteUnit.X)`).
 * @returns the size in `unit` (a JavaScript number: exact up to 2^53).
 * @throws SparkSizeError with Spark's message: `Size must be specified as …\nFailed to parse byte
 *   string: 4 g`, `…\nFractional values are not supported. Input was: 4.5`, `…\nInvalid suffix: "x"`,
 *   or `Conversion of N exceeds Long.MAX_VALUE in UNIT. …` (the latter from `ByteUnit.convertTo`).
 */
export function parseSparkSizeAs(text: string, unit: SparkByteUnit): number {
  const lower = javaTrim(text.toLowerCase());
  const m = /^([0-9]+)([a-z]+)?$/.exec(lower);
  if (!m) {
    const f = /^([0-9]+\.[0-9]+)([a-z]+)?$/.exec(lower);
    if (f) throw new SparkSizeError(`${SIZE_ERROR}\nFractional values are not supported. Input was: ${f[1]}`);
    throw new SparkSizeError(`${SIZE_ERROR}\nFailed to parse byte string: ${text}`);
  }
  const parsed = parseJavaLong(m[1]);
  if (typeof parsed === 'string') throw new SparkSizeError(`${SIZE_ERROR}\n${parsed}`);
  const suffix = m[2];
  if (suffix !== undefined && UNIT_POWER[suffix] === undefined) {
    throw new SparkSizeError(`${SIZE_ERROR}\nInvalid suffix: "${suffix}"`);
  }
  const from = suffix === undefined ? UNIT_POWER[unit] : UNIT_POWER[suffix];
  const to = UNIT_POWER[unit];
  if (from > to) {
    const ratio = 1024n ** BigInt(from - to);
    if (LONG_MAX / ratio < parsed) {
      const names = ['BYTE', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
      throw new SparkSizeError(
        `Conversion of ${parsed} exceeds Long.MAX_VALUE in ${names[from]}. Try a larger unit (e.g. MiB instead of KiB)`,
      );
    }
    return Number(parsed * ratio);
  }
  return Number(parsed / 1024n ** BigInt(to - from));
}

/**
 * Parses the value of a size setting as Spark's `ConfigBuilder.bytesConf(unit)` reads it
 * (`ConfigHelpers.byteFromString`): a leading `-` (on the raw, untrimmed text) negates the rest, so
 * `spark.sql.autoBroadcastJoinThreshold=-1` is accepted; the rest goes through `parseSparkSizeAs`.
 * Source: apache/spark core/src/main/scala/org/apache/spark/internal/config/ConfigBuilder.scala.
 * @returns the value in `unit` (may be negative).
 * @throws SparkSizeError as `parseSparkSizeAs`.
 */
export function parseSparkSizeConf(text: string, unit: SparkByteUnit): number {
  if (text.length > 0 && text.charAt(0) === '-') return -parseSparkSizeAs(text.slice(1), unit);
  return parseSparkSizeAs(text, unit);
}

/**
 * Parses a Spark size string to bytes.
 * @param text e.g. `4g`, `4096m`, `512k`, `1024` (no suffix = `defaultUnit`).
 * @param defaultUnit unit of a bare number: `'b' | 'k' | 'm' | 'g' | 't' | 'p'` (MiB for memory keys).
 * @returns bytes (may exceed 2^53 only for absurd values; callers compare, not index).
 * @throws SparkSizeError, with Spark's message, for any text `JavaUtils.byteStringAs` rejects:
 *   fractions, unknown suffixes, signs, inner spaces, non-numeric text (see `parseSparkSizeAs`).
 */
export function parseSparkSizeBytes(text: string, defaultUnit: SparkByteUnit = 'm'): number {
  // Same accepted set and messages as Spark; a suffixed value is taken exactly in bytes, a bare
  // number in `defaultUnit` and then scaled.
  const hasSuffix = /[a-z]$/.test(javaTrim(text.toLowerCase()));
  if (hasSuffix) return parseSparkSizeAs(text, 'b');
  return parseSparkSizeAs(text, defaultUnit) * 1024 ** UNIT_POWER[defaultUnit];
}

/** Unit of a bare number in a time setting: Spark's `TimeUnit` NANOSECONDS … DAYS. */
export type SparkTimeUnit = 'ns' | 'us' | 'ms' | 's' | 'min' | 'h' | 'd';

const NANOS: Record<SparkTimeUnit, bigint> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  min: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** Suffixes `JavaUtils.timeStringAs` accepts (`timeSuffixes`); note there is no `ns`. */
const TIME_SUFFIXES: Record<string, SparkTimeUnit> = {
  us: 'us',
  ms: 'ms',
  s: 's',
  m: 'min',
  min: 'min',
  h: 'h',
  d: 'd',
};

/** `TimeUnit.convert`: truncates toward zero, saturates at Long.MIN_VALUE/MAX_VALUE. */
function convertTime(value: bigint, from: SparkTimeUnit, to: SparkTimeUnit): bigint {
  const f = NANOS[from];
  const t = NANOS[to];
  if (f === t) return value;
  if (f < t) return value / (t / f);
  const ratio = f / t;
  if (value > LONG_MAX / ratio) return LONG_MAX;
  if (value < LONG_MIN / ratio) return LONG_MIN;
  return value * ratio;
}

/**
 * Parses a time exactly as Spark's `JavaUtils.timeStringAs(text, unit)` (used by every
 * `timeConf(TimeUnit.X)` setting) and returns the count in `defaultUnit`.
 *
 * Rules (apache/spark common/utils/src/main/java/org/apache/spark/network/util/JavaUtils.java): the
 * text is lower-cased and Java-trimmed, then must match `(-?[0-9]+)([a-z]+)?` as a whole (a leading
 * `-` is allowed, `+` is not, no inner spaces, no fractions). Suffixes: us, ms, s, m or min, h, d;
 * no suffix means `defaultUnit`. Converting to a coarser unit truncates (`1500ms` as seconds is 1).
 * @param text e.g. `120s`, `5min`, `100ms`, `60` (then in `defaultUnit`).
 * @param defaultUnit the key's `timeConf` unit: seconds for `spark.network.timeout`, ms for
 *   `spark.dynamicAllocation.shuffleTracking.timeout`, ….
 * @returns the time in `defaultUnit` (saturating at Java's Long bounds, like `TimeUnit.convert`).
 * @throws SparkTimeError with Spark's message, e.g. `Time must be specified as …\nFailed to parse time
 *   string: 4 s` or `…\nInvalid suffix: "l"`.
 */
export function parseSparkTime(text: string, defaultUnit: SparkTimeUnit): number {
  const lower = javaTrim(text.toLowerCase());
  const m = /^(-?[0-9]+)([a-z]+)?$/.exec(lower);
  if (!m) throw new SparkTimeError(`${TIME_ERROR}\nFailed to parse time string: ${text}`);
  const parsed = parseJavaLong(m[1]);
  if (typeof parsed === 'string') throw new SparkTimeError(`${TIME_ERROR}\n${parsed}`);
  const suffix = m[2];
  if (suffix !== undefined && TIME_SUFFIXES[suffix] === undefined) {
    throw new SparkTimeError(`${TIME_ERROR}\nInvalid suffix: "${suffix}"`);
  }
  return Number(convertTime(parsed, suffix === undefined ? defaultUnit : TIME_SUFFIXES[suffix], defaultUnit));
}

/**
 * Converts a count in one Spark time unit to another as Java's `TimeUnit.convert` does
 * (truncating toward zero, saturating at Long bounds).
 * @param value a whole count in `from`.
 * @returns the count in `to`.
 */
export function convertSparkTime(value: number, from: SparkTimeUnit, to: SparkTimeUnit): number {
  return Number(convertTime(BigInt(Math.trunc(value)), from, to));
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
