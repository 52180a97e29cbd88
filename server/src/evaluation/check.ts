/**
 * `npm run eval:check`: the engine's overall regret now vs the committed eval/result.json. Numbers are compared at the
 * 6 significant digits result.json keeps.
 */
import type { ChoiceSummary } from './evaluate';

/** A number as result.json stores it (6 significant digits; NaN/Infinity as null). */
export function stored(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : null;
}

/**
 * Which of the engine's overall regrets (runtime, core-hours) got worse than committed.
 * @param now the recomputed `recommendation.engine.overall`.
 * @param committed the same object read from the committed eval/result.json.
 * @returns names of the regrets that are higher now by more than 1e-9 (empty: no worse).
 */
export function worseThanCommitted(now: ChoiceSummary, committed: Pick<ChoiceSummary, 'runtimeRegret' | 'coreHoursRegret'>): string[] {
  const worse: string[] = [];
  if ((stored(now.runtimeRegret) ?? Infinity) > committed.runtimeRegret + 1e-9) worse.push('runtime regret');
  if ((stored(now.coreHoursRegret) ?? Infinity) > committed.coreHoursRegret + 1e-9) worse.push('core-hours regret');
  return worse;
}
