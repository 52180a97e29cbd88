/**
 * What the core reports about one analysed document, in the product's own terms: one finding per change of the
 * engine's plan, per workload finding, per feedback warning and per check, each with a range (0-based line and UTF-16
 * character, as config/setting.ts) and a severity of {@link FindingSeverity}. Front ends render them: the editor as
 * LSP diagnostics (features/diagnostics.ts), the CLI's `check` as `file:line:col severity message` lines
 * (cli/engine-commands.ts). Knows nothing of LSP.
 */
import { formatDurationMs } from './config/spark-units';
import type { Range } from './config/setting';
import type { DocumentAnalysis, SiteAnalysis } from './language-service';
import { confidenceLabel, plural, type PlannedSetting } from './recommend/engine';

/** How much a finding matters, most first: `hint` is a low-confidence change (the editor fades it). */
export type FindingSeverity = 'error' | 'warning' | 'info' | 'hint';

/** `DocumentFinding.code` of the one finding of a document that was not analysed (too large, failed). */
export const NOT_ANALYSED_CODE = 'not-analysed';

/** One thing reported about a document. */
export interface DocumentFinding {
  /** Where: the setting's value when the file sets the key, else the first character of the application's call. */
  range: Range;
  severity: FindingSeverity;
  /**
   * What kind: `recommend:<key>` (a change of the plan), `plan:does-not-fit`, a heuristic id (workload findings),
   * `feedback:worse`, a check code `SPARK0nn`, or {@link NOT_ANALYSED_CODE}.
   */
  code: string;
  /** The sentence shown, with its numbers. */
  message: string;
  /** The plan's setting behind a `recommend:<key>` finding (its value, evidence, confidence); absent for the others. */
  recommendation?: PlannedSetting;
}

/**
 * The findings of a document: one per change of the engine's plan (recommend/engine.ts), on the value when the file
 * sets the key, else on the first line of the session/spark-submit call, showing that setting's part of the plan; a
 * warning on the call when no configuration fits the cluster; one `info` per workload finding (skew, failed tasks, settings
 * the cluster manager ignores), a warning per applied fix after which the workload got worse, and one per check finding
 * (SPARK0xx codes, with the check's severity).
 * Severity of a change: `warning` when its confidence is medium or high, `hint` when low. A document that was not
 * analysed (`notAnalysed`) gets only one `info` finding at its start saying why.
 */
export function documentFindings(doc: DocumentAnalysis): DocumentFinding[] {
  if (doc.notAnalysed) {
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 'info',
        code: NOT_ANALYSED_CODE,
        message: doc.notAnalysed,
      },
    ];
  }
  const out: DocumentFinding[] = [];
  for (const sa of doc.sites) {
    for (const rec of sa.recommendations) out.push(recommendationFinding(sa, rec));
    if (sa.plan?.doesNotFit)
      out.push({ range: firstLineOf(sa), severity: 'warning', code: 'plan:does-not-fit', message: sa.plan.doesNotFit });
    for (const f of sa.findings) {
      const setting = f.key !== undefined ? sa.site.effective.get(f.key) : undefined;
      out.push({ range: setting ? setting.range : firstLineOf(sa), severity: 'info', code: f.id, message: f.message });
    }
    // Feedback loop: an applied quick fix after which the workload's runs got worse.
    for (const o of sa.feedback) {
      if (o.after === null || o.worse.length === 0) continue;
      const setting = sa.site.effective.get(o.fix.key);
      out.push({
        range: setting ? setting.range : firstLineOf(sa),
        severity: 'warning',
        code: 'feedback:worse',
        message: `Since ${o.fix.key} was changed ${o.fix.oldValue ?? '(not set)'} → ${o.fix.newValue} on ${new Date(o.fix.appliedAtMs).toISOString().slice(0, 10)}, the workload got worse: ${o.worse.join('; ')} (${o.before?.appIds.length ?? 0} run(s) before, ${o.after.appIds.length} after: ${o.after.appIds.join(', ')}).`,
      });
    }
    for (const c of sa.checks) out.push({ range: c.range, severity: c.severity, code: c.code, message: c.message });
  }
  return out;
}

function recommendationFinding(sa: SiteAnalysis, rec: PlannedSetting): DocumentFinding {
  const setting = sa.site.effective.get(rec.key);
  const label = confidenceLabel(rec.confidence);
  const change = setting
    ? `${rec.key}: ${rec.currentValue ?? rec.effectiveValue} → ${rec.recommendedValue}`
    : `${rec.key} is not set (${rec.effectiveValue} now): set it to ${rec.recommendedValue}`;
  const median = medianDuration(sa);
  const why = rec.reason === 'safety' ? 'safety' : `objective ${sa.plan?.objective ?? 'balanced'}`;
  return {
    range: setting ? setting.range : firstLineOf(sa),
    severity: label === 'low' ? 'hint' : 'warning',
    code: `recommend:${rec.key}`,
    message: `${change}. ${rec.message} (${why}, confidence ${label}, ${sa.runs.length} ${plural(sa.runs.length, 'run')}${median ? `, median ${median}` : ''})`,
    recommendation: rec,
  };
}

function medianDuration(sa: SiteAnalysis): string | null {
  if (sa.runs.length === 0) return null;
  const d = sa.runs.map((r) => r.durationMs).sort((a, b) => a - b);
  return formatDurationMs(d[Math.floor((d.length - 1) / 2)]);
}

/** The first character of the session/spark-submit call: where application-wide findings go. */
function firstLineOf(sa: SiteAnalysis): Range {
  const start = sa.site.range.start;
  return { start, end: { line: start.line, character: start.character + 1 } };
}
