/**
 * Checks a raw setting value the way Spark reads it, and words failures as Spark does.
 *
 * Parsing follows `ConfigHelpers` in apache/spark
 * core/src/main/scala/org/apache/spark/internal/config/ConfigBuilder.scala: numbers and booleans are
 * trimmed first, then a malformed value fails with `<key> should be <int|double|boolean>, but was
 * <value>`; sizes go through `byteFromString` (a leading `-` is allowed) and times through
 * `JavaUtils.timeStringAs`, whose messages are kept verbatim (see `../spark-units.ts`);
 * `checkValue` failures read `'<value>' in <key> is invalid. <message>`; `checkValues` failures read
 * `The value of <key> should be one of <a, b>, but was <value>`.
 */
import {
  convertSparkTime,
  javaTrim,
  parseSparkSizeConf,
  parseSparkTime,
  SparkSizeError,
  SparkTimeError,
  type SparkByteUnit,
  type SparkTimeUnit,
} from '../spark-units';
import type { CatalogueEntry, ValueCheck, ValueRange, VersionLine } from './types';

const BYTES_PER: Record<SparkByteUnit, number> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const fail = (message: string, severity: 'error' | 'warning' = 'error'): ValueCheck => ({
  ok: false,
  message,
  severity,
});

/** `Integer.parseInt`: optional sign, ASCII digits, within 32 bits; null when Java would throw. */
function javaParseInt(text: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(text)) return null;
  const n = Number(text);
  return n < INT_MIN || n > INT_MAX ? null : n;
}

/**
 * `Double.parseDouble` (which `String.toDouble` calls): decimal literals with optional exponent and
 * optional `d`/`f` suffix, `NaN`, `Infinity`, surrounding characters up to U+0020 ignored. Hex
 * floating literals (`0x1p3`) are not recognised here. Returns null when Java would throw.
 */
function javaParseDouble(text: string): number | null {
  const s = javaTrim(text);
  const m = /^([+-]?)(NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fFdD]?$/.exec(s);
  if (!m) return null;
  if (m[2] === 'NaN') return NaN;
  if (m[2] === 'Infinity') return m[1] === '-' ? -Infinity : Infinity;
  return Number(m[1] + m[2]);
}

/** How Scala prints the value in a `checkValue` message (`Double.toString` keeps a `.0`). */
function javaString(value: number, type: CatalogueEntry['type']): string {
  if (type === 'double') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  return String(value);
}

function inRange(value: number, r: ValueRange): boolean {
  if (Number.isNaN(value)) return false;
  if (r.min !== undefined && (r.minExclusive ? !(value > r.min) : !(value >= r.min))) return false;
  if (r.max !== undefined && (r.maxExclusive ? !(value < r.max) : !(value <= r.max))) return false;
  return true;
}

/** The failure for a value outside `entry.range`, or null when it is inside (or there is none). */
function rangeFailure(entry: CatalogueEntry, value: number): ValueCheck | null {
  const r = entry.range;
  if (!r || inRange(value, r)) return null;
  switch (r.enforcement) {
    case 'checkValue':
      return fail(`'${javaString(value, entry.type)}' in ${r.messageKey ?? entry.key} is invalid. ${r.message}`);
    case 'advice':
      return fail(r.message, 'warning');
    default:
      return fail(r.message);
  }
}

/**
 * For keys spark-submit also hands to the JVM as `-Xmx<raw>` in client mode: a warning when Spark
 * accepts the text but HotSpot would not (`4gb`, ` 4g`), or would read it in bytes (`4096`).
 */
function jvmHeapFailure(entry: CatalogueEntry, raw: string): ValueCheck | null {
  if (!entry.jvmHeapFlag || /^[0-9]+[kKmMgGtT]$/.test(raw)) return null;
  const why = /^[0-9]+$/.test(raw)
    ? `the JVM reads -Xmx${raw} as ${raw} bytes, while Spark reads ${raw} MiB; write ${raw}m`
    : `the JVM rejects -Xmx${raw} ("Invalid maximum heap size"); write a number with k, m, g or t, e.g. 4g`;
  return fail(
    `${entry.key}=${raw}: in client mode spark-submit starts the driver JVM with -Xmx${raw} unchanged, and ${why}`,
    'warning',
  );
}

/**
 * A Kubernetes quantity as the API server accepts it (`^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`,
 * k8s.io/apimachinery resource.Quantity); Spark passes CPU requests and limits through unchanged.
 */
const K8S_QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/**
 * Master URLs `SparkContext.createTaskScheduler` understands (`SparkMasterRegex`): local, local[N],
 * local[*], local[N,F], local-cluster[N,C,M], spark://…, yarn, and external managers: k8s://…
 * (and mesos://… before 4.0, which removed Mesos).
 */
function masterOk(master: string, line: VersionLine): boolean {
  if (master === 'local' || master === 'yarn') return true;
  if (/^local\[([0-9]+|\*)\]$/.test(master)) return true;
  if (/^local\[([0-9]+|\*)\s*,\s*([0-9]+)\]$/.test(master)) return true;
  if (/^local-cluster\[\s*([0-9]+)\s*,\s*([0-9]+)\s*,\s*([0-9]+)\s*]$/.test(master)) return true;
  if (/^spark:\/\/.+/.test(master) || /^k8s:\/\/.+/.test(master)) return true;
  return /^mesos:\/\/.+/.test(master) && (line === '3.3' || line === '3.4' || line === '3.5');
}

const CODECS = new Set(['lz4', 'lzf', 'snappy', 'zstd']);

/**
 * PySpark's memory parser for `spark.python.worker.memory` (python/pyspark/rdd.py `_parse_memory`):
 * a number (fractions allowed) and a required k, m, g or t suffix; returns MiB or null.
 */
function parsePySparkMemoryMiB(text: string): number | null {
  const m = /^([0-9]*\.?[0-9]+)([kmgtKMGT])$/.exec(text.trim());
  if (!m) return null;
  const per: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
  return Math.trunc(Number(m[1]) * per[m[2].toLowerCase()]);
}

/**
 * Checks `raw` for `entry` as Spark would read it in `line`.
 * @returns ok with the value Spark reads (`normalised`: bytes for sizes, ms for times, the number
 *   for int/double, 1/0 for booleans), or the failure with Spark's wording and a severity.
 */
export function checkEntryValue(entry: CatalogueEntry, raw: string, line: VersionLine): ValueCheck {
  const key = entry.key;
  switch (entry.type) {
    case 'size': {
      if (entry.format === 'pyspark-memory') {
        const mib = parsePySparkMemoryMiB(raw);
        return mib === null ? fail(`invalid format: ${raw}`) : { ok: true, normalised: mib * BYTES_PER.m };
      }
      const unit = (entry.unit ?? 'b') as SparkByteUnit;
      let value: number;
      try {
        value = parseSparkSizeConf(raw, unit);
      } catch (e) {
        if (e instanceof SparkSizeError) return fail(e.message);
        throw e;
      }
      return (
        rangeFailure(entry, value) ?? jvmHeapFailure(entry, raw) ?? { ok: true, normalised: value * BYTES_PER[unit] }
      );
    }
    case 'time': {
      const unit = (entry.unit ?? 'ms') as SparkTimeUnit;
      let value: number;
      try {
        value = parseSparkTime(raw, unit);
      } catch (e) {
        if (e instanceof SparkTimeError) return fail(e.message);
        throw e;
      }
      return rangeFailure(entry, value) ?? { ok: true, normalised: convertSparkTime(value, unit, 'ms') };
    }
    case 'int': {
      const viaEntry = entry.reader === 'ConfigEntry';
      const value = javaParseInt(viaEntry ? javaTrim(raw) : raw);
      if (value === null) return fail(viaEntry ? `${key} should be int, but was ${raw}` : `For input string: "${raw}"`);
      return rangeFailure(entry, value) ?? { ok: true, normalised: value };
    }
    case 'double': {
      const value = javaParseDouble(raw);
      if (value === null) return fail(`${key} should be double, but was ${raw}`);
      return rangeFailure(entry, value) ?? { ok: true, normalised: value };
    }
    case 'boolean': {
      const v = javaTrim(raw).toLowerCase();
      if (v !== 'true' && v !== 'false') return fail(`${key} should be boolean, but was ${raw}`);
      return { ok: true, normalised: v === 'true' ? 1 : 0 };
    }
    case 'enum': {
      const values = entry.allowedValues ?? [];
      const matches = entry.caseSensitive
        ? values.includes(raw)
        : values.some((v) => v.toLowerCase() === raw.toLowerCase());
      if (matches) return { ok: true };
      return fail(entry.allowedMessage ?? `The value of ${key} should be one of ${values.join(', ')}, but was ${raw}`);
    }
    case 'string': {
      switch (entry.format) {
        case 'k8s-quantity':
          return K8S_QUANTITY.test(raw)
            ? { ok: true }
            : fail(`${key}: '${raw}' is not a Kubernetes CPU quantity (e.g. 0.5, 500m, 2); the pod would be rejected`);
        case 'master':
          return masterOk(raw, line) ? { ok: true } : fail(`Could not parse Master URL: '${raw}'`);
        case 'codec': {
          const codec = raw.trim();
          if (CODECS.has(codec.toLowerCase()) || /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(codec))
            return { ok: true };
          return fail(`Codec [${raw}] is not available: use lz4, lzf, snappy, zstd or a codec class name`);
        }
        default:
          return { ok: true };
      }
    }
  }
}
