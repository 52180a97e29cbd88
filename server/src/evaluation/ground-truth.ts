/**
 * The evaluation's ground truth: the real Spark runs in `eval/runs` (made by scripts/generate-eval.sh), read through
 * the product's own collector into a throw-away store, and grouped by workload × configuration using
 * `eval/runs/manifest.json` and the grid in `eval/grid.json`.
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

/** `eval/grid.json`. */
export const gridSchema = z.object({
  workloads: z.array(z.string()).min(1),
  defaultConfigId: z.string(),
  /**
   * The cluster the runs had: what recommenders are told about it (as the `sparkOptimizer.cluster.*` settings would).
   * `nodes` defaults to 1, `totalCores` to nodes × nodeCores; `maxExecutors` and `physicalCores` are informational.
   */
  cluster: z.object({
    nodeMemoryMiB: z.number().positive(),
    nodeCores: z.number().int().positive(),
    nodes: z.number().int().positive().optional(),
    totalCores: z.number().int().positive().optional(),
    maxExecutors: z.number().int().positive().optional(),
    physicalCores: z.number().int().positive().optional(),
  }),
  /** Configurations whose runs serve, one at a time, as the job's only past run when recommending. */
  startConfigIds: z.array(z.string()).min(1),
  configurations: z.array(configSchema.extend({ id: z.string() })).min(1),
});

/** `eval/runs/manifest.json` (written by eval/run_grid.py). */
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
    }),
  ),
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
}

/** One configuration of one workload with its measured runs and their means. */
export interface GridCell {
  configId: string;
  choice: GridChoice;
  runs: EvalRun[];
  meanRuntimeMs: number;
  meanCoreHours: number;
  meanMemoryGiBHours: number;
  meanDcu: number;
}

/** All configurations of one workload. */
export interface WorkloadGrid {
  workload: string;
  cells: GridCell[];
}

/** The loaded ground truth. */
export interface GroundTruth {
  grid: Grid;
  /** Grid choices by configuration id. */
  choices: Map<string, GridChoice>;
  workloads: WorkloadGrid[];
  /** Runs the collector could not read (path and reason); the evaluation refuses to run when non-empty. */
  failed: { path: string; reason: string }[];
}

/** The grid configuration `c` as a choice (memory parsed as Spark parses `spark.executor.memory`). @throws Error on an unparsable memory. */
export function toChoice(c: z.infer<typeof configSchema>): GridChoice {
  const mib = parseSparkSizeMiB(c.executorMemory);
  if (mib === null) throw new Error(`cannot parse executor memory ${JSON.stringify(c.executorMemory)}`);
  return { executorMemoryMiB: mib, executorCores: c.executorCores, executorInstances: c.executorInstances, shufflePartitions: c.shufflePartitions };
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
  if (!parsed.success) throw new Error(`${file} is not a valid evaluation file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
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

  const byWorkload = new Map<string, Map<string, EvalRun[]>>();
  for (const m of manifest.runs) {
    const record = records.get(m.appId);
    if (record === undefined) throw new Error(`manifest run ${m.appId} (${m.workload} ${m.configId}) is not among the event logs read from ${runsDir}`);
    const choice = choices.get(m.configId);
    if (choice === undefined) throw new Error(`manifest run ${m.appId} has configuration ${m.configId}, which ${gridFile} does not list`);
    if (!sameChoice(choice, toChoice(m.config))) throw new Error(`manifest run ${m.appId}: its configuration differs from ${m.configId} in ${gridFile}`);
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
    };
    const cells = byWorkload.get(m.workload) ?? new Map<string, EvalRun[]>();
    byWorkload.set(m.workload, cells);
    cells.set(m.configId, [...(cells.get(m.configId) ?? []), run]);
  }

  const workloads: WorkloadGrid[] = [];
  for (const w of grid.workloads) {
    const cells = byWorkload.get(w);
    if (cells === undefined) continue;
    workloads.push({
      workload: w,
      cells: grid.configurations
        .filter((c) => cells.has(c.id))
        .map((c) => {
          const runs = cells.get(c.id)!.sort((a, b) => a.repetition - b.repetition);
          return {
            configId: c.id,
            choice: choices.get(c.id)!,
            runs,
            meanRuntimeMs: mean(runs.map((r) => r.runtimeMs)),
            meanCoreHours: mean(runs.map((r) => r.coreHours)),
            meanMemoryGiBHours: mean(runs.map((r) => r.memoryGiBHours)),
            meanDcu: mean(runs.map((r) => r.dcu)),
          };
        }),
    });
  }
  return { grid, choices, workloads, failed };
}
