/**
 * Per-run findings (analysis/run-findings.ts) on real Spark logs: examples/history (Spark 4.3.0) and fixtures from
 * NVIDIA/spark-rapids-tools and apache/spark (test/fixtures/spark/README.md). Every expected number was summed by hand
 * (a Python loop over the decompressed log's SparkListenerTaskEnd `Task Metrics`, `Task Info` and
 * SparkListenerExecutorAdded/ApplicationEnd timestamps), not by the code under test.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { runFindings, type RunFinding } from '../server/src/analysis/run-findings';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES } from './helpers/fixtures';

const LOGS = EVENT_LOG_FIXTURES;

async function read(p: string): Promise<ApplicationRecord> {
  const [src] = await discoverEventLogs(p);
  const { record } = await readEventLog(src);
  assert.ok(record);
  return record;
}
const app = (id: string) => read(path.join(EXAMPLE_HISTORY, `eventlog_v2_${id}`));
const one = (fs: RunFinding[], id: string, stageId?: number) => {
  const f = fs.filter((x) => x.id === id && (stageId === undefined || x.stageId === stageId));
  assert.strictEqual(f.length, 1, `${id} ${stageId ?? ''}: ${JSON.stringify(fs.map((x) => [x.id, x.stageId]))}`);
  return f[0];
};

describe('per-run findings (real logs)', () => {
  it('spill per stage and per executor, and execution memory at its cap (nightly_etl, 512m)', async () => {
    const fs = runFindings(await app('app-20261121121550-0000'));
    // Stage 2: 174972919 B spilled to disk, 967304112 B in memory; read 81345649 B of shuffle, wrote 61625175 B.
    const s2 = one(fs, 'stage-spill', 2);
    assert.strictEqual(s2.severity, 'critical');
    assert.deepStrictEqual(s2.numbers, {
      diskBytesSpilled: 174972919,
      memoryBytesSpilled: 967304112,
      processedBytes: 81345649,
      spillRatio: 174972919 / 81345649,
    });
    // Every stage spilled more than 16 MiB: 0, 2, 5, 8, 12.
    assert.deepStrictEqual(
      fs
        .filter((f) => f.id === 'stage-spill')
        .map((f) => f.stageId)
        .sort((a, b) => (a ?? 0) - (b ?? 0)),
      [0, 2, 5, 8, 12],
    );
    // Executors 0 and 1 spilled 192510389 and 191461277 B; 383971666 B over 20 tasks = 19198583.3 B per task,
    // ≥ 5 % of 512 MiB / 2 cores.
    const ex = one(fs, 'executor-spill');
    assert.strictEqual(ex.severity, 'critical');
    assert.deepStrictEqual(ex.numbers, {
      executorsSpilling: 2,
      executors: 2,
      spillPerTaskBytes: 383971666 / 20,
      heapPerCoreBytes: 256 * 1024 * 1024,
    });
    assert.match(ex.message, /executor 0 184 MiB, executor 1 183 MiB/);
    assert.strictEqual(one(fs, 'execution-memory').severity, 'moderate');
    assert.strictEqual(
      fs.some((f) => f.id === 'heap-low' || f.id === 'gc'),
      false,
    );
  });

  it('over-provisioned heap with the suggested size (nightly_etl, 4g)', async () => {
    const f = one(runFindings(await app('app-20261121121947-0004')), 'heap-low');
    // Peak JVMHeapMemory 1272416328 B (max over SparkListenerStageExecutorMetrics and task-end metrics of executors);
    // 4 GiB / (peak + 300 MiB) = 2.71 → severe (≥ 2×); 1.2 × 1213.5 MiB + 300 = 1756.2 → 1757 MiB.
    assert.strictEqual(f.severity, 'severe');
    assert.deepStrictEqual(f.numbers, {
      peakJvmHeapMemoryBytes: 1272416328,
      heapBytes: 4 * 1024 ** 3,
      share: 1272416328 / (4 * 1024 ** 3),
      suggestedMiB: 1757,
    });
  });

  it('skew with the DataFlint guard and tiny tasks (skewed_join)', async () => {
    const fs = runFindings(await app('app-20261121122041-0005'));
    // Stage 2: longest task 7233 ms, Spark-rule median (sorted[100] of 200) 336 ms → 21.5×, above Dr. Elephant's 16.
    const skew = one(fs, 'skew', 2);
    assert.strictEqual(skew.severity, 'critical');
    assert.deepStrictEqual(skew.numbers, { maxTaskMs: 7233, medianTaskMs: 336, skewRatio: 7233 / 336 });
    // Stage 3's 200 tasks: median 59 ms on 4 cores (50 per core) → tiny; its max 428 ms is under the 5 s skew guard.
    assert.deepStrictEqual(one(fs, 'tiny-tasks', 3).numbers, { numTasks: 200, medianTaskMs: 59, cores: 4 });
    assert.strictEqual(
      fs.some((f) => f.id === 'skew' && f.stageId === 3),
      false,
    );
  });

  it('idle cores, tasks per core, driver-only time and money at set prices (tiny_tasks, 50 partitions)', async () => {
    const fs = runFindings(await app('app-20261121122321-0008'), {
      prices: { perCoreHour: 0.05, perGiBHour: 0.005, currency: 'USD' },
    });
    // Executors 1 and 0 added at …813518 and …813531, app end …825505, 2 cores each: (11987 + 11974) × 2 = 47922 core-ms;
    // tasks ran 9318 ms (Σ Executor Run Time) → idle 38604 / 47922 = 80.6 % → critical (≥ 80 %).
    const idle = one(fs, 'idle-cores');
    assert.strictEqual(idle.severity, 'critical');
    assert.strictEqual(idle.numbers.availableCoreMs, 47922);
    assert.strictEqual(idle.numbers.idleCoreMs, 47922 - 9318);
    // Stage 0 (3894 ms, 15 % of the run) ran 2 tasks on 4 cores.
    assert.deepStrictEqual(one(fs, 'tasks-per-core', 0).numbers, {
      numTasks: 2,
      cores: 4,
      tasksPerCore: 0.5,
      stageWallMs: 3894,
    });
    // Driver-only: 25472 − 3894 − 2627 = 18951 ms.
    assert.strictEqual(one(fs, 'driver-only').numbers.driverOnlyMs, 18951);
    // Money: core-hours 47922 / 3.6e6 × 0.05 + executor-hours (11987 + 11974) / 3.6e6 × 1024 MiB / 1024 GiB × 0.005 (a
    // standalone worker sets aside the heap only, not the overhead: resource-model/container.ts).
    const cost = one(fs, 'cost');
    const expected = (47922 / 3.6e6) * 0.05 + (23961 / 3.6e6) * (1024 / 1024) * 0.005;
    assert.ok(Math.abs((cost.numbers.money ?? 0) - expected) < 1e-12, `${cost.numbers.money} vs ${expected}`);
    assert.match(
      cost.message,
      /memory-GiB-hours \(heap: what a standalone worker reserves\), .*0\.000699 USD at the set prices/,
    );
    assert.strictEqual(
      runFindings(await app('app-20261121122321-0008')).find((f) => f.id === 'cost')?.numbers.money,
      undefined,
    );
  });

  it('failed tasks, stages and jobs with reasons (RAPIDS GPU OOM log)', async () => {
    const fs = runFindings(await read(path.join(LOGS, 'nvidia-spark-rapids-tools', 'gpu_oom_eventlog.zstd')));
    // README: 112 ExceptionFailure + 1 TaskKilled of 12416 task ends; 5 failed stages and jobs of 37.
    assert.deepStrictEqual(one(fs, 'failed-tasks').numbers, { failedTasks: 113, totalTasks: 12416, rate: 113 / 12416 });
    assert.strictEqual(one(fs, 'failed-stages').numbers.failedStages, 5);
    const jobs = one(fs, 'failed-jobs');
    assert.deepStrictEqual([jobs.numbers.failedJobs, jobs.numbers.jobs], [5, 37]);
    assert.match(jobs.message, /job 32: Job aborted due to stage failure: Task 51 in stage 34\.0 failed 4 times/);
  });

  it('executor losses (YARN log of apache/spark with 8 ExecutorLostFailure tasks)', async () => {
    const fs = runFindings(await read(path.join(LOGS, 'apache-spark-26d03b62', 'application_1538416563558_0014')));
    const lost = one(fs, 'executor-lost');
    assert.deepStrictEqual(lost.numbers, { executorsLost: 8, tasksLost: 8 });
    assert.match(lost.message, /Container marked as failed/);
    assert.strictEqual(one(fs, 'failed-tasks').severity, 'critical'); // 8 of 35 = 23 % ≥ 20 %
  });
});
