/**
 * The history store's tables as declarative maps: for every table, each field of the row's type with its column name
 * and its codec (column type, NOT NULL, how a value is written and read back). The store builds its INSERT/UPSERT
 * column lists and values and its row → record reads from these maps; test/store-columns.test.ts checks that the
 * columns the migrations create (name, type, NOT NULL, primary key) are exactly the maps' columns, table by table.
 *
 * The maps name no SQL dialect: values are written as plain JavaScript values (string, number, boolean, bytes, null;
 * a dialect binds booleans its own way, SQLite as 0/1) and read back from what a driver returns (SQLite's 0/1 or a
 * boolean, a number, a bigint or a numeric string). Column types are logical (`boolean`, `json`, ...);
 * {@link SQLITE_TYPES} says how SQLite declares each. A map's type is `{ [field]: [column, codec] }` over every field of
 * the row type, so a field added to a record without a column does not compile.
 *
 * Metric columns are the record fields in snake_case (history/application-record.ts lists Spark's name and unit of each).
 */
import type {
  ApplicationRecord,
  ExecutorRecord,
  JobRecord,
  StageRecord,
  TaskFailureGroup,
} from '../history/application-record';
import type { CollectionSourceState, SourceVersion } from '../history/ingest';
import type { AppliedFix } from '../recommend/feedback';
import type {
  CollectionError,
  CollectionLease,
  CollectionRun,
  CollectionState,
  CollectionTrigger,
} from '../history/collection-ledger';
import type { FeedbackVerdict, RecommendationFeedback, ServiceToken, TokenScope } from '../history/service-store';

/** A value as written to or read from a column, in any dialect. */
export type SqlValue = string | number | bigint | boolean | Uint8Array | null;

/** Logical column types: `boolean` and `json` (JSON text) are dialect-specific underneath, see {@link SQLITE_TYPES}. */
export type ColumnType = 'text' | 'integer' | 'real' | 'bytes' | 'boolean' | 'json';

/** How SQLite declares each logical type (what the migrations write and `PRAGMA table_info` reports). */
export const SQLITE_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  bytes: 'BLOB',
  boolean: 'INTEGER',
  json: 'TEXT',
};

/**
 * How one field is stored. `write` turns the field's value (undefined for an optional field left out) into a column
 * value; `read` turns a column value back into the field's value, undefined meaning "leave the field out" (optional
 * fields the store did not hold, e.g. per-executor spill before schema 4).
 */
export interface Codec<V> {
  type: ColumnType;
  notNull: boolean;
  /** Filled in by the database (an auto-increment id): never written. */
  generated?: boolean;
  write: (v: V | undefined) => SqlValue;
  read: (v: unknown) => V | undefined;
}

/**
 * A number read back. Rows written before validation bounded every figure (schema < 7) may hold values no run can
 * produce; a value that is not finite or beyond ±(2^53 − 1) reads as 0 rather than reaching a report. Accepts numbers,
 * bigints and numeric strings (PostgreSQL drivers return `bigint` columns as strings).
 */
export function num(v: unknown): number {
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'bigint'
        ? Number(v)
        : typeof v === 'string' && v.trim() !== ''
          ? Number(v)
          : 0;
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : 0;
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

/**
 * A TEXT column's value as a string, from what SQLite (better-sqlite3) or PostgreSQL (pg) hands back: a string as is, a
 * number or bigint in decimal, a BLOB as UTF-8, NULL (null or undefined) as ''. Any other value (never produced by
 * either driver for a TEXT column) as its JSON text.
 */
export function columnText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return JSON.stringify(v);
}

function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : columnText(v);
}

function parseJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** TEXT NOT NULL. */
export const TEXT: Codec<string> = { type: 'text', notNull: true, write: (v) => v ?? '', read: columnText };
/** TEXT, NULL allowed. */
export const TEXT_OR_NULL: Codec<string | null> = {
  type: 'text',
  notNull: false,
  write: (v) => v ?? null,
  read: strOrNull,
};
/** TEXT, NULL allowed; the field is left out of the record when NULL (an optional field). */
export const OPTIONAL_TEXT: Codec<string> = {
  type: 'text',
  notNull: false,
  write: (v) => v ?? null,
  read: (v) => (v === null || v === undefined ? undefined : columnText(v)),
};
/** TEXT NOT NULL holding one of a closed set of words (a CHECK constraint in the schema). */
export function oneOf<T extends string>(): Codec<T> {
  return { type: 'text', notNull: true, write: (v) => v ?? null, read: (v) => columnText(v) as T };
}
/** INTEGER NOT NULL, written as given (the record's figures are whole numbers). */
export const INT: Codec<number> = { type: 'integer', notNull: true, write: (v) => v ?? 0, read: num };
/** INTEGER NOT NULL of a figure that may be fractional in the record (ms from ns, summed fractions): rounded. */
export const ROUNDED_INT: Codec<number> = {
  type: 'integer',
  notNull: true,
  write: (v) => Math.round(v ?? 0),
  read: num,
};
/** INTEGER NOT NULL of an epoch-ms time taken from the clock or a file system (fractional ms dropped, as compared). */
export const TRUNCATED_MS: Codec<number> = {
  type: 'integer',
  notNull: true,
  write: (v) => Math.trunc(v ?? 0),
  read: num,
};
/** {@link TRUNCATED_MS}, NULL allowed. */
export const TRUNCATED_MS_OR_NULL: Codec<number | null> = {
  type: 'integer',
  notNull: false,
  write: (v) => (v === null || v === undefined ? null : Math.trunc(v)),
  read: numOrNull,
};
/** INTEGER, NULL allowed. */
export const INT_OR_NULL: Codec<number | null> = {
  type: 'integer',
  notNull: false,
  write: (v) => v ?? null,
  read: numOrNull,
};
/** INTEGER, NULL allowed; the field is left out of the record when NULL (an optional field). */
export const OPTIONAL_INT: Codec<number> = {
  type: 'integer',
  notNull: false,
  write: (v) => v ?? null,
  read: (v) => (v === null || v === undefined ? undefined : num(v)),
};
/** INTEGER PRIMARY KEY filled in by the database (SQLite's rowid alias; never written). */
export const GENERATED_ID: Codec<number> = {
  type: 'integer',
  notNull: true,
  generated: true,
  write: (v) => v ?? null,
  read: num,
};
/** REAL, NULL allowed. */
export const REAL_OR_NULL: Codec<number | null> = {
  type: 'real',
  notNull: false,
  write: (v) => v ?? null,
  read: numOrNull,
};
/** A boolean NOT NULL (SQLite: INTEGER 0/1). */
export const BOOL: Codec<boolean> = {
  type: 'boolean',
  notNull: true,
  write: (v) => v === true,
  read: (v) => v === 1 || v === true,
};
/** JSON text NOT NULL; unreadable JSON reads as `fallback`. */
export function json<T>(fallback: T): Codec<T> {
  return {
    type: 'json',
    notNull: true,
    write: (v) => JSON.stringify(v ?? fallback),
    read: (v) => parseJson(v, fallback),
  };
}
/** JSON text, NULL allowed (also for unreadable JSON). */
export function jsonOrNull<T>(): Codec<T | null> {
  return {
    type: 'json',
    notNull: false,
    write: (v) => (v === null || v === undefined ? null : JSON.stringify(v)),
    read: (v) => (v === null || v === undefined ? null : parseJson<T | null>(v, null)),
  };
}
/**
 * `application-record.ts` `attemptId`: Spark's `App Attempt ID`, or '' in the column for an application without
 * attempts (the column is part of the key, so never NULL); '' reads back as null.
 */
export const ATTEMPT: Codec<string | null> = {
  type: 'text',
  notNull: true,
  write: (v) => v ?? '',
  read: (v) => (v === null || v === undefined || v === '' ? null : columnText(v)),
};

/**
 * Task durations (ms, integers as the event log writes them) as bytes of little-endian Int32 (4 bytes per task; a stage
 * of 100,000 tasks takes 400 kB, a quarter of JSON text). Values are rounded and clamped to [0, 2^31 − 1] ms (24.8 days).
 */
export function encodeDurations(durations: readonly number[]): Buffer {
  const b = Buffer.alloc(durations.length * 4);
  for (let i = 0; i < durations.length; i++)
    b.writeInt32LE(Math.min(0x7fffffff, Math.max(0, Math.round(durations[i]))), i * 4);
  return b;
}

/** Inverse of {@link encodeDurations}. @throws RangeError when the byte length is not a multiple of 4. */
export function decodeDurations(b: Uint8Array): number[] {
  if (b.length % 4 !== 0)
    throw new RangeError(`task_durations_ms BLOB of ${b.length} bytes is not a whole number of Int32 values`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Array<number>(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** Per-task durations as Int32 bytes ({@link encodeDurations}), NULL allowed; left out of the record when NULL. */
export const DURATIONS: Codec<number[]> = {
  type: 'bytes',
  notNull: false,
  write: (v) => (v === undefined ? null : encodeDurations(v)),
  read: (v) => (v instanceof Uint8Array ? decodeDurations(v) : undefined),
};

/** One column: the row type's field, its column name and codec. */
export interface ColumnOf<T> {
  field: keyof T & string;
  column: string;
  codec: Codec<unknown>;
}

/** Every field of `T` with its `[column, codec]`. */
export type ColumnSpecs<T> = { [F in keyof T]-?: readonly [column: string, codec: Codec<Exclude<T[F], undefined>>] };

/** One table: its name, key columns (primary key, in order) and columns in declaration order. */
export interface TableMap<T> {
  table: string;
  /** Primary-key columns in key order. */
  key: readonly string[];
  columns: readonly ColumnOf<T>[];
}

function tableMap<T>(table: string, key: readonly (keyof T & string)[], specs: ColumnSpecs<T>): TableMap<T> {
  const columns = (Object.keys(specs) as (keyof T & string)[]).map((field) => {
    const [column, codec] = specs[field];
    return { field, column, codec: codec as Codec<unknown> };
  });
  return { table, key: key.map((f) => specs[f][0]), columns };
}

/** The column of `field` in `map`. */
export function columnOf<T>(map: TableMap<T>, field: keyof T & string): string {
  const c = map.columns.find((x) => x.field === field);
  if (!c) throw new Error(`${map.table} has no column for ${field}`);
  return c.column;
}

/** The columns of `fields` (all written columns when omitted), in the map's order. */
export function columnsOf<T>(map: TableMap<T>, fields?: readonly (keyof T & string)[]): string[] {
  return map.columns.filter((c) => (fields ? fields.includes(c.field) : true)).map((c) => c.column);
}

/** The column values of `row` for an INSERT (generated columns left out), keyed by column name. */
export function toColumns<T>(map: TableMap<T>, row: T): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  for (const c of map.columns) if (!c.codec.generated) out[c.column] = c.codec.write(row[c.field]);
  return out;
}

/**
 * The fields of a row read back: every column present in `values` (a SELECT of some columns gives those fields only);
 * a field whose codec reads undefined is left out.
 */
export function fromColumns<T>(map: TableMap<T>, values: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const c of map.columns) {
    if (!(c.column in values)) continue;
    const v = c.codec.read(values[c.column]);
    if (v !== undefined) out[c.field] = v;
  }
  return out as T;
}

/**
 * A reader of rows that hold exactly the columns of `fields` (a SELECT of {@link columnsOf}`(map, fields)`): faster than
 * {@link fromColumns} on many rows, since it visits only those columns.
 */
export function rowReader<T, F extends keyof T & string>(
  map: TableMap<T>,
  fields: readonly F[],
): (values: Record<string, unknown>) => Pick<T, F> {
  const cols = map.columns.filter((c) => fields.includes(c.field as F));
  return (values) => {
    const out: Record<string, unknown> = {};
    for (const c of cols) {
      const v = c.codec.read(values[c.column]);
      if (v !== undefined) out[c.field] = v;
    }
    return out as Pick<T, F>;
  };
}

/** An `applications` row: the record without its child lists, plus where and when it was collected. */
export type ApplicationRow = Omit<ApplicationRecord, 'stages' | 'executors' | 'jobs'> & {
  /** Stage-DAG signature of the run (history/workload-signature.ts), null without stages. */
  workloadSignature: string | null;
  /** The source version read (history/ingest.ts `RecordSource`). */
  sourcePath: string;
  sourceSizeBytes: number;
  sourceMtimeMs: number;
  malformedLines: number;
  /** When it was written, epoch ms. */
  collectedAtMs: number;
};

/** The key of an application attempt, carried by the rows of its stages, executors and jobs. */
export interface AttemptKey {
  appId: string;
  /** The application's attempt (`App Attempt ID`), null for none. */
  appAttemptId: string | null;
}

/** A `stages` row. */
export type StageRow = AttemptKey & StageRecord;
/** An `executors` row. */
export type ExecutorRow = AttemptKey & ExecutorRecord;
/** A `jobs` row: one Spark job (`SparkListenerJobStart`/`End`). */
export type JobRow = AttemptKey & JobRecord;

/** A `record_sources` row: a source version read, and the attempt it held. */
export type RecordSourceRow = SourceVersion & { appId: string; attemptId: string | null; recordedAtMs: number };

/** One row per application attempt. */
export const APPLICATIONS = tableMap<ApplicationRow>('applications', ['appId', 'attemptId'], {
  appId: ['app_id', TEXT],
  attemptId: ['attempt_id', ATTEMPT],
  appName: ['app_name', TEXT],
  user: ['user', TEXT_OR_NULL],
  sparkVersion: ['spark_version', TEXT_OR_NULL],
  master: ['master', TEXT_OR_NULL],
  submitTimeMs: ['submit_time_ms', INT_OR_NULL],
  startTimeMs: ['start_time_ms', INT],
  endTimeMs: ['end_time_ms', INT_OR_NULL],
  durationMs: ['duration_ms', INT],
  completed: ['completed', BOOL],
  incompleteReason: ['incomplete_reason', OPTIONAL_TEXT],
  exitCode: ['exit_code', INT_OR_NULL],
  executorCores: ['executor_cores', INT_OR_NULL],
  executorMemoryMiB: ['executor_memory_mib', INT_OR_NULL],
  memoryOverheadMiB: ['memory_overhead_mib', INT_OR_NULL],
  maxExecutors: ['max_executors', INT],
  totalExecutorsAdded: ['total_executors_added', INT],
  executorInstances: ['executor_instances', INT_OR_NULL],
  driverMemoryMiB: ['driver_memory_mib', INT_OR_NULL],
  driverCores: ['driver_cores', INT_OR_NULL],
  shufflePartitions: ['shuffle_partitions', INT_OR_NULL],
  dynamicAllocationEnabled: ['dynamic_allocation_enabled', BOOL],
  dynamicAllocationMinExecutors: ['dynamic_allocation_min_executors', INT_OR_NULL],
  dynamicAllocationMaxExecutors: ['dynamic_allocation_max_executors', INT_OR_NULL],
  mainResource: ['main_resource', TEXT_OR_NULL],
  sparkProperties: ['spark_properties', json<Record<string, string>>({})],
  totalTasks: ['total_tasks', INT],
  failedTasks: ['failed_tasks', INT],
  totalStages: ['total_stages', INT],
  failedStages: ['failed_stages', INT],
  totalJobs: ['total_jobs', INT],
  failedJobs: ['failed_jobs', INT],
  executorRunTimeMs: ['executor_run_time_ms', INT],
  executorCpuTimeMs: ['executor_cpu_time_ms', ROUNDED_INT],
  jvmGcTimeMs: ['jvm_gc_time_ms', INT],
  inputBytes: ['input_bytes', INT],
  outputBytes: ['output_bytes', INT],
  shuffleReadBytes: ['shuffle_read_bytes', INT],
  shuffleWriteBytes: ['shuffle_write_bytes', INT],
  memoryBytesSpilled: ['memory_bytes_spilled', INT],
  diskBytesSpilled: ['disk_bytes_spilled', INT],
  peakExecutionMemoryBytes: ['peak_execution_memory_bytes', INT],
  peakJvmHeapMemoryBytes: ['peak_jvm_heap_memory_bytes', INT_OR_NULL],
  executorCoreTimeMs: ['executor_core_time_ms', ROUNDED_INT],
  taskFailures: ['task_failures', json<TaskFailureGroup[]>([])],
  workloadSignature: ['workload_signature', TEXT_OR_NULL],
  sourcePath: ['source_path', TEXT],
  sourceSizeBytes: ['source_size_bytes', INT],
  sourceMtimeMs: ['source_mtime_ms', TRUNCATED_MS],
  malformedLines: ['malformed_lines', INT],
  collectedAtMs: ['collected_at_ms', INT],
});

/** One row per stage attempt of an application attempt. */
export const STAGES = tableMap<StageRow>('stages', ['appId', 'appAttemptId', 'stageId', 'attemptId'], {
  appId: ['app_id', TEXT],
  appAttemptId: ['attempt_id', ATTEMPT],
  stageId: ['stage_id', INT],
  attemptId: ['stage_attempt_id', INT],
  name: ['name', TEXT],
  numTasks: ['num_tasks', INT],
  parentIds: ['parent_ids', json<number[]>([])],
  submissionTimeMs: ['submission_time_ms', INT_OR_NULL],
  completionTimeMs: ['completion_time_ms', INT_OR_NULL],
  failureReason: ['failure_reason', TEXT_OR_NULL],
  succeededTasks: ['succeeded_tasks', INT],
  failedTasks: ['failed_tasks', INT],
  taskDurationMs: ['task_duration_ms', jsonOrNull<NonNullable<StageRecord['taskDurationMs']>>()],
  skewRatio: ['skew_ratio', REAL_OR_NULL],
  executorRunTimeMs: ['executor_run_time_ms', INT],
  executorCpuTimeMs: ['executor_cpu_time_ms', ROUNDED_INT],
  jvmGcTimeMs: ['jvm_gc_time_ms', INT],
  inputBytes: ['input_bytes', INT],
  outputBytes: ['output_bytes', INT],
  shuffleReadBytes: ['shuffle_read_bytes', INT],
  shuffleWriteBytes: ['shuffle_write_bytes', INT],
  memoryBytesSpilled: ['memory_bytes_spilled', INT],
  diskBytesSpilled: ['disk_bytes_spilled', INT],
  peakExecutionMemoryBytes: ['peak_execution_memory_bytes', INT],
  taskDurationsMs: ['task_durations_ms', DURATIONS],
});

/** One row per executor (and the driver, when the log shows it) of an application attempt. */
export const EXECUTORS = tableMap<ExecutorRow>('executors', ['appId', 'appAttemptId', 'executorId'], {
  appId: ['app_id', TEXT],
  appAttemptId: ['attempt_id', ATTEMPT],
  executorId: ['executor_id', TEXT],
  host: ['host', TEXT],
  totalCores: ['total_cores', INT],
  addTimeMs: ['add_time_ms', INT],
  removeTimeMs: ['remove_time_ms', INT_OR_NULL],
  removedReason: ['removed_reason', TEXT_OR_NULL],
  peakJvmHeapMemoryBytes: ['peak_jvm_heap_memory_bytes', INT_OR_NULL],
  executorRunTimeMs: ['executor_run_time_ms', ROUNDED_INT],
  isDriver: ['is_driver', BOOL],
  maxMemoryBytes: ['max_memory_bytes', INT_OR_NULL],
  diskBytesSpilled: ['disk_bytes_spilled', OPTIONAL_INT],
  memoryBytesSpilled: ['memory_bytes_spilled', OPTIONAL_INT],
});

/** One row per Spark job (`SparkListenerJobStart`) of an application attempt. */
export const JOBS = tableMap<JobRow>('jobs', ['appId', 'appAttemptId', 'jobId'], {
  appId: ['app_id', TEXT],
  appAttemptId: ['attempt_id', ATTEMPT],
  jobId: ['job_id', INT],
  submissionTimeMs: ['submission_time_ms', INT_OR_NULL],
  completionTimeMs: ['completion_time_ms', INT_OR_NULL],
  stageIds: ['stage_ids', json<number[]>([])],
  result: ['result', TEXT_OR_NULL],
  failureReason: ['failure_reason', TEXT_OR_NULL],
  sqlExecutionId: ['sql_execution_id', INT_OR_NULL],
});

/** Watermark of each History Server collected from. */
export const COLLECTION_SOURCES = tableMap<CollectionSourceState>('collection_sources', ['sourceUrl'], {
  sourceUrl: ['source_url', TEXT],
  lastCompletedEndTimeMs: ['last_completed_end_time_ms', TRUNCATED_MS_OR_NULL],
  lastRunTimeMs: ['last_run_time_ms', TRUNCATED_MS],
});

/** Every source version read (path, size, mtime) and the attempt it held, so a second copy is skipped unread. */
export const RECORD_SOURCES = tableMap<RecordSourceRow>('record_sources', ['path'], {
  path: ['path', TEXT],
  sizeBytes: ['size_bytes', INT],
  mtimeMs: ['mtime_ms', TRUNCATED_MS],
  appId: ['app_id', TEXT],
  attemptId: ['attempt_id', ATTEMPT],
  recordedAtMs: ['recorded_at_ms', INT],
});

/** Quick fixes the user applied (the feedback loop). */
export const APPLIED_FIXES = tableMap<AppliedFix>('applied_fixes', ['id'], {
  id: ['id', GENERATED_ID],
  fileUri: ['file_uri', TEXT],
  appName: ['app_name', TEXT_OR_NULL],
  key: ['setting_key', TEXT],
  oldValue: ['old_value', TEXT_OR_NULL],
  newValue: ['new_value', TEXT],
  appliedAtMs: ['applied_at_ms', TRUNCATED_MS],
});

/** Bearer tokens of the REST service (their SHA-256 only). */
export const SERVICE_TOKENS = tableMap<ServiceToken>('service_tokens', ['id'], {
  id: ['id', GENERATED_ID],
  name: ['name', TEXT],
  scope: ['scope', oneOf<TokenScope>()],
  tokenSha256: ['token_sha256', TEXT],
  createdAtMs: ['created_at_ms', TRUNCATED_MS],
  revokedAtMs: ['revoked_at_ms', TRUNCATED_MS_OR_NULL],
});

/** Feedback on recommendations: applied / accepted / rejected, with a reason. */
export const RECOMMENDATION_FEEDBACK = tableMap<RecommendationFeedback>('recommendation_feedback', ['id'], {
  id: ['id', GENERATED_ID],
  verdict: ['verdict', oneOf<FeedbackVerdict>()],
  appName: ['app_name', TEXT],
  key: ['setting_key', TEXT],
  recommendedValue: ['recommended_value', TEXT_OR_NULL],
  previousValue: ['previous_value', TEXT_OR_NULL],
  reason: ['reason', TEXT_OR_NULL],
  fileUri: ['file_uri', TEXT_OR_NULL],
  appliedFixId: ['applied_fix_id', INT_OR_NULL],
  tokenId: ['token_id', INT_OR_NULL],
  receivedAtMs: ['received_at_ms', TRUNCATED_MS],
});

/** One lease per configured collection source of the service (history/collection-ledger.ts). */
export const COLLECTION_LEASES = tableMap<CollectionLease>('collection_leases', ['sourceName'], {
  sourceName: ['source_name', TEXT],
  holder: ['holder', TEXT],
  collectionId: ['collection_id', INT_OR_NULL],
  acquiredAtMs: ['acquired_at_ms', TRUNCATED_MS],
  expiresAtMs: ['expires_at_ms', TRUNCATED_MS],
  releasedAtMs: ['released_at_ms', TRUNCATED_MS_OR_NULL],
});

/** Every collection the service ran or runs: state, counts, errors, and the instance that held the source's lease. */
export const COLLECTIONS = tableMap<CollectionRun>('collections', ['id'], {
  id: ['id', GENERATED_ID],
  sourceName: ['source_name', TEXT],
  sourceKind: ['source_kind', TEXT],
  trigger: ['started_by', oneOf<CollectionTrigger>()],
  state: ['state', oneOf<CollectionState>()],
  holder: ['holder', TEXT],
  tokenId: ['token_id', INT_OR_NULL],
  requestedAtMs: ['requested_at_ms', TRUNCATED_MS],
  startedAtMs: ['started_at_ms', TRUNCATED_MS_OR_NULL],
  finishedAtMs: ['finished_at_ms', TRUNCATED_MS_OR_NULL],
  logsFound: ['logs_found', INT],
  logsRead: ['logs_read', INT],
  logsStored: ['logs_stored', INT],
  logsSkipped: ['logs_skipped', INT],
  logsFailed: ['logs_failed', INT],
  applicationsStored: ['applications_stored', INT],
  errors: ['errors', json<CollectionError[]>([])],
  errorsTotal: ['errors_total', INT],
});

/** Every table of the store, by name. */
export const TABLES = [
  APPLICATIONS,
  STAGES,
  EXECUTORS,
  JOBS,
  COLLECTION_SOURCES,
  RECORD_SOURCES,
  APPLIED_FIXES,
  SERVICE_TOKENS,
  RECOMMENDATION_FEEDBACK,
  COLLECTION_LEASES,
  COLLECTIONS,
] as const;
