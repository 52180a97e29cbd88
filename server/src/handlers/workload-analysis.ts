/**
 * LSP handler of the workload-analysis view's request (shared/src/protocol.ts WorkloadAnalysisRequest): one workload's runs, stages,
 * executors and plan (features/workload-analysis.ts), with the settings of the document it was opened from as current.
 */
import { WorkloadAnalysisRequest } from '../../../shared/src/protocol';
import { workloadAnalysis } from '../features/workload-analysis';
import type { ServerRoot } from '../server-root';

/** Registers the workload-analysis handler. */
export function registerWorkloadAnalysisHandler(root: ServerRoot): void {
  const { connection, documents } = root;
  connection.onRequest(WorkloadAnalysisRequest.type, async (params) => {
    const doc = params.uri ? documents.get(params.uri) : undefined;
    const analysis = doc ? await root.analyse(doc) : null;
    const site = analysis?.sites.find((s) => s.workload?.appName === params.appName) ?? null;
    // A document's own settings (cluster, prices, objective); the window's when opened without one.
    const options = await root.settings.options(params.uri);
    return root.sources.run((service) => workloadAnalysis(service, params, site, options));
  });
}
