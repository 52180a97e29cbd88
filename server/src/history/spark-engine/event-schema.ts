/**
 * The Spark SQL schema of an event-log line, for `from_json`: the union of the fields of every event the fold reads,
 * derived from the fold's own declarations (event-log/events.ts `EVENT_SCHEMAS` through zod's JSON Schema export, and
 * `Task Metrics` from event-log/fold.ts `TASK_METRICS`), so a field the fold starts reading is read here too.
 *
 * Types follow what the fold accepts, read as JavaScript reads JSON: every number as `DOUBLE` (the fold checks
 * integer-ness and bounds itself, bounds.ts; SQL does the same on the double, see fold-sql.ts), strings as `STRING`,
 * a string-or-number field as `STRING`, `Parent IDs`/`Stage IDs` as `ARRAY<DOUBLE>` (one non-number element makes the
 * whole list absent, as zod's `.catch` does), records of strings (`Spark Properties`, `Properties`) as
 * `MAP<STRING, STRING>`. Where Spark's JSON reader and `JSON.parse` differ is listed in docs/object-storage.md.
 */
import { z } from 'zod';
import { EVENT_SCHEMAS } from '../event-log/events';
import { TASK_METRICS } from '../event-log/fold';

/** A Spark SQL type, as a tree before it is written as DDL. */
type SqlType =
  | { kind: 'double' | 'string' | 'boolean' }
  | { kind: 'array'; element: SqlType }
  | { kind: 'map' }
  | { kind: 'struct'; fields: Map<string, SqlType> };

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: unknown;
}

/** The SQL type of one JSON Schema node of zod's export (input side: what the JSON holds). */
function sqlTypeOf(node: JsonSchemaNode, where: string): SqlType {
  const types = Array.isArray(node.type) ? node.type : node.type !== undefined ? [node.type] : [];
  if (types.includes('string')) return { kind: 'string' };
  if (types.length === 1 && types[0] === 'number') return { kind: 'double' };
  if (types.length === 1 && types[0] === 'boolean') return { kind: 'boolean' };
  if (types.length === 1 && types[0] === 'array' && node.items)
    return { kind: 'array', element: sqlTypeOf(node.items, `${where}[]`) };
  if (types.length === 1 && types[0] === 'object') {
    if (node.properties === undefined) return { kind: 'map' };
    return {
      kind: 'struct',
      fields: new Map(Object.entries(node.properties).map(([k, v]) => [k, sqlTypeOf(v, `${where}.${k}`)])),
    };
  }
  throw new Error(`event schema: no Spark SQL type for ${where} (${JSON.stringify(node.type)})`);
}

/** Merges `b` into `a` (same field in two events): structs field by field; otherwise the types must agree. */
function merge(a: SqlType, b: SqlType, where: string): SqlType {
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map(a.fields);
    for (const [k, t] of b.fields) fields.set(k, fields.has(k) ? merge(fields.get(k)!, t, `${where}.${k}`) : t);
    return { kind: 'struct', fields };
  }
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new Error(`event schema: ${where} has two types in the events the fold reads`);
  return a;
}

/** `Task Metrics`: a struct of the paths of every task metric, each a number. */
function taskMetricsType(): SqlType {
  const root: SqlType = { kind: 'struct', fields: new Map() };
  for (const m of TASK_METRICS) {
    for (const path of m.paths) {
      let node = root;
      path.forEach((key, i) => {
        if (i === path.length - 1) node.fields.set(key, { kind: 'double' });
        else {
          let next = node.fields.get(key);
          if (next === undefined || next.kind !== 'struct')
            node.fields.set(key, (next = { kind: 'struct', fields: new Map() }));
          node = next;
        }
      });
    }
  }
  return root;
}

/** A field name as a Spark SQL identifier (back-quoted; a back-quote doubled). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

function ddl(t: SqlType): string {
  switch (t.kind) {
    case 'double':
      return 'DOUBLE';
    case 'string':
      return 'STRING';
    case 'boolean':
      return 'BOOLEAN';
    case 'map':
      return 'MAP<STRING, STRING>';
    case 'array':
      return `ARRAY<${ddl(t.element)}>`;
    case 'struct':
      return `STRUCT<${[...t.fields].map(([k, v]) => `${quoteIdentifier(k)}: ${ddl(v)}`).join(', ')}>`;
  }
}

/**
 * The `from_json` schema of an event-log line as Spark SQL DDL (`Event STRING, \`App ID\` STRING, …`): the `Event` name
 * and the union of the fields of every event in `EVENT_SCHEMAS`, plus `Task Metrics` from `TASK_METRICS`.
 * @throws Error when two events give one field different types (the declarations must be fixed).
 */
export function eventLineSchemaDdl(): string {
  let all: SqlType = { kind: 'struct', fields: new Map([['Event', { kind: 'string' }]]) };
  for (const [event, schema] of Object.entries(EVENT_SCHEMAS)) {
    const json = z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    all = merge(all, sqlTypeOf(json, event), event);
  }
  all = merge(all, { kind: 'struct', fields: new Map([['Task Metrics', taskMetricsType()]]) }, 'SparkListenerTaskEnd');
  if (all.kind !== 'struct') throw new Error('event schema: not a struct');
  return [...all.fields].map(([k, v]) => `${quoteIdentifier(k)} ${ddl(v)}`).join(', ');
}
