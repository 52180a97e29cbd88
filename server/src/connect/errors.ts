/**
 * Errors of the Spark Connect client, each saying what happened and to which server, with a kind from which each front end
 * words what to do (house style 27).
 * Spark's own errors keep Spark's error class (`TABLE_OR_VIEW_NOT_FOUND`, `PARSE_SYNTAX_ERROR`), SQLSTATE,
 * message parameters and the SQL position (`FetchErrorDetailsResponse.QueryContext` start/stop index: 0-based
 * UTF-16 offsets into the SQL text, stop inclusive, as Spark's `SQLQueryContext` reports them).
 */

/** What kind of failure: the front ends word their advice from it (connect/cli-query.ts, the VS Code client); decides whether a retry can help. */
export type SparkConnectErrorKind =
  | 'spark' // Spark answered with an error (bad SQL, missing table, ...)
  | 'auth' // UNAUTHENTICATED / PERMISSION_DENIED: token missing or wrong
  | 'unavailable' // server not reachable or went away
  | 'cancelled' // cancelled by the caller (Interrupt)
  | 'timeout' // deadline exceeded
  | 'tls' // TLS handshake or certificate problem
  | 'protocol'; // an answer the client could not read

/** A SQL position Spark reported for an error. */
export interface SparkQueryContext {
  /** 0-based offset of the first character in the SQL text. */
  startIndex: number;
  /** 0-based offset of the last character (inclusive). */
  stopIndex: number;
  /** The SQL text at that position. */
  fragment: string;
  objectType?: string;
  objectName?: string;
}

/** A failed Spark Connect call. */
export class SparkConnectError extends Error {
  constructor(
    message: string,
    readonly kind: SparkConnectErrorKind,
    readonly details: {
      /** gRPC status name (UNAVAILABLE, UNAUTHENTICATED, INTERNAL, ...). */
      grpcCode?: string;
      /** Spark error class, e.g. "TABLE_OR_VIEW_NOT_FOUND". */
      errorClass?: string;
      sqlState?: string;
      messageParameters?: Record<string, string>;
      queryContexts?: SparkQueryContext[];
      /** The server's own message, unchanged. */
      serverMessage?: string;
      /** For `auth`: whether the client sent a token (refused) or none (the server needs one); the front end words the remedy. */
      tokenGiven?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'SparkConnectError';
  }

  get errorClass(): string | undefined {
    return this.details.errorClass;
  }

  /** The first SQL position, if Spark reported one. */
  get position(): SparkQueryContext | undefined {
    return this.details.queryContexts?.[0];
  }
}

/** A range in the SQL text, as 0-based UTF-16 offsets (end exclusive). */
export interface SqlRange {
  start: number;
  end: number;
}

/**
 * Where in `sql` Spark says the error is: the first SQL query context (start..stop inclusive), else the
 * "(line L, pos P)" that Spark's ParseException prints (line 1-based, pos 0-based), extended over the token
 * Spark names in the `error` message parameter (PARSE_SYNTAX_ERROR: "'selec'"). Undefined when Spark gave none.
 */
export function sqlErrorRange(err: SparkConnectError, sql: string): SqlRange | undefined {
  const q = err.position;
  if (q && q.stopIndex >= q.startIndex && q.startIndex < sql.length)
    return { start: q.startIndex, end: Math.min(q.stopIndex + 1, sql.length) };
  const m = /\(line (\d+), pos (\d+)\)/.exec(err.details.serverMessage ?? err.message);
  if (!m) return undefined;
  const lines = sql.split('\n');
  const line = Number(m[1]) - 1;
  if (line < 0 || line >= lines.length) return undefined;
  let start = 0;
  for (let k = 0; k < line; k++) start += lines[k].length + 1;
  start += Math.min(Number(m[2]), lines[line].length);
  const token = /^'(.*)'$/.exec(err.details.messageParameters?.error ?? '')?.[1];
  const len =
    token && sql.startsWith(token, start) ? token.length : Math.max(1, /^\S*/.exec(sql.slice(start))![0].length);
  return { start, end: Math.min(start + len, sql.length) };
}

/**
 * What to do about a Spark error whose cause is the server's set-up rather than the SQL, as a sentence to add to
 * Spark's message; undefined for others. Known: DATA_SOURCE_NOT_FOUND for `delta` (the server has no Delta Lake:
 * Delta's quickstart starts Spark with the delta-spark package, its SQL extension and its catalog; the package must
 * be the Delta release built for the server's Spark line, which its POM names as spark-sql_2.13's version).
 */
export function serverSetupAdvice(
  errorClass: string | undefined,
  messageParameters: Record<string, string> | undefined,
): string | undefined {
  if (errorClass === 'DATA_SOURCE_NOT_FOUND' && messageParameters?.provider?.toLowerCase() === 'delta') {
    return (
      'This Spark Connect server has no Delta Lake. Start it with --packages io.delta:delta-spark_2.13:<the Delta release ' +
      "built for the server's Spark version> --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension " +
      '--conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog'
    );
  }
  return undefined;
}
