import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { formatDurationMs } from '../config/spark-units';
import type { DocumentAnalysis, SiteAnalysis } from '../language-service';
import { confidenceLabel, plural, type PlannedSetting } from '../recommend/engine';

/** `Diagnostic.source` of everything this server reports. */
export const DIAGNOSTIC_SOURCE = 'spark-optimizer';

/** `Diagnostic.code` of the one informational diagnostic of a document that was not analysed (too large, failed). */
export const NOT_ANALYSED_CODE = 'not-analysed';

/** Payload kept in `Diagnostic.data` so a code action can rebuild its edit without re-analysing. */
export interface RecommendationDiagnosticData {
  key: string;
  recommendedValue: string;
}

/**
 * Diagnostics for a document: one per change of the engine's plan (recommend/engine.ts), on the value when the file
 * sets the key, else on the first line of the session/spark-submit call, showing that setting's part of the plan; a
 * warning on the call when no configuration fits the cluster; one information diagnostic per workload finding (skew, failed
 * tasks, settings the cluster manager ignores), and one per check finding (SPARK0xx codes).
 * Severity of a change: Warning when its confidence is medium or high, Hint when low. A document that was not analysed
 * (`notAnalysed`) gets only one Information diagnostic at its start saying why.
 */
export function onDiagnostics(doc: DocumentAnalysis): Diagnostic[] {
  if (doc.notAnalysed) {
    return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: DIAGNOSTIC_SOURCE, code: NOT_ANALYSED_CODE, message: doc.notAnalysed }];
  }
  const out: Diagnostic[] = [];
  for (const sa of doc.sites) {
    for (const rec of sa.recommendations) out.push(recommendationDiagnostic(sa, rec));
    if (sa.plan?.doesNotFit) {
      out.push({ range: firstLineOf(sa), severity: DiagnosticSeverity.Warning, source: DIAGNOSTIC_SOURCE, code: 'plan:does-not-fit', message: sa.plan.doesNotFit });
    }
    for (const f of sa.findings) {
      const setting = f.key !== undefined ? sa.site.effective.get(f.key) : undefined;
      out.push({
        range: setting ? setting.range : firstLineOf(sa),
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: f.id,
        message: f.message,
      });
    }
    // Feedback loop: an applied quick fix after which the workload's runs got worse.
    for (const o of sa.feedback) {
      if (o.after === null || o.worse.length === 0) continue;
      const setting = sa.site.effective.get(o.fix.key);
      out.push({
        range: setting ? setting.range : firstLineOf(sa),
        severity: DiagnosticSeverity.Warning,
        source: DIAGNOSTIC_SOURCE,
        code: 'feedback:worse',
        message: `Since ${o.fix.key} was changed ${o.fix.oldValue ?? '(not set)'} → ${o.fix.newValue} on ${new Date(o.fix.appliedAtMs).toISOString().slice(0, 10)}, the workload got worse: ${o.worse.join('; ')} (${o.before?.appIds.length ?? 0} run(s) before, ${o.after.appIds.length} after: ${o.after.appIds.join(', ')}).`,
      });
    }
    for (const c of sa.checks) {
      out.push({
        range: c.range,
        severity: c.severity === 'error' ? DiagnosticSeverity.Error : c.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: c.code,
        message: c.message,
      });
    }
  }
  return out;
}

function recommendationDiagnostic(sa: SiteAnalysis, rec: PlannedSetting): Diagnostic {
  const setting = sa.site.effective.get(rec.key);
  const range = setting ? setting.range : firstLineOf(sa);
  const label = confidenceLabel(rec.confidence);
  const change = setting ? `${rec.key}: ${rec.currentValue ?? rec.effectiveValue} → ${rec.recommendedValue}` : `${rec.key} is not set (${rec.effectiveValue} now): set it to ${rec.recommendedValue}`;
  const median = medianDuration(sa);
  const data: RecommendationDiagnosticData = { key: rec.key, recommendedValue: rec.recommendedValue };
  const why = rec.reason === 'safety' ? 'safety' : `objective ${sa.plan?.objective ?? 'balanced'}`;
  return {
    range,
    severity: label === 'low' ? DiagnosticSeverity.Hint : DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: `recommend:${rec.key}`,
    message: `${change}. ${rec.message} (${why}, confidence ${label}, ${sa.runs.length} ${plural(sa.runs.length, 'run')}${median ? `, median ${median}` : ''})`,
    data,
  };
}

function medianDuration(sa: SiteAnalysis): string | null {
  if (sa.runs.length === 0) return null;
  const d = sa.runs.map((r) => r.durationMs).sort((a, b) => a - b);
  return formatDurationMs(d[Math.floor((d.length - 1) / 2)]);
}

/** The first character of the session/spark-submit call: where application-wide diagnostics go. */
function firstLineOf(sa: SiteAnalysis) {
  const start = sa.site.range.start;
  return { start, end: { line: start.line, character: start.character + 1 } };
}
