/**
 * The evaluation proper, on the loaded ground truth (ground-truth.ts): recommendation regret of any chooser (the editor's
 * engine or a baseline), run-time prediction error of any predictor (the what-if simulation, the engine's model) and
 * run-to-run noise. No I/O.
 */
import type { ApplicationRecord } from '../history/application-record';
import type { Chooser, ChooserOptions } from './baselines';
import { type GridCell, type GridChoice, type GroundTruth, sameChoice, type WorkloadGrid } from './ground-truth';
import { mape, mean, noise, regret, withinTolerance } from './scoring';

/** How recommendations are started and under which cluster. */
export interface EvalSetup {
  /** Configuration ids whose runs serve, one at a time, as the job's only past run. */
  startConfigIds: string[];
  cluster: NonNullable<ChooserOptions['cluster']>;
}

/** One recommendation made from one past run, scored against the grid's measured means. */
export interface ChoiceScore {
  workload: string;
  startConfigId: string;
  startAppId: string;
  chosenConfigId: string;
  /** Mean runtime of the chosen configuration ÷ the best mean runtime of the workload's grid. */
  runtimeRegret: number;
  /** The same for mean executor-core-hours. */
  coreHoursRegret: number;
  /** The same for mean memory-GiB-hours. */
  memoryRegret: number;
  /** The same for mean DataFlint Compute Units (the cost the engine minimises without prices). */
  dcuRegret: number;
  /** True when the choice's mean runtime is within `maxSlowdown` (default 10 %) of the grid's fastest mean. */
  withinSlowdown: boolean;
}

/** Aggregate of choice scores. */
export interface ChoiceSummary {
  n: number;
  /** Arithmetic means of the regrets. */
  runtimeRegret: number;
  coreHoursRegret: number;
  memoryRegret: number;
  dcuRegret: number;
  /** Share of choices whose runtime (core-hours) regret is ≤ 1.10. */
  runtimeWithin10: number;
  coreHoursWithin10: number;
  /** Share of choices whose runtime regret is within the balanced objective's slowdown (10 %). */
  withinSlowdown: number;
}

/** The cell of `w` holding exactly `choice`. @throws Error when the choice is not a grid configuration of `w`. */
export function cellOf(w: WorkloadGrid, choice: GridChoice): GridCell {
  const cell = w.cells.find((c) => sameChoice(c.choice, choice));
  if (cell === undefined) throw new Error(`${w.workload}: the chosen configuration ${JSON.stringify(choice)} is not in the grid`);
  return cell;
}

/** Regrets of choosing `cell` in `w` (runtime, core-hours, memory-GiB-hours). */
export function regretsOf(w: WorkloadGrid, cell: GridCell, maxSlowdown = 0.1): Pick<ChoiceScore, 'runtimeRegret' | 'coreHoursRegret' | 'memoryRegret' | 'dcuRegret' | 'withinSlowdown'> {
  const runtimeRegret = regret(cell.meanRuntimeMs, w.cells.map((c) => c.meanRuntimeMs));
  return {
    runtimeRegret,
    coreHoursRegret: regret(cell.meanCoreHours, w.cells.map((c) => c.meanCoreHours)),
    memoryRegret: regret(cell.meanMemoryGiBHours, w.cells.map((c) => c.meanMemoryGiBHours)),
    dcuRegret: regret(cell.meanDcu, w.cells.map((c) => c.meanDcu)),
    withinSlowdown: withinTolerance(runtimeRegret, maxSlowdown),
  };
}

/**
 * Scores a chooser on the given workloads: for every start configuration and every run of it, the chooser gets that
 * one run as history and the workload's grid as candidates; its choice is scored by the grid's measured means.
 * @throws Error when the chooser answers a configuration outside the grid.
 */
export function scoreChooser(workloads: readonly WorkloadGrid[], choose: Chooser, setup: EvalSetup): ChoiceScore[] {
  const out: ChoiceScore[] = [];
  for (const w of workloads) {
    const candidates = w.cells.map((c) => c.choice);
    for (const startId of setup.startConfigIds) {
      const start = w.cells.find((c) => c.configId === startId);
      if (start === undefined) continue;
      for (const run of start.runs) {
        const { choice } = choose([run.record], { candidates, cluster: setup.cluster });
        const cell = cellOf(w, choice);
        out.push({ workload: w.workload, startConfigId: startId, startAppId: run.record.appId, chosenConfigId: cell.configId, ...regretsOf(w, cell) });
      }
    }
  }
  return out;
}

/** Summary of choice scores (NaN fields when there are none). */
export function summarise(scores: readonly ChoiceScore[]): ChoiceSummary {
  return {
    n: scores.length,
    runtimeRegret: mean(scores.map((s) => s.runtimeRegret)),
    coreHoursRegret: mean(scores.map((s) => s.coreHoursRegret)),
    memoryRegret: mean(scores.map((s) => s.memoryRegret)),
    dcuRegret: mean(scores.map((s) => s.dcuRegret)),
    runtimeWithin10: mean(scores.map((s) => (withinTolerance(s.runtimeRegret) ? 1 : 0))),
    coreHoursWithin10: mean(scores.map((s) => (withinTolerance(s.coreHoursRegret) ? 1 : 0))),
    withinSlowdown: mean(scores.map((s) => (s.withinSlowdown ? 1 : 0))),
  };
}

/**
 * The oracles' regrets: what the best single choice per workload would score, for each objective: the fastest cell
 * (runtime), the cheapest in DataFlint Compute Units (cost), the cheapest within `maxSlowdown` of the fastest
 * (balanced), and the cheapest in core-hours.
 */
export function oracleSummary(workloads: readonly WorkloadGrid[], maxSlowdown = 0.1): { fastest: ChoiceSummary; cheapest: ChoiceSummary; cheapestDcu: ChoiceSummary; balanced: ChoiceSummary } {
  const pick = (choose: (w: WorkloadGrid) => GridCell) =>
    summarise(
      workloads.map((w) => {
        const cell = choose(w);
        return { workload: w.workload, startConfigId: '-', startAppId: '-', chosenConfigId: cell.configId, ...regretsOf(w, cell, maxSlowdown) };
      }),
    );
  const by = (f: (c: GridCell) => number) => (w: WorkloadGrid) => [...w.cells].sort((a, b) => f(a) - f(b))[0];
  return {
    fastest: pick(by((c) => c.meanRuntimeMs)),
    cheapest: pick(by((c) => c.meanCoreHours)),
    cheapestDcu: pick(by((c) => c.meanDcu)),
    balanced: pick((w) => {
      const fastest = Math.min(...w.cells.map((c) => c.meanRuntimeMs));
      return by((c) => c.meanDcu)({ ...w, cells: w.cells.filter((c) => c.meanRuntimeMs <= fastest * (1 + maxSlowdown) + 1e-9) });
    }),
  };
}

/**
 * Scores recorded choices (configuration ids per workload and start run, e.g. an earlier engine's) with the current
 * measures. Choices whose workload, start run or configuration is not in the ground truth are left out.
 */
export function scoreRecorded(workloads: readonly WorkloadGrid[], choices: readonly { workload: string; start: string; startAppId: string; chosen: string }[]): ChoiceScore[] {
  const out: ChoiceScore[] = [];
  for (const c of choices) {
    const w = workloads.find((x) => x.workload === c.workload);
    const cell = w?.cells.find((x) => x.configId === c.chosen);
    if (w === undefined || cell === undefined) continue;
    out.push({ workload: c.workload, startConfigId: c.start, startAppId: c.startAppId, chosenConfigId: c.chosen, ...regretsOf(w, cell) });
  }
  return out;
}

/** Predicts a run's wall time (ms) at another configuration; null when it cannot. */
export type Predictor = (run: ApplicationRecord, target: GridChoice) => number | null;

/** One prediction: a run of one configuration predicting another configuration's mean measured runtime. */
export interface PredictionPair {
  workload: string;
  sourceAppId: string;
  sourceConfigId: string;
  targetConfigId: string;
  predictedMs: number;
  actualMs: number;
  /** Source and target differ only in executor instances and/or cores (memory and partitions equal). */
  shapeOnly: boolean;
}

/**
 * Every (run, other configuration of the same workload) pair the predictor can answer: predicted wall time vs the
 * target configuration's mean measured runtime. Pairs where it returns null are left out (count them with `asked`).
 */
export function predictionPairs(workloads: readonly WorkloadGrid[], predict: Predictor): { pairs: PredictionPair[]; asked: number } {
  const pairs: PredictionPair[] = [];
  let asked = 0;
  for (const w of workloads) {
    for (const src of w.cells) {
      for (const run of src.runs) {
        for (const tgt of w.cells) {
          if (tgt === src) continue;
          asked++;
          const p = predict(run.record, tgt.choice);
          if (p === null || !Number.isFinite(p)) continue;
          pairs.push({
            workload: w.workload,
            sourceAppId: run.record.appId,
            sourceConfigId: src.configId,
            targetConfigId: tgt.configId,
            predictedMs: p,
            actualMs: tgt.meanRuntimeMs,
            shapeOnly:
              src.choice.executorMemoryMiB === tgt.choice.executorMemoryMiB && src.choice.shufflePartitions === tgt.choice.shufflePartitions,
          });
        }
      }
    }
  }
  return { pairs, asked };
}

/** MAPE of prediction pairs, all and shape-only (fractions; NaN when none). */
export function predictionSummary(pairs: readonly PredictionPair[]): { all: number; shapeOnly: number; nAll: number; nShapeOnly: number } {
  const so = pairs.filter((p) => p.shapeOnly);
  const m = (ps: readonly PredictionPair[]) => mape(ps.map((p) => ({ predicted: p.predictedMs, actual: p.actualMs })));
  return { all: m(pairs), shapeOnly: m(so), nAll: pairs.length, nShapeOnly: so.length };
}

/** Run-to-run noise of one workload (or several): runtime and core-hours, mean |rep1 − rep2| / mean over configurations. */
export function noiseOf(workloads: readonly WorkloadGrid[]): { runtime: number; coreHours: number; configurations: number } {
  const cells = workloads.flatMap((w) => w.cells).filter((c) => c.runs.length >= 2);
  return {
    runtime: noise(cells.map((c) => c.runs.map((r) => r.runtimeMs))),
    coreHours: noise(cells.map((c) => c.runs.map((r) => r.coreHours))),
    configurations: cells.length,
  };
}

/** Ground-truth facts for the report: runs, configurations and the best configuration per workload. */
export function gridFacts(gt: GroundTruth): { workload: string; runs: number; configurations: number; fastest: string; cheapest: string; fastestMs: number; slowestMs: number }[] {
  return gt.workloads.map((w) => {
    const byRt = [...w.cells].sort((a, b) => a.meanRuntimeMs - b.meanRuntimeMs);
    const byCost = [...w.cells].sort((a, b) => a.meanCoreHours - b.meanCoreHours);
    return {
      workload: w.workload,
      runs: w.cells.reduce((n, c) => n + c.runs.length, 0),
      configurations: w.cells.length,
      fastest: byRt[0].configId,
      cheapest: byCost[0].configId,
      fastestMs: byRt[0].meanRuntimeMs,
      slowestMs: byRt[byRt.length - 1].meanRuntimeMs,
    };
  });
}
