/**
 * Spark query results as Arrow, as they travel from Spark Connect to the CLI and the result view: the Arrow IPC
 * streams Spark sends (`ExecutePlanResponse.ArrowBatch.data`, one stream per message, as Spark's `ArrowConverters`
 * writes them) are kept as they are from the wire to the screen; values are read out of the Arrow vectors only for
 * the rows shown (a page of the result view, a CSV/JSON line), by Spark type, JSON-safe and without loss:
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
 * (`sql/api/.../ArrowUtils.scala` toArrowType). This module has no I/O and no Node API, so the result webview
 * bundles it too (client/src/webview/query-result.ts).
 */
import { tableFromIPC, tableToIPC, type Data, type RecordBatch } from 'apache-arrow';
import type { SparkField, SparkType, SparkValue } from './spark-query';

/**
 * The record batches of Arrow IPC streams, in order.
 * @throws Error when a payload is not an Arrow IPC stream.
 */
export function recordBatches(ipcStreams: readonly Uint8Array[]): RecordBatch[] {
  return ipcStreams.flatMap((ipc) => tableFromIPC(ipc).batches);
}

/** The first `rowCount` rows of one Arrow IPC stream, as a new IPC stream (for cutting a result at a row limit). */
export function firstRowsIpc(ipc: Uint8Array, rowCount: number): Uint8Array {
  return tableToIPC(tableFromIPC(ipc).slice(0, rowCount), 'stream');
}

/** Fields read from an Arrow schema, for a result without Spark's `schema` message (types unknown to Spark's names). */
export function fieldsOfIpc(ipc: Uint8Array): SparkField[] {
  return tableFromIPC(ipc).schema.fields.map((f) => ({
    name: f.name,
    type: { kind: 'unknown', name: String(f.type) },
    nullable: f.nullable,
  }));
}

/** Rows `start` (inclusive) to `end` (exclusive) of one record batch, each an array of column values by Spark type. */
export function batchRows(
  batch: RecordBatch,
  columns: readonly SparkField[],
  start = 0,
  end = batch.numRows,
): SparkValue[][] {
  const data = columns.map((_, j) => batch.getChildAt(j)?.data[0]);
  const out: SparkValue[][] = [];
  for (let i = start; i < Math.min(end, batch.numRows); i++)
    out.push(columns.map((c, j) => (data[j] ? valueAt(data[j] as Data, i, c.type) : null)));
  return out;
}

/** Every row of Arrow IPC streams (for small results: tests, the CLI's text table). */
export function ipcRows(ipcStreams: readonly Uint8Array[], columns: readonly SparkField[]): SparkValue[][] {
  return recordBatches(ipcStreams).flatMap((b) => batchRows(b, columns));
}

/**
 * Random access to the rows of a result kept as Arrow record batches: `rows(start, end)` reads only those rows'
 * values (what a page of the result view shows).
 */
export class ArrowRows {
  private readonly batches: RecordBatch[];
  /** Row index of the first row of each batch. */
  private readonly starts: number[] = [];
  readonly rowCount: number;

  /** @throws Error when a payload is not an Arrow IPC stream. */
  constructor(
    ipcStreams: readonly Uint8Array[],
    readonly columns: readonly SparkField[],
  ) {
    this.batches = recordBatches(ipcStreams);
    let n = 0;
    for (const b of this.batches) {
      this.starts.push(n);
      n += b.numRows;
    }
    this.rowCount = n;
  }

  /** Rows `start` (inclusive) to `end` (exclusive, clamped to the row count). */
  rows(start: number, end: number): SparkValue[][] {
    const out: SparkValue[][] = [];
    for (let k = 0; k < this.batches.length; k++) {
      const first = this.starts[k];
      const b = this.batches[k];
      if (first + b.numRows <= start) continue;
      if (first >= end) break;
      out.push(...batchRows(b, this.columns, Math.max(0, start - first), Math.min(b.numRows, end - first)));
    }
    return out;
  }
}

const MICROS_PER_DAY = 86_400_000_000n;

/** The value at row `i` of one Arrow `Data` chunk (offset 0, as read from IPC), by Spark type. */
export function valueAt(data: Data, i: number, t: SparkType): SparkValue {
  // Data read from IPC has offset 0 at every level (nothing is sliced), so `i` indexes the buffers directly.
  if (data.offset !== 0)
    throw new Error('Arrow data with a non-zero offset (a slice) is not expected from Spark Connect IPC');
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
      return bytes ? UTF8.decode(bytes) : null;
    }
    case 'binary': {
      const bytes = variableBytes(data, at);
      return bytes ? base64(bytes) : null;
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
      for (let k = offsets[at]; k < offsets[at + 1]; k++)
        out.push([valueAt(keys, k, t.keyType), valueAt(values, k, t.valueType)]);
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
      // apache-arrow types a vector's values as any: a type not read above keeps its values in a typed array.
      return String((data.values as ArrayLike<number | bigint> | undefined)?.[at] ?? '');
  }
}

const UTF8 = new TextDecoder('utf-8');

/** Base64 of bytes (btoa exists in Node 16+ and in the webview; no Buffer, so the webview can run this). */
function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let k = 0; k < bytes.length; k += 0x8000) bin += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(bin);
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
