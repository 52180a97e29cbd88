/**
 * One full evaluation: ground truth → prediction error, noise, recommendation regret of the engine (cross-validated
 * and with its default tuning) and of every baseline → one JSON-able result. Used by main.ts (`npm run eval`).
 */
import { BASELINES, type Chooser } from './baselines';
import {
  type ChoiceScore,
  type ChoiceSummary,
  crossValidate,
  type EvalSetup,
  gridFacts,
  noiseOf,
  type NumericTuning,
  oracleSummary,
  type Predictor,
  predictionPairs,
  predictionSummary,
  scoreChooser,
  summarise,
} from './evaluate';
import type { GroundTruth, WorkloadGrid } from './ground-truth';

/** A chooser's scores, overall and per workload. */
export interface ChooserResultSet {
  description: string;
  overall: ChoiceSummary;
  perWorkload: Record<string, ChoiceSummary>;
  /** By start configuration (the run the recommendation started from). */
  perStart: Record<string, ChoiceSummary>;
  /** Chosen configuration per (workload, start run). */
  choices: { workload: string; start: string; startAppId: string; chosen: string; runtimeRegret: number; coreHoursRegret: number }[];
}

/** Prediction error of one predictor. */
export interface PredictionResult {
  description: string;
  overall: ReturnType<typeof predictionSummary> & { asked: number };
  perWorkload: Record<string, ReturnType<typeof predictionSummary>>;
}

/** Everything `npm run eval` computes (written to eval/result.json). */
export interface EvaluationResult {
  data: {
    runs: number;
    workloads: string[];
    configurations: number;
    sparkVersions: string[];
    grid: ReturnType<typeof gridFacts>;
  };
  setup: EvalSetup & { crossValidation: string };
  noise: { overall: ReturnType<typeof noiseOf>; perWorkload: Record<string, ReturnType<typeof noiseOf>> };
  prediction: { simulation: PredictionResult; engine: PredictionResult };
  recommendation: {
    engine: ChooserResultSet & { folds: { heldOut: string; tuning: NumericTuning; trainObjective: number }[] };
    engineDefaultTuning: ChooserResultSet;
    baselines: Record<string, ChooserResultSet>;
    oracle: ReturnType<typeof oracleSummary>;
  };
}

/** The engine as the evaluation needs it (engine.ts; passed in so this module does not depend on it). */
export interface EngineUnderTest {
  makeChooser: (tuning: NumericTuning) => Chooser;
  defaultTuning: NumericTuning;
  simulation: Predictor;
  makePredictor: (cluster: EvalSetup['cluster']) => Predictor;
}

function resultSet(description: string, workloads: readonly WorkloadGrid[], scores: ChoiceScore[]): ChooserResultSet {
  return {
    description,
    overall: summarise(scores),
    perWorkload: Object.fromEntries(workloads.map((w) => [w.workload, summarise(scores.filter((s) => s.workload === w.workload))])),
    perStart: Object.fromEntries([...new Set(scores.map((s) => s.startConfigId))].map((id) => [id, summarise(scores.filter((s) => s.startConfigId === id))])),
    choices: scores.map((s) => ({
      workload: s.workload,
      start: s.startConfigId,
      startAppId: s.startAppId,
      chosen: s.chosenConfigId,
      runtimeRegret: s.runtimeRegret,
      coreHoursRegret: s.coreHoursRegret,
    })),
  };
}

function predictionResult(description: string, workloads: readonly WorkloadGrid[], predict: Predictor): PredictionResult {
  const { pairs, asked } = predictionPairs(workloads, predict);
  return {
    description,
    overall: { ...predictionSummary(pairs), asked },
    perWorkload: Object.fromEntries(workloads.map((w) => [w.workload, predictionSummary(pairs.filter((p) => p.workload === w.workload))])),
  };
}

/**
 * Runs the whole evaluation.
 * @throws Error when the ground truth has unreadable logs, or a chooser answers outside the grid.
 */
export function evaluate(gt: GroundTruth, engine: EngineUnderTest): EvaluationResult {
  if (gt.failed.length > 0) throw new Error(`event logs that could not be read: ${gt.failed.map((f) => `${f.path}: ${f.reason}`).join('; ')}`);
  const ws = gt.workloads;
  const setup: EvalSetup = { startConfigIds: gt.grid.startConfigIds, cluster: gt.grid.cluster };

  const folds = crossValidate(ws, engine.makeChooser, engine.defaultTuning, setup);
  const cvScores = folds.flatMap((f) => f.scores);
  const baselines = Object.fromEntries(BASELINES.map((b) => [b.name, resultSet(b.description, ws, scoreChooser(ws, b.choose, setup))]));

  const perWorkloadNoise = Object.fromEntries(ws.map((w) => [w.workload, noiseOf([w])]));
  const runs = ws.flatMap((w) => w.cells.flatMap((c) => c.runs));
  return {
    data: {
      runs: runs.length,
      workloads: ws.map((w) => w.workload),
      configurations: gt.grid.configurations.length,
      sparkVersions: [...new Set(runs.map((r) => r.record.sparkVersion ?? 'unknown'))].sort(),
      grid: gridFacts(gt),
    },
    setup: { ...setup, crossValidation: 'leave-one-workload-out: Tuning chosen by coordinate search on the other workloads, scored on the held-out one' },
    noise: { overall: noiseOf(ws), perWorkload: perWorkloadNoise },
    prediction: {
      simulation: predictionResult('what-if simulation (simulateRun) at the target executors × cores', ws, engine.simulation),
      engine: predictionResult("engine's model (recommendResources expectedDurationMs, default tuning) at the target configuration", ws, engine.makePredictor(setup.cluster)),
    },
    recommendation: {
      engine: {
        ...resultSet('engine (recommendResources), Tuning cross-validated leave-one-workload-out', ws, cvScores),
        folds: folds.map((f) => ({ heldOut: f.heldOut, tuning: f.tuning, trainObjective: f.trainObjective })),
      },
      engineDefaultTuning: resultSet('engine (recommendResources) with DEFAULT_TUNING', ws, scoreChooser(ws, engine.makeChooser({}), setup)),
      baselines,
      oracle: oracleSummary(ws),
    },
  };
}
