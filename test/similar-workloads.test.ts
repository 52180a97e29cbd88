/**
 * Similar jobs by workload (server/src/recommend/similar-workloads.ts) on real logs: the 9 Spark 4.3.0 runs in
 * examples/history (nightly_etl ×5, skewed_join ×2, tiny_tasks ×2; one row per run in its README) and
 * every fixture log under test/fixtures/spark/event-logs.
 *
 * Expected feature values are computed here from record totals written out by hand: tasks and disk
 * spill as examples/history/README.md lists them (the generator's own python3 scan of the logs);
 * shuffle bytes, stage counts and CPU/run time as printed from the folded records of those logs.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { collectEventLogs } from '../server/src/history/collect';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import {
  FEATURE_KEYS,
  MIN_SPREAD,
  SimilarWorkloadIndex,
  describeSimilarity,
  medianFeatures,
  similarWorkloadIndexFromStore,
  workloadFeatures,
} from '../server/src/recommend/similar-workloads';
import { HistoryStore } from '../server/src/store/history-store';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES } from './helpers/fixtures';

const HISTORY = EXAMPLE_HISTORY;
const FIXTURES = EVENT_LOG_FIXTURES;

const close = (actual: number, expected: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} ≠ ${expected} ± ${tol}`);

describe('similar jobs by workload (examples/history, Spark 4.3.0)', () => {
  let runs: ApplicationRecord[];
  let index: SimilarWorkloadIndex;
  const run = (appId: string) => {
    const r = runs.find((x) => x.appId === appId);
    assert.ok(r, appId);
    return r;
  };

  before(async () => {
    const store = HistoryStore.open(':memory:');
    const s = await collectEventLogs(HISTORY, store);
    assert.strictEqual(s.inserted, 9);
    runs = store.allRuns();
    store.close();
    index = SimilarWorkloadIndex.fromRecords(runs);
  });

  it('computes the features of a nightly_etl run from its totals', () => {
    // app-20261121121652-0001 (1g, the file's own setting): README: 20 tasks, 76035897 B spilled to disk.
    // Record: shuffle read 246517828 B, write 184892646 B, no input or output, 5 stages all shuffling,
    // CPU 38362 ms of 121788 ms run time.
    const f = workloadFeatures(run('app-20261121121652-0001'));
    close(f.logInputBytes, 0);
    close(f.logShuffleReadBytes, Math.log10(246517829));
    close(f.logShuffleWriteBytes, Math.log10(184892647));
    close(f.logOutputBytes, 0);
    close(f.logTasks, Math.log10(21));
    close(f.logStages, Math.log10(6));
    close(f.cpuShare ?? NaN, 38362 / 121788, 1e-3); // the record's ms are sums of ns / 1e6, not whole ms
    close(f.shuffleStageShare, 1);
    close(f.logSpillRatio, Math.log10(1 + 76035897 / 246517828));
    // The undersized 512m run spilled 383971666 B while reading 246519568 B of shuffle: 156% of what it read.
    close(workloadFeatures(run('app-20261121121550-0000')).logSpillRatio, Math.log10(1 + 383971666 / 246519568));
  });

  it('keeps one median vector per app name and floors the spread of features the jobs agree on', () => {
    assert.strictEqual(index.size, 3);
    const nightly = index.featuresOf('nightly_etl');
    assert.ok(nightly);
    // Median of the five runs' spill ratios (1.56, 0.31, 0.31, 0, 0) is a 1g run's.
    close(nightly.logSpillRatio, workloadFeatures(run('app-20261121121652-0001')).logSpillRatio, 1e-6);
    // skewed_join's two runs (412 and 812 tasks): the median of two is their mean in log space.
    close(index.featuresOf('skewed_join')?.logTasks ?? NaN, (Math.log10(413) + Math.log10(813)) / 2);
    // No example reads input or writes output, and every stage shuffles: those spreads are the floors.
    close(index.spreads[FEATURE_KEYS.indexOf('logInputBytes')], MIN_SPREAD.logInputBytes);
    close(index.spreads[FEATURE_KEYS.indexOf('shuffleStageShare')], MIN_SPREAD.shuffleStageShare);
    // Shuffle read spread = population std of the three jobs' medians.
    const xs = ['nightly_etl', 'skewed_join', 'tiny_tasks'].map((n) => index.featuresOf(n)?.logShuffleReadBytes ?? NaN);
    const mean = (xs[0] + xs[1] + xs[2]) / 3;
    close(
      index.spreads[FEATURE_KEYS.indexOf('logShuffleReadBytes')],
      Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / 3),
    );
  });

  it("answers each run's own job first, and for nightly_etl skewed_join before tiny_tasks", () => {
    for (const r of runs) {
      const near = index.nearest(workloadFeatures(r), 3);
      assert.strictEqual(near[0].appName, r.appName, r.appId);
      assert.ok(near[0].distance <= near[1].distance && near[1].distance <= near[2].distance);
      if (r.appName === 'nightly_etl') {
        // Shuffle volumes: nightly_etl ~2.4e8 B, skewed_join ~4.3e7 B, tiny_tasks ~2.6e4 B.
        assert.deepStrictEqual(
          near.map((n) => n.appName),
          ['nightly_etl', 'skewed_join', 'tiny_tasks'],
          r.appId,
        );
        const other = index.nearest(workloadFeatures(r), 1, { excludeAppName: 'nightly_etl' });
        assert.deepStrictEqual(
          other.map((n) => n.appName),
          ['skewed_join'],
        );
        assert.strictEqual(other[0].distance, near[1].distance);
      }
    }
  });

  it('puts runs of the same job nearer each other than any run of another job', () => {
    for (const r of runs) {
      const f = workloadFeatures(r);
      const dist = runs
        .filter((o) => o !== r)
        .map((o) => ({ name: o.appName, d: index.distance(f, workloadFeatures(o)) }));
      const sameJob = Math.min(...dist.filter((x) => x.name === r.appName).map((x) => x.d));
      const otherJob = Math.min(...dist.filter((x) => x.name !== r.appName).map((x) => x.d));
      assert.ok(sameJob < otherJob, `${r.appId} ${r.appName}: nearest same-job run ${sameJob}, other job ${otherJob}`);
    }
    // The repeated 1g runs (0001, 0002) differ only in a few hundred shuffle bytes and CPU time.
    const repeat = index.distance(
      workloadFeatures(run('app-20261121121652-0001')),
      workloadFeatures(run('app-20261121121748-0002')),
    );
    assert.ok(repeat < 0.1, `repeat distance ${repeat}`);
  });

  it("measures the undersized run's distance from its job in spill: (log10(2.558) − log10(1.308)) / 0.1 ≈ 2.9", () => {
    const f = workloadFeatures(run('app-20261121121550-0000'));
    const nightly = index.featuresOf('nightly_etl');
    assert.ok(nightly);
    const spill =
      (Math.log10(1 + 383971666 / 246519568) - Math.log10(1 + 76035897 / 246517828)) / MIN_SPREAD.logSpillRatio;
    const d = index.distance(f, nightly);
    // Spill is the biggest term; CPU share (29.7% vs 31.9%) and tiny shuffle differences add the rest.
    assert.ok(d >= spill && d < spill + 0.1, `distance ${d}, spill term ${spill}`);
    assert.strictEqual(describeSimilarity(f, nightly, index.spreads, 1), 'spilled to disk per byte read 156% vs 31%');
  });

  it('names the features that differ most, in their own units', () => {
    const nightly = index.featuresOf('nightly_etl');
    const tiny = index.featuresOf('tiny_tasks');
    assert.ok(nightly && tiny);
    // Shuffle read 246518640 B = 235.1 MiB, shown as "235 MiB" (the 1g run 0002 is the median); tiny_tasks:
    // geometric mean of (14859+1)(37580+1) − 1 = 23630 B = 23.1 KiB. Write: 184893442 B = 176.3 MiB. Tasks: sqrt(53 × 2003) − 1 ≈ 325.
    // In spreads: read (8.392 − 4.374) / 1.744 = 2.30, write 2.28, tasks (2.513 − 1.322) / 0.629 = 1.89,
    // spill (0.117 − 0) / 0.1 = 1.17, so spill is fourth and left out.
    assert.strictEqual(
      describeSimilarity(nightly, tiny, index.spreads),
      'shuffle read 235 MiB vs 23.1 KiB; shuffle write 176 MiB vs 23.1 KiB; tasks 20 vs 325',
    );
    assert.strictEqual(describeSimilarity(nightly, nightly, index.spreads), 'same workload');
  });

  it('builds the same index from the store as from its records', async () => {
    const store = HistoryStore.open(':memory:');
    await collectEventLogs(HISTORY, store);
    const fromStore = similarWorkloadIndexFromStore(store);
    store.close();
    assert.strictEqual(fromStore.size, 3);
    assert.deepStrictEqual([...fromStore.spreads], [...index.spreads]);
    assert.deepStrictEqual(fromStore.featuresOf('skewed_join'), index.featuresOf('skewed_join'));
  });

  it('handles k beyond the index, k = 0, an unknown excluded name and an empty index', () => {
    const f = workloadFeatures(runs[0]);
    assert.strictEqual(index.nearest(f, 10).length, 3);
    assert.strictEqual(index.nearest(f, 10, { excludeAppName: 'tiny_tasks' }).length, 2);
    assert.strictEqual(index.nearest(f, 10, { excludeAppName: 'no such job' }).length, 3);
    assert.deepStrictEqual(index.nearest(f, 0), []);
    assert.deepStrictEqual(SimilarWorkloadIndex.fromRecords([]).nearest(f, 5), []);
  });
});

describe('similar jobs on the fixture event logs (test/fixtures/spark/event-logs)', () => {
  let records: { path: string; record: ApplicationRecord }[];
  before(async () => {
    records = [];
    for (const src of await discoverEventLogs(FIXTURES)) {
      const { record } = await readEventLog(src);
      if (record) records.push({ path: path.relative(FIXTURES, src.path), record });
    }
    assert.ok(records.length >= 30, `${records.length} records`);
  });

  it('gives finite features for every record; CPU share is null only for the Spark 1.2 log without CPU time', () => {
    const nullCpu: string[] = [];
    for (const { path: p, record } of records) {
      const f = workloadFeatures(record);
      for (const k of FEATURE_KEYS) {
        const x = f[k];
        if (x === null) {
          assert.strictEqual(k, 'cpuShare', p);
          nullCpu.push(p);
        } else {
          assert.ok(Number.isFinite(x) && x >= 0, `${p} ${k} = ${x}`);
        }
      }
      if (f.cpuShare !== null) assert.ok(f.cpuShare <= 1, `${p} cpuShare ${f.cpuShare}`);
    }
    // Executor CPU Time arrived in Spark 2.1 (SPARK-12221); this log is from Spark 1.2.0.
    assert.deepStrictEqual(nullCpu, [path.join('apache-spark-v1.6.3', 'local-1422981780767')]);
  });

  it('finds the same job under another name: the codec samples (one Spark job, four codecs) are nearest each other', () => {
    const index = SimilarWorkloadIndex.fromRecords(records.map((r) => r.record));
    const lz4 = index.featuresOf('codec-sample-lz4');
    assert.ok(lz4);
    const near = index.nearest(lz4, 3, { excludeAppName: 'codec-sample-lz4' });
    assert.deepStrictEqual(
      near.map((n) => n.appName.startsWith('codec-sample-')),
      [true, true, true],
      JSON.stringify(near.map((n) => [n.appName, n.distance])),
    );
  });

  it('matches an older nightly_etl log to nightly_etl among the example jobs, and a record with no CPU time still gets a distance', async () => {
    const store = HistoryStore.open(':memory:');
    await collectEventLogs(HISTORY, store);
    const index = SimilarWorkloadIndex.fromRecords(store.allRuns());
    store.close();
    const old = records.find((r) => r.path.startsWith('examples-history'));
    assert.ok(old && old.record.appName === 'nightly_etl');
    assert.strictEqual(index.nearest(workloadFeatures(old.record), 1)[0].appName, 'nightly_etl');
    const noCpu = records.find((r) => r.record.executorCpuTimeMs === 0);
    assert.ok(noCpu);
    for (const n of index.nearest(workloadFeatures(noCpu.record), 3)) assert.ok(Number.isFinite(n.distance), n.appName);
  });

  it('medianFeatures of one run is that run', () => {
    const f = workloadFeatures(records[0].record);
    assert.deepStrictEqual(medianFeatures([f]), f);
  });
});
