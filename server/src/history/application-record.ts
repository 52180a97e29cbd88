/**
 * The application record: one Spark application attempt, folded from its event log.
 *
 * Every field is computed from listener events (class names as Spark's JsonProtocol writes them in
 * the `"Event"` field; field names as they appear in the JSON). Units are in the names: `Ms`
 * milliseconds, `Ns` nanoseconds, `Bytes` bytes, `MiB` mebibytes (2^20 bytes).
 *
 * Source of the event and field names: apache/spark core/src/main/scala/org/apache/spark/util/JsonProtocol.scala
 * (every field may be missing in logs of older Spark versions).
 *
 * Metric names. A task metric has one name everywhere (these records, the store's columns in store/record-columns.ts,
 * the protocol, the CLI, the service and the views): the name the History Server REST API gives it (`StageData` in
 * apache/spark core/src/main/scala/org/apache/spark/status/api/v1/api.scala, which follows `TaskMetrics`), with the unit
 * as a suffix when the name has none:
 *
 * | record field | Spark REST / `TaskMetrics` | event-log field (`Task Metrics`.…) | unit in Spark → here |
 * |---|---|---|---|
 * | `executorRunTimeMs` | `executorRunTime` | `Executor Run Time` | ms → ms |
 * | `executorCpuTimeMs` | `executorCpuTime` | `Executor CPU Time` | **ns → ms** (÷ 10^6, rounded to whole ms) |
 * | `jvmGcTimeMs` | `jvmGcTime` (`TaskMetrics.jvmGCTime`) | `JVM GC Time` | ms → ms |
 * | `inputBytes` | `inputBytes` (`inputMetrics.bytesRead`) | `Input Metrics`.`Bytes Read` | bytes |
 * | `outputBytes` | `outputBytes` (`outputMetrics.bytesWritten`) | `Output Metrics`.`Bytes Written` | bytes |
 * | `shuffleReadBytes` | `shuffleReadBytes` (remote + local bytes read) | `Shuffle Read Metrics`.`Remote Bytes Read` + `Local Bytes Read` | bytes |
 * | `shuffleWriteBytes` | `shuffleWriteBytes` (`shuffleWriteMetrics.bytesWritten`) | `Shuffle Write Metrics`.`Shuffle Bytes Written` | bytes |
 * | `memoryBytesSpilled` | `memoryBytesSpilled` | `Memory Bytes Spilled` | bytes |
 * | `diskBytesSpilled` | `diskBytesSpilled` | `Disk Bytes Spilled` | bytes |
 * | `peakExecutionMemoryBytes` | `peakExecutionMemory` (a max here, a sum in REST `StageData`) | `Peak Execution Memory` | bytes |
 * | `peakJvmHeapMemoryBytes` | executor metric `JVMHeapMemory` (REST `peakMemoryMetrics.JVMHeapMemory`) | `Executor Metrics`.`JVMHeapMemory` | bytes |
 *
 * Not kept (no heuristic reads them): `executorDeserializeTime` (ms), `executorDeserializeCpuTime` (ns),
 * `resultSize` (bytes), `resultSerializationTime` (ms), the shuffle fetch-wait and write times and the record counts.
 * Sums are per stage attempt, per executor (its tasks) and per application (all tasks); `peak…` fields are maxima.
 */

import type { EventLogCodec } from './event-log/discover';

/** Distribution of task durations in one stage, in ms (`Task Info`.`Finish Time` − `Launch Time` of successful tasks). */
export interface DurationQuantilesMs {
  min: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
}

/** One stage attempt, folded from `SparkListenerStageSubmitted`/`SparkListenerStageCompleted` and the stage's `SparkListenerTaskEnd` events. */
export interface StageRecord {
  /** `Stage Info`.`Stage ID`. */
  stageId: number;
  /** `Stage Info`.`Stage Attempt ID` (0 when absent, as Spark's reader defaults it). */
  attemptId: number;
  /** `Stage Info`.`Stage Name`. */
  name: string;
  /** `Stage Info`.`Number of Tasks` (partitions of the stage). */
  numTasks: number;
  /** `Stage Info`.`Parent IDs`. */
  parentIds: number[];
  /** `Stage Info`.`Submission Time` (epoch ms), null when absent. */
  submissionTimeMs: number | null;
  /** `Stage Info`.`Completion Time` (epoch ms), null when absent (stage never completed). */
  completionTimeMs: number | null;
  /** `Stage Info`.`Failure Reason` when the stage failed, else null. */
  failureReason: string | null;
  /** Count of `SparkListenerTaskEnd` events of this stage attempt whose `Task End Reason`.`Reason` is `Success`. */
  succeededTasks: number;
  /** Count of `SparkListenerTaskEnd` whose reason is not `Success` (ExceptionFailure, ExecutorLostFailure, FetchFailed, TaskKilled, ...). */
  failedTasks: number;
  /** Quantiles of successful task durations (ms), null when no task succeeded. */
  taskDurationMs: DurationQuantilesMs | null;
  /** max / median of successful task durations; null when fewer than 2 tasks or median is 0. */
  skewRatio: number | null;
  /** Sum of `Task Metrics`.`Executor Run Time` (ms) over the stage's tasks. */
  executorRunTimeMs: number;
  /** Sum of `Task Metrics`.`Executor CPU Time` (ns) ÷ 10^6: ms. */
  executorCpuTimeMs: number;
  /** Sum of `Task Metrics`.`JVM GC Time` (ms). */
  jvmGcTimeMs: number;
  /** Sum of `Task Metrics`.`Input Metrics`.`Bytes Read`. */
  inputBytes: number;
  /** Sum of `Task Metrics`.`Output Metrics`.`Bytes Written`. */
  outputBytes: number;
  /** Sum of `Shuffle Read Metrics`.`Remote Bytes Read` + `Local Bytes Read`. */
  shuffleReadBytes: number;
  /** Sum of `Shuffle Write Metrics`.`Shuffle Bytes Written`. */
  shuffleWriteBytes: number;
  /** Sum of `Task Metrics`.`Memory Bytes Spilled` (deserialized size in memory of spilled data). */
  memoryBytesSpilled: number;
  /** Sum of `Task Metrics`.`Disk Bytes Spilled` (serialized size on disk). */
  diskBytesSpilled: number;
  /** Max of `Task Metrics`.`Peak Execution Memory` over the stage's tasks (bytes). */
  peakExecutionMemoryBytes: number;
  /**
   * Duration (ms, `Task Info`.`Finish Time` − `Launch Time`) of every successful task of this stage attempt, in launch
   * order (`Launch Time`, ties in the order the task ends were logged); a successful copy that ended after its stage
   * completed (speculation) is appended at the end. Used by the what-if simulation (recommend/what-if.ts).
   * Absent (undefined) when the source does not carry per-task data: records read through the History Server REST
   * fallback, and stores collected before schema version 3; consumers then fall back on {@link taskDurationMs}.
   */
  taskDurationsMs?: number[];
}

/** One job, from `SparkListenerJobStart` / `SparkListenerJobEnd`. */
export interface JobRecord {
  /** `Job ID`. */
  jobId: number;
  /** `SparkListenerJobStart`.`Submission Time` (epoch ms), null when absent. */
  submissionTimeMs: number | null;
  /** `SparkListenerJobEnd`.`Completion Time` (epoch ms), null when the job never ended in the log. */
  completionTimeMs: number | null;
  /** `SparkListenerJobStart`.`Stage IDs`: every stage of the job's DAG, including stages skipped because an earlier job computed them. */
  stageIds: number[];
  /** `Job Result`.`Result`: `JobSucceeded` or `JobFailed`; null when the job has no end in the log. */
  result: string | null;
  /** `Job Result`.`Exception`.`Message` of a failed job (truncated to 300 characters), else null. */
  failureReason: string | null;
  /** `spark.sql.execution.id` from the job start's `Properties` (the SQL query that submitted it), null for non-SQL jobs. */
  sqlExecutionId: number | null;
}

/** A failed task's reason, grouped: `Task End Reason`.`Reason` plus a classification of its message. */
export interface TaskFailureGroup {
  /** `Task End Reason`.`Reason`, e.g. `ExceptionFailure`, `ExecutorLostFailure`, `FetchFailed`, `TaskKilled`. */
  reason: string;
  /** `oom` when the message holds `java.lang.OutOfMemoryError`; `container-killed` for "killed by YARN/exceeding memory limits"/exit 137/143; else `other`. */
  kind: 'oom' | 'container-killed' | 'fetch-failed' | 'executor-lost' | 'killed' | 'other';
  /** Number of task ends in this group. */
  count: number;
  /** First message seen (`Description`/`Class Name`/`Loss Reason`/`Kill Reason`), truncated to 300 characters. */
  example: string;
}

/** Per executor: from `SparkListenerExecutorAdded`/`Removed` and `SparkListenerStageExecutorMetrics`. */
export interface ExecutorRecord {
  /** `Executor ID`. */
  executorId: string;
  /** `Executor Info`.`Host`. */
  host: string;
  /** `Executor Info`.`Total Cores`. */
  totalCores: number;
  /** `SparkListenerExecutorAdded`.`Timestamp` (epoch ms). */
  addTimeMs: number;
  /** `SparkListenerExecutorRemoved`.`Timestamp` (epoch ms), null while alive at the end of the log. */
  removeTimeMs: number | null;
  /** `SparkListenerExecutorRemoved`.`Removed Reason`, null when not removed. */
  removedReason: string | null;
  /** Max `JVMHeapMemory` over this executor's `SparkListenerStageExecutorMetrics` / task-end `Task Executor Metrics` (bytes), null when the log has none (zero values, logged when no sample was taken, count as none). */
  peakJvmHeapMemoryBytes: number | null;
  /**
   * Sum of `Task Metrics`.`Executor Run Time` (ms) of tasks that ran on this executor (the executor's share of the
   * application's `executorRunTimeMs`). Records from the History Server REST fallback hold `ExecutorSummary.totalDuration`
   * here (task wall time: REST has no per-executor run time), a little more than the run time.
   */
  executorRunTimeMs: number;
  /**
   * True for the driver's entry (`Executor ID` `driver`, or `<driver>` before Spark 2.4.1 / SPARK-27090), which the event-log
   * reader lists when the log shows it (`SparkListenerBlockManagerAdded`, driver metrics, local-mode tasks). The driver is
   * never counted in `maxExecutors`, `totalExecutorsAdded` or `executorCoreTimeMs`, nor in the app-level `peakJvmHeapMemoryBytes` except in
   * local mode (`spark.master` `local`/`local[N]`), where the driver JVM runs the tasks.
   * Absent (= false) in records from sources that do not set it.
   */
  isDriver?: boolean;
  /** `SparkListenerBlockManagerAdded`.`Maximum Memory` (bytes): the JVM's unified storage+execution memory; null when not logged. */
  maxMemoryBytes?: number | null;
  /** Sum of `Task Metrics`.`Disk Bytes Spilled` of tasks that ran on this executor; absent from REST records and stores before schema 4. */
  diskBytesSpilled?: number;
  /** Sum of `Task Metrics`.`Memory Bytes Spilled` of tasks that ran on this executor; absent as `diskBytesSpilled`. */
  memoryBytesSpilled?: number;
}

/** One application attempt as read from its event log. */
export interface ApplicationRecord {
  /** `SparkListenerApplicationStart`.`App ID`. */
  appId: string;
  /** `SparkListenerApplicationStart`.`App Attempt ID`, null for client-mode/local apps without attempts. */
  attemptId: string | null;
  /** `SparkListenerApplicationStart`.`App Name`. */
  appName: string;
  /** `SparkListenerApplicationStart`.`User`. */
  user: string | null;
  /** `SparkListenerLogStart`.`Spark Version` (or Databricks' `DBCEventLoggingListenerMetadata`), null when absent. */
  sparkVersion: string | null;
  /** `spark.master` from `SparkListenerEnvironmentUpdate`.`Spark Properties`. */
  master: string | null;
  /** `spark.app.submitTime` property (epoch ms) when Spark logged it, else null. */
  submitTimeMs: number | null;
  /** `SparkListenerApplicationStart`.`Timestamp` (epoch ms). */
  startTimeMs: number;
  /** `SparkListenerApplicationEnd`.`Timestamp` (epoch ms), null when the log has no end (in progress or crashed). */
  endTimeMs: number | null;
  /** endTimeMs − startTimeMs; when there is no end event, last event timestamp seen − start. */
  durationMs: number;
  /** True when the log is complete (single file without `.inprogress`, rolling dir whose `appstatus_` file lacks `.inprogress`) and has `SparkListenerApplicationEnd`. */
  completed: boolean;
  /**
   * Why the record holds only part of its log, set by the event-log reader (with `completed` false) when bytes on disk
   * could not be decoded: a decode error (corrupt block or frame, checksum mismatch, decoded bytes that are not JSON in
   * bulk; see `ReadStats.decodeErrors`) or a file cut inside a block although its name says the log is complete.
   * Absent when the whole log was decoded (a live `.inprogress` log cut at its last block is not "partly decoded").
   */
  incompleteReason?: string;
  /** `SparkListenerApplicationEnd`.`ExitCode` when present. */
  exitCode: number | null;

  /** `spark.executor.cores`; when unset, the most common `Executor Info`.`Total Cores`; null when neither. */
  executorCores: number | null;
  /** `spark.executor.memory` in MiB (parsed like Spark's `byteStringAs(…, MiB)`), null when unset. */
  executorMemoryMiB: number | null;
  /** `spark.executor.memoryOverhead` in MiB; when unset, null (the effective default max(384, factor × memory) is derived by analysis). */
  memoryOverheadMiB: number | null;
  /** Max number of executors alive at once (from `SparkListenerExecutorAdded`/`Removed`, driver excluded). */
  maxExecutors: number;
  /** Total `SparkListenerExecutorAdded` events (driver excluded). */
  totalExecutorsAdded: number;
  /** `spark.executor.instances` as configured, null when unset. */
  executorInstances: number | null;
  /** `spark.driver.memory` in MiB, null when unset. */
  driverMemoryMiB: number | null;
  /** `spark.driver.cores`, null when unset. */
  driverCores: number | null;
  /** `spark.sql.shuffle.partitions`, null when unset. */
  shufflePartitions: number | null;
  /** `spark.dynamicAllocation.enabled` = "true". */
  dynamicAllocationEnabled: boolean;
  /** `spark.dynamicAllocation.minExecutors`, null when unset. */
  dynamicAllocationMinExecutors: number | null;
  /** `spark.dynamicAllocation.maxExecutors`, null when unset. */
  dynamicAllocationMaxExecutors: number | null;
  /**
   * The file spark-submit ran (its primary resource: a `.py`, `.jar`, `.R` path), from `System Properties`.`sun.java.command`
   * of `SparkListenerEnvironmentUpdate` (`org.apache.spark.deploy.SparkSubmit … <primary resource> [app args]`); null when
   * not submitted by spark-submit (notebooks, Spark Connect) or not logged. Absent in records that predate it.
   */
  mainResource?: string | null;
  /** `SparkListenerEnvironmentUpdate`.`Spark Properties`, the full effective properties (redacted as Spark logged them). */
  sparkProperties: Record<string, string>;

  /** Number of `SparkListenerTaskEnd` events. */
  totalTasks: number;
  /** Task ends whose `Task End Reason`.`Reason` is not `Success`. */
  failedTasks: number;
  /** Number of distinct stage attempts seen (`SparkListenerStageSubmitted` or `Completed`). */
  totalStages: number;
  /** Stage attempts completed with a `Failure Reason`. */
  failedStages: number;
  /** `SparkListenerJobStart` count. */
  totalJobs: number;
  /** `SparkListenerJobEnd` whose `Job Result`.`Result` is not `JobSucceeded`. */
  failedJobs: number;
  /** Sum of `Task Metrics`.`Executor Run Time` (ms). */
  executorRunTimeMs: number;
  /** Sum of `Task Metrics`.`Executor CPU Time` (ns) ÷ 10^6: ms. */
  executorCpuTimeMs: number;
  /** Sum of `Task Metrics`.`JVM GC Time` (ms). */
  jvmGcTimeMs: number;
  /** Sum of `Input Metrics`.`Bytes Read`. */
  inputBytes: number;
  /** Sum of `Output Metrics`.`Bytes Written`. */
  outputBytes: number;
  /** Sum of `Shuffle Read Metrics`.`Remote Bytes Read` + `Local Bytes Read`. */
  shuffleReadBytes: number;
  /** Sum of `Shuffle Write Metrics`.`Shuffle Bytes Written`. */
  shuffleWriteBytes: number;
  /** Sum of `Task Metrics`.`Memory Bytes Spilled`. */
  memoryBytesSpilled: number;
  /** Sum of `Task Metrics`.`Disk Bytes Spilled`. */
  diskBytesSpilled: number;
  /** Max `Task Metrics`.`Peak Execution Memory` over all tasks (bytes). */
  peakExecutionMemoryBytes: number;
  /** Max `JVMHeapMemory` over all executors (bytes), null when the log has no executor metrics. */
  peakJvmHeapMemoryBytes: number | null;
  /** Sum over executors of (removeTime or app end − addTime) × Total Cores, in ms: the executor-core time available. */
  executorCoreTimeMs: number;

  stages: StageRecord[];
  executors: ExecutorRecord[];
  taskFailures: TaskFailureGroup[];
  /**
   * Jobs in `Job ID` order. Absent in records built by code that predates it (treat as unknown); the event-log fold
   * and the store always set it (an empty list for stores collected before schema version 3). Records from the
   * History Server REST fallback have `sqlExecutionId` and `failureReason` null (the `jobs` view does not carry them).
   */
  jobs?: JobRecord[];
}

/**
 * A part of an event-log file that could not be decoded: the file's bytes are not a valid stream of its codec (a corrupt
 * lz4/snappy/lzf block or zstd frame, an lz4 checksum mismatch, a gzip member that does not inflate), or the decoded bytes
 * are not JSON lines in bulk (`codec` `json`; thresholds in event-log/reader.ts). The rest of that file is not read.
 * A file cut at its end (a live or crashed application) is not a decode error but a warning.
 */
export interface DecodeError {
  /** Path of the file (one file of the log's source). */
  file: string;
  /** Compressed byte offset in `file` of the damaged block or frame; null when the decoder cannot say (gzip, `json`). */
  offset: number | null;
  /** The file's codec, or `json` for decoded bytes that are not JSON lines. */
  codec: EventLogCodec | 'json';
  /** What is wrong, for a person (without the file name). */
  message: string;
}

/**
 * One kind of impossible value met while reading a log or checking its record, and what was done with it. Every value
 * stored is bounded by what Spark can produce (history/validate.ts): a non-negative integer within 2^53, a task's times
 * within its own wall time, an application's summed task times within its duration × cores.
 */
export interface ValueCorrection {
  /** Where: the event and field as Spark writes them (`SparkListenerTaskEnd` `Task Metrics`.`Executor Run Time`), or a record field (`executorRunTimeMs`). */
  field: string;
  /** What was wrong, e.g. `not a non-negative integer within 2^53`, `above the task's wall time (Finish Time − Launch Time)`. */
  problem: string;
  /**
   * `dropped`: the value was not used (read as absent, so it adds nothing to sums); `clipped`: replaced by its bound;
   * `event-skipped`: the event could not be attributed (e.g. a task end without a valid `Stage ID`) and was not folded.
   */
  action: 'dropped' | 'clipped' | 'event-skipped';
  /** How many times. */
  count: number;
  /** The first offending value as read (JSON text, at most 60 characters). */
  example: string;
}

/** What the reader saw besides the record: counts that let a user trust (or not) the record. */
export interface ReadStats {
  /** Lines read (including bad ones). */
  lines: number;
  /**
   * Lines that were not valid JSON objects with an `Event` field; counted and skipped. (By default the event-log reader
   * recognises lines of events it does not fold by their `{"Event":"…"` prefix and skips them unparsed, so only the
   * lines it parses are checked: see `ReadOptions.validateAllLines` in event-log/reader.ts.)
   */
  malformedLines: number;
  /** 1-based line numbers of the first few malformed lines (at most 10). */
  malformedLineNumbers: number[];
  /** Events whose `Event` was not one the reader folds (ignored). */
  ignoredEvents: number;
  /** Uncompressed bytes read. */
  bytes: number;
  /** Files read, in order. */
  files: string[];
  /** Human-readable warnings (truncated last zstd frame, missing rolling index, malformed lines, ...). */
  warnings: string[];
  /** Parts of files that could not be decoded, in reading order (empty when every byte decoded); each is also a reason in the record's `incompleteReason`. */
  decodeErrors: DecodeError[];
  /** Impossible values in the events, by field and problem, and what was done with them (fold.ts). */
  corrections: ValueCorrection[];
}
