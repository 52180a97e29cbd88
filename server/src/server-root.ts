/**
 * The language server's composition root: one object, built once when the client initializes, that owns what the
 * handlers (handlers/) share: the connection and open documents, the logger, the settings cache, the clock, the
 * history store (or why it could not be opened), the language service (the engine's facade) and the document analyses
 * in worker threads. No module-level state: a test or another entry point builds its own.
 */
import type { Connection, InitializeParams, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { errorMessage } from '../../shared/src/errors';
import { DocumentAnalyses, documentKind, relatedContext } from './documents/document-analyses';
import {
  HistorySources,
  SERVICE_RETRY_MS,
  type ServiceState,
  type TeamServiceConfig,
} from './documents/history-sources';
import { tlsFromFiles } from './history/history-server/client';
import { teamServiceUrl } from './history/team-service';
import { clockFromEnvironment, type DocumentAnalysis, type HistorySource } from './language-service';
import { SERVICE_TOKEN_ENV } from '../../shared/src/protocol';
import type { Logger } from './logger';
import { HistoryStore } from './store/history-store';
import { defaultStorePath, StoreUnavailableError } from './store/store-path';
import type { SettingsCache } from './settings-cache';
import { filePathOf } from './workspace/related-files';

/** What the root is built from: the wiring's pieces (server.ts) and the client's initialize request. */
export interface ServerRootParts {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  log: Logger;
  settings: SettingsCache;
  /** The environment read for the default store path and `SPARK_OPTIMIZER_NOW` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** No history: what the language service reads when the store cannot be opened. */
const NO_HISTORY: HistorySource = { appNames: () => [], runsByAppName: () => [] };

/** `initializationOptions.service`: the team's service to read instead of the local store (service mode). */
export interface ServiceInitializationOptions {
  /** `sparkOptimizer.service.url`. */
  url: string;
  /** `sparkOptimizer.service.caFile`: PEM CA file to trust; empty: Node's roots. */
  caFile?: string;
  /** Wait after a failure before the service is tried again, ms (default SERVICE_RETRY_MS; tests shorten it). */
  retryMs?: number;
}

/**
 * The composition root (see the module comment). Launch-time options (`initializationOptions`):
 * `{ historyDatabase?: string, service?: ServiceInitializationOptions }`: the SQLite file (absent or empty,
 * store/store-path.ts `defaultStorePath`, the CLI's), and the team's service whose history the engine reads (absent or
 * with an empty URL: the local store only); the service's token from the environment ({@link SERVICE_TOKEN_ENV}).
 */
export class ServerRoot {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly log: Logger;
  readonly settings: SettingsCache;
  /** The SQLite file of the history store. */
  readonly storePath: string;
  /** Why the store could not be opened, or null. */
  readonly storeError: StoreUnavailableError | null;
  /** "Now" of the analyses (ms since the epoch): `SPARK_OPTIMIZER_NOW` or the real clock. */
  readonly clock: () => number;
  /**
   * The histories the engine reads: the local store and, in service mode, the team's service (the workload-analysis
   * view and store requests run on it; documents/history-sources.ts).
   */
  readonly sources: HistorySources;
  /** In service mode the service's URL, else null; `serviceError` says why a configured service is not used. */
  readonly serviceUrl: string | null;
  /** Why the configured service is not used (a URL that is not https://, an unreadable CA file), or null. */
  readonly serviceError: string | null;
  private serviceReachable: boolean | null = null;
  /** Document analyses in worker threads (each with its own read connection to the store). */
  readonly analyses: DocumentAnalyses;
  /** Workspace folders (absolute paths), for finding the other files of a job. */
  readonly workspaceRoots: string[];
  /** Whether the client accepts `workspace/codeLens/refresh` and `workspace/inlayHint/refresh`. */
  readonly refreshSupport: { codeLens: boolean; inlayHint: boolean };
  private readonly historyListeners: (() => void)[] = [];
  private openStore: HistoryStore | null;
  private readonly disposers: (() => Promise<void> | void)[] = [];

  /**
   * Opens the store and starts the analysis workers. Never throws: a store that cannot be opened is logged and kept in
   * `storeError` (settings still parse, no history); a bad `SPARK_OPTIMIZER_NOW` is logged and the real clock used.
   */
  constructor(parts: ServerRootParts, params: InitializeParams) {
    const env = parts.env ?? process.env;
    this.connection = parts.connection;
    this.documents = parts.documents;
    this.log = parts.log;
    this.settings = parts.settings;
    this.refreshSupport = {
      codeLens: params.capabilities.workspace?.codeLens?.refreshSupport === true,
      inlayHint: params.capabilities.workspace?.inlayHint?.refreshSupport === true,
    };
    this.workspaceRoots = (params.workspaceFolders ?? [])
      .map((f) => filePathOf(f.uri))
      .filter((p): p is string => p !== null);
    const opts = (params.initializationOptions ?? {}) as { historyDatabase?: unknown };
    this.storePath =
      typeof opts.historyDatabase === 'string' && opts.historyDatabase.length > 0
        ? opts.historyDatabase
        : defaultStorePath(env);
    this.clock = this.clockOf(env);
    let store: HistoryStore | null = null;
    let storeError: StoreUnavailableError | null = null;
    try {
      store = HistoryStore.open(this.storePath);
    } catch (e) {
      // Degrade: settings still parse, no history until the store can be opened.
      storeError = StoreUnavailableError.of(this.storePath, e);
      this.log.error(storeError.message);
    }
    this.openStore = store;
    this.storeError = storeError;
    const team = this.teamService(opts as { service?: unknown }, env[SERVICE_TOKEN_ENV] ?? '');
    this.serviceError = team.error;
    if (team.error) {
      this.log.error(team.error);
      // Said once: the user set a URL that is not used.
      const message = team.error;
      setImmediate(() => void this.connection.window.showWarningMessage(message));
    }
    this.sources = new HistorySources(
      store ?? NO_HISTORY,
      this.clock,
      team.config,
      (st) => this.serviceState(st),
      () => this.historyChanged(),
    );
    this.serviceUrl = this.sources.serviceUrl;
    this.analyses = new DocumentAnalyses(
      store ? this.storePath : null,
      this.log,
      {},
      team.config ? { config: team.config, onState: (st) => this.serviceState(st) } : null,
    );
    if (team.config) {
      this.log.info(
        `History: the team service at ${this.serviceUrl} (local store ${this.storePath} when it is unreachable).`,
      );
      // Sees another collection on the service, and the service answering again, without waiting for a keystroke.
      const timer = setInterval(
        () => void this.sources.run(() => null).catch(() => undefined),
        team.config.retryMs ?? SERVICE_RETRY_MS,
      );
      timer.unref();
      this.disposers.push(() => clearInterval(timer));
    }
  }

  /** The service-mode configuration from `initializationOptions.service`, or why it cannot be used. */
  private teamService(
    opts: { service?: unknown },
    token: string,
  ): { config: TeamServiceConfig | null; error: string | null } {
    const o = opts.service as Partial<ServiceInitializationOptions> | undefined;
    if (typeof o !== 'object' || o === null || typeof o.url !== 'string' || o.url.trim() === '')
      return { config: null, error: null };
    try {
      const url = teamServiceUrl(o.url);
      const ca = o.caFile ? tlsFromFiles({ ca: o.caFile }, true).ca?.toString('utf8') : undefined;
      const retryMs = typeof o.retryMs === 'number' && o.retryMs > 0 ? o.retryMs : undefined;
      return { config: { url, token, ca, retryMs }, error: null };
    } catch (e) {
      return { config: null, error: `${errorMessage(e)} Reading the local history store instead.` };
    }
  }

  /** A worker or the main thread saw the service go away or come back: said once per change. */
  serviceState(st: ServiceState): void {
    if (st.reachable === this.serviceReachable || (this.serviceReachable === null && st.reachable)) {
      this.serviceReachable = st.reachable;
      return;
    }
    this.serviceReachable = st.reachable;
    if (!st.reachable) {
      this.log.warn(st.message);
      void this.connection.window.showWarningMessage(st.message);
    } else {
      this.log.info(st.message);
      // Analyses made on the local store meanwhile are made again on the service's history.
      this.historyChanged();
    }
  }

  /** Whether the service answered last (null before its first answer or failure; always null in local mode). */
  get serviceAnswers(): boolean | null {
    return this.serviceReachable;
  }

  /** The open store, or null when it could not be opened (`storeError` says why) or was closed at shutdown. */
  get store(): HistoryStore | null {
    return this.openStore;
  }

  /**
   * The open store.
   * @throws StoreUnavailableError when it could not be opened (handlers answer it as RequestErrorCodes.storeUnavailable).
   */
  requireStore(): HistoryStore {
    if (this.openStore) return this.openStore;
    throw this.storeError ?? new StoreUnavailableError(this.storePath, 'the server is shutting down and closed it');
  }

  /** The document's analysis (from a worker thread), or null when it is of no kind the server reads. */
  async analyse(doc: TextDocument): Promise<DocumentAnalysis | null> {
    if (!documentKind(doc)) return null;
    const options = await this.settings.options(doc.uri);
    return (
      (await this.analyses.analysis(doc, options, () =>
        relatedContext(doc.uri, this.workspaceRoots, this.documents.all()),
      )) ?? null
    );
  }

  /** Calls `listener` after each change of the history (a collection, an applied fix). */
  onHistoryChanged(listener: () => void): void {
    this.historyListeners.push(listener);
  }

  /** After the store changed: drops what was read from it, tells the listeners, refreshes the editor views. */
  historyChanged(): void {
    this.sources.historyChanged();
    this.analyses.historyChanged();
    for (const l of this.historyListeners) l();
    this.refreshEditorViews();
  }

  /** Asks the client to re-pull code lenses and inlay hints (when it supports it): after a collection or a settings change. */
  refreshEditorViews(): void {
    if (this.refreshSupport.codeLens)
      void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    if (this.refreshSupport.inlayHint) void this.connection.languages.inlayHint.refresh().catch(() => undefined);
  }

  /** Runs `dispose` at shutdown, before the store closes (a handler's own resources: Spark Connect sessions). */
  onDispose(dispose: () => Promise<void> | void): void {
    this.disposers.push(dispose);
  }

  /** Stops the workers, releases what handlers registered with `onDispose`, and closes the store (`shutdown`). */
  async dispose(): Promise<void> {
    this.analyses.dispose();
    for (const d of this.disposers.splice(0)) {
      try {
        await d();
      } catch (e) {
        this.log.warn(`Shutting down: ${errorMessage(e)}`);
      }
    }
    this.sources.dispose();
    this.openStore?.close();
    this.openStore = null;
  }

  private clockOf(env: NodeJS.ProcessEnv): () => number {
    try {
      return clockFromEnvironment(env);
    } catch (e) {
      this.log.error(`${errorMessage(e)} Using the real clock.`);
      return Date.now;
    }
  }
}
