/**
 * The engine model's executor start-up and effective CPU parallelism (recommend/capacity.ts, used by model.ts) on real
 * Spark 4.3.0 runs: eval/runs (the committed evaluation runs, standalone, 1 worker, `minRegisteredResourcesRatio` 1.0)
 * and examples/history. Expected values were read from the decompressed logs (`zstd -dc`) with a separate Python
 * script, not with the code under test:
 * - cpu_bound `default` (app-20261121144216-0001, 1 × 2 cores): ApplicationStart 1795272136779, one ExecutorAdded at
 *   +4304 ms, first StageSubmitted at +5639 ms; stage 0: span 7914 ms, Σ `Executor CPU Time` 7546557074 ns.
 * - cpu_bound `1g-1x1-p200` (app-20261121144711-0013, 1 × 1 core): executor at +4479 ms, first stage at +4962 ms;
 *   stage 0: span 12250 ms, Σ CPU 9269366697 ns.
 * - cpu_bound `1g-2x1-p200` (app-20261121144417-0007, 2 × 1 core): executors at +5520 and +7171 ms, first stage at
 *   +7832 ms; stage 0: span 9614 ms, Σ CPU 8881321302 ns.
 * - tiny_tasks (examples/history app-20261121122321-0008): stage 1: Σ CPU 867860193 ns, Σ `Executor Run Time` 5601 ms.
 * All executors of these runs are on host 127.0.0.1.
 */
import * as assert from 'assert';
import * as path from 'path';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import {
  clusterFacts,
  contentionFactor,
  cpuCapacityPerHost,
  cpuInflation,
  inflationRatio,
  cpuConcurrencyPerHost,
  executorStartup,
  startupLine,
} from '../server/src/recommend/capacity';
import { DEFAULT_TUNING, WorkloadModel } from '../server/src/recommend/model';
import { planWorkload } from '../server/src/recommend/engine';
import { clusterRunsOf, DEFAULT_ANALYSIS_OPTIONS, SparkLanguageService } from '../server/src/language-service';
import { RunsHistory } from '../server/src/evaluation/engine';
import { EXAMPLE_HISTORY, REPO_ROOT } from './helpers/fixtures';

const EVAL_RUNS = path.join(REPO_ROOT, 'eval', 'runs');

async function read(dir: string, appId: string): Promise<ApplicationRecord> {
  const [src] = await discoverEventLogs(path.join(dir, `eventlog_v2_${appId}`));
  const { record } = await readEventLog(src);
  assert.ok(record);
  return record;
}

async function readAll(dir: string): Promise<ApplicationRecord[]> {
  const out: ApplicationRecord[] = [];
  for (const src of await discoverEventLogs(dir)) {
    const { record } = await readEventLog(src);
    if (record !== null) out.push(record);
  }
  return out;
}

describe('executor start-up and CPU capacity (real Spark 4.3.0 runs)', () => {
  let oneByTwo: ApplicationRecord;
  let oneByOne: ApplicationRecord;
  let twoByOne: ApplicationRecord;
  let tiny: ApplicationRecord;
  before(async () => {
    oneByTwo = await read(EVAL_RUNS, 'app-20261121144216-0001');
    oneByOne = await read(EVAL_RUNS, 'app-20261121144711-0013');
    twoByOne = await read(EVAL_RUNS, 'app-20261121144417-0007');
    tiny = await read(EXAMPLE_HISTORY, 'app-20261121122321-0008');
  });

  it('measures the wait for the executors registered before the first stage', () => {
    assert.deepStrictEqual(executorStartup(oneByTwo), { waitMs: 4304, executors: 1, requested: 1, ratio: 1 });
    assert.deepStrictEqual(executorStartup(oneByOne), { waitMs: 4479, executors: 1, requested: 1, ratio: 1 });
    // The first stage (+7832 ms) waited for both executors (+5520, +7171).
    assert.deepStrictEqual(executorStartup(twoByOne), { waitMs: 7171, executors: 2, requested: 2, ratio: 1 });
    // examples/history ran on standalone without the property (ratio 0): its first stage did not wait, so the 13498 ms
    // before it (executors at +13485 and +13498 ms, first stage at +18868 ms) are the driver's work, kept as measured.
    assert.strictEqual(executorStartup(tiny), null);
  });

  it('fits the start-up line robustly, through the origin when the runs had one executor count', () => {
    // One count: the median wait per executor, (4304 + 4479) / 2.
    assert.deepStrictEqual(startupLine([executorStartup(oneByTwo)!, executorStartup(oneByOne)!]), {
      interceptMs: 0,
      perExecutorMs: 4391.5,
    });
    // Slopes between different counts: 7171 − 4304 = 2867 and 7171 − 4479 = 2692, median 2779.5; intercepts
    // 4304 − 2779.5 = 1524.5, 4479 − 2779.5 = 1699.5, 7171 − 2 × 2779.5 = 1612, median 1612.
    assert.deepStrictEqual(
      startupLine([executorStartup(oneByTwo)!, executorStartup(oneByOne)!, executorStartup(twoByOne)!]),
      { interceptMs: 1612, perExecutorMs: 2779.5 },
    );
    assert.strictEqual(startupLine([]), null);
  });

  it("replaces the base run's start-up wait by the line's wait for the configuration's executors", () => {
    const noStartup = new WorkloadModel([oneByTwo], undefined, { cpuCapacityPerHost: null, startup: null });
    const withLine = new WorkloadModel([oneByTwo], undefined, {
      cpuCapacityPerHost: null,
      startup: { interceptMs: 0, perExecutorMs: 4304 },
    });
    const c = { executorMemoryMiB: 1024, executorCores: 1, executorInstances: 2, shufflePartitions: 200 };
    // 2 executors: the base waited 4304 ms for its one; the line says 2 × 4304 for two: +4304 ms.
    const a = noStartup.predict(c).durationMs!;
    const b = withLine.predict(c).durationMs!;
    assert.strictEqual(Math.round(b - a), 4304);
  });

  it("measures a run's CPU concurrency per host from its stages' CPU time over their span", () => {
    const a = cpuConcurrencyPerHost(oneByTwo)!;
    assert.strictEqual(a.slotsPerHost, 2);
    assert.ok(Math.abs(a.cpu - 7546.557 / 7914) < 1e-3, String(a.cpu)); // 0.9536
    const b = cpuConcurrencyPerHost(oneByOne)!;
    assert.strictEqual(b.slotsPerHost, 1);
    assert.ok(Math.abs(b.cpu - 9269.367 / 12250) < 1e-3, String(b.cpu)); // 0.7567
  });

  it('finds a CPU ceiling only when a run with twice the slots per host used no more CPU at once', () => {
    // 1 slot: 0.7567; 2 slots: 0.9536 > 1.25 × 0.7567 = 0.9458, so these two alone prove nothing.
    assert.strictEqual(cpuCapacityPerHost([oneByOne, oneByTwo]), null);
    // 2 × 1 slots: 8881.321 / 9614 = 0.9238 ≤ 0.9458: a ceiling, at the largest concurrency seen (0.9536).
    const cap = cpuCapacityPerHost([oneByOne, oneByTwo, twoByOne]);
    assert.ok(cap !== null && Math.abs(cap - 7546.557 / 7914) < 1e-3, String(cap));
  });

  it('keeps the replay where slots run in parallel: no ceiling on runs of one shape, no contention without one', async () => {
    // examples/history: nine runs of one standalone cluster, all 2 executors × 2 cores on one host: nothing to compare.
    assert.strictEqual(cpuCapacityPerHost(await readAll(EXAMPLE_HISTORY)), null);
    assert.strictEqual(new WorkloadModel([tiny]).cpuCapacity, null);
    const s = tiny.stages.find((x) => x.stageId === 1)!;
    assert.strictEqual(contentionFactor(s, 4, 1, null), 1);
  });

  it('stretches the CPU share of a stage, and the time outside the run time, when more tasks run on a host than it has capacity', () => {
    const s = tiny.stages.find((x) => x.stageId === 1)!;
    // Stage 1's 50 successful task ends (zstdcat | jq by hand): Σ(Finish − Launch) 10508 ms, Σ Executor Run Time
    // 5601 ms, Σ Executor CPU Time 867.860193 ms (the record keeps whole ms: 868), so 4907 ms lie outside the run time.
    assert.strictEqual(
      s.taskDurationsMs?.reduce((a, b) => a + b, 0),
      10508,
    );
    assert.strictEqual(s.executorRunTimeMs, 5601);
    assert.strictEqual(s.executorCpuTimeMs, 868);
    // 4 tasks on capacity 1 → stretched 4×: wait 5601 − 4 × 868 = 2129, outside CPU 4907 / 4 = 1226.75;
    // with 1 task: (2129 + 868 + 1226.75) / 10508 = 0.401956.
    assert.ok(Math.abs(contentionFactor(s, 4, 1, 1) - 0.401956) < 1e-5);
    // Back from 1 to 4 tasks: (5601 − 868 + 4 × (868 + 4907)) / 10508 = 2.648744; within capacity nothing changes.
    assert.ok(Math.abs(contentionFactor(s, 1, 4, 1) - 2.648744) < 1e-5);
    assert.ok(Math.abs(contentionFactor(s, 2, 4, 4) - 1) < 1e-12);
    // With the tasks' CPU time halved at the target (cpuRatio 0.5): (2129 + 434 + 1226.75) / 10508 = 0.360654.
    assert.ok(Math.abs(contentionFactor(s, 4, 1, 1, 0.5) - 0.360654) < 1e-5);
  });

  it("fits how the tasks' CPU time grows with executors and slots per host, never below zero", () => {
    // cpu_bound, 1g, 200 partitions, one host. Σ Executor CPU Time of the task ends (zstdcat | jq by hand): 1 × 2 cores
    // 7650.114 ms, 1 × 1 core 9367.493 ms, 2 × 1 core 8995.954 ms. Log ratios (executors, slots, CPU) of the three
    // pairs: (0, ln 2, ln 7650/9367), (ln ½, 0, ln 7650/8996), (ln ½, ln ½, ln 9367/8996). Joint least squares gives
    // a = 0.234, b = −0.292 < 0; executors alone: Σxz / Σxx = 0.08770; slots alone is negative (0): a = 0.0877, b = 0.
    const inf = cpuInflation([oneByTwo, oneByOne, twoByOne]);
    assert.ok(inf !== null);
    assert.ok(Math.abs(inf.perLogExecutors - 0.0877) < 1e-3, JSON.stringify(inf));
    assert.strictEqual(inf.perLogSlots, 0);
    // Two runs make one pair: too few to fit.
    assert.strictEqual(cpuInflation([oneByTwo, oneByOne]), null);
    // 4 executors of 4 slots against 1 of 2, with CPU ∝ executors^0.5: 4^0.5 = 2.
    assert.strictEqual(
      inflationRatio({ perLogExecutors: 0.5, perLogSlots: 0 }, { executors: 1, slots: 2 }, { executors: 4, slots: 16 }),
      2,
    );
    assert.strictEqual(inflationRatio(null, { executors: 1, slots: 2 }, { executors: 4, slots: 16 }), 1);
  });

  it("takes a cluster's facts from its runs whose jobs all succeeded", () => {
    // The three runs together: the ceiling, start-up line and CPU growth worked out by hand in the tests above.
    const facts = clusterFacts([oneByOne, oneByTwo, twoByOne]);
    assert.ok(Math.abs(facts.cpuCapacityPerHost! - 7546.557 / 7914) < 1e-3, String(facts.cpuCapacityPerHost));
    assert.deepStrictEqual(facts.startup, { interceptMs: 1612, perExecutorMs: 2779.5 });
    assert.ok(Math.abs(facts.cpuInflation!.perLogExecutors - 0.0877) < 1e-3, JSON.stringify(facts.cpuInflation));
    // The 2 × 1 run's job failed: it is left out, so nothing proves a ceiling, one executor count is left (the line
    // through the origin, (4304 + 4479) / 2 per executor) and one pair is too few for the CPU growth.
    assert.deepStrictEqual(clusterFacts([oneByOne, oneByTwo, { ...twoByOne, failedJobs: 1 }]), {
      cpuCapacityPerHost: null,
      startup: { interceptMs: 0, perExecutorMs: 4391.5 },
      cpuInflation: null,
    });
    assert.deepStrictEqual(clusterFacts([]), { cpuCapacityPerHost: null, startup: null, cpuInflation: null });
  });

  it("plans a job with one run with its cluster's facts, from the other jobs the store lists for its master", () => {
    // The job: cpu_bound with its 1 × 1 run only. The store also holds two other jobs on the same master (the 1 × 2
    // and 2 × 1 runs under other names) and one job on another master, which must not count.
    const other = (r: ApplicationRecord, appName: string, master?: string): ApplicationRecord => ({
      ...r,
      appName,
      ...(master === undefined ? {} : { master, sparkProperties: { ...r.sparkProperties, 'spark.master': master } }),
    });
    const a = other(oneByTwo, 'nightly_a');
    const b = other(twoByOne, 'nightly_b');
    const elsewhere = other(tiny, 'on_yarn', 'yarn');
    const history = new RunsHistory([oneByOne, a, b, elsewhere]);
    assert.deepStrictEqual(
      clusterRunsOf(history, 'cpu_bound', [oneByOne]).map((r) => [r.appName, r.appId]),
      [
        ['nightly_b', 'app-20261121144417-0007'],
        ['nightly_a', 'app-20261121144216-0001'],
      ],
    );
    // What the language service plans equals the engine given those runs, and its model has the cluster's facts:
    // the ceiling 0.9536 the other jobs' runs prove, which the job's one run cannot.
    const text = [
      'spark-submit \\',
      `  --master ${oneByOne.sparkProperties['spark.master']} \\`,
      '  --name cpu_bound \\',
      '  --executor-memory 1g \\',
      '  --executor-cores 1 \\',
      '  --total-executor-cores 1 \\',
      '  cpu_bound.py',
      '',
    ].join('\n');
    const service = new SparkLanguageService(history, () => oneByOne.startTimeMs + 3_600_000);
    const sa = service.analyse('file:///jobs/cpu_bound.sh', text, 'shellscript', 1, DEFAULT_ANALYSIS_OPTIONS).sites[0];
    assert.ok(sa.plan !== null);
    const facts = clusterFacts([oneByOne, a, b]);
    assert.ok(Math.abs(facts.cpuCapacityPerHost! - 7546.557 / 7914) < 1e-3);
    const model = new WorkloadModel([oneByOne], DEFAULT_TUNING, facts);
    const row = sa.plan.whatIf.byCores.find((w) => w.choice.executorCores === 2 && w.choice.executorInstances === 1);
    assert.ok(row !== undefined, JSON.stringify(sa.plan.whatIf.byCores.map((w) => w.choice)));
    assert.strictEqual(row.durationMs, model.predict(row.choice).durationMs);
    // Without the other jobs the one run proves no ceiling, and 2 cores are predicted faster.
    const alone = planWorkload({
      appName: 'cpu_bound',
      runs: [oneByOne],
      current: new Map(Object.entries(oneByOne.sparkProperties)),
    });
    const aloneRow = alone.whatIf.byCores.find(
      (w) => w.choice.executorCores === 2 && w.choice.executorInstances === 1,
    )!;
    assert.strictEqual(aloneRow.durationMs, new WorkloadModel([oneByOne]).predict(aloneRow.choice).durationMs);
    assert.ok(aloneRow.durationMs! < row.durationMs!, `${aloneRow.durationMs} < ${row.durationMs}`);
  });
});
