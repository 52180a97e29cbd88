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
export const FOLD_SESSION_CONF: Readonly<Record<string, string>> = {
  'spark.sql.requireAllClusterKeysForCoPartition': 'false',
};
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
  stage_info: 'spo_stage_info',
  stage_tasks: 'spo_stage_tasks',
  stages: 'spo_stages',
  executor_events: 'spo_executor_events',
  executor_info: 'spo_executor_info',
  executor_tasks: 'spo_executor_tasks',
  executors: 'spo_executors',
  task_totals: 'spo_task_totals',
  failures: 'spo_failures',
  jobs: 'spo_jobs',
} as const;

/** One temporary view of the fold; `cache`: materialised once (`CACHE TABLE`), because several views read it. */
interface FoldView {
  name: string;
  sql: string;
  cache: boolean;
}

/** A line's place in its log, from the flat columns of {@link V.parsed}: (file of the log, block of the file, row in the block). */
const ORD = "named_struct('f', file_seq, 'b', ord_b, 'm', ord_m)";

/** The columns of a task end's raw metric values (before the wall-time clip), in TASK_METRICS order. */
const RAW_METRICS = TASK_METRICS.map((_, i) => `r${i}`);

/**
 * The flat columns of an event the fold reads, computed once when the parsed lines are cached (primitive columns are read
 * back from Spark's columnar cache without decoding the parsed line again): each field as the fold reads it, bounded
 * (`long`, `int`), per event where the JSON field has several owners.
 */
function eventColumns(): string {
  const reasonFields = ['Reason', ...TASK_END_REASON_FIELDS]
    .map((k) => `${f('Task End Reason', k)} AS ${q(k)}`)
    .join(', ');
  const metricPaths = (i: number): string =>
    TASK_METRICS[i].paths.map((path) => `coalesce(${long(f('Task Metrics', ...path))}, 0)`).join(' + ');
  return [
    // application, log and environment
    `${long(f('Timestamp'))} AS ts`,
    `${f('Spark Version')} AS spark_version`,
    `${f('App ID')} AS app_id`,
    `${f('App Attempt ID')} AS attempt_id`,
    `${f('App Name')} AS app_name`,
    `${f('User')} AS user`,
    `CASE WHEN ${f('ExitCode')} = rint(${f('ExitCode')}) AND abs(${f('ExitCode')}) <= ${2 ** 31} THEN CAST(${f('ExitCode')} AS BIGINT) END AS exit_code`,
    `${f('System Properties', 'sun.java.command')} AS java_command`,
    `${f('Spark Properties')} AS spark_properties`,
    // executors and block managers
    `CASE WHEN j.Event = ${E('SparkListenerBlockManagerAdded')} THEN ${f('Block Manager ID', 'Executor ID')} ELSE ${f('Executor ID')} END AS exec_id`,
    `${f('Executor Info', 'Host')} AS ea_host`,
    `${int(f('Executor Info', 'Total Cores'))} AS ea_cores`,
    `${f('Removed Reason')} AS removed_reason`,
    `${f('Block Manager ID', 'Host')} AS bm_host`,
    `${long(f('Maximum Memory'))} AS max_memory`,
    `${long(f('Executor Metrics', 'JVMHeapMemory'))} AS sem_heap`,
    // stage submitted / completed
    `${int(f('Stage Info', 'Stage ID'))} AS si_stage`,
    `coalesce(${int(f('Stage Info', 'Stage Attempt ID'))}, 0) AS si_attempt`,
    `${f('Stage Info', 'Stage Name')} AS si_name`,
    `${int(f('Stage Info', 'Number of Tasks'))} AS si_tasks`,
    `CASE WHEN ${f('Stage Info', 'Parent IDs')} IS NOT NULL THEN ${ints(f('Stage Info', 'Parent IDs'))} END AS si_parents`,
    `${long(f('Stage Info', 'Submission Time'))} AS si_submitted`,
    `${long(f('Stage Info', 'Completion Time'))} AS si_done`,
    `${f('Stage Info', 'Failure Reason')} AS si_failure`,
    // task end
    `${int(f('Stage ID'))} AS t_stage`,
    `coalesce(${int(f('Stage Attempt ID'))}, 0) AS t_attempt`,
    `${f('Task Info')} IS NOT NULL AS t_info`,
    `${f('Task Info', 'Executor ID')} AS t_exec`,
    `${long(f('Task Info', 'Launch Time'))} AS t_launch`,
    `${long(f('Task Info', 'Finish Time'))} AS t_finish`,
    `CASE WHEN ${f('Task End Reason')} IS NOT NULL THEN coalesce(${f('Task End Reason', 'Reason')}, 'UnknownReason')
      WHEN ${f('Task Info', 'Failed')} = true THEN 'UnknownReason' ELSE 'Success' END AS t_reason`,
    `CASE WHEN ${f('Task End Reason')} IS NOT NULL THEN struct(${reasonFields}) END AS t_end_reason`,
    ...TASK_METRICS.map((_, i) => `${metricPaths(i)} AS r${i}`),
    `${long(f('Task Executor Metrics', 'JVMHeapMemory'))} AS t_heap`,
    // jobs
    `${int(f('Job ID'))} AS job_id`,
    `${long(f('Submission Time'))} AS job_submitted`,
    `CASE WHEN ${f('Stage IDs')} IS NOT NULL THEN ${ints(f('Stage IDs'))} END AS job_stage_ids`,
    `try_element_at(${f('Properties')}, 'spark.sql.execution.id') AS job_sql_id`,
    `${long(f('Completion Time'))} AS job_done`,
    `${f('Job Result', 'Result')} AS job_result`,
    `${f('Job Result', 'Exception', 'Message')} AS job_message`,
  ].join(',\n    ');
}

/** The clipped value of task metric `i` (fold.ts `taskMetrics`): its raw value, at most the wall time × the metric's scale. */
function clippedMetric(i: number): string {
  const m = TASK_METRICS[i];
  const v = `CAST(r${i} AS DECIMAL(38,0))`;
  if (m.wallScale === null) return v;
  const bound = `CAST(wall AS DECIMAL(38,0)) * ${m.wallScale}`;
  return `CASE WHEN wall IS NOT NULL AND ${v} > ${bound} THEN ${bound} ELSE ${v} END`;
}

/** The views of the fold, in the order they are created (each refers only to earlier ones). */
function foldViews(partitions: number, broadcastFiles: boolean): FoldView[] {
  const folded = `array(${[...FOLDED_EVENTS].map(sqlString).join(', ')})`;
  const prefix = sqlString(EVENT_PREFIX);
  const nameStart = EVENT_PREFIX.length + 1;
  const jsonOptions = `map('mode', 'PERMISSIVE', 'allowSingleQuotes', 'false', 'allowNonNumericNumbers', 'false')`;
  const ev = (...events: (keyof typeof EVENT_SCHEMAS)[]): string => `event IN (${events.map(E).join(', ')})`;
  return [
    // Every line of the logs to read: its place, its class as the reader sees it (reader.ts: 0 blank, 1 skipped
    // unparsed, 2 parsed), `bad` when parsed but not a JSON event, and for the events the fold reads their name and
    // fields (eventColumns). Hash-partitioned by log; cached.
    {
      name: V.parsed,
      cache: true,
      sql: `
SELECT /*+ REPARTITION(${partitions}, log_id) */ log_id, file_seq, ord_b, ord_m, cls, bad,
  CASE WHEN NOT bad AND array_contains(${folded}, j.Event) THEN j.Event END AS event,
  ${eventColumns()}
FROM (
  SELECT log_id, file_seq, ord_b, ord_m, cls, cls = 2 AND (j IS NULL OR j.Event IS NULL) AS bad,
    CASE WHEN cls = 2 AND j.Event IS NOT NULL AND array_contains(${folded}, j.Event) THEN j END AS j
  FROM (
    SELECT log_id, file_seq, ord_b, ord_m, cls,
      CASE WHEN cls = 2 THEN from_json(value, ${sqlString(eventLineSchemaDdl())}, ${jsonOptions}) END AS j
    FROM (
      -- reader.ts: blank lines are skipped; a line naming an event the fold does not read is skipped unparsed (good);
      -- every other line is parsed.
      SELECT log_id, file_seq, ord_b, ord_m, value,
        CASE
          WHEN prefix_event IS NOT NULL AND instr(prefix_event, '\\\\') = 0 AND NOT array_contains(${folded}, prefix_event) AND endswith(value, '}') THEN 1
          WHEN prefix_event IS NULL AND value RLIKE ${sqlString(`^${JS_SPACE}*$`)} THEN 0
          ELSE 2 END AS cls
      FROM (
        SELECT ${broadcastFiles ? '/*+ BROADCAST(fl) */ ' : ''}fl.log_id, fl.file_seq, l.b AS ord_b, l.m AS ord_m, l.value,
          CASE WHEN startswith(l.value, ${prefix}) AND locate('"', l.value, ${nameStart}) > 0
            THEN substr(l.value, ${nameStart}, locate('"', l.value, ${nameStart}) - ${nameStart}) END AS prefix_event
        FROM ${LINES_VIEW} l JOIN ${FILES_VIEW} fl ON l.p = fl.file_path
      )
    )
  )
)
`,
    },
    // The first SparkListenerApplicationStart of each log (a second one is ignored, its timestamp too).
    {
      name: V.starts,
      cache: false,
      sql: `
SELECT log_id, min_by(struct(${ORD} AS ord, app_id, attempt_id, app_name, user, ts), ${ORD}) AS s
FROM ${V.parsed} WHERE ${ev('SparkListenerApplicationStart')} GROUP BY log_id
`,
    },
    // Every valid timestamp > 0 the fold passes through its time() (fold.ts seen), with its place.
    {
      name: V.seen,
      cache: false,
      sql: `
SELECT log_id, ord, ts FROM (
  SELECT log_id, ${ORD} AS ord, explode(CASE
    WHEN ${ev('SparkListenerJobStart')} THEN array(job_submitted)
    WHEN ${ev('SparkListenerJobEnd')} THEN array(job_done)
    WHEN ${ev('SparkListenerApplicationEnd')} THEN array(ts)
    WHEN ${ev('SparkListenerExecutorAdded', 'SparkListenerExecutorRemoved', 'SparkListenerBlockManagerAdded')} THEN CASE WHEN exec_id IS NOT NULL THEN array(ts) END
    WHEN ${ev('SparkListenerStageSubmitted')} THEN CASE WHEN si_stage IS NOT NULL THEN array(si_submitted) END
    WHEN ${ev('SparkListenerStageCompleted')} THEN CASE WHEN si_stage IS NOT NULL THEN array(si_submitted, si_done) END
    WHEN ${ev('SparkListenerTaskEnd')} THEN CASE WHEN t_stage IS NOT NULL AND t_info THEN array(t_launch, t_finish) END
    END) AS ts
  FROM ${V.parsed} WHERE event IS NOT NULL
) WHERE ts > 0
UNION ALL
SELECT log_id, s.ord AS ord, s.ts AS ts FROM ${V.starts} WHERE s.ts > 0
`,
    },
    // Task ends with a valid stage, their raw wall time (Finish Time − Launch Time), and the application's start.
    {
      name: V.tasks1,
      cache: false,
      sql: `
SELECT t.*, st.s.ts AS start_ts, st.s.ord AS start_ord,
  CASE WHEN launch IS NOT NULL AND finish IS NOT NULL AND finish >= launch AND launch > 0 THEN finish - launch END AS raw_wall
FROM (
  SELECT log_id, ${ORD} AS ord, t_stage AS stage_id, t_attempt AS attempt, t_exec AS exec_id, t_launch AS launch, t_finish AS finish,
    t_reason AS reason, t_end_reason AS end_reason, t_heap AS heap, ${RAW_METRICS.join(', ')}
  FROM ${V.parsed} WHERE ${ev('SparkListenerTaskEnd')} AND t_stage IS NOT NULL
) t LEFT JOIN ${V.starts} st ON st.log_id = t.log_id
`,
    },
    // A task's wall time cannot exceed how long the application had run when it ended (latest timestamp seen so far −
    // start): only a task launched before the start can fail that, so only those are joined with the timestamps before them.
    {
      name: V.wall_checks,
      cache: false,
      sql: `
SELECT c.log_id, c.ord, max(s.ts) AS last_ts FROM (
  SELECT log_id, ord FROM ${V.tasks1} WHERE raw_wall IS NOT NULL AND start_ts IS NOT NULL AND start_ord < ord AND launch < start_ts
) c JOIN ${V.seen} s ON s.log_id = c.log_id AND s.ord <= c.ord
GROUP BY c.log_id, c.ord
`,
    },
    // One row per task end: stage attempt, executor, launch, reason, wall time and metric values m0… (exact, clipped). Cached.
    {
      name: V.tasks,
      cache: true,
      sql: `
SELECT log_id, ord.f AS ord_f, ord.b AS ord_b, ord.m AS ord_m, stage_id, attempt, exec_id, launch, reason, end_reason, heap, wall,
  ${TASK_METRICS.map((_, i) => `${clippedMetric(i)} AS m${i}`).join(',\n  ')}
FROM (
  SELECT t.*, CASE WHEN w.last_ts IS NOT NULL AND t.raw_wall > w.last_ts - t.start_ts THEN NULL ELSE t.raw_wall END AS wall
  FROM ${V.tasks1} t LEFT JOIN ${V.wall_checks} w ON w.log_id = t.log_id AND w.ord = t.ord
)
`,
    },
    {
      name: V.seen_range,
      cache: false,
      sql: `
SELECT log_id, min(ts) AS first_ts, max(ts) AS last_ts FROM ${V.seen} GROUP BY log_id
`,
    },
    {
      name: V.line_stats,
      cache: false,
      sql: `
SELECT log_id, count(*) AS lines, count_if(bad) AS malformed FROM ${V.parsed} GROUP BY log_id
`,
    },
    {
      name: V.file_stats,
      cache: false,
      sql: `
SELECT log_id, collect_list(struct(file_seq, nonblank, bad_lines)) AS files FROM (
  SELECT log_id, file_seq, count_if(cls > 0) AS nonblank, count_if(bad) AS bad_lines FROM ${V.parsed} GROUP BY log_id, file_seq
) WHERE bad_lines > 0 GROUP BY log_id
`,
    },
    {
      name: V.app,
      cache: false,
      sql: `
SELECT e.log_id,
  max_by(spark_version, ord) FILTER (WHERE ${ev('SparkListenerLogStart')} AND spark_version IS NOT NULL) AS spark_version,
  min_by(spark_version, ord) FILTER (WHERE ${ev('DBCEventLoggingListenerMetadata')} AND spark_version IS NOT NULL) AS dbc_spark_version,
  -- SparkListenerApplicationEnd: a timestamp before the start known at that point is dropped; the last kept wins.
  max_by(ts, ord) FILTER (WHERE ${ev('SparkListenerApplicationEnd')} AND ts IS NOT NULL AND NOT (st.s.ts IS NOT NULL AND st.s.ord < ord AND ts < st.s.ts)) AS end_ts,
  max_by(exit_code, ord) FILTER (WHERE ${ev('SparkListenerApplicationEnd')} AND exit_code IS NOT NULL) AS exit_code,
  max_by(java_command, ord) FILTER (WHERE ${ev('SparkListenerEnvironmentUpdate')} AND java_command IS NOT NULL) AS java_command,
  count_if(${ev('SparkListenerJobStart')}) AS total_jobs,
  count_if(${ev('SparkListenerJobEnd')} AND job_result IS NOT NULL AND job_result <> 'JobSucceeded') AS failed_jobs,
  count_if(${ev('SparkListenerExecutorAdded')} AND exec_id IS NOT NULL AND exec_id NOT IN ${DRIVER_IDS}) AS executors_added
FROM (SELECT *, ${ORD} AS ord FROM ${V.parsed} WHERE event IS NOT NULL) e LEFT JOIN ${V.starts} st ON st.log_id = e.log_id
GROUP BY e.log_id
`,
    },
    // Spark Properties of every environment update: the last value of each key, keys in first-seen order.
    {
      name: V.props,
      cache: false,
      sql: `
SELECT log_id, transform(array_sort(collect_list(struct(first_at, key, value))), x -> struct(x.key AS key, x.value AS value)) AS properties FROM (
  SELECT log_id, kv.key AS key, min(struct(${ORD}, pos)) AS first_at, max_by(kv.value, struct(${ORD}, pos)) AS value
  FROM ${V.parsed} LATERAL VIEW posexplode(map_entries(spark_properties)) t AS pos, kv
  WHERE ${ev('SparkListenerEnvironmentUpdate')} AND kv.value IS NOT NULL
  GROUP BY log_id, kv.key
) GROUP BY log_id
`,
    },
    // Executors alive at once (fold.ts alive set): +1 when an executor not alive is added, −1 when an alive one is removed.
    {
      name: V.alive,
      cache: false,
      sql: `
SELECT log_id, max(running) AS max_executors FROM (
  SELECT log_id, sum(delta) OVER (PARTITION BY log_id ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM (
    SELECT log_id, ord, after - coalesce(lag(after) OVER (PARTITION BY log_id, exec_id ORDER BY ord), 0) AS delta FROM (
      SELECT log_id, ${ORD} AS ord, exec_id, CASE WHEN ${ev('SparkListenerExecutorAdded')} THEN 1 ELSE 0 END AS after
      FROM ${V.parsed} WHERE ${ev('SparkListenerExecutorAdded', 'SparkListenerExecutorRemoved')} AND exec_id IS NOT NULL AND exec_id NOT IN ${DRIVER_IDS}
    )
  )
) GROUP BY log_id
`,
    },
    {
      name: V.stage_info,
      cache: false,
      sql: `
SELECT log_id, stage_id, attempt,
  min(ord) AS first_ord,
  min(ord) FILTER (WHERE completed_event) AS completed_ord,
  coalesce(max_by(name, ord) FILTER (WHERE name IS NOT NULL), '') AS name,
  coalesce(max_by(num_tasks, ord) FILTER (WHERE num_tasks IS NOT NULL), 0) AS num_tasks,
  coalesce(max_by(parents, ord) FILTER (WHERE parents IS NOT NULL), array()) AS parent_ids,
  max_by(submitted, ord) FILTER (WHERE submitted IS NOT NULL) AS submitted,
  -- A completion before the submission known at that point is dropped; the last kept wins.
  max_by(done, ord) FILTER (WHERE done IS NOT NULL AND NOT (submitted_so_far IS NOT NULL AND done < submitted_so_far)) AS completed,
  min_by(failure, ord) FILTER (WHERE failure IS NOT NULL) AS failure
FROM (
  SELECT *, last(submitted, true) OVER (PARTITION BY log_id, stage_id, attempt ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS submitted_so_far
  FROM (
    SELECT log_id, ${ORD} AS ord, ${ev('SparkListenerStageCompleted')} AS completed_event, si_stage AS stage_id, si_attempt AS attempt,
      si_name AS name, si_tasks AS num_tasks, si_parents AS parents, si_submitted AS submitted,
      CASE WHEN ${ev('SparkListenerStageCompleted')} THEN si_done END AS done,
      CASE WHEN ${ev('SparkListenerStageCompleted')} THEN si_failure END AS failure
    FROM ${V.parsed} WHERE ${ev('SparkListenerStageSubmitted', 'SparkListenerStageCompleted')} AND si_stage IS NOT NULL
  )
) GROUP BY log_id, stage_id, attempt
`,
    },
    {
      name: V.stage_tasks,
      cache: false,
      sql: `
SELECT t.log_id, t.stage_id, t.attempt,
  min(t.ord) AS first_task_ord,
  count_if(t.reason = 'Success') AS succeeded, count_if(t.reason <> 'Success') AS failed,
  ${metricAggregates('t.')} AS sums,
  array_sort(collect_list(struct(t.ord, t.launch, t.wall)) FILTER (WHERE t.reason = 'Success' AND t.wall IS NOT NULL
    AND (si.completed_ord IS NULL OR t.ord < si.completed_ord))) AS early,
  transform(array_sort(collect_list(struct(t.ord, t.wall)) FILTER (WHERE t.reason = 'Success' AND t.wall IS NOT NULL
    AND si.completed_ord IS NOT NULL AND t.ord > si.completed_ord)), x -> x.wall) AS late
FROM (SELECT *, named_struct('f', ord_f, 'b', ord_b, 'm', ord_m) AS ord FROM ${V.tasks}) t
LEFT JOIN ${V.stage_info} si ON si.log_id = t.log_id AND si.stage_id = t.stage_id AND si.attempt = t.attempt
GROUP BY t.log_id, t.stage_id, t.attempt
`,
    },
    {
      name: V.stages,
      cache: false,
      sql: `
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
`,
    },
    // Every event that names an executor (fold.ts executor()): how it first saw it (its first-seen time), and its values.
    {
      name: V.executor_events,
      cache: false,
      sql: `
SELECT log_id, ord, event, exec_id, ts, ea_host, cores, reason, bm_host, max_mem, heap, first_seen,
  max(CASE WHEN event = ${E('SparkListenerExecutorAdded')} AND ea_host IS NOT NULL THEN ord END) OVER (PARTITION BY log_id, exec_id) AS host_set_ord
FROM (
  SELECT log_id, ${ORD} AS ord, event, exec_id, ts, ea_host, ea_cores AS cores, removed_reason AS reason, bm_host, max_memory AS max_mem,
    CASE WHEN ${ev('SparkListenerStageExecutorMetrics')} THEN sem_heap END AS heap,
    CASE WHEN ${ev('SparkListenerStageExecutorMetrics')} THEN 0 ELSE coalesce(ts, 0) END AS first_seen
  FROM ${V.parsed}
  WHERE ${ev('SparkListenerExecutorAdded', 'SparkListenerExecutorRemoved', 'SparkListenerBlockManagerAdded', 'SparkListenerStageExecutorMetrics')}
  UNION ALL
  SELECT log_id, named_struct('f', ord_f, 'b', ord_b, 'm', ord_m) AS ord, ${E('SparkListenerTaskEnd')} AS event, exec_id, NULL, NULL, NULL, NULL, NULL, NULL, heap,
    coalesce(launch, 0) AS first_seen
  FROM ${V.tasks} WHERE exec_id IS NOT NULL
) WHERE exec_id IS NOT NULL AND NOT (event = ${E('SparkListenerStageExecutorMetrics')} AND (heap IS NULL OR heap <= 0))
`,
    },
    {
      name: V.executor_info,
      cache: false,
      sql: `
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
`,
    },
    {
      name: V.executor_tasks,
      cache: false,
      sql: `
SELECT log_id, exec_id, ${metricAggregates()} AS sums FROM ${V.tasks} WHERE exec_id IS NOT NULL GROUP BY log_id, exec_id
`,
    },
    {
      name: V.executors,
      cache: false,
      sql: `
SELECT x.log_id, array_sort(collect_list(struct(x.first_ord, x.exec_id, x.add_time, x.removed, x.ea_host, x.bm_host, x.total_cores,
    x.max_memory, x.peak_heap, xt.sums))) AS executors
FROM ${V.executor_info} x LEFT JOIN ${V.executor_tasks} xt ON xt.log_id = x.log_id AND xt.exec_id = x.exec_id
GROUP BY x.log_id
`,
    },
    {
      name: V.task_totals,
      cache: false,
      sql: `
SELECT log_id, count(*) AS total_tasks, count_if(reason <> 'Success') AS failed_tasks, ${metricAggregates()} AS sums FROM ${V.tasks} GROUP BY log_id
`,
    },
    {
      name: V.failures,
      cache: false,
      sql: `
SELECT log_id, array_sort(collect_list(struct(first_ord, reason, end_reason, n))) AS failures FROM (
  SELECT log_id, reason, end_reason, min(named_struct('f', ord_f, 'b', ord_b, 'm', ord_m)) AS first_ord, count(*) AS n
  FROM ${V.tasks} WHERE reason <> 'Success' GROUP BY log_id, reason, end_reason
) GROUP BY log_id
`,
    },
    {
      name: V.jobs,
      cache: false,
      sql: `
SELECT log_id, collect_list(struct(job_id, submitted, stage_ids, sql_id, completed, result, failure)) AS jobs FROM (
  SELECT log_id, job_id,
    max_by(job_submitted, ord) FILTER (WHERE start) AS submitted,
    coalesce(max_by(job_stage_ids, ord) FILTER (WHERE start), array()) AS stage_ids,
    CASE WHEN max_by(sql_id, ord) FILTER (WHERE start) RLIKE '^[0-9]+$' THEN CAST(max_by(sql_id, ord) FILTER (WHERE start) AS DOUBLE) END AS sql_id,
    CASE WHEN max_by(job_done, ord) FILTER (WHERE NOT start) < max_by(job_submitted, ord) FILTER (WHERE start AND ord < last_end_ord)
      THEN NULL ELSE max_by(job_done, ord) FILTER (WHERE NOT start) END AS completed,
    max_by(job_result, ord) FILTER (WHERE NOT start) AS result,
    CASE WHEN max_by(job_result, ord) FILTER (WHERE NOT start) <> 'JobSucceeded'
      THEN substr(coalesce(max_by(job_message, ord) FILTER (WHERE NOT start), max_by(job_result, ord) FILTER (WHERE NOT start)), 1, ${FAILURE_EXAMPLE_MAX_CHARS}) END AS failure
  FROM (
    SELECT log_id, ${ORD} AS ord, ${ev('SparkListenerJobStart')} AS start, job_id, job_submitted, job_stage_ids,
      regexp_replace(job_sql_id, ${sqlString(`^${JS_SPACE}+|${JS_SPACE}+$`)}, '') AS sql_id, job_done, job_result, job_message,
      max(CASE WHEN ${ev('SparkListenerJobEnd')} THEN ${ORD} END) OVER (PARTITION BY log_id, job_id) AS last_end_ord
    FROM ${V.parsed} WHERE ${ev('SparkListenerJobStart', 'SparkListenerJobEnd')} AND job_id IS NOT NULL
  )
  GROUP BY log_id, job_id
) GROUP BY log_id
`,
    },
  ];
}

/** The statements of one fold: views to create (and cache) first, the query, and what to drop afterwards. */
export interface FoldStatements {
  /** Run in order before the query: `CREATE OR REPLACE TEMPORARY VIEW …` and `CACHE TABLE …`. */
  setup: string[];
  /**
   * The fold query: one row per log that has at least one line (records.ts `FoldRow` says each column's shape), in log
   * order (the discovery's order, so records are stored in the order the local reader stores them: which of two copies
   * of one attempt is stored first is the same).
   */
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
 * @param broadcastFiles join the lines with the list of files by broadcasting the list (every executor gets it whole):
 *   for lists up to a few hundred thousand files; a longer list is joined by a shuffle (each line's place is taken
 *   next to the scan, before the join, so either join keeps it).
 */
export function foldStatements(partitions: number, broadcastFiles = true): FoldStatements {
  const views = foldViews(partitions, broadcastFiles);
  return {
    setup: views.flatMap((v) => [
      `CREATE OR REPLACE TEMPORARY VIEW ${v.name} AS\n${v.sql}`,
      ...(v.cache ? [`CACHE TABLE ${v.name}`] : []),
    ]),
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
ORDER BY ls.log_id
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
  SELECT log_id, file_seq, row_number() OVER (PARTITION BY log_id, file_seq ORDER BY ord_b, ord_m) AS line_no, cls, bad
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
