/**
 * Versioned schema migrations for the history store. `PRAGMA user_version` holds the number of the
 * last migration applied; each migration runs once, in order, inside one transaction.
 *
 * To change the schema: append a migration (never edit an applied one) and bump nothing else.
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
      'covering index for the job list (listJobs: GROUP BY app_name over start time and duration) and the runs of one job',
    sql: `
CREATE INDEX applications_job_runs ON applications(app_name, start_time_ms, duration_ms);
`,
  },
];
