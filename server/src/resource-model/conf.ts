/**
 * How the resource model reads Spark properties: from a run's `Spark Properties` (event log) or from a job file's
 * settings, with Spark's default from the configuration catalogue (config/catalogue) when a key is not set.
 */
import { defaultFor, NEWEST_VERSION_LINE, versionLineOf, type VersionLine } from '../config/catalogue';
import type { ApplicationRecord } from '../history/application-record';
import { parseSparkSizeBytes } from '../config/spark-units';

/** A Spark property as the job sets it: its value, or undefined when the job does not set the key. */
export type SparkConfLookup = (key: string) => string | undefined;

/** What else the model needs to know about a job besides its properties. */
export interface WorkloadContext {
  /**
   * A Python (or R) application: Spark adds `spark.executor.pyspark.memory` to the container only for those
   * (`ResourceProfile.getResourcesForClusterManager`, `isPythonApp`) and Kubernetes raises the default overhead factor
   * to 0.4 for them (`BasicDriverFeatureStep`, `NON_JVM_MEMORY_OVERHEAD_FACTOR`).
   */
  isPython: boolean;
  /** The Spark release line whose defaults apply (newest known line when unknown). */
  versionLine?: VersionLine;
}

/** A lookup over a plain property map (a run's `sparkProperties`). */
export function lookupOf(props: Readonly<Record<string, string>>): SparkConfLookup {
  return (key) => props[key];
}

/**
 * A key's value as Spark would see it: the job's value when set, else the catalogue's default for the release line.
 * @returns the value as a string; undefined when unset and the key has no constant default (e.g.
 *   `spark.executor.instances`, `spark.executor.memoryOverhead`) or is not in the catalogue.
 */
export function valueOrDefault(
  lookup: SparkConfLookup,
  key: string,
  versionLine: VersionLine = NEWEST_VERSION_LINE,
): string | undefined {
  return lookup(key) ?? defaultFor(key, versionLine) ?? undefined;
}

/**
 * Whether a run was a Python application: PySpark's `SparkContext` always sets `spark.submit.pyFiles` (empty when no
 * files), and spark-submit's primary resource of a PySpark job is a `.py` file.
 */
export function isPythonRun(r: Pick<ApplicationRecord, 'sparkProperties' | 'mainResource'>): boolean {
  return r.sparkProperties['spark.submit.pyFiles'] !== undefined || /\.(py|R)$/i.test(r.mainResource ?? '');
}

/** The job context of a run: Python or not, and the release line of its `Spark Version`. */
export function runContext(
  r: Pick<ApplicationRecord, 'sparkProperties' | 'mainResource' | 'sparkVersion'>,
): WorkloadContext {
  return {
    isPython: isPythonRun(r),
    versionLine: r.sparkVersion ? versionLineOf(r.sparkVersion) : NEWEST_VERSION_LINE,
  };
}

/** A positive integer read as Spark reads an int setting (surrounding spaces allowed), else null. */
export function positiveInt(v: string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const t = v.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

function catalogueDefault(key: string): string {
  const v = defaultFor(key, NEWEST_VERSION_LINE);
  if (v === null || v === undefined) throw new Error(`the configuration catalogue has no default for ${key}`);
  return v;
}

/** Spark's default `spark.executor.memory`, MiB (catalogue: `1g`). */
export const DEFAULT_EXECUTOR_MEMORY_MIB: number = Math.floor(
  Number(parseSparkSizeBytes(catalogueDefault('spark.executor.memory'), 'm')) / 1024 ** 2,
);

/** Spark's default `spark.driver.memory`, MiB (catalogue: `1g`). */
export const DEFAULT_DRIVER_MEMORY_MIB: number = Math.floor(
  Number(parseSparkSizeBytes(catalogueDefault('spark.driver.memory'), 'm')) / 1024 ** 2,
);

/** Spark's default `spark.sql.shuffle.partitions` (catalogue: 200). */
export const DEFAULT_SHUFFLE_PARTITIONS: number = Number(catalogueDefault('spark.sql.shuffle.partitions'));
