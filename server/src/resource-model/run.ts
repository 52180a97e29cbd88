/**
 * The resource model applied to a run as it happened: its cluster manager, container and what the manager set aside
 * per executor, from the run's `Spark Properties`.
 */
import type { ApplicationRecord } from '../history/application-record';
import { type ClusterManager, clusterManagerOf } from './cluster-manager';
import { lookupOf, runContext } from './conf';
import { type ContainerSize, executorContainer, memoryFractionOf, reservedMiB } from './container';

/** A run's resources as the model reads them. */
export interface RunResources {
  manager: ClusterManager;
  /** The executor container (heap from `ApplicationRecord.executorMemoryMiB`, Spark's default when unset); null when a size in its properties is invalid. */
  container: ContainerSize | null;
  /** MiB the manager set aside per executor (0 in local mode); the heap when the container is unknown. */
  reservedMiB: number;
  /** `spark.memory.fraction`. */
  memoryFraction: number;
}

const cache = new WeakMap<ApplicationRecord, RunResources>();

/** The resources of a run (cached per record object). */
export function runResources(r: ApplicationRecord): RunResources {
  let out = cache.get(r);
  if (out === undefined) {
    const lookup = lookupOf(r.sparkProperties);
    const manager = clusterManagerOf(r.master ?? r.sparkProperties['spark.master']);
    const ctx = runContext(r);
    const container = executorContainer(lookup, manager, ctx, r.executorMemoryMiB ?? undefined);
    out = {
      manager,
      container,
      reservedMiB:
        container !== null ? reservedMiB(container, manager) : manager === 'local' ? 0 : (r.executorMemoryMiB ?? 1024),
      memoryFraction: memoryFractionOf(lookup, ctx.versionLine),
    };
    cache.set(r, out);
  }
  return out;
}
