/**
 * The memory of one executor (or driver) as Spark computes it, and what the cluster manager sets aside for it.
 *
 * Sources (apache/spark; the arithmetic checked against the Spark 4.3.0 classes pyspark ships):
 * - `ResourceProfile.calculateOverHeadMemory`: overhead = `spark.executor.memoryOverhead` when set, else
 *   max((factor × heap MiB).toInt, minimum), minimum = `spark.executor.minMemoryOverhead` (4.0+, default 384m; a fixed
 *   384 MiB before 4.0, `MEMORY_OVERHEAD_MIN_MIB`).
 * - `ResourceProfile.getResourcesForClusterManager`: container = heap + overhead + off-heap + PySpark memory, PySpark
 *   memory (`spark.executor.pyspark.memory`) counted only for Python applications; off-heap
 *   (`spark.memory.offHeap.size`) only when `spark.memory.offHeap.enabled` (`Utils.checkOffHeapEnabled`).
 * - Factor: `spark.executor.memoryOverheadFactor` (3.4+, default 0.10). On Kubernetes, when it is not set, the executor
 *   uses `spark.kubernetes.memoryOverheadFactor` (`BasicExecutorFeatureStep`), which the driver sets to 0.40 for a
 *   non-JVM (Python, R) main resource unless the user set it (`BasicDriverFeatureStep`, `NON_JVM_MEMORY_OVERHEAD_FACTOR`).
 * - What is set aside: YARN and Kubernetes request the whole container; a standalone worker subtracts only
 *   `spark.executor.memory` from its free memory (`ApplicationInfo`, `memoryMbPerExecutor`); local mode launches no
 *   executor (the driver heap is the memory).
 * - Unified memory region (Spark tuning guide, "Memory Management Overview"; `UnifiedMemoryManager`): M =
 *   `spark.memory.fraction` (0.6) × (heap − 300 MiB reserved), shared by the running tasks: each of N tasks gets at most
 *   M / N of execution memory (`ExecutionMemoryPool`).
 */
import { type VersionLine } from '../config/catalogue';
import { formatSparkSizeMiB, parseSparkSizeMiB, parseSparkSizeBytes } from '../config/spark-units';
import type { ClusterManager } from './cluster-manager';
import { type WorkloadContext, type SparkConfLookup, valueOrDefault } from './conf';

/** Memory Spark reserves inside every executor heap before the unified region, MiB (`UnifiedMemoryManager.RESERVED_SYSTEM_MEMORY_BYTES`). */
export const RESERVED_SYSTEM_MEMORY_MIB = 300;

/** Kubernetes' overhead factor for non-JVM (Python, R) applications (`Constants.NON_JVM_MEMORY_OVERHEAD_FACTOR`). */
export const NON_JVM_OVERHEAD_FACTOR = 0.4;

/** The overhead minimum before Spark 4.0 made it configurable (`ResourceProfile.MEMORY_OVERHEAD_MIN_MIB`). */
export const OVERHEAD_MIN_MIB = 384;

/** One executor's (or the driver's) memory, MiB, with the arithmetic written out. */
export interface ContainerSize {
  /** JVM heap: `spark.executor.memory` (or the override the caller asked about). */
  heapMiB: number;
  overheadMiB: number;
  /** True when `memoryOverhead` is set explicitly (no factor applied). */
  overheadSet: boolean;
  /** The factor that applied (also when the overhead is set explicitly: what would have applied). */
  overheadFactor: number;
  /** The minimum overhead that applied. */
  minOverheadMiB: number;
  offHeapMiB: number;
  pysparkMiB: number;
  /** heap + overhead + off-heap + PySpark memory: what YARN and Kubernetes request. */
  totalMiB: number;
  /** e.g. `1g + 384m overhead (max(384m, 0.10 × 1g)) + 0 off-heap + 0 PySpark`. */
  arithmetic: string;
}

function sizeMiB(
  lookup: SparkConfLookup,
  key: string,
  line: VersionLine | undefined,
  unitless: 'm' | 'b' = 'm',
): number | null | undefined {
  const v = valueOrDefault(lookup, key, line);
  if (v === undefined) return undefined;
  if (unitless === 'm') return parseSparkSizeMiB(v);
  try {
    return Math.floor(parseSparkSizeBytes(v, 'b') / 1024 ** 2);
  } catch {
    return null;
  }
}

function factorOf(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/**
 * The executor container of a job as Spark computes it (module comment).
 * @param lookup the job's properties (unset keys fall back on the catalogue's defaults).
 * @param manager its cluster manager (Kubernetes' own factor and the non-JVM 0.40 apply only there).
 * @param ctx Python or not (PySpark memory, 0.40), release line for defaults.
 * @param heapMiBOverride the heap to size the container for instead of `spark.executor.memory` (a candidate value).
 * @returns null when a value it needs is not a valid size (config/checks.ts reports that as SPARK002).
 */
export function executorContainer(
  lookup: SparkConfLookup,
  manager: ClusterManager,
  ctx: WorkloadContext,
  heapMiBOverride?: number,
): ContainerSize | null {
  return containerOf('executor', lookup, manager, ctx, heapMiBOverride);
}

/**
 * The driver container (`spark.driver.memory` + its overhead, `spark.driver.memoryOverhead` / `…OverheadFactor` /
 * `…minMemoryOverhead`, same arithmetic; off-heap and PySpark memory are executor-only). @returns null on an invalid size.
 */
export function driverContainer(
  lookup: SparkConfLookup,
  manager: ClusterManager,
  ctx: WorkloadContext,
  heapMiBOverride?: number,
): ContainerSize | null {
  return containerOf('driver', lookup, manager, ctx, heapMiBOverride);
}

function containerOf(
  role: 'executor' | 'driver',
  lookup: SparkConfLookup,
  manager: ClusterManager,
  ctx: WorkloadContext,
  heapMiBOverride?: number,
): ContainerSize | null {
  const line = ctx.versionLine;
  const heap = heapMiBOverride ?? sizeMiB(lookup, `spark.${role}.memory`, line);
  if (heap === null || heap === undefined) return null;
  const explicit = lookup(`spark.${role}.memoryOverhead`);
  const explicitMiB = explicit !== undefined ? parseSparkSizeMiB(explicit) : undefined;
  if (explicitMiB === null) return null;
  const min = sizeMiB(lookup, `spark.${role}.minMemoryOverhead`, line) ?? OVERHEAD_MIN_MIB;
  let factor = factorOf(lookup(`spark.${role}.memoryOverheadFactor`));
  if (factor === null && manager === 'kubernetes')
    factor =
      factorOf(lookup('spark.kubernetes.memoryOverheadFactor')) ?? (ctx.isPython ? NON_JVM_OVERHEAD_FACTOR : null);
  factor ??= factorOf(valueOrDefault(lookup, `spark.${role}.memoryOverheadFactor`, line)) ?? 0.1;
  // (factor × heap).toInt, then max with the minimum (ResourceProfile.calculateOverHeadMemory).
  const overheadMiB = explicitMiB ?? Math.max(Math.trunc(factor * heap), min);
  let offHeapMiB = 0;
  let pysparkMiB = 0;
  if (role === 'executor') {
    if ((valueOrDefault(lookup, 'spark.memory.offHeap.enabled', line) ?? 'false').trim() === 'true') {
      const off = sizeMiB(lookup, 'spark.memory.offHeap.size', line, 'b');
      if (off === null) return null;
      offHeapMiB = off ?? 0;
    }
    if (ctx.isPython) {
      const py = lookup('spark.executor.pyspark.memory');
      if (py !== undefined) {
        const mib = parseSparkSizeMiB(py);
        if (mib === null) return null;
        pysparkMiB = mib;
      }
    }
  }
  const why =
    explicitMiB !== undefined
      ? `spark.${role}.memoryOverhead`
      : `max(${formatSparkSizeMiB(min)}, ${factor.toFixed(2)} × ${formatSparkSizeMiB(heap)})`;
  const part = (mib: number) => (mib ? formatSparkSizeMiB(mib) : '0');
  return {
    heapMiB: heap,
    overheadMiB,
    overheadSet: explicitMiB !== undefined,
    overheadFactor: factor,
    minOverheadMiB: min,
    offHeapMiB,
    pysparkMiB,
    totalMiB: heap + overheadMiB + offHeapMiB + pysparkMiB,
    arithmetic:
      role === 'executor'
        ? `${formatSparkSizeMiB(heap)} + ${formatSparkSizeMiB(overheadMiB)} overhead (${why}) + ${part(offHeapMiB)} off-heap + ${part(pysparkMiB)} PySpark`
        : `${formatSparkSizeMiB(heap)} + ${formatSparkSizeMiB(overheadMiB)} overhead (${why})`,
  };
}

/**
 * Memory the cluster manager sets aside per executor, MiB: the whole container on YARN, Kubernetes and unknown
 * managers; the heap alone on a standalone worker; 0 in local mode (no executors).
 */
export function reservedMiB(c: ContainerSize, manager: ClusterManager): number {
  if (manager === 'local') return 0;
  return manager === 'standalone' ? c.heapMiB : c.totalMiB;
}

/**
 * Execution memory one task can get, bytes: `spark.memory.fraction` × (heap − 300 MiB) / concurrent tasks per executor
 * (module comment: the unified region shared fairly by N running tasks).
 * @param memoryFraction `spark.memory.fraction` (0.6 by default).
 */
export function executionMemoryPerTaskBytes(heapMiB: number, tasksPerExecutor: number, memoryFraction: number): number {
  return (
    (Math.max(0, heapMiB - RESERVED_SYSTEM_MEMORY_MIB) * 1024 * 1024 * memoryFraction) / Math.max(1, tasksPerExecutor)
  );
}

/**
 * The heap (MiB) whose unified region gives each of `tasksPerExecutor` tasks `perTaskBytes` of execution memory: the
 * inverse of {@link executionMemoryPerTaskBytes}.
 */
export function heapForExecutionMemoryMiB(
  perTaskBytes: number,
  tasksPerExecutor: number,
  memoryFraction: number,
): number {
  return (perTaskBytes * Math.max(1, tasksPerExecutor)) / (1024 * 1024) / memoryFraction + RESERVED_SYSTEM_MEMORY_MIB;
}

/** `spark.memory.fraction` of a job (catalogue default 0.6); an invalid value falls back on the default. */
export function memoryFractionOf(lookup: SparkConfLookup, line?: VersionLine): number {
  const v = Number(valueOrDefault(lookup, 'spark.memory.fraction', line));
  return Number.isFinite(v) && v > 0 && v <= 1 ? v : 0.6;
}
