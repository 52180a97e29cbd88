/**
 * The benchmark evaluation (issue 14) on five real packed runs (test/fixtures/benchmark, provenance in its README):
 * loading kinds, sets and failed runs from the manifest, the failure penalty, regrets including the balanced one, the
 * history cases (one start run, three, none), the exact random-choice expectation, the simulation's per-stage
 * diagnosis, the cold start from similar workloads, the learned scorer, the packing script and eval:check on slices.
 * Expected values were computed by a separate Python script from the event logs (README), not by the code under test.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { checkResult } from '../server/src/evaluation/check';
import { editorChooser, RunsHistory } from '../server/src/evaluation/engine';
import {
  historyCases,
  randomChoiceScores,
  regretsOf,
  scoreCases,
  spilledMoreThan,
  stageDiagnosis,
  summarise,
} from '../server/src/evaluation/evaluate';
import { type GroundTruth, loadGroundTruth, plannedRuns } from '../server/src/evaluation/ground-truth';
import type { EvaluationResult } from '../server/src/evaluation/run';
import { planWorkload } from '../server/src/recommend/engine';
import { LearnedScorer, learnedFeatures, LEARNED_FEATURE_NAMES } from '../server/src/recommend/learned-scorer';
import { runChoice } from '../server/src/recommend/model';
import { collectEventLogs } from '../server/src/history/collect';
import { HistoryStore } from '../server/src/store/history-store';
import { REPO_ROOT, TEST_FIXTURES } from './helpers/fixtures';

const DIR = path.join(TEST_FIXTURES, 'benchmark');
const near = (a: number, b: number, rel = 1e-6) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} ≠ ${b}`);

describe('benchmark evaluation on five packed real runs (test/fixtures/benchmark)', () => {
  let gt: GroundTruth;
  before(async function () {
    this.timeout(120_000);
    gt = await loadGroundTruth(DIR, path.join(DIR, 'grid.json'));
  });
  const wl = (name: string) => gt.workloads.find((w) => w.workload === name)!;
  const cell = (w: string, id: string) => wl(w).cells.find((c) => c.configId === id)!;

  it('reads kinds, sets and the failed run from the manifest; a failed run counts as its own use plus a re-run at the slowest successful configuration', () => {
    assert.deepStrictEqual(gt.failed, []);
    assert.deepStrictEqual(
      gt.workloads.map((w) => [w.workload, w.kind, w.set]),
      [
        ['shuffle_spill', 'cpu', 'tuning'],
        ['wait_objectstore', 'wait', 'test'],
      ],
    );
    assert.strictEqual(plannedRuns(gt.grid), 2 * 4 * 2); // no third repetitions in the fixture grid
    assert.strictEqual(gt.grid.cluster.nodes, 4); // grid.json says "workers": 4
    const ok = cell('shuffle_spill', '1g-1x2-p32');
    const failed = cell('shuffle_spill', '512m-1x2-p200');
    assert.deepStrictEqual([ok.failedRuns, failed.failedRuns], [0, 1]);
    // ApplicationEnd − ApplicationStart: 10875 ms (succeeded), 43977 ms (failed) → 43977 + 10875 = 54852.
    assert.strictEqual(ok.meanRuntimeMs, 10875);
    assert.strictEqual(failed.meanRuntimeMs, 54852);
    // Executor lifetimes × Total Cores: 0.0051538889 and 0.0189611111 core-hours → 0.024115.
    near(ok.meanCoreHours, 0.005153888888888889);
    near(failed.meanCoreHours, 0.024115);
    // Σ Disk Bytes Spilled of the task ends.
    assert.deepStrictEqual([ok.meanDiskSpilledBytes, failed.meanDiskSpilledBytes], [109767696, 223453344]);
    const r = regretsOf(wl('shuffle_spill'), failed);
    near(r.runtimeRegret, 5.043862068965518);
    near(r.coreHoursRegret, 4.678991053142179);
    assert.strictEqual(r.chosenFailed, true);
  });

  it("a run recorded 'timeout' (run_benchmark.py --run-timeout cancelled its jobs) is scored as failed", async function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-timeout-'));
    try {
      for (const f of fs.readdirSync(DIR)) fs.copyFileSync(path.join(DIR, f), path.join(tmp, f));
      const m = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
        runs: { configId: string; workload: string; status?: string }[];
      };
      const run = m.runs.find((r) => r.workload === 'shuffle_spill' && r.configId === '512m-1x2-p200')!;
      assert.strictEqual(run.status, 'failed');
      run.status = 'timeout';
      fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(m));
      const t = await loadGroundTruth(tmp, path.join(tmp, 'grid.json'));
      const c = t.workloads
        .find((w) => w.workload === 'shuffle_spill')!
        .cells.find((x) => x.configId === '512m-1x2-p200')!;
      assert.deepStrictEqual([c.failedRuns, c.meanRuntimeMs], [1, 54852]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('regrets on the waiting workload, with the balanced regret (DCU against the cheapest within 10 % of the fastest, or the runtime over the allowed one)', () => {
    const w = wl('wait_objectstore');
    const rs = w.cells.map((c) => [c.configId, regretsOf(w, c)] as const);
    const by = Object.fromEntries(rs);
    // Runtimes 22614 (4x4), 52812 (1x2), 48324 (8x1).
    near(by['1g-4x4-p32'].runtimeRegret, 1);
    near(by['1g-1x2-p32'].runtimeRegret, 52812 / 22614);
    near(by['1g-8x1-p32'].runtimeRegret, 48324 / 22614);
    // DCU = 0.05 × core-hours + 0.005 × GiB-hours: 0.0032973111, 0.0014898917, 0.0036809208; cheapest 1x2.
    near(by['1g-4x4-p32'].dcuRegret, 2.213121386528849);
    near(by['1g-8x1-p32'].dcuRegret, 2.470596296151286);
    // Only 4x4 is within 10 % of the fastest: balanced regret 1 there; elsewhere max(DCU / DCU(4x4), runtime / 24875.4).
    near(by['1g-4x4-p32'].balancedRegret!, 1);
    near(by['1g-1x2-p32'].balancedRegret!, 2.1230613377071323);
    near(by['1g-8x1-p32'].balancedRegret!, 1.9426421283677848);
  });

  it('history cases: one start run each, three start runs of three start configurations, and none (leave one workload out)', () => {
    const setup = {
      startConfigIds: gt.grid.startConfigIds,
      cluster: gt.grid.cluster,
      defaultConfigId: gt.grid.defaultConfigId,
    };
    const cases = historyCases(gt.workloads, setup);
    const count = (h: string, w: string) => cases.filter((c) => c.history === h && c.workload.workload === w).length;
    // shuffle_spill ran two start configurations, wait_objectstore three (one run each).
    assert.deepStrictEqual([count('one', 'shuffle_spill'), count('one', 'wait_objectstore')], [2, 3]);
    assert.deepStrictEqual([count('three', 'shuffle_spill'), count('three', 'wait_objectstore')], [0, 1]);
    assert.deepStrictEqual([count('none', 'shuffle_spill'), count('none', 'wait_objectstore')], [1, 1]);
    const three = cases.find((c) => c.history === 'three')!;
    // The newest of the three (started 1796283465300) is the job file: 1g-8x1-p32.
    assert.deepStrictEqual(
      [three.startConfigId, three.runs.map((r) => r.record.appId)],
      ['1g-8x1-p32', ['app-20261203012435-0014', 'app-20261203015319-0038', 'app-20261203073745-0043']],
    );
    const none = cases.find((c) => c.history === 'none' && c.workload.workload === 'wait_objectstore')!;
    assert.deepStrictEqual(
      [none.runs.length, none.others.map((r) => r.appId).sort()],
      [0, ['app-20261203015308-0037', 'app-20261203020042-0053']],
    );
    // The store's history of the cluster, for a job with runs: the tuning set's runs of the other workloads. The test
    // set's wait_objectstore gets the tuning set's shuffle_spill runs; shuffle_spill gets none (the only other workload
    // is in the test set); a job without runs gets its store through `others` instead.
    const clusterOf = (h: string, w: string) =>
      cases
        .filter((c) => c.history === h && c.workload.workload === w)
        .map((c) => c.cluster.map((r) => r.appId).sort());
    assert.deepStrictEqual(clusterOf('one', 'wait_objectstore'), [
      ['app-20261203015308-0037', 'app-20261203020042-0053'],
      ['app-20261203015308-0037', 'app-20261203020042-0053'],
      ['app-20261203015308-0037', 'app-20261203020042-0053'],
    ]);
    assert.deepStrictEqual(clusterOf('one', 'shuffle_spill'), [[], []]);
    assert.deepStrictEqual(clusterOf('none', 'wait_objectstore'), [[]]);
    // The random choice, exactly: wait_objectstore (1 + 52812/22614 + 48324/22614) / 3 = 1.8240912709; shuffle_spill
    // (1 + 5.0438620690) / 2 = 3.0219310345 with half a failed choice per case.
    const rnd = randomChoiceScores(cases.filter((c) => c.history === 'one'));
    near(summarise(rnd.filter((s) => s.workload === 'wait_objectstore')).runtimeRegret, 1.8240912708941364);
    const ss = summarise(rnd.filter((s) => s.workload === 'shuffle_spill'));
    near(ss.runtimeRegret, 3.021931034482759);
    near(ss.failedChoices!, 1); // 2 cases × ½
    near(ss.n, 2);
    // Spill tolerance: more than 10 % + 1 MiB over the start.
    assert.deepStrictEqual(
      [spilledMoreThan(109767696, 109767696), spilledMoreThan(223453344, 109767696), spilledMoreThan(2 ** 20 + 1, 0)],
      [false, true, true],
    );
  });

  it("splits the simulation's shape-only error into driver-only and stage time (6 ordered pairs of the three 1g/32-partition shapes)", () => {
    const d = stageDiagnosis([wl('wait_objectstore')]);
    assert.strictEqual(d.pairs, 6);
    // Each target is predicted from the two others: the mean measured runtime is (22614 + 52812 + 48324) / 3 = 41250.
    near(d.actualMs, 41250);
    // The replay keeps the source's driver-only time: over all ordered pairs those errors cancel (9387, 2002, 21592 ms).
    assert.ok(Math.abs(d.driverOnlyErrorMs) < 1e-6);
    near(d.errorMs, d.driverOnlyErrorMs + d.stagesErrorMs, 1e-9);
    // |driver-only error| per pair: |9387−2002|, |9387−21592|, |2002−21592| twice each over 41250 ms on average.
    near(
      d.driverOnlyAbsError,
      ((7385 / 52812 + 7385 / 22614 + 12205 / 48324 + 12205 / 22614 + 19590 / 48324 + 19590 / 52812) / 6) * 1,
      1e-9,
    );
  });

  it('a workload with no runs of its own is planned from the workloads run on the same master (cold start, confidence 0)', () => {
    const spill = wl('shuffle_spill').cells.flatMap((c) => c.runs.map((r) => r.record));
    const plan = planWorkload({
      appName: 'new_job',
      runs: [],
      current: new Map([
        ['spark.master', 'spark://127.0.0.1:40065'],
        ['spark.executor.memory', '1g'],
        ['spark.executor.cores', '4'],
        ['spark.cores.max', '16'],
      ]),
      similarWorkloads: [{ appName: 'shuffle_spill', runs: spill }],
      options: { objective: 'cost', cluster: { nodes: 4, nodeCores: 4, nodeMemoryMiB: 2560 } },
    });
    assert.ok(plan.chosen !== null && plan.current !== null);
    assert.strictEqual(plan.confidence, 0);
    assert.match(
      plan.notes.join(' '),
      /no runs of its own: the plan is predicted from 1 similar workload\(s\) in the store \(shuffle_spill\)/,
    );
    assert.strictEqual(plan.current.basedOn, 'similar workloads: shuffle_spill');
    // Without similar workloads there is nothing to plan from.
    assert.strictEqual(planWorkload({ appName: 'new_job', runs: [], current: new Map() }).chosen, null);
    // The evaluation's history: the other workload's runs ran on these masters, newest first.
    const others = new RunsHistory(gt.workloads.flatMap((w) => w.cells.flatMap((c) => c.runs.map((r) => r.record))));
    assert.deepStrictEqual(others.appNamesByMaster('spark://127.0.0.1:40065'), ['shuffle_spill', 'wait_objectstore']);
    assert.deepStrictEqual(others.appNamesByMaster('spark://127.0.0.1:39899'), ['wait_objectstore']);
  });

  it('scores the editor engine on every history, the no-runs case through the language service and the quick fix', () => {
    const setup = {
      startConfigIds: gt.grid.startConfigIds,
      cluster: gt.grid.cluster,
      defaultConfigId: gt.grid.defaultConfigId,
    };
    const cases = historyCases(gt.workloads, setup);
    const scores = scoreCases(cases, editorChooser('cost'), setup);
    assert.strictEqual(scores.length, cases.length);
    const none = scores.filter((s) => s.history === 'none');
    assert.deepStrictEqual(
      none.map((s) => [s.workload, s.startConfigId, s.startAppId]),
      [
        ['shuffle_spill', '1g-1x2-p32', '-'],
        ['wait_objectstore', '1g-1x2-p32', '-'],
      ],
    );
    for (const s of scores)
      assert.ok(
        gt.workloads.find((w) => w.workload === s.workload)!.cells.some((c) => c.configId === s.chosenConfigId),
      );
  });

  it('the history store lists workloads (app names) by master, most recently run first', async function () {
    this.timeout(60_000);
    const store = HistoryStore.open(':memory:');
    try {
      await collectEventLogs(DIR, store, { maxDepth: 1 });
      assert.deepStrictEqual(store.appNamesByMaster('spark://127.0.0.1:40065'), ['shuffle_spill', 'wait_objectstore']);
      assert.deepStrictEqual(store.appNamesByMaster('spark://127.0.0.1:40065', 1), ['shuffle_spill']);
      assert.deepStrictEqual(store.appNamesByMaster('spark://127.0.0.1:39899'), ['wait_objectstore']);
      assert.deepStrictEqual(store.appNamesByMaster('yarn'), []);
    } finally {
      store.close();
    }
  });

  it('the learned scorer: its inputs, and a forest trained on one example predicts that example back', () => {
    const ok = cell('shuffle_spill', '1g-1x2-p32').runs[0].record;
    const rc = runChoice(ok)!;
    const target = cell('shuffle_spill', '512m-1x2-p200').choice;
    const x = learnedFeatures(ok, rc, target);
    assert.strictEqual(x.length, LEARNED_FEATURE_NAMES.length);
    // log2 slots: run 1 × 2 → 1; candidate 1 × 2 → 1; ratio 0; log10 10875 ms.
    const at = (name: (typeof LEARNED_FEATURE_NAMES)[number]) => x[LEARNED_FEATURE_NAMES.indexOf(name)];
    assert.deepStrictEqual(
      [at('log2 run task slots'), at('log2 candidate executor memory MiB'), at('log2 candidate slots / run slots')],
      [1, 9, 0],
    );
    near(at('log10 run duration ms'), Math.log10(10875));
    // Every tree of a forest trained on one example is one leaf holding its label: the prediction is the label.
    const scorer = LearnedScorer.train(
      [
        { run: ok, target, durationMs: 43977 },
        { run: ok, target, durationMs: 43977 },
      ],
      'one example',
    );
    near(scorer.predictFrom(ok, rc, target), 43977, 1e-9);
    assert.throws(() => LearnedScorer.train([], 'nothing'), RangeError);
  });

  it("the learned scorer bundles with nothing external (pure JavaScript, as VS Code's extension host loads it) and predicts from the bundle", async function () {
    this.timeout(120_000);
    const esbuild = await import('esbuild');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'learned-bundle-'));
    try {
      const out = path.join(tmp, 'learned.js');
      // The extension's esbuild options (esbuild.js `common`), with no module left external.
      await esbuild.build({
        entryPoints: [path.join(REPO_ROOT, 'server', 'src', 'recommend', 'learned-scorer.ts')],
        outfile: out,
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        mainFields: ['module', 'main'],
        logLevel: 'silent',
      });
      const bundled = fs.readFileSync(out, 'utf8');
      assert.match(bundled, /RandomForestRegression/);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(out) as typeof import('../server/src/recommend/learned-scorer');
      const ok = cell('shuffle_spill', '1g-1x2-p32').runs[0].record;
      const target = cell('shuffle_spill', '512m-1x2-p200').choice;
      const scorer = mod.LearnedScorer.train(
        [
          { run: ok, target, durationMs: 43977 },
          { run: ok, target, durationMs: 43977 },
        ],
        'bundled',
      );
      near(scorer.predictFrom(ok, runChoice(ok)!, target), 43977, 1e-9);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('eval:check fails when a regret of any slice (set × history) gets worse than committed', () => {
    const s = {
      n: 2,
      runtimeRegret: 1.2,
      coreHoursRegret: 2,
      memoryRegret: 1.5,
      dcuRegret: 1.4,
      balancedRegret: 1.3,
      runtimeWithin10: 0,
      coreHoursWithin10: 0,
      withinSlowdown: 0,
    };
    const edits = { onGrid: 0, ignoredKeysWritten: 0, exceedsCluster: [] as string[], keysWritten: {}, unchanged: 0 };
    const set = (slice: typeof s) => ({
      description: '',
      overall: s,
      slices: { 'test/none': slice },
      perWorkload: {},
      perStart: {},
      choices: [],
      edits,
    });
    const result = (slice: typeof s) =>
      ({
        recommendation: { editor: { runtime: set(slice), cost: set(slice), balanced: set(slice) } },
      }) as unknown as EvaluationResult;
    assert.deepStrictEqual(checkResult(result(s), result(s)), []);
    assert.deepStrictEqual(checkResult(result({ ...s, memoryRegret: 1.6 }), result(s)), [
      'cost test/none: memory-GiB-hours regret got worse than committed',
    ]);
    assert.deepStrictEqual(checkResult(result({ ...s, balancedRegret: 1.31 }), result(s)), [
      'balanced test/none: balanced regret got worse than committed',
    ]);
  });

  it('the packing script refuses a partial grid, and packs logs to zstd files that decompress to the same bytes', function () {
    this.timeout(60_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-bench-'));
    try {
      const script = path.join(REPO_ROOT, 'scripts', 'pack-benchmark-runs.js');
      const grid = path.join(DIR, 'grid.json');
      const refused = spawnSync(process.execPath, [script, DIR, path.join(tmp, 'a'), '--grid', grid], {
        encoding: 'utf8',
      });
      assert.strictEqual(refused.status, 1);
      assert.match(refused.stderr, /lists 5 of the 16 runs .* a partial grid is not committed/);
      // The generator's folder lists the runs it discarded (run_benchmark.py --redo-loaded-above); the packed
      // manifest keeps their count and reasons with the numbers replaced.
      const src = path.join(tmp, 'src');
      fs.mkdirSync(src);
      for (const f of fs.readdirSync(DIR)) fs.copyFileSync(path.join(DIR, f), path.join(src, f));
      const gen = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      gen.discarded = [
        { appId: 'app-x-1', discardedBecause: 'othersLoad1MeanDuring 1.38 >= 1.0' },
        { appId: 'app-x-2', discardedBecause: 'othersLoad1MeanDuring 3.48 >= 1.0 (redone)' },
        { appId: 'app-x-3', discardedBecause: 'othersLoad1MeanDuring 12 >= 1.0' },
        { appId: 'app-x-4', discardedBecause: 'clock jump 7.5 s (suspended?)' },
      ];
      fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify(gen));
      const ok = spawnSync(process.execPath, [script, src, path.join(tmp, 'b'), '--grid', grid, '--partial'], {
        encoding: 'utf8',
      });
      assert.strictEqual(ok.status, 0, ok.stderr);
      for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.zstd'))) {
        assert.ok(
          zlib
            .zstdDecompressSync(fs.readFileSync(path.join(tmp, 'b', f)))
            .equals(zlib.zstdDecompressSync(fs.readFileSync(path.join(DIR, f)))),
          f,
        );
      }
      const m = JSON.parse(fs.readFileSync(path.join(tmp, 'b', 'manifest.json'), 'utf8')) as {
        runs: { eventLog: string }[];
        discarded?: unknown;
        discardedRuns: unknown;
      };
      assert.strictEqual(m.discarded, undefined);
      assert.deepStrictEqual(m.discardedRuns, {
        count: 4,
        because: {
          'othersLoad1MeanDuring N >= N': 2,
          'othersLoad1MeanDuring N >= N (redone)': 1,
          'clock jump N s (suspended?)': 1,
        },
      });
      assert.deepStrictEqual(
        m.runs.map((r) => r.eventLog).sort(),
        fs
          .readdirSync(DIR)
          .filter((x) => x.endsWith('.zstd'))
          .sort(),
      );
      // A generation resumed from that pack (generate-benchmark-eval.sh seeds its folder from
      // eval/benchmark-runs-partial) discards one more run: the next pack adds it to the earlier counts, and the
      // already packed single-file logs pack again to the same events.
      const resumed = path.join(tmp, 'resumed');
      fs.mkdirSync(resumed);
      for (const f of fs.readdirSync(path.join(tmp, 'b')))
        fs.copyFileSync(path.join(tmp, 'b', f), path.join(resumed, f));
      const again = JSON.parse(fs.readFileSync(path.join(resumed, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      again.discarded = [{ appId: 'app-x-5', discardedBecause: 'othersLoad1MeanDuring 2.5 >= 1.0 (redone)' }];
      fs.writeFileSync(path.join(resumed, 'manifest.json'), JSON.stringify(again));
      const ok2 = spawnSync(process.execPath, [script, resumed, path.join(tmp, 'c'), '--grid', grid, '--partial'], {
        encoding: 'utf8',
      });
      assert.strictEqual(ok2.status, 0, ok2.stderr);
      const m2 = JSON.parse(fs.readFileSync(path.join(tmp, 'c', 'manifest.json'), 'utf8')) as typeof m;
      assert.deepStrictEqual(m2.discardedRuns, {
        count: 5,
        because: {
          'othersLoad1MeanDuring N >= N': 2,
          'othersLoad1MeanDuring N >= N (redone)': 2,
          'clock jump N s (suspended?)': 1,
        },
      });
      for (const r of m2.runs) {
        assert.ok(
          zlib
            .zstdDecompressSync(fs.readFileSync(path.join(tmp, 'c', r.eventLog)))
            .equals(zlib.zstdDecompressSync(fs.readFileSync(path.join(DIR, r.eventLog)))),
          r.eventLog,
        );
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
