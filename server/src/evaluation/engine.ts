/**
 * The engine under evaluation, scored where users see it: the editor's path from a job file to the quick fix.
 *
 * For a job whose history is the given runs, the chooser writes the `spark-submit` script the newest run was submitted
 * with (its master, `--executor-memory`, `--executor-cores`, the executor count in the key its cluster manager reads,
 * `spark.sql.shuffle.partitions`), has the language service analyse it against a history holding exactly those runs
 * and the other jobs' runs the case gives as the store's history of the cluster (`ChooserOptions.clusterHistory`)
 * (objective and cluster as the `sparkOptimizer.*` settings would give them), applies the edit "Apply all
 * recommendations" writes (features/code-actions.ts `planTextEdits`), reads the edited file back with the project's
 * own readers (`extractSettings`, `applicationSites`, the resource model's `executorRequest`) and maps the result to the
 * nearest configuration of the grid. It also checks what the edit wrote: every key must be one the cluster manager
 * reads, and the configuration must fit the declared cluster.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applicationSites } from '../config/application-sites';
import { extractSettings } from '../config/file-settings';
import { parseSparkSizeMiB } from '../config/spark-units';
import { planTextEdits } from '../features/code-actions';
import type { ApplicationRecord } from '../history/application-record';
import { type AnalysisOptions, type HistorySource, SparkLanguageService } from '../language-service';
import type { Objective } from '../recommend/engine';
import { clusterFacts } from '../recommend/capacity';
import { type ModelOptions, WorkloadModel } from '../recommend/model';
import { simulateRun } from '../recommend/what-if';
import {
  clusterLimits,
  clusterManagerOf,
  DEFAULT_EXECUTOR_MEMORY_MIB,
  DEFAULT_SHUFFLE_PARTITIONS,
  executorContainer,
  executorRequest,
  fits,
  ignoredKeys,
  isPythonRun,
  positiveInt,
  reservedMiB,
  runShape,
} from '../resource-model';
import { type Chooser, type ChooserOptions, nearestCandidate, newestRun } from './baselines';
import type { Predictor } from './evaluate';
import type { GridChoice } from './ground-truth';
import type { EngineUnderTest, LearnedScorerUnderTest } from './run';
import { LEARNED_FOREST_OPTIONS, type LearnedSample, LearnedScorer } from '../recommend/learned-scorer';

const LEARNED_TREES = LEARNED_FOREST_OPTIONS.nEstimators;
import type { WorkloadGrid } from './ground-truth';

/**
 * The history a chooser is given: exactly the runs the evaluation hands it (records read from the real event logs by
 * the product's collector), behind the language service's `HistorySource` interface.
 */
export class RunsHistory implements HistorySource {
  constructor(private readonly runs: readonly ApplicationRecord[]) {}
  appNamesByMaster(master: string, limit = 8): string[] {
    const last = new Map<string, number>();
    for (const r of this.runs)
      if ((r.sparkProperties['spark.master'] ?? r.master) === master)
        last.set(r.appName, Math.max(last.get(r.appName) ?? -Infinity, r.startTimeMs));
    return [...last.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([n]) => n);
  }
  appNames(): string[] {
    return [...new Set(this.runs.map((r) => r.appName))];
  }
  runsByAppName(appName: string, limit = 50): ApplicationRecord[] {
    return this.runs
      .filter((r) => r.appName === appName)
      .sort((a, b) => b.startTimeMs - a.startTimeMs)
      .slice(0, limit);
  }
}

/** The `spark-submit` script a run was submitted with (settings from its `Spark Properties`). */
export function submitScriptOf(r: ApplicationRecord): string {
  const p = r.sparkProperties;
  const master = p['spark.master'] ?? r.master ?? 'yarn';
  const manager = clusterManagerOf(master);
  const shape = runShape(r);
  const lines = ['#!/usr/bin/env bash', 'spark-submit \\', `  --master ${master} \\`, `  --name ${r.appName} \\`];
  lines.push(
    `  --executor-memory ${p['spark.executor.memory'] ?? `${r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB}m`} \\`,
  );
  if (shape !== null) {
    lines.push(`  --executor-cores ${shape.executorCores} \\`);
    if (manager === 'standalone')
      lines.push(`  --total-executor-cores ${shape.executorInstances * shape.executorCores} \\`);
    else if (manager !== 'local') lines.push(`  --num-executors ${shape.executorInstances} \\`);
  }
  lines.push(
    `  --conf spark.sql.shuffle.partitions=${r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS} \\`,
    `  ${r.appName}.py`,
    '',
  );
  return lines.join('\n');
}

/**
 * The `spark-submit` script of a job that has no runs yet: its name, the master of the cluster the store's jobs ran on,
 * and the configuration `c` (a standalone master: `--total-executor-cores` = instances × cores).
 */
export function submitScriptFor(appName: string, master: string, c: GridChoice): string {
  const manager = clusterManagerOf(master);
  const lines = [
    '#!/usr/bin/env bash',
    'spark-submit \\',
    `  --master ${master} \\`,
    `  --name ${appName} \\`,
    `  --executor-memory ${c.executorMemoryMiB % 1024 === 0 ? `${c.executorMemoryMiB / 1024}g` : `${c.executorMemoryMiB}m`} \\`,
    `  --executor-cores ${c.executorCores} \\`,
  ];
  if (manager === 'standalone') lines.push(`  --total-executor-cores ${c.executorInstances * c.executorCores} \\`);
  else if (manager !== 'local') lines.push(`  --num-executors ${c.executorInstances} \\`);
  lines.push(`  --conf spark.sql.shuffle.partitions=${c.shufflePartitions} \\`, `  ${appName}.py`, '');
  return lines.join('\n');
}

/** What the evaluation records about one quick-fix edit besides the chosen grid configuration. */
export interface EditFacts {
  /** The configuration the edited file asks for, read back. */
  readBack: GridChoice;
  /** True when it is a configuration of the grid (no mapping needed). */
  onGrid: boolean;
  /** Keys the edit wrote that the cluster manager ignores (must be empty). */
  ignoredKeysWritten: string[];
  /** Why the read-back configuration does not fit the declared cluster, or null (must be null). */
  exceedsCluster: string | null;
  /** Keys the edit changed or inserted. */
  keysWritten: string[];
}

/** The cluster of `ChooserOptions` as the `sparkOptimizer.cluster.*` settings give it (one node unless `nodes` says more). */
export function declaredCluster(c: ChooserOptions['cluster']): AnalysisOptions['cluster'] {
  if (c === undefined) return { nodeMemoryMiB: 0, nodeCores: 0 };
  const nodes = c.nodes ?? 1;
  return {
    nodeMemoryMiB: c.nodeMemoryMiB,
    nodeCores: c.nodeCores,
    nodes,
    totalCores: c.totalCores ?? nodes * c.nodeCores,
  };
}

/**
 * The editor's engine as a chooser (module comment).
 * @param objective the `sparkOptimizer.objective` the user set.
 * @param maxSlowdown `sparkOptimizer.maxSlowdownPercent` / 100.
 * @param onEdit called with the facts of each edit (the evaluation counts them).
 * @param learnedScorer switches the engine's learned candidate scorer on (recommend/learned-scorer.ts).
 */
export function editorChooser(
  objective: Objective,
  maxSlowdown = 0.1,
  onEdit?: (facts: EditFacts) => void,
  learnedScorer?: LearnedScorer,
): Chooser {
  return (runs, options) => {
    // A job without runs (leave one workload out): its file at the configuration it asks for, the store holding the
    // other jobs' runs; the language service plans it from the jobs run on the same master.
    const cold = runs.length === 0;
    if (cold && (options.current === undefined || options.appName === undefined || (options.others ?? []).length === 0))
      throw new Error("a job without runs needs its name, its configuration and the store's other runs");
    const others = options.others ?? [];
    const newest = cold ? newestRun(others) : newestRun(runs);
    const appName = cold ? (options.appName as string) : newest.appName;
    const text = cold
      ? submitScriptFor(
          appName,
          newest.sparkProperties['spark.master'] ?? newest.master ?? 'yarn',
          options.current as GridChoice,
        )
      : submitScriptOf(newest);
    // A job with runs: the store also holds the other jobs run on its cluster (its facts: language-service.ts clusterRunsOf).
    const service = new SparkLanguageService(
      new RunsHistory(cold ? others : [...runs, ...(options.clusterHistory ?? [])]),
      () => newest.startTimeMs + 3_600_000,
    );
    const analysisOptions: AnalysisOptions = {
      cluster: declaredCluster(options.cluster),
      disabledChecks: new Set(),
      objective,
      maxSlowdown,
      learnedScorer,
    };
    const uri = `file:///eval/${appName}.sh`;
    const analysis = service.analyse(uri, text, 'shellscript', 1, analysisOptions);
    const sa = analysis.sites[0];
    if (sa === undefined || sa.plan === null)
      throw new Error(
        `${cold ? appName : newest.appId}: the script ${JSON.stringify(text)} gave no application with a plan`,
      );
    const edited = TextDocument.applyEdits(TextDocument.create(uri, 'shellscript', 1, text), planTextEdits(sa));
    const site = applicationSites(extractSettings(edited, 'shellscript'), '/eval/x.sh')[0];
    const lookup = (k: string) => {
      const s = site.effective.get(k);
      return s !== undefined && s.literal && s.value !== null ? s.value : undefined;
    };
    const manager = clusterManagerOf(lookup('spark.master'));
    const req = executorRequest(lookup, manager);
    const shape = cold ? options.current! : runShape(newest);
    const readBack: GridChoice = {
      executorMemoryMiB: parseSparkSizeMiB(lookup('spark.executor.memory')) ?? DEFAULT_EXECUTOR_MEMORY_MIB,
      executorCores: req.executorCores ?? shape?.executorCores ?? 1,
      executorInstances: req.executorInstances ?? shape?.executorInstances ?? 1,
      shufflePartitions: positiveInt(lookup('spark.sql.shuffle.partitions')) ?? DEFAULT_SHUFFLE_PARTITIONS,
    };
    const keysWritten = sa.recommendations.map((r) => r.key);
    const ignored = ignoredKeys(manager, false);
    const container = executorContainer(
      lookup,
      manager,
      { isPython: cold ? true : isPythonRun(newest) },
      readBack.executorMemoryMiB,
    );
    const limits = clusterLimits(declaredCluster(options.cluster), { hosts: 0, coresPerHost: 0, totalCores: 0 });
    const fit = fits(
      {
        executorInstances: readBack.executorInstances,
        executorCores: readBack.executorCores,
        reservedMiB: container === null ? readBack.executorMemoryMiB : reservedMiB(container, manager),
      },
      limits,
    );
    const choice = nearestCandidate(readBack, options.candidates);
    const onGrid = options.candidates.some(
      (c) =>
        c.executorMemoryMiB === readBack.executorMemoryMiB &&
        c.executorCores === readBack.executorCores &&
        c.executorInstances === readBack.executorInstances &&
        c.shufflePartitions === readBack.shufflePartitions,
    );
    onEdit?.({
      readBack,
      onGrid,
      ignoredKeysWritten: keysWritten.filter((k) => ignored.has(k)),
      exceedsCluster: fit.fits ? null : fit.why,
      keysWritten,
    });
    return {
      choice,
      expectedDurationMs: sa.plan.chosen?.durationMs ?? null,
      evidence: [
        `${cold ? `${appName} (no runs)` : newest.appId}: ${sa.recommendations.map((r) => `${r.key} ${r.effectiveValue} → ${r.recommendedValue}`).join(', ') || 'no change'}${sa.plan.keptBecause ? ` (kept: ${sa.plan.keptBecause})` : ''}`,
      ],
    };
  };
}

/** The what-if simulation alone as a predictor: `simulateRun` at the target executors × cores (memory and partitions ignored). */
export const simulationPredictor: Predictor = (run, target) =>
  simulateRun(run, { executorInstances: target.executorInstances, executorCores: target.executorCores })?.durationMs ??
  null;

/** The engine's model as a predictor: recommend/model.ts `WorkloadModel` of the one run, at the target configuration. */
export const enginePredictor: Predictor = (run, target) => new WorkloadModel([run]).predict(target).durationMs;

/**
 * The engine's model of the one run with what the store knows of the cluster: the CPU capacity per host, the growth of
 * the tasks' CPU time with executors per host, and the executor start-up line (recommend/capacity.ts `clusterFacts`)
 * estimated from `clusterRuns` (the tuning set's runs on the benchmark, every run on eval/runs), as the engine takes
 * them from a store holding the cluster's history (engine.ts `PlanInput.clusterRuns`).
 */
export function enginePredictorFor(clusterRuns: readonly ApplicationRecord[]): Predictor {
  const options: ModelOptions = clusterFacts(clusterRuns);
  return (run, target) => new WorkloadModel([run], undefined, options).predict(target).durationMs;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The engine under evaluation: the editor chooser, the simulation and the model as predictors, and the old engine's
 * recorded choices when `oldEngineFile` (eval/old-engine.json) was recorded on this ground truth (same grid.json and
 * manifest.json bytes).
 */
export function engineUnderTest(runsDir: string, gridFile: string, oldEngineFile: string): EngineUnderTest {
  let recorded: EngineUnderTest['recorded'];
  if (fs.existsSync(oldEngineFile)) {
    const old = JSON.parse(fs.readFileSync(oldEngineFile, 'utf8')) as {
      gridSha256: string;
      manifestSha256: string;
      rows: NonNullable<EngineUnderTest['recorded']>;
    };
    if (old.gridSha256 === sha256(gridFile) && old.manifestSha256 === sha256(path.join(runsDir, 'manifest.json')))
      recorded = old.rows;
  }
  return {
    makeChooser: editorChooser,
    simulation: simulationPredictor,
    predictor: enginePredictor,
    predictorFor: enginePredictorFor,
    recorded,
    trainLearned: trainLearnedScorer,
  };
}

/**
 * Trains the learned candidate scorer on the given (tuning-set) workloads: every successful run of every configuration,
 * paired with every configuration of its workload that has a successful run, labelled with that configuration's mean
 * measured wall time of successful runs. Null when there is nothing to train on.
 */
export function trainLearnedScorer(tuning: readonly WorkloadGrid[]): LearnedScorerUnderTest | null {
  const samples: LearnedSample[] = [];
  for (const w of tuning) {
    const targets = w.cells
      .map((c) => ({ c, ok: c.runs.filter((r) => !r.failed) }))
      .filter((x) => x.ok.length > 0)
      .map((x) => ({ choice: x.c.choice, ms: x.ok.reduce((a, r) => a + r.runtimeMs, 0) / x.ok.length }));
    for (const c of w.cells)
      for (const r of c.runs)
        if (!r.failed) for (const t of targets) samples.push({ run: r.record, target: t.choice, durationMs: t.ms });
  }
  if (samples.length === 0) return null;
  const names = tuning.map((w) => w.workload);
  const scorer = LearnedScorer.train(
    samples,
    `random forest (ml-random-forest, ${LEARNED_TREES} trees) on ${names.length} tuning workloads`,
  );
  return {
    description: scorer.description,
    trainedOn: names,
    samples: scorer.samples,
    makeChooser: (objective, maxSlowdown, onEdit) => editorChooser(objective, maxSlowdown, onEdit, scorer),
  };
}
