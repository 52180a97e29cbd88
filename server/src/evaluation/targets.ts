/**
 * Issue 14's targets, each stated as met or not, judged on the sealed test set only (the tuning set never decides a
 * target): the editor engine within 10 % of the grid's best on the objective it was set to in ≥ 80 % of cases; ahead
 * of every baseline on runtime and on cost; no recommended configuration that failed or spilled more than the start
 * run. Every history (one start run, three, none) is judged on its own. Pure: result in, list out.
 */
import type { ChoiceSummary } from './evaluate';
import { HISTORY_KINDS } from './evaluate';
import { EVAL_OBJECTIVES, type EvalObjective, type EvaluationResult, RANDOM_BASELINE, type TargetResult } from './run';

/** Share of cases that must be within 10 % of the grid's best (issue 14, "Targets"). */
export const WITHIN_TARGET = 0.8;

/** The measure each objective is judged by, with its within-10 % share. */
export const OBJECTIVE_MEASURES: Record<
  EvalObjective,
  { regret: keyof ChoiceSummary; within: keyof ChoiceSummary; label: string }
> = {
  runtime: { regret: 'runtimeRegret', within: 'runtimeWithin10', label: 'runtime' },
  cost: { regret: 'dcuRegret', within: 'dcuWithin10', label: 'cost (DCU)' },
  balanced: { regret: 'balancedRegret', within: 'balancedWithin10', label: 'balanced' },
};

const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
const pc = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(0)} %`);

/**
 * The targets on the test set (empty when the ground truth has no split).
 * @param r a result whose recommendation rows are computed.
 */
export function targetsOf(r: EvaluationResult): TargetResult[] {
  const rec = r.recommendation;
  if (!Object.values(r.data.workloadInfo ?? {}).some((w) => w.set === 'test')) return [];
  const out: TargetResult[] = [];
  const baselineNames = Object.keys(rec.baselines);
  for (const h of HISTORY_KINDS) {
    const key = `test/${h}` as const;
    for (const o of EVAL_OBJECTIVES) {
      const s = rec.editor[o].slices[key];
      if (s === undefined) continue;
      const m = OBJECTIVE_MEASURES[o];
      const share = s[m.within] as number;
      out.push({
        target: `test set, ${h} run(s): objective ${o} within 10 % of the grid's best in ≥ ${pc(WITHIN_TARGET)} of cases`,
        met: share >= WITHIN_TARGET,
        detail: `${pc(share)} of ${s.n} cases (${m.label} regret ${f3(s[m.regret])})`,
      });
    }
    for (const [o, measure, label] of [
      ['runtime', 'runtimeRegret', 'runtime'],
      ['cost', 'dcuRegret', 'cost (DCU)'],
    ] as const) {
      const e = rec.editor[o].slices[key];
      if (e === undefined) continue;
      const rows = baselineNames
        .map((n) => ({ n, v: rec.baselines[n].slices[key]?.[measure] }))
        .filter((x) => x.v !== undefined && !Number.isNaN(x.v));
      const behind = rows.filter((x) => !(e[measure] < (x.v as number) - 1e-9));
      out.push({
        target: `test set, ${h} run(s): ahead of every baseline on ${label} (objective ${o})`,
        met: behind.length === 0 && rows.length > 0,
        detail:
          `${f3(e[measure])} against ${rows.map((x) => `${x.n} ${f3(x.v)}`).join(', ')}` +
          (o === 'cost'
            ? `; core-hours ${f3(e.coreHoursRegret)} (best baseline ${f3(Math.min(...baselineNames.map((n) => rec.baselines[n].slices[key]?.coreHoursRegret ?? Infinity)))}), memory-GiB-hours ${f3(e.memoryRegret)}`
            : '') +
          (behind.length > 0 ? `; not ahead of ${behind.map((x) => x.n).join(', ')}` : ''),
      });
    }
  }
  let failed = 0;
  let spilled = 0;
  let n = 0;
  for (const o of EVAL_OBJECTIVES) {
    for (const h of HISTORY_KINDS) {
      const s = rec.editor[o].slices[`test/${h}`];
      if (s === undefined) continue;
      failed += s.failedChoices ?? 0;
      spilled += s.spilledMoreChoices ?? 0;
      n += s.n;
    }
  }
  out.push({
    target: 'test set: no recommended configuration failed or spilled more than the start run',
    met: failed === 0 && spilled === 0,
    detail: `${failed} failed, ${spilled} spilled more, of ${n} recommendations (every objective and history); a random choice would fail in ${pc((rec.baselines[RANDOM_BASELINE]?.slices['test/one']?.failedChoices ?? 0) / Math.max(1, rec.baselines[RANDOM_BASELINE]?.slices['test/one']?.n ?? 1))} of cases`,
  });
  return out;
}
