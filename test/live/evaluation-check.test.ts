/**
 * What `npm run eval:check` does, inside `npm test` so CI runs it: the evaluation recomputed on the committed real runs
 * (eval/runs), scoring the editor's engine on the exact edit its quick fix writes, must not give it a worse regret on
 * any objective than the committed eval/result.json, and no edit may write a key the cluster manager ignores or a
 * configuration exceeding the declared cluster.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkResult, worseThanCommitted } from '../../server/src/evaluation/check';
import { editorChooser, engineUnderTest, submitScriptOf } from '../../server/src/evaluation/engine';
import { loadGroundTruth } from '../../server/src/evaluation/ground-truth';
import { EVAL_OBJECTIVES, type EvaluationResult, evaluate } from '../../server/src/evaluation/run';
import { EVAL_DIR } from '../helpers/fixtures';

describe('evaluation regression check (eval:check) on the committed real runs', () => {
  it("the editor engine's regret is no worse than eval/result.json, and its edits stay within what the cluster reads and holds", async function () {
    this.timeout(900_000);
    const runs = path.join(EVAL_DIR, 'runs');
    const grid = path.join(EVAL_DIR, 'grid.json');
    const gt = await loadGroundTruth(runs, grid);
    const result = evaluate(gt, engineUnderTest(runs, grid, path.join(EVAL_DIR, 'old-engine.json')));
    const committed = JSON.parse(fs.readFileSync(path.join(EVAL_DIR, 'result.json'), 'utf8')) as EvaluationResult;
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

  it("writes the start run's spark-submit script from its event log and scores the edit the quick fix makes to it", async function () {
    this.timeout(300_000);
    const gt = await loadGroundTruth(path.join(EVAL_DIR, 'runs'), path.join(EVAL_DIR, 'grid.json'));
    const tiny = gt.workloads.find((w) => w.workload === 'tiny_tasks')!;
    // manifest.json: app-20261121144310-0004 is tiny_tasks at "default" (1g, 1 executor × 2 cores, spark.cores.max 2, 200 partitions).
    const start = tiny.cells
      .find((c) => c.configId === 'default')!
      .runs.find((r) => r.record.appId === 'app-20261121144310-0004')!.record;
    const script = submitScriptOf(start).split('\n');
    assert.deepStrictEqual(
      script.slice(4, 8).map((l) => l.trim()),
      [
        '--executor-memory 1g \\',
        '--executor-cores 2 \\',
        '--total-executor-cores 2 \\',
        '--conf spark.sql.shuffle.partitions=200 \\',
      ],
    );
    assert.match(script[2], /^ {2}--master spark:\/\/127\.0\.0\.1:\d+ \\$/);
    // Whatever each objective asks for, it is a grid configuration within the worker (2 cores, 6144 MiB) once mapped,
    // and what the edit wrote fits that worker and uses only keys a standalone master reads.
    for (const objective of ['runtime', 'cost', 'balanced'] as const) {
      const facts: {
        ignoredKeysWritten: string[];
        exceedsCluster: string | null;
        readBack: { executorInstances: number; executorCores: number };
      }[] = [];
      const r = editorChooser(objective, 0.1, (f) => facts.push(f))([start], {
        candidates: tiny.cells.map((c) => c.choice),
        cluster: gt.grid.cluster,
      });
      assert.ok(
        tiny.cells.some((c) => c.choice === r.choice),
        objective,
      );
      assert.deepStrictEqual([facts[0].ignoredKeysWritten, facts[0].exceedsCluster], [[], null], objective);
      assert.ok(facts[0].readBack.executorInstances * facts[0].readBack.executorCores <= 2, objective);
    }
  });

  it('flags a regret that got worse, and any ignored key or configuration exceeding the cluster', () => {
    const now = {
      n: 1,
      runtimeRegret: 1.5,
      coreHoursRegret: 2,
      memoryRegret: 1,
      dcuRegret: 1.2,
      runtimeWithin10: 0,
      coreHoursWithin10: 0,
      withinSlowdown: 0,
    };
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.5, coreHoursRegret: 2 }), []);
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.4, coreHoursRegret: 2 }), ['runtime regret']);
    assert.deepStrictEqual(worseThanCommitted(now, { runtimeRegret: 1.6, coreHoursRegret: 1.9 }), [
      'core-hours regret',
    ]);
    assert.deepStrictEqual(worseThanCommitted(now, { dcuRegret: 1.1 }, ['dcuRegret']), ['DCU regret']);
    assert.deepStrictEqual(
      worseThanCommitted({ ...now, runtimeRegret: NaN }, { runtimeRegret: 1.6, coreHoursRegret: 2 }),
      ['runtime regret'],
    );
    const edits = { onGrid: 0, ignoredKeysWritten: 0, exceedsCluster: [] as string[], keysWritten: {}, unchanged: 0 };
    const set = { description: '', overall: now, perWorkload: {}, perStart: {}, choices: [], edits };
    const result = {
      recommendation: {
        editor: {
          runtime: set,
          cost: set,
          balanced: { ...set, edits: { ...edits, ignoredKeysWritten: 1, exceedsCluster: ['too big'] } },
        },
      },
    } as unknown as EvaluationResult;
    assert.deepStrictEqual(checkResult(result, null), [
      'balanced: 1 key(s) written that the cluster manager ignores',
      'balanced: 1 configuration(s) exceeding the cluster (too big)',
    ]);
  });
});
