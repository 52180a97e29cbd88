/**
 * `npm run eval:check`: the editor engine's regret on each objective's own measure (runtime regret for `runtime`, DCU
 * regret for `cost` and `balanced`) and its runtime and core-hours regrets, now vs the committed eval/result.json, and
 * the safety counts of its edits (keys the cluster manager ignores, configurations exceeding the cluster), which must
 * be 0. Numbers are compared at the 6 significant digits result.json keeps.
 */
import type { ChoiceSummary } from './evaluate';
import { EVAL_OBJECTIVES, type EvaluationResult } from './run';

/** A number as result.json stores it (6 significant digits; NaN/Infinity as null). */
export function stored(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : null;
}

/**
 * Which regrets got worse than committed.
 * @param now a recomputed summary.
 * @param committed the same summary read from the committed eval/result.json.
 * @param keys the regrets compared.
 * @returns names of the regrets that are higher now by more than 1e-9 (empty: no worse).
 */
export function worseThanCommitted(
  now: ChoiceSummary,
  committed: Partial<ChoiceSummary>,
  keys: readonly (keyof ChoiceSummary)[] = ['runtimeRegret', 'coreHoursRegret'],
): string[] {
  const worse: string[] = [];
  const names: Partial<Record<keyof ChoiceSummary, string>> = {
    runtimeRegret: 'runtime regret',
    coreHoursRegret: 'core-hours regret',
    memoryRegret: 'memory-GiB-hours regret',
    dcuRegret: 'DCU regret',
    balancedRegret: 'balanced regret',
  };
  for (const k of keys) {
    const c = committed[k];
    if (typeof c !== 'number') continue;
    if ((stored(now[k] as number) ?? Infinity) > c + 1e-9) worse.push(names[k] ?? String(k));
  }
  return worse;
}

/**
 * The regrets each objective must not get worse on: its own measure (runtime; cost as DCU, core-hours and
 * memory-GiB-hours; balanced as its balanced regret, DCU and runtime). A regret the committed result does not have is
 * not compared.
 */
export const CHECKED: Record<(typeof EVAL_OBJECTIVES)[number], (keyof ChoiceSummary)[]> = {
  runtime: ['runtimeRegret'],
  cost: ['dcuRegret', 'coreHoursRegret', 'memoryRegret'],
  balanced: ['balancedRegret', 'dcuRegret', 'runtimeRegret'],
};

/**
 * Everything eval:check fails on: per objective the regrets of {@link CHECKED} that got worse than committed, overall
 * (one start run) and in every slice (set × history: from one start run, three, none) the committed result has; and
 * any edit that wrote a key the cluster manager ignores or a configuration exceeding the cluster.
 * @returns problems in words (empty: pass).
 */
export function checkResult(now: EvaluationResult, committed: EvaluationResult | null): string[] {
  const problems: string[] = [];
  for (const o of EVAL_OBJECTIVES) {
    const e = now.recommendation.editor[o];
    if (e.edits.ignoredKeysWritten > 0)
      problems.push(`${o}: ${e.edits.ignoredKeysWritten} key(s) written that the cluster manager ignores`);
    if (e.edits.exceedsCluster.length > 0)
      problems.push(
        `${o}: ${e.edits.exceedsCluster.length} configuration(s) exceeding the cluster (${e.edits.exceedsCluster[0]})`,
      );
    const c = committed?.recommendation.editor?.[o];
    if (c?.overall !== undefined)
      for (const w of worseThanCommitted(e.overall, c.overall, CHECKED[o]))
        problems.push(`${o}: ${w} got worse than committed`);
    for (const [slice, cs] of Object.entries(c?.slices ?? {})) {
      const ns = e.slices[slice as keyof typeof e.slices];
      if (cs === undefined) continue;
      if (ns === undefined) {
        problems.push(`${o} ${slice}: no longer scored`);
        continue;
      }
      for (const w of worseThanCommitted(ns, cs, CHECKED[o]))
        problems.push(`${o} ${slice}: ${w} got worse than committed`);
    }
  }
  return problems;
}
