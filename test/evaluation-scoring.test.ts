/**
 * The evaluation's scoring math on a small grid computed by hand (values below worked out on paper, not by the code).
 */
import * as assert from 'assert';
import {
  geometricMean,
  mape,
  mean,
  noise,
  regret,
  relativeSpread,
  withinTolerance,
} from '../server/src/evaluation/scoring';
import { oracleSummary, regretsOf, summarise, type ChoiceScore } from '../server/src/evaluation/evaluate';
import type { GridCell, WorkloadGrid } from '../server/src/evaluation/ground-truth';
import { nearestCandidate } from '../server/src/evaluation/baselines';

describe('evaluation scoring math (hand-computed grid)', () => {
  // A workload with three configurations, two runs each (runtime in s):
  //   A: 40, 44 → mean 42     B: 30, 34 → mean 32     C: 50, 50 → mean 50
  const A = [40, 44];
  const B = [30, 34];
  const C = [50, 50];
  const means = [mean(A), mean(B), mean(C)];

  it('means of the cells', () => {
    assert.deepStrictEqual(means, [42, 32, 50]);
  });

  it('regret = chosen mean / best mean', () => {
    // best is B = 32: choosing A → 42/32 = 1.3125, B → 1, C → 50/32 = 1.5625
    assert.strictEqual(regret(42, means), 1.3125);
    assert.strictEqual(regret(32, means), 1);
    assert.strictEqual(regret(50, means), 1.5625);
    assert.throws(() => regret(1, []), RangeError);
    assert.throws(() => regret(1, [0, 2]), RangeError);
  });

  it('within 10 %: regret ≤ 1.10', () => {
    assert.strictEqual(withinTolerance(1), true);
    assert.strictEqual(withinTolerance(1.1), true);
    assert.strictEqual(withinTolerance(35.2 / 32), true); // exactly 1.1 up to floating point
    assert.strictEqual(withinTolerance(1.3125), false);
  });

  it('noise = mean |rep1 − rep2| / mean over configurations', () => {
    // A: 4/42, B: 4/32 = 0.125, C: 0 → mean (0.0952381 + 0.125 + 0) / 3 = 0.0734127
    assert.strictEqual(relativeSpread(B), 0.125);
    assert.strictEqual(relativeSpread([7]), null);
    assert.ok(Math.abs(noise([A, B, C]) - (4 / 42 + 0.125 + 0) / 3) < 1e-12);
    assert.ok(Math.abs(noise([A, B, C]) - 0.0734127) < 1e-7);
    // (max − min) / mean for three runs: (12 − 8) / 10 = 0.4
    assert.strictEqual(relativeSpread([8, 10, 12]), 0.4);
  });

  it('MAPE = mean |predicted − actual| / actual', () => {
    // predicting B (32) as 36: 0.125; C (50) as 40: 0.2; A (42) as 42: 0 → 0.325 / 3 = 0.108333…
    const m = mape([
      { predicted: 36, actual: 32 },
      { predicted: 40, actual: 50 },
      { predicted: 42, actual: 42 },
    ]);
    assert.ok(Math.abs(m - 0.325 / 3) < 1e-12);
    assert.ok(Number.isNaN(mape([])));
    assert.throws(() => mape([{ predicted: 1, actual: 0 }]), RangeError);
  });

  it('summaries: mean regrets and within-10 % shares', () => {
    const s = (rt: number, ch: number): ChoiceScore => ({
      workload: 'w',
      startConfigId: 'A',
      startAppId: 'app',
      chosenConfigId: 'x',
      runtimeRegret: rt,
      coreHoursRegret: ch,
      memoryRegret: 1,
      dcuRegret: ch,
      withinSlowdown: rt <= 1.1,
    });
    const scores = [s(1, 1.5), s(1.3125, 1), s(1.05, 1.2), s(1.5625, 1.1)];
    const sum = summarise(scores);
    // runtime: (1 + 1.3125 + 1.05 + 1.5625) / 4 = 4.925 / 4 = 1.23125; within 10 %: 1 and 1.05 → 2/4
    assert.ok(Math.abs(sum.runtimeRegret - 1.23125) < 1e-12);
    assert.strictEqual(sum.runtimeWithin10, 0.5);
    // core-hours: (1.5 + 1 + 1.2 + 1.1) / 4 = 1.2; within 10 %: 1 and 1.1 → 0.5
    assert.ok(Math.abs(sum.coreHoursRegret - 1.2) < 1e-12);
    assert.strictEqual(sum.coreHoursWithin10, 0.5);
    assert.strictEqual(sum.withinSlowdown, 0.5);
  });

  it('regrets of a cell for every measure, and the oracles per objective', () => {
    // Runtime means A 42, B 32, C 50 (above); core-hours A 1.0, B 2.0, C 0.5; DCU A 0.06, B 0.11, C 0.04.
    const cell = (configId: string, rt: number, ch: number, dcu: number): GridCell => ({
      configId,
      choice: { executorMemoryMiB: 1024, executorCores: 1, executorInstances: 1, shufflePartitions: 1 },
      runs: [],
      meanRuntimeMs: rt,
      meanCoreHours: ch,
      meanMemoryGiBHours: ch / 2,
      meanDcu: dcu,
      failedRuns: 0,
      meanDiskSpilledBytes: 0,
    });
    const w: WorkloadGrid = {
      workload: 'w',
      kind: null,
      set: null,
      cells: [cell('A', 42, 1, 0.06), cell('B', 32, 2, 0.11), cell('C', 50, 0.5, 0.04)],
    };
    const a = regretsOf(w, w.cells[0]);
    // A: runtime 42/32 = 1.3125, core-hours 1/0.5 = 2, DCU 0.06/0.04 = 1.5; not within 10 % of the fastest.
    assert.deepStrictEqual(
      [a.runtimeRegret, a.coreHoursRegret, a.dcuRegret, a.withinSlowdown],
      [1.3125, 2, 0.06 / 0.04, false],
    );
    const o = oracleSummary([w], 0.35);
    // fastest B; cheapest DCU C; balanced: cheapest DCU among cells within 35 % of 32 (A 42 ≤ 43.2, B) → A.
    assert.deepStrictEqual(
      [o.fastest.runtimeRegret, o.cheapestDcu.dcuRegret, o.balanced.runtimeRegret],
      [1, 1, 1.3125],
    );
  });

  it('geometric mean', () => {
    assert.ok(Math.abs(geometricMean([1, 4]) - 2) < 1e-12);
  });

  it('nearest grid candidate: Σ |log2 ratio|, memory rules never round down when a larger candidate exists', () => {
    const c = (m: number, co: number, i: number, p: number) => ({
      executorMemoryMiB: m,
      executorCores: co,
      executorInstances: i,
      shufflePartitions: p,
    });
    const grid = [c(512, 2, 1, 200), c(1024, 2, 1, 200), c(2048, 2, 1, 200), c(1024, 1, 2, 16)];
    // 700 MiB at 1×2, 200: distance to 512 = log2(700/512) = 0.451, to 1024 = log2(1024/700) = 0.549 → 512 is nearer…
    assert.deepStrictEqual(nearestCandidate(c(700, 2, 1, 200), grid), c(512, 2, 1, 200));
    // …but a memory rule asks for at least 700 MiB: 512 costs +10, so 1024
    assert.deepStrictEqual(nearestCandidate(c(700, 2, 1, 200), grid, true), c(1024, 2, 1, 200));
    // nothing large enough: the largest memory (5000 → 2048 at distance 1.29 + 10 beats 1024 at 2.29 + 10)
    assert.deepStrictEqual(nearestCandidate(c(5000, 2, 1, 200), grid, true), c(2048, 2, 1, 200));
    // 1g, 2×1, 20 partitions: (1024,1,2,16) is at log2(20/16) = 0.32; (1024,2,1,200) at 1 + 1 + 3.32
    assert.deepStrictEqual(nearestCandidate(c(1024, 1, 2, 20), grid), c(1024, 1, 2, 16));
    assert.throws(() => nearestCandidate(c(1, 1, 1, 1), []), RangeError);
  });
});
