/**
 * The fold of event logs as one Spark SQL query: Spark reads every line of every log where it lies, parses the lines of
 * the events the fold reads, and aggregates them per application (log), stage attempt, executor and job into the rows
 * that records.ts turns into {@link ApplicationRecord}s with the fold's own record builder (event-log/fold.ts
 * `applicationRecord`). What each figure means is defined once, by the fold (event-log/fold.ts, events.ts, failure.ts,
 * bounds.ts); this module states the same rules over sets of events instead of one event at a time:
 *
 * - order: each line carries its place in its log, `ord` = (file of the log, block of the file, row within the block:
 *   `monotonically_increasing_id()` next to the scan, which numbers a split's rows in reading order), so "the last event
 *   that set a field" is `max_by(value, ord)` and "the first" `min_by`, and running values (executors alive, the latest
 *   timestamp seen before a task ended) are windows or joins ordered by `ord`;
 * - bounds: a number the fold reads as a `Long` or `Int` (bounds.ts `isStoredLong`, `isSparkInt`) is read here by
 *   {@link long}/{@link int}: a double that is an integer in range, else absent;
 * - sums are exact (`DECIMAL(38,0)`), nanoseconds included, and come back as text for fold.ts `MetricSums.fromExact`.
 *
 * Inputs: a view `spo_lines (p, b, m, value)` (the text source over the archive with `_metadata.file_path`,
 * `_metadata.file_block_start`, `monotonically_increasing_id()`, see collect.ts) and a view `spo_files (file_path,
 * log_id, file_seq)` (every file of every log the discovery found, in reading order).
 */
import { MAX_SPARK_INT, MAX_STORED_LONG } from '../bounds';
import { EVENT_SCHEMAS } from '../event-log/events';
import { FAILURE_EXAMPLE_MAX_CHARS, TASK_END_REASON_FIELDS } from '../event-log/failure';
import { FOLDED_EVENTS, TASK_METRICS } from '../event-log/fold';
import { EVENT_PREFIX } from '../event-log/reader';
import { eventLineSchemaDdl, quoteIdentifier as q } from './event-schema';

/** The view of the archive's lines (see the module comment). */
export const LINES_VIEW = 'spo_lines';
/** The view of the files to read, with their log and place in it. */
export const FILES_VIEW = 'spo_files';
/**
 * Session settings of the fold: a join keyed by (log, …) may use the partitioning by log alone
 * (`spark.sql.requireAllClusterKeysForCoPartition`, SQLConf.scala: "When true, the planner requires all the clustering
 * keys as the partition keys (with same ordering) of the children, to eliminate the shuffle"), so the passes over the
 * cached tables need no shuffle.
 */
export const FOLD_SESSION_CONF: Readonly<Record<string, string>> = { 'spark.sql.requireAllClusterKeysForCoPartition': 'false' };
/** The cached view of parsed lines (see {@link foldStatements}). */
export const PARSED_TABLE = 'spo_parsed';

/** A SQL string literal (single-quoted; quotes and backslashes escaped as Spark's parser reads them). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A `Long` as the fold reads it (bounds.ts `isStoredLong`): the double `x` when it is an integer in [0, 2^53 − 1], else NULL. */
function long(x: string): string {
  return `CASE WHEN ${x} >= 0 AND ${x} <= ${MAX_STORED_LONG} AND ${x} = rint(${x}) THEN CAST(${x} AS BIGINT) END`;
}

/** An `Int` as the fold reads it (bounds.ts `isSparkInt`): the double `x` when it is an integer in [0, 2^31 − 1], else NULL. */
function int(x: string): string {
  return `CASE WHEN ${x} >= 0 AND ${x} <= ${MAX_SPARK_INT} AND ${x} = rint(${x}) THEN CAST(${x} AS INT) END`;
}

/** The valid `Int`s of a list (fold.ts `ints`), in order; an absent list is empty. */
function ints(x: string): string {
  return `coalesce(transform(filter(${x}, v -> (${int('v')}) IS NOT NULL), v -> ${int('v')}), array())`;
}

/**
 * What JavaScript's `String.prototype.trim` removes (ECMA-262: WhiteSpace and LineTerminator code points), as a Java
 * regex class, for the fold's `isBlank` and `trim()`.
 */
const JS_SPACE = '[\\t\\x0B\\f \\x{A0}\\x{FEFF}\\p{Zs}\\n\\r\\x{2028}\\x{2029}]';

/** A field of the parsed line `j`, path given as JSON field names. */
function f(...path: string[]): string {
  return ['j', ...path.map(q)].join('.');
}

const E = (name: keyof typeof EVENT_SCHEMAS): string => sqlString(name);
const DRIVER_IDS = `(${sqlString('driver')}, ${sqlString('<driver>')})`;

/** The exact value of task metric `i` of one task end (0 when absent), clipped to the task's wall time as the fold does. */
function taskMetricValue(i: number): string {
  const m = TASK_METRICS[i];
  const parts = m.paths.map((path) => `coalesce(${long(['metrics', ...path.map(q)].join('.'))}, 0)`);
  const v = `CAST(${parts.join(' + ')} AS DECIMAL(38,0))`;
  if (m.wallScale === null) return v;
  const bound = `CAST(wall AS DECIMAL(38,0)) * ${m.wallScale}`;
  return `CASE WHEN wall IS NOT NULL AND ${v} > ${bound} THEN ${bound} ELSE ${v} END`;
}

/**
 * Aggregates of the task metrics over a group: sums or maxima, as exact decimal text, in TASK_METRICS order.
 * @param table the alias of the task rows (`t.` before each column), or '' for none.
 */
function metricAggregates(table = ''): string {
  return `array(${TASK_METRICS.map((m, i) => `CAST(coalesce(${m.combine === 'max' ? 'max' : 'sum'}(${table}m${i}), 0) AS STRING)`).join(', ')})`;
}

/** The metric aggregates of a group without tasks: every figure 0. */
function zeroMetrics(): string {
  return `array(${TASK_METRICS.map(() => "'0'").join(', ')})`;
}

/** The temporary views of the fold (all prefixed `spo_`). */
const V = {
  parsed: PARSED_TABLE,
  ev: 'spo_ev',
  starts: 'spo_starts',
  seen: 'spo_seen',
  tasks1: 'spo_tasks1',
  wall_checks: 'spo_wall_checks',
  tasks: 'spo_tasks',
  seen_range: 'spo_seen_range',
  line_stats: 'spo_line_stats',
  file_stats: 'spo_file_stats',
  app: 'spo_app',
  props: 'spo_props',
  alive: 'spo_alive',
  stage_events: 'spo_stage_events',
  stage_info: 'spo_stage_info',
  stage_tasks: 'spo_stage_tasks',
  stages: 'spo_stages',
  executor_events: 'spo_executor_events',
  executor_info: 'spo_executor_info',
  executor_tasks: 'spo_executor_tasks',
  executors: 'spo_executors',
  task_totals: 'spo_task_totals',
  failures: 'spo_failures',
  job_events: 'spo_job_events',
  jobs: 'spo_jobs',
} as const;

/** One temporary view of the fold; `cache`: materialised once (`CACHE TABLE`), because several views read it. */
interface FoldView {
  name: string;
  sql: string;
  cache: boolean;
}

/** The views of the fold, in the order they are created (each refers only to earlier ones). */
function foldViews(partitions: number): FoldView[] {
  const folded = `array(${[...FOLDED_EVENTS].map(sqlString).join(', ')})`;
  const prefix = sqlString(EVENT_PREFIX);
  const nameStart = EVENT_PREFIX.length + 1;
  const jsonOptions = `map('mode', 'PERMISSIVE', 'allowSingleQuotes', 'false', 'allowNonNumericNumbers', 'false')`;
  const reasonFields = ['Reason', ...TASK_END_REASON_FIELDS].map((k) => `${f('Task End Reason', k)} AS ${q(k)}`).join(', ');
  return [
    // parsed: every line of the logs to read, classified as the reader does (reader.ts: cls 0 blank, 1 skipped unparsed, 2 parsed), `bad` when parsed but not a JSON event, `j` the parsed line of an event the fold reads; hash-partitioned by log.
    { name: V.parsed, cache: true, sql: `
SELECT /*+ REPARTITION(${partitions}, log_id) */ log_id, file_seq, ord, cls, bad,
  CASE WHEN NOT bad AND array_contains(${folded}, j.Event) THEN j END AS j
FROM (
  SELECT log_id, file_seq, ord, cls, cls = 2 AND (j IS NULL OR j.Event IS NULL) AS bad, j FROM (
    SELECT log_id, file_seq, ord, cls,
      CASE WHEN cls = 2 THEN from_json(value, ${sqlString(eventLineSchemaDdl())}, ${jsonOptions}) END AS j
    FROM (
      -- reader.ts: blank lines are skipped; a line naming an event the fold does not read is skipped unparsed (good);
      -- every other line is parsed: cls 0 blank, 1 skipped, 2 parsed.
      SELECT log_id, file_seq, ord, value,
        CASE
          WHEN prefix_event IS NOT NULL AND instr(prefix_event, '\\\\') = 0 AND NOT array_contains(${folded}, prefix_event) AND endswith(value, '}') THEN 1
          WHEN prefix_event IS NULL AND value RLIKE ${sqlString(`^${JS_SPACE}*$`)} THEN 0
          ELSE 2 END AS cls
      FROM (
        SELECT log_id, file_seq, ord, value,
          CASE WHEN startswith(value, ${prefix}) AND locate('"', value, ${nameStart}) > 0
            THEN substr(value, ${nameStart}, locate('"', value, ${nameStart}) - ${nameStart}) END AS prefix_event
        FROM (
          -- Each line with its place: the file's place in its log, the block of the file, the row in the block.
          SELECT /*+ BROADCAST(fl) */ fl.log_id, fl.file_seq, named_struct('f', fl.file_seq, 'b', l.b, 'm', l.m) AS ord, l.value
          FROM ${LINES_VIEW} l JOIN ${FILES_VIEW} fl ON l.p = fl.file_path
        )
      )
    )
  )
)
` },
    // ev: the events the fold reads.
    { name: V.ev, cache: false, sql: `
SELECT log_id, ord, j.Event AS event, j FROM ${V.parsed} WHERE j IS NOT NULL
` },
    // starts: the first SparkListenerApplicationStart of each log.
    { name: V.starts, cache: false, sql: `
-- The first SparkListenerApplicationStart wins; a second one is ignored, its timestamp too.
SELECT log_id, min_by(struct(ord, ${f('App ID')} AS app_id, ${f('App Attempt ID')} AS attempt_id, ${f('App Name')} AS app_name,
    ${f('User')} AS user, ${long(f('Timestamp'))} AS ts), ord) AS s
FROM ${V.ev} WHERE event = ${E('SparkListenerApplicationStart')} GROUP BY log_id
` },
    // seen: every valid timestamp the fold's time() sees, with its place.
    { name: V.seen, cache: false, sql: `
-- Every valid timestamp > 0 the fold passes through its time() (fold.ts seen), with its place.
SELECT log_id, ord, ts FROM (
  SELECT log_id, ord, explode(CASE event
    WHEN ${E('SparkListenerJobStart')} THEN array(${long(f('Submission Time'))})
    WHEN ${E('SparkListenerJobEnd')} THEN array(${long(f('Completion Time'))})
    WHEN ${E('SparkListenerApplicationEnd')} THEN array(${long(f('Timestamp'))})
    WHEN ${E('SparkListenerExecutorAdded')} THEN CASE WHEN ${f('Executor ID')} IS NOT NULL THEN array(${long(f('Timestamp'))}) END
    WHEN ${E('SparkListenerExecutorRemoved')} THEN CASE WHEN ${f('Executor ID')} IS NOT NULL THEN array(${long(f('Timestamp'))}) END
    WHEN ${E('SparkListenerBlockManagerAdded')} THEN CASE WHEN ${f('Block Manager ID', 'Executor ID')} IS NOT NULL THEN array(${long(f('Timestamp'))}) END
    WHEN ${E('SparkListenerStageSubmitted')} THEN CASE WHEN ${int(f('Stage Info', 'Stage ID'))} IS NOT NULL THEN array(${long(f('Stage Info', 'Submission Time'))}) END
    WHEN ${E('SparkListenerStageCompleted')} THEN CASE WHEN ${int(f('Stage Info', 'Stage ID'))} IS NOT NULL
      THEN array(${long(f('Stage Info', 'Submission Time'))}, ${long(f('Stage Info', 'Completion Time'))}) END
    WHEN ${E('SparkListenerTaskEnd')} THEN CASE WHEN ${int(f('Stage ID'))} IS NOT NULL AND ${f('Task Info')} IS NOT NULL
      THEN array(${long(f('Task Info', 'Launch Time'))}, ${long(f('Task Info', 'Finish Time'))}) END
    END) AS ts FROM ${V.ev}
) WHERE ts > 0
UNION ALL
SELECT log_id, s.ord AS ord, s.ts AS ts FROM ${V.starts} WHERE s.ts > 0
` },
    // tasks1: task ends with their raw wall time.
    { name: V.tasks1, cache: false, sql: `
SELECT *, CASE WHEN launch IS NOT NULL AND finish IS NOT NULL AND finish >= launch AND launch > 0 THEN finish - launch END AS raw_wall FROM (
  SELECT e.log_id, e.ord, ${int(f('Stage ID'))} AS stage_id, coalesce(${int(f('Stage Attempt ID'))}, 0) AS attempt,
      ${f('Task Info', 'Executor ID')} AS exec_id,
      ${long(f('Task Info', 'Launch Time'))} AS launch, ${long(f('Task Info', 'Finish Time'))} AS finish,
      CASE WHEN ${f('Task End Reason')} IS NOT NULL THEN coalesce(${f('Task End Reason', 'Reason')}, 'UnknownReason')
        WHEN ${f('Task Info', 'Failed')} = true THEN 'UnknownReason' ELSE 'Success' END AS reason,
      CASE WHEN ${f('Task End Reason')} IS NOT NULL THEN struct(${reasonFields}) END AS end_reason,
      ${f('Task Metrics')} AS metrics,
      ${long(f('Task Executor Metrics', 'JVMHeapMemory'))} AS heap,
      st.s.ts AS start_ts, st.s.ord AS start_ord
    FROM ${V.ev} e LEFT JOIN ${V.starts} st ON st.log_id = e.log_id
    WHERE e.event = ${E('SparkListenerTaskEnd')} AND ${int(f('Stage ID'))} IS NOT NULL
)
` },
    // wall_checks: the latest timestamp before each task end launched before its application started.
    { name: V.wall_checks, cache: false, sql: `
-- A task's wall time cannot exceed how long the application had run when it ended (latest timestamp seen so far −
-- start): only a task launched before the start can fail that, so only those are joined with the timestamps before them.
SELECT c.log_id, c.ord, max(s.ts) AS last_ts FROM (
  SELECT log_id, ord FROM ${V.tasks1} WHERE raw_wall IS NOT NULL AND start_ts IS NOT NULL AND start_ord < ord AND launch < start_ts
) c JOIN ${V.seen} s ON s.log_id = c.log_id AND s.ord <= c.ord
GROUP BY c.log_id, c.ord
` },
    // tasks: one row per task end: stage attempt, executor, launch, reason, wall time, metric values m0….
    { name: V.tasks, cache: true, sql: `
SELECT log_id, ord, stage_id, attempt, exec_id, launch, reason, end_reason, heap, wall,
    ${TASK_METRICS.map((_, i) => `${taskMetricValue(i)} AS m${i}`).join(',\n    ')}
  FROM (
  SELECT t.*, CASE WHEN w.last_ts IS NOT NULL AND t.raw_wall > w.last_ts - t.start_ts THEN NULL ELSE t.raw_wall END AS wall
    FROM ${V.tasks1} t LEFT JOIN ${V.wall_checks} w ON w.log_id = t.log_id AND w.ord = t.ord
)
` },
    { name: V.seen_range, cache: false, sql: `
SELECT log_id, min(ts) AS first_ts, max(ts) AS last_ts FROM ${V.seen} GROUP BY log_id
` },
    { name: V.line_stats, cache: false, sql: `
SELECT log_id, count(*) AS lines, count_if(bad) AS malformed FROM ${V.parsed} GROUP BY log_id
` },
    { name: V.file_stats, cache: false, sql: `
SELECT log_id, collect_list(struct(file_seq, nonblank, bad_lines)) AS files FROM (
    SELECT log_id, file_seq, count_if(cls > 0) AS nonblank, count_if(bad) AS bad_lines FROM ${V.parsed} GROUP BY log_id, file_seq
  ) WHERE bad_lines > 0 GROUP BY log_id
` },
    { name: V.app, cache: false, sql: `
SELECT e.log_id,
    max_by(${f('Spark Version')}, e.ord) FILTER (WHERE e.event = ${E('SparkListenerLogStart')} AND ${f('Spark Version')} IS NOT NULL) AS spark_version,
    min_by(${f('Spark Version')}, e.ord) FILTER (WHERE e.event = ${E('DBCEventLoggingListenerMetadata')} AND ${f('Spark Version')} IS NOT NULL) AS dbc_spark_version,
    -- SparkListenerApplicationEnd: a timestamp before the start known at that point is dropped; the last kept wins.
    max_by(${long(f('Timestamp'))}, e.ord) FILTER (WHERE e.event = ${E('SparkListenerApplicationEnd')} AND ${long(f('Timestamp'))} IS NOT NULL
      AND NOT (st.s.ts IS NOT NULL AND st.s.ord < e.ord AND ${long(f('Timestamp'))} < st.s.ts)) AS end_ts,
    max_by(CAST(${f('ExitCode')} AS BIGINT), e.ord) FILTER (WHERE e.event = ${E('SparkListenerApplicationEnd')} AND ${f('ExitCode')} IS NOT NULL
      AND ${f('ExitCode')} = rint(${f('ExitCode')}) AND abs(${f('ExitCode')}) <= ${2 ** 31}) AS exit_code,
    max_by(try_element_at(${f('System Properties')}, 'sun.java.command'), e.ord) FILTER (WHERE e.event = ${E('SparkListenerEnvironmentUpdate')}
      AND try_element_at(${f('System Properties')}, 'sun.java.command') IS NOT NULL) AS java_command,
    count_if(e.event = ${E('SparkListenerJobStart')}) AS total_jobs,
    count_if(e.event = ${E('SparkListenerJobEnd')} AND ${f('Job Result', 'Result')} IS NOT NULL AND ${f('Job Result', 'Result')} <> 'JobSucceeded') AS failed_jobs,
    count_if(e.event = ${E('SparkListenerExecutorAdded')} AND ${f('Executor ID')} IS NOT NULL AND ${f('Executor ID')} NOT IN ${DRIVER_IDS}) AS executors_added
  FROM ${V.ev} e LEFT JOIN ${V.starts} st ON st.log_id = e.log_id
  GROUP BY e.log_id
` },
    { name: V.props, cache: false, sql: `
-- Spark Properties of every environment update: the last value of each key, keys in first-seen order.
SELECT log_id, transform(array_sort(collect_list(struct(first_at, key, value))), x -> struct(x.key AS key, x.value AS value)) AS properties FROM (
  SELECT log_id, kv.key AS key, min(struct(ord, pos)) AS first_at, max_by(kv.value, struct(ord, pos)) AS value
  FROM ${V.ev} LATERAL VIEW posexplode(map_entries(${f('Spark Properties')})) t AS pos, kv
  WHERE event = ${E('SparkListenerEnvironmentUpdate')} AND kv.value IS NOT NULL
  GROUP BY log_id, kv.key
) GROUP BY log_id
` },
    { name: V.alive, cache: false, sql: `
-- Executors alive at once (fold.ts alive set): +1 when an executor not alive is added, −1 when an alive one is removed.
SELECT log_id, max(running) AS max_executors FROM (
  SELECT log_id, sum(delta) OVER (PARTITION BY log_id ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM (
    SELECT log_id, ord, after - coalesce(lag(after) OVER (PARTITION BY log_id, exec_id ORDER BY ord), 0) AS delta FROM (
      SELECT log_id, ord, ${f('Executor ID')} AS exec_id, CASE WHEN event = ${E('SparkListenerExecutorAdded')} THEN 1 ELSE 0 END AS after
      FROM ${V.ev} WHERE event IN (${E('SparkListenerExecutorAdded')}, ${E('SparkListenerExecutorRemoved')})
        AND ${f('Executor ID')} IS NOT NULL AND ${f('Executor ID')} NOT IN ${DRIVER_IDS}
    )
  )
) GROUP BY log_id
` },
    { name: V.stage_events, cache: false, sql: `
SELECT log_id, ord, event, ${int(f('Stage Info', 'Stage ID'))} AS stage_id, coalesce(${int(f('Stage Info', 'Stage Attempt ID'))}, 0) AS attempt,
    ${f('Stage Info', 'Stage Name')} AS name, ${int(f('Stage Info', 'Number of Tasks'))} AS num_tasks, ${f('Stage Info', 'Parent IDs')} AS parents,
    ${long(f('Stage Info', 'Submission Time'))} AS submitted,
    CASE WHEN event = ${E('SparkListenerStageCompleted')} THEN ${long(f('Stage Info', 'Completion Time'))} END AS done,
    CASE WHEN event = ${E('SparkListenerStageCompleted')} THEN ${f('Stage Info', 'Failure Reason')} END AS failure
  FROM ${V.ev} WHERE event IN (${E('SparkListenerStageSubmitted')}, ${E('SparkListenerStageCompleted')}) AND ${int(f('Stage Info', 'Stage ID'))} IS NOT NULL
` },
    { name: V.stage_info, cache: false, sql: `
SELECT log_id, stage_id, attempt,
    min(ord) AS first_ord,
    min(ord) FILTER (WHERE event = ${E('SparkListenerStageCompleted')}) AS completed_ord,
    coalesce(max_by(name, ord) FILTER (WHERE name IS NOT NULL), '') AS name,
    coalesce(max_by(num_tasks, ord) FILTER (WHERE num_tasks IS NOT NULL), 0) AS num_tasks,
    ${ints('max_by(parents, ord) FILTER (WHERE parents IS NOT NULL)')} AS parent_ids,
    max_by(submitted, ord) FILTER (WHERE submitted IS NOT NULL) AS submitted,
    -- A completion before the submission known at that point is dropped; the last kept wins.
    max_by(done, ord) FILTER (WHERE done IS NOT NULL AND NOT (submitted_so_far IS NOT NULL AND done < submitted_so_far)) AS completed,
    min_by(failure, ord) FILTER (WHERE failure IS NOT NULL) AS failure
  FROM (
    SELECT *, last(submitted, true) OVER (PARTITION BY log_id, stage_id, attempt ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS submitted_so_far
    FROM ${V.stage_events}
  ) GROUP BY log_id, stage_id, attempt
` },
    { name: V.stage_tasks, cache: false, sql: `
SELECT t.log_id, t.stage_id, t.attempt,
    min(t.ord) AS first_task_ord,
    count_if(t.reason = 'Success') AS succeeded, count_if(t.reason <> 'Success') AS failed,
    ${metricAggregates('t.')} AS sums,
    array_sort(collect_list(struct(t.ord, t.launch, t.wall)) FILTER (WHERE t.reason = 'Success' AND t.wall IS NOT NULL
      AND (si.completed_ord IS NULL OR t.ord < si.completed_ord))) AS early,
    transform(array_sort(collect_list(struct(t.ord, t.wall)) FILTER (WHERE t.reason = 'Success' AND t.wall IS NOT NULL
      AND si.completed_ord IS NOT NULL AND t.ord > si.completed_ord)), x -> x.wall) AS late
  FROM ${V.tasks} t LEFT JOIN ${V.stage_info} si ON si.log_id = t.log_id AND si.stage_id = t.stage_id AND si.attempt = t.attempt
  GROUP BY t.log_id, t.stage_id, t.attempt
` },
    { name: V.stages, cache: false, sql: `
SELECT log_id, array_sort(collect_list(struct(first_at, stage_id, attempt, announced, orphan, name, num_tasks, parent_ids,
      submitted, completed, failure, succeeded, failed, sums, early_launches, early_durations, late_durations))) AS stages
  FROM (
    SELECT coalesce(si.log_id, tk.log_id) AS log_id, coalesce(si.stage_id, tk.stage_id) AS stage_id, coalesce(si.attempt, tk.attempt) AS attempt,
      least(si.first_ord, tk.first_task_ord) AS first_at, si.log_id IS NOT NULL AS announced,
      tk.first_task_ord IS NOT NULL AND (si.first_ord IS NULL OR tk.first_task_ord < si.first_ord) AS orphan,
      coalesce(si.name, '') AS name, coalesce(si.num_tasks, 0) AS num_tasks, coalesce(si.parent_ids, array()) AS parent_ids,
      si.submitted, si.completed, si.failure,
      coalesce(tk.succeeded, 0) AS succeeded, coalesce(tk.failed, 0) AS failed,
      coalesce(tk.sums, ${zeroMetrics()}) AS sums,
      coalesce(transform(tk.early, x -> x.launch), array()) AS early_launches, coalesce(transform(tk.early, x -> x.wall), array()) AS early_durations,
      coalesce(tk.late, array()) AS late_durations
    FROM ${V.stage_info} si FULL OUTER JOIN ${V.stage_tasks} tk ON si.log_id = tk.log_id AND si.stage_id = tk.stage_id AND si.attempt = tk.attempt
  ) GROUP BY log_id
` },
    { name: V.executor_events, cache: false, sql: `
-- Every event that names an executor (fold.ts executor()): how it first saw it (its first-seen time), and its values.
SELECT log_id, ord, event, exec_id, ts, ea_host, cores, reason, bm_host, max_mem, heap, first_seen,
  max(CASE WHEN event = ${E('SparkListenerExecutorAdded')} AND ea_host IS NOT NULL THEN ord END) OVER (PARTITION BY log_id, exec_id) AS host_set_ord
FROM (
  SELECT log_id, ord, event,
    CASE WHEN event = ${E('SparkListenerBlockManagerAdded')} THEN ${f('Block Manager ID', 'Executor ID')} ELSE ${f('Executor ID')} END AS exec_id,
    ${long(f('Timestamp'))} AS ts,
    ${f('Executor Info', 'Host')} AS ea_host, ${int(f('Executor Info', 'Total Cores'))} AS cores, ${f('Removed Reason')} AS reason,
    ${f('Block Manager ID', 'Host')} AS bm_host, ${long(f('Maximum Memory'))} AS max_mem,
    CASE WHEN event = ${E('SparkListenerStageExecutorMetrics')} THEN ${long(f('Executor Metrics', 'JVMHeapMemory'))} END AS heap,
    CASE WHEN event = ${E('SparkListenerStageExecutorMetrics')} THEN 0 ELSE coalesce(${long(f('Timestamp'))}, 0) END AS first_seen
  FROM ${V.ev} WHERE event IN (${E('SparkListenerExecutorAdded')}, ${E('SparkListenerExecutorRemoved')}, ${E('SparkListenerBlockManagerAdded')}, ${E('SparkListenerStageExecutorMetrics')})
  UNION ALL
  SELECT log_id, ord, ${E('SparkListenerTaskEnd')} AS event, exec_id, NULL, NULL, NULL, NULL, NULL, NULL, heap, coalesce(launch, 0) AS first_seen
  FROM ${V.tasks} WHERE exec_id IS NOT NULL
) WHERE exec_id IS NOT NULL AND NOT (event = ${E('SparkListenerStageExecutorMetrics')} AND (heap IS NULL OR heap <= 0))
` },
    { name: V.executor_info, cache: false, sql: `
SELECT log_id, exec_id,
    min(ord) AS first_ord,
    CASE WHEN count_if(event = ${E('SparkListenerExecutorAdded')}) > 0
      THEN max_by(coalesce(ts, 0), ord) FILTER (WHERE event = ${E('SparkListenerExecutorAdded')})
      ELSE min_by(first_seen, ord) END AS add_time,
    max_by(CASE WHEN event = ${E('SparkListenerExecutorRemoved')} THEN struct(ts AS at, reason AS why) END, ord)
      FILTER (WHERE event IN (${E('SparkListenerExecutorAdded')}, ${E('SparkListenerExecutorRemoved')})) AS removed,
    max_by(ea_host, ord) FILTER (WHERE event = ${E('SparkListenerExecutorAdded')} AND ea_host IS NOT NULL) AS ea_host,
    min_by(bm_host, ord) FILTER (WHERE event = ${E('SparkListenerBlockManagerAdded')} AND bm_host IS NOT NULL AND bm_host <> ''
      AND (host_set_ord IS NULL OR ord > host_set_ord)) AS bm_host,
    coalesce(max_by(cores, ord) FILTER (WHERE event = ${E('SparkListenerExecutorAdded')} AND cores IS NOT NULL), 0) AS total_cores,
    max_by(max_mem, ord) FILTER (WHERE event = ${E('SparkListenerBlockManagerAdded')} AND max_mem IS NOT NULL) AS max_memory,
    max(heap) FILTER (WHERE heap > 0) AS peak_heap
  FROM ${V.executor_events} GROUP BY log_id, exec_id
` },
    { name: V.executor_tasks, cache: false, sql: `
SELECT log_id, exec_id, ${metricAggregates()} AS sums FROM ${V.tasks} WHERE exec_id IS NOT NULL GROUP BY log_id, exec_id
` },
    { name: V.executors, cache: false, sql: `
SELECT x.log_id, array_sort(collect_list(struct(x.first_ord, x.exec_id, x.add_time, x.removed, x.ea_host, x.bm_host, x.total_cores,
      x.max_memory, x.peak_heap, xt.sums))) AS executors
  FROM ${V.executor_info} x LEFT JOIN ${V.executor_tasks} xt ON xt.log_id = x.log_id AND xt.exec_id = x.exec_id
  GROUP BY x.log_id
` },
    { name: V.task_totals, cache: false, sql: `
SELECT log_id, count(*) AS total_tasks, count_if(reason <> 'Success') AS failed_tasks, ${metricAggregates()} AS sums FROM ${V.tasks} GROUP BY log_id
` },
    { name: V.failures, cache: false, sql: `
SELECT log_id, array_sort(collect_list(struct(first_ord, reason, end_reason, n))) AS failures FROM (
    SELECT log_id, reason, end_reason, min(ord) AS first_ord, count(*) AS n FROM ${V.tasks} WHERE reason <> 'Success' GROUP BY log_id, reason, end_reason
  ) GROUP BY log_id
` },
    { name: V.job_events, cache: false, sql: `
SELECT log_id, ord, event, ${int(f('Job ID'))} AS job_id, ${long(f('Submission Time'))} AS submitted, ${f('Stage IDs')} AS stage_ids,
    try_element_at(${f('Properties')}, 'spark.sql.execution.id') AS sql_id, ${long(f('Completion Time'))} AS done,
    ${f('Job Result', 'Result')} AS result, ${f('Job Result', 'Exception', 'Message')} AS message,
    max(CASE WHEN event = ${E('SparkListenerJobEnd')} THEN ord END) OVER (PARTITION BY log_id, ${int(f('Job ID'))}) AS last_end_ord
  FROM ${V.ev} WHERE event IN (${E('SparkListenerJobStart')}, ${E('SparkListenerJobEnd')}) AND ${int(f('Job ID'))} IS NOT NULL
` },
    { name: V.jobs, cache: false, sql: `
SELECT log_id, collect_list(struct(job_id, submitted, stage_ids, sql_id, completed, result, failure)) AS jobs FROM (
    SELECT log_id, job_id,
      max_by(submitted, ord) FILTER (WHERE event = ${E('SparkListenerJobStart')}) AS submitted,
      ${ints(`max_by(stage_ids, ord) FILTER (WHERE event = ${E('SparkListenerJobStart')})`)} AS stage_ids,
      CASE WHEN ${`max_by(regexp_replace(sql_id, ${sqlString(`^${JS_SPACE}+|${JS_SPACE}+$`)}, ''), ord) FILTER (WHERE event = ${E('SparkListenerJobStart')})`} RLIKE '^[0-9]+$'
        THEN CAST(${`max_by(regexp_replace(sql_id, ${sqlString(`^${JS_SPACE}+|${JS_SPACE}+$`)}, ''), ord) FILTER (WHERE event = ${E('SparkListenerJobStart')})`} AS DOUBLE) END AS sql_id,
      CASE WHEN max_by(done, ord) FILTER (WHERE event = ${E('SparkListenerJobEnd')}) < max_by(submitted, ord) FILTER (WHERE event = ${E('SparkListenerJobStart')} AND ord < last_end_ord)
        THEN NULL ELSE max_by(done, ord) FILTER (WHERE event = ${E('SparkListenerJobEnd')}) END AS completed,
      max_by(result, ord) FILTER (WHERE event = ${E('SparkListenerJobEnd')}) AS result,
      CASE WHEN max_by(result, ord) FILTER (WHERE event = ${E('SparkListenerJobEnd')}) <> 'JobSucceeded'
        THEN substr(coalesce(max_by(message, ord) FILTER (WHERE event = ${E('SparkListenerJobEnd')}), max_by(result, ord) FILTER (WHERE event = ${E('SparkListenerJobEnd')})), 1, ${FAILURE_EXAMPLE_MAX_CHARS}) END AS failure
    FROM ${V.job_events} GROUP BY log_id, job_id
  ) GROUP BY log_id
` },
  ];
}

/** The statements of one fold: views to create (and cache) first, the query, and what to drop afterwards. */
export interface FoldStatements {
  /** Run in order before the query: `CREATE OR REPLACE TEMPORARY VIEW …` and `CACHE TABLE …`. */
  setup: string[];
  /** The fold query: one row per log that has at least one line (records.ts `FoldRow` says each column's shape). */
  query: string;
  /** Run after the query, also when it failed: uncache and drop every view. */
  cleanup: string[];
}

/**
 * The fold as Spark SQL statements. Intermediate results are temporary views without `WITH` (a view defined with a
 * `WITH` clause gets new CTE ids each time it is resolved, so a cached one would never be matched, and a CTE referred
 * to twice is materialised by a shuffle); the two that many views read are cached: the parsed lines
 * (`spo_parsed`: the archive is read and parsed once) and the task ends (`spo_tasks`). `spo_parsed` is hash-partitioned
 * by log, and with {@link FOLD_SESSION_CONF} every later aggregate, window and join (all keyed by the log first) runs
 * inside its partition.
 * @param partitions partitions of the parsed lines (each holds whole logs).
 */
export function foldStatements(partitions: number): FoldStatements {
  const views = foldViews(partitions);
  return {
    setup: views.flatMap((v) => [`CREATE OR REPLACE TEMPORARY VIEW ${v.name} AS\n${v.sql}`, ...(v.cache ? [`CACHE TABLE ${v.name}`] : [])]),
    query: `
SELECT ls.log_id, ls.lines, ls.malformed, fs.files,
  st.s.app_id, st.s.attempt_id, st.s.app_name, st.s.user, st.s.ts AS start_ts, st.log_id IS NOT NULL AS saw_start, sr.first_ts, sr.last_ts,
  a.spark_version, a.dbc_spark_version, a.end_ts, a.exit_code, a.java_command, a.total_jobs, a.failed_jobs, a.executors_added,
  coalesce(al.max_executors, 0) AS max_executors,
  pr.properties, tt.total_tasks, tt.failed_tasks, tt.sums,
  sg.stages, ex.executors, fa.failures, jb.jobs
FROM ${V.line_stats} ls
LEFT JOIN ${V.file_stats} fs ON fs.log_id = ls.log_id
LEFT JOIN ${V.starts} st ON st.log_id = ls.log_id
LEFT JOIN ${V.seen_range} sr ON sr.log_id = ls.log_id
LEFT JOIN ${V.app} a ON a.log_id = ls.log_id
LEFT JOIN ${V.alive} al ON al.log_id = ls.log_id
LEFT JOIN ${V.props} pr ON pr.log_id = ls.log_id
LEFT JOIN ${V.task_totals} tt ON tt.log_id = ls.log_id
LEFT JOIN ${V.stages} sg ON sg.log_id = ls.log_id
LEFT JOIN ${V.executors} ex ON ex.log_id = ls.log_id
LEFT JOIN ${V.failures} fa ON fa.log_id = ls.log_id
LEFT JOIN ${V.jobs} jb ON jb.log_id = ls.log_id
`,
    cleanup: [
      ...views.filter((v) => v.cache).map((v) => `UNCACHE TABLE IF EXISTS ${v.name}`),
      ...views.reverse().map((v) => `DROP VIEW IF EXISTS ${v.name}`),
    ],
  };
}

/**
 * For the files whose malformed lines may make them a `json` decode error by their longest run (reader.ts
 * `JSON_FAILURE_RUN`): per file, the longest run of consecutive malformed non-blank lines and the 1-based line where it
 * starts (blank lines counted, as the reader numbers lines); the first such run when several are as long. Over the
 * cached parsed table.
 * @param files (log id, file index) of the files to check.
 */
export function malformedRunsQuery(files: readonly { logId: number; fileSeq: number }[]): string {
  return `
WITH numbered AS (
  SELECT log_id, file_seq, row_number() OVER (PARTITION BY log_id, file_seq ORDER BY ord) AS line_no, cls, bad
  FROM ${PARSED_TABLE}
  WHERE struct(log_id, file_seq) IN (${files.map((x) => `struct(${x.logId}, ${x.fileSeq})`).join(', ')})
),
runs AS (
  SELECT log_id, file_seq, line_no, bad,
    sum(CASE WHEN bad THEN 0 ELSE 1 END) OVER (PARTITION BY log_id, file_seq ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
  FROM numbered WHERE cls > 0
)
SELECT log_id, file_seq, max_by(struct(n, start_line), struct(n, -start_line)) AS longest FROM (
  SELECT log_id, file_seq, grp, count(*) AS n, min(line_no) AS start_line FROM runs WHERE bad GROUP BY log_id, file_seq, grp
) GROUP BY log_id, file_seq
`;
}
