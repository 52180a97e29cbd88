/**
 * eval/runs/manifest.json against the committed event logs it describes: every run's log is there (and every log is
 * in the manifest), and the configuration the manifest claims is what Spark logged in SparkListenerEnvironmentUpdate,
 * with as many SparkListenerExecutorAdded events as executor instances. The logs are read with the product's own
 * collector; the hand-checked values in the last test were read with `zstdcat … | grep` from the log files.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { collectEventLogs } from '../server/src/history/collect';
import { HistoryStore } from '../server/src/store/history-store';
import { gridSchema, manifestSchema, toChoice, sameChoice } from '../server/src/evaluation/ground-truth';
import { EVAL_DIR } from './helpers/fixtures';

const RUNS = path.join(EVAL_DIR, 'runs');

describe('evaluation ground truth: eval/runs/manifest.json matches the committed logs', () => {
  const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(RUNS, 'manifest.json'), 'utf8')));
  const grid = gridSchema.parse(JSON.parse(fs.readFileSync(path.join(EVAL_DIR, 'grid.json'), 'utf8')));
  const records = new Map<string, ApplicationRecord>();

  before(async function () {
    this.timeout(300_000);
    const store = HistoryStore.open(':memory:');
    try {
      const s = await collectEventLogs(RUNS, store, { maxDepth: 1 });
      assert.deepStrictEqual(s.failed, []);
      for (const w of new Set(manifest.runs.map((r) => r.workload)))
        for (const r of store.runsByAppName(w, 100_000)) records.set(r.appId, r);
    } finally {
      store.close();
    }
  });

  it('lists every log directory once, and every run has its log', () => {
    const dirs = fs
      .readdirSync(RUNS)
      .filter((d) => d.startsWith('eventlog_v2_'))
      .sort();
    assert.deepStrictEqual([...manifest.runs.map((r) => r.eventLog)].sort(), dirs);
    assert.strictEqual(new Set(manifest.runs.map((r) => r.appId)).size, manifest.runs.length);
    for (const r of manifest.runs) assert.ok(records.has(r.appId), `${r.appId} was not read from ${r.eventLog}`);
  });

  it('covers the grid: six workloads, every configuration at least twice, Spark default resources included', () => {
    assert.deepStrictEqual([...new Set(manifest.runs.map((r) => r.workload))].sort(), [...grid.workloads].sort());
    assert.ok(grid.workloads.length >= 6);
    assert.ok(grid.configurations.length >= 12);
    const def = grid.configurations.find((c) => c.id === grid.defaultConfigId)!;
    assert.deepStrictEqual(toChoice(def), {
      executorMemoryMiB: 1024,
      executorCores: 2,
      executorInstances: 1,
      shufflePartitions: 200,
    });
    for (const w of grid.workloads) {
      for (const c of grid.configurations) {
        const n = manifest.runs.filter((r) => r.workload === w && r.configId === c.id).length;
        assert.ok(n >= 2, `${w} ${c.id}: ${n} runs`);
      }
    }
  });

  it("each log's SparkListenerEnvironmentUpdate holds the manifest's settings, with that many executors added", () => {
    for (const m of manifest.runs) {
      const r = records.get(m.appId)!;
      assert.strictEqual(r.appName, m.workload, m.appId);
      for (const [k, v] of Object.entries(m.sparkConf)) assert.strictEqual(r.sparkProperties[k], v, `${m.appId} ${k}`);
      assert.strictEqual(
        r.sparkProperties['spark.cores.max'],
        String(m.config.executorInstances * m.config.executorCores),
        m.appId,
      );
      assert.strictEqual(r.totalExecutorsAdded, m.config.executorInstances, `${m.appId} executors added`);
      assert.strictEqual(r.maxExecutors, m.config.executorInstances, `${m.appId} executors at once`);
      assert.ok(r.completed, `${m.appId} completed`);
      assert.strictEqual(r.failedTasks, 0, `${m.appId} failed tasks`);
      const cfg = grid.configurations.find((c) => c.id === m.configId)!;
      assert.ok(sameChoice(toChoice(cfg), toChoice(m.config)), `${m.appId} config = grid ${m.configId}`);
      assert.strictEqual(r.executorMemoryMiB, toChoice(m.config).executorMemoryMiB, m.appId);
      assert.strictEqual(r.shufflePartitions, m.config.shufflePartitions, m.appId);
    }
  });

  it('two logs read by hand (zstdcat | grep) say what the manifest and the record say', () => {
    // shuffle_spill at 512m, 2 executors × 1 core: EnvironmentUpdate spark.executor.memory=512m, spark.executor.cores=1,
    // spark.executor.instances=2, spark.cores.max=2, spark.sql.shuffle.partitions=200; two ExecutorAdded with
    // "Total Cores":1; ApplicationStart 1795272703902, ApplicationEnd 1795272732917 (29015 ms); Disk Bytes Spilled of
    // the task ends sum to 5163421.
    const spill = manifest.runs.find((r) => r.appId === 'app-20261121145143-0026')!;
    assert.deepStrictEqual([spill.workload, spill.configId, spill.repetition], ['shuffle_spill', '512m-2x1-p200', 1]);
    assert.deepStrictEqual(spill.config, {
      executorMemory: '512m',
      executorCores: 1,
      executorInstances: 2,
      shufflePartitions: 200,
    });
    const r = records.get(spill.appId)!;
    assert.strictEqual(r.durationMs, 29015);
    assert.strictEqual(r.diskBytesSpilled, 5163421);
    assert.deepStrictEqual(
      r.executors.filter((e) => !e.isDriver).map((e) => e.totalCores),
      [1, 1],
    );
    // cpu_bound with Spark's default resources: 1g, 2 cores, 1 executor, cores.max 2, 200 partitions; one ExecutorAdded
    // with "Total Cores":2; 1795272136779 → 1795272150897 (14118 ms); no spill.
    const def = manifest.runs.find((m) => m.appId === 'app-20261121144216-0001')!;
    assert.deepStrictEqual([def.workload, def.configId, def.repetition], ['cpu_bound', 'default', 1]);
    const d = records.get(def.appId)!;
    assert.strictEqual(d.durationMs, 14118);
    assert.strictEqual(d.diskBytesSpilled, 0);
    assert.deepStrictEqual(
      d.executors.filter((e) => !e.isDriver).map((e) => e.totalCores),
      [2],
    );
    assert.strictEqual(d.sparkProperties['spark.executor.memory'], '1g');
  });
});
