/**
 * Arrow IPC batches from Spark Connect (`ExecutePlanResponse.ArrowBatch.data`: one Arrow IPC stream per message, as
 * Spark's `ArrowConverters` writes it) → JS values by Spark type, JSON-safe and without loss:
 *
 * | Spark type | JS value |
 * |---|---|
 * | boolean, tinyint, smallint, int, float, double | boolean / number (NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity") |
 * | bigint | number when a safe integer, else its decimal string |
 * | decimal(p,s) | exact decimal string, e.g. "-1234.50" (s digits after the point) |
 * | string, char, varchar | string |
 * | binary | base64 string |
 * | date | "YYYY-MM-DD" (proleptic Gregorian, as Spark 3+) |
 * | timestamp (with local time zone) | ISO-8601 instant in UTC with microseconds: "2024-03-10T09:30:00.123456Z" |
 * | timestamp_ntz | "2024-03-10T09:30:00.123456" (no zone) |
 * | array<T> | array; struct<...> | object by field name; map<K,V> | array of [key, value] pairs |
 * | null anywhere | null |
 *
 * Spark sends timestamps as Arrow Timestamp(MICROSECOND, session time zone) and dates as Date(DAY)
 * (`sql/api/.../ArrowUtils.scala` toArrowType).
 */
import { tableFromIPC, type Data, type Table } from 'apache-arrow';
import type { SparkField, SparkType, SparkValue } from '../../../shared/src/spark-query';

export type { SparkValue };

/** Collects Arrow IPC batches and turns them into rows. */
export class ArrowRowDecoder {
  private readonly tables: Table[] = [];
  /** Rows received so far. */
  rowCount = 0;

  /**
   * Adds one `ArrowBatch.data` payload (an Arrow IPC stream).
   * @throws Error when the bytes are not an Arrow IPC stream.
   */
  push(ipc: Uint8Array): void {
    const t = tableFromIPC(ipc);
    this.tables.push(t);
    this.rowCount += t.numRows;
  }

  /** Fields read from the Arrow schema (when Spark sent no `schema` message), or undefined before any batch. */
  fields(): SparkField[] | undefined {
    const t = this.tables[0];
    if (!t) return undefined;
    return t.schema.fields.map((f) => ({ name: f.name, type: { kind: 'unknown', name: String(f.type) }, nullable: f.nullable }));
  }

  /** All rows, each an array of column values converted by the Spark types in `columns`. */
  rows(columns: SparkField[]): SparkValue[][] {
    const out: SparkValue[][] = [];
    for (const t of this.tables) {
      for (const batch of t.batches) {
        const vectors = columns.map((_, j) => batch.getChildAt(j));
        for (let i = 0; i < batch.numRows; i++) {
          out.push(columns.map((c, j) => {
            const v = vectors[j];
            return v ? valueAt(v.data[0], i, c.type) : null;
          }));
        }
      }
    }
    return out;
  }
}

const MICROS_PER_DAY = 86_400_000_000n;

/** The value at row `i` of one Arrow `Data` chunk, by Spark type. */
function valueAt(data: Data, i: number, t: SparkType): SparkValue {
  // Data read from IPC has offset 0 at every level (nothing is sliced), so `i` indexes the buffers directly.
  if (data.offset !== 0) throw new Error('Arrow data with a non-zero offset (a slice) is not expected from Spark Connect IPC');
  if (!data.getValid(i)) return null;
  const at = i;
  switch (t.kind) {
    case 'null':
      return null;
    case 'boolean': {
      const bits = data.values as Uint8Array;
      return ((bits[at >> 3] >> (at & 7)) & 1) === 1;
    }
    case 'byte':
    case 'short':
    case 'integer':
      return (data.values as Int32Array)[at];
    case 'float':
    case 'double':
      return finite((data.values as Float64Array)[at]);
    case 'long': {
      const v = (data.values as BigInt64Array)[at];
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    case 'decimal':
      return decimalString(data.values as Uint32Array, at, t.scale);
    case 'string':
    case 'variant':
    case 'unknown': {
      const bytes = variableBytes(data, at);
      return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : null;
    }
    case 'binary': {
      const bytes = variableBytes(data, at);
      return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : null;
    }
    case 'date':
      return isoDate(BigInt((data.values as Int32Array)[at]) * MICROS_PER_DAY);
    case 'timestamp':
      return isoMicros((data.values as BigInt64Array)[at]) + 'Z';
    case 'timestamp_ntz':
      return isoMicros((data.values as BigInt64Array)[at]);
    case 'array': {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0];
      const out: SparkValue[] = [];
      for (let k = offsets[at]; k < offsets[at + 1]; k++) out.push(valueAt(child, k, t.elementType));
      return out;
    }
    case 'map': {
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0];
      const [keys, values] = entries.children;
      const out: SparkValue[] = [];
      for (let k = offsets[at]; k < offsets[at + 1]; k++) out.push([valueAt(keys, k, t.keyType), valueAt(values, k, t.valueType)]);
      return out;
    }
    case 'struct': {
      const obj: { [k: string]: SparkValue } = {};
      t.fields.forEach((f, k) => {
        const child = data.children[k];
        obj[f.name] = child ? valueAt(child, at, f.type) : null;
      });
      return obj;
    }
    default:
      return String(data.values?.[at] ?? '');
  }
}

function finite(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function variableBytes(data: Data, at: number): Uint8Array | null {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  if (!offsets) return null;
  const s = Number(offsets[at]);
  const e = Number(offsets[at + 1]);
  return (data.values as Uint8Array).subarray(s, e);
}

/** 128-bit two's-complement little-endian decimal (Arrow Decimal128: four uint32 words per value) → exact string. */
function decimalString(words: Uint32Array, at: number, scale: number): string {
  const base = at * 4;
  let v = 0n;
  for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(words[base + k]);
  if (v >= 1n << 127n) v -= 1n << 128n;
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

/** "YYYY-MM-DD" of µs since the epoch. */
function isoDate(micros: bigint): string {
  return isoMicros(micros).slice(0, 10);
}

/** "YYYY-MM-DDTHH:MM:SS.ffffff" (UTC fields) of µs since the epoch; years outside 0-9999 as ±YYYYYY. */
function isoMicros(micros: bigint): string {
  let ms = micros / 1000n;
  let us = micros % 1000n;
  if (us < 0n) {
    us += 1000n;
    ms -= 1n;
  }
  const d = new Date(Number(ms));
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, -1)}${us.toString().padStart(3, '0')}`;
}

