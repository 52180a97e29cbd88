/**
 * One full evaluation: ground truth → prediction error, noise, recommendation regret of the editor's engine for every
 * objective (scored on the exact edit its quick fix writes, engine.ts), of every baseline and of the old engine's
 * recorded choices → one JSON-able result. Used by main.ts (`npm run eval`).
 */
import type { ApplicationRecord } from '../history/application-record';
import { BASELINES, type Chooser } from './baselines';
import type { EditFacts } from './engine';
import {
  type ChoiceScore,
  type ChoiceSummary,
  type ConfigurationNoise,
  configurationNoise,
  type EvalSetup,
  gridFacts,
  HISTORY_KINDS,
  type HistoryCase,
  historyCases,
  type HistoryKind,
  noiseOf,
  oracleSummary,
  type Predictor,
  predictionPairs,
  predictionSummary,
  randomChoiceScores,
  scoreCases,
  scoreRecorded,
  type StageDiagnosis,
  stageDiagnosis,
  summarise,
} from './evaluate';
import { EVAL_SETS, type EvalSet, type GroundTruth, plannedRuns, type WorkloadGrid } from './ground-truth';
import { targetsOf } from './targets';

/** The objectives the editor's engine is scored for. */
export const EVAL_OBJECTIVES = ['runtime', 'cost', 'balanced'] as const;
/** One of {@link EVAL_OBJECTIVES}. */
export type EvalObjective = (typeof EVAL_OBJECTIVES)[number];

/** Slices a result is reported in: `<set>/<history>`, set ∈ all, tuning, test; history ∈ {@link HISTORY_KINDS}. */
export type SliceKey = `${'all' | EvalSet}/${HistoryKind}`;

/** A chooser's scores, overall and per workload. */
export interface ChooserResultSet {
  description: string;
  /** From one start run, all workloads (the figure earlier results reported). */
  overall: ChoiceSummary;
  /** Per set of the sealed split and history ({@link SliceKey}); `all/…` covers every workload. */
  slices: Partial<Record<SliceKey, ChoiceSummary>>;
  /** From one start run, per workload. */
  perWorkload: Record<string, ChoiceSummary>;
  /** From one start run, by start configuration (the run the recommendation started from). */
  perStart: Record<string, ChoiceSummary>;
  /** Chosen configuration per (workload, history, start runs); empty for expectations (random choice). */
  choices: {
    workload: string;
    history: HistoryKind;
    start: string;
    startAppId: string;
    chosen: string;
    runtimeRegret: number;
    coreHoursRegret: number;
    memoryRegret: number;
    balancedRegret: number;
    failed: boolean;
    spilledMore: boolean;
  }[];
}

/** The editor's engine for one objective, with what its edits wrote. */
export interface EditorResultSet extends ChooserResultSet {
  edits: {
    /** Edits whose read-back configuration was a grid configuration (the rest were mapped to the nearest). */
    onGrid: number;
    /** Keys written that the cluster manager ignores (must be 0). */
    ignoredKeysWritten: number;
    /** Read-back configurations that did not fit the declared cluster (must be 0), with why. */
    exceedsCluster: string[];
    /** How often each key was written. */
    keysWritten: Record<string, number>;
    /** Edits that wrote nothing (the plan kept the start configuration). */
    unchanged: number;
  };
}

/** Prediction error of one predictor. */
export interface PredictionResult {
  description: string;
  overall: ReturnType<typeof predictionSummary> & { asked: number };
  perWorkload: Record<string, ReturnType<typeof predictionSummary>>;
  /** Per workload kind (manifest `kind`: cpu, wait); empty when the manifest names none. */
  perKind: Record<string, ReturnType<typeof predictionSummary>>;
  /** Per `<set>/<kind>` (tuning/test × cpu/wait) when the manifest has a split; absent in results made before it. */
  perSetKind?: Record<string, ReturnType<typeof predictionSummary>>;
}

/** One target of issue 14, stated as met or not. */
export interface TargetResult {
  target: string;
  met: boolean;
  /** The figures it was judged on, in words. */
  detail: string;
}

/** Everything `npm run eval` computes (written to eval/result.json, eval/benchmark/result.json). */
export interface EvaluationResult {
  data: {
    runs: number;
    /** Runs whose job failed (scored as ground-truth.ts `FAILURE_PENALTY` says). */
    failedRuns?: number;
    /** Runs the grid plans (ground-truth.ts `plannedRuns`); fewer `runs` than this is a partial grid. */
    plannedRuns?: number;
    workloads: string[];
    configurations: number;
    sparkVersions: string[];
    grid: ReturnType<typeof gridFacts>;
    /** Workload → kind and set (benchmark manifests). */
    workloadInfo?: Record<string, { kind: string | null; set: EvalSet | null }>;
  };
  setup: EvalSetup & { maxSlowdown: number };
  noise: {
    overall: ReturnType<typeof noiseOf>;
    perWorkload: Record<string, ReturnType<typeof noiseOf>>;
    perKind?: Record<string, ReturnType<typeof noiseOf>>;
    /** Every configuration with two successful runs or more. */
    perConfiguration?: ConfigurationNoise[];
  };
  prediction: {
    simulation: PredictionResult;
    engine: PredictionResult;
    /** The simulation's shape-only error split into driver-only and stage time, per kind (and `all`). */
    stageDiagnosis?: Record<string, StageDiagnosis>;
  };
  recommendation: {
    /** The editor's engine, per objective. */
    editor: Record<EvalObjective, EditorResultSet>;
    /** The editor's engine with the learned candidate scorer switched on, per objective (when one was trained). */
    learned?: Partial<Record<EvalObjective, EditorResultSet>>;
    /** How the learned scorer was trained (null: none). */
    learnedModel?: { description: string; trainedOn: string[]; samples: number } | null;
    baselines: Record<string, ChooserResultSet>;
    /** The engine before issue 13, from its recorded choices (eval/old-engine.json); empty for another ground truth. */
    oldEngine: Record<string, ChooserResultSet>;
    oracle: ReturnType<typeof oracleSummary>;
  };
  /** Issue 14's targets, on the test set (empty without a split). */
  targets?: TargetResult[];
}

/** A learned candidate scorer trained for the evaluation (engine.ts), and how. */
export interface LearnedScorerUnderTest {
  description: string;
  trainedOn: string[];
  samples: number;
  makeChooser: (objective: EvalObjective, maxSlowdown: number, onEdit: (facts: EditFacts) => void) => Chooser;
}

/** The engine as the evaluation needs it (engine.ts; passed in so this module does not depend on it). */
export interface EngineUnderTest {
  makeChooser: (objective: EvalObjective, maxSlowdown: number, onEdit: (facts: EditFacts) => void) => Chooser;
  simulation: Predictor;
  predictor: Predictor;
  /** The engine's model given the cluster's runs (the tuning set's, or all when there is no split); used instead of `predictor` when present. */
  predictorFor?: (clusterRuns: readonly ApplicationRecord[]) => Predictor;
  /** Recorded choices of earlier engines, by row name (already checked to belong to this ground truth). */
  recorded?: Record<
    string,
    { description: string; choices: { workload: string; start: string; startAppId: string; chosen: string }[] }
  >;
  /** Trains the learned candidate scorer on the tuning set's workloads (absent: no learned rows). */
  trainLearned?: (tuning: readonly WorkloadGrid[]) => LearnedScorerUnderTest | null;
}

const SLICE_SETS = ['all', ...EVAL_SETS] as const;

function slicesOf(scores: readonly ChoiceScore[]): Partial<Record<SliceKey, ChoiceSummary>> {
  const out: Partial<Record<SliceKey, ChoiceSummary>> = {};
  for (const set of SLICE_SETS) {
    for (const h of HISTORY_KINDS) {
      const xs = scores.filter((s) => (s.history ?? 'one') === h && (set === 'all' || s.set === set));
      if (xs.length > 0) out[`${set}/${h}`] = summarise(xs);
    }
  }
  return out;
}

function resultSet(
  description: string,
  workloads: readonly WorkloadGrid[],
  scores: ChoiceScore[],
  keepChoices = true,
): ChooserResultSet {
  const one = scores.filter((s) => (s.history ?? 'one') === 'one');
  return {
    description,
    overall: summarise(one),
    slices: slicesOf(scores),
    perWorkload: Object.fromEntries(
      workloads.map((w) => [w.workload, summarise(one.filter((s) => s.workload === w.workload))]),
    ),
    perStart: Object.fromEntries(
      [...new Set(one.map((s) => s.startConfigId))].map((id) => [
        id,
        summarise(one.filter((s) => s.startConfigId === id)),
      ]),
    ),
    choices: keepChoices
      ? scores.map((s) => ({
          workload: s.workload,
          history: s.history ?? 'one',
          start: s.startConfigId,
          startAppId: s.startAppId,
          chosen: s.chosenConfigId,
          runtimeRegret: s.runtimeRegret,
          coreHoursRegret: s.coreHoursRegret,
          memoryRegret: s.memoryRegret,
          balancedRegret: s.balancedRegret ?? NaN,
          failed: s.chosenFailed ?? false,
          spilledMore: s.spilledMore ?? false,
        }))
      : [],
  };
}

function predictionResult(
  description: string,
  workloads: readonly WorkloadGrid[],
  predict: Predictor,
): PredictionResult {
  const { pairs, asked } = predictionPairs(workloads, predict);
  const kinds = [...new Set(workloads.map((w) => w.kind).filter((k): k is string => k !== null))];
  return {
    description,
    overall: { ...predictionSummary(pairs), asked },
    perWorkload: Object.fromEntries(
      workloads.map((w) => [w.workload, predictionSummary(pairs.filter((p) => p.workload === w.workload))]),
    ),
    perKind: Object.fromEntries(kinds.map((k) => [k, predictionSummary(pairs.filter((p) => p.kind === k))])),
    perSetKind: Object.fromEntries(
      EVAL_SETS.flatMap((set) => {
        const names = new Set(workloads.filter((w) => w.set === set).map((w) => w.workload));
        return kinds
          .map((k): [string, ReturnType<typeof predictionSummary>] => [
            `${set}/${k}`,
            predictionSummary(pairs.filter((p) => p.kind === k && names.has(p.workload))),
          ])
          .filter(([, v]) => v.nAll > 0);
      }),
    ),
  };
}

const DESCRIPTIONS: Record<EvalObjective, string> = {
  runtime: "editor engine, objective runtime: the quick fix's edit of the job file, read back and mapped to the grid",
  cost: 'editor engine, objective cost (DataFlint Compute Units, no prices set)',
  balanced: 'editor engine, objective balanced (least cost within 10 % of the fastest)',
};

/** Scores the editor engine's chooser for every objective on the cases, with the facts of its edits. */
function editorRows(
  make: EngineUnderTest['makeChooser'],
  ws: readonly WorkloadGrid[],
  cases: readonly HistoryCase[],
  setup: EvalSetup,
  maxSlowdown: number,
  describe: (o: EvalObjective) => string,
): Record<EvalObjective, EditorResultSet> {
  return Object.fromEntries(
    EVAL_OBJECTIVES.map((objective) => {
      const facts: EditFacts[] = [];
      const scores = scoreCases(
        cases,
        make(objective, maxSlowdown, (f) => facts.push(f)),
        setup,
        maxSlowdown,
      );
      const keysWritten: Record<string, number> = {};
      for (const f of facts) for (const k of f.keysWritten) keysWritten[k] = (keysWritten[k] ?? 0) + 1;
      const set: EditorResultSet = {
        ...resultSet(describe(objective), ws, scores),
        edits: {
          onGrid: facts.filter((f) => f.onGrid).length,
          ignoredKeysWritten: facts.reduce((n, f) => n + f.ignoredKeysWritten.length, 0),
          exceedsCluster: facts.filter((f) => f.exceedsCluster !== null).map((f) => f.exceedsCluster as string),
          keysWritten,
          unchanged: facts.filter((f) => f.keysWritten.length === 0).length,
        },
      };
      return [objective, set];
    }),
  ) as Record<EvalObjective, EditorResultSet>;
}

/** Name of the random-choice baseline row. */
export const RANDOM_BASELINE = 'random choice (expected)';

/**
 * Runs the whole evaluation.
 * @param maxSlowdown the balanced objective's slowdown (fraction).
 * @throws Error when the ground truth has unreadable logs, or a chooser answers outside the grid.
 */
export function evaluate(gt: GroundTruth, engine: EngineUnderTest, maxSlowdown = 0.1): EvaluationResult {
  if (gt.failed.length > 0)
    throw new Error(`event logs that could not be read: ${gt.failed.map((f) => `${f.path}: ${f.reason}`).join('; ')}`);
  const ws = gt.workloads;
  const setup: EvalSetup = {
    startConfigIds: gt.grid.startConfigIds,
    cluster: gt.grid.cluster,
    defaultConfigId: gt.grid.defaultConfigId,
  };
  const cases = historyCases(ws, setup);

  const editor = editorRows(engine.makeChooser, ws, cases, setup, maxSlowdown, (o) => DESCRIPTIONS[o]);
  const tuning = ws.filter((w) => w.set === 'tuning');
  const learnedScorer = tuning.length > 0 ? (engine.trainLearned?.(tuning) ?? null) : null;
  const learned =
    learnedScorer === null
      ? undefined
      : editorRows(
          learnedScorer.makeChooser,
          ws,
          cases,
          setup,
          maxSlowdown,
          (o) => `${DESCRIPTIONS[o]}, with the learned candidate scorer (${learnedScorer.description})`,
        );
  const baselines: Record<string, ChooserResultSet> = Object.fromEntries(
    BASELINES.map((b) => [b.name, resultSet(b.description, ws, scoreCases(cases, b.choose, setup, maxSlowdown))]),
  );
  baselines[RANDOM_BASELINE] = resultSet(
    'a configuration drawn uniformly from the grid: its expected regret, computed exactly over every configuration (the floor a lucky rule gets)',
    ws,
    randomChoiceScores(cases, maxSlowdown),
    false,
  );
  const oldEngine = Object.fromEntries(
    Object.entries(engine.recorded ?? {}).map(([name, r]) => [
      name,
      resultSet(r.description, ws, scoreRecorded(ws, r.choices)),
    ]),
  );

  const kinds = [...new Set(ws.map((w) => w.kind).filter((k): k is string => k !== null))];
  const runs = ws.flatMap((w) => w.cells.flatMap((c) => c.runs));
  const result: EvaluationResult = {
    data: {
      runs: runs.length,
      failedRuns: runs.filter((r) => r.failed).length,
      plannedRuns: plannedRuns(gt.grid),
      workloads: ws.map((w) => w.workload),
      configurations: gt.grid.configurations.length,
      sparkVersions: [...new Set(runs.map((r) => r.record.sparkVersion ?? 'unknown'))].sort(),
      grid: gridFacts(gt),
      workloadInfo: Object.fromEntries(ws.map((w) => [w.workload, { kind: w.kind, set: w.set }])),
    },
    setup: { ...setup, maxSlowdown },
    noise: {
      overall: noiseOf(ws),
      perWorkload: Object.fromEntries(ws.map((w) => [w.workload, noiseOf([w])])),
      perKind: Object.fromEntries(kinds.map((k) => [k, noiseOf(ws.filter((w) => w.kind === k))])),
      perConfiguration: configurationNoise(ws),
    },
    prediction: {
      simulation: predictionResult(
        'what-if simulation (simulateRun) at the target executors × cores',
        ws,
        engine.simulation,
      ),
      engine: predictionResult(
        engine.predictorFor === undefined
          ? "engine's model (recommend/model.ts WorkloadModel of the one run) at the target configuration"
          : "engine's model (recommend/model.ts WorkloadModel of the one run, with the cluster's facts (recommend/capacity.ts clusterFacts: CPU capacity per host, CPU growth, executor start-up line) of the cluster's runs: the tuning set's, or every run without a split) at the target configuration",
        ws,
        engine.predictorFor === undefined
          ? engine.predictor
          : engine.predictorFor(
              (tuning.length > 0 ? tuning : ws).flatMap((w) =>
                w.cells.flatMap((c) => c.runs.filter((r) => !r.failed).map((r) => r.record)),
              ),
            ),
      ),
      stageDiagnosis: Object.fromEntries([
        ['all', stageDiagnosis(ws)] as const,
        ...kinds.map((k) => [k, stageDiagnosis(ws.filter((w) => w.kind === k))] as const),
      ]),
    },
    recommendation: {
      editor,
      learned,
      learnedModel:
        learnedScorer === null
          ? null
          : {
              description: learnedScorer.description,
              trainedOn: learnedScorer.trainedOn,
              samples: learnedScorer.samples,
            },
      baselines,
      oldEngine,
      oracle: oracleSummary(ws, maxSlowdown),
    },
  };
  result.targets = targetsOf(result);
  return result;
}
