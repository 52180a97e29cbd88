/**
 * LSP handlers of the history store's requests (shared/src/protocol.ts): the jobs for the job-analysis picker
 * (ListJobsRequest), facts for the status bar (StoreInfoRequest) and the quick fixes the user applied
 * (RecordAppliedFixRequest, remembered for the feedback loop).
 */
import { ListJobsRequest, RecordAppliedFixRequest, StoreInfoRequest, type StoredJob } from '../../../shared/src/protocol';
import type { ServerRoot } from '../server-root';
import { storeFor } from './response-errors';

/** Registers the store handlers. */
export function registerStoreHandlers(root: ServerRoot): void {
  const { connection, log } = root;

  // The jobs list for the job-analysis quick pick, kept until the next collection (the GROUP BY over every run takes
  // seconds on 100,000 runs).
  let jobsCache: StoredJob[] | null = null;
  root.onHistoryChanged(() => (jobsCache = null));
  connection.onRequest(ListJobsRequest.type, () => (jobsCache ??= root.store?.listJobs() ?? []));

  connection.onRequest(StoreInfoRequest.type, () => ({
    path: root.storePath,
    applications: root.store?.countApplications() ?? 0,
    // The service's cached distinct names, not listJobs(): this request comes after every collection.
    jobs: root.service.jobNames().length,
    lastCollectedAtMs: root.store?.lastCollectedAtMs() ?? null,
  }));

  connection.onRequest(RecordAppliedFixRequest.type, (params) => {
    const store = storeFor(root);
    const now = Date.now();
    const ids = params.fixes.map((f) => store.recordAppliedFix({ fileUri: f.uri, appName: f.appName, key: f.key, oldValue: f.oldValue, newValue: f.newValue, appliedAtMs: now }));
    log.info(`Remembered ${ids.length} applied fix(es): ${params.fixes.map((f) => `${f.key}=${f.newValue}`).join(', ')}`);
    root.historyChanged();
    return { ids };
  });
}
