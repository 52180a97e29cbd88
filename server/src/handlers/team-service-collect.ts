/**
 * LSP handlers of the team service's collections (shared/src/protocol.ts TeamServiceSourcesRequest,
 * TeamServiceCollectRequest): in service mode, list the service's sources and start and follow a collection there
 * (history/team-service-collect.ts) through the language server's one client of the service; when it ends, the history
 * read from the service is dropped (so the new runs show at once, not after the next recheck) and diagnostics, code
 * lenses and inlay hints are made again (ServerRoot.historyChanged).
 */
import { ResponseError } from 'vscode-languageserver/node';
import {
  RequestErrorCodes,
  TeamServiceCollectProgressNotification,
  TeamServiceCollectRequest,
  TeamServiceSourcesRequest,
  type TeamServiceErrorData,
} from '../../../shared/src/protocol';
import { collectOnTeamService } from '../history/team-service-collect';
import { problemTypeUri, TeamServiceError, type TeamServiceClient } from '../history/team-service';
import type { ServerRoot } from '../server-root';

/** The problem type of a 403 for a token whose scope does not allow the request (service/problems.ts). */
const INSUFFICIENT_SCOPE = problemTypeUri('insufficient-scope');

/** Registers the team-service collection handlers. Errors: see the requests in shared/src/protocol.ts. */
export function registerTeamServiceCollectHandlers(root: ServerRoot): void {
  const { connection, log } = root;

  const clientOf = (): TeamServiceClient => {
    const client = root.sources.serviceClient;
    if (client === null)
      throw new ResponseError<TeamServiceErrorData>(
        RequestErrorCodes.teamServiceFailed,
        root.serviceError
          ? `The team service is not used: ${root.serviceError}`
          : 'The editor is not in service mode: sparkOptimizer.service.url is not set.',
        { url: '', kind: 'not-service-mode' },
      );
    return client;
  };

  const failure = (client: TeamServiceClient, e: unknown, what: string, scope: 'read' | 'collect') => {
    if (!(e instanceof TeamServiceError)) return e;
    const a = e.answer;
    const data: TeamServiceErrorData = {
      url: client.url,
      kind: e.kind,
      ...(a ? { status: a.status } : {}),
      ...(a?.problemType ? { problemType: a.problemType } : {}),
      ...(a?.status === 403 || a?.problemType === INSUFFICIENT_SCOPE ? { neededScope: scope } : {}),
    };
    // The service's own words (its problem detail) for a refusal; the client words the remedy from `data`.
    const message = a ? `The team service at ${client.url} refused ${what} (${a.status}): ${a.detail}` : e.message;
    log.warn(message);
    return new ResponseError<TeamServiceErrorData>(RequestErrorCodes.teamServiceFailed, message, data);
  };

  connection.onRequest(TeamServiceSourcesRequest.type, async () => {
    const client = clientOf();
    try {
      return { url: client.url, sources: await client.sources() };
    } catch (e) {
      throw failure(client, e, 'to list its sources', 'read');
    }
  });

  connection.onRequest(TeamServiceCollectRequest.type, async (params, token) => {
    const client = clientOf();
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    log.info(`Collecting "${params.source}" on the team service at ${client.url}`);
    try {
      const r = await collectOnTeamService(client, params.source, {
        signal: abort.signal,
        onProgress: (collection, alreadyRunning) =>
          void connection.sendNotification(TeamServiceCollectProgressNotification.type, { collection, alreadyRunning }),
      });
      const c = r.collection;
      const p = c.progress;
      log.info(
        `Team service collection ${c.id} of "${c.source}"${r.alreadyRunning ? ' (already running, followed)' : ''}: ${c.state}${r.stoppedFollowing ? ' (no longer followed)' : ''}, ${p.logsStored} stored, ${p.logsSkipped} skipped, ${p.logsFailed} failed of ${p.logsFound} logs, ${p.applicationsStored} applications`,
      );
      for (const err of c.errors) log.warn(`Team service collection ${c.id}: ${err.path}: ${err.reason}`);
      // Read the service's history again now (not after the next recheck) and republish diagnostics.
      root.historyChanged();
      return r;
    } catch (e) {
      throw failure(client, e, `to start a collection of "${params.source}"`, 'collect');
    } finally {
      if (abort.signal.aborted) log.info(`Stopped following the team service collection of "${params.source}".`);
    }
  });
}
