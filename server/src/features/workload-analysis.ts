/**
 * The workload-analysis view's data (`sparkOptimizer/workloadAnalysis`): one workload's runs over time with their cost, the
 * selected run's stages and executors, the worst stage's task-duration quantiles, and the engine's plan with its
 * changes and evidence. Plain data from the store's records through analysis/run-analysis.ts, analysis/cost.ts and
 * recommend/engine.ts; no LSP transport, no I/O (the runs come from the language service's cache).
 */
import type { CostPrices } from '../resource-model';
import type {
  WorkloadAnalysis,
  WorkloadAnalysisEstimate,
  WorkloadAnalysisExecutor,
  WorkloadAnalysisPlan,
  WorkloadAnalysisRun,
  WorkloadAnalysisStage,
} from '../../../shared/src/protocol';
import { utilisationAndCost } from '../analysis/cost';
import { runFindings } from '../analysis/run-findings';
import { analyseRun } from '../analysis/run-analysis';
import type { ApplicationRecord, StageRecord } from '../history/application-record';
import { type AnalysisOptions, DEFAULT_ANALYSIS_OPTIONS, type SiteAnalysis } from '../language-service';
import {
  confidenceLabel,
  type CurrentSettings,
  describeChoice,
  type WorkloadPlan,
  type PlanEstimate,
  type PlannedSetting,
} from '../recommend/engine';

/** What `workloadAnalysis` needs: the language service's cached look-ups and plans. */
export interface WorkloadRuns {
  /** Runs of one workload, newest first. */
  runsOf(appName: string): ApplicationRecord[];
  /** Every workload name stored. */
  workloadNames(): string[];
  /** The engine's plan for a workload and settings (cached by the language service). */
  planFor(appName: string, runs: ApplicationRecord[], current: CurrentSettings, options: AnalysisOptions): WorkloadPlan;
  /** The plan's changes to show: less those the user dismissed (language-service.ts `presented`). */
  presented(plan: WorkloadPlan | null): { shown: PlannedSetting[] };
}

/**
 * Assembles the view's data.
 * @param history cached run look-ups.
 * @param params `appName` (the workload) and/or `appId` (the run to detail; without `appName` its workload is found by
 *   scanning the stored workloads' newest 50 runs, so callers should pass `appName` when they know it), and `attemptId` (the
 *   attempt of `appId`; omitted: its newest). Every attempt is its own run in `runs`.
 * @param site the open document's analysis of this workload when the request named one: its plan is shown as the
 *   diagnostics show it. Without it, the plan is made with the newest finished run's Spark properties as current.
 * @param options the objective, cluster and prices (settings `sparkOptimizer.*`); money is null without prices.
 * @returns null when the workload or run is not stored.
 */
export function workloadAnalysis(
  history: WorkloadRuns,
  params: { appId?: string; attemptId?: string | null; appName?: string },
  site: SiteAnalysis | null,
  options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
): WorkloadAnalysis | null {
  const prices = options.prices;
  let appName = params.appName;
  if (!appName && params.appId)
    appName = history.workloadNames().find((n) => history.runsOf(n).some((r) => r.appId === params.appId));
  if (!appName) return null;
  const newestFirst = history.runsOf(appName);
  if (newestFirst.length === 0) return null;
  // Runs are newest first, so the first run of `appId` is its newest attempt.
  const selected = params.appId
    ? newestFirst.find(
        (r) => r.appId === params.appId && (params.attemptId === undefined || r.attemptId === params.attemptId),
      )
    : newestFirst[0];
  if (!selected) return null;

  let plan: WorkloadPlan | null;
  let settingsFrom: WorkloadAnalysis['settingsFrom'];
  if (site && site.workload?.appName === appName) {
    plan = site.plan;
    settingsFrom = 'document';
  } else {
    const newestFinished = newestFirst.find((r) => r.completed) ?? newestFirst[0];
    plan = history.planFor(appName, newestFirst, new Map(Object.entries(newestFinished.sparkProperties)), options);
    settingsFrom = 'newest run';
  }
  // Dismissed recommendations are left out here as in the editor's diagnostics (the site's are filtered already).
  const recommendations =
    site && site.workload?.appName === appName ? site.recommendations : history.presented(plan).shown;

  const endMs = selected.startTimeMs + Math.max(0, selected.durationMs);
  const stages = selected.stages.map(stageOf);
  const worst = worstStage(selected.stages);
  return {
    appName,
    runs: [...newestFirst].reverse().map((r) => runOf(r, prices)),
    selectedAppId: selected.appId,
    selectedAttemptId: selected.attemptId,
    selectedStartMs: selected.startTimeMs,
    selectedEndMs: endMs,
    stages,
    executors: selected.executors
      .filter((e) => !e.isDriver)
      .map((e): WorkloadAnalysisExecutor => {
        const lifeMs = (e.removeTimeMs ?? endMs) - e.addTimeMs;
        return {
          executorId: e.executorId,
          host: e.host,
          totalCores: e.totalCores,
          addTimeMs: e.addTimeMs,
          removeTimeMs: e.removeTimeMs,
          removedReason: e.removedReason,
          executorRunTimeMs: e.executorRunTimeMs,
          utilisation:
            lifeMs > 0 && e.totalCores > 0 ? Math.min(1, e.executorRunTimeMs / (lifeMs * e.totalCores)) : null,
          peakJvmHeapMemoryBytes: e.peakJvmHeapMemoryBytes,
          diskBytesSpilled: e.diskBytesSpilled ?? null,
        };
      }),
    worstStageId: worst?.stageId ?? null,
    worstStageTaskDurationsMs: worst?.taskDurationsMs ? [...worst.taskDurationsMs] : null,
    runFindings: runFindings(selected, prices ? { prices } : {}).map((f) => ({
      id: f.id,
      severity: f.severity,
      message: f.message,
      source: f.source,
      ...(f.stageId !== undefined ? { stageId: f.stageId } : {}),
    })),
    settingsFrom,
    plan: plan !== null && plan.current !== null ? planOf(plan) : null,
    recommendations: recommendations.map((r) => ({
      key: r.key,
      currentValue: r.currentValue ?? r.effectiveValue,
      recommendedValue: r.recommendedValue,
      message: r.message,
      rule: r.rule,
      reason: r.reason,
      confidence: r.confidence,
      confidenceLabel: confidenceLabel(r.confidence),
      evidence: r.evidence.map((e) => ({
        appId: e.appId,
        ...(e.stageId !== undefined ? { stageId: e.stageId } : {}),
        metric: e.metric,
        value: e.value,
        ...(e.under !== undefined ? { under: e.under } : {}),
      })),
    })),
    findings: (plan?.findings ?? []).map((f) => ({ rule: f.rule, message: f.message })),
  };
}

function estimateOf(e: PlanEstimate): WorkloadAnalysisEstimate {
  return {
    configuration: describeChoice(e.choice),
    durationMs: e.durationMs,
    coreHours: e.cost?.coreHours ?? null,
    memoryGiBHours: e.cost?.memoryGiBHours ?? null,
    money: e.cost?.money ?? null,
  };
}

/** The plan as the view shows it. */
function planOf(p: WorkloadPlan): WorkloadAnalysisPlan {
  return {
    objective: p.objective,
    maxSlowdown: p.maxSlowdown,
    current: p.current ? estimateOf(p.current) : null,
    chosen: p.chosen ? estimateOf(p.chosen) : null,
    pareto: p.pareto.map((r) => ({ ...estimateOf(r), chosen: r.chosen, current: r.current })),
    keptBecause: p.keptBecause,
    doesNotFit: p.doesNotFit,
    notes: p.notes,
    currency: p.currency,
    confidence: p.confidence,
  };
}

/**
 * The stage the view charts task durations for: the longest-running stage attempt with successful tasks
 * (`Completion Time` − `Submission Time`), ties broken by the larger max task duration. Null when no stage
 * has both times and a task-duration distribution.
 */
export function worstStage(stages: StageRecord[]): StageRecord | null {
  let best: StageRecord | null = null;
  let bestWall = -1;
  for (const s of stages) {
    if (s.taskDurationMs === null || s.submissionTimeMs === null || s.completionTimeMs === null) continue;
    const wall = s.completionTimeMs - s.submissionTimeMs;
    if (
      wall > bestWall ||
      (wall === bestWall && best !== null && s.taskDurationMs.max > (best.taskDurationMs?.max ?? 0))
    ) {
      best = s;
      bestWall = wall;
    }
  }
  return best;
}

function runOf(r: ApplicationRecord, prices: CostPrices | undefined): WorkloadAnalysisRun {
  const a = analyseRun(r);
  const c = utilisationAndCost(r, prices);
  return {
    appId: r.appId,
    attemptId: r.attemptId,
    startTimeMs: r.startTimeMs,
    durationMs: r.durationMs,
    completed: r.completed,
    incompleteReason: r.incompleteReason ?? null,
    exitCode: r.exitCode,
    coreHours: c.coreHours,
    memoryGiBHours: c.memoryGiBHours,
    dcu: c.dcu,
    diskBytesSpilled: r.diskBytesSpilled,
    memoryBytesSpilled: r.memoryBytesSpilled,
    spilled: a.spilled,
    executors: r.maxExecutors,
    executorCores: a.executorCores,
    executorMemoryMiB: a.executorMemoryMiB,
    utilisation: a.utilisation,
    failedTasks: r.failedTasks,
    totalTasks: r.totalTasks,
    money: c.money ? { amount: c.money.amount, currency: c.money.currency } : null,
  };
}

function stageOf(s: StageRecord): WorkloadAnalysisStage {
  return {
    stageId: s.stageId,
    attemptId: s.attemptId,
    name: s.name,
    numTasks: s.numTasks,
    submissionTimeMs: s.submissionTimeMs,
    completionTimeMs: s.completionTimeMs,
    failureReason: s.failureReason,
    failedTasks: s.failedTasks,
    diskBytesSpilled: s.diskBytesSpilled,
    taskDurationMs: s.taskDurationMs ? { ...s.taskDurationMs } : null,
  };
}
