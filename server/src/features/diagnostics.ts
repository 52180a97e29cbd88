import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { documentFindings, type FindingSeverity } from '../document-findings';
import type { DocumentAnalysis } from '../language-service';

/** `Diagnostic.source` of everything this server reports. */
export const DIAGNOSTIC_SOURCE = 'spark-optimizer';

/** Payload kept in `Diagnostic.data` so a code action can rebuild its edit without re-analysing. */
export interface RecommendationDiagnosticData {
  key: string;
  recommendedValue: string;
}

/** LSP severity of each finding severity. */
const SEVERITY: Record<FindingSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * Diagnostics for a document: its findings (document-findings.ts: plan changes, a plan that does not fit, workload
 * findings, feedback warnings, checks; one `not-analysed` information for a document that was not analysed) as LSP
 * diagnostics, with source `spark-optimizer`, the finding's code, and for a plan change the key and value in `data`.
 */
export function onDiagnostics(doc: DocumentAnalysis): Diagnostic[] {
  return documentFindings(doc).map((f) => {
    const d: Diagnostic = {
      range: f.range,
      severity: SEVERITY[f.severity],
      source: DIAGNOSTIC_SOURCE,
      code: f.code,
      message: f.message,
    };
    if (f.recommendation) {
      const data: RecommendationDiagnosticData = {
        key: f.recommendation.key,
        recommendedValue: f.recommendation.recommendedValue,
      };
      d.data = data;
    }
    return d;
  });
}
