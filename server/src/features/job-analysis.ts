/**
 * The job-analysis view's data (`sparkOptimizer/jobAnalysis`): one job's runs over time with their cost, the
 * selected run's stages and executors, the worst stage's task-duration quantiles, and the recommendations with
 * their evidence. Plain data from the store's records through analysis/run-analysis.ts, analysis/cost.ts and
 * recommend/; no LSP transport, no I/O (the runs come from the language service's cache).
 */
import type { JobAnalysis, JobAnalysisExecutor, JobAnalysisRun, JobAnalysisStage } from '../../../shared/src/protocol';
import { CostPrices, utilisationAndCost } from '../analysis/cost';
import { runFindings } from '../analysis/run-findings';
import { analyseRun } from '../analysis/run-analysis';
import type { ApplicationRecord, StageRecord } from '../history/application-record';
import type { SiteAnalysis } from '../language-service';
import { jobFindings } from '../recommend/findings';
import { confidenceLabel, recommend, RECOMMENDED_KEYS, Recommendation } from '../recommend/recommender';

/** What `jobAnalysis` needs to find runs: the language service's cached look-ups. */
export interface JobRuns {
  /** Runs of one job, newest first. */
  runsOf(appName: string): ApplicationRecord[];
  /** Every job name stored. */
  jobNames(): string[];
}

/**
 * Assembles the view's data.
 * @param history cached run look-ups.
 * @param params `appName` (the job) and/or `appId` (the run to detail; without `appName` its job is found by
 *   scanning the stored jobs' newest 50 runs, so callers should pass `appName` when they know it), and `attemptId` (the
 *   attempt of `appId`; omitted: its newest). Every attempt is its own run in `runs`.
 * @param site the open document's analysis of this job when the request named one: its settings are the
 *   "current" values and its recommendations are shown as the diagnostics show them. Without it, the newest
 *   finished run's Spark properties are taken as current.
 * @param nowMs clock for the recommendations' recency.
 * @param prices prices per core-hour and GiB-hour (settings `sparkOptimizer.cost.*`) for the money figures; none: null money.
 * @returns null when the job or run is not stored.
 */
export function jobAnalysis(
  history: JobRuns,
  params: { appId?: string; attemptId?: string | null; appName?: string },
  site: SiteAnalysis | null,
  nowMs = Date.now(),
  prices?: CostPrices,
): JobAnalysis | null {
  let appName = params.appName;
  if (!appName && params.appId) appName = history.jobNames().find((n) => history.runsOf(n).some((r) => r.appId === params.appId));
  if (!appName) return null;
  const newestFirst = history.runsOf(appName);
  if (newestFirst.length === 0) return null;
  // Runs are newest first, so the first run of `appId` is its newest attempt.
  const selected = params.appId ? newestFirst.find((r) => r.appId === params.appId && (params.attemptId === undefined || r.attemptId === params.attemptId)) : newestFirst[0];
  if (!selected) return null;

  let recommendations: Recommendation[];
  let settingsFrom: JobAnalysis['settingsFrom'];
  if (site && site.job?.appName === appName) {
    recommendations = site.recommendations;
    settingsFrom = 'document';
  } else {
    const newestFinished = newestFirst.find((r) => r.completed) ?? newestFirst[0];
    const current = new Map<string, string | null>();
    for (const key of RECOMMENDED_KEYS) {
      const v = newestFinished.sparkProperties[key];
      if (v !== undefined) current.set(key, v);
    }
    recommendations = recommend(appName, newestFirst, current, nowMs);
    settingsFrom = 'newest run';
  }

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
    executors: selected.executors.filter((e) => !e.isDriver).map((e): JobAnalysisExecutor => {
      const lifeMs = (e.removeTimeMs ?? endMs) - e.addTimeMs;
      return {
        executorId: e.executorId,
        host: e.host,
        totalCores: e.totalCores,
        addTimeMs: e.addTimeMs,
        removeTimeMs: e.removeTimeMs,
        removedReason: e.removedReason,
        taskTimeMs: e.taskTimeMs,
        utilisation: lifeMs > 0 && e.totalCores > 0 ? Math.min(1, e.taskTimeMs / (lifeMs * e.totalCores)) : null,
        peakJvmHeapBytes: e.peakJvmHeapBytes,
        diskSpilledBytes: e.diskSpilledBytes ?? null,
      };
    }),
    worstStageId: worst?.stageId ?? null,
    worstStageTaskDurationsMs: worst?.taskDurationsMs ? [...worst.taskDurationsMs] : null,
    runFindings: runFindings(selected, prices ? { prices } : {}).map((f) => ({ id: f.id, severity: f.severity, message: f.message, source: f.source, ...(f.stageId !== undefined ? { stageId: f.stageId } : {}) })),
    settingsFrom,
    recommendations: recommendations.map((r) => ({
      key: r.key,
      currentValue: r.currentValue,
      recommendedValue: r.recommendedValue,
      message: r.message,
      rule: r.rule,
      confidence: r.confidence,
      confidenceLabel: confidenceLabel(r.confidence),
      evidence: r.evidence.map((e) => ({ ...e })),
    })),
    findings: (site && site.job?.appName === appName ? site.findings : jobFindings(appName, newestFirst)).map((f) => ({ rule: f.rule, message: f.message })),
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
    if (wall > bestWall || (wall === bestWall && best !== null && s.taskDurationMs.max > (best.taskDurationMs?.max ?? 0))) {
      best = s;
      bestWall = wall;
    }
  }
  return best;
}

function runOf(r: ApplicationRecord, prices: CostPrices | undefined): JobAnalysisRun {
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
    diskSpilledBytes: r.diskSpilledBytes,
    memorySpilledBytes: r.memorySpilledBytes,
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

function stageOf(s: StageRecord): JobAnalysisStage {
  return {
    stageId: s.stageId,
    attemptId: s.attemptId,
    name: s.name,
    numTasks: s.numTasks,
    submissionTimeMs: s.submissionTimeMs,
    completionTimeMs: s.completionTimeMs,
    failureReason: s.failureReason,
    failedTasks: s.failedTasks,
    diskSpilledBytes: s.diskSpilledBytes,
    taskDurationMs: s.taskDurationMs ? { ...s.taskDurationMs } : null,
  };
}
