/**
 * LSP handlers of the history store's requests (shared/src/protocol.ts): the workloads for the workload-analysis picker
 * (ListWorkloadsRequest), facts for the status bar (StoreInfoRequest) and the quick fixes the user applied
 * (RecordAppliedFixRequest, remembered for the feedback loop).
 */
import {
  ListWorkloadsRequest,
  RecordAppliedFixRequest,
  StoreInfoRequest,
  type StoredWorkload,
} from '../../../shared/src/protocol';
import type { ServerRoot } from '../server-root';
import { storeFor } from './response-errors';

/** Registers the store handlers. */
export function registerStoreHandlers(root: ServerRoot): void {
  const { connection, log } = root;

  // The workload list for the workload-analysis quick pick, kept until the next collection (the GROUP BY over every run takes
  // seconds on 100,000 runs).
  let workloadsCache: StoredWorkload[] | null = null;
  root.onHistoryChanged(() => (workloadsCache = null));
  connection.onRequest(ListWorkloadsRequest.type, () => (workloadsCache ??= root.store?.listWorkloads() ?? []));

  connection.onRequest(StoreInfoRequest.type, () => ({
    path: root.storePath,
    applications: root.store?.countApplications() ?? 0,
    // The service's cached distinct names, not listWorkloads(): this request comes after every collection.
    workloads: root.service.workloadNames().length,
    lastCollectedAtMs: root.store?.lastCollectedAtMs() ?? null,
  }));

  connection.onRequest(RecordAppliedFixRequest.type, (params) => {
    const store = storeFor(root);
    const now = Date.now();
    const ids = params.fixes.map((f) =>
      store.recordAppliedFix({
        fileUri: f.uri,
        appName: f.appName,
        key: f.key,
        oldValue: f.oldValue,
        newValue: f.newValue,
        appliedAtMs: now,
      }),
    );
    log.info(
      `Remembered ${ids.length} applied fix(es): ${params.fixes.map((f) => `${f.key}=${f.newValue}`).join(', ')}`,
    );
    root.historyChanged();
    return { ids };
  });
}
