/**
 * Spark data types as they arrive in Spark Connect (`spark.connect.DataType`, types.proto) → a plain description
 * with Spark's own type string (`DataType.simpleString`: int, bigint, decimal(10,2), array<string>,
 * struct<a:int,b:string>, timestamp, timestamp_ntz, ...).
 */

/** The decoded protobuf `DataType` (proto-loader with `oneofs: true`: `kind` names the set field). */
export interface ProtoDataType {
  kind?: string;
  decimal?: { scale?: number; precision?: number };
  char?: { length?: number };
  var_char?: { length?: number };
  array?: { element_type?: ProtoDataType; contains_null?: boolean };
  struct?: { fields?: { name: string; data_type?: ProtoDataType; nullable?: boolean }[] };
  map?: { key_type?: ProtoDataType; value_type?: ProtoDataType; value_contains_null?: boolean };
  udt?: { type?: string; sql_type?: ProtoDataType };
  unparsed?: { data_type_string?: string };
  time?: { precision?: number };
  year_month_interval?: { start_field?: number; end_field?: number };
  day_time_interval?: { start_field?: number; end_field?: number };
  [k: string]: unknown;
}

import type { SparkField, SparkType } from '../../../shared/src/spark-query';

export type { SparkField, SparkType };

const SIMPLE: Record<string, string> = {
  null: 'void',
  boolean: 'boolean',
  byte: 'tinyint',
  short: 'smallint',
  integer: 'int',
  long: 'bigint',
  float: 'float',
  double: 'double',
  string: 'string',
  binary: 'binary',
  date: 'date',
  timestamp: 'timestamp',
  timestamp_ntz: 'timestamp_ntz',
  variant: 'variant',
  calendar_interval: 'interval',
};

const YM = ['year', 'month'];
const DT = ['day', 'hour', 'minute', 'second'];

/**
 * Converts a protobuf DataType into a `SparkType` with Spark's simpleString as `name`.
 * Defaults follow types.proto / Spark: decimal without precision/scale is decimal(10,0).
 */
export function sparkTypeFromProto(t: ProtoDataType | undefined): SparkType {
  const kind = t?.kind;
  if (!t || !kind) return { kind: 'unknown', name: 'unknown' };
  if (kind in SIMPLE) return { kind: kind as 'string', name: SIMPLE[kind] };
  switch (kind) {
    case 'decimal': {
      const precision = t.decimal?.precision ?? 10;
      const scale = t.decimal?.scale ?? 0;
      return { kind: 'decimal', name: `decimal(${precision},${scale})`, precision, scale };
    }
    case 'char':
      return { kind: 'string', name: `char(${t.char?.length ?? 0})` };
    case 'var_char':
      return { kind: 'string', name: `varchar(${t.var_char?.length ?? 0})` };
    case 'array': {
      const elementType = sparkTypeFromProto(t.array?.element_type);
      return {
        kind: 'array',
        name: `array<${elementType.name}>`,
        elementType,
        containsNull: t.array?.contains_null === true,
      };
    }
    case 'struct': {
      const fields = (t.struct?.fields ?? []).map((f) => ({
        name: f.name,
        type: sparkTypeFromProto(f.data_type),
        nullable: f.nullable === true,
      }));
      return { kind: 'struct', name: `struct<${fields.map((f) => `${f.name}:${f.type.name}`).join(',')}>`, fields };
    }
    case 'map': {
      const keyType = sparkTypeFromProto(t.map?.key_type);
      const valueType = sparkTypeFromProto(t.map?.value_type);
      return { kind: 'map', name: `map<${keyType.name},${valueType.name}>`, keyType, valueType };
    }
    case 'udt':
      return t.udt?.sql_type ? sparkTypeFromProto(t.udt.sql_type) : { kind: 'unknown', name: t.udt?.type ?? 'udt' };
    case 'unparsed':
      return { kind: 'unknown', name: t.unparsed?.data_type_string ?? 'unknown' };
    case 'time':
      return { kind: 'time', name: `time(${t.time?.precision ?? 6})` };
    case 'year_month_interval': {
      const s = YM[t.year_month_interval?.start_field ?? 0];
      const e = YM[t.year_month_interval?.end_field ?? 1];
      return { kind: 'year_month_interval', name: s === e ? `interval ${s}` : `interval ${s} to ${e}` };
    }
    case 'day_time_interval': {
      const s = DT[t.day_time_interval?.start_field ?? 0];
      const e = DT[t.day_time_interval?.end_field ?? 3];
      return { kind: 'day_time_interval', name: s === e ? `interval ${s}` : `interval ${s} to ${e}` };
    }
    default:
      return { kind: 'unknown', name: kind };
  }
}

/** Fields of a struct type (the result schema Spark sends is a struct); a non-struct becomes one column "value". */
export function fieldsOf(t: SparkType): SparkField[] {
  return t.kind === 'struct' ? t.fields : [{ name: 'value', type: t, nullable: true }];
}
