/**
 * Spark query results as they travel from the Spark Connect client (server side) to the CLI and the editor's
 * result panel: Spark types with Spark's own type strings, JSON-safe values, and CSV/JSON export. No I/O.
 */

/** A Spark type, JSON-safe. `name` is Spark's `DataType.simpleString` (int, bigint, decimal(10,2), array<string>). */
export type SparkType =
  | {
      kind:
        | 'null' | 'boolean' | 'byte' | 'short' | 'integer' | 'long' | 'float' | 'double' | 'string' | 'binary' | 'date'
        | 'timestamp' | 'timestamp_ntz' | 'variant' | 'calendar_interval' | 'year_month_interval' | 'day_time_interval'
        | 'time' | 'unknown';
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

/** One query's result as shown to a user. */
export interface QueryResultPayload {
  columns: SparkField[];
  rows: SparkValue[][];
  /** 'rows' or 'bytes' when Spark had more than the limit allowed, else undefined. */
  truncated?: 'rows' | 'bytes';
  /** Wall time from request to last row, ms. */
  elapsedMs: number;
  /** Spark Connect operation id. */
  operationId: string;
  /** `spark.app.id` of the Spark Connect server's application (links to its run analysis), when known. */
  appId?: string;
}

/** Text of one value for a table cell or CSV: strings as is, NULL as empty (CSV) or "NULL" (text), nested as JSON. */
export function valueText(v: SparkValue, nullText = 'NULL'): string {
  if (v === null) return nullText;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** RFC 4180 CSV: header of column names, CRLF line ends, fields with a comma, quote or line break quoted. NULL is empty. */
export function toCsv(columns: SparkField[], rows: SparkValue[][]): string {
  const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map((c) => cell(c.name)).join(',')];
  for (const r of rows) lines.push(r.map((v) => cell(valueText(v, ''))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** JSON array of objects keyed by column name (a repeated name gets a suffix "_2", "_3", ...). */
export function toJsonRecords(columns: SparkField[], rows: SparkValue[][]): string {
  const seen = new Map<string, number>();
  const keys = columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c.name : `${c.name}_${n}`;
  });
  return JSON.stringify(rows.map((r) => Object.fromEntries(keys.map((k, j) => [k, r[j]]))), null, 2) + '\n';
}

/** A plain-text table (for the CLI): header "name: type", rows, cells cut at `maxWidth` characters. */
export function toTextTable(columns: SparkField[], rows: SparkValue[][], maxWidth = 40): string {
  const cut = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const head = columns.map((c) => cut(`${c.name}: ${c.type.name}`));
  const body = rows.map((r) => r.map((v) => cut(valueText(v).replace(/[\r\n\t]/g, ' '))));
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padEnd(widths[j])).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}
