/**
 * Which cluster manager runs a job, read from its master URL (`spark.master`, `--master`), and what follows from it:
 * which key sets the executor count and which resource keys the manager ignores.
 *
 * Sources (apache/spark, checked against the classes of the Spark 4.3.0 jars pyspark ships):
 * - Standalone: `StandaloneSchedulerBackend` builds the `ApplicationDescription` from `spark.cores.max` (`CORES_MAX`) and
 *   the resource profile; it never reads `spark.executor.instances` (that key only sets the initial limit under dynamic
 *   allocation elsewhere). The Master launches executors of `spark.executor.cores` cores (all of a worker's free cores
 *   when unset) until `spark.cores.max` cores are granted (`spark.deploy.defaultCores`, unlimited by default, when unset)
 *   (`Master.scheduleExecutorsOnWorkers`). A worker reserves `spark.executor.memory` per executor, without overhead
 *   (`ApplicationInfo`: `memoryMbPerExecutor` = the profile's executor memory).
 * - YARN and Kubernetes: `SchedulerBackendUtils.getInitialTargetExecutorNumber`: `spark.executor.instances`, default 2
 *   (`DEFAULT_NUMBER_EXECUTORS`); with dynamic allocation max(minExecutors, initialExecutors, instances), then between
 *   `spark.dynamicAllocation.minExecutors` and `maxExecutors`. `spark.cores.max` is a standalone (and Mesos) key.
 * - Local mode (`local`, `local[N]`, `local[*]`, `local[N,F]`): the driver JVM runs the tasks on N threads
 *   (`LocalSchedulerBackend.totalCores`); no executor is launched, so executor memory, cores and count keys do nothing.
 */

/** The cluster managers the model knows. `unknown`: no master URL known (treated like YARN/Kubernetes for counts). */
export type ClusterManager = 'local' | 'standalone' | 'yarn' | 'kubernetes' | 'unknown';

const LOCAL = /^\s*local(?:\[(\d+|\*)(?:\s*,\s*\d+)?\])?\s*$/;

/**
 * The cluster manager of a master URL: `spark://…` standalone, `yarn`, `k8s://…` Kubernetes, `local…` local mode.
 * @returns `unknown` for null, empty or other URLs (Mesos, `local-cluster`).
 */
export function clusterManagerOf(master: string | null | undefined): ClusterManager {
  const m = (master ?? '').trim();
  if (m.startsWith('spark://')) return 'standalone';
  if (m === 'yarn' || m.startsWith('yarn-')) return 'yarn';
  if (m.startsWith('k8s://')) return 'kubernetes';
  if (LOCAL.test(m)) return 'local';
  return 'unknown';
}

/**
 * Task threads of a local-mode master: `local` 1, `local[N]` / `local[N,F]` N, `local[*]` null (the machine's logical
 * cores, known only from the run: the driver's `Total Cores`). @returns undefined when the master is not local mode.
 */
export function localModeThreads(master: string | null | undefined): number | null | undefined {
  const m = LOCAL.exec((master ?? '').trim());
  if (m === null) return undefined;
  if (m[1] === undefined) return 1;
  return m[1] === '*' ? null : Number(m[1]);
}

/**
 * The key that sets how many executors a job gets under `manager`: `spark.cores.max` on standalone (executors =
 * cores.max / executor cores), `spark.dynamicAllocation.maxExecutors` when dynamic allocation is on (the count then
 * moves between the bounds), else `spark.executor.instances`. Null in local mode (no executors).
 */
export function executorCountKey(manager: ClusterManager, dynamicAllocation: boolean): string | null {
  if (manager === 'local') return null;
  if (dynamicAllocation) return 'spark.dynamicAllocation.maxExecutors';
  return manager === 'standalone' ? 'spark.cores.max' : 'spark.executor.instances';
}

/**
 * Resource keys `manager` ignores, with the reason: never recommended, and a plan never writes them.
 * @param dynamicAllocation `spark.dynamicAllocation.enabled` is true (a fixed `spark.executor.instances` is then only
 *   the initial count: config/checks.ts SPARK007).
 */
export function ignoredKeys(manager: ClusterManager, dynamicAllocation: boolean): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (manager === 'standalone') {
    out.set(
      'spark.executor.instances',
      'a standalone master ignores spark.executor.instances: spark.cores.max / spark.executor.cores decides the executor count',
    );
    out.set(
      'spark.executor.memoryOverhead',
      'a standalone worker reserves only spark.executor.memory per executor: the overhead is not requested from it',
    );
  }
  if (manager === 'yarn' || manager === 'kubernetes') {
    out.set(
      'spark.cores.max',
      `${manager === 'yarn' ? 'YARN' : 'Kubernetes'} ignores spark.cores.max (a standalone key): spark.executor.instances decides the executor count`,
    );
  }
  if (manager === 'local') {
    for (const k of [
      'spark.executor.memory',
      'spark.executor.cores',
      'spark.executor.instances',
      'spark.cores.max',
      'spark.executor.memoryOverhead',
    ]) {
      out.set(
        k,
        'in local mode the driver JVM runs the tasks: executor settings have no effect (spark.driver.memory and local[N] do)',
      );
    }
  }
  if (dynamicAllocation && manager !== 'local') {
    out.set(
      'spark.executor.instances',
      'with dynamic allocation spark.executor.instances is only the initial count: the executors move between spark.dynamicAllocation.minExecutors and maxExecutors',
    );
  }
  return out;
}
