/**
 * How many executors of how many cores (and task slots) a job's settings give it under its cluster manager, and which
 * settings ask for a given shape. Sources in cluster-manager.ts; task slots per executor = floor(executor cores /
 * `spark.task.cpus`) (`ResourceProfile.calculateTasksAndLimitingResource`: `coresPerExecutor / cpusPerTask`).
 */
import type { VersionLine } from '../config/catalogue';
import type { ApplicationRecord } from '../history/application-record';
import { type ClusterManager, clusterManagerOf, executorCountKey, localModeThreads } from './cluster-manager';
import { positiveInt, type SparkConfLookup, valueOrDefault } from './conf';

/** YARN's and Kubernetes' executor count when `spark.executor.instances` is unset (`SchedulerBackendUtils.DEFAULT_NUMBER_EXECUTORS`). */
export const DEFAULT_EXECUTOR_INSTANCES = 2;

/** An executor shape: executors × cores each. */
export interface ExecutorShape {
  executorInstances: number;
  executorCores: number;
}

/** Dynamic-allocation bounds of a job. */
export interface DynamicAllocation {
  minExecutors: number;
  /** null: unbounded (Spark's default Int.MaxValue). */
  maxExecutors: number | null;
  initialExecutors: number;
}

/** What a job's settings ask for under its cluster manager. */
export interface ExecutorRequest {
  manager: ClusterManager;
  /** `spark.executor.cores`; null on standalone when unset (each executor takes all free cores of its worker). In local mode, the task threads. */
  executorCores: number | null;
  /** `spark.task.cpus` (1 by default). */
  taskCpus: number;
  /**
   * Executors asked for: `spark.executor.instances` (default 2) on YARN/Kubernetes; floor(`spark.cores.max` / executor
   * cores) on standalone; the initial count with dynamic allocation; 1 (the driver) in local mode. Null when the settings
   * leave it to the cluster's size (standalone without `spark.cores.max` or without `spark.executor.cores`).
   */
  executorInstances: number | null;
  /** `spark.cores.max` on standalone, null when unset or elsewhere. */
  coresMax: number | null;
  dynamicAllocation: DynamicAllocation | null;
  /** The key that sets the count (see cluster-manager.ts `executorCountKey`); null in local mode. */
  countKey: string | null;
  /** One sentence saying how the count follows from the settings. */
  how: string;
}

/** Task slots of an executor: floor(cores / `spark.task.cpus`), at least 1. */
export function taskSlots(executorCores: number, taskCpus = 1): number {
  return Math.max(1, Math.floor(executorCores / Math.max(1, taskCpus)));
}

/** `spark.task.cpus` of a job (1 when unset or invalid). */
export function taskCpusOf(lookup: SparkConfLookup): number {
  return positiveInt(lookup('spark.task.cpus')) ?? 1;
}

/**
 * What a job's settings ask for (module comment of cluster-manager.ts for the rules).
 * @param lookup the job's properties; `spark.master` decides the manager unless `manager` is given.
 */
export function executorRequest(
  lookup: SparkConfLookup,
  manager: ClusterManager = clusterManagerOf(lookup('spark.master')),
  line?: VersionLine,
): ExecutorRequest {
  const taskCpus = taskCpusOf(lookup);
  const dynamic = (lookup('spark.dynamicAllocation.enabled') ?? '').trim() === 'true' && manager !== 'local';
  const countKey = executorCountKey(manager, dynamic);
  const da: DynamicAllocation | null = dynamic
    ? {
        minExecutors: positiveInt(lookup('spark.dynamicAllocation.minExecutors')) ?? 0,
        maxExecutors: positiveInt(lookup('spark.dynamicAllocation.maxExecutors')),
        initialExecutors: positiveInt(lookup('spark.dynamicAllocation.initialExecutors')) ?? 0,
      }
    : null;
  if (manager === 'local') {
    const threads = localModeThreads(lookup('spark.master'));
    return {
      manager,
      executorCores: threads ?? null,
      taskCpus,
      executorInstances: 1,
      coresMax: null,
      dynamicAllocation: null,
      countKey,
      how: 'local mode: the driver runs the tasks on the threads of local[N]',
    };
  }
  if (manager === 'standalone') {
    const cores = positiveInt(lookup('spark.executor.cores'));
    const coresMax = positiveInt(lookup('spark.cores.max'));
    const instances = cores !== null && coresMax !== null ? Math.floor(coresMax / cores) : null;
    const how =
      cores === null
        ? 'standalone without spark.executor.cores: one executor per worker with all its free cores'
        : coresMax === null
          ? `standalone without spark.cores.max: executors of ${cores} cores on every free core of the cluster`
          : `standalone: spark.cores.max ${coresMax} / spark.executor.cores ${cores} = ${instances} executors`;
    return {
      manager,
      executorCores: cores,
      taskCpus,
      executorInstances: instances,
      coresMax,
      dynamicAllocation: da,
      countKey,
      how: dynamic ? `${how}; dynamic allocation moves the count` : how,
    };
  }
  const cores = positiveInt(valueOrDefault(lookup, 'spark.executor.cores', line)) ?? 1;
  const set = positiveInt(lookup('spark.executor.instances'));
  if (da !== null) {
    const initial = Math.max(da.minExecutors, da.initialExecutors, set ?? 0);
    return {
      manager,
      executorCores: cores,
      taskCpus,
      executorInstances: initial,
      coresMax: null,
      dynamicAllocation: da,
      countKey,
      how: `dynamic allocation: starts with ${initial} executors and moves between ${da.minExecutors} and ${da.maxExecutors ?? 'unbounded'}`,
    };
  }
  const n = set ?? DEFAULT_EXECUTOR_INSTANCES;
  return {
    manager,
    executorCores: cores,
    taskCpus,
    executorInstances: n,
    coresMax: null,
    dynamicAllocation: null,
    countKey,
    how:
      set !== null
        ? `spark.executor.instances = ${n}`
        : `spark.executor.instances unset: ${DEFAULT_EXECUTOR_INSTANCES} executors (Spark's default)`,
  };
}

/**
 * The settings that ask for `shape` under `manager`, as key → value (Spark's syntax): `spark.executor.cores` and the
 * count key (`spark.executor.instances`; `spark.cores.max` = instances × cores on standalone;
 * `spark.dynamicAllocation.maxExecutors` with dynamic allocation). Empty in local mode.
 */
export function shapeSettings(
  shape: ExecutorShape,
  manager: ClusterManager,
  dynamicAllocation: boolean,
): Map<string, string> {
  const out = new Map<string, string>();
  const countKey = executorCountKey(manager, dynamicAllocation);
  if (countKey === null) return out;
  out.set('spark.executor.cores', String(shape.executorCores));
  out.set(
    countKey,
    String(countKey === 'spark.cores.max' ? shape.executorInstances * shape.executorCores : shape.executorInstances),
  );
  return out;
}

/**
 * The shape a run actually had: `executorInstances` = most executors alive at once (`maxExecutors`, else
 * `spark.executor.instances`), `executorCores` = `spark.executor.cores`, else the executors' most common `Total Cores`.
 * In local mode (`local[N]`) the driver runs the tasks: 1 × N (N = the driver's `Total Cores` for `local[*]`).
 * @returns null when either is unknown or 0.
 */
export function runShape(run: ApplicationRecord): ExecutorShape | null {
  const threads = localModeThreads(run.master);
  if (threads !== undefined) {
    const n = threads ?? run.executors.find((e) => e.isDriver)?.totalCores ?? 0;
    return n > 0 ? { executorInstances: 1, executorCores: n } : null;
  }
  const instances = run.maxExecutors > 0 ? run.maxExecutors : (run.executorInstances ?? 0);
  const cores = run.executorCores ?? 0;
  return instances > 0 && cores > 0 ? { executorInstances: instances, executorCores: cores } : null;
}
