/**
 * Code lenses above each application in a document (the `SparkSession.builder` chain, a `spark-submit`
 * command, a job definition): "5 runs · p50 55s · spilled in 3", opening the workload-analysis view. Without
 * history, one lens offering to collect it.
 */
import { CodeLens } from 'vscode-languageserver';
import { analyseRun } from '../analysis/run-analysis';
import type { ApplicationRecord } from '../history/application-record';
import type { DocumentAnalysis } from '../language-service';
import { type WorkloadPlan, planChanges } from '../recommend/engine';
import { commandOf } from '../../../shared/src/commands';

/**
 * One lens per application site, on its first line.
 * @returns lenses with their command resolved (no `codeLens/resolve` round trip).
 */
export function onCodeLens(doc: DocumentAnalysis): CodeLens[] {
  return doc.sites.map((sa) => {
    const range = { start: sa.site.range.start, end: sa.site.range.start };
    if (!sa.workload || sa.runs.length === 0) {
      return {
        range,
        command: commandOf('Spark: no runs of this workload in history · Collect…', 'collectFromEventLogs'),
      };
    }
    return {
      range,
      command: commandOf(lensTitle(sa.runs, sa.plan), 'openWorkloadAnalysis', {
        appName: sa.workload.appName,
        uri: doc.uri,
      }),
    };
  });
}

/**
 * "5 runs · p50 55s · spilled in 3 · plan: 1 change, 55s → 41s": run count, median wall time (`durationMs`, the same
 * nearest-rank p50 as the workload hover), how many runs spilled by the heuristics catalogue's spill rule, and the engine's
 * plan (its changes and predicted duration) when it changes something.
 */
export function lensTitle(runs: ApplicationRecord[], plan?: WorkloadPlan | null): string {
  const d = runs.map((r) => r.durationMs).sort((a, b) => a - b);
  const p50 = d[Math.min(d.length - 1, Math.floor(0.5 * (d.length - 1) + 0.5))];
  const spilled = runs.filter((r) => analyseRun(r).spilled).length;
  const parts = [`${runs.length} ${runs.length === 1 ? 'run' : 'runs'}`, `p50 ${compactDuration(p50)}`];
  if (spilled > 0) parts.push(`spilled in ${spilled}`);
  const failed = runs.filter((r) => r.failedTasks > 0).length;
  if (failed > 0) parts.push(`failed tasks in ${failed}`);
  const changes = plan ? planChanges(plan).length : 0;
  if (plan && changes > 0) {
    const d = plan.current?.durationMs;
    const to = plan.chosen?.durationMs;
    parts.push(
      `plan (${plan.objective}): ${changes} ${changes === 1 ? 'change' : 'changes'}${d != null && to != null ? `, ${compactDuration(d)} → ${compactDuration(to)}` : ''}`,
    );
  } else if (plan?.doesNotFit) parts.push('plan: does not fit the cluster');
  return parts.join(' · ');
}

/** `850ms`, `55s`, `4m12s`, `1h03m`: a duration in ms rounded to whole seconds (minutes above an hour). */
export function compactDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
