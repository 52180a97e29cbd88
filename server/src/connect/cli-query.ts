/**
 * `spark-optimizer query --remote sc://host:15002/;token=... "SQL"`: runs one SQL statement on a Spark Connect
 * server and prints the result as a text table (default), JSON records or CSV; `--explain` prints Spark's plan
 * instead. CSV and JSON are written batch by batch as Spark's Arrow batches arrive (values read from the Arrow
 * vectors of that batch only); the text table needs every row for its column widths. The token comes from the URL or, when the URL has none, from the environment variable
 * SPARK_CONNECT_TOKEN (so it stays out of shell history and `ps`). Ctrl-C interrupts the query on the server.
 *
 * Exit codes: 0 ok, 1 Spark rejected the query (its error class and the SQL position are printed),
 * 2 usage error, or the server could not be reached / the token was refused.
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { ipcRows } from '../../../shared/src/arrow-values';
import {
  csvHeader,
  csvRows,
  jsonRecordKeys,
  jsonRecordLines,
  toTextTable,
  type SparkField,
} from '../../../shared/src/spark-query';
import { SparkConnectClient, type JdbcView } from './client';
import { redactToken } from './connection-string';
import { SparkConnectError, sqlErrorRange } from './errors';
import { sparkConnectRemedy } from '../cli/remedies';

export const QUERY_USAGE = `  spark-optimizer query --remote sc://HOST:15002/[;token=T;use_ssl=true;user_id=U] [--max-rows N] [--max-bytes N]
      [--ca FILE] [--explain [simple|extended|formatted|cost|codegen]] [--format text|json|csv]
      [--jdbc-view NAME --jdbc-url URL --jdbc-table TABLE [--jdbc-user U] [--jdbc-option KEY=VALUE]...] "SQL"
      (token also from env SPARK_CONNECT_TOKEN; the JDBC password only from env SPARK_OPTIMIZER_JDBC_PASSWORD;
      --jdbc-view registers the table as a temporary view NAME the SQL can read; Ctrl-C interrupts the query)`;

/** Thrown for a bad command line; main() prints it with the usage. */
export class QueryUsageError extends Error {}

/**
 * Runs the `query` command.
 * @param args arguments after `query`.
 * @returns the exit code (0, 1 Spark error, 2 usage/connection).
 * @throws QueryUsageError for a bad command line.
 */
export async function queryCommand(
  args: string[],
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  write?: (chunk: string) => void,
): Promise<number> {
  // Without a raw writer (in-process callers), pieces are gathered and given to `out` as one text at the end.
  let gathered = '';
  const put = write ?? ((chunk: string) => void (gathered += chunk));
  const { values, positionals } = parseArgs({
    args,
    options: {
      remote: { type: 'string' },
      'max-rows': { type: 'string', default: '1000' },
      'max-bytes': { type: 'string', default: String(64 * 1024 * 1024) },
      ca: { type: 'string' },
      explain: { type: 'string' },
      format: { type: 'string', default: 'text' },
      'jdbc-view': { type: 'string' },
      'jdbc-url': { type: 'string' },
      'jdbc-table': { type: 'string' },
      'jdbc-user': { type: 'string' },
      'jdbc-option': { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  const remote = values.remote ?? env.SPARK_REMOTE;
  if (!remote) throw new QueryUsageError('query needs --remote sc://host:port (or SPARK_REMOTE in the environment).');
  if (positionals.length !== 1) throw new QueryUsageError('query needs exactly one SQL statement (quote it).');
  const sql = positionals[0];
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'csv')
    throw new QueryUsageError(`--format ${format} is not one of text, json, csv.`);
  const maxRows = Number(values['max-rows']);
  const maxBytes = Number(values['max-bytes']);
  if (!Number.isInteger(maxRows) || maxRows < 0)
    throw new QueryUsageError(`--max-rows must be a whole number (got ${values['max-rows']}).`);
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new QueryUsageError(`--max-bytes must be a positive whole number (got ${values['max-bytes']}).`);
  const explainModes = ['simple', 'extended', 'formatted', 'cost', 'codegen'] as const;
  const explain = values.explain === undefined ? undefined : values.explain === '' ? 'formatted' : values.explain;
  if (explain !== undefined && !(explainModes as readonly string[]).includes(explain))
    throw new QueryUsageError(`--explain ${explain} is not one of ${explainModes.join(', ')}.`);

  let jdbcView: JdbcView | undefined;
  if (values['jdbc-view'] !== undefined || values['jdbc-url'] !== undefined || values['jdbc-table'] !== undefined) {
    if (!values['jdbc-view'] || !values['jdbc-url'] || !values['jdbc-table'])
      throw new QueryUsageError('--jdbc-view needs --jdbc-url and --jdbc-table.');
    if (/password=/i.test(values['jdbc-url']))
      throw new QueryUsageError('--jdbc-url must not hold a password: set SPARK_OPTIMIZER_JDBC_PASSWORD instead.');
    const options: Record<string, string> = {};
    for (const kv of values['jdbc-option'] ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new QueryUsageError(`--jdbc-option ${kv} is not KEY=VALUE.`);
      const key = kv.slice(0, eq);
      if (/^(password|url|dbtable|user)$/i.test(key))
        throw new QueryUsageError(
          `--jdbc-option ${key}=... is not allowed: use ${/password/i.test(key) ? 'SPARK_OPTIMIZER_JDBC_PASSWORD' : `--jdbc-${key === 'dbtable' ? 'table' : key.toLowerCase()}`}.`,
        );
      options[key] = kv.slice(eq + 1);
    }
    jdbcView = {
      name: values['jdbc-view'],
      url: values['jdbc-url'],
      dbtable: values['jdbc-table'],
      ...(values['jdbc-user'] ? { user: values['jdbc-user'] } : {}),
      options,
    };
  }
  let caPem: Buffer | undefined;
  if (values.ca) {
    try {
      caPem = fs.readFileSync(values.ca);
    } catch (e) {
      err(`spark-optimizer: cannot read the CA file ${values.ca}: ${(e as Error).message}`);
      return 2;
    }
  }
  let client: SparkConnectClient;
  try {
    client = new SparkConnectClient({
      url: remote,
      token: /;token=/i.test(remote) ? undefined : env.SPARK_CONNECT_TOKEN,
      caPem,
    });
  } catch (e) {
    throw new QueryUsageError(`--remote ${redactToken(remote)}: ${(e as Error).message}`);
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    if (jdbcView) await client.createJdbcView(jdbcView, env.SPARK_OPTIMIZER_JDBC_PASSWORD);
    if (explain) {
      out(await client.explain(sql, explain as (typeof explainModes)[number]));
      return 0;
    }
    // CSV/JSON: written per Arrow batch as it arrives.
    let keys: string[] | undefined;
    let records = 0;
    const onBatch = (ipc: Uint8Array, _rows: number, columns: SparkField[]) => {
      const rows = ipcRows([ipc], columns);
      if (format === 'csv') {
        put((keys ? '' : csvHeader(columns)) + csvRows(rows));
        keys ??= [];
      } else {
        keys ??= jsonRecordKeys(columns);
        for (const line of jsonRecordLines(keys, rows)) put(`${records++ === 0 ? '[\n' : ',\n'}${line}`);
      }
    };
    const r = await client.executeSql(sql, {
      maxRows,
      maxBytes,
      signal: abort.signal,
      ...(format === 'text' ? {} : { onBatch }),
    });
    if (format === 'csv') {
      if (!keys) put(csvHeader(r.columns));
    } else if (format === 'json') {
      put(records === 0 ? '[]\n' : '\n]\n');
    } else out(toTextTable(r.columns, ipcRows(r.batches, r.columns)));
    const more =
      r.truncated === 'rows'
        ? ` (more rows: raise --max-rows)`
        : r.truncated === 'bytes'
          ? ` (stopped at --max-bytes ${maxBytes})`
          : '';
    if (!write && gathered) out(gathered.replace(/\n$/, ''));
    err(`${r.rowCount} row(s) in ${(r.elapsedMs / 1000).toFixed(2)} s${more}`);
    return 0;
  } catch (e) {
    if (!(e instanceof SparkConnectError)) throw e;
    if (e.kind !== 'spark') {
      const remedy = sparkConnectRemedy(e.kind, e.details.tokenGiven);
      err(`spark-optimizer: ${e.message}${remedy ? `; ${remedy}` : ''}`);
      return e.kind === 'cancelled' ? 130 : 2;
    }
    err(formatSparkError(e, sql));
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await client.close();
  }
}

/**
 * A Spark error for a terminal: `error[CLASS] (SQLSTATE s) at line:col: message`, then the SQL line with carets
 * under the position Spark reported.
 */
export function formatSparkError(e: SparkConnectError, sql: string): string {
  const range = sqlErrorRange(e, sql);
  const firstLine = e.message.trim().split('\n')[0];
  let where = '';
  let excerpt = '';
  if (range) {
    const before = sql.slice(0, range.start);
    const line = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const col = range.start - lineStart + 1;
    where = ` at ${line}:${col}`;
    const lineText = sql.slice(lineStart).split('\n')[0];
    const width = Math.max(1, Math.min(range.end, lineStart + lineText.length) - range.start);
    excerpt = `\n  ${lineText}\n  ${' '.repeat(col - 1)}${'^'.repeat(width)}`;
  }
  const state = e.details.sqlState ? ` (SQLSTATE ${e.details.sqlState})` : '';
  return `error[${e.errorClass ?? 'UNKNOWN'}]${state}${where}: ${firstLine}${excerpt}`;
}
