/**
 * The feedback loop: a quick fix the user applied (remembered in the store's `applied_fixes` table) against the workload's
 * runs before and after it, so the hover shows before/after (duration, spill, GC, cost) and a diagnostic flags a change
 * that made things worse; and the recommendations a user dismissed (feedback `rejected`), which the editor stops showing
 * while the engine recommends the same value. Pure: fixes, feedback and records in, outcomes out.
 */
import { utilisationAndCost } from '../analysis/cost';
import type { ApplicationRecord } from '../history/application-record';
import type { RecommendationFeedback } from '../history/service-store';

/** One applied quick fix (a row of `applied_fixes`). */
export interface AppliedFix {
  id: number;
  /** Document URI the fix edited. */
  fileUri: string;
  /** Workload the file was matched to, null when none. */
  appName: string | null;
  key: string;
  oldValue: string | null;
  newValue: string;
  /** When the server received it, epoch ms. */
  appliedAtMs: number;
}

/** Medians over a set of finished runs. */
export interface RunsSummary {
  appIds: string[];
  medianDurationMs: number;
  medianDiskBytesSpilled: number;
  /** JVM GC time / executor run time, median over runs with run time; null when none. */
  medianGcShare: number | null;
  /** Executor core-hours held (cost.ts `coreHours`), median. */
  medianCoreHours: number;
  /** Runs with failed tasks. */
  runsWithFailedTasks: number;
}

/** What the runs show around one fix. */
export interface FixOutcome {
  fix: AppliedFix;
  /** The newest finished runs before the fix (at most `FEEDBACK_RUNS`); null when none. */
  before: RunsSummary | null;
  /** Finished runs that started after the fix; null while there are none. */
  after: RunsSummary | null;
  /** What got worse, as sentences with numbers (empty when nothing did or no run came after). */
  worse: string[];
  /** What got better. */
  better: string[];
}

/** Runs compared on each side. */
export const FEEDBACK_RUNS = 5;

/**
 * Thresholds of "worse": above run-to-run noise. Duration and cost: +10 % (the evaluation's "within 10 % of the
 * best" band); spill: +16 MiB and ×1.5 (thresholds.ts spillMinBytes); GC: +5 points of run time (half of Dr.
 * Elephant's moderate 10 % grade); failures: any run with failed tasks where there was none.
 */
export const WORSE = {
  durationShare: 0.1,
  coreHoursShare: 0.1,
  spillBytes: 16 * 1024 * 1024,
  spillFactor: 1.5,
  gcPoints: 0.05,
} as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Medians of `runs` (finished ones). @returns null for no runs. */
export function summariseRuns(runs: readonly ApplicationRecord[]): RunsSummary | null {
  if (runs.length === 0) return null;
  const gc = runs.filter((r) => r.executorRunTimeMs > 0).map((r) => r.jvmGcTimeMs / r.executorRunTimeMs);
  return {
    appIds: runs.map((r) => r.appId),
    medianDurationMs: median(runs.map((r) => r.durationMs)),
    medianDiskBytesSpilled: median(runs.map((r) => r.diskBytesSpilled)),
    medianGcShare: gc.length > 0 ? median(gc) : null,
    medianCoreHours: median(runs.map((r) => utilisationAndCost(r).coreHours)),
    runsWithFailedTasks: runs.filter((r) => r.failedTasks > 0).length,
  };
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/**
 * Compares the workload's finished runs before and after a fix.
 * @param fix the applied fix.
 * @param runs the workload's runs (any order); only finished ones count.
 * @param fmt formats ms and bytes for the sentences.
 */
export function fixOutcome(
  fix: AppliedFix,
  runs: readonly ApplicationRecord[],
  fmt: { ms: (x: number) => string; bytes: (x: number) => string },
): FixOutcome {
  const done = runs.filter((r) => r.completed).sort((a, b) => b.startTimeMs - a.startTimeMs);
  const before = summariseRuns(done.filter((r) => r.startTimeMs < fix.appliedAtMs).slice(0, FEEDBACK_RUNS));
  const after = summariseRuns(done.filter((r) => r.startTimeMs >= fix.appliedAtMs).slice(0, FEEDBACK_RUNS));
  const worse: string[] = [];
  const better: string[] = [];
  if (before !== null && after !== null) {
    const d = after.medianDurationMs / Math.max(1, before.medianDurationMs) - 1;
    const line = `median duration ${fmt.ms(before.medianDurationMs)} → ${fmt.ms(after.medianDurationMs)}`;
    if (d > WORSE.durationShare) worse.push(`${line} (+${pct(d)})`);
    else if (d < -WORSE.durationShare) better.push(`${line} (${pct(d)})`);
    const c = after.medianCoreHours / Math.max(1e-12, before.medianCoreHours) - 1;
    const cost = `executor core-hours ${before.medianCoreHours.toFixed(3)} → ${after.medianCoreHours.toFixed(3)}`;
    if (c > WORSE.coreHoursShare) worse.push(`${cost} (+${pct(c)})`);
    else if (c < -WORSE.coreHoursShare) better.push(`${cost} (${pct(c)})`);
    const spill = `disk spill ${fmt.bytes(before.medianDiskBytesSpilled)} → ${fmt.bytes(after.medianDiskBytesSpilled)}`;
    if (
      after.medianDiskBytesSpilled > WORSE.spillBytes &&
      after.medianDiskBytesSpilled > WORSE.spillFactor * before.medianDiskBytesSpilled
    )
      worse.push(spill);
    else if (
      before.medianDiskBytesSpilled > WORSE.spillBytes &&
      before.medianDiskBytesSpilled > WORSE.spillFactor * after.medianDiskBytesSpilled
    )
      better.push(spill);
    if (before.medianGcShare !== null && after.medianGcShare !== null) {
      const gc = `GC ${pct(before.medianGcShare)} → ${pct(after.medianGcShare)} of run time`;
      if (after.medianGcShare - before.medianGcShare > WORSE.gcPoints) worse.push(gc);
      else if (before.medianGcShare - after.medianGcShare > WORSE.gcPoints) better.push(gc);
    }
    if (after.runsWithFailedTasks > 0 && before.runsWithFailedTasks === 0)
      worse.push(`${after.runsWithFailedTasks} of ${after.appIds.length} run(s) after had failed tasks, none before`);
  }
  return { fix, before, after, worse, better };
}

/** A recommendation the user dismissed: the plan's setting and the `rejected` feedback that dismissed it. */
export interface DismissedRecommendation<R extends { key: string; recommendedValue: string }> {
  recommendation: R;
  feedback: RecommendationFeedback;
}

/**
 * Splits a workload's recommendations into those to show and those the user dismissed. A recommendation is dismissed
 * when the newest feedback on its key (by `receivedAtMs`, then id) is `rejected` with the same recommended value: a
 * different value (new runs changed the plan) is shown again, and a newer `applied` or `accepted` (a restore) lifts the
 * dismissal. Feedback without a recommended value dismisses nothing. The engine decides nothing here: this is the
 * presentation filter of the editor and the CLI's `check`.
 * @param feedback the workload's feedback (any order; rows of other workloads must not be passed).
 */
export function dismissedRecommendations<R extends { key: string; recommendedValue: string }>(
  recommendations: readonly R[],
  feedback: readonly RecommendationFeedback[],
): { shown: R[]; dismissed: DismissedRecommendation<R>[] } {
  const newest = new Map<string, RecommendationFeedback>();
  for (const f of feedback) {
    const had = newest.get(f.key);
    if (!had || f.receivedAtMs > had.receivedAtMs || (f.receivedAtMs === had.receivedAtMs && f.id > had.id))
      newest.set(f.key, f);
  }
  const shown: R[] = [];
  const dismissed: DismissedRecommendation<R>[] = [];
  for (const r of recommendations) {
    const f = newest.get(r.key);
    if (f?.verdict === 'rejected' && f.recommendedValue === r.recommendedValue)
      dismissed.push({ recommendation: r, feedback: f });
    else shown.push(r);
  }
  return { shown, dismissed };
}
