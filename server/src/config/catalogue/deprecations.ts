/**
 * Deprecated, renamed, ignored and removed keys, as Spark's own tables list them:
 * - `SparkConf.deprecatedConfigs` and `SparkConf.configsWithAlternatives`
 *   (apache/spark core/src/main/scala/org/apache/spark/SparkConf.scala);
 * - `withAlternative` on config entries (core/.../internal/config/package.scala);
 * - `SQLConf.deprecatedSQLConfigs` and `SQLConf.removedSQLConfigs`
 *   (sql/catalyst/src/main/scala/org/apache/spark/sql/internal/SQLConf.scala);
 * plus two keys Spark handles outside those tables (named per entry).
 * Versions are written as Spark's tables write them ('2.3', '3.1.0').
 */
import type { Deprecation } from './types';
import { SPARK_SOURCES } from './entries';

const conf = SPARK_SOURCES.sparkConf;
const sql = SPARK_SOURCES.sql;
const BLACKLIST_NOTE =
  ' Spark 4.1 and later no longer read the *.blacklist.* names (core migration guide, 4.0 to 4.1).';

/** Builds the `SparkConf.deprecatedConfigs` rows whose message is "Please use <key>". */
function pleaseUse(
  key: string,
  version: string,
  replacement: string,
  kind: Deprecation['kind'] = 'deprecated',
  extra = '',
): [string, Deprecation] {
  return [key, { replacement, since: version, note: `Please use ${replacement}${extra}`, kind, source: conf }];
}

/** Builds a `SparkConf.configsWithAlternatives` row: `old` is still read when `current` is unset. */
function alternative(old: string, version: string, current: string, source: string = conf): [string, Deprecation] {
  return [
    old,
    {
      replacement: current,
      since: version,
      kind: 'alternative',
      source,
      note: `The configuration key '${old}' has been deprecated as of Spark ${version} and may be removed in the future. Please use the new key '${current}' instead.`,
    },
  ];
}

/** Builds a `SQLConf.deprecatedSQLConfigs` row. */
function sqlDeprecated(
  key: string,
  version: string,
  comment: string,
  replacement: string | null,
): [string, Deprecation] {
  return [
    key,
    {
      replacement,
      since: version,
      kind: 'deprecated',
      source: sql,
      note: `The SQL config '${key}' has been deprecated in Spark v${version} and may be removed in the future. ${comment}`,
    },
  ];
}

/** Builds a `SQLConf.removedSQLConfigs` row (`defaultValue` is the value it used to have). */
function sqlRemoved(
  key: string,
  version: string,
  defaultValue: string,
  comment: string,
  replacement: string | null,
): [string, Deprecation] {
  return [
    key,
    {
      replacement,
      since: version,
      kind: 'removed',
      source: sql,
      note: `Removed in Spark ${version} (its default was ${defaultValue === '' ? 'empty' : defaultValue}). ${comment}`,
    },
  ];
}

const blacklist = (suffix: string, current: string): [string, Deprecation] => {
  const [key, d] = pleaseUse(`spark.blacklist.${suffix}`, '3.1.0', current, 'alternative', BLACKLIST_NOTE);
  return [key, { ...d, ignoredFrom: '4.1' }];
};

/** Every known deprecated or renamed key → what replaced it. */
export const DEPRECATIONS: ReadonlyMap<string, Deprecation> = new Map<string, Deprecation>([
  // SparkConf.deprecatedConfigs
  [
    'spark.cache.class',
    {
      replacement: null,
      since: '0.8',
      kind: 'deprecated',
      source: conf,
      note: 'The spark.cache.class property is no longer being used! Specify storage levels using the RDD.persist() method instead.',
    },
  ],
  [
    'spark.yarn.user.classpath.first',
    {
      replacement: null,
      since: '1.3',
      kind: 'deprecated',
      source: conf,
      note: 'Please use spark.{driver,executor}.userClassPathFirst instead.',
    },
  ],
  [
    'spark.kryoserializer.buffer.mb',
    {
      replacement: 'spark.kryoserializer.buffer',
      since: '1.4',
      kind: 'alternative',
      source: conf,
      note: "Please use spark.kryoserializer.buffer instead. The default value for spark.kryoserializer.buffer.mb was previously specified as '0.064'. Fractional values are no longer accepted. To specify the equivalent now, one may use '64k'.",
    },
  ],
  ['spark.rpc', { replacement: null, since: '2.0', kind: 'deprecated', source: conf, note: 'Not used anymore.' }],
  [
    'spark.scheduler.executorTaskBlacklistTime',
    {
      replacement: null,
      since: '2.1.0',
      kind: 'deprecated',
      source: conf,
      note: 'Please use the new excludedOnFailure options, spark.excludeOnFailure.*',
      ignoredFrom: '4.1',
    },
  ],
  [
    'spark.yarn.am.port',
    { replacement: null, since: '2.0.0', kind: 'deprecated', source: conf, note: 'Not used anymore' },
  ],
  [
    'spark.executor.port',
    { replacement: null, since: '2.0.0', kind: 'deprecated', source: conf, note: 'Not used anymore' },
  ],
  [
    'spark.rpc.numRetries',
    { replacement: null, since: '2.2.0', kind: 'deprecated', source: conf, note: 'Not used anymore' },
  ],
  [
    'spark.rpc.retry.wait',
    { replacement: null, since: '2.2.0', kind: 'deprecated', source: conf, note: 'Not used anymore' },
  ],
  [
    'spark.shuffle.service.index.cache.entries',
    {
      replacement: 'spark.shuffle.service.index.cache.size',
      since: '2.3.0',
      kind: 'deprecated',
      source: conf,
      note: 'Not used anymore. Please use spark.shuffle.service.index.cache.size',
    },
  ],
  [
    'spark.yarn.credentials.file.retention.count',
    { replacement: null, since: '2.4.0', kind: 'deprecated', source: conf, note: 'Not used anymore.' },
  ],
  [
    'spark.yarn.credentials.file.retention.days',
    { replacement: null, since: '2.4.0', kind: 'deprecated', source: conf, note: 'Not used anymore.' },
  ],
  [
    'spark.yarn.services',
    { replacement: null, since: '3.0.0', kind: 'deprecated', source: conf, note: 'Feature no longer available.' },
  ],
  [
    'spark.executor.plugins',
    {
      replacement: null,
      since: '3.0.0',
      kind: 'deprecated',
      source: conf,
      note: 'Feature replaced with new plugin API. See Monitoring documentation.',
    },
  ],
  blacklist('enabled', 'spark.excludeOnFailure.enabled'),
  blacklist('task.maxTaskAttemptsPerExecutor', 'spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor'),
  blacklist('task.maxTaskAttemptsPerNode', 'spark.excludeOnFailure.task.maxTaskAttemptsPerNode'),
  blacklist('application.maxFailedTasksPerExecutor', 'spark.excludeOnFailure.application.maxFailedTasksPerExecutor'),
  blacklist('stage.maxFailedTasksPerExecutor', 'spark.excludeOnFailure.stage.maxFailedTasksPerExecutor'),
  blacklist('application.maxFailedExecutorsPerNode', 'spark.excludeOnFailure.application.maxFailedExecutorsPerNode'),
  blacklist('stage.maxFailedExecutorsPerNode', 'spark.excludeOnFailure.stage.maxFailedExecutorsPerNode'),
  blacklist('timeout', 'spark.excludeOnFailure.timeout'),
  blacklist('application.fetchFailure.enabled', 'spark.excludeOnFailure.application.fetchFailure.enabled'),
  blacklist('killBlacklistedExecutors', 'spark.excludeOnFailure.killExcludedExecutors'),
  (() => {
    const [k, d] = pleaseUse(
      'spark.scheduler.blacklist.unschedulableTaskSetTimeout',
      '3.1.0',
      'spark.scheduler.excludeOnFailure.unschedulableTaskSetTimeout',
      'alternative',
      BLACKLIST_NOTE,
    );
    return [k, { ...d, ignoredFrom: '4.1' }] as [string, Deprecation];
  })(),
  (() => {
    const [k, d] = pleaseUse(
      'spark.yarn.blacklist.executor.launch.blacklisting.enabled',
      '3.1.0',
      'spark.yarn.executor.launch.excludeOnFailure.enabled',
      'alternative',
      BLACKLIST_NOTE,
    );
    return [k, { ...d, ignoredFrom: '4.1' }] as [string, Deprecation];
  })(),

  // SparkConf.configsWithAlternatives (old key → current key)
  alternative('spark.files.userClassPathFirst', '1.3', 'spark.executor.userClassPathFirst'),
  alternative('spark.history.fs.update.interval.seconds', '1.4', 'spark.history.fs.update.interval'),
  alternative('spark.history.fs.updateInterval', '1.3', 'spark.history.fs.update.interval'),
  alternative('spark.history.updateInterval', '1.3', 'spark.history.fs.update.interval'),
  alternative('spark.history.fs.cleaner.interval.seconds', '1.4', 'spark.history.fs.cleaner.interval'),
  alternative('spark.history.fs.cleaner.maxAge.seconds', '1.4', 'spark.history.fs.cleaner.maxAge'),
  alternative('spark.yarn.applicationMaster.waitTries', '1.3', 'spark.yarn.am.waitTime'),
  alternative('spark.reducer.maxMbInFlight', '1.4', 'spark.reducer.maxSizeInFlight'),
  alternative('spark.kryoserializer.buffer.max.mb', '1.4', 'spark.kryoserializer.buffer.max'),
  alternative('spark.shuffle.file.buffer.kb', '1.4', 'spark.shuffle.file.buffer'),
  alternative('spark.executor.logs.rolling.size.maxBytes', '1.4', 'spark.executor.logs.rolling.maxSize'),
  alternative('spark.io.compression.snappy.block.size', '1.4', 'spark.io.compression.snappy.blockSize'),
  alternative('spark.io.compression.lz4.block.size', '1.4', 'spark.io.compression.lz4.blockSize'),
  alternative('spark.streaming.minRememberDuration', '1.5', 'spark.streaming.fileStream.minRememberDuration'),
  alternative('spark.yarn.max.worker.failures', '1.5', 'spark.yarn.max.executor.failures'),
  alternative('spark.unsafe.offHeap', '1.6', 'spark.memory.offHeap.enabled'),
  alternative('spark.yarn.jar', '2.0', 'spark.yarn.jars'),
  alternative('spark.reducer.maxReqSizeShuffleToMem', '2.3', 'spark.network.maxRemoteBlockSizeFetchToMem'),
  alternative('spark.maxRemoteBlockSizeFetchToMem', '3.0', 'spark.network.maxRemoteBlockSizeFetchToMem'),
  alternative('spark.scheduler.listenerbus.eventqueue.size', '2.3', 'spark.scheduler.listenerbus.eventqueue.capacity'),
  alternative('spark.yarn.driver.memoryOverhead', '2.3', 'spark.driver.memoryOverhead'),
  alternative('spark.yarn.executor.memoryOverhead', '2.3', 'spark.executor.memoryOverhead'),
  alternative('spark.yarn.keytab', '3.0', 'spark.kerberos.keytab'),
  alternative('spark.yarn.principal', '3.0', 'spark.kerberos.principal'),
  alternative('spark.yarn.kerberos.relogin.period', '3.0', 'spark.kerberos.relogin.period'),
  alternative('spark.yarn.access.namenodes', '2.2', 'spark.kerberos.access.hadoopFileSystems'),
  alternative('spark.yarn.access.hadoopFileSystems', '3.0', 'spark.kerberos.access.hadoopFileSystems'),
  alternative('spark.sql.kafkaConsumerCache.capacity', '3.0', 'spark.kafka.consumer.cache.capacity'),
  alternative('spark.yarn.max.executor.failures', '3.5', 'spark.executor.maxNumFailures'),
  alternative('spark.yarn.executor.failuresValidityInterval', '3.5', 'spark.executor.failuresValidityInterval'),

  // SQLConf.deprecatedSQLConfigs
  sqlDeprecated(
    'spark.sql.legacy.execution.pandas.groupedMap.assignColumnsByName',
    '2.4',
    'The config allows to switch to the behaviour before Spark 2.4 and will be removed in the future releases.',
    null,
  ),
  sqlDeprecated(
    'spark.sql.execution.arrow.enabled',
    '3.0',
    "Use 'spark.sql.execution.arrow.pyspark.enabled' instead of it.",
    'spark.sql.execution.arrow.pyspark.enabled',
  ),
  sqlDeprecated(
    'spark.sql.execution.arrow.fallback.enabled',
    '3.0',
    "Use 'spark.sql.execution.arrow.pyspark.fallback.enabled' instead of it.",
    'spark.sql.execution.arrow.pyspark.fallback.enabled',
  ),
  sqlDeprecated(
    'spark.sql.adaptive.shuffle.targetPostShuffleInputSize',
    '3.0',
    "Use 'spark.sql.adaptive.advisoryPartitionSizeInBytes' instead of it.",
    'spark.sql.adaptive.advisoryPartitionSizeInBytes',
  ),
  sqlDeprecated(
    'spark.sql.optimizer.metadataOnly',
    '3.0',
    "Avoid to depend on this optimization to prevent a potential correctness issue. If you must use, use 'SparkSessionExtensions' instead to inject it as a custom rule.",
    null,
  ),
  sqlDeprecated(
    'spark.sql.hive.convertCTAS',
    '3.1',
    "Set 'spark.sql.legacy.createHiveTableByDefault' to false instead.",
    null,
  ),
  sqlDeprecated(
    'spark.sql.sources.schemaStringLengthThreshold',
    '3.2',
    "Use 'spark.sql.hive.tablePropertyLengthThreshold' instead.",
    'spark.sql.hive.tablePropertyLengthThreshold',
  ),
  sqlDeprecated(
    'spark.sql.legacy.replaceDatabricksSparkAvro.enabled',
    '3.2',
    'Use `.format("avro")` in `DataFrameWriter` or `DataFrameReader` instead.',
    null,
  ),
  sqlDeprecated(
    'spark.sql.adaptive.coalescePartitions.minPartitionNum',
    '3.2',
    "Use 'spark.sql.adaptive.coalescePartitions.minPartitionSize' instead.",
    'spark.sql.adaptive.coalescePartitions.minPartitionSize',
  ),
  sqlDeprecated(
    'spark.sql.legacy.parquet.datetimeRebaseModeInRead',
    '3.2',
    "Use 'spark.sql.parquet.datetimeRebaseModeInRead' instead.",
    'spark.sql.parquet.datetimeRebaseModeInRead',
  ),
  sqlDeprecated(
    'spark.sql.parser.escapedStringLiterals',
    '4.0',
    'Use raw string literals with the `r` prefix instead. ',
    null,
  ),
  sqlDeprecated(
    'spark.connect.copyFromLocalToFs.allowDestLocal',
    '4.0',
    "Use 'spark.sql.artifact.copyFromLocalToFs.allowDestLocal' instead.",
    'spark.sql.artifact.copyFromLocalToFs.allowDestLocal',
  ),
  sqlDeprecated(
    'spark.sql.legacy.allowZeroIndexInFormatString',
    '4.0',
    'Increase indexes by 1 in `strfmt` of the `format_string` function. Refer to the first argument by "1$".',
    null,
  ),

  // SQLConf.removedSQLConfigs
  sqlRemoved(
    'spark.sql.fromJsonForceNullableSchema',
    '3.0.0',
    'true',
    'It was removed to prevent errors like SPARK-23173 for non-default value.',
    null,
  ),
  sqlRemoved(
    'spark.sql.legacy.allowCreatingManagedTableUsingNonemptyLocation',
    '3.0.0',
    'false',
    'It was removed to prevent loss of user data for non-default value.',
    null,
  ),
  sqlRemoved(
    'spark.sql.legacy.compareDateTimestampInTimestamp',
    '3.0.0',
    'true',
    'It was removed to prevent errors like SPARK-23549 for non-default value.',
    null,
  ),
  sqlRemoved(
    'spark.sql.parquet.int64AsTimestampMillis',
    '3.0.0',
    'false',
    "The config was deprecated since Spark 2.3.Use 'spark.sql.parquet.outputTimestampType' instead of it.",
    'spark.sql.parquet.outputTimestampType',
  ),
  sqlRemoved(
    'spark.sql.execution.pandas.respectSessionTimeZone',
    '3.0.0',
    'true',
    'The non-default behavior is considered as a bug, see SPARK-22395. The config was deprecated since Spark 2.3.',
    null,
  ),
  sqlRemoved(
    'spark.sql.optimizer.planChangeLog.level',
    '3.1.0',
    'trace',
    'Please use `spark.sql.planChangeLog.level` instead.',
    'spark.sql.planChangeLog.level',
  ),
  sqlRemoved(
    'spark.sql.optimizer.planChangeLog.rules',
    '3.1.0',
    '',
    'Please use `spark.sql.planChangeLog.rules` instead.',
    'spark.sql.planChangeLog.rules',
  ),
  sqlRemoved(
    'spark.sql.optimizer.planChangeLog.batches',
    '3.1.0',
    '',
    'Please use `spark.sql.planChangeLog.batches` instead.',
    'spark.sql.planChangeLog.batches',
  ),
  sqlRemoved(
    'spark.sql.ansi.strictIndexOperator',
    '3.4.0',
    'true',
    'This was an internal configuration. It is not needed anymore since Spark SQL always returns null when getting a map value with a non-existing key. See SPARK-40066 for more details.',
    null,
  ),
  sqlRemoved(
    'spark.sql.hive.verifyPartitionPath',
    '4.0.0',
    'false',
    "This config was replaced by 'spark.sql.files.ignoreMissingFiles'.",
    'spark.sql.files.ignoreMissingFiles',
  ),
  sqlRemoved(
    'spark.sql.optimizer.runtimeFilter.semiJoinReduction.enabled',
    '4.0.0',
    'false',
    'This optimizer config is useless as runtime filter cannot be an IN subquery now.',
    null,
  ),
  sqlRemoved(
    'spark.sql.legacy.parquet.int96RebaseModeInWrite',
    '4.0.0',
    'CORRECTED',
    "Use 'spark.sql.parquet.int96RebaseModeInWrite' instead.",
    'spark.sql.parquet.int96RebaseModeInWrite',
  ),
  sqlRemoved(
    'spark.sql.legacy.parquet.int96RebaseModeInRead',
    '4.0.0',
    'CORRECTED',
    "Use 'spark.sql.parquet.int96RebaseModeInRead' instead.",
    'spark.sql.parquet.int96RebaseModeInRead',
  ),
  sqlRemoved(
    'spark.sql.legacy.parquet.datetimeRebaseModeInWrite',
    '4.0.0',
    'CORRECTED',
    "Use 'spark.sql.parquet.datetimeRebaseModeInWrite' instead.",
    'spark.sql.parquet.datetimeRebaseModeInWrite',
  ),
  sqlRemoved(
    'spark.sql.legacy.avro.datetimeRebaseModeInWrite',
    '4.0.0',
    'CORRECTED',
    "Use 'spark.sql.avro.datetimeRebaseModeInWrite' instead.",
    'spark.sql.avro.datetimeRebaseModeInWrite',
  ),
  sqlRemoved(
    'spark.sql.legacy.avro.datetimeRebaseModeInRead',
    '4.0.0',
    'CORRECTED',
    "Use 'spark.sql.avro.datetimeRebaseModeInRead' instead.",
    'spark.sql.avro.datetimeRebaseModeInRead',
  ),

  // Outside the tables.
  [
    'spark.kubernetes.memoryOverheadFactor',
    {
      replacement: 'spark.executor.memoryOverheadFactor',
      since: '3.4.0',
      kind: 'alternative',
      source: SPARK_SOURCES.k8s,
      note: 'Since Spark 3.4 (SPARK-38194; the source says 3.3.0 but the change was reverted from branch-3.3), spark.executor.memoryOverheadFactor and spark.driver.memoryOverheadFactor override it when set; it still applies on Kubernetes when they are not (docs/running-on-kubernetes.md).',
    },
  ],
  [
    'spark.shuffle.spill',
    {
      replacement: null,
      since: '1.6',
      kind: 'ignored',
      source: SPARK_SOURCES.sortShuffle,
      note: 'spark.shuffle.spill was set to false, but this configuration is ignored as of Spark 1.6+. Shuffle will continue to spill to disk when necessary.',
    },
  ],
]);
