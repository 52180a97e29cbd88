/**
 * What `npm run eval:check` does, inside `npm test` so CI runs it: the evaluation recomputed on the committed real runs
 * (eval/runs) must not give the engine a worse overall regret (runtime or core-hours) than the committed
 * eval/result.json.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { worseThanCommitted } from '../server/src/evaluation/check';
import { ENGINE_DEFAULT_TUNING, engineChooser, enginePredictor, simulationPredictor } from '../server/src/evaluation/engine';
import { loadGroundTruth } from '../server/src/evaluation/ground-truth';
import { type EvaluationResult, evaluate } from '../server/src/evaluation/run';

const ROOT = path.join(__dirname, '..', '..');

describe('evaluation regression check (eval:check) on the committed real runs', () => {
  it("the engine's regret is no worse than eval/result.json", async function () {
    this.timeout(600_000);
    const gt = await loadGroundTruth(path.join(ROOT, 'eval', 'runs'), path.join(ROOT, 'eval', 'grid.json'));
    const result = evaluate(gt, {
      makeChooser: engineChooser,
      defaultTuning: ENGINE_DEFAULT_TUNING,
      simulation: simulationPredictor,
      makePredictor: (cluster) => enginePredictor(cluster),
    });
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'eval', 'result.json'), 'utf8')) as EvaluationResult;
    assert.strictEqual(result.data.runs, 144);
    assert.strictEqual(committed.data.runs, 144);
    assert.strictEqual(result.recommendation.engine.overall.n, committed.recommendation.engine.overall.n);
    assert.deepStrictEqual(worseThanCommitted(result.recommendation.engine.overall, committed.recommendation.engine.overall), []);
  });

  it('flags a regret that got worse (runtime, core-hours or both)', () => {
    const now = { n: 1, runtimeRegret: 1.5, coreHoursRegret: 2, memoryRegret: 1, runtimeWithin10: 0, coreHoursWithin10: 0 };
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.5, coreHoursRegret: 2 }), []);
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.4, coreHoursRegret: 2 }), ['runtime regret']);
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.6, coreHoursRegret: 1.9 }), ['core-hours regret']);
    assert.deepStrictEqual(worseThanCommitted({ ...now, runtimeRegret: NaN }, { runtimeRegret: 1.6, coreHoursRegret: 2 }), ['runtime regret']);
  });
});
