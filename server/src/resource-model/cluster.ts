/**
 * The cluster a job runs on: node size and count, and the total cores/memory the job may take (a standalone master's
 * cores, a Kubernetes namespace quota), from what the user declares (settings `sparkOptimizer.cluster.*`, CLI flags)
 * and from what the runs themselves show (the executors' hosts and `Total Cores` in `SparkListenerExecutorAdded`).
 *
 * A declared figure wins. Where nothing is declared, the runs' figures are used as the limit: the most executor cores
 * one host gave a run, the most hosts a run used, the most cores a run held at once. Those are lower bounds of the real
 * cluster, so a plan made from them never asks for more than some run actually got.
 */
import type { ApplicationRecord } from '../history/application-record';

/** What the user declares; 0 (or absent) = unknown. Memory in MiB. */
export interface DeclaredCluster {
  nodeMemoryMiB?: number;
  nodeCores?: number;
  nodes?: number;
  /** Total cores the job may hold (standalone master's cores, Kubernetes CPU quota). */
  totalCores?: number;
  /** Total memory the job may hold, MiB (Kubernetes memory quota). */
  totalMemoryMiB?: number;
}

/** Where a limit comes from. */
export type LimitSource = 'declared' | 'runs';

/** One known limit with its source. */
export interface Limit {
  value: number;
  source: LimitSource;
}

/** The cluster limits a plan must respect; null = not known (no limit from that figure). */
export interface ClusterLimits {
  nodeMemoryMiB: Limit | null;
  nodeCores: Limit | null;
  nodes: Limit | null;
  totalCores: Limit | null;
  totalMemoryMiB: Limit | null;
}

/** What the runs show about the cluster (lower bounds). */
export interface ObservedCluster {
  /** Most distinct executor hosts in one run. */
  hosts: number;
  /** Most executor cores one host held in one run (Σ `Total Cores` of its executors alive at once). */
  coresPerHost: number;
  /** Most executor cores one run held at once. */
  totalCores: number;
}

/**
 * The cluster as the runs show it (local-mode runs and runs without executor events count nothing).
 * @param runs records of the job (any order).
 */
export function observedCluster(runs: readonly ApplicationRecord[]): ObservedCluster {
  let hosts = 0;
  let coresPerHost = 0;
  let totalCores = 0;
  for (const r of runs) {
    const o = observedOf(r);
    hosts = Math.max(hosts, o.hosts);
    coresPerHost = Math.max(coresPerHost, o.coresPerHost);
    totalCores = Math.max(totalCores, o.totalCores);
  }
  return { hosts, coresPerHost, totalCores };
}

const observedCache = new WeakMap<ApplicationRecord, ObservedCluster>();

/** What one run shows (cached per record). */
function observedOf(r: ApplicationRecord): ObservedCluster {
  const hit = observedCache.get(r);
  if (hit !== undefined) return hit;
  let coresPerHost = 0;
  let totalCores = 0;
  const execs = r.executors.filter((e) => !e.isDriver && e.totalCores > 0);
  // Cores alive at once, per host and in all: sweep over add/remove events.
  const events = execs.flatMap((e) => [
    { t: e.addTimeMs, d: e.totalCores, host: e.host },
    { t: e.removeTimeMs ?? Infinity, d: -e.totalCores, host: e.host },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  const perHost = new Map<string, number>();
  let all = 0;
  for (const ev of events) {
    all += ev.d;
    const h = (perHost.get(ev.host) ?? 0) + ev.d;
    perHost.set(ev.host, h);
    if (all > totalCores) totalCores = all;
    if (h > coresPerHost) coresPerHost = h;
  }
  const out = { hosts: new Set(execs.map((e) => e.host)).size, coresPerHost, totalCores };
  observedCache.set(r, out);
  return out;
}

/**
 * The limits a plan respects: each declared figure (> 0), else the runs' figure (> 0), else unknown. Node memory and
 * total memory come only from declarations (event logs do not carry a node's memory).
 */
export function clusterLimits(declared: DeclaredCluster, observed: ObservedCluster): ClusterLimits {
  const pick = (d: number | undefined, o: number | undefined): Limit | null =>
    d !== undefined && d > 0
      ? { value: d, source: 'declared' }
      : o !== undefined && o > 0
        ? { value: o, source: 'runs' }
        : null;
  const nodes = pick(declared.nodes, observed.hosts);
  const nodeCores = pick(declared.nodeCores, observed.coresPerHost);
  // Total cores: declared, else nodes × node cores when both are declared, else what the runs held.
  const declaredTotal =
    declared.totalCores !== undefined && declared.totalCores > 0
      ? declared.totalCores
      : (declared.nodes ?? 0) > 0 && (declared.nodeCores ?? 0) > 0
        ? (declared.nodes ?? 0) * (declared.nodeCores ?? 0)
        : undefined;
  return {
    nodeMemoryMiB: pick(declared.nodeMemoryMiB, undefined),
    nodeCores,
    nodes,
    totalCores: pick(
      declaredTotal,
      nodes?.source === 'declared' && nodeCores !== null ? nodes.value * nodeCores.value : observed.totalCores,
    ),
    totalMemoryMiB: pick(declared.totalMemoryMiB, undefined),
  };
}

/** A shape to place: executors × cores, with the memory the manager sets aside per executor (MiB). */
export interface Placement {
  executorInstances: number;
  executorCores: number;
  reservedMiB: number;
}

/**
 * Whether a shape fits the cluster, and if not, why (first limit broken). Executors are packed per node by cores and
 * memory (as the standalone Master and the YARN/Kubernetes schedulers place whole executors on one node).
 * @returns `{ fits: true }` or `{ fits: false, why }` naming the limit and its source.
 */
export function fits(p: Placement, limits: ClusterLimits): { fits: true } | { fits: false; why: string } {
  const src = (l: Limit) => (l.source === 'declared' ? 'declared' : 'seen in the runs');
  if (limits.nodeCores !== null && p.executorCores > limits.nodeCores.value) {
    return {
      fits: false,
      why: `${p.executorCores} cores per executor exceed a node's ${limits.nodeCores.value} (${src(limits.nodeCores)})`,
    };
  }
  if (limits.nodeMemoryMiB !== null && p.reservedMiB > limits.nodeMemoryMiB.value) {
    return {
      fits: false,
      why: `an executor of ${p.reservedMiB} MiB exceeds a node's ${limits.nodeMemoryMiB.value} MiB (${src(limits.nodeMemoryMiB)})`,
    };
  }
  if (limits.totalCores !== null && p.executorInstances * p.executorCores > limits.totalCores.value) {
    return {
      fits: false,
      why: `${p.executorInstances} × ${p.executorCores} = ${p.executorInstances * p.executorCores} cores exceed the ${limits.totalCores.value} the job can get (${src(limits.totalCores)})`,
    };
  }
  if (limits.totalMemoryMiB !== null && p.executorInstances * p.reservedMiB > limits.totalMemoryMiB.value) {
    return {
      fits: false,
      why: `${p.executorInstances} executors × ${p.reservedMiB} MiB exceed the ${limits.totalMemoryMiB.value} MiB the job can get (${src(limits.totalMemoryMiB)})`,
    };
  }
  if (limits.nodes !== null) {
    const byCores = limits.nodeCores !== null ? Math.floor(limits.nodeCores.value / p.executorCores) : Infinity;
    const byMemory =
      limits.nodeMemoryMiB !== null && p.reservedMiB > 0
        ? Math.floor(limits.nodeMemoryMiB.value / p.reservedMiB)
        : Infinity;
    const perNode = Math.min(byCores, byMemory);
    if (Number.isFinite(perNode) && p.executorInstances > perNode * limits.nodes.value) {
      return {
        fits: false,
        why: `${p.executorInstances} executors exceed the ${perNode * limits.nodes.value} that ${limits.nodes.value} node(s) hold (${perNode} per node; ${src(limits.nodes)})`,
      };
    }
  }
  return { fits: true };
}

/** Most cores one executor can have and most executors of `cores` cores the limits allow (Infinity when unbounded). */
export function maxExecutors(cores: number, reservedMiB: number, limits: ClusterLimits): number {
  let n = Infinity;
  if (limits.totalCores !== null) n = Math.min(n, Math.floor(limits.totalCores.value / cores));
  if (limits.totalMemoryMiB !== null && reservedMiB > 0)
    n = Math.min(n, Math.floor(limits.totalMemoryMiB.value / reservedMiB));
  if (limits.nodes !== null) {
    const byCores = limits.nodeCores !== null ? Math.floor(limits.nodeCores.value / cores) : Infinity;
    const byMemory =
      limits.nodeMemoryMiB !== null && reservedMiB > 0
        ? Math.floor(limits.nodeMemoryMiB.value / reservedMiB)
        : Infinity;
    n = Math.min(n, Math.min(byCores, byMemory) * limits.nodes.value);
  }
  return n;
}

/** One line describing the limits for hovers and the CLI, e.g. `1 node × 4 cores (seen in the runs), 6g per node (declared)`. */
export function describeLimits(l: ClusterLimits): string {
  const src = (x: Limit) => (x.source === 'declared' ? 'declared' : 'seen in the runs');
  const parts: string[] = [];
  if (l.nodes !== null) parts.push(`${l.nodes.value} node(s) (${src(l.nodes)})`);
  if (l.nodeCores !== null) parts.push(`${l.nodeCores.value} cores per node (${src(l.nodeCores)})`);
  if (l.nodeMemoryMiB !== null) parts.push(`${l.nodeMemoryMiB.value} MiB per node (${src(l.nodeMemoryMiB)})`);
  if (l.totalCores !== null) parts.push(`${l.totalCores.value} cores in all (${src(l.totalCores)})`);
  if (l.totalMemoryMiB !== null) parts.push(`${l.totalMemoryMiB.value} MiB in all (${src(l.totalMemoryMiB)})`);
  return parts.length > 0 ? parts.join(', ') : 'unknown';
}
