/**
 * LSP handlers of the history store's requests (shared/src/protocol.ts): the workloads for the workload-analysis picker
 * (ListWorkloadsRequest), facts for the status bar (StoreInfoRequest), the quick fixes the user applied
 * (RecordAppliedFixRequest, remembered for the feedback loop) and the recommendations the user dismissed or restored
 * (RecordFeedbackRequest, ListDismissedRequest).
 */
import {
  ListWorkloadsRequest,
  RecordAppliedFixRequest,
  ListDismissedRequest,
  RecordFeedbackRequest,
  StoreInfoRequest,
  type DismissedRecommendationInfo,
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

  connection.onRequest(RecordFeedbackRequest.type, async (f): Promise<RecordFeedbackRequest.Result> => {
    const client = root.sources.serviceClient;
    let serviceId: number | null = null;
    if (client !== null && root.serviceAnswers !== false) {
      // Service mode: the team's service keeps the verdict for everyone (the history it serves hides the recommendation).
      try {
        serviceId = (
          await client.sendFeedback({
            verdict: f.verdict,
            appName: f.appName,
            key: f.key,
            recommendedValue: f.recommendedValue,
            ...(f.previousValue !== null ? { previousValue: f.previousValue } : {}),
            ...(f.reason !== null ? { reason: f.reason } : {}),
            fileUri: f.uri,
          })
        ).id;
        log.info(`Sent feedback ${f.verdict} on ${f.key}=${f.recommendedValue} to the team service at ${client.url}.`);
      } catch (e) {
        if (!(e instanceof TeamServiceError)) throw e;
        root.sources.serviceFailed(e);
      }
    }
    // Always in the local store too: the local history (and the fallback when the service is unreachable) hides it as well.
    // Without the service's answer, a store that cannot be opened fails the request (storeUnavailable).
    const store = serviceId === null ? storeFor(root) : root.store;
    let localId: number | null = null;
    if (store !== null)
      localId = store.recordFeedback({
        verdict: f.verdict,
        appName: f.appName,
        key: f.key,
        recommendedValue: f.recommendedValue,
        previousValue: f.previousValue,
        reason: f.reason,
        fileUri: f.uri,
        appliedFixId: null,
        tokenId: null,
        receivedAtMs: Date.now(),
      });
    log.info(
      `Recorded feedback ${f.verdict} on ${f.key}=${f.recommendedValue} of ${f.appName}${f.reason !== null ? ` (${f.reason})` : ''}${localId !== null ? ' in the local store' : ''}.`,
    );
    root.historyChanged();
    return { serviceId, localId };
  });

  connection.onRequest(ListDismissedRequest.type, async () => {
    const out: DismissedRecommendationInfo[] = [];
    const seen = new Set<string>();
    for (const doc of root.documents.all()) {
      const analysis = await root.analyse(doc);
      for (const sa of analysis?.sites ?? []) {
        for (const d of sa.dismissed) {
          const id = JSON.stringify([d.feedback.appName, d.recommendation.key]);
          if (seen.has(id)) continue;
          seen.add(id);
          out.push({
            uri: doc.uri,
            appName: d.feedback.appName,
            key: d.recommendation.key,
            recommendedValue: d.recommendation.recommendedValue,
            previousValue: d.recommendation.currentValue,
            reason: d.feedback.reason,
            dismissedAtMs: d.feedback.receivedAtMs,
          });
        }
      }
    }
    return out;
  });
}
