/**
 * Folding Spark listener events, one at a time, into an {@link ApplicationRecord}.
 *
 * Knows nothing of files or codecs: it takes parsed JSON objects (one per event-log line) and keeps
 * only running sums, per-stage, per-job and per-executor state, and the durations of successful tasks
 * (launch times too while their stage runs), so memory is bounded by the number of stages, jobs and
 * executors plus about 8 bytes per successful task (16 while its stage is in flight), not by the log size.
 *
 * Field names and units: apache/spark core/src/main/scala/org/apache/spark/util/JsonProtocol.scala;
 * version drift: every field may be missing in older logs (JsonProtocol reads each one as optional).
 */

import type {
  ApplicationRecord,
  DurationQuantilesMs,
  ExecutorRecord,
  JobRecord,
  ReadStats,
  StageRecord,
  TaskFailureGroup,
} from '../application-record';
import { parseSparkSizeMiB } from '../../config/spark-units';
import { Corrections, isSparkInt, isStoredLong, NOT_A_LONG, NOT_AN_INT } from '../bounds';
import {
  ApplicationEndSchema,
  ApplicationStartSchema,
  BlockManagerAddedSchema,
  DbcMetadataSchema,
  EnvironmentUpdateSchema,
  EVENT_SCHEMAS,
  ExecutorAddedSchema,
  ExecutorRemovedSchema,
  JobEndSchema,
  JobStartSchema,
  LogStartSchema,
  StageEventSchema,
  StageExecutorMetricsSchema,
} from './events';
import { classifyTaskFailure, FAILURE_EXAMPLE_MAX_CHARS, failureMessage } from './failure';
import { durationQuantiles, NumberBuffer } from './quantiles';

/**
 * The `"Event"` values the folder reads (the keys of events.ts `EVENT_SCHEMAS`). Any other event is counted as ignored;
 * the reader may skip parsing lines of other events altogether.
 */
export const FOLDED_EVENTS: ReadonlySet<string> = new Set(Object.keys(EVENT_SCHEMAS));

/** What the folder needs to know about the log besides its events. */
export interface FolderOptions {
  /** From `EventLogSource.inProgress`: the log may still be written (then `completed` is false). */
  inProgress: boolean;
  /** App id to use when `SparkListenerApplicationStart` has no `App ID` (Spark 1.0): `EventLogSource.nameHint`. */
  fallbackAppId?: string;
  /** Spark version when the log has no `SparkListenerLogStart` (legacy `SPARK_VERSION_` marker). */
  sparkVersionHint?: string | null;
}

/** Numeric fields of a {@link StageRecord} that a task metric adds up into. */
type StageMetricField =
  | 'executorRunTimeMs'
  | 'executorCpuTimeMs'
  | 'jvmGcTimeMs'
  | 'inputBytes'
  | 'outputBytes'
  | 'shuffleReadBytes'
  | 'shuffleWriteBytes'
  | 'memoryBytesSpilled'
  | 'diskBytesSpilled'
  | 'peakExecutionMemoryBytes';
/** Numeric fields of an {@link ApplicationRecord} that a task metric adds up into. */
type AppMetricField =
  | 'executorRunTimeMs'
  | 'executorCpuTimeMs'
  | 'jvmGcTimeMs'
  | 'inputBytes'
  | 'outputBytes'
  | 'shuffleReadBytes'
  | 'shuffleWriteBytes'
  | 'memoryBytesSpilled'
  | 'diskBytesSpilled'
  | 'peakExecutionMemoryBytes';
/** Numeric fields of an {@link ExecutorRecord} that a task metric adds up into (over the tasks that ran on it). */
type ExecutorMetricField = 'executorRunTimeMs' | 'diskBytesSpilled' | 'memoryBytesSpilled';

/**
 * One figure of `SparkListenerTaskEnd`.`Task Metrics` that the fold adds up per stage, application and executor: the one
 * definition of which task metric becomes which record field, read by the fold below and by every other reader of event
 * logs (the Spark SQL of history/spark-engine/ derives its columns and aggregates from this list).
 */
export interface TaskMetric {
  /** Paths below `Task Metrics` (JSON field names as JsonProtocol writes them); a figure with several paths is their sum. */
  paths: readonly (readonly string[])[];
  /**
   * A time measured inside the task's life: at most its wall time (`Finish Time − Launch Time`, ms) × this factor
   * (1 for ms, 1e6 for ns), else clipped to it (bounds.ts). Null for figures with no such bound (bytes).
   */
  wallScale: number | null;
  /** How the tasks' values combine: summed, or the largest kept. */
  combine: 'sum' | 'max';
  /** The metric is in nanoseconds and its fields in milliseconds: the sum of the ns values / 1e6, rounded half up. */
  nanoseconds: boolean;
  stageField: StageMetricField;
  appField: AppMetricField;
  /** The executor's field, for the metrics an executor record keeps. */
  executorField: ExecutorMetricField | null;
}

const metric = (
  paths: string[][],
  stageField: StageMetricField,
  appField: AppMetricField,
  options: { wallScale?: number; combine?: 'max'; nanoseconds?: boolean; executorField?: ExecutorMetricField } = {},
): TaskMetric => ({
  paths,
  wallScale: options.wallScale ?? null,
  combine: options.combine ?? 'sum',
  nanoseconds: options.nanoseconds ?? false,
  stageField,
  appField,
  executorField: options.executorField ?? null,
});

/** The task metrics the fold reads, in the order {@link MetricSums} keeps them (JsonProtocol.scala `taskMetricsToJson`). */
export const TASK_METRICS: readonly TaskMetric[] = [
  metric([['Executor Run Time']], 'executorRunTimeMs', 'executorRunTimeMs', {
    wallScale: 1,
    executorField: 'executorRunTimeMs',
  }),
  metric([['Executor CPU Time']], 'executorCpuTimeMs', 'executorCpuTimeMs', { wallScale: 1e6, nanoseconds: true }),
  metric([['JVM GC Time']], 'jvmGcTimeMs', 'jvmGcTimeMs', { wallScale: 1 }),
  metric([['Memory Bytes Spilled']], 'memoryBytesSpilled', 'memoryBytesSpilled', {
    executorField: 'memoryBytesSpilled',
  }),
  metric([['Disk Bytes Spilled']], 'diskBytesSpilled', 'diskBytesSpilled', { executorField: 'diskBytesSpilled' }),
  metric([['Peak Execution Memory']], 'peakExecutionMemoryBytes', 'peakExecutionMemoryBytes', { combine: 'max' }),
  metric([['Input Metrics', 'Bytes Read']], 'inputBytes', 'inputBytes'),
  metric([['Output Metrics', 'Bytes Written']], 'outputBytes', 'outputBytes'),
  metric(
    [
      ['Shuffle Read Metrics', 'Remote Bytes Read'],
      ['Shuffle Read Metrics', 'Local Bytes Read'],
    ],
    'shuffleReadBytes',
    'shuffleReadBytes',
  ),
  metric([['Shuffle Write Metrics', 'Shuffle Bytes Written']], 'shuffleWriteBytes', 'shuffleWriteBytes'),
];

const NS_PER_MS = 1e6;

/**
 * The task metrics of a stage, an application or an executor, combined over its tasks by {@link TASK_METRICS}: sums are
 * exact (each value an integer within 2^53; a nanosecond metric is kept as whole milliseconds plus the remaining
 * nanoseconds, so its millisecond figure is the exact sum / 1e6 rounded half up, whatever the order of the tasks).
 */
export class MetricSums {
  /** Per metric: the sum (whole ms for nanosecond metrics) or the largest value. */
  private readonly totals = new Float64Array(TASK_METRICS.length);
  /** Per metric: the nanoseconds below a whole ms, summed (nanosecond metrics only). */
  private readonly remainders = new Float64Array(TASK_METRICS.length);

  /** Adds one task's values (index-aligned with {@link TASK_METRICS}, each an integer within 2^53). */
  add(values: Float64Array): void {
    for (let i = 0; i < TASK_METRICS.length; i++) {
      const m = TASK_METRICS[i];
      const v = values[i];
      if (m.combine === 'max') {
        if (v > this.totals[i]) this.totals[i] = v;
      } else if (m.nanoseconds) {
        const rest = v % NS_PER_MS;
        this.totals[i] += (v - rest) / NS_PER_MS;
        this.remainders[i] += rest;
      } else this.totals[i] += v;
    }
  }

  /**
   * Sums computed elsewhere (Spark SQL), exactly: each value the decimal text of an integer (a nanosecond metric in ns).
   * @param values index-aligned with {@link TASK_METRICS}.
   */
  static fromExact(values: readonly (string | number)[]): MetricSums {
    const s = new MetricSums();
    TASK_METRICS.forEach((m, i) => {
      if (m.nanoseconds) {
        const ns = BigInt(values[i]);
        s.totals[i] = Number(ns / BigInt(NS_PER_MS));
        s.remainders[i] = Number(ns % BigInt(NS_PER_MS));
      } else s.totals[i] = Number(values[i]);
    });
    return s;
  }

  /** The figure of metric `i` in the record's unit (ms for nanosecond metrics, rounded half up). */
  value(i: number): number {
    if (!TASK_METRICS[i].nanoseconds) return this.totals[i];
    const rest = this.remainders[i];
    const wholeMs = Math.floor(rest / NS_PER_MS);
    return this.totals[i] + wholeMs + (rest - wholeMs * NS_PER_MS >= NS_PER_MS / 2 ? 1 : 0);
  }
}

/** A stage being folded: what it becomes ({@link FoldedStage}), plus what is needed until it is summarised. */
interface StageState extends FoldedStage {
  /** Durations (ms) of successful tasks while the stage runs; null once summarised. */
  durations: NumberBuffer | null;
  /** `Launch Time` of the same tasks (index-aligned with `durations`); null once summarised. */
  launches: NumberBuffer | null;
  /** Seen in `SparkListenerStageSubmitted`/`Completed` (false: only task ends referred to it). */
  announced: boolean;
}

/** An executor being folded: its record with the optional fields made definite. */
type ExecutorState = Required<ExecutorRecord>;

type Json = Record<string, unknown>;

function asObj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

/** `SparkListenerTaskEnd` `Task Metrics` field names, for corrections. */
const TASK_METRICS_FIELD = 'SparkListenerTaskEnd Task Metrics';
/** The problem of a task time metric larger than the task's own wall time (bounds.ts). */
const ABOVE_TASK_WALL = "above the task's wall time (Finish Time − Launch Time)";

/** True for the driver's executor id: `driver` since Spark 2.4.1 (SPARK-27090), `<driver>` before. */
export function isDriverId(id: string): boolean {
  return id === 'driver' || id === '<driver>';
}

/** Parses an integer setting as Spark's `intConf` does (`trim.toInt`): digits only, else null. */
function parseIntSetting(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : null;
}

/** spark-submit options that take no value (SparkSubmitArguments / SparkSubmitOptionParser switches). */
const SUBMIT_SWITCHES = new Set(['--verbose', '-v', '--supervise', '--help', '-h', '--version', '--usage-error']);

/**
 * The primary resource of a `sun.java.command` line of spark-submit: the first argument after
 * `org.apache.spark.deploy.SparkSubmit` that is neither an option nor an option's value (every `--option` takes a
 * value except the switches; SparkSubmitOptionParser.java). `spark-shell`/`pyspark-shell` placeholders count as none.
 * @returns the path as written, or null when the command is not spark-submit or has no primary resource.
 */
export function sparkSubmitPrimaryResource(command: string): string | null {
  const words = command.trim().split(/\s+/);
  const at = words.indexOf('org.apache.spark.deploy.SparkSubmit');
  if (at < 0) return null;
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('-')) {
      if (!SUBMIT_SWITCHES.has(w) && !w.includes('=')) i++;
      continue;
    }
    return w === 'spark-shell' || w === 'pyspark-shell' || w === 'sparkr-shell' ? null : w;
  }
  return null;
}

function compareExecutorIds(a: ExecutorState, b: ExecutorState): number {
  if (a.isDriver !== b.isDriver) return a.isDriver ? -1 : 1;
  const na = Number(a.executorId);
  const nb = Number(b.executorId);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.executorId < b.executorId ? -1 : a.executorId > b.executorId ? 1 : 0;
}

/**
 * Folds listener events into one {@link ApplicationRecord}. Feed it every event of one log in order
 * with {@link add}, then call {@link finish} once.
 *
 * Never throws on event content: missing or mistyped fields read as absent (0 for metrics), unknown
 * events are counted as ignored, and oddities (a second `SparkListenerApplicationStart`, task ends of
 * a stage never submitted, task ends after their stage completed) become warnings.
 */
export class ApplicationFolder {
  private readonly options: FolderOptions;
  private sawStart = false;
  private appId: string | null = null;
  private attemptId: string | null = null;
  private appName = '';
  private user: string | null = null;
  private sparkVersion: string | null = null;
  private dbcSparkVersion: string | null = null;
  private startTimeMs: number | null = null;
  private endTimeMs: number | null = null;
  private exitCode: number | null = null;
  private lastTimestampMs = 0;
  private readonly props = new Map<string, string>();
  private mainResource: string | null = null;

  private readonly executors = new Map<string, ExecutorState>();
  private readonly alive = new Set<string>();
  private maxExecutors = 0;
  private totalExecutorsAdded = 0;

  private readonly stages = new Map<string, StageState>();
  private lastStage: StageState | null = null;
  private totalTasks = 0;
  private failedTasks = 0;
  private failedStages = 0;
  private totalJobs = 0;
  private failedJobs = 0;
  /** The application's task metrics. */
  private readonly sums = new MetricSums();
  /** One task's metric values (reused; index-aligned with TASK_METRICS). */
  private readonly taskValues = new Float64Array(TASK_METRICS.length);
  private readonly failures = new Map<string, TaskFailureGroup>();
  private readonly jobs = new Map<number, JobRecord>();

  private ignoredEvents = 0;
  private lateTaskEnds = 0;
  private orphanTaskEnds = 0;
  private readonly warnings: string[] = [];
  /** Impossible values met (bounds.ts): dropped, clipped or their event skipped, never folded as read. */
  private readonly corrections = new Corrections();
  /** Earliest valid timestamp seen (epoch ms), the start when `SparkListenerApplicationStart` has none. */
  private firstTimestampMs: number | null = null;

  constructor(options: FolderOptions) {
    this.options = options;
  }

  /** True once a `SparkListenerApplicationStart` was folded (without one the log describes no application). */
  get sawApplicationStart(): boolean {
    return this.sawStart;
  }

  /**
   * Folds one event.
   * @param event a parsed event-log line; anything but an object with a string `Event` is ignored (counted).
   * @param lineNo 1-based line number of the event in its log, for warnings.
   */
  add(event: unknown, lineNo: number): void {
    const e = asObj(event);
    const kind = e !== null ? e.Event : undefined;
    if (e === null || typeof kind !== 'string') {
      this.ignoredEvents++;
      return;
    }
    switch (kind) {
      case 'SparkListenerTaskEnd':
        this.onTaskEnd(e);
        return;
      case 'SparkListenerStageExecutorMetrics':
        this.onStageExecutorMetrics(e);
        return;
      case 'SparkListenerStageSubmitted':
        this.onStage(e, false);
        return;
      case 'SparkListenerStageCompleted':
        this.onStage(e, true);
        return;
      case 'SparkListenerJobStart': {
        const j = JobStartSchema.parse(e);
        this.totalJobs++;
        const submitted = this.time(j['Submission Time'], 'SparkListenerJobStart Submission Time');
        const id = this.int(j['Job ID'], 'SparkListenerJobStart Job ID');
        if (id !== undefined) {
          const sql = j.Properties?.['spark.sql.execution.id'];
          const sqlId =
            typeof sql === 'string' && /^\d+$/.test(sql.trim()) ? Number(sql.trim()) : isStoredLong(sql) ? sql : null;
          const job = this.job(id);
          job.submissionTimeMs = submitted ?? null;
          job.stageIds = this.ints(j['Stage IDs'], 'SparkListenerJobStart Stage IDs');
          job.sqlExecutionId = sqlId;
        }
        return;
      }
      case 'SparkListenerJobEnd': {
        const j = JobEndSchema.parse(e);
        const result = j['Job Result']?.Result;
        if (result !== undefined && result !== 'JobSucceeded') this.failedJobs++;
        let completed = this.time(j['Completion Time'], 'SparkListenerJobEnd Completion Time');
        const id = this.int(j['Job ID'], 'SparkListenerJobEnd Job ID');
        if (id !== undefined) {
          const job = this.job(id);
          if (completed !== undefined && job.submissionTimeMs !== null && completed < job.submissionTimeMs) {
            this.corrections.note(
              'SparkListenerJobEnd Completion Time',
              'before the job was submitted',
              'dropped',
              completed,
            );
            completed = undefined;
          }
          job.completionTimeMs = completed ?? null;
          job.result = result ?? null;
          const msg = j['Job Result']?.Exception?.Message;
          job.failureReason =
            result !== undefined && result !== 'JobSucceeded'
              ? (msg ?? result).slice(0, FAILURE_EXAMPLE_MAX_CHARS)
              : null;
        }
        return;
      }
      case 'SparkListenerExecutorAdded':
        this.onExecutorAdded(e);
        return;
      case 'SparkListenerExecutorRemoved':
        this.onExecutorRemoved(e);
        return;
      case 'SparkListenerBlockManagerAdded':
        this.onBlockManagerAdded(e);
        return;
      case 'SparkListenerEnvironmentUpdate': {
        const env = EnvironmentUpdateSchema.parse(e);
        const props = env['Spark Properties'];
        if (props) for (const [k, v] of Object.entries(props)) if (typeof v === 'string') this.props.set(k, v);
        const command = env['System Properties']?.['sun.java.command'];
        if (typeof command === 'string') this.mainResource = sparkSubmitPrimaryResource(command);
        return;
      }
      case 'SparkListenerApplicationStart':
        this.onApplicationStart(e, lineNo);
        return;
      case 'SparkListenerApplicationEnd': {
        const a = ApplicationEndSchema.parse(e);
        const ts = this.time(a.Timestamp, 'SparkListenerApplicationEnd Timestamp');
        if (ts !== undefined && this.startTimeMs !== null && ts < this.startTimeMs) {
          this.corrections.note(
            'SparkListenerApplicationEnd Timestamp',
            'before the application started',
            'dropped',
            ts,
          );
        } else if (ts !== undefined) this.endTimeMs = ts;
        if (a.ExitCode !== undefined) {
          // Exit codes are JVM Ints and may be negative (System.exit(-1)).
          if (Number.isInteger(a.ExitCode) && Math.abs(a.ExitCode) <= 2 ** 31) this.exitCode = a.ExitCode;
          else this.corrections.note('SparkListenerApplicationEnd ExitCode', 'not a JVM Int', 'dropped', a.ExitCode);
        }
        return;
      }
      case 'SparkListenerLogStart':
        this.sparkVersion = LogStartSchema.parse(e)['Spark Version'] ?? this.sparkVersion;
        return;
      case 'DBCEventLoggingListenerMetadata': {
        const d = DbcMetadataSchema.parse(e);
        this.dbcSparkVersion ??= d['Spark Version'] ?? null;
        return;
      }
      default:
        this.ignoredEvents++;
    }
  }

  private job(id: number): JobRecord {
    let job = this.jobs.get(id);
    if (job === undefined) {
      job = {
        jobId: id,
        submissionTimeMs: null,
        completionTimeMs: null,
        stageIds: [],
        result: null,
        failureReason: null,
        sqlExecutionId: null,
      };
      this.jobs.set(id, job);
    }
    return job;
  }

  /** Tracks the latest (and earliest) timestamp seen (epoch ms), for the duration of logs without an end. */
  private seen(ts: number | undefined | null): void {
    // 0 is Spark's "not set" (TaskInfo.finishTime before the task ends).
    if (typeof ts !== 'number' || ts <= 0) return;
    if (ts > this.lastTimestampMs) this.lastTimestampMs = ts;
    if (this.firstTimestampMs === null || ts < this.firstTimestampMs) this.firstTimestampMs = ts;
  }

  /**
   * A timestamp or `Long` metric as Spark writes it: undefined when absent; when present but not an integer in
   * [0, 2^53 − 1], counted as dropped and undefined. Timestamps are also tracked by {@link seen}.
   */
  private time(v: unknown, field: string): number | undefined {
    if (v === undefined) return undefined;
    if (!isStoredLong(v)) {
      this.corrections.note(field, NOT_A_LONG, 'dropped', v);
      return undefined;
    }
    this.seen(v);
    return v;
  }

  /** A `Long` metric (bytes, ms): as {@link time} but not a timestamp. */
  private long(v: unknown, field: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isStoredLong(v)) {
      this.corrections.note(field, NOT_A_LONG, 'dropped', v);
      return undefined;
    }
    return v;
  }

  /** An `Int` field (id, count, cores): undefined when absent; counted as dropped when not in [0, 2^31 − 1]. */
  private int(v: unknown, field: string): number | undefined {
    if (v === undefined) return undefined;
    if (!isSparkInt(v)) {
      this.corrections.note(field, NOT_AN_INT, 'dropped', v);
      return undefined;
    }
    return v;
  }

  /** A list of `Int` ids (`Parent IDs`, `Stage IDs`): the valid ones; each invalid one counted as dropped. */
  private ints(v: number[] | undefined, field: string): number[] {
    if (v === undefined) return [];
    const out: number[] = [];
    for (const x of v) {
      if (isSparkInt(x)) out.push(x);
      else this.corrections.note(field, NOT_AN_INT, 'dropped', x);
    }
    return out;
  }

  private onApplicationStart(e: Json, lineNo: number): void {
    if (this.sawStart) {
      this.warnings.push(`a second SparkListenerApplicationStart at line ${lineNo} was ignored`);
      return;
    }
    const a = ApplicationStartSchema.parse(e);
    this.sawStart = true;
    this.appId = a['App ID'] ?? null;
    this.attemptId = a['App Attempt ID'] ?? null;
    this.appName = a['App Name'] ?? '';
    this.user = a.User ?? null;
    this.startTimeMs = this.time(a.Timestamp, 'SparkListenerApplicationStart Timestamp') ?? null;
  }

  private executor(id: string, firstSeenMs: number): ExecutorState {
    let ex = this.executors.get(id);
    if (ex === undefined) {
      ex = {
        executorId: id,
        host: '',
        totalCores: 0,
        addTimeMs: firstSeenMs,
        removeTimeMs: null,
        removedReason: null,
        peakJvmHeapMemoryBytes: null,
        executorRunTimeMs: 0,
        isDriver: isDriverId(id),
        maxMemoryBytes: null,
        diskBytesSpilled: 0,
        memoryBytesSpilled: 0,
      };
      this.executors.set(id, ex);
    }
    return ex;
  }

  private onExecutorAdded(e: Json): void {
    const a = ExecutorAddedSchema.parse(e);
    const id = a['Executor ID'];
    if (id === undefined) return;
    const ts = this.time(a.Timestamp, 'SparkListenerExecutorAdded Timestamp') ?? 0;
    const ex = this.executor(id, ts);
    ex.addTimeMs = ts;
    ex.removeTimeMs = null;
    ex.removedReason = null;
    const info = a['Executor Info'];
    if (info?.Host !== undefined) ex.host = info.Host;
    const cores = this.int(info?.['Total Cores'], 'SparkListenerExecutorAdded Executor Info Total Cores');
    if (cores !== undefined) ex.totalCores = cores;
    if (ex.isDriver) return;
    this.totalExecutorsAdded++;
    this.alive.add(id);
    if (this.alive.size > this.maxExecutors) this.maxExecutors = this.alive.size;
  }

  private onExecutorRemoved(e: Json): void {
    const r = ExecutorRemovedSchema.parse(e);
    const id = r['Executor ID'];
    if (id === undefined) return;
    const ts = this.time(r.Timestamp, 'SparkListenerExecutorRemoved Timestamp');
    const ex = this.executor(id, ts ?? 0);
    ex.removeTimeMs = ts ?? null;
    ex.removedReason = r['Removed Reason'] ?? null;
    this.alive.delete(id);
  }

  private onBlockManagerAdded(e: Json): void {
    const b = BlockManagerAddedSchema.parse(e);
    const id = b['Block Manager ID']?.['Executor ID'];
    if (id === undefined) return;
    const ts = this.time(b.Timestamp, 'SparkListenerBlockManagerAdded Timestamp');
    const ex = this.executor(id, ts ?? 0);
    const host = b['Block Manager ID']?.Host;
    if (ex.host === '' && host !== undefined) ex.host = host;
    const max = this.long(b['Maximum Memory'], 'SparkListenerBlockManagerAdded Maximum Memory');
    if (max !== undefined) ex.maxMemoryBytes = max;
  }

  private onStageExecutorMetrics(e: Json): void {
    const m = StageExecutorMetricsSchema.parse(e);
    const id = m['Executor ID'];
    const heap = this.long(
      m['Executor Metrics']?.JVMHeapMemory,
      'SparkListenerStageExecutorMetrics Executor Metrics JVMHeapMemory',
    );
    // 0 means "never sampled" (Spark writes zero peaks when no heartbeat carried metrics).
    if (id === undefined || heap === undefined || heap <= 0) return;
    const ex = this.executor(id, 0);
    if (ex.peakJvmHeapMemoryBytes === null || heap > ex.peakJvmHeapMemoryBytes) ex.peakJvmHeapMemoryBytes = heap;
  }

  private stage(stageId: number, attemptId: number): StageState {
    const last = this.lastStage;
    if (last !== null && last.stageId === stageId && last.attemptId === attemptId) return last;
    const key = `${stageId}.${attemptId}`;
    let s = this.stages.get(key);
    if (s === undefined) {
      s = {
        stageId,
        attemptId,
        name: '',
        numTasks: 0,
        parentIds: [],
        submissionTimeMs: null,
        completionTimeMs: null,
        failureReason: null,
        succeededTasks: 0,
        failedTasks: 0,
        sums: new MetricSums(),
        durations: new NumberBuffer(),
        launches: new NumberBuffer(),
        taskDurationsMs: [],
        quantiles: null,
        durationCount: 0,
        announced: false,
      };
      this.stages.set(key, s);
    }
    this.lastStage = s;
    return s;
  }

  private onStage(e: Json, completed: boolean): void {
    const event = completed ? 'SparkListenerStageCompleted' : 'SparkListenerStageSubmitted';
    const info = StageEventSchema.parse(e)['Stage Info'];
    if (info === undefined || info['Stage ID'] === undefined) {
      this.ignoredEvents++;
      return;
    }
    if (!isSparkInt(info['Stage ID'])) {
      this.corrections.note(`${event} Stage Info Stage ID`, NOT_AN_INT, 'event-skipped', info['Stage ID']);
      return;
    }
    const s = this.stage(
      info['Stage ID'],
      this.int(info['Stage Attempt ID'], `${event} Stage Info Stage Attempt ID`) ?? 0,
    );
    s.announced = true;
    if (info['Stage Name'] !== undefined) s.name = info['Stage Name'];
    const numTasks = this.int(info['Number of Tasks'], `${event} Stage Info Number of Tasks`);
    if (numTasks !== undefined) s.numTasks = numTasks;
    if (info['Parent IDs'] !== undefined) s.parentIds = this.ints(info['Parent IDs'], `${event} Stage Info Parent IDs`);
    const submitted = this.time(info['Submission Time'], `${event} Stage Info Submission Time`);
    if (submitted !== undefined) s.submissionTimeMs = submitted;
    if (!completed) return;
    const done = this.time(info['Completion Time'], `${event} Stage Info Completion Time`);
    if (done !== undefined && s.submissionTimeMs !== null && done < s.submissionTimeMs) {
      this.corrections.note(`${event} Stage Info Completion Time`, 'before the stage was submitted', 'dropped', done);
    } else if (done !== undefined) s.completionTimeMs = done;
    if (info['Failure Reason'] !== undefined && s.failureReason === null) {
      s.failureReason = info['Failure Reason'];
      this.failedStages++;
    }
    this.summarise(s);
  }

  /** Computes the stage's duration quantiles and launch-ordered durations, and frees its buffers. */
  private summarise(s: StageState): void {
    if (s.durations === null || s.launches === null) return;
    if (s.durations.length > 0) {
      s.taskDurationsMs = inLaunchOrder(s.durations.values(), s.launches.values());
      s.quantiles = durationQuantiles(s.durations.sorted());
    }
    s.durations = null;
    s.launches = null;
  }

  private onTaskEnd(e: Json): void {
    const sid = e['Stage ID'];
    if (!isSparkInt(sid)) {
      // Without its stage a task end cannot be placed (an empty `{"Event":"SparkListenerTaskEnd"}` once made a stage −1).
      this.corrections.note(
        'SparkListenerTaskEnd Stage ID',
        sid === undefined ? 'absent' : NOT_AN_INT,
        'event-skipped',
        sid,
      );
      return;
    }
    this.totalTasks++;
    const s = this.stage(sid, this.int(e['Stage Attempt ID'], 'SparkListenerTaskEnd Stage Attempt ID') ?? 0);
    if (!s.announced && s.succeededTasks + s.failedTasks === 0) this.orphanTaskEnds++;

    const info = asObj(e['Task Info']);
    const executorId = info !== null && typeof info['Executor ID'] === 'string' ? info['Executor ID'] : null;
    const launch =
      info !== null ? this.time(info['Launch Time'], 'SparkListenerTaskEnd Task Info Launch Time') : undefined;
    const finish =
      info !== null ? this.time(info['Finish Time'], 'SparkListenerTaskEnd Task Info Finish Time') : undefined;
    let wallMs =
      launch !== undefined && finish !== undefined && finish >= launch && launch > 0 ? finish - launch : null;
    // A task runs inside its application: its wall time cannot exceed how long the application has run so far.
    if (wallMs !== null && this.startTimeMs !== null && wallMs > this.lastTimestampMs - this.startTimeMs) {
      this.corrections.note(
        'SparkListenerTaskEnd Task Info Launch Time',
        'longer before Finish Time than the application had run',
        'dropped',
        launch,
      );
      wallMs = null;
    }

    const reasonObj = asObj(e['Task End Reason']);
    let reason: string;
    if (reasonObj !== null) reason = typeof reasonObj.Reason === 'string' ? reasonObj.Reason : 'UnknownReason';
    else reason = info !== null && info.Failed === true ? 'UnknownReason' : 'Success';

    if (reason === 'Success') {
      s.succeededTasks++;
      if (wallMs !== null && launch !== undefined) {
        const d = wallMs;
        s.durationCount++;
        if (s.durations !== null && s.launches !== null) {
          s.durations.push(d);
          s.launches.push(launch);
        } else {
          s.taskDurationsMs.push(d);
          // A task end after its stage completed (speculative copy): keep counts right, widen min/max only.
          this.lateTaskEnds++;
          s.quantiles = withLateTask(s.quantiles, d);
        }
      }
    } else {
      s.failedTasks++;
      this.failedTasks++;
      this.addFailure(reason, reasonObj);
    }

    const ex = executorId !== null ? this.executor(executorId, typeof launch === 'number' ? launch : 0) : null;
    const m = asObj(e['Task Metrics']);
    if (m !== null) {
      const values = this.taskMetrics(m, wallMs);
      s.sums.add(values);
      this.sums.add(values);
      if (ex !== null) {
        for (let i = 0; i < TASK_METRICS.length; i++) {
          const field = TASK_METRICS[i].executorField;
          if (field !== null) ex[field] += values[i];
        }
      }
    }

    if (ex !== null) {
      const tem = asObj(e['Task Executor Metrics']);
      const heap =
        tem !== null
          ? this.long(tem.JVMHeapMemory, 'SparkListenerTaskEnd Task Executor Metrics JVMHeapMemory')
          : undefined;
      if (heap !== undefined && heap > 0 && (ex.peakJvmHeapMemoryBytes === null || heap > ex.peakJvmHeapMemoryBytes))
        ex.peakJvmHeapMemoryBytes = heap;
    }
  }

  /**
   * The metrics of one task end ({@link TASK_METRICS}), each a `Long` within 2^53 (else dropped, counted) and its times
   * within the task's wall time when that is known (else clipped to it, counted); bounds.ts gives the sources.
   * @param wallMs `Finish Time − Launch Time` of the task, or null when unknown.
   * @returns the values, index-aligned with TASK_METRICS (0 when absent or dropped); the array is reused by the next call.
   */
  private taskMetrics(m: Json, wallMs: number | null): Float64Array {
    const out = this.taskValues;
    for (let i = 0; i < TASK_METRICS.length; i++) {
      const tm = TASK_METRICS[i];
      let v = 0;
      for (const path of tm.paths) {
        let o: Json | null = m;
        for (let k = 0; k < path.length - 1 && o !== null; k++) o = asObj(o[path[k]]);
        const key = path[path.length - 1];
        if (o !== null) v += this.long(o[key], `${TASK_METRICS_FIELD} ${path.join(' ')}`) ?? 0;
      }
      if (tm.wallScale !== null && wallMs !== null && v > wallMs * tm.wallScale) {
        this.corrections.note(`${TASK_METRICS_FIELD} ${tm.paths[0].join(' ')}`, ABOVE_TASK_WALL, 'clipped', v);
        v = wallMs * tm.wallScale;
      }
      out[i] = v;
    }
    return out;
  }

  private addFailure(reason: string, reasonObj: Json | null): void {
    addTaskFailure(this.failures, reason, reasonObj, 1);
  }

  /**
   * Ends folding: summarises stages still open and builds the record. Adds the folder's ignored-event
   * count and warnings to `stats`. Call once, after the last `add`.
   * @param stats the reader's counters (mutated: `ignoredEvents`, `warnings`).
   * @returns the record; when no `SparkListenerApplicationStart` was seen (see {@link sawApplicationStart})
   *   its `appId` falls back to the file name hint and `startTimeMs` is 0.
   */
  finish(stats: ReadStats): ApplicationRecord {
    stats.ignoredEvents += this.ignoredEvents;
    this.warnings.push(...foldWarnings(this.orphanTaskEnds, this.lateTaskEnds));
    stats.warnings.push(...this.warnings);
    stats.corrections.push(...this.corrections.list());
    for (const s of this.stages.values()) this.summarise(s);
    return applicationRecord(
      {
        appId: this.appId,
        attemptId: this.attemptId,
        appName: this.appName,
        user: this.user,
        sparkVersion: this.sparkVersion,
        dbcSparkVersion: this.dbcSparkVersion,
        sawStart: this.sawStart,
        startTimeMs: this.startTimeMs,
        firstTimestampMs: this.firstTimestampMs,
        lastTimestampMs: this.lastTimestampMs,
        endTimeMs: this.endTimeMs,
        exitCode: this.exitCode,
        properties: this.props,
        mainResource: this.mainResource,
        maxExecutors: this.maxExecutors,
        totalExecutorsAdded: this.totalExecutorsAdded,
        totalTasks: this.totalTasks,
        failedTasks: this.failedTasks,
        failedStages: this.failedStages,
        totalJobs: this.totalJobs,
        failedJobs: this.failedJobs,
        sums: this.sums,
        stages: [...this.stages.values()],
        executors: [...this.executors.values()],
        failures: [...this.failures.values()],
        jobs: [...this.jobs.values()],
      },
      this.options,
    );
  }
}

/** One stage attempt as folded, before it becomes a {@link StageRecord}. */
export interface FoldedStage extends Pick<
  StageRecord,
  | 'stageId'
  | 'attemptId'
  | 'name'
  | 'numTasks'
  | 'parentIds'
  | 'submissionTimeMs'
  | 'completionTimeMs'
  | 'failureReason'
  | 'succeededTasks'
  | 'failedTasks'
> {
  /** Its tasks' metrics. */
  sums: MetricSums;
  /** Durations of its successful tasks in launch order, late ones appended ({@link inLaunchOrder}, {@link withLateTask}). */
  taskDurationsMs: number[];
  /** Quantiles of the durations of the tasks that ended before the stage completed, widened by later ones; null when none. */
  quantiles: DurationQuantilesMs | null;
  /** Successful tasks with a usable duration, late ones included. */
  durationCount: number;
}

/**
 * What folding one application's events gives, before it becomes an {@link ApplicationRecord}: the event-log fold
 * ({@link ApplicationFolder}) and the Spark SQL fold (history/spark-engine/) both produce it, and {@link applicationRecord}
 * alone turns it into the record, so settings, executor order, core time and the rest are derived in one place.
 */
export interface FoldedApplication {
  /** Of the first `SparkListenerApplicationStart`. */
  appId: string | null;
  attemptId: string | null;
  appName: string;
  user: string | null;
  /** `SparkListenerLogStart`.`Spark Version`, null when absent. */
  sparkVersion: string | null;
  /** The first `DBCEventLoggingListenerMetadata`.`Spark Version`, null when absent. */
  dbcSparkVersion: string | null;
  /** A `SparkListenerApplicationStart` was seen. */
  sawStart: boolean;
  /** Its valid `Timestamp`, epoch ms, else null. */
  startTimeMs: number | null;
  /** Earliest and latest valid timestamp the fold saw (epoch ms; 0 = none for the latest). */
  firstTimestampMs: number | null;
  lastTimestampMs: number;
  /** The `SparkListenerApplicationEnd`.`Timestamp` kept (epoch ms), else null. */
  endTimeMs: number | null;
  exitCode: number | null;
  /** `Spark Properties` of every `SparkListenerEnvironmentUpdate`, the last value of each key, in first-seen key order. */
  properties: ReadonlyMap<string, string>;
  mainResource: string | null;
  maxExecutors: number;
  totalExecutorsAdded: number;
  totalTasks: number;
  failedTasks: number;
  failedStages: number;
  totalJobs: number;
  failedJobs: number;
  /** The application's task metrics. */
  sums: MetricSums;
  /** Stage attempts in first-seen order. */
  stages: FoldedStage[];
  /** Executors (and the driver) in first-seen order. */
  executors: Required<ExecutorRecord>[];
  /** Task-failure groups in first-seen order. */
  failures: TaskFailureGroup[];
  jobs: JobRecord[];
}

/**
 * The warnings a fold gives besides corrections: task ends of stages never announced, successful task ends after their
 * stage completed.
 * @param orphanStages stage attempts whose first task end came before any `SparkListenerStageSubmitted`/`Completed`.
 * @param lateTaskEnds successful task ends with a duration that came after their stage's first `SparkListenerStageCompleted`.
 */
export function foldWarnings(orphanStages: number, lateTaskEnds: number): string[] {
  const out: string[] = [];
  if (orphanStages > 0)
    out.push(
      `${orphanStages} stage attempt(s) had task ends but no SparkListenerStageSubmitted/Completed (events dropped by the listener bus?)`,
    );
  if (lateTaskEnds > 0)
    out.push(
      `${lateTaskEnds} successful task end(s) came after their stage completed; they widen min/max but not the other quantiles`,
    );
  return out;
}

/**
 * Durations in the order their tasks launched (`Launch Time`), ties in the order given (the order the task ends were
 * logged): the stage's `taskDurationsMs` before any late task.
 * @param durations ms, in log order.
 * @param launches `Launch Time` of the same tasks (index-aligned), epoch ms.
 */
export function inLaunchOrder(durations: ArrayLike<number>, launches: ArrayLike<number>): number[] {
  const idx = Array.from({ length: durations.length }, (_, i) => i);
  // Stable sort: ties keep the order the task ends were logged.
  idx.sort((a, b) => launches[a] - launches[b]);
  return idx.map((i) => durations[i]);
}

/**
 * The quantiles after one more successful task that ended after its stage completed (a speculative copy): only min and
 * max widen; with no quantiles yet, every quantile is that duration.
 * @param q the stage's quantiles so far (not changed), or null.
 * @param d the task's duration, ms.
 */
export function withLateTask(q: DurationQuantilesMs | null, d: number): DurationQuantilesMs {
  if (q === null) return { min: d, p25: d, median: d, p75: d, p95: d, max: d };
  return { ...q, min: Math.min(q.min, d), max: Math.max(q.max, d) };
}

/**
 * Builds the record of one folded application: stages and executors ordered, settings read from the properties, the
 * executors' core time and peak heap, `executorCores` from the most common executor size when unset. Used by every fold.
 * @param f the folded application.
 * @param options the source's facts (in progress, fallback app id, version hint).
 * @returns the record; without a `SparkListenerApplicationStart` its `appId` falls back to the name hint and `startTimeMs` is 0.
 */
export function applicationRecord(f: FoldedApplication, options: FolderOptions): ApplicationRecord {
  const stages: StageRecord[] = f.stages.map((s) => {
    const q = s.quantiles;
    const stage = {
      stageId: s.stageId,
      attemptId: s.attemptId,
      name: s.name,
      numTasks: s.numTasks,
      parentIds: s.parentIds,
      submissionTimeMs: s.submissionTimeMs,
      completionTimeMs: s.completionTimeMs,
      failureReason: s.failureReason,
      succeededTasks: s.succeededTasks,
      failedTasks: s.failedTasks,
      taskDurationMs: q,
      skewRatio: q !== null && s.durationCount >= 2 && q.median > 0 ? q.max / q.median : null,
    } as StageRecord;
    TASK_METRICS.forEach((m, i) => (stage[m.stageField] = s.sums.value(i)));
    stage.taskDurationsMs = s.taskDurationsMs;
    return stage;
  });
  stages.sort((a, b) => a.stageId - b.stageId || a.attemptId - b.attemptId);

  // Without a valid start timestamp the earliest event time is the best lower bound of the start.
  const startTimeMs = f.startTimeMs ?? (f.sawStart ? (f.firstTimestampMs ?? 0) : 0);
  const endRefMs = f.endTimeMs ?? Math.max(f.lastTimestampMs, startTimeMs);
  const states = [...f.executors].sort(compareExecutorIds);
  // In local mode (`local`, `local[N]`, not `local-cluster[…]`) the driver JVM runs the tasks: its heap is the executor heap.
  const prop = (k: string): string | undefined => f.properties.get(k);
  const master = prop('spark.master') ?? '';
  const localMode = master === 'local' || master.startsWith('local[');
  let executorCoreTimeMs = 0;
  let peakJvmHeapMemoryBytes: number | null = null;
  const coreCounts = new Map<number, number>();
  const executors: ExecutorRecord[] = states.map((x) => {
    if (x.isDriver && localMode && x.peakJvmHeapMemoryBytes !== null) {
      if (peakJvmHeapMemoryBytes === null || x.peakJvmHeapMemoryBytes > peakJvmHeapMemoryBytes)
        peakJvmHeapMemoryBytes = x.peakJvmHeapMemoryBytes;
    }
    if (!x.isDriver) {
      const until = x.removeTimeMs ?? endRefMs;
      if (x.totalCores > 0 && x.addTimeMs > 0 && until > x.addTimeMs)
        executorCoreTimeMs += (until - x.addTimeMs) * x.totalCores;
      if (
        x.peakJvmHeapMemoryBytes !== null &&
        (peakJvmHeapMemoryBytes === null || x.peakJvmHeapMemoryBytes > peakJvmHeapMemoryBytes)
      ) {
        peakJvmHeapMemoryBytes = x.peakJvmHeapMemoryBytes;
      }
      if (x.totalCores > 0) coreCounts.set(x.totalCores, (coreCounts.get(x.totalCores) ?? 0) + 1);
    }
    return {
      executorId: x.executorId,
      host: x.host,
      totalCores: x.totalCores,
      addTimeMs: x.addTimeMs,
      removeTimeMs: x.removeTimeMs,
      removedReason: x.removedReason,
      peakJvmHeapMemoryBytes: x.peakJvmHeapMemoryBytes,
      executorRunTimeMs: x.executorRunTimeMs,
      isDriver: x.isDriver,
      maxMemoryBytes: x.maxMemoryBytes,
      diskBytesSpilled: x.diskBytesSpilled,
      memoryBytesSpilled: x.memoryBytesSpilled,
    };
  });

  let executorCores = parseIntSetting(prop('spark.executor.cores'));
  if (executorCores === null && coreCounts.size > 0) {
    let best = 0;
    for (const [cores, count] of coreCounts) if (count > (coreCounts.get(best) ?? 0)) best = cores;
    executorCores = best;
  }

  const record = {
    appId: f.appId ?? options.fallbackAppId ?? '',
    // An empty App Attempt ID is no attempt id: the store keys "no attempt" as '' (store/record-columns.ts ATTEMPT),
    // so '' and null are one attempt and read back as null.
    attemptId: f.attemptId === '' ? null : f.attemptId,
    appName: f.appName,
    user: f.user,
    sparkVersion: f.sparkVersion ?? f.dbcSparkVersion ?? options.sparkVersionHint ?? null,
    master: prop('spark.master') ?? null,
    submitTimeMs: parseIntSetting(prop('spark.app.submitTime')),
    startTimeMs,
    endTimeMs: f.endTimeMs,
    durationMs: Math.max(0, endRefMs - startTimeMs),
    completed: !options.inProgress && f.endTimeMs !== null,
    exitCode: f.exitCode,
    executorCores,
    executorMemoryMiB: parseSparkSizeMiB(prop('spark.executor.memory')),
    // `spark.yarn.executor.memoryOverhead` is the pre-2.3 name Spark still honours
    // (SparkConf.scala `configsWithAlternatives`).
    memoryOverheadMiB: parseSparkSizeMiB(
      prop('spark.executor.memoryOverhead') ?? prop('spark.yarn.executor.memoryOverhead'),
    ),
    maxExecutors: f.maxExecutors,
    totalExecutorsAdded: f.totalExecutorsAdded,
    executorInstances: parseIntSetting(prop('spark.executor.instances')),
    driverMemoryMiB: parseSparkSizeMiB(prop('spark.driver.memory')),
    driverCores: parseIntSetting(prop('spark.driver.cores')),
    shufflePartitions: parseIntSetting(prop('spark.sql.shuffle.partitions')),
    dynamicAllocationEnabled: (prop('spark.dynamicAllocation.enabled') ?? '').trim().toLowerCase() === 'true',
    dynamicAllocationMinExecutors: parseIntSetting(prop('spark.dynamicAllocation.minExecutors')),
    dynamicAllocationMaxExecutors: parseIntSetting(prop('spark.dynamicAllocation.maxExecutors')),
    mainResource: f.mainResource,
    sparkProperties: Object.fromEntries(f.properties),
    totalTasks: f.totalTasks,
    failedTasks: f.failedTasks,
    totalStages: stages.length,
    failedStages: f.failedStages,
    totalJobs: f.totalJobs,
    failedJobs: f.failedJobs,
    peakJvmHeapMemoryBytes,
    executorCoreTimeMs,
    stages,
    executors,
    taskFailures: [...f.failures].sort((a, b) => b.count - a.count),
    jobs: [...f.jobs].sort((a, b) => a.jobId - b.jobId),
  } as ApplicationRecord;
  TASK_METRICS.forEach((m, i) => (record[m.appField] = f.sums.value(i)));
  return record;
}

/**
 * Counts failed task ends into their group by reason and kind (failure.ts): the first message seen is the group's example.
 * @param groups the groups so far, in first-seen order (mutated).
 * @param reason `Task End Reason`.`Reason`.
 * @param reasonObj the `Task End Reason` object, or null when the task end has none.
 * @param count how many task ends with this very reason object.
 */
export function addTaskFailure(
  groups: Map<string, TaskFailureGroup>,
  reason: string,
  reasonObj: Record<string, unknown> | null,
  count: number,
): void {
  const message = reasonObj !== null ? failureMessage(reasonObj) : reason;
  const trace =
    reasonObj !== null && typeof reasonObj['Full Stack Trace'] === 'string' ? reasonObj['Full Stack Trace'] : undefined;
  const kind = classifyTaskFailure(reason, message, trace);
  const key = `${reason}\u0000${kind}`;
  const g = groups.get(key);
  if (g !== undefined) g.count += count;
  else groups.set(key, { reason, kind, count, example: message.slice(0, FAILURE_EXAMPLE_MAX_CHARS) });
}
