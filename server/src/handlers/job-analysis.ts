/**
 * LSP handler of the job-analysis view's request (shared/src/protocol.ts JobAnalysisRequest): one job's runs, stages,
 * executors and plan (features/job-analysis.ts), with the settings of the document it was opened from as current.
 */
import { JobAnalysisRequest } from '../../../shared/src/protocol';
import { jobAnalysis } from '../features/job-analysis';
import type { ServerRoot } from '../server-root';

/** Registers the job-analysis handler. */
export function registerJobAnalysisHandler(root: ServerRoot): void {
  const { connection, documents } = root;
  connection.onRequest(JobAnalysisRequest.type, async (params) => {
    const doc = params.uri ? documents.get(params.uri) : undefined;
    const analysis = doc ? await root.analyse(doc) : null;
    const site = analysis?.sites.find((s) => s.job?.appName === params.appName) ?? null;
    // A document's own settings (cluster, prices, objective); the window's when opened without one.
    const options = await root.settings.options(params.uri);
    return jobAnalysis(root.service, params, site, options);
  });
}
