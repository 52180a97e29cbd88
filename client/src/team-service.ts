/**
 * The editor's side of collections on the team service (service mode: `sparkOptimizer.service.url` is set and the
 * language server reads the service's history). "Spark: Collect History on the Team Service" picks one of the
 * service's configured sources (`GET /api/v1/sources` through the language server's TeamServiceSourcesRequest),
 * starts its collection there and follows it (TeamServiceCollectRequest; the server polls the service and sends
 * TeamServiceCollectProgressNotification); the local collect commands ask first where to collect
 * (askWhereToCollect). Ctx (client/src/ctx.ts) keeps the one-collection-at-a-time flag, the status item and the
 * "collected" event; this module only talks to the user and to the language server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  StoreInfoRequest,
  TeamServiceCollectProgressNotification,
  TeamServiceCollectRequest,
  TeamServiceSourcesRequest,
  type TeamServiceSource,
} from '../../shared/src/protocol';
import { escapeMessageLinks } from '../../shared/src/escape';
import { requestErrorMessage } from './request-error';

/**
 * The message at the end of a collection on the team service: the source, the state, and the counts its route gives
 * (logs stored, skipped as already stored, failed; applications stored), and whether it was one already running.
 */
function teamCollectionText(url: string, r: TeamServiceCollectRequest.Result): string {
  const c = r.collection;
  const p = c.progress;
  const followed = r.alreadyRunning
    ? `A collection of "${c.source}" was already running (collection ${c.id}, ${c.trigger === 'schedule' ? 'on its schedule' : 'requested'}, on ${c.holder}); followed it: `
    : '';
  const errors =
    c.errorsTotal > 0
      ? ` Errors: ${c.errors
          .slice(0, 2)
          .map((e) => `${e.path}: ${e.reason}`)
          .join(' · ')}${c.errorsTotal > 2 ? ` (and ${c.errorsTotal - 2} more, see the logs)` : ''}`
      : '';
  return `${followed}Team service ${url}: collection ${c.id} of "${c.source}" ${c.state}: ${p.logsStored} logs stored, ${p.logsSkipped} skipped (already stored), ${p.logsFailed} failed of ${p.logsFound}; ${p.applicationsStored} applications stored.${errors}`;
}

/** A source of the team service as a quick-pick row: its name, kind and location, and how its last collection went. */
function sourceItem(s: TeamServiceSource): { label: string; description: string; detail: string; source: string } {
  const last = s.lastCollection;
  const every = s.intervalMs !== null ? `collected every ${Math.round(s.intervalMs / 60_000)} min; ` : '';
  return {
    label: `$(organization) Collect on the team service (source ${s.name})`,
    description: `${s.kind}: ${s.location}`,
    detail: `${every}${last ? `last collection ${last.state}${last.finishedAtMs ? ` ${new Date(last.finishedAtMs).toLocaleString()}` : ''}: ${last.progress.logsStored} logs stored` : 'never collected'}`,
    source: s.name,
  };
}

/** Logs `text` as an error and shows it (links escaped). */
function showError(output: vscode.LogOutputChannel, text: string): void {
  output.error(text);
  void vscode.window.showErrorMessage(escapeMessageLinks(text));
}

/** The team service's URL when the language server reads its history (service mode), else null (also on error). */
export async function serviceModeUrl(client: LanguageClient): Promise<string | null> {
  try {
    const h = (await client.sendRequest(StoreInfoRequest.type)).history;
    return h.kind === 'service' ? h.url : null;
  } catch {
    return null;
  }
}

/**
 * Before a collection into the local store: in service mode the editor shows the team service's history, not the
 * local store's, so the service's sources are offered first ("Collect on the team service (source …)") beside
 * "Collect into my local store only". Not in service mode, nothing is asked.
 * @returns 'local' to go on with the local collection, `{ source }` to collect that source on the service instead,
 *   null when the user cancelled. A failure to list the sources is logged and leaves only the local choice.
 */
export async function askWhereToCollect(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
): Promise<'local' | { source: string } | null> {
  const url = await serviceModeUrl(client);
  if (url === null) return 'local';
  let sources: TeamServiceSource[] = [];
  try {
    sources = (await client.sendRequest(TeamServiceSourcesRequest.type)).sources;
  } catch (e) {
    output.warn(`The team service's sources could not be listed: ${requestErrorMessage(e)}`);
  }
  const local = {
    label: '$(database) Collect into my local store only',
    description: '',
    detail: `In service mode the editor shows the history of the team service ${url}, not the local store: runs collected only locally are not shown while sparkOptimizer.service.url is set.`,
    source: null as string | null,
  };
  const pick = await vscode.window.showQuickPick([...sources.map(sourceItem), local], {
    title: `The editor reads the team service ${url}: where should the runs be collected?`,
    ignoreFocusOut: true,
  });
  if (!pick) return null;
  return pick.source === null ? 'local' : { source: pick.source };
}

/**
 * The source to collect on the team service: `source` when given, else the one the user picks from the service's
 * configured sources.
 * @returns the service's URL and the source's name, or undefined when there is none, the user cancelled, or the
 *   sources could not be listed (then the error is shown; a 401/403 or unreachable service is worded by
 *   requestErrorMessage).
 */
export async function pickTeamServiceSource(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  source?: string,
): Promise<{ url: string; source: string } | undefined> {
  try {
    const list = await client.sendRequest(TeamServiceSourcesRequest.type);
    if (source !== undefined) return { url: list.url, source };
    if (list.sources.length === 0) {
      const text = `The team service ${list.url} has no collection sources configured: its administrator lists the event-log folders, object-store locations and History Servers it collects under "sources" in its config file.`;
      output.warn(text);
      void vscode.window.showWarningMessage(escapeMessageLinks(text));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      list.sources.map((s) => ({ ...sourceItem(s), label: s.name })),
      { title: `Collect on the team service ${list.url}: which source?`, ignoreFocusOut: true },
    );
    return pick ? { url: list.url, source: pick.source } : undefined;
  } catch (e) {
    showError(output, requestErrorMessage(e));
    return undefined;
  }
}

/**
 * Starts the collection of `target.source` on the team service (or follows the one already running there) in a
 * cancellable progress notification, then says how it went: an information message when it succeeded without
 * errors, else a warning with "Show Logs"; every error path is logged. Cancelling stops following only: the service
 * goes on with the collection.
 * @returns the finished collection, null when the user stopped following, undefined when the request failed (shown).
 */
export async function followTeamServiceCollection(
  client: LanguageClient,
  output: vscode.LogOutputChannel,
  target: { url: string; source: string },
): Promise<TeamServiceCollectRequest.Result | null | undefined> {
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Collecting "${target.source}" on the team service`,
      cancellable: true,
    },
    async (progress, token) => {
      let reported = 0;
      const sub = client.onNotification(TeamServiceCollectProgressNotification.type, (p) => {
        const c = p.collection;
        const q = c.progress;
        const done = q.logsStored + q.logsSkipped + q.logsFailed;
        const pct = q.logsFound > 0 ? (done / q.logsFound) * 100 : 0;
        progress.report({
          message: `${p.alreadyRunning ? `collection ${c.id} already running, followed: ` : ''}${c.state}, ${q.logsStored} stored, ${q.logsSkipped} skipped, ${q.logsFailed} failed of ${q.logsFound} logs`,
          increment: Math.max(0, pct - reported),
        });
        reported = Math.max(reported, pct);
      });
      try {
        return await client.sendRequest(TeamServiceCollectRequest.type, { source: target.source }, token);
      } catch (e) {
        if (token.isCancellationRequested) return null;
        showError(output, requestErrorMessage(e));
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  );
  if (result === null)
    output.info(`Stopped following the collection of "${target.source}"; the team service goes on with it.`);
  else if (result) {
    const text = teamCollectionText(target.url, result);
    output.info(text);
    for (const e of result.collection.errors) output.warn(`${e.path}: ${e.reason}`);
    if (result.collection.state === 'succeeded' && result.collection.errorsTotal === 0)
      void vscode.window.showInformationMessage(escapeMessageLinks(text));
    else void vscode.window.showWarningMessage(escapeMessageLinks(text), 'Show Logs').then((a) => a && output.show());
  }
  return result;
}
