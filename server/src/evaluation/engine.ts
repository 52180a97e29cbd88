/**
 * The engine under evaluation, seen through the evaluation's chooser and predictor shapes: `recommendResources` and
 * `DEFAULT_TUNING` of recommend/resources.ts and `simulateRun` of recommend/what-if.ts (the engine/evaluation contract).
 */
import { DEFAULT_TUNING, recommendResources, type Tuning } from '../recommend/resources';
import { simulateRun } from '../recommend/what-if';
import type { Chooser, ChooserOptions } from './baselines';
import type { NumericTuning, Predictor } from './evaluate';

/** The engine's default tuning as plain numbers (every field of `Tuning` is a number by contract). */
export const ENGINE_DEFAULT_TUNING: NumericTuning = { ...(DEFAULT_TUNING as unknown as NumericTuning) };

/** The engine as a chooser: `recommendResources(runs, { candidates, cluster, tuning })`. */
export function engineChooser(tuning: NumericTuning = {}): Chooser {
  return (runs, options) => recommendResources(runs, { candidates: options.candidates, cluster: options.cluster, tuning: tuning as Partial<Tuning> });
}

/** The what-if simulation alone as a predictor: `simulateRun` at the target's executors × cores (memory and partitions ignored). */
export const simulationPredictor: Predictor = (run, target) =>
  simulateRun(run, { executorInstances: target.executorInstances, executorCores: target.executorCores })?.durationMs ?? null;

/** The engine's full model as a predictor: `recommendResources([run], { candidates: [target] }).expectedDurationMs`. */
export function enginePredictor(cluster: ChooserOptions['cluster'], tuning: NumericTuning = {}): Predictor {
  return (run, target) => recommendResources([run], { candidates: [target], cluster, tuning: tuning as Partial<Tuning> }).expectedDurationMs;
}
