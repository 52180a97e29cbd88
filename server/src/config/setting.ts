/**
 * Spark settings as read from a source file (PySpark, spark-submit script, ...).
 *
 * Positions and ranges follow LSP: 0-based line, 0-based character counted in UTF-16 code units,
 * end exclusive. The CLI prints them 1-based.
 */

/** LSP-shaped position (0-based line, UTF-16 character). */
export interface Position {
  line: number;
  character: number;
}

/** LSP-shaped range, end exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/** Where a setting is written, by syntax. */
export type SettingOrigin =
  | 'spark-session-builder' // SparkSession.builder ... .config()/.master()/.appName()
  | 'spark-conf' // SparkConf().set()/.setAll()/..., or a dict, pair list or INI section of settings merged into one in code
  | 'runtime-conf' // spark.conf.set(...) on a live session
  | 'spark-submit' // spark-submit command line (also EMR step Args, EMR Serverless sparkSubmitParameters)
  | 'spark-defaults' // a `key value` line of a spark-defaults.conf properties file
  | 'spark-operator' // a field of a Kubernetes SparkApplication / ScheduledSparkApplication spec
  | 'databricks' // an entry of a Databricks cluster spec's `spark_conf`
  | 'emr-configuration' // a `Properties` entry of an EMR `spark-defaults` classification
  | 'dataproc' // a Dataproc cluster property with the `spark:` prefix
  | 'airflow-operator'; // a keyword or `conf` entry of Airflow's SparkSubmitOperator

/** One Spark setting found in a file. */
export interface SparkSetting {
  /** Canonical Spark key (`--executor-memory` → `spark.executor.memory`, `.appName()` → `spark.app.name`). */
  key: string;
  /** How the key is spelled at the site: `--executor-memory`, `--conf`, `.config()`, `.appName()`, `.set()`, ... */
  sourceKey: string;
  /** The value as written, without the quotes of a string literal; null when it is not a literal (variable, expression). */
  value: string | null;
  /** The exact source text of the value expression (with quotes if any). */
  raw: string;
  /** True when the value is a literal written at the site. */
  literal: boolean;
  /**
   * Range of the value text to replace when rewriting: for a quoted string, the text inside the quotes;
   * for `--conf k=v`, just `v`; for a bare word, the word.
   */
  range: Range;
  /**
   * Range of the Spark key text exactly as written, when the key is written literally at the site: inside the
   * quotes of `.config("spark.x", ...)`, `.set(...)`, `spark.conf.set(...)` and of a dict key (`map=`, `setAll`
   * tuples, Airflow `conf`); the `k` of `--conf k=v` / `--conf=k=v` / `-c k=v` (also in EMR step `Args` and
   * `sparkSubmitParameters`); the key of a spark-defaults.conf line; a key under `sparkConf:` of a Spark operator
   * manifest; a key of a Databricks `spark_conf` or EMR `Properties` object. Undefined when the key is implied by a
   * flag, keyword, method or field (`--executor-memory`, `.appName()`, `executor_memory=`, `spec.driver.cores`) or
   * built at run time. Replacing this range renames the setting.
   */
  keyRange?: Range;
  /** Syntax the setting came from. */
  origin: SettingOrigin;
  /** Set when the setting has no effect where it is written, with the reason (e.g. executor sizing via spark.conf.set after the session exists). */
  ineffective?: string;
  /**
   * Set when the value is not written at the site but the same file defines it in one place: a variable assigned
   * exactly once, to a constant (`EXEC_MEM=8g` ... `--executor-memory "$EXEC_MEM"`, a module-level Python
   * `MEMORY = "8g"`, a dict entry `PROFILE["memory"]`), or the default of a value the environment may override
   * (`${EXEC_MEM:-8g}`, `os.environ.get("MEM", "8g")`). `value` then holds that constant while `literal` stays false
   * and `raw`/`range` stay at the site. `name` is the variable (or dict); `range` covers the constant's text (inside
   * the quotes of a string). `safeToEdit` is true when replacing `range` changes this setting and nothing else, and
   * is the value Spark gets: false when the environment may override it, or the variable is used elsewhere in the
   * file (a quick fix then offers no edit). A value resolved from several places (equal in each) has `value` set and
   * no `resolvedFrom`.
   */
  resolvedFrom?: { name: string; range: Range; safeToEdit: boolean };
}

/**
 * One place that configures an application: a `SparkSession.builder` chain, a `SparkConf()` chain,
 * or a `spark-submit` command. Quick fixes insert missing settings into a block.
 */
export interface SettingsBlock {
  kind: 'spark-session-builder' | 'spark-conf' | 'spark-submit' | 'runtime-conf';
  /** Range of the whole chain or command. */
  range: Range;
  /** Settings in source order. */
  settings: SparkSetting[];
  /**
   * How to insert a setting not yet present: text `template` (with `{key}` and `{value}` placeholders,
   * already in the file's syntax and indentation) inserted at `position`. Absent when no safe place exists.
   */
  insertion?: { position: Position; template: string };
  /** For spark-submit: the application file argument as written (e.g. `jobs/nightly_etl.py`), if any. */
  applicationFile?: string;
  /**
   * The file format the block was read from, when it is not a PySpark chain or a shell command:
   * `spark-defaults` (properties file), `spark-application` (Kubernetes Spark operator manifest),
   * `databricks-cluster` (Databricks cluster or job JSON), `emr-configuration` (EMR configurations JSON),
   * `emr-step` (EMR step `Args`), `emr-serverless` (`sparkSubmitParameters` string), `dataproc` (Dataproc
   * cluster properties), `airflow-spark-submit` (Airflow SparkSubmitOperator call), `ini-section` (one section of an
   * INI file read with Python's configparser: each section is a configuration of its own).
   */
  format?:
    | 'spark-defaults'
    | 'spark-application'
    | 'databricks-cluster'
    | 'emr-configuration'
    | 'emr-step'
    | 'emr-serverless'
    | 'dataproc'
    | 'airflow-spark-submit'
    | 'ini-section';
  /** Kubernetes Spark operator: `spec.sparkVersion` as written (not a Spark configuration key). */
  sparkVersion?: string;
  /** Kubernetes Spark operator: `metadata.name` of the SparkApplication. */
  resourceName?: string;
  /**
   * Databricks cluster facts that are not Spark configuration keys, as written: `num_workers`,
   * `autoscale.min_workers` / `max_workers`, `node_type_id`, `driver_node_type_id`, `spark_version`.
   */
  cluster?: {
    numWorkers?: number;
    minWorkers?: number;
    maxWorkers?: number;
    nodeTypeId?: string;
    driverNodeTypeId?: string;
    sparkVersion?: string;
  };
}

/** All settings of one file. */
export interface FileSettings {
  /** `python`, `shellscript`, `spark-defaults`, `yaml`, `json`, `jsonc`, `ini` or `properties` (LSP language ids). */
  languageId: string;
  blocks: SettingsBlock[];
}
