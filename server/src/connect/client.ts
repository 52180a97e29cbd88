/**
 * A Spark Connect client (gRPC, `spark.connect.SparkConnectService`), the only module with `@grpc/grpc-js` and
 * `@grpc/proto-loader`. Results stay the Arrow IPC streams Spark sends (values are read out of them where rows are
 * shown: shared/src/arrow-values.ts). One client = one channel and one Spark session
 * (`session_id`, a UUID, reused by every call until `close()` releases it with `ReleaseSession`).
 *
 * Behaviour follows Spark's own clients (pyspark `sql/connect/client/core.py` and `reattach.py`):
 * - every call carries `Authorization: Bearer <token>` when there is a token (Spark 4.x
 *   `PreSharedKeyAuthenticationInterceptor`), `user_context.user_id` and `client_type`;
 * - `ExecutePlan` is reattachable (`ReattachOptions.reattachable`): when the response stream ends without
 *   `ResultComplete` or breaks with UNAVAILABLE, the client calls `ReattachExecute` with the last `response_id`
 *   (the server also closes streams on purpose after `spark.connect.execute.reattachable.senderMaxStreamDuration`),
 *   and sends `ReleaseExecute(ReleaseAll)` when done;
 * - a failed call's `grpc-status-details-bin` trailer (`google.rpc.Status` with an `ErrorInfo` whose metadata holds
 *   `errorClass`, `sqlState`, `errorId`) is decoded, and `FetchErrorDetails(errorId)` adds the SQL position.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { randomUUID } from 'crypto';
import * as os from 'os';
import { fieldsOfIpc, firstRowsIpc } from '../../../shared/src/arrow-values';
import { asError } from '../../../shared/src/errors';
import { grpcTarget, parseConnectionString, type ConnectionString } from './connection-string';
import { serverSetupAdvice, SparkConnectError, type SparkQueryContext } from './errors';
import { SPARK_CONNECT_PROTO_JSON } from './proto';
import { fieldsOf, sparkTypeFromProto, type ProtoDataType, type SparkField } from './spark-types';

/** Spark's SQL setting whose regex redacts strings in plans and listener events (SQLConf.SQL_STRING_REDACTION_PATTERN). */
const STRING_REDACTION_KEY = 'spark.sql.redaction.string.regex';
/** Java regex for a `password` option in a plan's protobuf text: `key: "password"` then `value: "..."`. */
const PASSWORD_OPTION_PATTERN = '(?i)key:\\s*"password"\\s*value:\\s*"(?:[^"\\\\]|\\\\.)*"';

/** How this client names itself to Spark (`client_type`, shown in Spark's Connect UI). */
export const CLIENT_TYPE = 'spark-optimizer/0.1 (TypeScript)';

/** Options of a client. */
export interface SparkConnectClientOptions {
  /** `sc://host:port/;token=...;use_ssl=true;user_id=...;session_id=...` */
  url: string;
  /** Bearer token; overrides a `token=` in the URL. */
  token?: string;
  /** PEM CA certificate(s) to trust for TLS instead of the system's roots. */
  caPem?: Buffer;
  /** Deadline of each unary call (AnalyzePlan, Config, ...), ms; default 60,000. */
  callTimeoutMs?: number;
  /** Reattach attempts after a broken result stream before giving up; default 5. */
  maxReattachAttempts?: number;
  /** Receives debug lines (no tokens). */
  log?: (msg: string) => void;
}

/**
 * A table of a JDBC database that Spark reads with its JDBC source (docs: "JDBC To Other Databases"), registered as a
 * temporary view of the session under `name`. The password is not part of it (see `createJdbcView`).
 */
export interface JdbcView {
  /** Name of the temporary view (a plain SQL identifier). */
  name: string;
  /** JDBC URL, without credentials (e.g. `jdbc:mysql://db:3306/shop?permitMysqlScheme` for MariaDB Connector/J). */
  url: string;
  /** Spark's `dbtable` option: a table name or a parenthesised subquery with an alias. */
  dbtable: string;
  user?: string;
  /** Other options of Spark's JDBC source: driver, partitionColumn, lowerBound, upperBound, numPartitions, fetchsize, ... */
  options?: Record<string, string>;
}

/** One stage of Spark's execution progress (`ExecutePlanResponse.ExecutionProgress.StageInfo`). */
export interface StageProgress {
  stageId: number;
  numTasks: number;
  numCompletedTasks: number;
  /** bytes */
  inputBytesRead: number;
  done: boolean;
}

/** Progress of a running query: Spark's stages, summed. */
export interface QueryProgress {
  stages: StageProgress[];
  tasksDone: number;
  tasksTotal: number;
  inflightTasks: number;
  /** Rows received so far. */
  rowsReceived: number;
}

/** Options of one query. */
export interface ExecuteOptions {
  /**
   * Keep at most this many rows. Spark stops producing rows on its side: the plan is wrapped in a `Limit` of
   * maxRows + 1 (the one row more says that there are more); that row is cut off here. Default 10,000;
   * `Infinity` sends the plan without a Limit. Spark plans a Limit at the top of a query as `CollectLimit`, which
   * gathers a multi-partition result into one partition (a shuffle of up to the limit per partition), so a huge
   * finite limit costs more than none.
   */
  maxRows?: number;
  /**
   * Stop reading once this many bytes of Arrow data arrived: the stream is closed and the operation interrupted on
   * the server, keeping the batches received so far (the last one may pass the limit by up to one batch,
   * `spark.connect.grpc.arrow.maxBatchSize`, 4 MiB by default). Default 64 MiB. It cannot protect the server from
   * one huge partition: Spark Connect gathers a task's Arrow batches whole before sending them (a trillion-row range in
   * 2 partitions without a row limit ran a 1 GiB server out of heap), so an unbounded query needs a row limit.
   */
  maxBytes?: number;
  /**
   * Receives each Arrow IPC stream as it arrives (already cut at maxRows), with its row count and the result's
   * columns, e.g. to print CSV while the rest is still coming.
   */
  onBatch?: (ipc: Uint8Array, rowCount: number, columns: SparkField[]) => void;
  /** Cancels the query: the stream is closed and Spark gets an `Interrupt` for the operation. */
  signal?: AbortSignal;
  onProgress?: (p: QueryProgress) => void;
  /** Operation id to use (a UUID); default a new one. */
  operationId?: string;
  /**
   * Keep the Arrow batches in the result (default true). With false, only `onBatch` sees them (the result keeps the first
   * one, for its columns), so a long result streams through without being held.
   */
  keepBatches?: boolean;
}

/** The result of a query. */
export interface QueryResult {
  operationId: string;
  columns: SparkField[];
  /**
   * The result as Spark sent it: one Arrow IPC stream per `ArrowBatch` message, in order, the last one cut at
   * maxRows. Read values with shared/src/arrow-values.ts (`ArrowRows`, `ipcRows`).
   */
  batches: Uint8Array[];
  /** Rows in `batches`. */
  rowCount: number;
  /** Whether rows were left out: 'rows' (maxRows), 'bytes' (maxBytes), or undefined when complete. */
  truncated?: 'rows' | 'bytes';
  /** Bytes of Arrow IPC data received. */
  arrowBytes: number;
  /** Wall time from the request to the last row, ms. */
  elapsedMs: number;
  /** How many times a broken stream was reattached. */
  reattachCount: number;
}

// The decoded response shapes this client reads (proto-loader: keepCase, longs as Number, enums as String).
interface ExecutePlanResponse {
  server_side_session_id?: string;
  operation_id?: string;
  response_id?: string;
  response_type?: string;
  arrow_batch?: { row_count?: number; data?: Buffer };
  result_complete?: object;
  execution_progress?: {
    stages?: {
      stage_id?: number;
      num_tasks?: number;
      num_completed_tasks?: number;
      input_bytes_read?: number;
      done?: boolean;
    }[];
    num_inflight_tasks?: number;
  };
  schema?: ProtoDataType;
}

type Stub = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};
let cachedPackage: grpc.GrpcObject | null = null;
function sparkPackage(): grpc.GrpcObject {
  if (!cachedPackage) {
    const json = SPARK_CONNECT_PROTO_JSON as unknown as Parameters<typeof protoLoader.fromJSON>[0];
    cachedPackage = grpc.loadPackageDefinition(protoLoader.fromJSON(json, LOADER_OPTIONS));
  }
  return cachedPackage;
}
type Ctor = grpc.ServiceClientConstructor;
function serviceCtor(): Ctor {
  const pkg = sparkPackage() as unknown as { spark: { connect: { SparkConnectService: Ctor } } };
  return pkg.spark.connect.SparkConnectService;
}

/**
 * Minimal protobuf wire reader for the two messages in gRPC error trailers (google.rpc.Status, ErrorInfo): proto-loader
 * exposes deserializers only for service methods. Fields: Status{code=1 int32, message=2 string, details=3 Any};
 * Any{type_url=1, value=2 bytes}; ErrorInfo{reason=1, domain=2, metadata=3 map<string,string>}.
 */
function readFields(buf: Buffer): { no: number; wire: number; value: number | Buffer }[] {
  const out: { no: number; wire: number; value: number | Buffer }[] = [];
  let i = 0;
  const varint = (): number => {
    let r = 0;
    let mul = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      r += (b & 0x7f) * mul;
      if (b < 0x80) return r;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = varint();
      out.push({ no, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
function rpcDecode(typeName: string, buf: Buffer): Record<string, unknown> {
  const fields = readFields(buf);
  const str = (no: number) => {
    const f = fields.find((x) => x.no === no);
    return f && Buffer.isBuffer(f.value) ? f.value.toString('utf8') : undefined;
  };
  if (typeName === 'google.rpc.Status') {
    return {
      code: fields.find((x) => x.no === 1)?.value,
      message: str(2),
      details: fields
        .filter((x) => x.no === 3 && Buffer.isBuffer(x.value))
        .map((x) => {
          const any = readFields(x.value as Buffer);
          const typeUrl = any.find((a) => a.no === 1)?.value;
          const value = any.find((a) => a.no === 2)?.value;
          return {
            type_url: Buffer.isBuffer(typeUrl) ? typeUrl.toString('utf8') : '',
            value: Buffer.isBuffer(value) ? value : Buffer.alloc(0),
          };
        }),
    };
  }
  // google.rpc.ErrorInfo
  const metadata: Record<string, string> = {};
  for (const e of fields.filter((x) => x.no === 3 && Buffer.isBuffer(x.value))) {
    const kv = readFields(e.value as Buffer);
    const k = kv.find((a) => a.no === 1)?.value;
    const v = kv.find((a) => a.no === 2)?.value;
    if (Buffer.isBuffer(k)) metadata[k.toString('utf8')] = Buffer.isBuffer(v) ? v.toString('utf8') : '';
  }
  return { reason: str(1), domain: str(2), metadata };
}

const RETRIABLE_STREAM_CODES = new Set([grpc.status.UNAVAILABLE, grpc.status.INTERNAL, grpc.status.UNKNOWN]);

/** A Spark Connect session over one gRPC channel. */
export class SparkConnectClient {
  readonly connection: ConnectionString;
  /** The client-side session id (UUID) sent with every request. */
  readonly sessionId: string;
  /** The server-side session id last seen (changes when the server restarted and made a new session). */
  serverSideSessionId: string | undefined;
  private stub: Stub;
  private readonly makeStub: () => Stub;
  private readonly token: string | undefined;
  private readonly userId: string;
  private readonly callTimeoutMs: number;
  private readonly maxReattachAttempts: number;
  private readonly log: (msg: string) => void;
  private closed = false;

  /**
   * @throws Error when the URL is not a valid `sc://` connection string.
   */
  constructor(opts: SparkConnectClientOptions) {
    this.connection = parseConnectionString(opts.url);
    this.token = opts.token ?? this.connection.token;
    this.sessionId = this.connection.sessionId ?? randomUUID();
    this.userId = this.connection.userId ?? safeUserName();
    this.callTimeoutMs = opts.callTimeoutMs ?? 60_000;
    this.maxReattachAttempts = opts.maxReattachAttempts ?? 5;
    this.log = opts.log ?? (() => undefined);
    const useSsl = this.connection.useSsl || opts.caPem !== undefined;
    const creds = useSsl ? grpc.credentials.createSsl(opts.caPem ?? null) : grpc.credentials.createInsecure();
    const Ctor = serviceCtor();
    this.makeStub = () =>
      new Ctor(grpcTarget(this.connection), creds, {
        'grpc.max_receive_message_length': 256 * 1024 * 1024,
        'grpc.max_send_message_length': 64 * 1024 * 1024,
        'grpc.primary_user_agent': this.connection.userAgent ?? 'spark-optimizer',
        'grpc.keepalive_time_ms': 60_000,
        // HTTP/2 flow-control window: grpc-js keeps Node's 64 KiB default (pyspark's grpcio grows its window by BDP
        // probing), so a 4 MiB Arrow batch from Spark would cross in 64 kB steps, each waiting for a WINDOW_UPDATE.
        // 1M-row transfer medians measured with 64 KiB / 1 / 4 / 16 MiB: 580 / 559 / 531 / 492 ms (5 interleaved
        // runs each, load 14-17).
        'grpc-node.flow_control_window': 16 * 1024 * 1024,
      }) as unknown as Stub;
    this.stub = this.makeStub();
  }

  /**
   * A fresh channel after the server was unreachable: grpc-js keeps a failed channel in reconnect backoff (up to
   * minutes), so a server that is back would otherwise still look down.
   */
  private reconnect(): void {
    this.log(`Spark Connect ${this.target}: reconnecting`);
    const old = this.stub;
    this.stub = this.makeStub();
    old.close();
  }

  /** `host:port` of the server (for messages). */
  get target(): string {
    return grpcTarget(this.connection);
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  private head(): Record<string, unknown> {
    return { session_id: this.sessionId, user_context: { user_id: this.userId }, client_type: CLIENT_TYPE };
  }

  private noteSession(id: string | undefined): void {
    if (!id) return;
    if (this.serverSideSessionId && this.serverSideSessionId !== id) {
      this.log(
        `Spark Connect server ${this.target} has a new server-side session ${id} (was ${this.serverSideSessionId}): it was restarted or the session expired; session settings were reset`,
      );
    }
    this.serverSideSessionId = id;
  }

  /** One unary call; on UNAVAILABLE, one more try on a fresh channel after 300 ms. */
  private async unary<T>(method: string, request: Record<string, unknown>, timeoutMs = this.callTimeoutMs): Promise<T> {
    try {
      return await this.unaryOnce<T>(method, request, timeoutMs);
    } catch (e) {
      if (!(e instanceof SparkConnectError) || e.kind !== 'unavailable' || this.closed) throw e;
      this.reconnect();
      await delay(300);
      return this.unaryOnce<T>(method, request, timeoutMs);
    }
  }

  private unaryOnce<T>(method: string, request: Record<string, unknown>, timeoutMs: number): Promise<T> {
    if (this.closed)
      return Promise.reject(new SparkConnectError(`Spark Connect client for ${this.target} is closed`, 'protocol'));
    return new Promise<T>((resolve, reject) => {
      const fn = this.stub[method].bind(this.stub) as (
        req: unknown,
        md: grpc.Metadata,
        o: grpc.CallOptions,
        cb: (err: grpc.ServiceError | null, res: T) => void,
      ) => void;
      fn({ ...this.head(), ...request }, this.metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) {
          this.toSparkError(err, method).then(reject, reject);
          return;
        }
        this.noteSession((res as { server_side_session_id?: string }).server_side_session_id);
        resolve(res);
      });
    });
  }

  /**
   * The server's Spark version (`AnalyzePlan` SparkVersion), e.g. "4.3.0". Also the health check.
   * @throws SparkConnectError (unavailable, auth, tls, timeout).
   */
  async sparkVersion(timeoutMs = this.callTimeoutMs): Promise<string> {
    const r = await this.unary<{ spark_version?: { version?: string } }>(
      'AnalyzePlan',
      { spark_version: {} },
      timeoutMs,
    );
    if (!r.spark_version?.version)
      throw new SparkConnectError(
        `Spark Connect server ${this.target} answered AnalyzePlan without a Spark version`,
        'protocol',
      );
    return r.spark_version.version;
  }

  /**
   * The result schema of a SQL query without running it (`AnalyzePlan` Schema).
   * @throws SparkConnectError with Spark's error class and position for bad SQL.
   */
  async schema(sql: string): Promise<SparkField[]> {
    const r = await this.unary<{ schema?: { schema?: ProtoDataType } }>('AnalyzePlan', {
      schema: { plan: sqlPlan(sql) },
    });
    return fieldsOf(sparkTypeFromProto(r.schema?.schema));
  }

  /**
   * Spark's plan of a SQL query as text (`AnalyzePlan` Explain), as `EXPLAIN <mode>` prints it.
   * @param mode Spark's explain modes: simple (physical plan), extended, codegen, cost, formatted.
   */
  async explain(
    sql: string,
    mode: 'simple' | 'extended' | 'codegen' | 'cost' | 'formatted' = 'formatted',
  ): Promise<string> {
    const r = await this.unary<{ explain?: { explain_string?: string } }>('AnalyzePlan', {
      explain: { plan: sqlPlan(sql), explain_mode: `EXPLAIN_MODE_${mode.toUpperCase()}` },
    });
    return r.explain?.explain_string ?? '';
  }

  /** Session settings by key (`Config` Get); a key Spark does not know raises SQL_CONF_NOT_FOUND. */
  async getConfig(keys: string[]): Promise<Record<string, string | undefined>> {
    const r = await this.unary<{ pairs?: { key: string; value?: string }[] }>('Config', {
      operation: { get: { keys } },
    });
    return Object.fromEntries((r.pairs ?? []).map((p) => [p.key, p.value]));
  }

  /** Sets session settings (`Config` Set); returns Spark's warnings (e.g. for a static or deprecated key). */
  async setConfig(pairs: Record<string, string>): Promise<string[]> {
    const r = await this.unary<{ warnings?: string[] }>('Config', {
      operation: { set: { pairs: Object.entries(pairs).map(([key, value]) => ({ key, value })) } },
    });
    return r.warnings ?? [];
  }

  /** Interrupts one operation (`Interrupt` OPERATION_ID); returns the ids Spark interrupted. */
  async interrupt(operationId: string): Promise<string[]> {
    const r = await this.unary<{ interrupted_ids?: string[] }>('Interrupt', {
      interrupt_type: 'INTERRUPT_TYPE_OPERATION_ID',
      operation_id: operationId,
    });
    return r.interrupted_ids ?? [];
  }

  /** Interrupts every operation of this session. */
  async interruptAll(): Promise<string[]> {
    const r = await this.unary<{ interrupted_ids?: string[] }>('Interrupt', { interrupt_type: 'INTERRUPT_TYPE_ALL' });
    return r.interrupted_ids ?? [];
  }

  /**
   * Runs one SQL statement (`ExecutePlan` of `Relation{sql}` wrapped in a `Limit`) and collects its Arrow batches
   * as they are (no value is decoded here); progress is reported from Spark's `ExecutionProgress` messages.
   * @throws SparkConnectError: kind 'spark' with errorClass/position for a Spark error, 'cancelled' after
   *   `signal` aborts, 'unavailable' when the server is down and reattaching did not help.
   */
  async executeSql(sql: string, opts: ExecuteOptions = {}): Promise<QueryResult> {
    const maxRows = opts.maxRows ?? 10_000;
    const query = { sql: { query: sql } };
    // Limit is an int32 in the protocol; beyond it (or for Infinity: no limit) the plan goes unwrapped.
    const root = maxRows < 2 ** 31 - 1 ? { limit: { input: query, limit: maxRows + 1 } } : query;
    return this.executePlan({ root }, opts);
  }

  /**
   * Registers a JDBC table as a temporary view of this session (`Command.create_dataframe_view` of a
   * `Read.DataSource` with format "jdbc"), so SQL can name it while the password travels only as a data-source option
   * in the protobuf plan, never in SQL text. Spark reads the table's schema here, so a wrong URL or password fails now.
   * @param password from SecretStorage (editor) or the environment (CLI); never from settings.
   * @throws SparkConnectError: kind 'spark' with Spark's error class (e.g. FAILED_JDBC.CONNECTION for refused
   *   credentials); Error for a view name that is not a plain identifier.
   */
  async createJdbcView(view: JdbcView, password?: string): Promise<void> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(view.name))
      throw new Error(`JDBC view name "${view.name}" must be a plain identifier (letters, digits, _)`);
    const options: Record<string, string> = { ...view.options, url: view.url, dbtable: view.dbtable };
    if (view.user !== undefined) options.user = view.user;
    if (password !== undefined) options.password = password;
    const input = { read: { data_source: { format: 'jdbc', options } } };
    if (password !== undefined) await this.redactPasswordOptions();
    await this.executePlan(
      { command: { create_dataframe_view: { input, name: view.name, is_global: false, replace: true } } },
      {},
    );
  }

  /**
   * Registers files read by one of Spark's data sources as a temporary view of this session (`Command.create_dataframe_view`
   * of a `Project` of SQL expressions over `Read.DataSource`), e.g. the text of every file below a folder with each line's
   * file (`_metadata.file_path`): file-source metadata columns can be selected here, next to the scan, while a view made
   * with `CREATE TEMPORARY VIEW … USING` hides them.
   * @param name a plain SQL identifier.
   * @param source Spark's data source (`text`, `binaryFile`, …), its paths (as Spark spells them: a folder, `s3a://…`) and options.
   * @param expressions SQL expressions of the view's columns (`_metadata.file_path AS p`, `value`).
   * @throws SparkConnectError with Spark's error class (a path that does not exist: PATH_NOT_FOUND); Error for a bad name.
   */
  async createDataSourceView(
    name: string,
    source: { format: string; paths: string[]; options?: Record<string, string> },
    expressions: string[],
  ): Promise<void> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new Error(`view name "${name}" must be a plain identifier (letters, digits, _)`);
    const read = {
      read: { data_source: { format: source.format, options: source.options ?? {}, paths: source.paths } },
    };
    const input = {
      project: { input: read, expressions: expressions.map((expression) => ({ expression_string: { expression } })) },
    };
    await this.executePlan(
      { command: { create_dataframe_view: { input, name, is_global: false, replace: true } } },
      {},
    );
  }

  /**
   * Every file a data source would read from `paths` (`AnalyzePlan` InputFiles of a `Read.DataSource`), empty files
   * included (a scan skips them), as Spark spells them (`file.getPath.toUri`: URL-encoded). Nothing is read.
   * @param source Spark's data source, its paths and options (`recursiveFileLookup`, `pathGlobFilter`).
   * @param timeoutMs deadline of the call (a listing of an object store can take minutes).
   * @throws SparkConnectError with Spark's error class (a path that does not exist: PATH_NOT_FOUND).
   */
  async inputFiles(
    source: { format: string; paths: string[]; options?: Record<string, string> },
    timeoutMs = 600_000,
  ): Promise<string[]> {
    const plan = {
      root: { read: { data_source: { format: source.format, options: source.options ?? {}, paths: source.paths } } },
    };
    const r = await this.unary<{ input_files?: { files?: string[] } }>(
      'AnalyzePlan',
      { input_files: { plan } },
      timeoutMs,
    );
    return r.input_files?.files ?? [];
  }

  /**
   * Registers rows sent from here as a temporary view of this session (`Command.create_dataframe_view` of a
   * `LocalRelation` holding one Arrow IPC stream). The whole stream travels in one message: keep it below the server's
   * `spark.connect.grpc.maxInboundMessageSize` (128 MiB by default) and this client's 64 MiB send limit.
   * @param name a plain SQL identifier.
   * @param arrowIpc an Arrow IPC stream (apache-arrow `tableToIPC(table, 'stream')`).
   * @throws SparkConnectError from Spark; Error for a bad name.
   */
  async createLocalView(name: string, arrowIpc: Uint8Array): Promise<void> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new Error(`view name "${name}" must be a plain identifier (letters, digits, _)`);
    const input = { local_relation: { data: Buffer.from(arrowIpc) } };
    await this.executePlan(
      { command: { create_dataframe_view: { input, name, is_global: false, replace: true } } },
      {},
    );
  }

  /**
   * Spark Connect writes each operation's plan as text into its listener events (`SparkListenerConnectOperationStarted`
   * statementText, hence the event log and the Connect UI), data-source options included, redacted only by the session's
   * `spark.sql.redaction.string.regex` (unset by default). Before a plan carries a password, this adds a pattern for
   * the protobuf text of a `password` option to that setting (kept alongside a pattern the session already has).
   */
  private async redactPasswordOptions(): Promise<void> {
    // Unset (its default): Config Get may answer nothing or an error, both meaning no pattern yet.
    const current = await this.getConfig([STRING_REDACTION_KEY]).then(
      (c) => c[STRING_REDACTION_KEY],
      () => undefined,
    );
    if (current?.includes(PASSWORD_OPTION_PATTERN)) return;
    await this.setConfig({
      [STRING_REDACTION_KEY]:
        current && current !== '<undefined>' ? `(?:${current})|${PASSWORD_OPTION_PATTERN}` : PASSWORD_OPTION_PATTERN,
    });
  }

  /** ExecutePlan of a plan (a relation under `root`, or a `command`), collecting its Arrow batches. */
  private async executePlan(plan: Record<string, unknown>, opts: ExecuteOptions): Promise<QueryResult> {
    const t0 = performance.now();
    const maxRows = opts.maxRows ?? 10_000;
    const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    const operationId = opts.operationId ?? randomUUID();
    const batches: Uint8Array[] = [];
    let rowCount = 0;
    let schemaFields: SparkField[] | undefined;
    const columns = (): SparkField[] => schemaFields ?? (batches[0] ? fieldsOfIpc(batches[0]) : []);
    let truncated: 'rows' | 'bytes' | undefined;
    let arrowBytes = 0;
    let lastResponseId: string | undefined;
    let complete = false;
    let reattachCount = 0;
    let attempt = 0;
    const stages = new Map<number, StageProgress>();

    if (opts.signal?.aborted) throw cancelledError(this.target);
    let current: grpc.ClientReadableStream<ExecutePlanResponse> | null = null;
    let stoppedEarly = false;
    const onAbort = () => {
      current?.cancel();
      this.interrupt(operationId).catch(() => undefined);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const consume = (stream: grpc.ClientReadableStream<ExecutePlanResponse>) =>
      new Promise<void>((resolve, reject) => {
        current = stream;
        stream.on('data', (r: ExecutePlanResponse) => {
          try {
            attempt = 0;
            this.noteSession(r.server_side_session_id);
            if (r.response_id) lastResponseId = r.response_id;
            if (r.schema && !schemaFields) schemaFields = fieldsOf(sparkTypeFromProto(r.schema));
            if (r.arrow_batch?.data && !stoppedEarly) {
              const data = r.arrow_batch.data;
              arrowBytes += data.length;
              let ipc: Uint8Array = data;
              let rows = Number(r.arrow_batch.row_count ?? 0);
              if (rowCount + rows > maxRows) {
                // The Limit's extra row: there are more rows than maxRows. Keep the first maxRows.
                rows = maxRows - rowCount;
                ipc = firstRowsIpc(data, rows);
                truncated = 'rows';
                stoppedEarly = true;
              } else if (arrowBytes > maxBytes) {
                truncated = 'bytes';
                stoppedEarly = true;
              }
              if (rows > 0 || batches.length === 0) {
                if (opts.keepBatches !== false || batches.length === 0) batches.push(ipc);
                rowCount += rows;
                opts.onBatch?.(ipc, rows, columns());
              }
              if (stoppedEarly) {
                stream.cancel();
                this.interrupt(operationId).catch(() => undefined);
              }
            } else if (r.execution_progress) {
              for (const s of r.execution_progress.stages ?? []) {
                const id = s.stage_id ?? 0;
                stages.set(id, {
                  stageId: id,
                  numTasks: s.num_tasks ?? 0,
                  numCompletedTasks: s.num_completed_tasks ?? 0,
                  inputBytesRead: s.input_bytes_read ?? 0,
                  done: s.done ?? false,
                });
              }
              const all = [...stages.values()];
              opts.onProgress?.({
                stages: all,
                tasksDone: all.reduce((a, s) => a + s.numCompletedTasks, 0),
                tasksTotal: all.reduce((a, s) => a + s.numTasks, 0),
                inflightTasks: r.execution_progress.num_inflight_tasks ?? 0,
                rowsReceived: rowCount,
              });
            } else if (r.result_complete) {
              complete = true;
            }
          } catch (e) {
            stream.cancel();
            reject(asError(e));
          }
        });
        stream.on('error', (e: grpc.ServiceError) => reject(e));
        stream.on('end', () => resolve());
      });

    try {
      const md = this.metadata();
      const request = {
        ...this.head(),
        operation_id: operationId,
        plan,
        request_options: [{ reattach_options: { reattachable: true } }],
      };
      let stream = (
        this.stub.ExecutePlan as (r: unknown, m: grpc.Metadata) => grpc.ClientReadableStream<ExecutePlanResponse>
      ).call(this.stub, request, md);
      for (;;) {
        try {
          await consume(stream);
          if (complete || stoppedEarly) break;
          // Stream ended without ResultComplete: the server closed it on purpose; reattach.
        } catch (e) {
          if (stoppedEarly && isCancelled(e)) break;
          if (opts.signal?.aborted) throw cancelledError(this.target);
          const se = e as grpc.ServiceError;
          if (
            typeof se?.code !== 'number' ||
            !RETRIABLE_STREAM_CODES.has(se.code) ||
            hasSparkErrorInfo(se) ||
            attempt >= this.maxReattachAttempts
          ) {
            throw await this.toSparkError(se, 'ExecutePlan');
          }
          attempt++;
          if (se.code === grpc.status.UNAVAILABLE) this.reconnect();
          if (!lastResponseId) {
            // Nothing arrived: the server may not have the operation; send the plan again.
            if (attempt > 1) throw await this.toSparkError(se, 'ExecutePlan');
            await delay(300);
            stream = (
              this.stub.ExecutePlan as (r: unknown, m: grpc.Metadata) => grpc.ClientReadableStream<ExecutePlanResponse>
            ).call(this.stub, request, this.metadata());
            continue;
          }
          await delay(Math.min(100 * 2 ** attempt, 5000));
          this.log(
            `Spark Connect ${this.target}: result stream broke (${se.details ?? se.message}); reattaching operation ${operationId} after response ${lastResponseId}`,
          );
        }
        reattachCount++;
        stream = (
          this.stub.ReattachExecute as (r: unknown, m: grpc.Metadata) => grpc.ClientReadableStream<ExecutePlanResponse>
        ).call(
          this.stub,
          {
            ...this.head(),
            operation_id: operationId,
            ...(lastResponseId ? { last_response_id: lastResponseId } : {}),
          },
          this.metadata(),
        );
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      this.unary('ReleaseExecute', { operation_id: operationId, release_all: {} }, 10_000).catch(() => undefined);
    }
    if (opts.signal?.aborted && !complete) throw cancelledError(this.target);
    return {
      operationId,
      columns: columns(),
      batches,
      rowCount,
      truncated,
      arrowBytes,
      elapsedMs: performance.now() - t0,
      reattachCount,
    };
  }

  /**
   * Releases the server-side session (`ReleaseSession`) and closes the channel. Safe to call twice; never throws.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.unary('ReleaseSession', {}, 5_000);
    } catch {
      // the server may be gone; the session expires there on its own
    }
    this.closed = true;
    this.stub.close();
  }

  /** Turns a gRPC error into a SparkConnectError, fetching Spark's error details when the server offers them. */
  private async toSparkError(err: grpc.ServiceError | Error, method: string): Promise<SparkConnectError> {
    if (err instanceof SparkConnectError) return err;
    const se = err as grpc.ServiceError;
    const code = typeof se.code === 'number' ? grpc.status[se.code] : undefined;
    const serverMessage = se.details ?? se.message;
    const where = `Spark Connect server ${this.target}`;
    switch (se.code) {
      case grpc.status.UNAUTHENTICATED:
      case grpc.status.PERMISSION_DENIED:
        // The remedy (where a token is given) is the front end's: details.tokenGiven says which one applies.
        return new SparkConnectError(`${where} rejected the credentials (${code}: ${serverMessage})`, 'auth', {
          grpcCode: code,
          serverMessage,
          tokenGiven: Boolean(this.token),
        });
      case grpc.status.CANCELLED:
        return cancelledError(this.target);
      case grpc.status.DEADLINE_EXCEEDED:
        return new SparkConnectError(`${where} did not answer ${method} in time (${serverMessage})`, 'timeout', {
          grpcCode: code,
          serverMessage,
        });
      case grpc.status.UNAVAILABLE:
        if (!hasSparkErrorInfo(se)) {
          const tls = /ssl|tls|certificate|handshake/i.test(serverMessage);
          return new SparkConnectError(
            tls
              ? `${where}: TLS connection failed (${serverMessage}); check use_ssl in the URL and the CA certificate`
              : `${where} is not reachable (${serverMessage})`,
            tls ? 'tls' : 'unavailable',
            { grpcCode: code, serverMessage },
          );
        }
    }
    const info = errorInfo(se);
    if (!info)
      return new SparkConnectError(`${where} failed ${method} (${code}: ${serverMessage})`, 'protocol', {
        grpcCode: code,
        serverMessage,
      });
    const errorClass = info.errorClass || undefined;
    const sqlState = info.sqlState || undefined;
    let messageParameters: Record<string, string> | undefined;
    try {
      messageParameters = info.messageParameters
        ? (JSON.parse(info.messageParameters) as Record<string, string>)
        : undefined;
    } catch {
      messageParameters = undefined;
    }
    let queryContexts: SparkQueryContext[] | undefined;
    let message = serverMessage;
    if (info.errorId) {
      try {
        const d = await this.unary<{
          root_error_idx?: number;
          errors?: {
            message?: string;
            cause_idx?: number;
            spark_throwable?: {
              error_class?: string;
              query_contexts?: {
                context_type?: string;
                start_index?: number;
                stop_index?: number;
                fragment?: string;
                object_type?: string;
                object_name?: string;
              }[];
            };
          }[];
        }>('FetchErrorDetails', { error_id: info.errorId }, 10_000);
        const root = d.errors?.[d.root_error_idx ?? 0];
        if (root?.message) message = root.message;
        // The innermost cause says why (e.g. the database's "Access denied ..." under FAILED_JDBC.CONNECTION).
        let cause = root;
        const seen = new Set<number>();
        for (
          let idx = root?.cause_idx;
          idx !== undefined && d.errors?.[idx] && !seen.has(idx);
          idx = cause?.cause_idx
        ) {
          seen.add(idx);
          cause = d.errors[idx];
        }
        if (cause && cause !== root && cause.message && !message.includes(cause.message))
          message = `${message}\nCaused by: ${cause.message}`;
        queryContexts = (root?.spark_throwable?.query_contexts ?? [])
          .filter((q) => (q.context_type ?? 'SQL') === 'SQL')
          .map((q) => ({
            startIndex: q.start_index ?? 0,
            stopIndex: q.stop_index ?? 0,
            fragment: q.fragment ?? '',
            ...(q.object_type ? { objectType: q.object_type } : {}),
            ...(q.object_name ? { objectName: q.object_name } : {}),
          }));
      } catch {
        // details are extra; the trailer already has the class and message
      }
    }
    const advice = serverSetupAdvice(errorClass, messageParameters);
    if (advice) message = `${message}\n${advice}`;
    return new SparkConnectError(message, 'spark', {
      grpcCode: code,
      errorClass,
      sqlState,
      messageParameters,
      queryContexts,
      serverMessage,
    });
  }
}

/** The ErrorInfo metadata of a gRPC error from Spark, or undefined. */
function errorInfo(se: grpc.ServiceError): Record<string, string> | undefined {
  const raw = se.metadata?.get('grpc-status-details-bin')?.[0];
  if (!raw || !Buffer.isBuffer(raw)) return undefined;
  try {
    const status = rpcDecode('google.rpc.Status', raw) as { details: { type_url: string; value: Buffer }[] };
    const any = status.details.find((d) => d.type_url.endsWith('google.rpc.ErrorInfo'));
    if (!any) return undefined;
    return (rpcDecode('google.rpc.ErrorInfo', any.value) as { metadata: Record<string, string> }).metadata;
  } catch {
    return undefined;
  }
}

function hasSparkErrorInfo(se: grpc.ServiceError): boolean {
  return errorInfo(se) !== undefined;
}

function isCancelled(e: unknown): boolean {
  return (e as grpc.ServiceError)?.code === grpc.status.CANCELLED;
}

function cancelledError(target: string): SparkConnectError {
  return new SparkConnectError(`Query on Spark Connect server ${target} was cancelled`, 'cancelled', {
    grpcCode: 'CANCELLED',
  });
}

function sqlPlan(sql: string): Record<string, unknown> {
  return { root: { sql: { query: sql } } };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'spark-optimizer';
  }
}
