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
 * The `"Event"` values the folder reads. Any other event is counted as ignored; the reader may skip
 * parsing lines of other events altogether.
 */
export const FOLDED_EVENTS: ReadonlySet<string> = new Set([
  'SparkListenerLogStart',
  'DBCEventLoggingListenerMetadata',
  'SparkListenerEnvironmentUpdate',
  'SparkListenerApplicationStart',
  'SparkListenerApplicationEnd',
  'SparkListenerExecutorAdded',
  'SparkListenerExecutorRemoved',
  'SparkListenerBlockManagerAdded',
  'SparkListenerStageSubmitted',
  'SparkListenerStageCompleted',
  'SparkListenerTaskEnd',
  'SparkListenerJobStart',
  'SparkListenerJobEnd',
  'SparkListenerStageExecutorMetrics',
]);

/** What the folder needs to know about the log besides its events. */
export interface FolderOptions {
  /** From `EventLogSource.inProgress`: the log may still be written (then `completed` is false). */
  inProgress: boolean;
  /** App id to use when `SparkListenerApplicationStart` has no `App ID` (Spark 1.0): `EventLogSource.nameHint`. */
  fallbackAppId?: string;
  /** Spark version when the log has no `SparkListenerLogStart` (legacy `SPARK_VERSION_` marker). */
  sparkVersionHint?: string | null;
}

/** Values of one `SparkListenerTaskEnd`'s `Task Metrics`, each bounded (bounds.ts); 0 when absent or dropped. */
interface TaskMetricValues {
  runTime: number;
  cpuMs: number;
  gc: number;
  memSpill: number;
  diskSpill: number;
  peak: number;
  input: number;
  output: number;
  shuffleRead: number;
  shuffleWrite: number;
}

/** A stage being folded: the record's fields, plus what is needed until it is summarised. */
interface StageState extends Omit<StageRecord, 'taskDurationMs' | 'skewRatio' | 'taskDurationsMs'> {
  /** Durations (ms) of successful tasks while the stage runs; null once summarised. */
  durations: NumberBuffer | null;
  /** `Launch Time` of the same tasks (index-aligned with `durations`); null once summarised. */
  launches: NumberBuffer | null;
  /** Durations of successful tasks in launch order, set when summarised (late task ends appended). */
  ordered: number[];
  quantiles: DurationQuantilesMs | null;
  /** Successful tasks with a usable duration (`Launch Time` and `Finish Time`). */
  durationCount: number;
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
const TASK_METRICS = 'SparkListenerTaskEnd Task Metrics';
/** The problem of a task time metric larger than the task's own wall time (bounds.ts). */
const ABOVE_TASK_WALL = "above the task's wall time (Finish Time − Launch Time)";

/** `driver` since Spark 2.4.1 (SPARK-27090), `<driver>` before. */
function isDriverId(id: string): boolean {
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
  private executorRunTimeMs = 0;
  private cpuTimeMs = 0;
  private jvmGcTimeMs = 0;
  private inputBytes = 0;
  private outputBytes = 0;
  private shuffleReadBytes = 0;
  private shuffleWriteBytes = 0;
  private memorySpilledBytes = 0;
  private diskSpilledBytes = 0;
  private peakExecutionMemoryBytes = 0;
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
          const sqlId = typeof sql === 'string' && /^\d+$/.test(sql.trim()) ? Number(sql.trim()) : isStoredLong(sql) ? sql : null;
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
            this.corrections.note('SparkListenerJobEnd Completion Time', 'before the job was submitted', 'dropped', completed);
            completed = undefined;
          }
          job.completionTimeMs = completed ?? null;
          job.result = result ?? null;
          const msg = j['Job Result']?.Exception?.Message;
          job.failureReason = result !== undefined && result !== 'JobSucceeded' ? (msg ?? result).slice(0, FAILURE_EXAMPLE_MAX_CHARS) : null;
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
          this.corrections.note('SparkListenerApplicationEnd Timestamp', 'before the application started', 'dropped', ts);
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
      job = { jobId: id, submissionTimeMs: null, completionTimeMs: null, stageIds: [], result: null, failureReason: null, sqlExecutionId: null };
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
        peakJvmHeapBytes: null,
        taskTimeMs: 0,
        isDriver: isDriverId(id),
        maxMemoryBytes: null,
        diskSpilledBytes: 0,
        memorySpilledBytes: 0,
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
    const heap = this.long(m['Executor Metrics']?.JVMHeapMemory, 'SparkListenerStageExecutorMetrics Executor Metrics JVMHeapMemory');
    // 0 means "never sampled" (Spark writes zero peaks when no heartbeat carried metrics).
    if (id === undefined || heap === undefined || heap <= 0) return;
    const ex = this.executor(id, 0);
    if (ex.peakJvmHeapBytes === null || heap > ex.peakJvmHeapBytes) ex.peakJvmHeapBytes = heap;
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
        executorRunTimeMs: 0,
        executorCpuTimeMs: 0,
        jvmGcTimeMs: 0,
        inputBytes: 0,
        outputBytes: 0,
        shuffleReadBytes: 0,
        shuffleWriteBytes: 0,
        memorySpilledBytes: 0,
        diskSpilledBytes: 0,
        peakExecutionMemoryBytes: 0,
        durations: new NumberBuffer(),
        launches: new NumberBuffer(),
        ordered: [],
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
    const s = this.stage(info['Stage ID'], this.int(info['Stage Attempt ID'], `${event} Stage Info Stage Attempt ID`) ?? 0);
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
    const n = s.durations.length;
    if (n > 0) {
      const d = s.durations.values();
      const l = s.launches.values();
      const idx = Array.from({ length: n }, (_, i) => i);
      // Stable sort: ties keep the order the task ends were logged.
      idx.sort((a, b) => l[a] - l[b]);
      s.ordered = idx.map((i) => d[i]);
      s.quantiles = durationQuantiles(s.durations.sorted());
    }
    s.durations = null;
    s.launches = null;
  }

  private onTaskEnd(e: Json): void {
    const sid = e['Stage ID'];
    if (!isSparkInt(sid)) {
      // Without its stage a task end cannot be placed (an empty `{"Event":"SparkListenerTaskEnd"}` once made a stage −1).
      this.corrections.note('SparkListenerTaskEnd Stage ID', sid === undefined ? 'absent' : NOT_AN_INT, 'event-skipped', sid);
      return;
    }
    this.totalTasks++;
    const s = this.stage(sid, this.int(e['Stage Attempt ID'], 'SparkListenerTaskEnd Stage Attempt ID') ?? 0);
    if (!s.announced && s.succeededTasks + s.failedTasks === 0) this.orphanTaskEnds++;

    const info = asObj(e['Task Info']);
    const executorId = info !== null && typeof info['Executor ID'] === 'string' ? info['Executor ID'] : null;
    const launch = info !== null ? this.time(info['Launch Time'], 'SparkListenerTaskEnd Task Info Launch Time') : undefined;
    const finish = info !== null ? this.time(info['Finish Time'], 'SparkListenerTaskEnd Task Info Finish Time') : undefined;
    let wallMs = launch !== undefined && finish !== undefined && finish >= launch && launch > 0 ? finish - launch : null;
    // A task runs inside its application: its wall time cannot exceed how long the application has run so far.
    if (wallMs !== null && this.startTimeMs !== null && wallMs > this.lastTimestampMs - this.startTimeMs) {
      this.corrections.note('SparkListenerTaskEnd Task Info Launch Time', 'longer before Finish Time than the application had run', 'dropped', launch);
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
          s.ordered.push(d);
          // A task end after its stage completed (speculative copy): keep counts right, widen min/max only.
          this.lateTaskEnds++;
          if (s.quantiles === null) s.quantiles = { min: d, p25: d, median: d, p75: d, p95: d, max: d };
          else {
            if (d < s.quantiles.min) s.quantiles.min = d;
            if (d > s.quantiles.max) s.quantiles.max = d;
          }
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
      const { runTime, cpuMs, gc, memSpill, diskSpill, peak, input, output, shuffleRead, shuffleWrite } = this.taskMetrics(m, wallMs);

      s.executorRunTimeMs += runTime;
      s.executorCpuTimeMs += cpuMs;
      s.jvmGcTimeMs += gc;
      s.inputBytes += input;
      s.outputBytes += output;
      s.shuffleReadBytes += shuffleRead;
      s.shuffleWriteBytes += shuffleWrite;
      s.memorySpilledBytes += memSpill;
      s.diskSpilledBytes += diskSpill;
      if (peak > s.peakExecutionMemoryBytes) s.peakExecutionMemoryBytes = peak;

      this.executorRunTimeMs += runTime;
      this.cpuTimeMs += cpuMs;
      this.jvmGcTimeMs += gc;
      this.inputBytes += input;
      this.outputBytes += output;
      this.shuffleReadBytes += shuffleRead;
      this.shuffleWriteBytes += shuffleWrite;
      this.memorySpilledBytes += memSpill;
      this.diskSpilledBytes += diskSpill;
      if (peak > this.peakExecutionMemoryBytes) this.peakExecutionMemoryBytes = peak;
      if (ex !== null) {
        ex.taskTimeMs += runTime;
        ex.diskSpilledBytes += diskSpill;
        ex.memorySpilledBytes += memSpill;
      }
    }

    if (ex !== null) {
      const tem = asObj(e['Task Executor Metrics']);
      const heap = tem !== null ? this.long(tem.JVMHeapMemory, 'SparkListenerTaskEnd Task Executor Metrics JVMHeapMemory') : undefined;
      if (heap !== undefined && heap > 0 && (ex.peakJvmHeapBytes === null || heap > ex.peakJvmHeapBytes)) ex.peakJvmHeapBytes = heap;
    }
  }

  /**
   * The metrics of one task end, each a `Long` within 2^53 (else dropped, counted) and its times within the task's wall
   * time when that is known (else clipped to it, counted); bounds.ts gives the sources.
   * @param wallMs `Finish Time − Launch Time` of the task, or null when unknown.
   */
  private taskMetrics(m: Json, wallMs: number | null): TaskMetricValues {
    const long = (o: Json | null, key: string, path: string): number => (o === null ? 0 : (this.long(o[key], `${TASK_METRICS} ${path}${key}`) ?? 0));
    const clip = (v: number, key: string, scale = 1): number => {
      if (wallMs === null || v <= wallMs * scale) return v;
      this.corrections.note(`${TASK_METRICS} ${key}`, ABOVE_TASK_WALL, 'clipped', v);
      return wallMs * scale;
    };
    const inM = asObj(m['Input Metrics']);
    const outM = asObj(m['Output Metrics']);
    const sr = asObj(m['Shuffle Read Metrics']);
    const sw = asObj(m['Shuffle Write Metrics']);
    return {
      runTime: clip(long(m, 'Executor Run Time', ''), 'Executor Run Time'),
      cpuMs: clip(long(m, 'Executor CPU Time', ''), 'Executor CPU Time', 1e6) / 1e6,
      gc: clip(long(m, 'JVM GC Time', ''), 'JVM GC Time'),
      memSpill: long(m, 'Memory Bytes Spilled', ''),
      diskSpill: long(m, 'Disk Bytes Spilled', ''),
      peak: long(m, 'Peak Execution Memory', ''),
      input: long(inM, 'Bytes Read', 'Input Metrics '),
      output: long(outM, 'Bytes Written', 'Output Metrics '),
      shuffleRead: long(sr, 'Remote Bytes Read', 'Shuffle Read Metrics ') + long(sr, 'Local Bytes Read', 'Shuffle Read Metrics '),
      shuffleWrite: long(sw, 'Shuffle Bytes Written', 'Shuffle Write Metrics '),
    };
  }

  private addFailure(reason: string, reasonObj: Json | null): void {
    const message = reasonObj !== null ? failureMessage(reasonObj) : reason;
    const trace = reasonObj !== null && typeof reasonObj['Full Stack Trace'] === 'string' ? reasonObj['Full Stack Trace'] : undefined;
    const kind = classifyTaskFailure(reason, message, trace);
    const key = `${reason}\u0000${kind}`;
    const g = this.failures.get(key);
    if (g !== undefined) g.count++;
    else this.failures.set(key, { reason, kind, count: 1, example: message.slice(0, FAILURE_EXAMPLE_MAX_CHARS) });
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
    if (this.orphanTaskEnds > 0) {
      this.warnings.push(`${this.orphanTaskEnds} stage attempt(s) had task ends but no SparkListenerStageSubmitted/Completed (events dropped by the listener bus?)`);
    }
    if (this.lateTaskEnds > 0) {
      this.warnings.push(`${this.lateTaskEnds} successful task end(s) came after their stage completed; they widen min/max but not the other quantiles`);
    }
    stats.warnings.push(...this.warnings);
    stats.corrections.push(...this.corrections.list());

    const stages: StageRecord[] = [];
    for (const s of this.stages.values()) {
      this.summarise(s);
      const q = s.quantiles;
      stages.push({
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
        executorRunTimeMs: s.executorRunTimeMs,
        executorCpuTimeMs: Math.round(s.executorCpuTimeMs),
        jvmGcTimeMs: s.jvmGcTimeMs,
        inputBytes: s.inputBytes,
        outputBytes: s.outputBytes,
        shuffleReadBytes: s.shuffleReadBytes,
        shuffleWriteBytes: s.shuffleWriteBytes,
        memorySpilledBytes: s.memorySpilledBytes,
        diskSpilledBytes: s.diskSpilledBytes,
        peakExecutionMemoryBytes: s.peakExecutionMemoryBytes,
        taskDurationsMs: s.ordered,
      });
    }
    stages.sort((a, b) => a.stageId - b.stageId || a.attemptId - b.attemptId);

    // Without a valid start timestamp the earliest event time is the best lower bound of the start.
    const startTimeMs = this.startTimeMs ?? (this.sawStart ? (this.firstTimestampMs ?? 0) : 0);
    const endRefMs = this.endTimeMs ?? Math.max(this.lastTimestampMs, startTimeMs);
    const states = [...this.executors.values()].sort(compareExecutorIds);
    // In local mode (`local`, `local[N]`, not `local-cluster[…]`) the driver JVM runs the tasks: its heap is the executor heap.
    const master = this.props.get('spark.master') ?? '';
    const localMode = master === 'local' || master.startsWith('local[');
    let executorCoreTimeMs = 0;
    let peakJvmHeapBytes: number | null = null;
    const coreCounts = new Map<number, number>();
    const executors: ExecutorRecord[] = states.map((x) => {
      if (x.isDriver && localMode && x.peakJvmHeapBytes !== null) {
        if (peakJvmHeapBytes === null || x.peakJvmHeapBytes > peakJvmHeapBytes) peakJvmHeapBytes = x.peakJvmHeapBytes;
      }
      if (!x.isDriver) {
        const until = x.removeTimeMs ?? endRefMs;
        if (x.totalCores > 0 && x.addTimeMs > 0 && until > x.addTimeMs) executorCoreTimeMs += (until - x.addTimeMs) * x.totalCores;
        if (x.peakJvmHeapBytes !== null && (peakJvmHeapBytes === null || x.peakJvmHeapBytes > peakJvmHeapBytes)) {
          peakJvmHeapBytes = x.peakJvmHeapBytes;
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
        peakJvmHeapBytes: x.peakJvmHeapBytes,
        taskTimeMs: x.taskTimeMs,
        isDriver: x.isDriver,
        maxMemoryBytes: x.maxMemoryBytes,
        diskSpilledBytes: x.diskSpilledBytes,
        memorySpilledBytes: x.memorySpilledBytes,
      };
    });

    const prop = (k: string): string | undefined => this.props.get(k);
    let executorCores = parseIntSetting(prop('spark.executor.cores'));
    if (executorCores === null && coreCounts.size > 0) {
      let best = 0;
      for (const [cores, count] of coreCounts) if (count > (coreCounts.get(best) ?? 0)) best = cores;
      executorCores = best;
    }

    return {
      appId: this.appId ?? this.options.fallbackAppId ?? '',
      attemptId: this.attemptId,
      appName: this.appName,
      user: this.user,
      sparkVersion: this.sparkVersion ?? this.dbcSparkVersion ?? this.options.sparkVersionHint ?? null,
      master: prop('spark.master') ?? null,
      submitTimeMs: parseIntSetting(prop('spark.app.submitTime')),
      startTimeMs,
      endTimeMs: this.endTimeMs,
      durationMs: Math.max(0, endRefMs - startTimeMs),
      completed: !this.options.inProgress && this.endTimeMs !== null,
      exitCode: this.exitCode,
      executorCores,
      executorMemoryMiB: parseSparkSizeMiB(prop('spark.executor.memory')),
      // `spark.yarn.executor.memoryOverhead` is the pre-2.3 name Spark still honours
      // (SparkConf.scala `configsWithAlternatives`).
      memoryOverheadMiB: parseSparkSizeMiB(prop('spark.executor.memoryOverhead') ?? prop('spark.yarn.executor.memoryOverhead')),
      maxExecutors: this.maxExecutors,
      totalExecutorsAdded: this.totalExecutorsAdded,
      executorInstances: parseIntSetting(prop('spark.executor.instances')),
      driverMemoryMiB: parseSparkSizeMiB(prop('spark.driver.memory')),
      driverCores: parseIntSetting(prop('spark.driver.cores')),
      shufflePartitions: parseIntSetting(prop('spark.sql.shuffle.partitions')),
      dynamicAllocationEnabled: (prop('spark.dynamicAllocation.enabled') ?? '').trim().toLowerCase() === 'true',
      dynamicAllocationMinExecutors: parseIntSetting(prop('spark.dynamicAllocation.minExecutors')),
      dynamicAllocationMaxExecutors: parseIntSetting(prop('spark.dynamicAllocation.maxExecutors')),
      mainResource: this.mainResource,
      sparkProperties: Object.fromEntries(this.props),
      totalTasks: this.totalTasks,
      failedTasks: this.failedTasks,
      totalStages: stages.length,
      failedStages: this.failedStages,
      totalJobs: this.totalJobs,
      failedJobs: this.failedJobs,
      executorRunTimeMs: this.executorRunTimeMs,
      cpuTimeMs: Math.round(this.cpuTimeMs),
      jvmGcTimeMs: this.jvmGcTimeMs,
      inputBytes: this.inputBytes,
      outputBytes: this.outputBytes,
      shuffleReadBytes: this.shuffleReadBytes,
      shuffleWriteBytes: this.shuffleWriteBytes,
      memorySpilledBytes: this.memorySpilledBytes,
      diskSpilledBytes: this.diskSpilledBytes,
      peakExecutionMemoryBytes: this.peakExecutionMemoryBytes,
      peakJvmHeapBytes,
      executorCoreTimeMs,
      stages,
      executors,
      taskFailures: [...this.failures.values()].sort((a, b) => b.count - a.count),
      jobs: [...this.jobs.values()].sort((a, b) => a.jobId - b.jobId),
    };
  }
}
