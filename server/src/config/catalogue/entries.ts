/**
 * The catalogue data: the resource and tuning keys users set, as Spark's own source declares them.
 *
 * Every entry names the file in apache/spark that declares it (`source`). Types and default units
 * follow the `ConfigBuilder` call (`bytesConf(ByteUnit.MiB)` → size in 'm', `timeConf(TimeUnit.SECONDS)`
 * → time in 's'); defaults and `since` follow `createWithDefault*` and `.version(...)`; ranges with
 * enforcement 'checkValue' carry the `checkValue` message verbatim. Defaults that changed between
 * release lines (and the line they changed in) come from Spark's migration guides
 * (docs/core-migration-guide.md) and were checked against the 4.0-line source.
 * Facts are restated, not copied: no Spark code lives here.
 */
import type { SparkByteUnit, SparkTimeUnit } from '../spark-units';
import { VERSION_LINES, type CatalogueEntry, type VersionLine } from './types';

/** apache/spark paths cited by the entries. */
export const SPARK_SOURCES = {
  core: 'core/src/main/scala/org/apache/spark/internal/config/package.scala',
  python: 'core/src/main/scala/org/apache/spark/internal/config/Python.scala',
  kryo: 'core/src/main/scala/org/apache/spark/internal/config/Kryo.scala',
  network: 'core/src/main/scala/org/apache/spark/internal/config/Network.scala',
  sql: 'sql/catalyst/src/main/scala/org/apache/spark/sql/internal/SQLConf.scala',
  k8s: 'resource-managers/kubernetes/core/src/main/scala/org/apache/spark/deploy/k8s/Config.scala',
  yarn: 'resource-managers/yarn/src/main/scala/org/apache/spark/deploy/yarn/config.scala',
  sparkConf: 'core/src/main/scala/org/apache/spark/SparkConf.scala',
  sparkContext: 'core/src/main/scala/org/apache/spark/SparkContext.scala',
  sparkSubmit: 'core/src/main/scala/org/apache/spark/deploy/SparkSubmit.scala',
  submitArgs: 'core/src/main/scala/org/apache/spark/deploy/SparkSubmitArguments.scala',
  allocation: 'core/src/main/scala/org/apache/spark/ExecutorAllocationManager.scala',
  schedulerBackend: 'core/src/main/scala/org/apache/spark/scheduler/cluster/CoarseGrainedSchedulerBackend.scala',
  kryoSerializer: 'core/src/main/scala/org/apache/spark/serializer/KryoSerializer.scala',
  pyspark: 'python/pyspark/rdd.py',
  submitCommand: 'launcher/src/main/java/org/apache/spark/launcher/SparkSubmitCommandBuilder.java',
  sortShuffle: 'core/src/main/scala/org/apache/spark/shuffle/sort/SortShuffleManager.scala',
} as const;

const DOCS = 'https://spark.apache.org/docs/latest/';
const CONF = `${DOCS}configuration.html`;
const SQL_TUNING = `${DOCS}sql-performance-tuning.html`;
const K8S_DOC = `${DOCS}running-on-kubernetes.html#spark-properties`;
const YARN_DOC = `${DOCS}running-on-yarn.html#spark-properties`;

/**
 * Defaults per release line from the lines where they changed: `{ '3.3': 'false', '4.0': 'true' }`
 * gives false for 3.3–3.5 and true for 4.0–4.1; lines before the first change are left out (the
 * key does not exist there).
 */
function since(changes: Partial<Record<VersionLine, string | null>>): Partial<Record<VersionLine, string | null>> {
  const out: Partial<Record<VersionLine, string | null>> = {};
  let current: string | null | undefined;
  for (const line of VERSION_LINES) {
    if (line in changes) current = changes[line];
    if (current !== undefined) out[line] = current;
  }
  return out;
}

/** The same default in every known line. */
const always = (value: string | null) => since({ '3.3': value });

const size = (unit: SparkByteUnit) => ({ type: 'size' as const, unit });
const time = (unit: SparkTimeUnit) => ({ type: 'time' as const, unit });
const entry = (e: Omit<CatalogueEntry, 'reader'> & { reader?: CatalogueEntry['reader'] }): CatalogueEntry => ({
  reader: 'ConfigEntry',
  ...e,
});

/** All catalogue entries, grouped by the Spark file that declares them. */
export const ENTRIES: readonly CatalogueEntry[] = [
  // ---- core/src/main/scala/org/apache/spark/internal/config/package.scala: executor and driver ----
  entry({
    key: 'spark.executor.memory',
    ...size('m'),
    defaults: always('1g'),
    since: '0.7.0',
    group: 'executor',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'spark-submit',
      message: 'Executor memory must be a positive number',
      source: SPARK_SOURCES.submitArgs,
    },
    description: 'JVM heap of each executor (MiB when no unit is given).',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.executor.cores',
    type: 'int',
    defaults: always('1'),
    since: '1.0.0',
    group: 'executor',
    defaultNote:
      'The declared default is 1; standalone mode gives an executor all free cores of its worker when unset.',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'spark-submit',
      message: 'Executor cores must be a positive number',
      source: SPARK_SOURCES.submitArgs,
    },
    description: 'Number of cores (concurrent task slots) per executor.',
    docUrl: `${CONF}#execution-behavior`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.executor.instances',
    type: 'int',
    defaults: always(null),
    since: '1.0.0',
    group: 'executor',
    defaultNote:
      'Unset: YARN and Kubernetes start 2 executors; with dynamic allocation this is a lower bound for the initial number.',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'advice',
      message:
        'Number of executors must be a positive number (spark-submit rejects 0 unless spark.dynamicAllocation.enabled is true)',
      source: SPARK_SOURCES.submitArgs,
    },
    description: 'Number of executors for static allocation.',
    docUrl: `${YARN_DOC}`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.executor.memoryOverhead',
    ...size('m'),
    defaults: always(null),
    since: '2.3.0',
    group: 'executor',
    defaultNote:
      'Unset: max(spark.executor.minMemoryOverhead (384 MiB; a fixed 384 MiB before 4.0), spark.executor.memoryOverheadFactor (0.1; fixed before 3.4, or spark.kubernetes.memoryOverheadFactor on Kubernetes) × spark.executor.memory).',
    description:
      'Non-heap memory per executor container (MiB when no unit is given): VM overheads, native memory, interned strings.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.executor.memoryOverheadFactor',
    type: 'double',
    defaults: since({ '3.4': '0.1' }),
    since: '3.4.0',
    group: 'executor',
    defaultNote:
      '0.10, except Kubernetes non-JVM (PySpark, SparkR) jobs, where spark-submit sets 0.40. The source says .version("3.3.0"), but SPARK-38194 was reverted from branch-3.3 and shipped in 3.4.0.',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'checkValue',
      message: 'Ensure that memory overhead is a double greater than 0',
    },
    description:
      'Fraction of executor memory added as non-heap overhead when spark.executor.memoryOverhead is not set.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.executor.minMemoryOverhead',
    ...size('m'),
    defaults: since({ '4.0': '384m' }),
    since: '4.0.0',
    group: 'executor',
    description:
      'Minimum executor memory overhead (MiB when no unit is given); ignored when spark.executor.memoryOverhead is set.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.driver.memory',
    ...size('m'),
    defaults: always('1g'),
    since: '1.1.1',
    group: 'driver',
    jvmHeapFlag: true,
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'spark-submit',
      message: 'Driver memory must be a positive number',
      source: SPARK_SOURCES.submitArgs,
    },
    description:
      'JVM heap of the driver (MiB when no unit is given); in client mode set it before the JVM starts (spark-submit --driver-memory or spark-defaults).',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.driver.cores',
    type: 'int',
    defaults: always('1'),
    since: '1.3.0',
    group: 'driver',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'spark-submit',
      message: 'Driver cores must be a positive number',
      source: SPARK_SOURCES.submitArgs,
    },
    description: 'Number of cores for the driver process, in cluster mode only.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.driver.memoryOverhead',
    ...size('m'),
    defaults: always(null),
    since: '2.3.0',
    group: 'driver',
    defaultNote:
      'Unset: max(spark.driver.minMemoryOverhead (384 MiB; a fixed 384 MiB before 4.0), spark.driver.memoryOverheadFactor × spark.driver.memory).',
    description: 'Non-heap memory of the driver container in cluster mode (MiB when no unit is given).',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.driver.memoryOverheadFactor',
    type: 'double',
    defaults: since({ '3.4': '0.1' }),
    since: '3.4.0',
    group: 'driver',
    defaultNote:
      '0.10, except Kubernetes non-JVM (PySpark, SparkR) jobs, where spark-submit sets 0.40. The source says .version("3.3.0"), but SPARK-38194 was reverted from branch-3.3 and shipped in 3.4.0.',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'checkValue',
      message: 'Ensure that memory overhead is a double greater than 0',
    },
    description:
      'Fraction of driver memory added as non-heap overhead in cluster mode when spark.driver.memoryOverhead is not set.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.driver.minMemoryOverhead',
    ...size('m'),
    defaults: since({ '4.0': '384m' }),
    since: '4.0.0',
    group: 'driver',
    description:
      'Minimum driver memory overhead in cluster mode (MiB when no unit is given); ignored when spark.driver.memoryOverhead is set.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),

  // ---- package.scala: memory management ----
  entry({
    key: 'spark.memory.offHeap.enabled',
    type: 'boolean',
    defaults: always('false'),
    since: '1.6.0',
    group: 'memory',
    description: 'Use off-heap memory for execution and storage; spark.memory.offHeap.size must then be positive.',
    docUrl: `${CONF}#memory-management`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.memory.offHeap.size',
    ...size('b'),
    defaults: always('0'),
    since: '1.6.0',
    group: 'memory',
    range: { min: 0, enforcement: 'checkValue', message: 'The off-heap memory size must not be negative' },
    description:
      'Off-heap memory per executor (bytes when no unit is given), on top of the heap and counted in the container size.',
    docUrl: `${CONF}#memory-management`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.memory.fraction',
    type: 'double',
    defaults: always('0.6'),
    since: '1.6.0',
    group: 'memory',
    range: {
      min: 0,
      minExclusive: true,
      max: 1,
      enforcement: 'advice',
      message: 'spark.memory.fraction is a fraction of (heap − 300 MiB): use a value in (0, 1]',
    },
    description: 'Fraction of (heap − 300 MiB) shared by execution and storage; lower means more spills and evictions.',
    docUrl: `${CONF}#memory-management`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.memory.storageFraction',
    type: 'double',
    defaults: always('0.5'),
    since: '1.6.0',
    group: 'memory',
    range: {
      min: 0,
      max: 1,
      maxExclusive: true,
      enforcement: 'checkValue',
      message: 'Storage fraction must be in [0,1)',
    },
    description: 'Part of the unified region (spark.memory.fraction) where cached blocks are immune to eviction.',
    docUrl: `${CONF}#memory-management`,
    source: SPARK_SOURCES.core,
  }),

  // ---- core/src/main/scala/org/apache/spark/internal/config/Python.scala; PySpark ----
  entry({
    key: 'spark.executor.pyspark.memory',
    ...size('m'),
    defaults: always(null),
    since: '2.4.0',
    group: 'python',
    defaultNote: 'Unset: Python workers are not limited and their memory is not added to the container.',
    description:
      'Memory for the Python workers of each executor (MiB when no unit is given), added to the container size.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.python,
  }),
  entry({
    key: 'spark.python.worker.memory',
    ...size('m'),
    defaults: always('512m'),
    since: '1.1.0',
    group: 'python',
    reader: 'SparkConf.get',
    format: 'pyspark-memory',
    description:
      'Memory a Python worker uses during aggregation before spilling to disk (read by PySpark itself; a unit suffix is required).',
    docUrl: `${CONF}#runtime-environment`,
    source: SPARK_SOURCES.pyspark,
  }),

  // ---- package.scala: dynamic allocation ----
  entry({
    key: 'spark.dynamicAllocation.enabled',
    type: 'boolean',
    defaults: always('false'),
    since: '1.2.0',
    group: 'dynamic-allocation',
    description:
      'Scale the number of executors with the workload; needs an external shuffle service or shuffle tracking.',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.minExecutors',
    type: 'int',
    defaults: always('0'),
    since: '1.2.0',
    group: 'dynamic-allocation',
    range: {
      min: 0,
      enforcement: 'runtime',
      message: 'spark.dynamicAllocation.minExecutors must not be negative (ExecutorAllocationManager refuses to start)',
      source: SPARK_SOURCES.allocation,
    },
    description: 'Lower bound of executors under dynamic allocation.',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.maxExecutors',
    type: 'int',
    defaults: always('2147483647'),
    since: '1.2.0',
    group: 'dynamic-allocation',
    defaultNote: 'Int.MaxValue: no upper bound.',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'runtime',
      message:
        'spark.dynamicAllocation.maxExecutors must be positive (ExecutorAllocationManager refuses 0 or a negative value)',
      source: SPARK_SOURCES.allocation,
    },
    description: 'Upper bound of executors under dynamic allocation.',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.initialExecutors',
    type: 'int',
    defaults: always('0'),
    since: '1.3.0',
    group: 'dynamic-allocation',
    defaultNote:
      'Falls back to spark.dynamicAllocation.minExecutors; the initial number is the largest of this, minExecutors and spark.executor.instances.',
    description: 'Number of executors to start with under dynamic allocation.',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.executorIdleTimeout',
    ...time('s'),
    defaults: always('60s'),
    since: '1.2.0',
    group: 'dynamic-allocation',
    range: { min: 0, enforcement: 'checkValue', message: 'Timeout must be >= 0.' },
    description: 'An executor idle this long is removed (seconds when no unit is given).',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.schedulerBacklogTimeout',
    ...time('s'),
    defaults: always('1s'),
    since: '1.2.0',
    group: 'dynamic-allocation',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'runtime',
      message:
        'spark.dynamicAllocation.schedulerBacklogTimeout must be > 0 (ExecutorAllocationManager refuses to start)',
      source: SPARK_SOURCES.allocation,
    },
    description:
      'Pending tasks backlogged this long trigger a request for more executors (seconds when no unit is given).',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.shuffleTracking.enabled',
    type: 'boolean',
    defaults: since({ '3.3': 'false', '3.4': 'true' }),
    since: '3.0.0',
    group: 'dynamic-allocation',
    description:
      'Track shuffle files so dynamic allocation works without an external shuffle service (on by default since 3.4).',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.shuffleTracking.timeout',
    ...time('ms'),
    defaults: always('9223372036854775807'),
    since: '3.0.0',
    group: 'dynamic-allocation',
    defaultNote: 'Long.MaxValue ms: executors holding shuffle data are kept until it is no longer referenced.',
    range: { min: 0, enforcement: 'checkValue', message: 'Timeout must be >= 0.' },
    description: 'With shuffle tracking, how long executors holding shuffle data are kept (ms when no unit is given).',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.dynamicAllocation.executorAllocationRatio',
    type: 'double',
    defaults: always('1.0'),
    since: '2.4.0',
    group: 'dynamic-allocation',
    range: {
      min: 0,
      minExclusive: true,
      max: 1,
      enforcement: 'runtime',
      message:
        'spark.dynamicAllocation.executorAllocationRatio must be in (0, 1] (ExecutorAllocationManager refuses other values)',
      source: SPARK_SOURCES.allocation,
    },
    description: 'Fraction of the executors needed for full parallelism that dynamic allocation requests.',
    docUrl: `${CONF}#dynamic-allocation`,
    source: SPARK_SOURCES.core,
  }),

  // ---- package.scala: shuffle, scheduling, speculation ----
  entry({
    key: 'spark.shuffle.service.enabled',
    type: 'boolean',
    defaults: always('false'),
    since: '1.2.0',
    group: 'shuffle',
    description: 'Serve shuffle files from the external shuffle service so executors can be removed safely.',
    docUrl: `${CONF}#shuffle-behavior`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.default.parallelism',
    type: 'int',
    defaults: always(null),
    since: '0.5.0',
    group: 'shuffle',
    reader: 'SparkConf.get',
    defaultNote: 'Unset: local mode uses the number of cores; cluster modes use max(total executor cores, 2).',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'advice',
      message: 'spark.default.parallelism should be at least 1',
    },
    description:
      'Default number of partitions of RDD shuffles and parallelize (not of DataFrame shuffles: see spark.sql.shuffle.partitions).',
    docUrl: `${CONF}#execution-behavior`,
    source: SPARK_SOURCES.schedulerBackend,
  }),
  entry({
    key: 'spark.cores.max',
    type: 'int',
    defaults: always(null),
    since: '0.6.0',
    group: 'scheduling',
    defaultNote: 'Unset: spark.deploy.defaultCores of the standalone master (all cores by default).',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'spark-submit',
      message: 'Total executor cores must be a positive number',
      source: SPARK_SOURCES.submitArgs,
    },
    description: 'Standalone mode: the most cores the application takes across the cluster.',
    docUrl: `${CONF}#scheduling`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.task.cpus',
    type: 'int',
    defaults: always('1'),
    since: '0.5.0',
    group: 'scheduling',
    range: { min: 0, minExclusive: true, enforcement: 'advice', message: 'spark.task.cpus should be at least 1' },
    description: 'Cores reserved for each task.',
    docUrl: `${CONF}#scheduling`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.speculation',
    type: 'boolean',
    defaults: always('false'),
    since: '0.6.0',
    group: 'speculation',
    description: 'Re-launch slow tasks speculatively on other executors.',
    docUrl: `${CONF}#scheduling`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.speculation.multiplier',
    type: 'double',
    defaults: since({ '3.3': '1.5', '4.0': '3' }),
    since: '0.6.0',
    group: 'speculation',
    description: 'A task this many times slower than the median is a speculation candidate.',
    docUrl: `${CONF}#scheduling`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.speculation.quantile',
    type: 'double',
    defaults: since({ '3.3': '0.75', '4.0': '0.9' }),
    since: '0.6.0',
    group: 'speculation',
    range: {
      min: 0,
      max: 1,
      enforcement: 'advice',
      message: 'spark.speculation.quantile is a fraction of tasks: use a value in [0, 1]',
    },
    description: "Fraction of a stage's tasks that must finish before speculation starts.",
    docUrl: `${CONF}#scheduling`,
    source: SPARK_SOURCES.core,
  }),

  // ---- package.scala: serialization, event log ----
  entry({
    key: 'spark.serializer',
    type: 'string',
    defaults: always('org.apache.spark.serializer.JavaSerializer'),
    since: '0.5.0',
    group: 'serialization',
    suggestedValues: ['org.apache.spark.serializer.JavaSerializer', 'org.apache.spark.serializer.KryoSerializer'],
    description: 'Class that serializes shuffled and cached objects; Kryo is faster and more compact for RDD code.',
    docUrl: `${CONF}#compression-and-serialization`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.kryoserializer.buffer.max',
    ...size('m'),
    defaults: always('64m'),
    since: '1.4.0',
    group: 'serialization',
    range: {
      max: 2048,
      maxExclusive: true,
      enforcement: 'runtime',
      message: 'spark.kryoserializer.buffer.max must be less than 2048 MiB (KryoSerializer refuses larger buffers)',
      source: SPARK_SOURCES.kryoSerializer,
    },
    description: 'Largest Kryo buffer (MiB when no unit is given); raise it on "Buffer overflow" errors.',
    docUrl: `${CONF}#compression-and-serialization`,
    source: SPARK_SOURCES.kryo,
  }),
  entry({
    key: 'spark.eventLog.enabled',
    type: 'boolean',
    defaults: always('false'),
    since: '1.0.0',
    group: 'event-log',
    description: 'Write an event log, which the History Server (and this extension) reads.',
    docUrl: `${CONF}#spark-ui`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.eventLog.dir',
    type: 'string',
    defaults: always('/tmp/spark-events'),
    since: '1.0.0',
    group: 'event-log',
    description: 'Directory (any Hadoop file system URI) where event logs are written.',
    docUrl: `${CONF}#spark-ui`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.eventLog.compress',
    type: 'boolean',
    defaults: since({ '3.3': 'false', '4.0': 'true' }),
    since: '1.0.0',
    group: 'event-log',
    description: 'Compress event logs with spark.eventLog.compression.codec (on by default since 4.0).',
    docUrl: `${CONF}#spark-ui`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.eventLog.compression.codec',
    type: 'string',
    defaults: always('zstd'),
    since: '3.0.0',
    group: 'event-log',
    format: 'codec',
    suggestedValues: ['lz4', 'lzf', 'snappy', 'zstd'],
    description: 'Codec of compressed event logs: lz4, lzf, snappy, zstd or a codec class name.',
    docUrl: `${CONF}#spark-ui`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.eventLog.rolling.enabled',
    type: 'boolean',
    defaults: since({ '3.3': 'false', '4.0': 'true' }),
    since: '3.0.0',
    group: 'event-log',
    description: 'Roll event logs over into files of spark.eventLog.rolling.maxFileSize (on by default since 4.0).',
    docUrl: `${CONF}#spark-ui`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.eventLog.rolling.maxFileSize',
    ...size('b'),
    defaults: always('128m'),
    since: '3.0.0',
    group: 'event-log',
    range: {
      min: 10 * 1024 * 1024,
      enforcement: 'checkValue',
      message: 'Max file size of event log should be configured to be at least 10 MiB.',
    },
    description: 'Size at which a rolling event log file is closed (bytes when no unit is given).',
    docUrl: `${CONF}#spark-ui`,
    source: SPARK_SOURCES.core,
  }),

  // ---- SparkLauncher / SparkContext / SparkSubmit: application ----
  entry({
    key: 'spark.master',
    type: 'string',
    defaults: always(null),
    since: '0.9.0',
    group: 'application',
    format: 'master',
    defaultNote:
      'Required; spark-submit and the PySpark shell default to local[*]. SparkContext fails with "A master URL must be set in your configuration" otherwise.',
    description: 'Cluster manager to connect to: local[N], spark://host:port, yarn, k8s://https://host:port.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.sparkContext,
  }),
  entry({
    key: 'spark.submit.deployMode',
    type: 'enum',
    defaults: always('client'),
    since: '1.5.0',
    group: 'application',
    allowedValues: ['client', 'cluster'],
    caseSensitive: true,
    allowedMessage: 'Deploy mode must be either client or cluster',
    description: 'Run the driver on the submitting machine (client) or inside the cluster (cluster).',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.core,
  }),
  entry({
    key: 'spark.app.name',
    type: 'string',
    defaults: always(null),
    since: '0.9.0',
    group: 'application',
    defaultNote:
      'Required; SparkContext fails with "An application name must be set in your configuration" when missing (spark-submit sets the main class or file name).',
    description: 'Name of the application, shown in the UI and the History Server.',
    docUrl: `${CONF}#application-properties`,
    source: SPARK_SOURCES.sparkContext,
  }),

  // ---- core/src/main/scala/org/apache/spark/internal/config/Network.scala ----
  entry({
    key: 'spark.network.timeout',
    ...time('s'),
    defaults: always('120s'),
    since: '1.3.0',
    group: 'network',
    description:
      'Default timeout of all network interactions (seconds when no unit is given); must exceed spark.executor.heartbeatInterval.',
    docUrl: `${CONF}#networking`,
    source: SPARK_SOURCES.network,
  }),

  // ---- sql/catalyst/src/main/scala/org/apache/spark/sql/internal/SQLConf.scala ----
  entry({
    key: 'spark.sql.shuffle.partitions',
    type: 'int',
    defaults: always('200'),
    since: '1.1.0',
    group: 'sql',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'checkValue',
      message: 'The value of spark.sql.shuffle.partitions must be positive',
    },
    description:
      'Number of partitions of DataFrame/SQL shuffles (joins, aggregations); with AQE, the number before coalescing.',
    docUrl: `${SQL_TUNING}#other-configuration-options`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.autoBroadcastJoinThreshold',
    ...size('b'),
    defaults: always('10MB'),
    since: '1.1.0',
    group: 'sql',
    description:
      'Largest table (bytes when no unit is given) broadcast to all executors in a join; -1 disables broadcasting.',
    docUrl: `${SQL_TUNING}#other-configuration-options`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.files.maxPartitionBytes',
    ...size('b'),
    defaults: always('128MB'),
    since: '2.0.0',
    group: 'sql',
    description: 'Most bytes packed into one partition when reading files (bytes when no unit is given).',
    docUrl: `${SQL_TUNING}#other-configuration-options`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.adaptive.enabled',
    type: 'boolean',
    defaults: always('true'),
    since: '1.6.0',
    group: 'adaptive',
    description: 'Adaptive query execution: re-optimise plans with runtime statistics (on by default since 3.2).',
    docUrl: `${SQL_TUNING}#adaptive-query-execution`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.adaptive.coalescePartitions.enabled',
    type: 'boolean',
    defaults: always('true'),
    since: '3.0.0',
    group: 'adaptive',
    description:
      'With AQE, merge small contiguous shuffle partitions towards spark.sql.adaptive.advisoryPartitionSizeInBytes.',
    docUrl: `${SQL_TUNING}#coalescing-post-shuffle-partitions`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.adaptive.advisoryPartitionSizeInBytes',
    ...size('b'),
    defaults: always('64MB'),
    since: '3.0.0',
    group: 'adaptive',
    defaultNote: 'Falls back to spark.sql.adaptive.shuffle.targetPostShuffleInputSize (64MB).',
    range: {
      min: 0,
      minExclusive: true,
      enforcement: 'checkValue',
      message: 'advisoryPartitionSizeInBytes must be positive',
      messageKey: 'spark.sql.adaptive.shuffle.targetPostShuffleInputSize',
    },
    description: 'Target size of shuffle partitions (bytes when no unit is given) when AQE coalesces or splits them.',
    docUrl: `${SQL_TUNING}#coalescing-post-shuffle-partitions`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.adaptive.skewJoin.enabled',
    type: 'boolean',
    defaults: always('true'),
    since: '3.0.0',
    group: 'adaptive',
    description: 'With AQE, split (and replicate) skewed partitions of sort-merge and shuffled hash joins.',
    docUrl: `${SQL_TUNING}#optimizing-skew-join`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.adaptive.skewJoin.skewedPartitionFactor',
    type: 'double',
    defaults: since({ '3.3': '5', '4.0': '5.0' }),
    since: '3.0.0',
    group: 'adaptive',
    defaultNote:
      'The 3.3 line declares it intConf (default 5, so a fraction fails there); the 4.0 line declares doubleConf (5.0).',
    range: { min: 0, enforcement: 'checkValue', message: 'The skew factor cannot be negative.' },
    description: 'A partition larger than this factor × the median partition size (and the threshold) is skewed.',
    docUrl: `${SQL_TUNING}#optimizing-skew-join`,
    source: SPARK_SOURCES.sql,
  }),
  entry({
    key: 'spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes',
    ...size('b'),
    defaults: always('256MB'),
    since: '3.0.0',
    group: 'adaptive',
    description: 'A partition larger than this (bytes when no unit is given) and than factor × median is skewed.',
    docUrl: `${SQL_TUNING}#optimizing-skew-join`,
    source: SPARK_SOURCES.sql,
  }),

  // ---- resource-managers/kubernetes/core/src/main/scala/org/apache/spark/deploy/k8s/Config.scala ----
  entry({
    key: 'spark.kubernetes.executor.request.cores',
    type: 'string',
    defaults: always(null),
    since: '2.4.0',
    group: 'kubernetes',
    format: 'k8s-quantity',
    defaultNote: 'Unset: the pod requests spark.executor.cores.',
    description:
      'CPU request of each executor pod, as a Kubernetes quantity (0.1, 500m, 2); does not change the number of task slots.',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),
  entry({
    key: 'spark.kubernetes.executor.limit.cores',
    type: 'string',
    defaults: always(null),
    since: '2.3.0',
    group: 'kubernetes',
    format: 'k8s-quantity',
    description: 'Hard CPU limit of each executor pod, as a Kubernetes quantity.',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),
  entry({
    key: 'spark.kubernetes.driver.request.cores',
    type: 'string',
    defaults: always(null),
    since: '3.0.0',
    group: 'kubernetes',
    format: 'k8s-quantity',
    defaultNote: 'Unset: the pod requests spark.driver.cores.',
    description: 'CPU request of the driver pod, as a Kubernetes quantity.',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),
  entry({
    key: 'spark.kubernetes.driver.limit.cores',
    type: 'string',
    defaults: always(null),
    since: '2.3.0',
    group: 'kubernetes',
    format: 'k8s-quantity',
    description: 'Hard CPU limit of the driver pod, as a Kubernetes quantity.',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),
  entry({
    key: 'spark.kubernetes.container.image',
    type: 'string',
    defaults: always(null),
    since: '2.3.0',
    group: 'kubernetes',
    description: 'Container image for the driver and executors (overridable per role).',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),
  entry({
    key: 'spark.kubernetes.namespace',
    type: 'string',
    defaults: always('default'),
    since: '2.3.0',
    group: 'kubernetes',
    description: 'Namespace of the driver and executor pods.',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),
  entry({
    key: 'spark.kubernetes.memoryOverheadFactor',
    type: 'double',
    defaults: always('0.1'),
    since: '2.4.0',
    group: 'kubernetes',
    defaultNote:
      '0.1 for JVM jobs; spark-submit sets 0.4 for PySpark and SparkR jobs. Since 3.4, spark.executor.memoryOverheadFactor and spark.driver.memoryOverheadFactor override it when set.',
    range: {
      min: 0,
      max: 1,
      maxExclusive: true,
      enforcement: 'checkValue',
      message: 'Ensure that memory overhead is a double between 0 --> 1.0',
    },
    description:
      'Kubernetes memory overhead factor (superseded in 3.4 by spark.executor.memoryOverheadFactor / spark.driver.memoryOverheadFactor).',
    docUrl: K8S_DOC,
    source: SPARK_SOURCES.k8s,
  }),

  // ---- resource-managers/yarn/src/main/scala/org/apache/spark/deploy/yarn/config.scala ----
  entry({
    key: 'spark.yarn.queue',
    type: 'string',
    defaults: always('default'),
    since: '1.0.0',
    group: 'yarn',
    description: 'YARN queue the application is submitted to.',
    docUrl: YARN_DOC,
    source: SPARK_SOURCES.yarn,
  }),
  entry({
    key: 'spark.yarn.am.memory',
    ...size('m'),
    defaults: always('512m'),
    since: '1.3.0',
    group: 'yarn',
    description:
      'Heap of the YARN Application Master in client mode (MiB when no unit is given); in cluster mode spark.driver.memory applies.',
    docUrl: YARN_DOC,
    source: SPARK_SOURCES.yarn,
  }),
  entry({
    key: 'spark.yarn.am.cores',
    type: 'int',
    defaults: always('1'),
    since: '1.3.0',
    group: 'yarn',
    description: 'Cores of the YARN Application Master in client mode; in cluster mode spark.driver.cores applies.',
    docUrl: YARN_DOC,
    source: SPARK_SOURCES.yarn,
  }),
];
