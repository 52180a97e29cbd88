/**
 * The Spark resource model (server/src/resource-model/) against Spark's own arithmetic and the real runs of
 * examples/history. Expected values: container sizes worked out by hand from `ResourceProfile.calculateOverHeadMemory`
 * (max((factor × heap).toInt, minimum)) and `getResourcesForClusterManager` (heap + overhead + off-heap + PySpark memory
 * for Python apps), checked against the classes of the Spark 4.3.0 jars pyspark ships; executor counts from
 * `StandaloneSchedulerBackend` (spark.cores.max) and `SchedulerBackendUtils` (default 2 on YARN/Kubernetes); the
 * example runs' hosts and cores from examples/history/README.md (one worker on 127.0.0.1, 2 executors × 2 cores).
 */
import * as assert from 'assert';
import { collectEventLogs } from '../server/src/history/collect';
import {
  clusterLimits,
  clusterManagerOf,
  DEFAULT_EXECUTOR_MEMORY_MIB,
  DEFAULT_SHUFFLE_PARTITIONS,
  describeLimits,
  executorContainer,
  executorRequest,
  fits,
  heapForExecutionMemoryMiB,
  executionMemoryPerTaskBytes,
  ignoredKeys,
  localModeThreads,
  maxExecutors,
  observedCluster,
  reservedMiB,
  runResources,
  shapeCost,
  shapeSettings,
  taskSlots,
} from '../server/src/resource-model';
import { HistoryStore } from '../server/src/store/history-store';
import { EXAMPLE_HISTORY } from './helpers/fixtures';

const conf = (entries: Record<string, string>) => (k: string) => entries[k];

describe('resource model: executor container (ResourceProfile arithmetic)', () => {
  it('standalone, YARN and Kubernetes containers of the same settings', () => {
    const yarn = executorContainer(conf({ 'spark.executor.memory': '4g' }), 'yarn', { isPython: true })!;
    // (0.1 × 4096).toInt = 409 > 384 → 409; total 4505.
    assert.deepStrictEqual([yarn.heapMiB, yarn.overheadMiB, yarn.totalMiB], [4096, 409, 4505]);
    assert.strictEqual(yarn.arithmetic, '4g + 409m overhead (max(384m, 0.10 × 4g)) + 0 off-heap + 0 PySpark');
    // Kubernetes, Python app, no factor set: the driver's non-JVM default 0.4 → (0.4 × 4096).toInt = 1638.
    const k8s = executorContainer(conf({ 'spark.executor.memory': '4g' }), 'kubernetes', { isPython: true })!;
    assert.deepStrictEqual([k8s.overheadFactor, k8s.overheadMiB, k8s.totalMiB], [0.4, 1638, 5734]);
    // A JVM job on Kubernetes keeps 0.1; spark.kubernetes.memoryOverheadFactor 0.2 wins over the 0.4 default.
    assert.strictEqual(
      executorContainer(conf({ 'spark.executor.memory': '4g' }), 'kubernetes', { isPython: false })!.overheadMiB,
      409,
    );
    assert.strictEqual(
      executorContainer(
        conf({ 'spark.executor.memory': '4g', 'spark.kubernetes.memoryOverheadFactor': '0.2' }),
        'kubernetes',
        { isPython: true },
      )!.overheadMiB,
      819,
    );
    // spark.executor.memoryOverheadFactor wins over both; on YARN the Kubernetes key is not read.
    assert.strictEqual(
      executorContainer(
        conf({
          'spark.executor.memory': '4g',
          'spark.executor.memoryOverheadFactor': '0.25',
          'spark.kubernetes.memoryOverheadFactor': '0.2',
        }),
        'kubernetes',
        { isPython: true },
      )!.overheadMiB,
      1024,
    );
    assert.strictEqual(
      executorContainer(
        conf({ 'spark.executor.memory': '4g', 'spark.kubernetes.memoryOverheadFactor': '0.2' }),
        'yarn',
        { isPython: true },
      )!.overheadMiB,
      409,
    );
  });

  it('minimum, explicit overhead, off-heap and PySpark memory', () => {
    // 1g: (0.1 × 1024).toInt = 102 < 384 → 384 (Spark 4 minMemoryOverhead default); raised minimum 512m → 512.
    assert.strictEqual(executorContainer(conf({}), 'yarn', { isPython: false })!.totalMiB, 1408);
    assert.strictEqual(
      executorContainer(conf({ 'spark.executor.minMemoryOverhead': '512m' }), 'yarn', { isPython: false })!.overheadMiB,
      512,
    );
    assert.strictEqual(
      executorContainer(conf({ 'spark.executor.memoryOverhead': '1g' }), 'yarn', { isPython: false })!.overheadMiB,
      1024,
    );
    // Off-heap counts only when enabled (spark.memory.offHeap.size is in bytes without a unit); PySpark memory only for Python apps.
    const all = {
      'spark.executor.memory': '2g',
      'spark.memory.offHeap.enabled': 'true',
      'spark.memory.offHeap.size': '536870912',
      'spark.executor.pyspark.memory': '1g',
    };
    assert.deepStrictEqual(
      (({ heapMiB, overheadMiB, offHeapMiB, pysparkMiB, totalMiB }) => [
        heapMiB,
        overheadMiB,
        offHeapMiB,
        pysparkMiB,
        totalMiB,
      ])(executorContainer(conf(all), 'yarn', { isPython: true })!),
      [2048, 384, 512, 1024, 3968],
    );
    assert.strictEqual(executorContainer(conf(all), 'yarn', { isPython: false })!.pysparkMiB, 0);
    assert.strictEqual(
      executorContainer(conf({ ...all, 'spark.memory.offHeap.enabled': 'false' }), 'yarn', { isPython: true })!
        .offHeapMiB,
      0,
    );
    // An invalid size gives no container (SPARK002 reports it).
    assert.strictEqual(executorContainer(conf({ 'spark.executor.memory': '4.5g' }), 'yarn', { isPython: false }), null);
  });

  it('what the cluster manager sets aside: the container on YARN/Kubernetes, the heap on standalone, nothing in local mode', () => {
    const c = executorContainer(conf({}), 'yarn', { isPython: false })!;
    assert.deepStrictEqual(
      [reservedMiB(c, 'yarn'), reservedMiB(c, 'kubernetes'), reservedMiB(c, 'standalone'), reservedMiB(c, 'local')],
      [1408, 1408, 1024, 0],
    );
  });

  it('unified region per task and its inverse (0.6 × (heap − 300 MiB) / tasks)', () => {
    // 1g over 2 tasks: 0.6 × 724 MiB / 2 = 217.2 MiB.
    assert.strictEqual(executionMemoryPerTaskBytes(1024, 2, 0.6), (0.6 * 724 * 1024 * 1024) / 2);
    assert.strictEqual(Math.round(heapForExecutionMemoryMiB((0.6 * 724 * 1024 * 1024) / 2, 2, 0.6)), 1024);
  });

  it('defaults come from the configuration catalogue', () => {
    assert.deepStrictEqual([DEFAULT_EXECUTOR_MEMORY_MIB, DEFAULT_SHUFFLE_PARTITIONS], [1024, 200]);
  });
});

describe('resource model: executors per cluster manager', () => {
  it('reads the manager from the master URL', () => {
    assert.deepStrictEqual(
      ['spark://h:7077', 'yarn', 'k8s://https://k:6443', 'local[4]', 'local[*]', 'local', 'mesos://x', undefined].map(
        clusterManagerOf,
      ),
      ['standalone', 'yarn', 'kubernetes', 'local', 'local', 'local', 'unknown', 'unknown'],
    );
    assert.deepStrictEqual(['local', 'local[4]', 'local[*]', 'local[2,3]', 'yarn'].map(localModeThreads), [
      1,
      4,
      null,
      2,
      undefined,
    ]);
  });

  it('standalone: spark.cores.max / spark.executor.cores executors; spark.executor.instances is ignored', () => {
    const r = executorRequest(
      conf({
        'spark.master': 'spark://h:7077',
        'spark.executor.cores': '2',
        'spark.cores.max': '4',
        'spark.executor.instances': '8',
      }),
    );
    assert.deepStrictEqual(
      [r.manager, r.executorCores, r.executorInstances, r.countKey],
      ['standalone', 2, 2, 'spark.cores.max'],
    );
    // Without spark.cores.max the count is left to the cluster; without spark.executor.cores an executor takes a worker's free cores.
    assert.strictEqual(
      executorRequest(conf({ 'spark.master': 'spark://h:7077', 'spark.executor.cores': '2' })).executorInstances,
      null,
    );
    assert.strictEqual(executorRequest(conf({ 'spark.master': 'spark://h:7077' })).executorCores, null);
    assert.deepStrictEqual(
      [...ignoredKeys('standalone', false).keys()],
      ['spark.executor.instances', 'spark.executor.memoryOverhead'],
    );
  });

  it('YARN and Kubernetes: spark.executor.instances (2 when unset), cores 1 by default; dynamic allocation starts at max(min, initial, instances)', () => {
    const y = executorRequest(conf({ 'spark.master': 'yarn' }));
    assert.deepStrictEqual([y.executorCores, y.executorInstances, y.countKey], [1, 2, 'spark.executor.instances']);
    const da = executorRequest(
      conf({
        'spark.master': 'k8s://https://k',
        'spark.dynamicAllocation.enabled': 'true',
        'spark.dynamicAllocation.minExecutors': '3',
        'spark.dynamicAllocation.initialExecutors': '2',
        'spark.executor.instances': '1',
        'spark.dynamicAllocation.maxExecutors': '10',
      }),
    );
    assert.deepStrictEqual(
      [da.executorInstances, da.dynamicAllocation?.maxExecutors, da.countKey],
      [3, 10, 'spark.dynamicAllocation.maxExecutors'],
    );
    assert.deepStrictEqual([...ignoredKeys('yarn', false).keys()], ['spark.cores.max']);
  });

  it('local mode: the driver runs the tasks on local[N] threads', () => {
    const l = executorRequest(conf({ 'spark.master': 'local[4]' }));
    assert.deepStrictEqual([l.executorInstances, l.executorCores, l.countKey], [1, 4, null]);
    assert.ok(ignoredKeys('local', false).has('spark.executor.memory'));
  });

  it('task slots = floor(cores / spark.task.cpus); the settings that ask for a shape per manager', () => {
    assert.deepStrictEqual([taskSlots(4, 1), taskSlots(4, 2), taskSlots(3, 2), taskSlots(1, 2)], [4, 2, 1, 1]);
    const shape = { executorInstances: 3, executorCores: 2 };
    assert.deepStrictEqual(
      [...shapeSettings(shape, 'standalone', false)],
      [
        ['spark.executor.cores', '2'],
        ['spark.cores.max', '6'],
      ],
    );
    assert.deepStrictEqual(
      [...shapeSettings(shape, 'yarn', false)],
      [
        ['spark.executor.cores', '2'],
        ['spark.executor.instances', '3'],
      ],
    );
    assert.deepStrictEqual(
      [...shapeSettings(shape, 'kubernetes', true)],
      [
        ['spark.executor.cores', '2'],
        ['spark.dynamicAllocation.maxExecutors', '3'],
      ],
    );
    assert.deepStrictEqual([...shapeSettings(shape, 'local', false)], []);
  });
});

describe('resource model: cluster limits and cost', () => {
  let store: HistoryStore;
  before(async () => {
    store = HistoryStore.open(':memory:');
    await collectEventLogs(EXAMPLE_HISTORY, store);
  });
  after(() => store.close());

  it('sees the example cluster in the runs: one host, 4 executor cores (2 executors × 2 cores)', () => {
    const seen = observedCluster(store.allRuns());
    assert.deepStrictEqual(seen, { hosts: 1, coresPerHost: 4, totalCores: 4 });
    const limits = clusterLimits({}, seen);
    assert.strictEqual(
      describeLimits(limits),
      '1 node(s) (seen in the runs), 4 cores per node (seen in the runs), 4 cores in all (seen in the runs)',
    );
    // 8 executors × 2 cores (16 cores) on that cluster does not fit; 2 × 2 does.
    const big = fits({ executorInstances: 8, executorCores: 2, reservedMiB: 1024 }, limits);
    assert.deepStrictEqual(big, {
      fits: false,
      why: '8 × 2 = 16 cores exceed the 4 the job can get (seen in the runs)',
    });
    assert.deepStrictEqual(fits({ executorInstances: 2, executorCores: 2, reservedMiB: 1024 }, limits), { fits: true });
  });

  it('declared limits win: node size, node count, totals; executors are packed per node', () => {
    const limits = clusterLimits(
      { nodes: 2, nodeCores: 4, nodeMemoryMiB: 8192 },
      { hosts: 1, coresPerHost: 4, totalCores: 4 },
    );
    assert.strictEqual(limits.totalCores?.value, 8);
    // 2 cores, 3 GiB per executor: min(4/2, 8192/3072 = 2) per node × 2 nodes = 4 executors.
    assert.strictEqual(maxExecutors(2, 3072, limits), 4);
    assert.deepStrictEqual(fits({ executorInstances: 5, executorCores: 1, reservedMiB: 3072 }, limits), {
      fits: false,
      why: '5 executors exceed the 4 that 2 node(s) hold (2 per node; declared)',
    });
    assert.deepStrictEqual(fits({ executorInstances: 1, executorCores: 1, reservedMiB: 9000 }, limits), {
      fits: false,
      why: "an executor of 9000 MiB exceeds a node's 8192 MiB (declared)",
    });
    // A Kubernetes quota: 10 cores, 20 GiB in all.
    const quota = clusterLimits(
      { totalCores: 10, totalMemoryMiB: 20480 },
      { hosts: 0, coresPerHost: 0, totalCores: 0 },
    );
    assert.strictEqual(maxExecutors(2, 5734, quota), 3);
  });

  it('cost of a shape: core-hours, memory-GiB-hours, DCU, money', () => {
    // 2 executors × 2 cores × 1 h, 1024 MiB each: 4 core-hours, 2 GiB-hours, DCU 4 × 0.05 + 2 × 0.005 = 0.21.
    const c = shapeCost(2, 2, 1024, 3_600_000, { perCoreHour: 0.5, perGiBHour: 0.1, currency: 'EUR' });
    assert.deepStrictEqual([c.coreHours, c.memoryGiBHours, Math.round(c.dcu * 1e6) / 1e6, c.money], [4, 2, 0.21, 2.2]);
    assert.strictEqual(shapeCost(1, 1, 1024, 3_600_000).money, null);
  });

  it('reads each example run: standalone manager, heap set aside, 384 MiB overhead', () => {
    const r = store.runById('app-20261121121550-0000')!;
    const res = runResources(r);
    assert.deepStrictEqual(
      [res.manager, res.reservedMiB, res.container?.overheadMiB, res.container?.totalMiB, res.memoryFraction],
      ['standalone', 512, 384, 896, 0.6],
    );
  });
});
