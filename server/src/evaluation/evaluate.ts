/**
 * The evaluation proper, on the loaded ground truth (ground-truth.ts): recommendation regret of any chooser (the editor's
 * engine or a baseline), run-time prediction error of any predictor (the what-if simulation, the engine's model) and
 * run-to-run noise. No I/O.
 */
import type { ApplicationRecord } from '../history/application-record';
import type { Chooser, ChooserOptions } from './baselines';
import {
  type EvalRun,
  type EvalSet,
  type GridCell,
  type GridChoice,
  type GroundTruth,
  sameChoice,
  type WorkloadGrid,
} from './ground-truth';
import { driverOnlyTimeMs, simulateTimeline } from '../recommend/what-if';
import { mape, mean, noise, regret, relativeSpread, withinTolerance } from './scoring';

/** How recommendations are started and under which cluster. */
export interface EvalSetup {
  /** Configuration ids whose runs serve as the job's past runs (one at a time, or three of them together). */
  startConfigIds: string[];
  cluster: NonNullable<ChooserOptions['cluster']>;
  /** The grid's configuration with Spark's default resources: what a job file without runs asks for. */
  defaultConfigId?: string;
}

/** The histories a recommendation is made from (issue 14, item 5). */
export const HISTORY_KINDS = ['one', 'three', 'none'] as const;
/**
 * `one`: one run of a start configuration; `three`: one run of each of three start configurations (same repetition);
 * `none`: no run of its own, the store holding every run of the other workloads (leave one workload out).
 */
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** One recommendation to make: a workload, the job's own runs and the store around it. */
export interface HistoryCase {
  workload: WorkloadGrid;
  history: HistoryKind;
  /** The job's own runs given to the chooser (oldest first); empty for `none`. */
  runs: EvalRun[];
  /** Runs of the other workloads: the store a job without runs is recommended from (empty unless `none`). */
  others: ApplicationRecord[];
  /**
   * Runs of the other workloads the store holds for the cluster of a job with runs (`one`, `three`; empty for `none`),
   * from which the engine takes the cluster's facts (recommend/capacity.ts `clusterFacts`): the tuning set's runs of the
   * other workloads when the manifest has a split (no test-set run informs another case), else every other workload's.
   */
  cluster: ApplicationRecord[];
  /** The configuration the job file has: the newest own run's; without runs, Spark's defaults (the grid's default). */
  startConfigId: string;
  /** The start runs' application ids, newest last (empty for `none`). */
  startAppIds: string[];
  /** Disk spill at the start, bytes: the newest own run's; without runs, the mean of the start configuration's runs. */
  startSpillBytes: number;
}

/** k-subsets of `xs` in order. */
function subsets<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [head, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [head, ...s]), ...subsets(rest, k)];
}

/**
 * The history cases of the evaluation (issue 14, item 5):
 * - `one`: every run of every start configuration, alone;
 * - `three`: for every 3 of the start configurations and every repetition number all three have, those three runs;
 * - `none`: per workload, no run of its own; the store holds all runs of the other workloads (leave one workload out),
 *   and the job file asks for Spark's defaults (`setup.defaultConfigId`, else the first start configuration).
 */
export function historyCases(
  workloads: readonly WorkloadGrid[],
  setup: EvalSetup,
  kinds: readonly HistoryKind[] = HISTORY_KINDS,
): HistoryCase[] {
  const out: HistoryCase[] = [];
  const newest = (runs: readonly EvalRun[]) => [...runs].sort((a, b) => a.record.startTimeMs - b.record.startTimeMs);
  const split = workloads.some((w) => w.set === 'tuning');
  for (const w of workloads) {
    const cluster = workloads
      .filter((x) => x !== w && (!split || x.set === 'tuning'))
      .flatMap((x) => x.cells.flatMap((c) => c.runs.map((r) => r.record)));
    const startCells = setup.startConfigIds
      .map((id) => w.cells.find((c) => c.configId === id))
      .filter((c): c is GridCell => c !== undefined);
    if (kinds.includes('one')) {
      for (const cell of startCells) {
        for (const run of cell.runs)
          out.push({
            workload: w,
            history: 'one',
            runs: [run],
            others: [],
            cluster,
            startConfigId: cell.configId,
            startAppIds: [run.record.appId],
            startSpillBytes: run.diskBytesSpilled,
          });
      }
    }
    if (kinds.includes('three')) {
      for (const trio of subsets(startCells, 3)) {
        const reps = [...new Set(trio[0].runs.map((r) => r.repetition))].filter((rep) =>
          trio.every((c) => c.runs.some((r) => r.repetition === rep)),
        );
        for (const rep of reps.sort((a, b) => a - b)) {
          const runs = newest(trio.map((c) => c.runs.find((r) => r.repetition === rep)!));
          const last = runs[runs.length - 1];
          out.push({
            workload: w,
            history: 'three',
            runs,
            others: [],
            cluster,
            startConfigId: last.configId,
            startAppIds: runs.map((r) => r.record.appId),
            startSpillBytes: last.diskBytesSpilled,
          });
        }
      }
    }
    if (kinds.includes('none')) {
      const startId = setup.defaultConfigId ?? setup.startConfigIds[0];
      const start = w.cells.find((c) => c.configId === startId);
      if (start === undefined) continue;
      const others = workloads
        .filter((x) => x !== w)
        .flatMap((x) => x.cells.flatMap((c) => c.runs.map((r) => r.record)));
      out.push({
        workload: w,
        history: 'none',
        runs: [],
        others,
        cluster: [],
        startConfigId: startId,
        startAppIds: [],
        startSpillBytes: start.meanDiskSpilledBytes,
      });
    }
  }
  return out;
}

/** One recommendation made from one history, scored against the grid's measured means. */
export interface ChoiceScore {
  workload: string;
  /** The history it was made from (`one` when not said). */
  history?: HistoryKind;
  /** The workload's set in the sealed split (null: no split) and kind (null: not said). */
  set?: EvalSet | null;
  kind?: string | null;
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
  /**
   * Regret on the balanced objective ({@link balancedRegretOf}): DCU ÷ the DCU of the cheapest configuration within the
   * slowdown of the fastest, or, when the choice is slower than the slowdown allows, its runtime ÷ the allowed runtime,
   * whichever is larger (1 = the balanced optimum).
   */
  balancedRegret?: number;
  /** True when the choice's mean runtime is within `maxSlowdown` (default 10 %) of the grid's fastest mean. */
  withinSlowdown: boolean;
  /** The chosen configuration had a failed run. */
  chosenFailed?: boolean;
  /** The chosen configuration spilled more than the start run ({@link spilledMoreThan}). */
  spilledMore?: boolean;
  /** Weight of this score in summaries (1 unless an expectation is spread over several choices). */
  weight?: number;
}

/** Aggregate of choice scores. */
export interface ChoiceSummary {
  n: number;
  /** Arithmetic means of the regrets. */
  runtimeRegret: number;
  coreHoursRegret: number;
  memoryRegret: number;
  dcuRegret: number;
  /** Mean {@link ChoiceScore.balancedRegret} (NaN when not scored). */
  balancedRegret?: number;
  /** Share of choices whose runtime (core-hours) regret is ≤ 1.10. */
  runtimeWithin10: number;
  coreHoursWithin10: number;
  /** Share of choices whose DCU (balanced) regret is ≤ 1.10. */
  dcuWithin10?: number;
  balancedWithin10?: number;
  /** Share of choices whose runtime regret is within the balanced objective's slowdown (10 %). */
  withinSlowdown: number;
  /** Choices whose configuration failed / spilled more than the start run (counts; weighted for expectations). */
  failedChoices?: number;
  spilledMoreChoices?: number;
}

/** The cell of `w` holding exactly `choice`. @throws Error when the choice is not a grid configuration of `w`. */
export function cellOf(w: WorkloadGrid, choice: GridChoice): GridCell {
  const cell = w.cells.find((c) => sameChoice(c.choice, choice));
  if (cell === undefined)
    throw new Error(`${w.workload}: the chosen configuration ${JSON.stringify(choice)} is not in the grid`);
  return cell;
}

/** The balanced objective's regret of `cell` in `w` (see {@link ChoiceScore.balancedRegret}). */
export function balancedRegretOf(w: WorkloadGrid, cell: GridCell, maxSlowdown = 0.1): number {
  const fastest = Math.min(...w.cells.map((c) => c.meanRuntimeMs));
  const allowed = fastest * (1 + maxSlowdown);
  const within = w.cells.filter((c) => c.meanRuntimeMs <= allowed + 1e-9);
  const best = Math.min(...within.map((c) => c.meanDcu));
  return Math.max(cell.meanDcu / best, cell.meanRuntimeMs / allowed);
}

/**
 * Regrets of choosing `cell` in `w` (runtime, core-hours, memory-GiB-hours, DCU, balanced) and whether it failed.
 */
export function regretsOf(
  w: WorkloadGrid,
  cell: GridCell,
  maxSlowdown = 0.1,
): Pick<
  ChoiceScore,
  | 'runtimeRegret'
  | 'coreHoursRegret'
  | 'memoryRegret'
  | 'dcuRegret'
  | 'balancedRegret'
  | 'withinSlowdown'
  | 'chosenFailed'
> {
  const runtimeRegret = regret(
    cell.meanRuntimeMs,
    w.cells.map((c) => c.meanRuntimeMs),
  );
  return {
    runtimeRegret,
    coreHoursRegret: regret(
      cell.meanCoreHours,
      w.cells.map((c) => c.meanCoreHours),
    ),
    memoryRegret: regret(
      cell.meanMemoryGiBHours,
      w.cells.map((c) => c.meanMemoryGiBHours),
    ),
    dcuRegret: regret(
      cell.meanDcu,
      w.cells.map((c) => c.meanDcu),
    ),
    balancedRegret: balancedRegretOf(w, cell, maxSlowdown),
    withinSlowdown: withinTolerance(runtimeRegret, maxSlowdown),
    chosenFailed: cell.failedRuns > 0,
  };
}

/** Spill tolerance of {@link spilledMoreThan}: run-to-run differences below 10 % or 1 MiB are not "more". */
export const SPILL_TOLERANCE = { share: 0.1, bytes: 2 ** 20 };

/** True when a configuration's mean disk spill exceeds the start's by more than {@link SPILL_TOLERANCE}. */
export function spilledMoreThan(chosenMeanBytes: number, startBytes: number): boolean {
  return chosenMeanBytes > startBytes * (1 + SPILL_TOLERANCE.share) + SPILL_TOLERANCE.bytes;
}

/** The score of choosing `cell` for history case `c`. */
export function scoreOf(c: HistoryCase, cell: GridCell, maxSlowdown = 0.1): ChoiceScore {
  return {
    workload: c.workload.workload,
    history: c.history,
    set: c.workload.set,
    kind: c.workload.kind,
    startConfigId: c.startConfigId,
    startAppId: c.startAppIds.join('+') || '-',
    chosenConfigId: cell.configId,
    ...regretsOf(c.workload, cell, maxSlowdown),
    spilledMore: spilledMoreThan(cell.meanDiskSpilledBytes, c.startSpillBytes),
  };
}

/**
 * Scores a chooser on history cases ({@link historyCases}): the chooser gets the case's runs as the job's history (for
 * `none`: no runs, the other workloads' runs as the store, and the job file's configuration), the workload's grid as
 * candidates; its choice is scored by the grid's measured means.
 * @throws Error when the chooser answers a configuration outside the grid.
 */
export function scoreCases(
  cases: readonly HistoryCase[],
  choose: Chooser,
  setup: EvalSetup,
  maxSlowdown = 0.1,
): ChoiceScore[] {
  return cases.map((c) => {
    const candidates = c.workload.cells.map((x) => x.choice);
    const current = c.workload.cells.find((x) => x.configId === c.startConfigId)?.choice;
    const { choice } = choose(
      c.runs.map((r) => r.record),
      {
        candidates,
        cluster: setup.cluster,
        others: c.others,
        clusterHistory: c.cluster,
        current,
        appName: c.workload.workload,
      },
    );
    return scoreOf(c, cellOf(c.workload, choice), maxSlowdown);
  });
}

/**
 * Scores a chooser on the given workloads from one start run at a time (the `one` history cases).
 * @throws Error when the chooser answers a configuration outside the grid.
 */
export function scoreChooser(workloads: readonly WorkloadGrid[], choose: Chooser, setup: EvalSetup): ChoiceScore[] {
  return scoreCases(historyCases(workloads, setup, ['one']), choose, setup);
}

/**
 * The expected scores of choosing uniformly at random among the grid's configurations (the floor a lucky rule gets),
 * exactly: per case, every configuration of the workload scored with weight 1 / (configurations).
 */
export function randomChoiceScores(cases: readonly HistoryCase[], maxSlowdown = 0.1): ChoiceScore[] {
  return cases.flatMap((c) =>
    c.workload.cells.map((cell) => ({ ...scoreOf(c, cell, maxSlowdown), weight: 1 / c.workload.cells.length })),
  );
}

function weightedMean(scores: readonly ChoiceScore[], f: (s: ChoiceScore) => number): number {
  let w = 0;
  let s = 0;
  for (const x of scores) {
    const v = f(x);
    if (v === undefined || Number.isNaN(v)) continue;
    const wx = x.weight ?? 1;
    w += wx;
    s += wx * v;
  }
  return w > 0 ? s / w : NaN;
}

/** Summary of choice scores (NaN fields when there are none); weighted by {@link ChoiceScore.weight}. */
export function summarise(scores: readonly ChoiceScore[]): ChoiceSummary {
  const total = (f: (s: ChoiceScore) => boolean | undefined) =>
    scores.reduce((n, s) => n + (f(s) ? (s.weight ?? 1) : 0), 0);
  return {
    n: Math.round(scores.reduce((n, s) => n + (s.weight ?? 1), 0) * 1e9) / 1e9,
    runtimeRegret: weightedMean(scores, (s) => s.runtimeRegret),
    coreHoursRegret: weightedMean(scores, (s) => s.coreHoursRegret),
    memoryRegret: weightedMean(scores, (s) => s.memoryRegret),
    dcuRegret: weightedMean(scores, (s) => s.dcuRegret),
    balancedRegret: weightedMean(scores, (s) => s.balancedRegret ?? NaN),
    runtimeWithin10: weightedMean(scores, (s) => (withinTolerance(s.runtimeRegret) ? 1 : 0)),
    coreHoursWithin10: weightedMean(scores, (s) => (withinTolerance(s.coreHoursRegret) ? 1 : 0)),
    dcuWithin10: weightedMean(scores, (s) => (withinTolerance(s.dcuRegret) ? 1 : 0)),
    balancedWithin10: weightedMean(scores, (s) =>
      s.balancedRegret === undefined ? NaN : withinTolerance(s.balancedRegret) ? 1 : 0,
    ),
    withinSlowdown: weightedMean(scores, (s) => (s.withinSlowdown ? 1 : 0)),
    failedChoices: total((s) => s.chosenFailed),
    spilledMoreChoices: total((s) => s.spilledMore),
  };
}

/**
 * The oracles' regrets: what the best single choice per workload would score, for each objective: the fastest cell
 * (runtime), the cheapest in DataFlint Compute Units (cost), the cheapest within `maxSlowdown` of the fastest
 * (balanced), and the cheapest in core-hours.
 */
export function oracleSummary(
  workloads: readonly WorkloadGrid[],
  maxSlowdown = 0.1,
): { fastest: ChoiceSummary; cheapest: ChoiceSummary; cheapestDcu: ChoiceSummary; balanced: ChoiceSummary } {
  const pick = (choose: (w: WorkloadGrid) => GridCell) =>
    summarise(
      workloads.map((w) => {
        const cell = choose(w);
        return {
          workload: w.workload,
          startConfigId: '-',
          startAppId: '-',
          chosenConfigId: cell.configId,
          ...regretsOf(w, cell, maxSlowdown),
        };
      }),
    );
  const by = (f: (c: GridCell) => number) => (w: WorkloadGrid) => [...w.cells].sort((a, b) => f(a) - f(b))[0];
  return {
    fastest: pick(by((c) => c.meanRuntimeMs)),
    cheapest: pick(by((c) => c.meanCoreHours)),
    cheapestDcu: pick(by((c) => c.meanDcu)),
    balanced: pick((w) => {
      const fastest = Math.min(...w.cells.map((c) => c.meanRuntimeMs));
      return by((c) => c.meanDcu)({
        ...w,
        cells: w.cells.filter((c) => c.meanRuntimeMs <= fastest * (1 + maxSlowdown) + 1e-9),
      });
    }),
  };
}

/**
 * Scores recorded choices (configuration ids per workload and start run, e.g. an earlier engine's) with the current
 * measures. Choices whose workload, start run or configuration is not in the ground truth are left out.
 */
export function scoreRecorded(
  workloads: readonly WorkloadGrid[],
  choices: readonly { workload: string; start: string; startAppId: string; chosen: string }[],
): ChoiceScore[] {
  const out: ChoiceScore[] = [];
  for (const c of choices) {
    const w = workloads.find((x) => x.workload === c.workload);
    const cell = w?.cells.find((x) => x.configId === c.chosen);
    if (w === undefined || cell === undefined) continue;
    out.push({
      workload: c.workload,
      startConfigId: c.start,
      startAppId: c.startAppId,
      chosenConfigId: c.chosen,
      ...regretsOf(w, cell),
    });
  }
  return out;
}

/** Predicts a run's wall time (ms) at another configuration; null when it cannot. */
export type Predictor = (run: ApplicationRecord, target: GridChoice) => number | null;

/** One prediction: a run of one configuration predicting another configuration's mean measured runtime. */
export interface PredictionPair {
  workload: string;
  /** The workload's kind (manifest), null when not said. */
  kind?: string | null;
  sourceAppId: string;
  sourceConfigId: string;
  targetConfigId: string;
  predictedMs: number;
  actualMs: number;
  /** Source and target differ only in executor instances and/or cores (memory and partitions equal). */
  shapeOnly: boolean;
}

/** Mean runtime of a cell's successful runs (NaN when none succeeded): what a prediction is compared with. */
function measuredMeanMs(c: GridCell): number {
  return mean(c.runs.filter((r) => !r.failed).map((r) => r.runtimeMs));
}

/**
 * Every (successful run, other configuration of the same workload with a successful run) pair the predictor can
 * answer: predicted wall time vs the target configuration's mean measured runtime (successful runs). Pairs where it
 * returns null are left out (count them with `asked`).
 */
export function predictionPairs(
  workloads: readonly WorkloadGrid[],
  predict: Predictor,
): { pairs: PredictionPair[]; asked: number } {
  const pairs: PredictionPair[] = [];
  let asked = 0;
  for (const w of workloads) {
    for (const src of w.cells) {
      for (const run of src.runs) {
        if (run.failed) continue;
        for (const tgt of w.cells) {
          const actualMs = measuredMeanMs(tgt);
          if (tgt === src || !Number.isFinite(actualMs)) continue;
          asked++;
          const p = predict(run.record, tgt.choice);
          if (p === null || !Number.isFinite(p)) continue;
          pairs.push({
            workload: w.workload,
            kind: w.kind,
            sourceAppId: run.record.appId,
            sourceConfigId: src.configId,
            targetConfigId: tgt.configId,
            predictedMs: p,
            actualMs,
            shapeOnly: isShapeOnly(src.choice, tgt.choice),
          });
        }
      }
    }
  }
  return { pairs, asked };
}

/** Two configurations that differ only in executor instances and/or cores. */
export function isShapeOnly(a: GridChoice, b: GridChoice): boolean {
  return (
    a.executorMemoryMiB === b.executorMemoryMiB && a.shufflePartitions === b.shufflePartitions && !sameChoice(a, b)
  );
}

/** MAPE of prediction pairs, all and shape-only (fractions; NaN when none). */
export function predictionSummary(pairs: readonly PredictionPair[]): {
  all: number;
  shapeOnly: number;
  nAll: number;
  nShapeOnly: number;
} {
  const so = pairs.filter((p) => p.shapeOnly);
  const m = (ps: readonly PredictionPair[]) => mape(ps.map((p) => ({ predicted: p.predictedMs, actual: p.actualMs })));
  return { all: m(pairs), shapeOnly: m(so), nAll: pairs.length, nShapeOnly: so.length };
}

/** Run-to-run noise of one configuration: the relative spread of its successful runs' runtimes and core-hours. */
export interface ConfigurationNoise {
  workload: string;
  kind: string | null;
  configId: string;
  runs: number;
  /** (max − min) / mean of the runtimes (|rep1 − rep2| / mean for two runs). */
  runtime: number;
  coreHours: number;
}

/** Noise per configuration: every cell with two successful runs or more. */
export function configurationNoise(workloads: readonly WorkloadGrid[]): ConfigurationNoise[] {
  const out: ConfigurationNoise[] = [];
  for (const w of workloads) {
    for (const c of w.cells) {
      const ok = c.runs.filter((r) => !r.failed);
      const rt = relativeSpread(ok.map((r) => r.runtimeMs));
      const ch = relativeSpread(ok.map((r) => r.coreHours));
      if (rt === null || ch === null) continue;
      out.push({
        workload: w.workload,
        kind: w.kind,
        configId: c.configId,
        runs: ok.length,
        runtime: rt,
        coreHours: ch,
      });
    }
  }
  return out;
}

/** Run-to-run noise of one workload (or several): runtime and core-hours, mean relative spread over configurations with two successful runs. */
export function noiseOf(workloads: readonly WorkloadGrid[]): {
  runtime: number;
  coreHours: number;
  configurations: number;
} {
  const cells = workloads
    .flatMap((w) => w.cells)
    .map((c) => c.runs.filter((r) => !r.failed))
    .filter((runs) => runs.length >= 2);
  return {
    runtime: noise(cells.map((runs) => runs.map((r) => r.runtimeMs))),
    coreHours: noise(cells.map((runs) => runs.map((r) => r.coreHours))),
    configurations: cells.length,
  };
}

/**
 * Where the what-if simulation's error on shape-only pairs comes from (issue 14, item 6). The simulation predicts
 * driver-only time (kept as measured in the source run) + stage time (the source's tasks replayed over the target's
 * slots); the target's runs measure both. Per stage, the replay's span of each stage attempt (first task start → last
 * task end) is compared with the target runs' measured span (`Submission Time` → `Completion Time`), stages matched by
 * stage id and attempt (shape-only pairs run the same plan).
 */
export interface StageDiagnosis {
  pairs: number;
  /** Mean measured runtime of the targets, ms. */
  actualMs: number;
  /** Mean (predicted − actual) of the whole run, of driver-only time and of stage time, ms (negative: optimistic). */
  errorMs: number;
  driverOnlyErrorMs: number;
  stagesErrorMs: number;
  /** Mean |error| shares of the actual runtime, for the whole run, the driver-only part and the stage part. */
  absError: number;
  driverOnlyAbsError: number;
  stagesAbsError: number;
  /** Stages with the largest mean |predicted − measured| span, ms: name, mean predicted, mean measured, pairs. */
  worstStages: { stage: string; predictedMs: number; measuredMs: number; meanAbsErrorMs: number; pairs: number }[];
  /** Stage attempts of the source that the target runs do not have (or the reverse), summed over pairs. */
  unmatchedStages: number;
  /**
   * Mean signed driver-only and stage-time errors (ms) of the pairs whose target has more executors than the source
   * (`toMore`) and fewer (`toFewer`): over all ordered pairs the driver-only errors cancel, by direction they show
   * whether start-up that grows with the executor count is missing.
   */
  byDirection: {
    toMore: { pairs: number; driverOnlyErrorMs: number; stagesErrorMs: number };
    toFewer: { pairs: number; driverOnlyErrorMs: number; stagesErrorMs: number };
  };
}

/** The driver-only time and stage spans a run measured. */
function measuredTimeline(r: ApplicationRecord): {
  driverOnlyMs: number;
  stagesMs: number;
  spans: Map<string, number>;
} {
  const driverOnlyMs = driverOnlyTimeMs(r);
  const spans = new Map<string, number>();
  for (const s of r.stages)
    if (s.submissionTimeMs !== null && s.completionTimeMs !== null)
      spans.set(`${s.stageId}.${s.attemptId}`, s.completionTimeMs - s.submissionTimeMs);
  return { driverOnlyMs, stagesMs: r.durationMs - driverOnlyMs, spans };
}

/**
 * {@link StageDiagnosis} of the simulation on the shape-only pairs of the given workloads (successful runs only).
 * @param worst how many stages to list.
 */
export function stageDiagnosis(workloads: readonly WorkloadGrid[], worst = 3): StageDiagnosis {
  let pairs = 0;
  let actual = 0;
  let err = 0;
  let dErr = 0;
  let sErr = 0;
  let abs = 0;
  let dAbs = 0;
  let sAbs = 0;
  let unmatched = 0;
  const byStage = new Map<string, { predicted: number; measured: number; absErr: number; n: number }>();
  const dir = {
    toMore: { pairs: 0, driverOnlyErrorMs: 0, stagesErrorMs: 0 },
    toFewer: { pairs: 0, driverOnlyErrorMs: 0, stagesErrorMs: 0 },
  };
  for (const w of workloads) {
    for (const src of w.cells) {
      for (const tgt of w.cells) {
        if (!isShapeOnly(src.choice, tgt.choice)) continue;
        const measured = tgt.runs.filter((r) => !r.failed).map((r) => measuredTimeline(r.record));
        if (measured.length === 0) continue;
        const mDriver = mean(measured.map((m) => m.driverOnlyMs));
        const mStages = mean(measured.map((m) => m.stagesMs));
        for (const run of src.runs) {
          if (run.failed) continue;
          const sim = simulateTimeline(run.record, {
            executorInstances: tgt.choice.executorInstances,
            executorCores: tgt.choice.executorCores,
          });
          if (sim === null) continue;
          const a = mDriver + mStages;
          pairs++;
          actual += a;
          err += sim.driverOnlyMs + sim.stagesMs - a;
          dErr += sim.driverOnlyMs - mDriver;
          sErr += sim.stagesMs - mStages;
          abs += Math.abs(sim.driverOnlyMs + sim.stagesMs - a) / a;
          dAbs += Math.abs(sim.driverOnlyMs - mDriver) / a;
          sAbs += Math.abs(sim.stagesMs - mStages) / a;
          if (tgt.choice.executorInstances !== src.choice.executorInstances) {
            const dd = tgt.choice.executorInstances > src.choice.executorInstances ? dir.toMore : dir.toFewer;
            dd.pairs++;
            dd.driverOnlyErrorMs += sim.driverOnlyMs - mDriver;
            dd.stagesErrorMs += sim.stagesMs - mStages;
          }
          for (const st of sim.stages) {
            const key = `${st.stageId}.${st.attemptId}`;
            const spans = measured.map((m) => m.spans.get(key)).filter((x): x is number => x !== undefined);
            if (spans.length === 0) {
              unmatched++;
              continue;
            }
            const m = mean(spans);
            const name = `${w.workload} stage ${st.stageId} (${st.name.split(' ')[0]})`;
            const acc = byStage.get(name) ?? { predicted: 0, measured: 0, absErr: 0, n: 0 };
            acc.predicted += st.endMs - st.startMs;
            acc.measured += m;
            acc.absErr += Math.abs(st.endMs - st.startMs - m);
            acc.n++;
            byStage.set(name, acc);
          }
        }
      }
    }
  }
  const d = (x: number) => (pairs > 0 ? x / pairs : NaN);
  return {
    pairs,
    actualMs: d(actual),
    errorMs: d(err),
    driverOnlyErrorMs: d(dErr),
    stagesErrorMs: d(sErr),
    absError: d(abs),
    driverOnlyAbsError: d(dAbs),
    stagesAbsError: d(sAbs),
    worstStages: [...byStage.entries()]
      .map(([stage, a]) => ({
        stage,
        predictedMs: a.predicted / a.n,
        measuredMs: a.measured / a.n,
        meanAbsErrorMs: a.absErr / a.n,
        pairs: a.n,
      }))
      .sort((x, y) => y.meanAbsErrorMs - x.meanAbsErrorMs)
      .slice(0, worst),
    unmatchedStages: unmatched,
    byDirection: Object.fromEntries(
      Object.entries(dir).map(([k, v]) => [
        k,
        {
          pairs: v.pairs,
          driverOnlyErrorMs: v.pairs > 0 ? v.driverOnlyErrorMs / v.pairs : NaN,
          stagesErrorMs: v.pairs > 0 ? v.stagesErrorMs / v.pairs : NaN,
        },
      ]),
    ) as StageDiagnosis['byDirection'],
  };
}

/** Ground-truth facts for the report: runs, configurations and the best configuration per workload. */
export function gridFacts(gt: GroundTruth): {
  workload: string;
  runs: number;
  configurations: number;
  fastest: string;
  cheapest: string;
  fastestMs: number;
  slowestMs: number;
}[] {
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
