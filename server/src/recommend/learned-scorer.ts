/**
 * A learned candidate scorer: the "ML recommender trained on history" of the product's design, as a scorer the one
 * engine (engine.ts) can use for its candidates instead of the replay model (model.ts), behind a switch
 * (`PlanOptions.learnedScorer`; off unless a scorer is given).
 *
 * It is a random forest of regression trees (mljs `ml-random-forest`, pure JavaScript, so it loads in VS Code's
 * extension host as in Node) that predicts, from one past run of a job and a candidate configuration, the log of the
 * ratio between the candidate's wall time and that run's ({@link learnedFeatures} lists the inputs: the run's workload
 * features from the store, recommend/similar-workloads.ts, its configuration, the candidate's configuration). A candidate's
 * duration is the run's duration × e^prediction; its cost follows from the duration through the resource model
 * (`shapeCost`), as for every candidate. Trained on measured runs of other jobs on the same cluster (the evaluation
 * trains it on the benchmark's tuning set only, server/src/evaluation/learned.ts).
 */
import { RandomForestRegression } from 'ml-random-forest';
import type { ApplicationRecord } from '../history/application-record';
import { taskSlots } from '../resource-model';
import { DEFAULT_TUNING, type Prediction, type ResourceChoice, runChoice, sameChoice, type Tuning } from './model';
import { workloadFeatures, FEATURE_KEYS } from './similar-workloads';
import { driverOnlyTimeMs } from './what-if';

/** One training example: a past run, a configuration, and the wall time measured at that configuration (ms). */
export interface LearnedSample {
  run: ApplicationRecord;
  target: ResourceChoice;
  durationMs: number;
}

/** Names of the inputs, in the order of {@link learnedFeatures}. */
export const LEARNED_FEATURE_NAMES = [
  ...FEATURE_KEYS,
  'log2 run executor memory MiB',
  'log2 run executor cores',
  'log2 run executor instances',
  'log2 run shuffle partitions',
  'log2 run task slots',
  'log2 candidate executor memory MiB',
  'log2 candidate executor cores',
  'log2 candidate executor instances',
  'log2 candidate shuffle partitions',
  'log2 candidate task slots',
  'log2 candidate slots / run slots',
  'log10 run duration ms',
  'run driver-only share',
] as const;

/**
 * The inputs for predicting configuration `c` from run `r` whose configuration was `rc`: the run's workload features
 * (a missing CPU share as −1), both configurations (log2), the slot ratio, the run's duration (log10 ms) and its
 * driver-only share of the wall time.
 */
export function learnedFeatures(r: ApplicationRecord, rc: ResourceChoice, c: ResourceChoice): number[] {
  const f = workloadFeatures(r);
  const slots = (x: ResourceChoice) => x.executorInstances * taskSlots(x.executorCores);
  const cfg = (x: ResourceChoice) => [
    Math.log2(x.executorMemoryMiB),
    Math.log2(x.executorCores),
    Math.log2(x.executorInstances),
    Math.log2(x.shufflePartitions),
    Math.log2(slots(x)),
  ];
  return [
    ...FEATURE_KEYS.map((k) => f[k] ?? -1),
    ...cfg(rc),
    ...cfg(c),
    Math.log2(slots(c) / slots(rc)),
    Math.log10(Math.max(1, r.durationMs)),
    r.durationMs > 0 ? driverOnlyTimeMs(r) / r.durationMs : 0,
  ];
}

/** Options of the forest (fixed: nothing is tuned on an evaluation's test set). */
export const LEARNED_FOREST_OPTIONS = {
  nEstimators: 60,
  maxFeatures: 0.6,
  replacement: false,
  useSampleBagging: true,
  noOOB: true,
  seed: 14,
  treeOptions: { maxDepth: 12, minNumSamples: 3 },
};

/** The trained scorer. */
export class LearnedScorer {
  private constructor(
    private readonly forest: RandomForestRegression,
    /** What it was trained on, in words. */
    readonly description: string,
    /** Training examples. */
    readonly samples: number,
  ) {}

  /**
   * Trains a forest on measured examples (runs of known shape and positive durations only).
   * @throws RangeError when no example is usable.
   */
  static train(samples: readonly LearnedSample[], description: string): LearnedScorer {
    const x: number[][] = [];
    const y: number[] = [];
    for (const s of samples) {
      const rc = runChoice(s.run);
      if (rc === null || !(s.run.durationMs > 0) || !(s.durationMs > 0)) continue;
      x.push(learnedFeatures(s.run, rc, s.target));
      y.push(Math.log(s.durationMs / s.run.durationMs));
    }
    if (x.length === 0) throw new RangeError('no usable training example (runs of known shape with durations)');
    const forest = new RandomForestRegression(LEARNED_FOREST_OPTIONS);
    forest.train(x, y);
    return new LearnedScorer(forest, description, x.length);
  }

  /** Predicted wall time (ms) of `c` for a job, from its run `r` (configuration `rc`). */
  predictFrom(r: ApplicationRecord, rc: ResourceChoice, c: ResourceChoice): number {
    return r.durationMs * Math.exp(this.forest.predict([learnedFeatures(r, rc, c)])[0]);
  }
}

/**
 * A job's duration model from the learned scorer (the interface of model.ts `WorkloadModel.predict`): the geometric mean of
 * the predictions from the job's newest finished runs of known shape (at most 5); runs measured at exactly the
 * configuration are averaged in, each weighing `measuredWeight` times the prediction, as `WorkloadModel` does.
 */
export class LearnedModel {
  private readonly bases: { r: ApplicationRecord; c: ResourceChoice }[];

  constructor(
    runs: readonly ApplicationRecord[],
    private readonly scorer: LearnedScorer,
    private readonly tuning: Tuning = DEFAULT_TUNING,
  ) {
    const finished = runs.filter((r) => r.completed);
    this.bases = (finished.length > 0 ? finished : [...runs])
      .map((r) => ({ r, c: runChoice(r) }))
      .filter((b): b is { r: ApplicationRecord; c: ResourceChoice } => b.c !== null && b.r.durationMs > 0)
      .sort((a, b) => b.r.startTimeMs - a.r.startTimeMs);
  }

  /** Predicts the wall time of `c`. */
  predict(c: ResourceChoice): Prediction {
    const use = this.bases.slice(0, 5);
    if (use.length === 0) return { durationMs: null, basedOn: null, measured: [] };
    const logMean = use.reduce((a, b) => a + Math.log(this.scorer.predictFrom(b.r, b.c, c)), 0) / use.length;
    let durationMs = Math.exp(logMean);
    const measured = this.bases.filter((b) => sameChoice(b.c, c));
    if (measured.length > 0) {
      const m = measured.reduce((a, x) => a + x.r.durationMs, 0) / measured.length;
      const wm = this.tuning.measuredWeight * measured.length;
      durationMs = (wm * m + durationMs) / (wm + 1);
    }
    return { durationMs, basedOn: use[0].r.appId, measured: measured.map((b) => b.r.appId) };
  }
}
