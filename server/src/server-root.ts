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
  clockFromEnvironment,
  type DocumentAnalysis,
  type HistorySource,
  SparkLanguageService,
} from './language-service';
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

/**
 * The composition root (see the module comment). Launch-time option (`initializationOptions`):
 * `{ historyDatabase?: string }`, the SQLite file; absent or empty, store/store-path.ts `defaultStorePath` (the CLI's).
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
  /** The language service on the store (runs, plans, workload names; the workload-analysis view and store requests read it). */
  readonly service: SparkLanguageService;
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
    this.service = new SparkLanguageService(store ?? NO_HISTORY, this.clock);
    this.analyses = new DocumentAnalyses(store ? this.storePath : null, this.log);
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
    this.service.historyChanged();
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
