/**
 * Spark query results as they travel from the Spark Connect client (server side) to the CLI and the editor's
 * result panel: Spark types with Spark's own type strings, the result as Arrow IPC streams (values read out of them
 * by shared/src/arrow-values.ts), and CSV/JSON/text output of rows. No I/O.
 */

/** A Spark type, JSON-safe. `name` is Spark's `DataType.simpleString` (int, bigint, decimal(10,2), array<string>). */
export type SparkType =
  | {
      kind:
        | 'null'
        | 'boolean'
        | 'byte'
        | 'short'
        | 'integer'
        | 'long'
        | 'float'
        | 'double'
        | 'string'
        | 'binary'
        | 'date'
        | 'timestamp'
        | 'timestamp_ntz'
        | 'variant'
        | 'calendar_interval'
        | 'year_month_interval'
        | 'day_time_interval'
        | 'time'
        | 'unknown';
      name: string;
    }
  | { kind: 'decimal'; name: string; precision: number; scale: number }
  | { kind: 'array'; name: string; elementType: SparkType; containsNull: boolean }
  | { kind: 'struct'; name: string; fields: SparkField[] }
  | { kind: 'map'; name: string; keyType: SparkType; valueType: SparkType };

/** A column or struct field. */
export interface SparkField {
  name: string;
  type: SparkType;
  nullable: boolean;
}

/**
 * A decoded Spark value: bigint as number when a safe integer else a decimal string; decimal as an exact string;
 * date "YYYY-MM-DD"; timestamp an ISO instant in UTC with microseconds and "Z"; timestamp_ntz the same without "Z";
 * binary base64; array an array; struct an object; map an array of [key, value]; null for SQL NULL.
 */
export type SparkValue = null | boolean | number | string | SparkValue[] | { [field: string]: SparkValue };

/**
 * One query's result as the language server sends it to the editor (`sparkOptimizer/connectRunQuery`): the Arrow
 * IPC streams Spark sent, unchanged, as base64 (LSP messages are JSON), not rows of values.
 */
export interface QueryResultPayload {
  columns: SparkField[];
  /** One Arrow IPC stream per Spark `ArrowBatch`, base64. */
  arrowBase64: string[];
  /** Rows in the Arrow streams. */
  rowCount: number;
  /** 'rows' or 'bytes' when Spark had more than the limit allowed, else undefined. */
  truncated?: 'rows' | 'bytes';
  /** Wall time from request to last row, ms. */
  elapsedMs: number;
  /** Spark Connect operation id. */
  operationId: string;
  /** `spark.app.id` of the Spark Connect server's application (links to its run analysis), when known. */
  appId?: string;
}

/**
 * The result as the result webview gets it (`{ type: 'result', result }` by `postMessage`): the payload with the
 * Arrow IPC streams as bytes instead of base64.
 */
export type QueryResultView = Omit<QueryResultPayload, 'arrowBase64'> & { arrow: Uint8Array[] };

/** Text of one value for a table cell or CSV: strings as is, NULL as empty (CSV) or "NULL" (text), nested as JSON. */
export function valueText(v: SparkValue, nullText = 'NULL'): string {
  if (v === null) return nullText;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The RFC 4180 CSV header line (column names) with its CRLF. */
export function csvHeader(columns: readonly SparkField[]): string {
  return columns.map((c) => csvCell(c.name)).join(',') + '\r\n';
}

/** RFC 4180 CSV lines of rows, each ending in CRLF; fields with a comma, quote or line break quoted; NULL empty. */
export function csvRows(rows: readonly SparkValue[][]): string {
  let out = '';
  for (const r of rows) out += r.map((v) => csvCell(valueText(v, ''))).join(',') + '\r\n';
  return out;
}

/** RFC 4180 CSV: header of column names, then the rows (see csvRows). */
export function toCsv(columns: readonly SparkField[], rows: readonly SparkValue[][]): string {
  return csvHeader(columns) + csvRows(rows);
}

/** Keys of JSON records: the column names, a repeated name with a suffix "_2", "_3", ... */
export function jsonRecordKeys(columns: readonly SparkField[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c.name : `${c.name}_${n}`;
  });
}

/** One JSON record (an object keyed by `keys`, on one line, no line end) per row. */
export function jsonRecordLines(keys: readonly string[], rows: readonly SparkValue[][]): string[] {
  return rows.map((r) => JSON.stringify(Object.fromEntries(keys.map((k, j) => [k, r[j]]))));
}

/** A JSON array of records keyed by column name (jsonRecordKeys), one record per line. */
export function toJsonRecords(columns: readonly SparkField[], rows: readonly SparkValue[][]): string {
  const lines = jsonRecordLines(jsonRecordKeys(columns), rows);
  return lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`;
}

/** A plain-text table (for the CLI): header "name: type", rows, cells cut at `maxWidth` characters. */
export function toTextTable(columns: readonly SparkField[], rows: readonly SparkValue[][], maxWidth = 40): string {
  const cut = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const head = columns.map((c) => cut(`${c.name}: ${c.type.name}`));
  const body = rows.map((r) => r.map((v) => cut(valueText(v).replace(/[\r\n\t]/g, ' '))));
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => c.padEnd(widths[j]))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}
