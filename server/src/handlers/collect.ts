/**
 * LSP handlers of the collection requests (shared/src/protocol.ts CollectEventLogsRequest, CollectHistoryServerRequest,
 * CollectObjectStoreRequest): run the core's collectors (history/collect.ts, history/history-server/collect.ts,
 * history/object-store/collect.ts) on the root's store with the request's cancellation and progress notifications, log
 * what failed, and tell the root the history changed.
 */
import {
  CollectEventLogsRequest,
  CollectHistoryServerRequest,
  CollectObjectStoreRequest,
  CollectProgressNotification,
  RequestErrorCodes,
} from '../../../shared/src/protocol';
import { errorMessage } from '../../../shared/src/errors';
import { collectObjectStore } from '../history/object-store/collect';
import { parseObjectStoreUrl, type ObjectStoreLocation } from '../history/object-store/location';
import { ObjectStoreError } from '../history/object-store/object-store';
import { openObjectStore } from '../history/object-store/open';
import { describeCorrection } from '../history/bounds';
import { collectEventLogs } from '../history/collect';
import { HistoryServerClient, tlsFromFiles } from '../history/history-server/client';
import { collectFromHistoryServer } from '../history/history-server/collect';
import { collectSummaryOf, Ingest, type IngestSummary } from '../history/ingest';
import type { ServerRoot } from '../server-root';
import { responseErrorOf, storeFor } from './response-errors';

/** Registers the collection handlers. Errors: see the requests in shared/src/protocol.ts. */
export function registerCollectHandlers(root: ServerRoot): void {
  const { connection, log } = root;
  const progress = (done: number, total: number, path: string) =>
    void connection.sendNotification(CollectProgressNotification.type, { done, total, path });

  connection.onRequest(CollectEventLogsRequest.type, async (params, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const store = storeFor(root);
    log.info(`Collecting event logs from ${params.folder}`);
    let summary;
    try {
      summary = await collectEventLogs(params.folder, store, { signal: abort.signal, onProgress: progress });
    } catch (e) {
      throw responseErrorOf(e, RequestErrorCodes.collectionFailed, `Could not read event logs from ${params.folder}`);
    }
    logCollection(root, params.folder, summary);
    return collectSummaryOf(summary, store.countApplications());
  });

  connection.onRequest(CollectHistoryServerRequest.type, async (params, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const store = storeFor(root);
    let client: HistoryServerClient;
    try {
      client = new HistoryServerClient({
        baseUrl: params.url,
        auth: params.auth,
        tls: tlsFromFiles({ ca: params.caFile, cert: params.certFile, key: params.keyFile }, params.verifyTls),
        onRetry: (r) => log.warn(`History Server: retrying ${r.url}`),
      });
    } catch (e) {
      throw responseErrorOf(e, RequestErrorCodes.collectionFailed, 'History Server'); // the message names the URL without its user info
    }
    try {
      log.info(`Collecting from the History Server ${client.baseUrl}`);
      const s = await collectFromHistoryServer(client, store, { signal: abort.signal, onProgress: progress });
      logCollection(root, client.baseUrl, s);
      return collectSummaryOf(s, store.countApplications());
    } finally {
      client.close();
    }
  });

  connection.onRequest(CollectObjectStoreRequest.type, async (params, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const store = storeFor(root);
    let location: ObjectStoreLocation;
    let bucket: ReturnType<typeof openObjectStore>;
    try {
      location = parseObjectStoreUrl(params.url.trim());
      const endpointUrl = params.endpointUrl.trim();
      if (endpointUrl && !/^https?:\/\/[^/\s]/i.test(endpointUrl))
        throw new Error(`the endpoint ${endpointUrl} is not an http:// or https:// URL`);
      bucket = openObjectStore(location, { endpointUrl: endpointUrl || undefined });
    } catch (e) {
      throw responseErrorOf(e, RequestErrorCodes.collectionFailed, 'Object storage');
    }
    const where = params.endpointUrl.trim() ? `${params.url} at ${params.endpointUrl.trim()}` : params.url;
    try {
      log.info(`Collecting event logs from ${where}`);
      const s = await collectObjectStore(bucket.store, location.prefix, store, {
        signal: abort.signal,
        onProgress: progress,
      });
      logCollection(root, params.url, s);
      log.info(`${where}: ${s.listedObjects} objects listed, ${s.downloadedObjects} reads`);
      return {
        ...collectSummaryOf(s, store.countApplications()),
        store: location.kind,
        listedObjects: s.listedObjects,
        downloadedObjects: s.downloadedObjects,
      };
    } catch (e) {
      // The listing failed (credentials, permission, bucket, network after the SDK's retries) or nothing lies under
      // the prefix: one failure of the summary, with its kind for the client's remedy.
      const ingest = new Ingest(store);
      if (abort.signal.aborted) ingest.summary.cancelled = true;
      else ingest.fail(params.url, errorMessage(e), null, null, e instanceof ObjectStoreError ? e.kind : undefined);
      logCollection(root, params.url, ingest.summary);
      return {
        ...collectSummaryOf(ingest.summary, store.countApplications()),
        store: location.kind,
        listedObjects: 0,
        downloadedObjects: 0,
      };
    } finally {
      bucket.close();
    }
  });
}

/** Logs one collection's failures, incomplete attempts and counts, and tells the root the history changed. */
function logCollection(root: ServerRoot, from: string, s: IngestSummary): void {
  const { log } = root;
  for (const f of s.failed)
    log.warn(
      `Skipped ${f.appId ? `${f.appId}${f.attemptId ? ` attempt ${f.attemptId}` : ''} (${f.path})` : f.path}: ${f.reason}`,
    );
  for (const a of s.applications)
    if (a.incompleteReason)
      log.warn(`Stored ${a.appId}${a.attemptId ? ` attempt ${a.attemptId}` : ''} as incomplete: ${a.incompleteReason}`);
  for (const c of s.corrections) log.warn(`Impossible values in ${from}: ${describeCorrection(c)}`);
  for (const e of s.decodeErrors)
    log.warn(`Not fully decoded: ${e.file} (${e.codec}${e.offset !== null ? `, byte ${e.offset}` : ''}): ${e.message}`);
  for (const w of s.warnings) log.info(`${w.path}: ${w.message}`);
  log.info(
    `Collected from ${from}: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.incomplete} incomplete, ${s.failed.length} failed`,
  );
  root.historyChanged();
}
