/**
 * One full evaluation: ground truth → prediction error, noise, recommendation regret of the editor's engine for every
 * objective (scored on the exact edit its quick fix writes, engine.ts), of every baseline and of the old engine's
 * recorded choices → one JSON-able result. Used by main.ts (`npm run eval`).
 */
import { BASELINES, type Chooser } from './baselines';
import type { EditFacts } from './engine';
import {
  type ChoiceScore,
  type ChoiceSummary,
  type EvalSetup,
  gridFacts,
  noiseOf,
  oracleSummary,
  type Predictor,
  predictionPairs,
  predictionSummary,
  scoreChooser,
  scoreRecorded,
  summarise,
} from './evaluate';
import type { GroundTruth, WorkloadGrid } from './ground-truth';

/** The objectives the editor's engine is scored for. */
export const EVAL_OBJECTIVES = ['runtime', 'cost', 'balanced'] as const;
/** One of {@link EVAL_OBJECTIVES}. */
export type EvalObjective = (typeof EVAL_OBJECTIVES)[number];

/** A chooser's scores, overall and per workload. */
export interface ChooserResultSet {
  description: string;
  overall: ChoiceSummary;
  perWorkload: Record<string, ChoiceSummary>;
  /** By start configuration (the run the recommendation started from). */
  perStart: Record<string, ChoiceSummary>;
  /** Chosen configuration per (workload, start run). */
  choices: { workload: string; start: string; startAppId: string; chosen: string; runtimeRegret: number; coreHoursRegret: number; memoryRegret: number }[];
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
  setup: EvalSetup & { maxSlowdown: number };
  noise: { overall: ReturnType<typeof noiseOf>; perWorkload: Record<string, ReturnType<typeof noiseOf>> };
  prediction: { simulation: PredictionResult; engine: PredictionResult };
  recommendation: {
    /** The editor's engine, per objective. */
    editor: Record<EvalObjective, EditorResultSet>;
    baselines: Record<string, ChooserResultSet>;
    /** The engine before issue 13, from its recorded choices (eval/old-engine.json); empty for another ground truth. */
    oldEngine: Record<string, ChooserResultSet>;
    oracle: ReturnType<typeof oracleSummary>;
  };
}

/** The engine as the evaluation needs it (engine.ts; passed in so this module does not depend on it). */
export interface EngineUnderTest {
  makeChooser: (objective: EvalObjective, maxSlowdown: number, onEdit: (facts: EditFacts) => void) => Chooser;
  simulation: Predictor;
  predictor: Predictor;
  /** Recorded choices of earlier engines, by row name (already checked to belong to this ground truth). */
  recorded?: Record<string, { description: string; choices: { workload: string; start: string; startAppId: string; chosen: string }[] }>;
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
      memoryRegret: s.memoryRegret,
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

const DESCRIPTIONS: Record<EvalObjective, string> = {
  runtime: 'editor engine, objective runtime: the quick fix\'s edit of the job file, read back and mapped to the grid',
  cost: 'editor engine, objective cost (DataFlint Compute Units, no prices set)',
  balanced: 'editor engine, objective balanced (least cost within 10 % of the fastest)',
};

/**
 * Runs the whole evaluation.
 * @param maxSlowdown the balanced objective's slowdown (fraction).
 * @throws Error when the ground truth has unreadable logs, or a chooser answers outside the grid.
 */
export function evaluate(gt: GroundTruth, engine: EngineUnderTest, maxSlowdown = 0.1): EvaluationResult {
  if (gt.failed.length > 0) throw new Error(`event logs that could not be read: ${gt.failed.map((f) => `${f.path}: ${f.reason}`).join('; ')}`);
  const ws = gt.workloads;
  const setup: EvalSetup = { startConfigIds: gt.grid.startConfigIds, cluster: gt.grid.cluster };

  const editor = Object.fromEntries(
    EVAL_OBJECTIVES.map((objective) => {
      const facts: EditFacts[] = [];
      const scores = scoreChooser(ws, engine.makeChooser(objective, maxSlowdown, (f) => facts.push(f)), setup);
      const keysWritten: Record<string, number> = {};
      for (const f of facts) for (const k of f.keysWritten) keysWritten[k] = (keysWritten[k] ?? 0) + 1;
      const set: EditorResultSet = {
        ...resultSet(DESCRIPTIONS[objective], ws, scores),
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
  const baselines = Object.fromEntries(BASELINES.map((b) => [b.name, resultSet(b.description, ws, scoreChooser(ws, b.choose, setup))]));
  const oldEngine = Object.fromEntries(Object.entries(engine.recorded ?? {}).map(([name, r]) => [name, resultSet(r.description, ws, scoreRecorded(ws, r.choices))]));

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
    setup: { ...setup, maxSlowdown },
    noise: { overall: noiseOf(ws), perWorkload: perWorkloadNoise },
    prediction: {
      simulation: predictionResult('what-if simulation (simulateRun) at the target executors × cores', ws, engine.simulation),
      engine: predictionResult("engine's model (recommend/model.ts WorkloadModel of the one run) at the target configuration", ws, engine.predictor),
    },
    recommendation: { editor, baselines, oldEngine, oracle: oracleSummary(ws, maxSlowdown) },
  };
}
