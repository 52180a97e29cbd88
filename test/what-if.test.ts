/**
 * The what-if simulation (recommend/what-if.ts) on real Spark 4.3.0 runs of examples/history. Expected values were
 * derived independently of the implementation: stage intervals and task durations read from the decompressed logs
 * (`zstd -dc`), then
 * - 1 slot: a stage takes the sum of its task durations; enough slots: the longest task;
 * - own shape (2 executors × 2 cores = 4 slots): greedy list scheduling in launch order computed by hand with a
 *   separate 15-line Python script (heap of slot free times) over the same durations;
 * - driver-only time = application end − start − union of [Submission Time, Completion Time] of the stages.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { driverOnlyTimeMs, simulateRun, simulateShapes, simulationError } from '../server/src/recommend/what-if';
import { runShape } from '../server/src/resource-model';
import { EXAMPLE_HISTORY } from './helpers/fixtures';

const HISTORY = EXAMPLE_HISTORY;

async function readApp(appId: string): Promise<ApplicationRecord> {
  const [src] = await discoverEventLogs(path.join(HISTORY, `eventlog_v2_${appId}`));
  const { record } = await readEventLog(src);
  assert.ok(record);
  return record;
}

describe('what-if simulation (real Spark 4.3.0 runs)', () => {
  let tiny: ApplicationRecord; // tiny_tasks, 50 partitions: job 0 = stage 0 (2 tasks) → stage 1 (50 tasks)
  let skew: ApplicationRecord; // skewed_join: stages 0 and 1 in parallel, then 2 (200 tasks), then 3 (200 tasks)
  let etl: ApplicationRecord; // nightly_etl 512m: five sequential jobs of one SQL execution, one 4-task stage each
  before(async () => {
    tiny = await readApp('app-20261121122321-0008');
    skew = await readApp('app-20261121122041-0005');
    etl = await readApp('app-20261121121550-0000');
  });

  it('measures driver-only time as the wall time no stage covered', () => {
    // tiny: 25472 ms − ([…818901, …822795] 3894 ms + […822825, …825452] 2627 ms) = 18951 ms.
    assert.strictEqual(driverOnlyTimeMs(tiny), 18951);
    // skew: 46115 − (6275 for stages 0∪1 + 20214 + 3517) = 16109; etl: 56709 − 39333 = 17376.
    assert.strictEqual(driverOnlyTimeMs(skew), 16109);
    assert.strictEqual(driverOnlyTimeMs(etl), 17376);
  });

  it('replays a single-slot shape as the sum of all task durations plus driver-only time', () => {
    const e = simulateRun(tiny, { executorInstances: 1, executorCores: 1 });
    // 3567 + 3665 (stage 0) + 10508 (the 50 tasks of stage 1) + 18951.
    assert.deepStrictEqual(e, {
      executorInstances: 1,
      executorCores: 1,
      durationMs: 36691,
      driverOnlyMs: 18951,
      executorHours: 36691 / 3.6e6,
      executorCoreHours: 36691 / 3.6e6,
    });
    // skew: 15561 + 8141 + 81551 + 14696 + 16109.
    assert.strictEqual(simulateRun(skew, { executorInstances: 1, executorCores: 1 })?.durationMs, 136058);
  });

  it('with more slots than tasks, each stage takes its longest task; parallel stages overlap', () => {
    // tiny: 3665 + 937 + 18951.
    assert.strictEqual(simulateRun(tiny, { executorInstances: 50, executorCores: 4 })?.durationMs, 23553);
    // skew: max(4028, 1259) (stages 0 and 1 in parallel) + 7233 + 428 + 16109.
    assert.strictEqual(simulateRun(skew, { executorInstances: 100, executorCores: 2 })?.durationMs, 27798);
    // etl: the five jobs stay sequential: 17029 + 10467 + 3868 + 3334 + 4104 + 17376.
    assert.strictEqual(simulateRun(etl, { executorInstances: 8, executorCores: 8 })?.durationMs, 56178);
  });

  it('schedules in launch order on the earliest free slot at the run’s own shape, and reports its own error', () => {
    assert.deepStrictEqual(runShape(tiny), { executorInstances: 2, executorCores: 2 });
    // Hand schedule on 4 slots: stage 0 = 3665, stage 1 = 2660 → 3665 + 2660 + 18951 = 25276 vs 25472 measured.
    const err = simulationError(tiny);
    assert.deepStrictEqual(err, {
      shape: { executorInstances: 2, executorCores: 2 },
      estimatedMs: 25276,
      actualMs: 25472,
      relativeError: (25276 - 25472) / 25472,
    });
    // skew on 4 slots: stages 0 and 1 share the slots FIFO (stage 0's tasks first): 6037, then 20493 and 3697.
    assert.strictEqual(simulationError(skew)?.estimatedMs, 6037 + 20493 + 3697 + 16109);
    // 2 slots (1 × 2 and 2 × 1 give the same slots): stage 0 ∪ 1 = 12057, stage 2 = 40856, stage 3 = 7358.
    const [a, b] =
      simulateShapes(skew, [
        { executorInstances: 1, executorCores: 2 },
        { executorInstances: 2, executorCores: 1 },
      ]) ?? [];
    assert.strictEqual(a.durationMs, 12057 + 40856 + 7358 + 16109);
    assert.strictEqual(b.durationMs, a.durationMs);
    assert.strictEqual(b.executorHours, 2 * a.executorHours);
  });

  it('honours spark.task.cpus (2 cores per task halve the slots)', () => {
    const r = { ...tiny, sparkProperties: { ...tiny.sparkProperties, 'spark.task.cpus': '2' } };
    assert.strictEqual(
      simulateRun(r, { executorInstances: 2, executorCores: 2 })?.durationMs,
      simulateRun(tiny, { executorInstances: 1, executorCores: 2 })?.durationMs,
    );
  });

  it('falls back on stored quantiles without per-task durations (REST records), and is null with neither', () => {
    const noTasks: ApplicationRecord = { ...tiny, stages: tiny.stages.map(({ taskDurationsMs: _drop, ...s }) => s) };
    // The synthesised durations keep each stage's max, so the many-slot estimate is unchanged: 23553.
    assert.strictEqual(simulateRun(noTasks, { executorInstances: 50, executorCores: 4 })?.durationMs, 23553);
    const nothing: ApplicationRecord = {
      ...noTasks,
      stages: noTasks.stages.map((s) => ({ ...s, taskDurationMs: null })),
    };
    assert.strictEqual(simulateRun(nothing, { executorInstances: 2, executorCores: 2 }), null);
    assert.strictEqual(simulationError(nothing), null);
  });

  it('without job data, stages wait for the stages that ended before they started (stores before schema 3)', () => {
    const noJobs: ApplicationRecord = { ...etl, jobs: [] };
    assert.strictEqual(simulateRun(noJobs, { executorInstances: 8, executorCores: 8 })?.durationMs, 56178);
    const skewNoJobs: ApplicationRecord = { ...skew, jobs: undefined };
    assert.strictEqual(simulateRun(skewNoJobs, { executorInstances: 100, executorCores: 2 })?.durationMs, 27798);
  });

  it('rejects shapes that are not positive integers', () => {
    assert.throws(() => simulateRun(tiny, { executorInstances: 0, executorCores: 2 }), RangeError);
    assert.throws(() => simulateRun(tiny, { executorInstances: 2, executorCores: 1.5 }), RangeError);
  });
});
