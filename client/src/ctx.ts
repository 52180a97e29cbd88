import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  CollectEventLogsRequest,
  CollectHistoryServerRequest,
  CollectObjectStoreRequest,
  CollectProgressNotification,
  CollectSummary,
  RecordAppliedFixRequest,
  RecordFeedbackRequest,
  ListDismissedRequest,
  SERVICE_TOKEN_ENV,
  SETTINGS_SECTION,
  SourceFailureKind,
  StoreInfoRequest,
} from '../../shared/src/protocol';
import { COMMANDS, type CommandArgs } from '../../shared/src/commands';
import { askDismissReason, pickDismissedToRestore } from './dismiss';
import { documentSelector } from '../../shared/src/languages';
import {
  historyServerBlockedReason,
  ignoredWorkspaceSettings,
  objectStoreBlockedReason,
  restrictedKeysInSettingsText,
  serviceBlockedReason,
} from './trust';
import { escapeMessageLinks } from '../../shared/src/escape';
import { errorMessage } from '../../shared/src/errors';
import { setting, updateUserSetting, userSettingValue } from './settings';
import { historyServerRemedy, objectStoreRemedy } from './remedies';
import { collectionMessage } from './collection-summary';
import { requestErrorMessage } from './request-error';
import { askWhereToCollect, followTeamServiceCollection, pickTeamServiceSource } from './team-service';
import {
  askForHistoryServerCredentials,
  historyServerAuth,
  setHistoryServerCredentials,
} from './history-server-credentials';

/** workspaceState key of the object-store URL last collected from in this workspace. */
const OBJECT_STORE_LAST_URL_KEY = 'sparkOptimizer.objectStore.lastUrl';

/** SecretStorage key of the team service's bearer token (`spark-optimizer token create --scope read`). */
const SERVICE_TOKEN_KEY = 'sparkOptimizer.service.token';

/**
 * Owns the extension's lifetime: the language client, the output channel, the status item and every
 * disposable (rust-analyzer's ctx.ts pattern). No Spark logic lives here.
 */
export class Ctx implements vscode.Disposable {
  /** The client's log ("Spark Optimizer"): collections, trust decisions, the view. */
  readonly output: vscode.LogOutputChannel;
  /** The language server's log and LSP trace ("Spark Optimizer Language Server"). */
  readonly serverOutput: vscode.LogOutputChannel;
  private client: LanguageClient | null = null;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly collectedEmitter = new vscode.EventEmitter<void>();
  /** Fires after a collection finished (new runs may be in the store). */
  readonly onCollected = this.collectedEmitter.event;
  private timer: vscode.Disposable | undefined;
  private collecting = false;
  private lastCollection: Date | null = null;
  /** History Server state for the status bar: not set, last collection ok/failed, or blocked by Workspace Trust. */
  private historyServerState: { kind: 'none' | 'ok' | 'failed' | 'restricted'; detail: string } = {
    kind: 'none',
    detail: 'no History Server configured',
  };

  constructor(private readonly ext: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Spark Optimizer', { log: true });
    this.serverOutput = vscode.window.createOutputChannel('Spark Optimizer Language Server', { log: true });
    // Id kept for the e2e tests and the status bar menu; priority 50 leaves room for a Spark Connect item beside it.
    this.status = vscode.window.createStatusBarItem('sparkOptimizer.status', vscode.StatusBarAlignment.Right, 50);
    this.status.name = 'Spark Optimizer';
    this.status.command = COMMANDS.showActions;
    this.disposables.push(this.output, this.serverOutput, this.status, this.collectedEmitter);
  }

  /** The running language client, or null before start / after a failed start. */
  get languageClient(): LanguageClient | null {
    return this.client;
  }

  /**
   * Restricted settings (RESTRICTED_SETTINGS) that the workspace sets while it is not trusted: the extension
   * ignores those values. Empty in a trusted workspace.
   */
  restrictedWorkspaceSettings(): string[] {
    const config = vscode.workspace.getConfiguration();
    return ignoredWorkspaceSettings(vscode.workspace.isTrusted, (key) => config.inspect(key));
  }

  /**
   * Restricted settings the workspace's own settings files set (each folder's `.vscode/settings.json` and the
   * `.code-workspace` file): in restricted mode VS Code hides them from `inspect`, so the files are read.
   * Unreadable or missing files count as setting nothing.
   */
  private async restrictedKeysInWorkspaceFiles(): Promise<string[]> {
    const files = (vscode.workspace.workspaceFolders ?? []).map((f) =>
      vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'),
    );
    if (vscode.workspace.workspaceFile?.scheme === 'file') files.push(vscode.workspace.workspaceFile);
    const found = new Set<string>();
    for (const uri of files) {
      try {
        for (const k of restrictedKeysInSettingsText(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))))
          found.add(k);
      } catch {
        // No settings file there.
      }
    }
    return [...found];
  }

  /** Logs, once per start, what restricted mode changes, naming the workspace settings it ignores; the status item says it too. */
  async reportTrust(): Promise<void> {
    if (vscode.workspace.isTrusted) return;
    const ignored = [
      ...new Set([...this.restrictedWorkspaceSettings(), ...(await this.restrictedKeysInWorkspaceFiles())]),
    ];
    this.output.warn(
      `Restricted mode: the extension reads job files and shows the runs already in the history store; it connects to no server and reads no file named in workspace settings${ignored.length ? ` (ignored: ${ignored.join(', ')})` : ''}. Trust the workspace to lift this.`,
    );
    if (ignored.some((k) => k.startsWith('sparkOptimizer.historyServer.'))) {
      this.historyServerState = {
        kind: 'restricted',
        detail: `not connecting: ${ignored.join(', ')} come(s) from an untrusted workspace`,
      };
      void this.refreshStatus();
    }
  }

  /** Path of the SQLite history store: the `sparkOptimizer.historyDatabase` user setting, else the global storage folder. */
  historyDatabase(): string {
    // Machine scope: only the user's own value counts (a workspace cannot point the extension at another database).
    const configured = userSettingValue('historyDatabase');
    return configured && configured.length > 0 ? configured : path.join(this.ext.globalStorageUri.fsPath, 'history.db');
  }

  /**
   * The team service the server reads (launch-time option `service`): `sparkOptimizer.service.url` and `caFile`, the
   * token from SecretStorage; undefined without a URL, or when the URL or CA file comes from an untrusted workspace
   * (then logged, and the status says so).
   */
  private async serviceOption(): Promise<{ url: string; token: string; caFile: string } | undefined> {
    const url = setting('service.url');
    if (!url) return undefined;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const why = serviceBlockedReason(vscode.workspace.isTrusted, (key) => config.inspect(key));
    if (why) {
      this.output.warn(`${why} Reading the local history store.`);
      return undefined;
    }
    const token = (await this.ext.secrets.get(SERVICE_TOKEN_KEY)) ?? '';
    if (!token) this.output.warn(`No token for the team service ${url}: run "Spark: Set Team Service Token".`);
    return { url, token, caFile: setting('service.caFile') };
  }

  /** "Spark: Set Team Service Token": keeps the token in SecretStorage (an empty answer removes it), then restarts the server. */
  async setServiceToken(): Promise<void> {
    const token = await vscode.window.showInputBox({
      title: 'Team service token',
      prompt:
        'A token from "spark-optimizer token create --scope read" (scope collect to also start collections on the service). Kept in SecretStorage, sent only to sparkOptimizer.service.url. Leave empty to remove the stored token.',
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token) await this.ext.secrets.store(SERVICE_TOKEN_KEY, token);
    else await this.ext.secrets.delete(SERVICE_TOKEN_KEY);
    this.output.info(token ? 'Team service token stored.' : 'Team service token removed.');
    await this.restart();
  }

  /** Starts the language server (Node, stdio) with the store path and the team service as launch-time options. */
  async start(): Promise<void> {
    const module = this.ext.asAbsolutePath(path.join('server', 'out', 'server.js'));
    const service = await this.serviceOption();
    // The service token goes to the server process in its environment, not in initializationOptions (an LSP trace
    // prints those); the URL and CA file are not secret.
    const env = service ? { ...process.env, [SERVICE_TOKEN_ENV]: service.token } : process.env;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio, options: { env } },
      debug: {
        module,
        transport: TransportKind.stdio,
        options: { env, execArgv: ['--nolazy', '--inspect=6009'] },
      },
    };
    const clientOptions: LanguageClientOptions = {
      // The server decides each document's kind by language id, name and content (fileKind in
      // server/src/config/file-settings.ts); the selector's languages and globs are shared/src/languages.ts.
      documentSelector: documentSelector(),
      outputChannel: this.serverOutput,
      traceOutputChannel: this.serverOutput,
      // Hover links may run only the workload-analysis command (the workload hover's "Open workload analysis").
      markdown: { isTrusted: { enabledCommands: [COMMANDS.openWorkloadAnalysis] }, supportHtml: false },
      initializationOptions: {
        historyDatabase: this.historyDatabase(),
        service: service ? { url: service.url, caFile: service.caFile } : undefined,
      },
      synchronize: { configurationSection: SETTINGS_SECTION },
    };
    // The id makes vscode-languageclient read `sparkOptimizer.trace.server` by itself.
    this.client = new LanguageClient('sparkOptimizer', 'Spark Optimizer Language Server', serverOptions, clientOptions);
    await this.client.start();
    await this.refreshStatus();
  }

  /** Restarts the server (after a launch-time setting changed). */
  async restart(): Promise<void> {
    await this.client?.stop();
    this.client = null;
    await this.start();
  }

  /**
   * Forwards applied quick fixes to the server (`sparkOptimizer.recordAppliedFix`, the command the fixes carry). The
   * edit is applied already: a failure to remember it (no store) is logged, not shown.
   */
  async recordAppliedFixes(params: RecordAppliedFixRequest.Params): Promise<void> {
    try {
      await this.client?.sendRequest(RecordAppliedFixRequest.type, params);
    } catch (e) {
      this.output.warn(`The applied fix was not remembered for the before/after comparison: ${requestErrorMessage(e)}`);
    }
  }

  /**
   * "Dismiss recommendation for KEY…" (`sparkOptimizer.dismissRecommendation`, carried by the server's code actions):
   * asks why (client/src/dismiss.ts), then the server records the `rejected` feedback and re-publishes diagnostics.
   * Escape records nothing; a failure is shown (the user asked for it).
   */
  async dismissRecommendation(rec: CommandArgs['dismissRecommendation'][0]): Promise<void> {
    const reason = await askDismissReason(rec);
    if (reason === undefined || !this.client) return;
    try {
      const r = await this.client.sendRequest(RecordFeedbackRequest.type, { ...rec, reason });
      this.output.info(
        `Dismissed ${rec.key}=${rec.recommendedValue} for ${rec.appName}${r.serviceId !== null ? ' (team service)' : ''}.`,
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`The recommendation was not dismissed: ${requestErrorMessage(e)}`);
    }
  }

  /**
   * "Spark: Show Dismissed Recommendations": lists the recommendations dismissed in the open files that the plan still
   * makes; the one picked is recorded as `accepted` (shown again: the newer verdict lifts the dismissal).
   */
  async showDismissedRecommendations(): Promise<void> {
    if (!this.client) return;
    try {
      const picked = await pickDismissedToRestore(await this.client.sendRequest(ListDismissedRequest.type));
      if (picked === undefined) return;
      await this.client.sendRequest(RecordFeedbackRequest.type, {
        verdict: 'accepted',
        uri: picked.uri,
        appName: picked.appName,
        key: picked.key,
        recommendedValue: picked.recommendedValue,
        previousValue: picked.previousValue,
        reason: 'shown again after it was dismissed',
      });
      this.output.info(`Shown again: ${picked.key}=${picked.recommendedValue} for ${picked.appName}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Dismissed recommendations: ${requestErrorMessage(e)}`);
    }
  }

  /** "Spark: Collect History from Event Logs": folder picker, cancellable progress, summary. */
  async collectFromEventLogs(): Promise<void> {
    if (!this.client || !(await this.collectLocallyInServiceMode())) return;
    const last = setting('eventLogFolder');
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: 'Collect Spark event logs',
      title: 'Folder of Spark event logs (spark.eventLog.dir)',
      defaultUri: last ? vscode.Uri.file(last) : vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked || picked.length === 0) return;
    const folder = picked[0].fsPath;
    await updateUserSetting('eventLogFolder', folder);
    await this.collectFolder(folder, vscode.ProgressLocation.Notification);
  }

  /**
   * Starts the optional background collection from the remembered folder: once now when
   * `collectOnStartup` is set, and every `collectIntervalMinutes` (both off by default).
   */
  scheduleBackgroundCollection(): void {
    this.timer?.dispose();
    this.timer = undefined;
    const minutes = setting('collectIntervalMinutes');
    if (minutes > 0) {
      const handle = setInterval(() => void this.collectInBackground(), minutes * 60_000);
      this.timer = { dispose: () => clearInterval(handle) };
    }
  }

  /** Collects once from the remembered folder and History Server if `collectOnStartup` is set. */
  async collectOnStartup(): Promise<void> {
    if (setting('collectOnStartup')) await this.collectInBackground();
  }

  /** Background collection: the remembered folder, then the configured History Server; never prompts. */
  private async collectInBackground(): Promise<void> {
    const folder = setting('eventLogFolder');
    if (folder) await this.collectFolder(folder, vscode.ProgressLocation.Window);
    if (setting('historyServer.url')) await this.collectFromHistoryServer(true);
  }

  private async collectFolder(folder: string, location: vscode.ProgressLocation): Promise<void> {
    await this.runCollection(folder, location, (client, token) =>
      client.sendRequest(CollectEventLogsRequest.type, { folder }, token),
    );
  }

  /**
   * "Spark: Collect History from History Server": the URL from `sparkOptimizer.historyServer.url` (asked for
   * and remembered when empty), credentials from SecretStorage. In an untrusted workspace a URL or file named
   * in workspace settings is not used.
   */
  async collectFromHistoryServer(background = false): Promise<void> {
    if (!this.client || (!background && !(await this.collectLocallyInServiceMode()))) return;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const why = historyServerBlockedReason(vscode.workspace.isTrusted, (key) => config.inspect(key));
    if (why) {
      this.historyServerState = { kind: 'restricted', detail: why };
      this.output.warn(why);
      void this.refreshStatus();
      if (!background) void vscode.window.showErrorMessage(why);
      return;
    }
    let url = setting('historyServer.url');
    if (!url && background) return;
    if (!url) {
      // In restricted mode VS Code hides a URL set in the workspace's settings (restrictedConfigurations): say so.
      const prompt = vscode.workspace.isTrusted
        ? 'Base URL of the History Server'
        : 'Base URL of the History Server (restricted mode: a URL in this workspace’s settings is not used; this one is saved in your user settings)';
      url =
        (await vscode.window.showInputBox({
          title: 'Spark History Server URL',
          prompt,
          placeHolder: 'http://history-server:18080',
          ignoreFocusOut: true,
        })) ?? '';
      if (!url) return;
      await updateUserSetting('historyServer.url', url);
    }
    const auth = await historyServerAuth(this.ext.secrets);
    if ('missing' in auth) {
      if (!background) return askForHistoryServerCredentials(this.ext.secrets);
      this.output.warn(`History Server: ${auth.missing}; run "Spark: Set History Server Credentials".`);
      return;
    }
    const params: CollectHistoryServerRequest.Params = {
      url,
      auth,
      verifyTls: setting('historyServer.verifyTls'),
      caFile: setting('historyServer.caFile'),
      certFile: setting('historyServer.certFile'),
      keyFile: setting('historyServer.keyFile'),
    };
    const location = background ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
    await this.runCollection(url, location, async (client, token) => {
      try {
        const s = await client.sendRequest(CollectHistoryServerRequest.type, params, token);
        this.historyServerState = {
          kind: s.failed.length > 0 && s.inserted + s.updated + s.unchanged === 0 ? 'failed' : 'ok',
          detail: `${url}: ${s.inserted} new, ${s.failed.length} failed at ${new Date().toLocaleTimeString()}`,
        };
        return s;
      } catch (e) {
        this.historyServerState = { kind: 'failed', detail: `${url}: ${errorMessage(e)}` };
        throw e;
      }
    });
  }

  /**
   * "Spark: Collect History from Object Storage": asks for the URL (offering the last one of this workspace), reads
   * the endpoint from `sparkOptimizer.objectStore.endpointUrl`, and collects through the server, whose process finds
   * the credentials through each cloud SDK's own chain. In an untrusted workspace an endpoint from workspace settings
   * is refused.
   */
  async collectFromObjectStorage(): Promise<void> {
    if (!this.client || !(await this.collectLocallyInServiceMode())) return;
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const why = objectStoreBlockedReason(vscode.workspace.isTrusted, (key) => config.inspect(key));
    if (why) {
      this.output.warn(why);
      void vscode.window.showErrorMessage(why);
      return;
    }
    const last = this.ext.workspaceState.get<string>(OBJECT_STORE_LAST_URL_KEY) ?? '';
    const url = (
      (await vscode.window.showInputBox({
        title: 'Spark event logs in object storage',
        prompt:
          'URL of the event-log folder (spark.eventLog.dir); credentials come from the cloud SDK’s own chain, never from settings',
        placeHolder:
          's3://bucket/spark-events · gs://bucket/prefix · abfss://container@account.dfs.core.windows.net/prefix',
        value: last,
        ignoreFocusOut: true,
        // No check here: the server parses the URL (history/object-store/location.ts) and says which forms it reads.
      })) ?? ''
    ).trim();
    if (!url) return;
    await this.ext.workspaceState.update(OBJECT_STORE_LAST_URL_KEY, url);
    const params: CollectObjectStoreRequest.Params = { url, endpointUrl: setting('objectStore.endpointUrl') };
    let store: CollectObjectStoreRequest.Result['store'] | null = null;
    await this.runCollection(
      url,
      vscode.ProgressLocation.Notification,
      async (client, token) => {
        const s = await client.sendRequest(CollectObjectStoreRequest.type, params, token);
        store = s.store;
        this.output.info(`${url}: ${s.listedObjects} objects listed, ${s.downloadedObjects} reads`);
        return s;
      },
      (kind) => (store ? objectStoreRemedy(kind, store) : null),
    );
  }

  /**
   * Before a collection into the local store: in service mode, asks where to collect (client/src/team-service.ts
   * askWhereToCollect) and starts the team service's collection when one of its sources is picked.
   * @returns true when the caller goes on with its local collection (not in service mode, or that was picked).
   */
  private async collectLocallyInServiceMode(): Promise<boolean> {
    if (!this.client) return true;
    const where = await askWhereToCollect(this.client, this.output);
    if (where === 'local') return true;
    if (where !== null) await this.collectOnTeamService(where.source);
    return false;
  }

  /**
   * "Spark: Collect History on the Team Service": picks one of the service's configured sources (unless given), starts
   * its collection there and follows it (client/src/team-service.ts); none while another collection runs. The
   * language server reads the service's history again when it ends, so the new runs show at once.
   */
  async collectOnTeamService(source?: string): Promise<void> {
    const client = this.client;
    if (!client || this.collecting) return;
    const target = await pickTeamServiceSource(client, this.output, source);
    if (!target) return;
    this.collecting = true;
    try {
      if (await followTeamServiceCollection(client, this.output, target)) {
        this.lastCollection = new Date();
        this.collectedEmitter.fire();
      }
    } finally {
      this.collecting = false;
    }
    await this.refreshStatus();
  }

  /** "Spark: Set History Server Credentials" (client/src/history-server-credentials.ts). */
  async setHistoryServerCredentials(): Promise<void> {
    await setHistoryServerCredentials(this.ext.secrets);
  }

  /**
   * Runs one collection (none while another runs) with progress, cancellation and the summary.
   * @param remedyOf the remedies of the source's failures (default: the History Server's).
   */
  private async runCollection(
    from: string,
    location: vscode.ProgressLocation,
    send: (client: LanguageClient, token: vscode.CancellationToken) => Promise<CollectSummary>,
    remedyOf: (kind: SourceFailureKind | undefined) => string | null = historyServerRemedy,
  ): Promise<void> {
    if (!this.client || this.collecting) return;
    this.collecting = true;
    try {
      await this.runCollectionOnce(from, location, send, remedyOf);
    } finally {
      this.collecting = false;
    }
  }

  private async runCollectionOnce(
    from: string,
    location: vscode.ProgressLocation,
    send: (client: LanguageClient, token: vscode.CancellationToken) => Promise<CollectSummary>,
    remedyOf: (kind: SourceFailureKind | undefined) => string | null,
  ): Promise<void> {
    if (!this.client) return;
    const client = this.client;
    const summary = await vscode.window.withProgress(
      { location, title: 'Collecting Spark history', cancellable: location === vscode.ProgressLocation.Notification },
      async (progress, token) => {
        let reported = 0;
        const sub = client.onNotification(CollectProgressNotification.type, (p) => {
          const pct = p.total > 0 ? (p.done / p.total) * 100 : 0;
          progress.report({ message: `${p.done} of ${p.total} applications`, increment: pct - reported });
          reported = pct;
        });
        try {
          return await send(client, token);
        } catch (e) {
          if (token.isCancellationRequested) return null;
          const text = requestErrorMessage(e);
          this.output.error(text);
          void vscode.window.showErrorMessage(escapeMessageLinks(text));
          return null;
        } finally {
          sub.dispose();
        }
      },
    );
    if (summary) {
      this.showSummary(from, summary, location === vscode.ProgressLocation.Notification, remedyOf);
      this.collectedEmitter.fire();
    } else
      this.output.info(
        `Collection from ${from} cancelled; applications already read are kept and the next run resumes.`,
      );
    await this.refreshStatus();
  }

  /** Logs collection `s`'s summary (client/src/collection-summary.ts) and, when `notify`, shows it. */
  private showSummary(
    from: string,
    s: CollectSummary,
    notify: boolean,
    remedyOf: (kind: SourceFailureKind | undefined) => string | null,
  ): void {
    const m = collectionMessage(from, s, remedyOf);
    this.output.info(m.text);
    for (const l of m.log) this.output[l.level](l.text);
    this.lastCollection = new Date();
    if (!notify) return;
    if (m.warn)
      void vscode.window
        .showWarningMessage(escapeMessageLinks(m.text), 'Show Logs')
        .then((a) => a && this.output.show());
    else void vscode.window.showInformationMessage(escapeMessageLinks(m.text));
  }

  /** Updates the status-bar item with the store's size. */
  async refreshStatus(): Promise<void> {
    if (!this.client) return;
    try {
      const info = await this.client.sendRequest(StoreInfoRequest.type);
      const hs = this.historyServerState;
      if (hs.kind === 'none' && setting('historyServer.url')) {
        this.historyServerState = {
          kind: 'none',
          detail: 'History Server configured, not collected from in this session',
        };
      }
      const icon = vscode.workspace.isTrusted
        ? { none: '', ok: ' $(cloud)', failed: ' $(cloud-offline)', restricted: ' $(shield)' }[hs.kind]
        : ' $(shield)';
      const h = info.history;
      const team = h.kind === 'service';
      this.status.text = `${team ? '$(organization)' : '$(database)'} Spark: ${info.applications} runs${icon}${team && !h.serviceAnswers ? ' $(warning)' : ''}`;
      this.status.backgroundColor =
        hs.kind === 'failed' || (team && !h.serviceAnswers)
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
      const lastMs = Math.max(this.lastCollection?.getTime() ?? 0, info.lastCollectedAtMs ?? 0);
      const last = lastMs > 0 ? ` Last collection ${new Date(lastMs).toLocaleString()}.` : '';
      const trust = vscode.workspace.isTrusted
        ? ''
        : ' Restricted mode: no connection to servers named in workspace settings.';
      const source = !team
        ? `Spark history store ${info.path}${h.serviceProblem ? ` (team service not used: ${h.serviceProblem})` : ''}`
        : h.serviceAnswers
          ? `Spark history of the team service ${h.url}`
          : `Team service ${h.url} unreachable: local history store ${info.path}`;
      this.status.tooltip = `${source}: ${info.applications} applications of ${info.workloads} workloads.${last} History Server: ${this.historyServerState.detail}.${trust} Click for actions.`;
      this.status.show();
    } catch (e) {
      this.output.warn(`Could not read the history store: ${errorMessage(e)}`);
    }
  }

  /** Registers a disposable owned by this context. */
  own(d: vscode.Disposable): void {
    this.disposables.push(d);
  }

  dispose(): void {
    this.timer?.dispose();
    void this.client?.stop();
    for (const d of this.disposables) d.dispose();
  }
}
