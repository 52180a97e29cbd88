/**
 * The evaluation's ground truth: the real Spark runs in `eval/runs` (made by scripts/generate-eval.sh) or
 * `eval/benchmark-runs` (issue 14's benchmark, scripts/generate-benchmark-eval.sh, packed by
 * scripts/pack-benchmark-runs.js), read through the product's own collector into a throw-away store, and grouped by
 * workload × configuration using the folder's `manifest.json` and the grid (`eval/grid.json`, `eval/benchmark/grid.json`).
 * The benchmark's manifest also gives each workload's kind (`cpu`: computation; `wait`: tasks mostly wait) and its set
 * in the sealed split (`tuning` or `test`, fixed by a seeded hash before any run), and marks runs that failed.
 *
 * Measured figures per run (all from the product's record, so the evaluation sees what the extension sees):
 * - runtime: `ApplicationRecord.durationMs` (ApplicationEnd − ApplicationStart, ms);
 * - cost: executor-core-hours, memory-GiB-hours and DataFlint Compute Units of `utilisationAndCost` (analysis/cost.ts),
 *   i.e. each executor's real lifetime × its `Total Cores` (and × the memory its cluster manager set aside for it:
 *   the heap on a standalone worker, heap + overhead on YARN/Kubernetes).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { z } from 'zod';
import { utilisationAndCost } from '../analysis/cost';
import { parseSparkSizeMiB } from '../config/spark-units';
import type { ApplicationRecord } from '../history/application-record';
import { collectEventLogs } from '../history/collect';
import { HistoryStore } from '../store/history-store';
import { mean } from './scoring';
import { errorMessage } from '../../../shared/src/errors';

/** One resource configuration of the grid (the shape of the engine's `ResourceChoice`), memory in MiB. */
export interface GridChoice {
  executorMemoryMiB: number;
  executorCores: number;
  executorInstances: number;
  shufflePartitions: number;
}

const configSchema = z.object({
  executorMemory: z.string(),
  executorCores: z.number().int().positive(),
  executorInstances: z.number().int().positive(),
  shufflePartitions: z.number().int().positive(),
});

/** `eval/grid.json` (and `eval/benchmark/grid.json`, which adds fields this schema ignores). */
export const gridSchema = z.object({
  workloads: z.array(z.string()).min(1),
  defaultConfigId: z.string(),
  /**
   * The cluster the runs had: what recommenders are told about it (as the `sparkOptimizer.cluster.*` settings would).
   * `nodes` (a standalone cluster's `workers`) defaults to 1, `totalCores` to nodes × nodeCores; `maxExecutors` and
   * `physicalCores` are informational.
   */
  cluster: z
    .object({
      nodeMemoryMiB: z.number().positive(),
      nodeCores: z.number().int().positive(),
      nodes: z.number().int().positive().optional(),
      /** Standalone workers (eval/benchmark/grid.json): the nodes. */
      workers: z.number().int().positive().optional(),
      totalCores: z.number().int().positive().optional(),
      maxExecutors: z.number().int().positive().optional(),
      physicalCores: z.number().int().positive().optional(),
    })
    .transform(({ workers, ...c }) => ({ ...c, nodes: c.nodes ?? workers })),
  /** Configurations whose runs serve as the job's past runs when recommending (one at a time, or three together). */
  startConfigIds: z.array(z.string()).min(1),
  /** Configurations with a third repetition (the benchmark's noise measurement); the others have two. */
  thirdRepetition: z.array(z.string()).optional(),
  configurations: z.array(configSchema.extend({ id: z.string() })).min(1),
});

/** The sets of the sealed split (issue 14, item 4). */
export const EVAL_SETS = ['tuning', 'test'] as const;
/** One of {@link EVAL_SETS}. */
export type EvalSet = (typeof EVAL_SETS)[number];

/**
 * `manifest.json` of a runs folder (written by eval/run_grid.py, or eval/benchmark/run_benchmark.py, whose extra
 * fields are optional here: `status`/`error` per run, `kind`/`set` per run and workload, the `split`).
 */
export const manifestSchema = z.object({
  runs: z.array(
    z.object({
      workload: z.string(),
      configId: z.string(),
      repetition: z.number().int().positive(),
      appId: z.string(),
      config: configSchema,
      sparkConf: z.record(z.string(), z.string()),
      /** Measured by the generator around SparkContext creation … stop(), ms. */
      wallTimeMs: z.number(),
      executorsAdded: z.number().int(),
      eventLog: z.string(),
      /**
       * The benchmark's outcome of the run (a job that failed, e.g. for memory, is `failed`; one whose jobs were
       * cancelled after run_benchmark.py's --run-timeout is `timeout`, scored as failed); absent: succeeded.
       */
      status: z.enum(['succeeded', 'failed', 'timeout']).optional(),
      error: z.string().nullable().optional(),
    }),
  ),
  /** Per workload: its kind (`cpu`, `wait`) and set (`tuning`, `test`). */
  workloads: z
    .record(
      z.string(),
      z.object({ kind: z.string().optional(), set: z.enum(EVAL_SETS).optional(), group: z.string().optional() }),
    )
    .optional(),
  /** The sealed split: how it was drawn and each workload's set. */
  split: z
    .object({
      seed: z.number().optional(),
      method: z.string().optional(),
      sets: z.record(z.string(), z.enum(EVAL_SETS)),
    })
    .optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type Grid = z.infer<typeof gridSchema>;

/** One measured run. */
export interface EvalRun {
  workload: string;
  configId: string;
  repetition: number;
  record: ApplicationRecord;
  /** `durationMs` of the record, ms. */
  runtimeMs: number;
  /** Executor-core-hours (`RunCost.coreHours`). */
  coreHours: number;
  /** Executor memory-GiB-hours (`RunCost.memoryGiBHours`). */
  memoryGiBHours: number;
  /** DataFlint Compute Units (`RunCost.dcu`): the cost the engine minimises without prices. */
  dcu: number;
  /** The job failed (manifest `status` failed or timeout; without a status, a record with failed jobs). */
  failed: boolean;
  /** `Disk Bytes Spilled` of the run (the record's total), bytes. */
  diskBytesSpilled: number;
}

/**
 * One configuration of one workload with its measured runs and their means. A failed run enters the means as what it
 * used until it failed plus a re-run at the workload's slowest (costliest) successful configuration, measure by
 * measure ({@link FAILURE_PENALTY}): a configuration that failed ranks below every one that succeeded.
 */
export interface GridCell {
  configId: string;
  choice: GridChoice;
  runs: EvalRun[];
  meanRuntimeMs: number;
  meanCoreHours: number;
  meanMemoryGiBHours: number;
  meanDcu: number;
  /** Runs of this configuration that failed. */
  failedRuns: number;
  /** Mean `Disk Bytes Spilled` of its runs, bytes. */
  meanDiskSpilledBytes: number;
}

/** All configurations of one workload. */
export interface WorkloadGrid {
  workload: string;
  /** The workload's kind from the manifest (`cpu`, `wait`), null when the manifest does not say. */
  kind: string | null;
  /** Its set in the sealed split, null when the manifest has no split (eval/runs: every workload is scored alike). */
  set: EvalSet | null;
  cells: GridCell[];
}

/** How a failed run is scored (the {@link GridCell} comment), in words for the report. */
export const FAILURE_PENALTY =
  'a failed run counts as what it used until it failed plus a re-run at the slowest (for cost: costliest) configuration of the workload that succeeded';

/** The loaded ground truth. */
export interface GroundTruth {
  grid: Grid;
  /** Grid choices by configuration id. */
  choices: Map<string, GridChoice>;
  workloads: WorkloadGrid[];
  /** Runs the collector could not read (path and reason); the evaluation refuses to run when non-empty. */
  failed: { path: string; reason: string }[];
}

/** Runs the grid plans: workloads × (configurations × 2 repetitions + the configurations with a third). */
export function plannedRuns(grid: Grid): number {
  return grid.workloads.length * (grid.configurations.length * 2 + (grid.thirdRepetition ?? []).length);
}

/** The grid configuration `c` as a choice (memory parsed as Spark parses `spark.executor.memory`). @throws Error on an unparsable memory. */
export function toChoice(c: z.infer<typeof configSchema>): GridChoice {
  const mib = parseSparkSizeMiB(c.executorMemory);
  if (mib === null) throw new Error(`cannot parse executor memory ${JSON.stringify(c.executorMemory)}`);
  return {
    executorMemoryMiB: mib,
    executorCores: c.executorCores,
    executorInstances: c.executorInstances,
    shufflePartitions: c.shufflePartitions,
  };
}

/** Same configuration (all four fields equal). */
export function sameChoice(a: GridChoice, b: GridChoice): boolean {
  return (
    a.executorMemoryMiB === b.executorMemoryMiB &&
    a.executorCores === b.executorCores &&
    a.executorInstances === b.executorInstances &&
    a.shufflePartitions === b.shufflePartitions
  );
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${errorMessage(e)}`, { cause: e });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${file} is not a valid evaluation file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * Loads the ground truth.
 * @param runsDir folder of the event logs and `manifest.json` (eval/runs).
 * @param gridFile `eval/grid.json`.
 * @throws Error when the manifest or grid is missing or invalid, or a manifest run is not among the logs read.
 */
export async function loadGroundTruth(runsDir: string, gridFile: string): Promise<GroundTruth> {
  const grid = readJson(gridFile, gridSchema);
  const manifest = readJson(path.join(runsDir, 'manifest.json'), manifestSchema);
  const choices = new Map(grid.configurations.map((c) => [c.id, toChoice(c)]));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-eval-store-'));
  const store = HistoryStore.open(path.join(tmp, 'history.sqlite'));
  let records: Map<string, ApplicationRecord>;
  let failed: { path: string; reason: string }[];
  try {
    const summary = await collectEventLogs(runsDir, store, { maxDepth: 1 });
    failed = summary.failed;
    records = new Map<string, ApplicationRecord>();
    for (const name of new Set(manifest.runs.map((r) => r.workload))) {
      for (const r of store.runsByAppName(name, 100_000)) records.set(r.appId, r);
    }
  } finally {
    store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const sets = manifest.split?.sets ?? {};
  const byWorkload = new Map<string, Map<string, EvalRun[]>>();
  for (const m of manifest.runs) {
    const record = records.get(m.appId);
    if (record === undefined)
      throw new Error(
        `manifest run ${m.appId} (${m.workload} ${m.configId}) is not among the event logs read from ${runsDir}`,
      );
    const choice = choices.get(m.configId);
    if (choice === undefined)
      throw new Error(`manifest run ${m.appId} has configuration ${m.configId}, which ${gridFile} does not list`);
    if (!sameChoice(choice, toChoice(m.config)))
      throw new Error(`manifest run ${m.appId}: its configuration differs from ${m.configId} in ${gridFile}`);
    const cost = utilisationAndCost(record);
    const run: EvalRun = {
      workload: m.workload,
      configId: m.configId,
      repetition: m.repetition,
      record,
      runtimeMs: record.durationMs,
      coreHours: cost.coreHours,
      memoryGiBHours: cost.memoryGiBHours,
      dcu: cost.dcu,
      failed: m.status !== undefined ? m.status !== 'succeeded' : record.failedJobs > 0,
      diskBytesSpilled: record.diskBytesSpilled,
    };
    const cells = byWorkload.get(m.workload) ?? new Map<string, EvalRun[]>();
    byWorkload.set(m.workload, cells);
    cells.set(m.configId, [...(cells.get(m.configId) ?? []), run]);
  }

  const workloads: WorkloadGrid[] = [];
  for (const w of grid.workloads) {
    const cells = byWorkload.get(w);
    if (cells === undefined) continue;
    const about = manifest.workloads?.[w];
    workloads.push({
      workload: w,
      kind: about?.kind ?? null,
      set: sets[w] ?? about?.set ?? null,
      cells: gridCells(
        grid.configurations
          .filter((c) => cells.has(c.id))
          .map((c) => ({
            configId: c.id,
            choice: choices.get(c.id)!,
            runs: cells.get(c.id)!.sort((a, b) => a.repetition - b.repetition),
          })),
      ),
    });
  }
  return { grid, choices, workloads, failed };
}

/**
 * The cells of one workload from its runs per configuration: means per measure, failed runs penalised as
 * {@link FAILURE_PENALTY} says (the slowest/costliest successful configuration's mean of successful runs is added to a
 * failed run's own figure; when no configuration succeeded, the failed runs' own largest figure).
 */
export function gridCells(groups: readonly { configId: string; choice: GridChoice; runs: EvalRun[] }[]): GridCell[] {
  const okMean = (runs: readonly EvalRun[], f: (r: EvalRun) => number) => mean(runs.filter((r) => !r.failed).map(f));
  const worstOk = (f: (r: EvalRun) => number): number => {
    const means = groups.map((g) => okMean(g.runs, f)).filter((x) => Number.isFinite(x));
    return means.length > 0 ? Math.max(...means) : Math.max(0, ...groups.flatMap((g) => g.runs.map(f)));
  };
  const measures = {
    runtime: (r: EvalRun) => r.runtimeMs,
    coreHours: (r: EvalRun) => r.coreHours,
    memory: (r: EvalRun) => r.memoryGiBHours,
    dcu: (r: EvalRun) => r.dcu,
  };
  const penalty = {
    runtime: worstOk(measures.runtime),
    coreHours: worstOk(measures.coreHours),
    memory: worstOk(measures.memory),
    dcu: worstOk(measures.dcu),
  };
  const scored = (runs: readonly EvalRun[], k: keyof typeof measures) =>
    mean(runs.map((r) => measures[k](r) + (r.failed ? penalty[k] : 0)));
  return groups.map((g) => ({
    configId: g.configId,
    choice: g.choice,
    runs: g.runs,
    meanRuntimeMs: scored(g.runs, 'runtime'),
    meanCoreHours: scored(g.runs, 'coreHours'),
    meanMemoryGiBHours: scored(g.runs, 'memory'),
    meanDcu: scored(g.runs, 'dcu'),
    failedRuns: g.runs.filter((r) => r.failed).length,
    meanDiskSpilledBytes: mean(g.runs.map((r) => r.diskBytesSpilled)),
  }));
}
