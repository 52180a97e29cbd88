/**
 * Versioned schema migrations for the history store. `PRAGMA user_version` holds the number of the
 * last migration applied; pending migrations run once, in order, in one exclusive transaction that re-reads
 * `user_version` after taking the lock (so two processes opening a new store at once do not both create it), with
 * foreign keys off and a `foreign_key_check` before the commit (SQLite's procedure for changing a table's shape).
 *
 * To change the schema: append a migration (never edit an applied one), change the table's map in record-columns.ts to
 * match (test/store-columns.test.ts compares the columns the migrations create with the maps), and bump nothing else.
 */
export interface Migration {
  /** 1-based, consecutive. */
  version: number;
  /** What it does, for the log. */
  description: string;
  /** SQL run with `db.exec`. */
  sql: string;
}

/** All migrations, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'applications, stages, executors',
    sql: `
CREATE TABLE applications (
  app_id TEXT PRIMARY KEY,
  attempt_id TEXT,
  app_name TEXT NOT NULL,
  user TEXT,
  spark_version TEXT,
  master TEXT,
  submit_time_ms INTEGER,
  start_time_ms INTEGER NOT NULL,
  end_time_ms INTEGER,
  duration_ms INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  exit_code INTEGER,
  executor_cores INTEGER,
  executor_memory_mib INTEGER,
  memory_overhead_mib INTEGER,
  max_executors INTEGER NOT NULL,
  total_executors_added INTEGER NOT NULL,
  executor_instances INTEGER,
  driver_memory_mib INTEGER,
  driver_cores INTEGER,
  shuffle_partitions INTEGER,
  dynamic_allocation_enabled INTEGER NOT NULL,
  dynamic_allocation_min_executors INTEGER,
  dynamic_allocation_max_executors INTEGER,
  total_tasks INTEGER NOT NULL,
  failed_tasks INTEGER NOT NULL,
  total_stages INTEGER NOT NULL,
  failed_stages INTEGER NOT NULL,
  total_jobs INTEGER NOT NULL,
  failed_jobs INTEGER NOT NULL,
  executor_run_time_ms INTEGER NOT NULL,
  cpu_time_ms INTEGER NOT NULL,
  jvm_gc_time_ms INTEGER NOT NULL,
  input_bytes INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL,
  shuffle_read_bytes INTEGER NOT NULL,
  shuffle_write_bytes INTEGER NOT NULL,
  memory_spilled_bytes INTEGER NOT NULL,
  disk_spilled_bytes INTEGER NOT NULL,
  peak_execution_memory_bytes INTEGER NOT NULL,
  peak_jvm_heap_bytes INTEGER,
  executor_core_time_ms INTEGER NOT NULL,
  spark_properties TEXT NOT NULL,
  task_failures TEXT NOT NULL,
  source_path TEXT NOT NULL,
  source_size_bytes INTEGER NOT NULL,
  source_mtime_ms INTEGER NOT NULL,
  malformed_lines INTEGER NOT NULL,
  collected_at_ms INTEGER NOT NULL
);
CREATE INDEX applications_app_name ON applications(app_name);
CREATE INDEX applications_start ON applications(start_time_ms);
CREATE TABLE stages (
  app_id TEXT NOT NULL REFERENCES applications(app_id) ON DELETE CASCADE,
  stage_id INTEGER NOT NULL,
  stage_attempt_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  num_tasks INTEGER NOT NULL,
  parent_ids TEXT NOT NULL,
  submission_time_ms INTEGER,
  completion_time_ms INTEGER,
  failure_reason TEXT,
  succeeded_tasks INTEGER NOT NULL,
  failed_tasks INTEGER NOT NULL,
  task_duration_ms TEXT,
  skew_ratio REAL,
  executor_run_time_ms INTEGER NOT NULL,
  executor_cpu_time_ms INTEGER NOT NULL,
  jvm_gc_time_ms INTEGER NOT NULL,
  input_bytes INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL,
  shuffle_read_bytes INTEGER NOT NULL,
  shuffle_write_bytes INTEGER NOT NULL,
  memory_spilled_bytes INTEGER NOT NULL,
  disk_spilled_bytes INTEGER NOT NULL,
  peak_execution_memory_bytes INTEGER NOT NULL,
  PRIMARY KEY (app_id, stage_id, stage_attempt_id)
);
CREATE TABLE executors (
  app_id TEXT NOT NULL REFERENCES applications(app_id) ON DELETE CASCADE,
  executor_id TEXT NOT NULL,
  host TEXT NOT NULL,
  total_cores INTEGER NOT NULL,
  add_time_ms INTEGER NOT NULL,
  remove_time_ms INTEGER,
  removed_reason TEXT,
  peak_jvm_heap_bytes INTEGER,
  task_time_ms INTEGER NOT NULL,
  is_driver INTEGER NOT NULL,
  max_memory_bytes INTEGER,
  PRIMARY KEY (app_id, executor_id)
);
`,
  },
  {
    version: 2,
    description: 'collection_sources: per-source watermark of History Server collections',
    sql: `
CREATE TABLE collection_sources (
  source_url TEXT PRIMARY KEY,
  last_completed_end_time_ms INTEGER,
  last_run_time_ms INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    description: 'per-task durations of stages (Int32 LE BLOB) and jobs (stage ids, SQL execution id)',
    sql: `
ALTER TABLE stages ADD COLUMN task_durations_ms BLOB;
CREATE TABLE jobs (
  app_id TEXT NOT NULL REFERENCES applications(app_id) ON DELETE CASCADE,
  job_id INTEGER NOT NULL,
  submission_time_ms INTEGER,
  completion_time_ms INTEGER,
  stage_ids TEXT NOT NULL,
  result TEXT,
  failure_reason TEXT,
  sql_execution_id INTEGER,
  PRIMARY KEY (app_id, job_id)
);
`,
  },
  {
    version: 4,
    description: 'spill per executor; applied_fixes: quick fixes the user applied (feedback loop)',
    sql: `
ALTER TABLE executors ADD COLUMN disk_spilled_bytes INTEGER;
ALTER TABLE executors ADD COLUMN memory_spilled_bytes INTEGER;
CREATE TABLE applied_fixes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  file_uri TEXT NOT NULL,
  app_name TEXT,
  setting_key TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT NOT NULL,
  applied_at_ms INTEGER NOT NULL
);
CREATE INDEX applied_fixes_app ON applied_fixes(app_name, setting_key);
`,
  },
  {
    version: 5,
    description: 'same-job keys: the submitted file (main_resource) and the stage-DAG signature of each application',
    sql: `
ALTER TABLE applications ADD COLUMN main_resource TEXT;
ALTER TABLE applications ADD COLUMN job_signature TEXT;
CREATE INDEX applications_job_signature ON applications(job_signature);
`,
  },
  {
    version: 6,
    description:
      'covering index for the job list (listWorkloads: GROUP BY app_name over start time and duration) and the runs of one job',
    sql: `
CREATE INDEX applications_job_runs ON applications(app_name, start_time_ms, duration_ms);
`,
  },
  {
    version: 7,
    description:
      "every attempt kept: applications keyed (app_id, attempt_id) as the History Server keys attempts (attempt_id '' = none), " +
      'stages/executors/jobs carry the attempt; incomplete_reason; record_sources remembers every source version read',
    // Runs with foreign keys off (HistoryStore.open), checked with foreign_key_check before commit. Child tables are
    // created referencing `applications` and filled from the old tables before the old ones are dropped.
    sql: `
CREATE TABLE applications_v7 (
  app_id TEXT NOT NULL,
  attempt_id TEXT NOT NULL DEFAULT '',
  app_name TEXT NOT NULL,
  user TEXT,
  spark_version TEXT,
  master TEXT,
  submit_time_ms INTEGER,
  start_time_ms INTEGER NOT NULL,
  end_time_ms INTEGER,
  duration_ms INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  exit_code INTEGER,
  executor_cores INTEGER,
  executor_memory_mib INTEGER,
  memory_overhead_mib INTEGER,
  max_executors INTEGER NOT NULL,
  total_executors_added INTEGER NOT NULL,
  executor_instances INTEGER,
  driver_memory_mib INTEGER,
  driver_cores INTEGER,
  shuffle_partitions INTEGER,
  dynamic_allocation_enabled INTEGER NOT NULL,
  dynamic_allocation_min_executors INTEGER,
  dynamic_allocation_max_executors INTEGER,
  total_tasks INTEGER NOT NULL,
  failed_tasks INTEGER NOT NULL,
  total_stages INTEGER NOT NULL,
  failed_stages INTEGER NOT NULL,
  total_jobs INTEGER NOT NULL,
  failed_jobs INTEGER NOT NULL,
  executor_run_time_ms INTEGER NOT NULL,
  cpu_time_ms INTEGER NOT NULL,
  jvm_gc_time_ms INTEGER NOT NULL,
  input_bytes INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL,
  shuffle_read_bytes INTEGER NOT NULL,
  shuffle_write_bytes INTEGER NOT NULL,
  memory_spilled_bytes INTEGER NOT NULL,
  disk_spilled_bytes INTEGER NOT NULL,
  peak_execution_memory_bytes INTEGER NOT NULL,
  peak_jvm_heap_bytes INTEGER,
  executor_core_time_ms INTEGER NOT NULL,
  spark_properties TEXT NOT NULL,
  task_failures TEXT NOT NULL,
  source_path TEXT NOT NULL,
  source_size_bytes INTEGER NOT NULL,
  source_mtime_ms INTEGER NOT NULL,
  malformed_lines INTEGER NOT NULL,
  collected_at_ms INTEGER NOT NULL,
  main_resource TEXT,
  job_signature TEXT,
  incomplete_reason TEXT,
  PRIMARY KEY (app_id, attempt_id)
);
INSERT INTO applications_v7 (
  app_id, attempt_id, app_name, user, spark_version, master, submit_time_ms, start_time_ms, end_time_ms, duration_ms,
  completed, exit_code, executor_cores, executor_memory_mib, memory_overhead_mib, max_executors,
  total_executors_added, executor_instances, driver_memory_mib, driver_cores, shuffle_partitions,
  dynamic_allocation_enabled, dynamic_allocation_min_executors, dynamic_allocation_max_executors, total_tasks,
  failed_tasks, total_stages, failed_stages, total_jobs, failed_jobs, executor_run_time_ms, cpu_time_ms,
  jvm_gc_time_ms, input_bytes, output_bytes, shuffle_read_bytes, shuffle_write_bytes, memory_spilled_bytes,
  disk_spilled_bytes, peak_execution_memory_bytes, peak_jvm_heap_bytes, executor_core_time_ms, spark_properties,
  task_failures, source_path, source_size_bytes, source_mtime_ms, malformed_lines, collected_at_ms, main_resource,
  job_signature
) SELECT
  app_id, coalesce(attempt_id, ''), app_name, user, spark_version, master, submit_time_ms, start_time_ms,
  end_time_ms, duration_ms, completed, exit_code, executor_cores, executor_memory_mib, memory_overhead_mib,
  max_executors, total_executors_added, executor_instances, driver_memory_mib, driver_cores, shuffle_partitions,
  dynamic_allocation_enabled, dynamic_allocation_min_executors, dynamic_allocation_max_executors, total_tasks,
  failed_tasks, total_stages, failed_stages, total_jobs, failed_jobs, executor_run_time_ms, cpu_time_ms,
  jvm_gc_time_ms, input_bytes, output_bytes, shuffle_read_bytes, shuffle_write_bytes, memory_spilled_bytes,
  disk_spilled_bytes, peak_execution_memory_bytes, peak_jvm_heap_bytes, executor_core_time_ms, spark_properties,
  task_failures, source_path, source_size_bytes, source_mtime_ms, malformed_lines, collected_at_ms, main_resource,
  job_signature
FROM applications;
CREATE TABLE stages_v7 (
  app_id TEXT NOT NULL,
  attempt_id TEXT NOT NULL,
  stage_id INTEGER NOT NULL,
  stage_attempt_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  num_tasks INTEGER NOT NULL,
  parent_ids TEXT NOT NULL,
  submission_time_ms INTEGER,
  completion_time_ms INTEGER,
  failure_reason TEXT,
  succeeded_tasks INTEGER NOT NULL,
  failed_tasks INTEGER NOT NULL,
  task_duration_ms TEXT,
  skew_ratio REAL,
  executor_run_time_ms INTEGER NOT NULL,
  executor_cpu_time_ms INTEGER NOT NULL,
  jvm_gc_time_ms INTEGER NOT NULL,
  input_bytes INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL,
  shuffle_read_bytes INTEGER NOT NULL,
  shuffle_write_bytes INTEGER NOT NULL,
  memory_spilled_bytes INTEGER NOT NULL,
  disk_spilled_bytes INTEGER NOT NULL,
  peak_execution_memory_bytes INTEGER NOT NULL,
  task_durations_ms BLOB,
  PRIMARY KEY (app_id, attempt_id, stage_id, stage_attempt_id),
  FOREIGN KEY (app_id, attempt_id) REFERENCES applications (app_id, attempt_id) ON DELETE CASCADE
);
INSERT INTO stages_v7 (
  app_id, attempt_id, stage_id, stage_attempt_id, name, num_tasks, parent_ids, submission_time_ms,
  completion_time_ms, failure_reason, succeeded_tasks, failed_tasks, task_duration_ms, skew_ratio,
  executor_run_time_ms, executor_cpu_time_ms, jvm_gc_time_ms, input_bytes, output_bytes, shuffle_read_bytes,
  shuffle_write_bytes, memory_spilled_bytes, disk_spilled_bytes, peak_execution_memory_bytes, task_durations_ms
) SELECT
  s.app_id, coalesce(a.attempt_id, ''), s.stage_id, s.stage_attempt_id, s.name, s.num_tasks, s.parent_ids,
  s.submission_time_ms, s.completion_time_ms, s.failure_reason, s.succeeded_tasks, s.failed_tasks,
  s.task_duration_ms, s.skew_ratio, s.executor_run_time_ms, s.executor_cpu_time_ms, s.jvm_gc_time_ms, s.input_bytes,
  s.output_bytes, s.shuffle_read_bytes, s.shuffle_write_bytes, s.memory_spilled_bytes, s.disk_spilled_bytes,
  s.peak_execution_memory_bytes, s.task_durations_ms
FROM stages s JOIN applications a ON a.app_id = s.app_id;
CREATE TABLE executors_v7 (
  app_id TEXT NOT NULL,
  attempt_id TEXT NOT NULL,
  executor_id TEXT NOT NULL,
  host TEXT NOT NULL,
  total_cores INTEGER NOT NULL,
  add_time_ms INTEGER NOT NULL,
  remove_time_ms INTEGER,
  removed_reason TEXT,
  peak_jvm_heap_bytes INTEGER,
  task_time_ms INTEGER NOT NULL,
  is_driver INTEGER NOT NULL,
  max_memory_bytes INTEGER,
  disk_spilled_bytes INTEGER,
  memory_spilled_bytes INTEGER,
  PRIMARY KEY (app_id, attempt_id, executor_id),
  FOREIGN KEY (app_id, attempt_id) REFERENCES applications (app_id, attempt_id) ON DELETE CASCADE
);
INSERT INTO executors_v7 (
  app_id, attempt_id, executor_id, host, total_cores, add_time_ms, remove_time_ms, removed_reason,
  peak_jvm_heap_bytes, task_time_ms, is_driver, max_memory_bytes, disk_spilled_bytes, memory_spilled_bytes
) SELECT
  e.app_id, coalesce(a.attempt_id, ''), e.executor_id, e.host, e.total_cores, e.add_time_ms, e.remove_time_ms,
  e.removed_reason, e.peak_jvm_heap_bytes, e.task_time_ms, e.is_driver, e.max_memory_bytes, e.disk_spilled_bytes,
  e.memory_spilled_bytes
FROM executors e JOIN applications a ON a.app_id = e.app_id;
CREATE TABLE jobs_v7 (
  app_id TEXT NOT NULL,
  attempt_id TEXT NOT NULL,
  job_id INTEGER NOT NULL,
  submission_time_ms INTEGER,
  completion_time_ms INTEGER,
  stage_ids TEXT NOT NULL,
  result TEXT,
  failure_reason TEXT,
  sql_execution_id INTEGER,
  PRIMARY KEY (app_id, attempt_id, job_id),
  FOREIGN KEY (app_id, attempt_id) REFERENCES applications (app_id, attempt_id) ON DELETE CASCADE
);
INSERT INTO jobs_v7 (
  app_id, attempt_id, job_id, submission_time_ms, completion_time_ms, stage_ids, result, failure_reason,
  sql_execution_id
) SELECT
  j.app_id, coalesce(a.attempt_id, ''), j.job_id, j.submission_time_ms, j.completion_time_ms, j.stage_ids, j.result,
  j.failure_reason, j.sql_execution_id
FROM jobs j JOIN applications a ON a.app_id = j.app_id;
DROP TABLE jobs;
DROP TABLE stages;
DROP TABLE executors;
DROP TABLE applications;
ALTER TABLE applications_v7 RENAME TO applications;
ALTER TABLE stages_v7 RENAME TO stages;
ALTER TABLE executors_v7 RENAME TO executors;
ALTER TABLE jobs_v7 RENAME TO jobs;
CREATE INDEX applications_app_name ON applications(app_name);
CREATE INDEX applications_start ON applications(start_time_ms);
CREATE INDEX applications_job_signature ON applications(job_signature);
CREATE INDEX applications_job_runs ON applications(app_name, start_time_ms, duration_ms);
CREATE TABLE record_sources (
  path TEXT PRIMARY KEY,
  size_bytes INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  app_id TEXT NOT NULL,
  attempt_id TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL
);
INSERT OR IGNORE INTO record_sources (path, size_bytes, mtime_ms, app_id, attempt_id, recorded_at_ms)
  SELECT source_path, source_size_bytes, source_mtime_ms, app_id, attempt_id, collected_at_ms FROM applications;
`,
  },
  {
    version: 8,
    description:
      'service_tokens: bearer tokens of the REST service (SHA-256 only); recommendation_feedback: applied/accepted/rejected with a reason',
    sql: `
CREATE TABLE service_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'collect', 'admin')),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE TABLE recommendation_feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  verdict TEXT NOT NULL CHECK (verdict IN ('applied', 'accepted', 'rejected')),
  app_name TEXT NOT NULL,
  setting_key TEXT NOT NULL,
  recommended_value TEXT,
  previous_value TEXT,
  reason TEXT,
  file_uri TEXT,
  applied_fix_id INTEGER REFERENCES applied_fixes (id),
  token_id INTEGER REFERENCES service_tokens (id),
  received_at_ms INTEGER NOT NULL
);
CREATE INDEX recommendation_feedback_app ON recommendation_feedback(app_name, setting_key);
`,
  },
  {
    version: 9,
    description:
      'runs of the same stage-DAG signature newest first from an index (runsWithSameSignature: job_signature, start_time_ms), ' +
      'replacing the signature-only index',
    // With the signature-only index SQLite read every run of the signature and sorted them (a temporary B-tree): on a
    // store of 100,000 applications with 11,000 runs of one signature that took 300-600 ms and made up most of the
    // first analysis of a newly opened file (test/bench/editor-latency.ts); with this index the newest 50 are read
    // in index order (under 1 ms).
    sql: `
CREATE INDEX applications_signature_runs ON applications(job_signature, start_time_ms);
DROP INDEX applications_job_signature;
`,
  },
  {
    version: 10,
    description:
      "Spark's names once: each task metric column named as Spark's REST API names it (executor_cpu_time_ms, " +
      'memory_bytes_spilled, disk_bytes_spilled, peak_jvm_heap_memory_bytes, executor_run_time_ms per executor); ' +
      "the recurring job is a workload (workload_signature and its indexes), the jobs table stays Spark's jobs",
    // RENAME COLUMN (SQLite 3.25+, PostgreSQL) keeps every value and rewrites the indexes that use the column; SQLite
    // cannot rename an index, so the two workload indexes are created under their new names and the old ones dropped.
    // Column names are those of store/record-columns.ts (test/store-columns.test.ts compares them).
    sql: `
ALTER TABLE applications RENAME COLUMN cpu_time_ms TO executor_cpu_time_ms;
ALTER TABLE applications RENAME COLUMN memory_spilled_bytes TO memory_bytes_spilled;
ALTER TABLE applications RENAME COLUMN disk_spilled_bytes TO disk_bytes_spilled;
ALTER TABLE applications RENAME COLUMN peak_jvm_heap_bytes TO peak_jvm_heap_memory_bytes;
ALTER TABLE applications RENAME COLUMN job_signature TO workload_signature;
ALTER TABLE stages RENAME COLUMN memory_spilled_bytes TO memory_bytes_spilled;
ALTER TABLE stages RENAME COLUMN disk_spilled_bytes TO disk_bytes_spilled;
ALTER TABLE executors RENAME COLUMN task_time_ms TO executor_run_time_ms;
ALTER TABLE executors RENAME COLUMN peak_jvm_heap_bytes TO peak_jvm_heap_memory_bytes;
ALTER TABLE executors RENAME COLUMN memory_spilled_bytes TO memory_bytes_spilled;
ALTER TABLE executors RENAME COLUMN disk_spilled_bytes TO disk_bytes_spilled;
CREATE INDEX applications_workload_runs ON applications(app_name, start_time_ms, duration_ms);
DROP INDEX applications_job_runs;
CREATE INDEX applications_workload_signature_runs ON applications(workload_signature, start_time_ms);
DROP INDEX applications_signature_runs;
`,
  },
  {
    version: 11,
    description:
      "the service's collections: collection_leases (one lease per configured source, so two instances on one database " +
      'never collect a source at once) and collections (state, counts, errors and lease holder of each collection)',
    // Written once in SQLite's dialect, rendered for PostgreSQL by sql-dialect.ts; the maps are COLLECTION_LEASES and
    // COLLECTIONS in record-columns.ts. The lease is taken by one INSERT ... ON CONFLICT DO UPDATE ... WHERE (expired)
    // statement (store/collection-ledger-sql.ts), atomic on both databases.
    sql: `
CREATE TABLE collection_leases (
  source_name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  collection_id INTEGER,
  acquired_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  released_at_ms INTEGER
);
CREATE TABLE collections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_name TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  started_by TEXT NOT NULL CHECK (started_by IN ('request', 'schedule')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  holder TEXT NOT NULL,
  token_id INTEGER,
  requested_at_ms INTEGER NOT NULL,
  started_at_ms INTEGER,
  finished_at_ms INTEGER,
  logs_found INTEGER NOT NULL,
  logs_read INTEGER NOT NULL,
  logs_stored INTEGER NOT NULL,
  logs_skipped INTEGER NOT NULL,
  logs_failed INTEGER NOT NULL,
  applications_stored INTEGER NOT NULL,
  errors TEXT NOT NULL,
  errors_total INTEGER NOT NULL
);
CREATE INDEX collections_source ON collections(source_name, id);
`,
  },
  {
    version: 12,
    description:
      'the object versions (ETags, GCS generations) of each log read from an object store, so an unchanged object is ' +
      'skipped and a rewritten one read again even when its size and Last-Modified did not change',
    // Null for local files, History Server attempts and rows written before this migration: those keep the
    // (path, size, mtime) test (history-store.ts sameSourceVersion).
    sql: `
ALTER TABLE applications ADD COLUMN source_object_versions TEXT;
ALTER TABLE record_sources ADD COLUMN object_versions TEXT;
`,
  },
  {
    version: 13,
    description:
      "the newest write from an index (historyVersion's max(collected_at_ms), read every second by the service)",
    // The service reads historyVersion (store/history-store.ts HISTORY_VERSION_SQL) at most once a second to see other
    // processes' collections. Without this index max(collected_at_ms) read every row of applications: on the 100,000
    // applications of test/bench/service-load.ts (a 745 MB SQLite file) the query took 240-490 ms (load average 20),
    // blocking the SQLite service's one thread that long every second; with it, 0.01 ms (the index's last entry).
    sql: `
CREATE INDEX applications_collected ON applications(collected_at_ms);
`,
  },
];
