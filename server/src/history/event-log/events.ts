/**
 * Shapes of the listener events the folder reads, as zod schemas: one place that says which JSON
 * fields are used and what type each must have.
 *
 * Every field is optional and a field of the wrong type reads as absent (`.catch(undefined)`), never
 * failing the whole event: JsonProtocol's contract is "Any new JSON fields should be optional", and
 * logs from Spark 1.x to 4.x, vendor builds and hand-edited test logs all differ (spark-reference A3).
 * Unknown fields are dropped. `SparkListenerTaskEnd` is not here: it is the hot path (most lines of a
 * log) and is checked field by field with `typeof` in fold.ts.
 *
 * Source of the field names: apache/spark core/src/main/scala/org/apache/spark/util/JsonProtocol.scala.
 */

import { z } from 'zod';
import { TASK_END_REASON_FIELDS } from './failure';

const num = z.number().optional().catch(undefined);
const str = z.string().optional().catch(undefined);
/** A string, or a number written where Spark writes a string (hand-edited logs); read as a string. */
const strOrNum = z
  .union([z.string(), z.number().transform((n) => String(n))])
  .optional()
  .catch(undefined);

/** `SparkListenerLogStart` (first line of every log since Spark 1.3). */
export const LogStartSchema = z.object({ 'Spark Version': str });

/** Databricks' first line: `{"Event":"DBCEventLoggingListenerMetadata","Spark Version":"3.2.1","Timestamp":…,"Rollover Number":0,…}`. */
export const DbcMetadataSchema = z.object({ 'Spark Version': str, Timestamp: num });

/**
 * `SparkListenerEnvironmentUpdate`: `Spark Properties` (string → string) and, of the `System Properties`, only
 * `sun.java.command` (the spark-submit command line).
 */
export const EnvironmentUpdateSchema = z.object({
  'Spark Properties': z.record(z.string(), z.unknown()).optional().catch(undefined),
  'System Properties': z.object({ 'sun.java.command': str }).optional().catch(undefined),
});

/** `SparkListenerApplicationStart` (`App ID` since 1.1, `App Attempt ID` since 1.4). */
export const ApplicationStartSchema = z.object({
  'App Name': str,
  'App ID': str,
  Timestamp: num,
  User: str,
  'App Attempt ID': strOrNum,
});

/** `SparkListenerApplicationEnd` (`ExitCode` only in the newest versions). */
export const ApplicationEndSchema = z.object({ Timestamp: num, ExitCode: num });

/** `SparkListenerExecutorAdded`. */
export const ExecutorAddedSchema = z.object({
  Timestamp: num,
  'Executor ID': strOrNum,
  'Executor Info': z.object({ Host: str, 'Total Cores': num }).optional().catch(undefined),
});

/** `SparkListenerExecutorRemoved`. */
export const ExecutorRemovedSchema = z.object({ Timestamp: num, 'Executor ID': strOrNum, 'Removed Reason': str });

/** `SparkListenerBlockManagerAdded`: `Maximum Memory` = storage+execution (unified) memory of that JVM, bytes. */
export const BlockManagerAddedSchema = z.object({
  Timestamp: num,
  'Maximum Memory': num,
  'Block Manager ID': z.object({ 'Executor ID': strOrNum, Host: str }).optional().catch(undefined),
});

/** `Stage Info` of `SparkListenerStageSubmitted` / `SparkListenerStageCompleted` (the big `RDD Info` and `Accumulables` are not read). */
export const StageInfoSchema = z.object({
  'Stage ID': num,
  'Stage Attempt ID': num,
  'Stage Name': str,
  'Number of Tasks': num,
  'Parent IDs': z.array(z.number()).optional().catch(undefined),
  'Submission Time': num,
  'Completion Time': num,
  'Failure Reason': str,
});

/** `SparkListenerStageSubmitted` / `SparkListenerStageCompleted`. */
export const StageEventSchema = z.object({ 'Stage Info': StageInfoSchema.optional().catch(undefined) });

/** `SparkListenerJobStart`. */
export const JobStartSchema = z.object({
  'Job ID': num,
  'Submission Time': num,
  'Stage IDs': z.array(z.number()).optional().catch(undefined),
  Properties: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

/** `SparkListenerJobEnd`: `Job Result`.`Result` is `JobSucceeded` or `JobFailed`. */
export const JobEndSchema = z.object({
  'Job ID': num,
  'Completion Time': num,
  'Job Result': z
    .object({ Result: str, Exception: z.object({ Message: str }).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

/** `SparkListenerStageExecutorMetrics`: per-stage, per-executor peaks (bytes), only with `spark.eventLog.logStageExecutorMetrics=true`. */
export const StageExecutorMetricsSchema = z.object({
  'Executor ID': strOrNum,
  'Stage ID': num,
  'Stage Attempt ID': num,
  'Executor Metrics': z.object({ JVMHeapMemory: num }).optional().catch(undefined),
});

const bool = z.boolean().optional().catch(undefined);

/**
 * `SparkListenerTaskEnd` without its `Task Metrics` (whose figures are fold.ts `TASK_METRICS`): the fields the fold reads
 * from a task end. The fold itself does not parse task ends with this schema (they are most lines of a log: it checks
 * these fields with `typeof`); readers that need a schema of the task end (the Spark SQL of history/spark-engine/) take
 * it from here.
 */
export const TaskEndSchema = z.object({
  'Stage ID': num,
  'Stage Attempt ID': num,
  'Task Info': z
    .object({ 'Executor ID': str, 'Launch Time': num, 'Finish Time': num, Failed: bool })
    .optional()
    .catch(undefined),
  'Task End Reason': z
    .object({
      Reason: str,
      ...Object.fromEntries(TASK_END_REASON_FIELDS.map((f) => [f, f === 'Executor ID' ? strOrNum : str])),
    })
    .optional()
    .catch(undefined),
  'Task Executor Metrics': z.object({ JVMHeapMemory: num }).optional().catch(undefined),
});

/** The schema of each event the fold reads (fold.ts `FOLDED_EVENTS`), by its `Event` name. */
export const EVENT_SCHEMAS = {
  SparkListenerLogStart: LogStartSchema,
  DBCEventLoggingListenerMetadata: DbcMetadataSchema,
  SparkListenerEnvironmentUpdate: EnvironmentUpdateSchema,
  SparkListenerApplicationStart: ApplicationStartSchema,
  SparkListenerApplicationEnd: ApplicationEndSchema,
  SparkListenerExecutorAdded: ExecutorAddedSchema,
  SparkListenerExecutorRemoved: ExecutorRemovedSchema,
  SparkListenerBlockManagerAdded: BlockManagerAddedSchema,
  SparkListenerStageSubmitted: StageEventSchema,
  SparkListenerStageCompleted: StageEventSchema,
  SparkListenerTaskEnd: TaskEndSchema,
  SparkListenerJobStart: JobStartSchema,
  SparkListenerJobEnd: JobEndSchema,
  SparkListenerStageExecutorMetrics: StageExecutorMetricsSchema,
} as const;
