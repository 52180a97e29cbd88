import * as assert from 'assert';
import {
  allKeys,
  checkValue,
  defaultFor,
  deprecation,
  ENTRIES,
  existsIn,
  lookupKey,
  sparkVersionOfDatabricksRuntime,
  VERSION_LINES,
  versionLineOf,
} from '../server/src/config/catalogue';

// Facts asserted here were read from apache/spark's source (file named per block); the
// default changes between lines are the ones docs/core-migration-guide.md announces.

describe('config: Spark configuration catalogue (config/catalogue)', () => {
  describe('coverage and provenance', () => {
    it('has 64 keys, one entry each', () => {
      assert.strictEqual(allKeys().length, 64);
      assert.strictEqual(ENTRIES.length, 64);
    });

    it('every entry has a description, a Spark documentation link, a source file and a since version', () => {
      for (const e of ENTRIES) {
        assert.ok(e.description.length > 10, `${e.key}: description`);
        assert.match(
          e.docUrl,
          /^https:\/\/spark\.apache\.org\/docs\/latest\/(configuration|sql-performance-tuning|running-on-kubernetes|running-on-yarn)\.html(#[a-z-]+)?$/,
          `${e.key}: docUrl`,
        );
        assert.match(
          e.source,
          /^(core|sql|resource-managers|python|launcher)\/.+\.(scala|java|py)$/,
          `${e.key}: source`,
        );
        assert.match(e.since, /^\d+\.\d+\.\d+$/, `${e.key}: since`);
        if (e.type === 'size' || e.type === 'time') assert.ok(e.unit, `${e.key}: unit`);
        assert.ok(Object.keys(e.defaults).length > 0, `${e.key}: defaults`);
      }
    });

    it('covers the keys issue 4 lists', () => {
      for (const key of [
        'spark.executor.memory',
        'spark.driver.memory',
        'spark.executor.cores',
        'spark.executor.instances',
        'spark.executor.memoryOverhead',
        'spark.executor.memoryOverheadFactor',
        'spark.kubernetes.memoryOverheadFactor',
        'spark.executor.minMemoryOverhead',
        'spark.memory.offHeap.enabled',
        'spark.memory.offHeap.size',
        'spark.executor.pyspark.memory',
        'spark.python.worker.memory',
        'spark.dynamicAllocation.enabled',
        'spark.dynamicAllocation.minExecutors',
        'spark.dynamicAllocation.maxExecutors',
        'spark.dynamicAllocation.initialExecutors',
        'spark.dynamicAllocation.executorIdleTimeout',
        'spark.dynamicAllocation.schedulerBacklogTimeout',
        'spark.dynamicAllocation.shuffleTracking.enabled',
        'spark.dynamicAllocation.shuffleTracking.timeout',
        'spark.dynamicAllocation.executorAllocationRatio',
        'spark.shuffle.service.enabled',
        'spark.sql.shuffle.partitions',
        'spark.default.parallelism',
        'spark.sql.adaptive.enabled',
        'spark.sql.adaptive.coalescePartitions.enabled',
        'spark.sql.adaptive.advisoryPartitionSizeInBytes',
        'spark.sql.adaptive.skewJoin.enabled',
        'spark.sql.adaptive.skewJoin.skewedPartitionFactor',
        'spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes',
        'spark.sql.autoBroadcastJoinThreshold',
        'spark.serializer',
        'spark.kryoserializer.buffer.max',
        'spark.memory.fraction',
        'spark.memory.storageFraction',
        'spark.eventLog.enabled',
        'spark.eventLog.dir',
        'spark.eventLog.compress',
        'spark.eventLog.compression.codec',
        'spark.eventLog.rolling.enabled',
        'spark.eventLog.rolling.maxFileSize',
        'spark.speculation',
        'spark.speculation.multiplier',
        'spark.speculation.quantile',
        'spark.cores.max',
        'spark.task.cpus',
        'spark.master',
        'spark.submit.deployMode',
        'spark.app.name',
        'spark.network.timeout',
        'spark.sql.files.maxPartitionBytes',
        'spark.kubernetes.executor.request.cores',
        'spark.kubernetes.executor.limit.cores',
        'spark.kubernetes.driver.request.cores',
        'spark.kubernetes.driver.limit.cores',
        'spark.kubernetes.container.image',
        'spark.kubernetes.namespace',
        'spark.yarn.queue',
        'spark.yarn.am.memory',
        'spark.yarn.am.cores',
      ])
        assert.ok(lookupKey(key), key);
      assert.strictEqual(lookupKey('spark.executor.Memory'), undefined, 'keys are case-sensitive');
    });
  });

  describe('types, units and defaults (core/.../internal/config/package.scala)', () => {
    it('spark.executor.memory is bytesConf(ByteUnit.MiB) with default 1g in every line', () => {
      const e = lookupKey('spark.executor.memory')!;
      assert.deepStrictEqual([e.type, e.unit, e.since], ['size', 'm', '0.7.0']);
      for (const line of VERSION_LINES) assert.strictEqual(defaultFor('spark.executor.memory', line), '1g');
    });

    it('spark.eventLog.compress is false up to 3.5 and true from 4.0; rolling likewise', () => {
      assert.strictEqual(defaultFor('spark.eventLog.compress', '3.5'), 'false');
      assert.strictEqual(defaultFor('spark.eventLog.compress', '4.0'), 'true');
      assert.strictEqual(defaultFor('spark.eventLog.compress', '4.1'), 'true');
      assert.strictEqual(defaultFor('spark.eventLog.rolling.enabled', '3.3'), 'false');
      assert.strictEqual(defaultFor('spark.eventLog.rolling.enabled', '4.0'), 'true');
      assert.strictEqual(defaultFor('spark.eventLog.compression.codec', '3.5'), 'zstd');
    });

    it('shuffle tracking is on by default from 3.4; speculation is less eager from 4.0', () => {
      assert.strictEqual(defaultFor('spark.dynamicAllocation.shuffleTracking.enabled', '3.3'), 'false');
      assert.strictEqual(defaultFor('spark.dynamicAllocation.shuffleTracking.enabled', '3.4'), 'true');
      assert.strictEqual(defaultFor('spark.speculation.multiplier', '3.5'), '1.5');
      assert.strictEqual(defaultFor('spark.speculation.multiplier', '4.0'), '3');
      assert.strictEqual(defaultFor('spark.speculation.quantile', '3.5'), '0.75');
      assert.strictEqual(defaultFor('spark.speculation.quantile', '4.0'), '0.9');
    });

    it('the overhead minimum exists from 4.0 only; the overhead itself has no constant default', () => {
      assert.strictEqual(existsIn('spark.executor.minMemoryOverhead', '3.5'), false);
      assert.strictEqual(defaultFor('spark.executor.minMemoryOverhead', '3.5'), undefined);
      assert.strictEqual(defaultFor('spark.executor.minMemoryOverhead', '4.0'), '384m');
      assert.strictEqual(defaultFor('spark.executor.memoryOverhead', '4.0'), null);
      assert.strictEqual(existsIn('spark.executor.memoryOverheadFactor', '3.3'), false);
      assert.strictEqual(defaultFor('spark.executor.memoryOverheadFactor', '3.4'), '0.1');
      assert.strictEqual(defaultFor('spark.kubernetes.memoryOverheadFactor', '3.3'), '0.1');
    });

    it('time keys carry the unit of their timeConf: seconds vs milliseconds', () => {
      assert.strictEqual(lookupKey('spark.dynamicAllocation.executorIdleTimeout')!.unit, 's');
      assert.strictEqual(lookupKey('spark.dynamicAllocation.schedulerBacklogTimeout')!.unit, 's');
      assert.strictEqual(lookupKey('spark.dynamicAllocation.shuffleTracking.timeout')!.unit, 'ms');
      assert.strictEqual(lookupKey('spark.network.timeout')!.unit, 's');
      assert.strictEqual(defaultFor('spark.network.timeout', '3.5'), '120s');
    });

    it('offHeap.size is in bytes, kryo buffer.max and YARN AM memory in MiB', () => {
      assert.strictEqual(lookupKey('spark.memory.offHeap.size')!.unit, 'b');
      assert.strictEqual(lookupKey('spark.kryoserializer.buffer.max')!.unit, 'm');
      assert.strictEqual(defaultFor('spark.kryoserializer.buffer.max', '3.5'), '64m');
      assert.strictEqual(defaultFor('spark.yarn.am.memory', '3.5'), '512m');
    });
  });

  describe('SQL keys (sql/catalyst/.../internal/SQLConf.scala)', () => {
    it('spark.sql.shuffle.partitions defaults to 200 and must be positive', () => {
      assert.strictEqual(defaultFor('spark.sql.shuffle.partitions', '3.5'), '200');
      assert.deepStrictEqual(checkValue('spark.sql.shuffle.partitions', '0'), {
        ok: false,
        severity: 'error',
        message:
          "'0' in spark.sql.shuffle.partitions is invalid. The value of spark.sql.shuffle.partitions must be positive",
      });
    });

    it('AQE is on in every known line; sizes are bytesConf(ByteUnit.BYTE)', () => {
      for (const line of VERSION_LINES) assert.strictEqual(defaultFor('spark.sql.adaptive.enabled', line), 'true');
      assert.strictEqual(defaultFor('spark.sql.adaptive.advisoryPartitionSizeInBytes', '3.5'), '64MB');
      assert.strictEqual(lookupKey('spark.sql.adaptive.advisoryPartitionSizeInBytes')!.unit, 'b');
      assert.strictEqual(defaultFor('spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes', '4.0'), '256MB');
      assert.strictEqual(defaultFor('spark.sql.autoBroadcastJoinThreshold', '4.0'), '10MB');
      assert.strictEqual(defaultFor('spark.sql.files.maxPartitionBytes', '4.0'), '128MB');
    });

    it('the skew factor is intConf 5 in 3.3 and doubleConf 5.0 in 4.0, never negative', () => {
      assert.strictEqual(defaultFor('spark.sql.adaptive.skewJoin.skewedPartitionFactor', '3.3'), '5');
      assert.strictEqual(defaultFor('spark.sql.adaptive.skewJoin.skewedPartitionFactor', '4.0'), '5.0');
      assert.deepStrictEqual(checkValue('spark.sql.adaptive.skewJoin.skewedPartitionFactor', '-1'), {
        ok: false,
        severity: 'error',
        message:
          "'-1.0' in spark.sql.adaptive.skewJoin.skewedPartitionFactor is invalid. The skew factor cannot be negative.",
      });
    });

    it('advisoryPartitionSizeInBytes is checked by the entry it falls back to, and Spark names that key', () => {
      assert.deepStrictEqual(checkValue('spark.sql.adaptive.advisoryPartitionSizeInBytes', '0'), {
        ok: false,
        severity: 'error',
        message:
          "'0' in spark.sql.adaptive.shuffle.targetPostShuffleInputSize is invalid. advisoryPartitionSizeInBytes must be positive",
      });
    });
  });

  describe('deprecations (SparkConf.scala, SQLConf.scala)', () => {
    it('spark.yarn.executor.memoryOverhead was renamed spark.executor.memoryOverhead in 2.3', () => {
      const d = deprecation('spark.yarn.executor.memoryOverhead')!;
      assert.deepStrictEqual([d.replacement, d.since, d.kind], ['spark.executor.memoryOverhead', '2.3', 'alternative']);
      assert.strictEqual(deprecation('spark.yarn.driver.memoryOverhead')!.replacement, 'spark.driver.memoryOverhead');
    });

    it('spark.blacklist.* became spark.excludeOnFailure.* in 3.1.0 and is no longer read from 4.1', () => {
      const d = deprecation('spark.blacklist.enabled')!;
      assert.deepStrictEqual(
        [d.replacement, d.since, d.ignoredFrom],
        ['spark.excludeOnFailure.enabled', '3.1.0', '4.1'],
      );
      assert.strictEqual(
        deprecation('spark.blacklist.killBlacklistedExecutors')!.replacement,
        'spark.excludeOnFailure.killExcludedExecutors',
      );
    });

    it('spark.kubernetes.memoryOverheadFactor gave way to spark.executor.memoryOverheadFactor in 3.4 (SPARK-38194, reverted from 3.3)', () => {
      const d = deprecation('spark.kubernetes.memoryOverheadFactor')!;
      assert.deepStrictEqual([d.replacement, d.since], ['spark.executor.memoryOverheadFactor', '3.4.0']);
    });

    it("spark.shuffle.spill is ignored since 1.6, with SortShuffleManager's warning", () => {
      const d = deprecation('spark.shuffle.spill')!;
      assert.strictEqual(d.replacement, null);
      assert.strictEqual(d.kind, 'ignored');
      assert.match(d.note, /ignored as of Spark 1\.6\+/);
    });

    it('SQL: the old AQE target size points at advisoryPartitionSizeInBytes; removed keys say when', () => {
      const d = deprecation('spark.sql.adaptive.shuffle.targetPostShuffleInputSize')!;
      assert.deepStrictEqual([d.replacement, d.since], ['spark.sql.adaptive.advisoryPartitionSizeInBytes', '3.0']);
      assert.match(
        d.note,
        /^The SQL config 'spark\.sql\.adaptive\.shuffle\.targetPostShuffleInputSize' has been deprecated in Spark v3\.0/,
      );
      const r = deprecation('spark.sql.hive.verifyPartitionPath')!;
      assert.deepStrictEqual(
        [r.kind, r.since, r.replacement],
        ['removed', '4.0.0', 'spark.sql.files.ignoreMissingFiles'],
      );
      assert.strictEqual(deprecation('spark.executor.memory'), undefined);
    });
  });

  describe('versionLineOf', () => {
    it('maps versions to known lines, clamping newer and older ones', () => {
      assert.strictEqual(versionLineOf('3.5.1'), '3.5');
      assert.strictEqual(versionLineOf('3.3.0'), '3.3');
      assert.strictEqual(versionLineOf('4.0.0-preview2'), '4.0');
      assert.strictEqual(versionLineOf('4.1.0'), '4.1');
      assert.strictEqual(versionLineOf('4.3.0'), '4.1');
      assert.strictEqual(versionLineOf('5.0.0'), '4.1');
      assert.strictEqual(versionLineOf('3.2.4'), '3.3');
      assert.strictEqual(versionLineOf('unknown'), '4.1');
    });
    it('maps Databricks Runtime versions through the Spark they ship (release-notes table)', () => {
      assert.strictEqual(sparkVersionOfDatabricksRuntime('13.3.x-scala2.12'), '3.4');
      assert.strictEqual(versionLineOf('13.3.x-scala2.12'), '3.4');
      assert.strictEqual(versionLineOf('14.3.x-photon-scala2.12'), '3.5');
      assert.strictEqual(versionLineOf('12.2.x-cpu-ml-scala2.12'), '3.3');
      assert.strictEqual(versionLineOf('17.3.x-scala2.13'), '4.0');
      // 10.4 ships Spark 3.2.1, older than the oldest catalogue line.
      assert.strictEqual(versionLineOf('10.4.x-scala2.12'), '3.3');
      assert.strictEqual(sparkVersionOfDatabricksRuntime('3.5.1'), undefined);
      assert.strictEqual(sparkVersionOfDatabricksRuntime('9.1.x-scala2.12'), undefined);
      assert.strictEqual(versionLineOf('9.1.x-scala2.12'), '4.1');
    });
  });

  describe("checkValue: Spark's own acceptance and wording", () => {
    const SIZE_HEAD =
      'Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m.';

    it('accepts 4gb and 4G for spark.executor.memory (byteStringAs knows gb) and normalises to bytes', () => {
      assert.deepStrictEqual(checkValue('spark.executor.memory', '4gb'), { ok: true, normalised: 4 * 1024 ** 3 });
      assert.deepStrictEqual(checkValue('spark.executor.memory', '4G'), { ok: true, normalised: 4 * 1024 ** 3 });
      assert.deepStrictEqual(checkValue('spark.executor.memory', '4096'), { ok: true, normalised: 4 * 1024 ** 3 });
    });

    it('rejects "4 g", "four" and "4.5g" with JavaUtils\' messages', () => {
      assert.deepStrictEqual(checkValue('spark.executor.memory', '4 g'), {
        ok: false,
        severity: 'error',
        message: `${SIZE_HEAD}\nFailed to parse byte string: 4 g`,
      });
      assert.deepStrictEqual(checkValue('spark.executor.memory', 'four'), {
        ok: false,
        severity: 'error',
        message: `${SIZE_HEAD}\nFailed to parse byte string: four`,
      });
      assert.deepStrictEqual(checkValue('spark.executor.memory', '4.5g'), {
        ok: false,
        severity: 'error',
        message: `${SIZE_HEAD}\nFractional values are not supported. Input was: 4.5`,
      });
    });

    it('warns when spark.driver.memory is fine for Spark but not for the client-mode -Xmx flag', () => {
      assert.deepStrictEqual(checkValue('spark.driver.memory', '4g'), { ok: true, normalised: 4 * 1024 ** 3 });
      const gb = checkValue('spark.driver.memory', '4gb');
      assert.ok(
        !gb.ok &&
          gb.severity === 'warning' &&
          gb.message.includes('-Xmx4gb') &&
          gb.message.includes('Invalid maximum heap size'),
        JSON.stringify(gb),
      );
      const bare = checkValue('spark.driver.memory', '4096');
      assert.ok(!bare.ok && bare.severity === 'warning' && bare.message.includes('4096 bytes'), JSON.stringify(bare));
      assert.deepStrictEqual(checkValue('spark.executor.memory', '4096'), { ok: true, normalised: 4 * 1024 ** 3 });
    });

    it("rejects non-positive memory and cores with spark-submit's messages", () => {
      assert.deepStrictEqual(checkValue('spark.executor.memory', '-1g'), {
        ok: false,
        severity: 'error',
        message: 'Executor memory must be a positive number',
      });
      assert.deepStrictEqual(checkValue('spark.executor.cores', '0'), {
        ok: false,
        severity: 'error',
        message: 'Executor cores must be a positive number',
      });
      assert.deepStrictEqual(checkValue('spark.driver.cores', '-2'), {
        ok: false,
        severity: 'error',
        message: 'Driver cores must be a positive number',
      });
      assert.deepStrictEqual(checkValue('spark.executor.cores', ' 4 '), { ok: true, normalised: 4 });
      assert.deepStrictEqual(checkValue('spark.executor.cores', 'four'), {
        ok: false,
        severity: 'error',
        message: 'spark.executor.cores should be int, but was four',
      });
    });

    it('times: units per key, normalised to ms; negative and malformed values fail as Spark says', () => {
      assert.deepStrictEqual(checkValue('spark.network.timeout', '600'), { ok: true, normalised: 600_000 });
      assert.deepStrictEqual(checkValue('spark.dynamicAllocation.shuffleTracking.timeout', '600'), {
        ok: true,
        normalised: 600,
      });
      assert.deepStrictEqual(checkValue('spark.dynamicAllocation.executorIdleTimeout', '-1'), {
        ok: false,
        severity: 'error',
        message: "'-1' in spark.dynamicAllocation.executorIdleTimeout is invalid. Timeout must be >= 0.",
      });
      const bad = checkValue('spark.network.timeout', '2 min');
      assert.ok(!bad.ok && bad.message.endsWith('Failed to parse time string: 2 min'));
    });

    it('checkValue ranges: fractions, factors and the rolling file size', () => {
      assert.deepStrictEqual(checkValue('spark.memory.storageFraction', '1.0'), {
        ok: false,
        severity: 'error',
        message: "'1.0' in spark.memory.storageFraction is invalid. Storage fraction must be in [0,1)",
      });
      assert.deepStrictEqual(checkValue('spark.executor.memoryOverheadFactor', '0'), {
        ok: false,
        severity: 'error',
        message:
          "'0.0' in spark.executor.memoryOverheadFactor is invalid. Ensure that memory overhead is a double greater than 0",
      });
      assert.deepStrictEqual(checkValue('spark.eventLog.rolling.maxFileSize', '5m'), {
        ok: false,
        severity: 'error',
        message:
          "'5242880' in spark.eventLog.rolling.maxFileSize is invalid. Max file size of event log should be configured to be at least 10 MiB.",
      });
      assert.deepStrictEqual(checkValue('spark.memory.fraction', '0.8'), { ok: true, normalised: 0.8 });
      const warn = checkValue('spark.memory.fraction', '1.5');
      assert.ok(!warn.ok && warn.severity === 'warning');
    });

    it('booleans, enums and -1 for the broadcast threshold', () => {
      assert.deepStrictEqual(checkValue('spark.dynamicAllocation.enabled', 'TRUE'), { ok: true, normalised: 1 });
      assert.deepStrictEqual(checkValue('spark.dynamicAllocation.enabled', 'yes'), {
        ok: false,
        severity: 'error',
        message: 'spark.dynamicAllocation.enabled should be boolean, but was yes',
      });
      assert.deepStrictEqual(checkValue('spark.submit.deployMode', 'cluster'), { ok: true });
      assert.deepStrictEqual(checkValue('spark.submit.deployMode', 'remote'), {
        ok: false,
        severity: 'error',
        message: 'Deploy mode must be either client or cluster',
      });
      assert.deepStrictEqual(checkValue('spark.sql.autoBroadcastJoinThreshold', '-1'), { ok: true, normalised: -1 });
      assert.deepStrictEqual(checkValue('spark.sql.autoBroadcastJoinThreshold', '100MB'), {
        ok: true,
        normalised: 100 * 1024 ** 2,
      });
    });

    it('master URLs, Kubernetes quantities and keys outside the catalogue', () => {
      assert.deepStrictEqual(checkValue('spark.master', 'local[*]'), { ok: true });
      assert.deepStrictEqual(checkValue('spark.master', 'k8s://https://10.0.0.1:6443'), { ok: true });
      assert.deepStrictEqual(checkValue('spark.master', 'mesos://host:5050', '3.5'), { ok: true });
      assert.deepStrictEqual(checkValue('spark.master', 'mesos://host:5050', '4.0'), {
        ok: false,
        severity: 'error',
        message: "Could not parse Master URL: 'mesos://host:5050'",
      });
      assert.deepStrictEqual(checkValue('spark.kubernetes.executor.request.cores', '500m'), { ok: true });
      assert.ok(!checkValue('spark.kubernetes.executor.request.cores', 'half').ok);
      assert.deepStrictEqual(checkValue('spark.some.unknown.key', 'anything'), { ok: true });
    });
  });
});
