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
import { TeamServiceError } from '../history/team-service';

/** Registers the store handlers. */
export function registerStoreHandlers(root: ServerRoot): void {
  const { connection, log } = root;

  // The workload list for the workload-analysis quick pick, kept until the next collection (the GROUP BY over every run takes
  // seconds on 100,000 runs).
  let workloadsCache: StoredWorkload[] | null = null;
  root.onHistoryChanged(() => (workloadsCache = null));
  connection.onRequest(
    ListWorkloadsRequest.type,
    async () => (workloadsCache ??= await root.sources.run((_s, reader) => reader?.listWorkloads() ?? [])),
  );

  connection.onRequest(StoreInfoRequest.type, () =>
    root.sources.run((service, reader, from): StoreInfoRequest.Result => ({
      path: root.storePath,
      applications: reader?.countApplications() ?? 0,
      // The service's cached distinct names, not listWorkloads(): this request comes after every collection.
      workloads: service.workloadNames().length,
      lastCollectedAtMs: reader?.lastCollectedAtMs() ?? null,
      history:
        root.serviceUrl !== null
          ? { kind: 'service', url: root.serviceUrl, serviceAnswers: from === 'service' }
          : { kind: 'local', ...(root.serviceError ? { serviceProblem: root.serviceError } : {}) },
    })),
  );

  connection.onRequest(RecordAppliedFixRequest.type, async (params) => {
    const now = Date.now();
    const client = root.sources.serviceClient;
    const ids: number[] = [];
    let remaining = params.fixes;
    if (client !== null && root.serviceAnswers !== false) {
      // Service mode: the fix is feedback to the team's service ("applied"), which records it for everyone's feedback loop.
      try {
        for (const f of params.fixes.filter((x) => x.appName !== null)) {
          const r = await client.sendFeedback({
            verdict: 'applied',
            appName: f.appName as string,
            key: f.key,
            recommendedValue: f.newValue,
            ...(f.oldValue !== null ? { previousValue: f.oldValue } : {}),
            fileUri: f.uri,
          });
          ids.push(r.appliedFixId ?? r.id);
          remaining = remaining.filter((x) => x !== f);
        }
        if (ids.length > 0)
          log.info(`Sent ${ids.length} applied fix(es) to the team service at ${client.url} as feedback.`);
      } catch (e) {
        if (!(e instanceof TeamServiceError)) throw e;
        root.sources.serviceFailed(e);
      }
    }
    if (remaining.length > 0) {
      const store = storeFor(root);
      for (const f of remaining)
        ids.push(
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
        `Remembered ${remaining.length} applied fix(es) in the local store: ${remaining.map((f) => `${f.key}=${f.newValue}`).join(', ')}`,
      );
    }
    root.historyChanged();
    return { ids };
  });
}
