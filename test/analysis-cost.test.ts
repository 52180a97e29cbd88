/**
 * Utilisation and cost (server/src/analysis/cost.ts) on real event logs.
 *
 * Every expected number below was computed independently of this code, by a python3 script
 * (`zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True)` over `events_1_*.zstd`, or the plain JSON
 * lines of the fixture) that folds the raw events itself: executor lifetimes from `SparkListenerExecutorAdded` /
 * `SparkListenerExecutorRemoved` `Timestamp`s (alive ones until `SparkListenerApplicationEnd`) × `Executor Info`.`Total Cores`;
 * Σ `Task Metrics`.`Executor Run Time` of `SparkListenerTaskEnd`; the union of `Stage Info` [`Submission Time`,
 * `Completion Time`] of `SparkListenerStageSubmitted`/`Completed` merged by sort-and-sweep; memory from
 * `spark.executor.memory` in `Spark Properties` plus max(384, int(0.10 × memory)) MiB.
 */
import * as assert from 'assert';
import * as path from 'path';
import { utilisationAndCost } from '../server/src/analysis/cost';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { collectEventLogs } from '../server/src/history/collect';
import { discoverEventLogs, readEventLog } from '../server/src/history/event-log';
import { HistoryStore } from '../server/src/store/history-store';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES } from './helpers/fixtures';

const HISTORY = EXAMPLE_HISTORY;
const FIXTURES = EVENT_LOG_FIXTURES;

async function readOne(dir: string): Promise<ApplicationRecord> {
  const [source] = await discoverEventLogs(dir);
  assert.ok(source, `no event log under ${dir}`);
  const { record } = await readEventLog(source);
  assert.ok(record, `no record from ${dir}`);
  return record;
}

const close = (actual: number | null, expected: number, what: string): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
};

describe('utilisationAndCost', () => {
  describe('app-20261121121849-0003 (nightly_etl, 2g × 2 cores, 2 executors alive to the end)', () => {
    let record: ApplicationRecord;
    before(async () => {
      record = await readOne(path.join(HISTORY, 'eventlog_v2_app-20261121121849-0003'));
    });

    it('executor-core time available, used and idle (ms)', () => {
      const c = utilisationAndCost(record);
      // python3: Σ (app end 1795263582701 − add) × 2 cores over executors 0 and 1 = 175222 ms.
      assert.strictEqual(c.executorCoreAvailableMs, 175222);
      assert.strictEqual(c.executorCoreAvailableMs, record.executorCoreTimeMs);
      // python3: Σ Executor Run Time of the 20 task ends = 129046 ms.
      assert.strictEqual(c.executorCoreUsedMs, 129046);
      assert.strictEqual(c.executorCoreIdleMs, 175222 - 129046);
      close(c.idleShare, (175222 - 129046) / 175222, 'idleShare'); // 0.2635…
    });

    it('driver-only time: app wall time outside the union of stage intervals', () => {
      const c = utilisationAndCost(record);
      // python3: duration 1795263582701 − 1795263527730 = 54971 ms; stage union 37587 ms; driver-only 17384 ms.
      assert.strictEqual(c.durationMs, 54971);
      assert.strictEqual(c.stagesWallMs, 37587);
      assert.strictEqual(c.driverOnlyMs, 17384);
      close(c.driverOnlyShare, 17384 / 54971, 'driverOnlyShare'); // 0.316…
      // python3: Σ over executors of (lifetime ∩ driver-only gaps) × cores = 24874 ms.
      assert.strictEqual(c.driverOnlyIdleCoreMs, 24874);
    });

    it('executor-, core- and memory-GiB-hours; DCU; money with prices', () => {
      const c = utilisationAndCost(record, { perCoreHour: 0.04, perGiBHour: 0.004, currency: 'USD' });
      // python3: Σ lifetimes 87611 ms; memory 2048 MiB + overhead max(384, 204) = 384 MiB. The run was on a standalone
      // master, whose worker sets aside only spark.executor.memory: memory-GiB-hours count the 2048 MiB heap.
      close(c.executorHours, 87611 / 3_600_000, 'executorHours');
      close(c.coreHours, 175222 / 3_600_000, 'coreHours'); // 0.04867…
      assert.strictEqual(c.executorMemoryMiB, 2048);
      assert.strictEqual(c.memoryOverheadMiB, 384);
      assert.strictEqual(c.reservedMiB, 2048);
      close(c.memoryGiBHours, (87611 / 3.6e6) * 2, 'memoryGiBHours'); // 0.048672…
      close(c.dcu, (87611 / 3.6e6) * 2 * 0.005 + (175222 / 3.6e6) * 0.05, 'dcu');
      assert.ok(c.money);
      assert.strictEqual(c.money.currency, 'USD');
      close(c.money.coresAmount, (175222 / 3_600_000) * 0.04, 'coresAmount');
      close(c.money.memoryAmount, (87611 / 3.6e6) * 2 * 0.004, 'memoryAmount');
      close(c.money.amount, c.money.coresAmount + c.money.memoryAmount, 'amount');
      assert.strictEqual(utilisationAndCost(record).money, null);
    });
  });

  it('app-20261121121947-0004 (4g): overhead is 0.10 × 4096 truncated, 409 MiB', async () => {
    const c = utilisationAndCost(await readOne(path.join(HISTORY, 'eventlog_v2_app-20261121121947-0004')));
    // python3: memory 4096, overhead int(409.6) = 409, available 160526 ms, driver-only 14236 ms, lifetimes 80263 ms;
    // standalone: the 4096 MiB heap is what the worker set aside.
    assert.strictEqual(c.memoryOverheadMiB, 409);
    assert.strictEqual(c.executorCoreAvailableMs, 160526);
    assert.strictEqual(c.driverOnlyMs, 14236);
    close(c.memoryGiBHours, (80263 / 3.6e6) * 4, 'memoryGiBHours');
  });

  it('apache-spark application_1538416563558_0014: 8 of 9 executors removed mid-run', async () => {
    const record = await readOne(path.join(FIXTURES, 'apache-spark-26d03b62', 'application_1538416563558_0014'));
    assert.strictEqual(record.executors.filter((e) => !e.isDriver && e.removeTimeMs !== null).length, 8);
    const c = utilisationAndCost(record);
    // python3: 9 executors of 1 core; removed ones counted to their ExecutorRemoved Timestamp, the last to app end.
    assert.strictEqual(c.executorCoreAvailableMs, 66192);
    assert.strictEqual(c.executorCoreUsedMs, 15789);
    close(c.idleShare, (66192 - 15789) / 66192, 'idleShare'); // 0.761…
    assert.strictEqual(c.durationMs, 82758);
    assert.strictEqual(c.stagesWallMs, 72806);
    assert.strictEqual(c.driverOnlyMs, 9952);
    assert.strictEqual(c.driverOnlyIdleCoreMs, 515);
    // python3: no spark.executor.memory → Spark's default 1024 MiB + 384 MiB overhead; lifetimes 66192 ms.
    assert.strictEqual(c.executorMemoryMiB, 1024);
    assert.strictEqual(c.memoryOverheadMiB, 384);
    close(c.memoryGiBHours, 0.025281666666666664, 'memoryGiBHours');
    close(c.dcu, 0.0010457416666666665, 'dcu');
  });

  it('records read back from the store give the same figures as the reader (all examples/history runs)', async () => {
    const store = HistoryStore.open(':memory:');
    try {
      await collectEventLogs(HISTORY, store);
      const runs = store.allRuns();
      assert.strictEqual(runs.length, 9);
      // python3, per run: [executor-core ms available, driver-only ms, executor lifetime ms].
      const expected: Record<string, [number, number, number]> = {
        'app-20261121121550-0000': [181926, 17376, 90963],
        'app-20261121121652-0001': [164394, 17015, 82197],
        'app-20261121121748-0002': [173586, 18190, 86793],
        'app-20261121121849-0003': [175222, 17384, 87611],
        'app-20261121121947-0004': [160526, 14236, 80263],
        'app-20261121122041-0005': [142106, 16109, 71053],
        'app-20261121122131-0006': [154176, 16926, 77088],
        'app-20261121122226-0007': [154898, 17022, 77449],
        'app-20261121122321-0008': [47922, 18951, 23961],
      };
      for (const r of runs) {
        const c = utilisationAndCost(r);
        const e = expected[r.appId];
        assert.ok(e, `unexpected app ${r.appId}`);
        assert.deepStrictEqual(
          [c.executorCoreAvailableMs, c.driverOnlyMs, Math.round(c.executorHours * 3_600_000)],
          e,
          r.appId,
        );
        assert.ok(c.idleShare !== null && c.idleShare >= 0 && c.idleShare <= 1, r.appId);
      }
    } finally {
      store.close();
    }
  });

  it('degrades on a record without executors, stages or duration', () => {
    const bare = {
      appId: 'local-1',
      attemptId: null,
      startTimeMs: 1000,
      durationMs: 0,
      executors: [],
      stages: [],
      executorRunTimeMs: 0,
      executorCoreTimeMs: 0,
      executorMemoryMiB: null,
      memoryOverheadMiB: null,
      sparkProperties: {},
    } as unknown as ApplicationRecord;
    const c = utilisationAndCost(bare);
    assert.strictEqual(c.executorCoreAvailableMs, 0);
    assert.strictEqual(c.idleShare, null);
    assert.strictEqual(c.driverOnlyShare, null);
    assert.strictEqual(c.driverOnlyMs, 0);
    assert.strictEqual(c.memoryOverheadMiB, 384);
    assert.strictEqual(c.dcu, 0);
  });
});
