/**
 * What `npm run eval:check` does, inside `npm test` so CI runs it: the evaluation recomputed on the committed real runs
 * (eval/runs), scoring the editor's engine on the exact edit its quick fix writes, must not give it a worse regret on
 * any objective than the committed eval/result.json, and no edit may write a key the cluster manager ignores or a
 * configuration exceeding the declared cluster.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkResult, worseThanCommitted } from '../server/src/evaluation/check';
import { engineUnderTest } from '../server/src/evaluation/engine';
import { loadGroundTruth } from '../server/src/evaluation/ground-truth';
import { EVAL_OBJECTIVES, type EvaluationResult, evaluate } from '../server/src/evaluation/run';

const ROOT = path.join(__dirname, '..', '..');

describe('evaluation regression check (eval:check) on the committed real runs', () => {
  it("the editor engine's regret is no worse than eval/result.json, and its edits stay within what the cluster reads and holds", async function () {
    this.timeout(900_000);
    const runs = path.join(ROOT, 'eval', 'runs');
    const grid = path.join(ROOT, 'eval', 'grid.json');
    const gt = await loadGroundTruth(runs, grid);
    const result = evaluate(gt, engineUnderTest(runs, grid, path.join(ROOT, 'eval', 'old-engine.json')));
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'eval', 'result.json'), 'utf8')) as EvaluationResult;
    assert.strictEqual(result.data.runs, 144);
    assert.strictEqual(committed.data.runs, 144);
    for (const o of EVAL_OBJECTIVES) {
      // 6 workloads × 3 start configurations × 2 runs each: 36 edits per objective, all standalone keys.
      assert.strictEqual(result.recommendation.editor[o].overall.n, 36);
      assert.strictEqual(result.recommendation.editor[o].edits.ignoredKeysWritten, 0, o);
      assert.deepStrictEqual(result.recommendation.editor[o].edits.exceedsCluster, [], o);
      assert.ok(!('spark.executor.instances' in result.recommendation.editor[o].edits.keysWritten), o);
    }
    // The old engine's recorded choices belong to this ground truth: both rows are scored.
    assert.deepStrictEqual(Object.keys(result.recommendation.oldEngine).length, 2);
    assert.deepStrictEqual(checkResult(result, committed), []);
  });

  it('flags a regret that got worse, and any ignored key or configuration exceeding the cluster', () => {
    const now = { n: 1, runtimeRegret: 1.5, coreHoursRegret: 2, memoryRegret: 1, dcuRegret: 1.2, runtimeWithin10: 0, coreHoursWithin10: 0, withinSlowdown: 0 };
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.5, coreHoursRegret: 2 }), []);
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.4, coreHoursRegret: 2 }), ['runtime regret']);
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.6, coreHoursRegret: 1.9 }), ['core-hours regret']);
    assert.deepStrictEqual(worseThanCommitted(now, { dcuRegret: 1.1 }, ['dcuRegret']), ['DCU regret']);
    assert.deepStrictEqual(worseThanCommitted({ ...now, runtimeRegret: NaN }, { runtimeRegret: 1.6, coreHoursRegret: 2 }), ['runtime regret']);
    const edits = { onGrid: 0, ignoredKeysWritten: 0, exceedsCluster: [] as string[], keysWritten: {}, unchanged: 0 };
    const set = { description: '', overall: now, perWorkload: {}, perStart: {}, choices: [], edits };
    const result = { recommendation: { editor: { runtime: set, cost: set, balanced: { ...set, edits: { ...edits, ignoredKeysWritten: 1, exceedsCluster: ['too big'] } } } } } as unknown as EvaluationResult;
    assert.deepStrictEqual(checkResult(result, null), ['balanced: 1 key(s) written that the cluster manager ignores', 'balanced: 1 configuration(s) exceeding the cluster (too big)']);
  });
});
