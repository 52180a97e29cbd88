import { analyseRun, RunAnalysis } from '../analysis/run-analysis';
import { formatDurationMs } from '../config/spark-units';
import type { ApplicationRecord } from '../history/application-record';
import type { Evidence } from './recommender';

/**
 * Something the runs of a job show that no resource setting fixes by itself (skewed stages, failing
 * tasks): reported on the session/spark-submit call, not on a setting.
 */
export interface JobFinding {
  /** Stable id for the diagnostic code: `skew`, `task-failures`. */
  id: 'skew' | 'task-failures';
  /** One sentence with the numbers and the runs. */
  message: string;
  /** Rule and its source. */
  rule: string;
  evidence: Evidence[];
}

/**
 * Findings over the runs of one job.
 * - skew: a stage whose longest task ran > 10× its median and > 5 s (DataFlint partitionSkew), in at least one run;
 * - task-failures: failed tasks, grouped by reason (Dr. Elephant StagesWithFailedTasksHeuristic lists them the same way).
 * @param appName the job's name for messages.
 * @param runs its runs, newest first.
 */
export function jobFindings(appName: string, runs: ApplicationRecord[]): JobFinding[] {
  const analyses: RunAnalysis[] = runs.map(analyseRun);
  const out: JobFinding[] = [];
  const skewed = analyses.filter((a) => a.skewedStages.length > 0);
  if (skewed.length > 0) {
    const worst = skewed
      .flatMap((a) => a.skewedStages.map((s) => ({ a, s })))
      .sort((x, y) => y.s.skewRatio - x.s.skewRatio)[0];
    out.push({
      id: 'skew',
      message: `Task skew in ${skewed.length} of ${runs.length} ${plural(runs.length, 'run')} of ${appName}: stage ${worst.s.stageId} of ${worst.a.appId} ran its longest task ${formatDurationMs(worst.s.maxTaskMs)} against a median of ${formatDurationMs(worst.s.medianTaskMs)} (${Math.round(worst.s.skewRatio)}×). More executors will not shorten it: split the hot key (salting) or let AQE split skewed partitions (spark.sql.adaptive.skewJoin.enabled).`,
      rule: 'Task skew (DataFlint partitionSkew: max/median > 10 and max > 5 s)',
      evidence: skewed.flatMap((a) => a.skewedStages.map((s) => ({ appId: a.appId, metric: `stage ${s.stageId} max/median task duration`, value: `${formatDurationMs(s.maxTaskMs)} / ${formatDurationMs(s.medianTaskMs)}` }))),
    });
  }
  const failing = runs.filter((r) => r.failedTasks > 0);
  if (failing.length > 0) {
    const byKind = new Map<string, number>();
    for (const r of failing) for (const f of r.taskFailures) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + f.count);
    const kinds = [...byKind.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(', ');
    out.push({
      id: 'task-failures',
      message: `${failing.length} of ${runs.length} ${plural(runs.length, 'run')} of ${appName} had failed tasks (${kinds}).`,
      rule: 'Failed tasks (Dr. Elephant StagesWithFailedTasksHeuristic)',
      evidence: failing.flatMap((r) => r.taskFailures.slice(0, 3).map((f) => ({ appId: r.appId, metric: `${f.reason} × ${f.count}`, value: f.example.slice(0, 120) }))),
    });
  }
  return out;
}

/** `1 run`, `2 runs`. */
export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
