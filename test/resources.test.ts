/**
 * recommendResources (recommend/resources.ts) on the real Spark 4.3.0 runs of examples/history. The expectations
 * come from the logs and the manifest, not from the code: per-task execution memory need = Peak Execution Memory +
 * Memory Bytes Spilled / tasks of the stage (summed by hand from the decompressed log), the unified region
 * 0.6 × (heap − 300 MiB) per core, the container arithmetic heap + max(384 MiB, 0.10 × heap) of SPARK010, and what
 * the other real runs of the same job measured (manifest.json).
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { adjustRun, DEFAULT_TUNING, estimateCandidates, recommendResources, type ResourceChoice } from '../server/src/recommend/resources';
import { simulateRun } from '../server/src/recommend/what-if';

const HISTORY = path.join(__dirname, '..', '..', 'examples', 'history');
const runs = new Map<string, ApplicationRecord>();
const run = (suffix: string): ApplicationRecord => {
  const r = [...runs.values()].find((x) => x.appId.endsWith(suffix));
  assert.ok(r, suffix);
  return r;
};
const at = (executorMemoryMiB: number, shufflePartitions = 200, executorInstances = 2, executorCores = 2): ResourceChoice => ({ executorMemoryMiB, executorCores, executorInstances, shufflePartitions });

describe('recommendResources (real Spark 4.3.0 runs)', () => {
  before(async () => {
    for (const src of await discoverEventLogs(HISTORY)) {
      const { record } = await readEventLog(src);
      if (record) runs.set(record.appId, record);
    }
    assert.strictEqual(runs.size, 9);
  });

  it('throws RangeError without runs', () => {
    assert.throws(() => recommendResources([]), RangeError);
  });

  it('sizes memory to the measured need of the spilling stage (nightly_etl from its 512m run)', () => {
    // Stage 2 of app-…0000 spilled 967304112 B in memory over 4 tasks, peak execution memory 0 B: need 241826028 B
    // (230.6 MiB) per task. 1g over 2 cores gives 0.6 × 724 / 2 = 217.2 MiB: short; 2g gives 524.4 MiB: enough.
    const rec = recommendResources([run('0000')], { candidates: [at(512), at(1024), at(2048), at(4096)], nowMs: run('0000').startTimeMs });
    assert.deepStrictEqual(rec.choice, at(2048));
    // The real 2g run of the same job (app-…0003) indeed spilled nothing, the 1g ones (…0001, …0002) still did.
    assert.strictEqual(run('0003').diskSpilledBytes, 0);
    assert.ok(run('0001').diskSpilledBytes > 0);
    assert.ok(rec.evidence.some((l) => l.includes('app-20261121121550-0000') && l.includes('231 MiB per task')), rec.evidence.join('\n'));
    assert.ok(rec.expectedDurationMs !== null && rec.expectedDurationMs < run('0000').durationMs);
    assert.strictEqual(rec.expectedExecutorCoreHours, ((rec.expectedDurationMs ?? 0) * 4) / 3.6e6);
  });

  it('never answers a container the node cannot hold (SPARK010 arithmetic)', () => {
    // A 2 GiB node: 2g + 384m overhead = 2432 MiB and 4g + 409m do not fit; 1g + 384m = 1408 MiB does.
    const rec = recommendResources([run('0000')], { candidates: [at(512), at(1024), at(2048), at(4096)], cluster: { nodeMemoryMiB: 2048, nodeCores: 4 } });
    assert.deepStrictEqual(rec.choice, at(1024));
    assert.ok(rec.evidence.some((l) => /2 configuration\(s\) left out: container .* exceeds a node's 2g \(SPARK010\)/.test(l)), rec.evidence.join('\n'));
    // Cores above the node (SPARK009) are left out too.
    const cores = recommendResources([run('0000')], { candidates: [at(2048, 200, 1, 4), at(2048, 200, 2, 2)], cluster: { nodeMemoryMiB: 0, nodeCores: 2 } });
    assert.deepStrictEqual(cores.choice, at(2048, 200, 2, 2));
  });

  it('cuts 2000 tiny shuffle tasks down (tiny_tasks: the real 50-partition run took 25.5 s against 50.8 s)', () => {
    const rec = recommendResources([run('0007')], { candidates: [at(1024, 2000), at(1024, 50)] });
    assert.deepStrictEqual(rec.choice, at(1024, 50));
    const [p2000, p50] = estimateCandidates([run('0007')], [at(1024, 2000), at(1024, 50)]);
    assert.ok((p50.durationMs ?? Infinity) < (p2000.durationMs ?? 0));
    // The estimate at the run's own configuration is the replay of the run itself, blended with its measurement.
    const sim = simulateRun(run('0007'), { executorInstances: 2, executorCores: 2 })?.durationMs ?? NaN;
    assert.strictEqual(p2000.durationMs, (DEFAULT_TUNING.measuredWeight * run('0007').durationMs + sim) / (DEFAULT_TUNING.measuredWeight + 1));
    assert.deepStrictEqual(p2000.measured, [run('0007').appId]);
  });

  it('re-buckets a shuffle stage to the new partition count, keeping the hot-key task whole and the work', () => {
    const r = run('0005'); // skewed_join, 200 partitions: stage 2's longest task 7233 ms, Spark-rule median 336 ms
    const s2 = r.stages.find((s) => s.stageId === 2)!;
    const adjusted = adjustRun(r, at(2048, 50), DEFAULT_TUNING).stages.find((s) => s.stageId === 2)!;
    const d = adjusted.taskDurationsMs ?? [];
    assert.strictEqual(d.length, 50);
    assert.strictEqual(Math.max(...d), 7233);
    // Work is conserved: Σ old − 200 × overhead + 50 × overhead, overhead = mean (duration − Executor Run Time) + 20 ms.
    const old = s2.taskDurationsMs ?? [];
    const sum = old.reduce((a, x) => a + x, 0);
    const overhead = Math.min(336, (sum - s2.executorRunTimeMs) / old.length + DEFAULT_TUNING.taskOverheadMs);
    assert.ok(Math.abs(d.reduce((a, x) => a + x, 0) - (sum - 150 * overhead)) < 1e-6);
    // Stage 3 (200 tasks reading 514956 B) is re-bucketed too; stages 0 and 1 (no shuffle read) are not.
    assert.strictEqual(adjustRun(r, at(2048, 50), DEFAULT_TUNING).stages.find((s) => s.stageId === 0)?.taskDurationsMs?.length, 4);
  });

  it('leaves out memory per core at which tasks ran out of memory (hand-edited copy of a real run, named as such)', () => {
    const stubOom: ApplicationRecord = { ...run('0000'), taskFailures: [{ reason: 'ExceptionFailure', kind: 'oom', count: 1, example: 'java.lang.OutOfMemoryError: Java heap space' }] };
    const est = estimateCandidates([stubOom], [at(512), at(1024, 200, 2, 4), at(1024)]);
    assert.deepStrictEqual(est.map((e) => e.excluded !== null), [true, true, false]); // 256m per core and below are out
  });

  it('confidence: sample size × recency × consistency', () => {
    const r = run('0008');
    // One run: 1/2 × 1 (newest run now) × (1 − 0.8 % model error) = 0.496 → 0.5; 30 days later (one half-life) 0.25.
    assert.strictEqual(recommendResources([r], { candidates: [at(1024, 50)], nowMs: r.startTimeMs }).confidence, 0.5);
    assert.strictEqual(recommendResources([r], { candidates: [at(1024, 50)], nowMs: r.startTimeMs + 30 * 86_400_000 }).confidence, 0.25);
    // Two identical configurations measured 52.3 s and 55.6 s: spread 6.0 % lowers consistency; 2 runs raise the sample.
    const two = recommendResources([run('0001'), run('0002')], { candidates: [at(1024)], nowMs: run('0002').startTimeMs });
    const spread = (55591 - 52349) / ((55591 + 52349) / 2);
    assert.ok(two.confidence < (2 / 3) * (1 - spread) + 0.01 && two.confidence > (2 / 3) * (1 - spread) * 0.95, String(two.confidence));
  });

  it('without candidates, generates configurations within the cluster', () => {
    const rec = recommendResources([run('0000'), run('0001')], { cluster: { nodeMemoryMiB: 4096, nodeCores: 2, maxExecutors: 4 } });
    assert.ok(rec.choice.executorCores <= 2 && rec.choice.executorInstances <= 4);
    assert.ok(rec.choice.executorMemoryMiB + Math.max(384, Math.floor(0.1 * rec.choice.executorMemoryMiB)) <= 4096);
    assert.ok(rec.evidence.length >= 3);
  });
});
