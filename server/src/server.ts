/**
 * Language server entry point: creates the connection and glues handlers to the core. Nothing else.
 * Launch-time options (`initializationOptions`): `{ historyDatabase: string }`, the SQLite file to use.
 */
import * as os from 'os';
import * as path from 'path';
import {
  CodeActionKind,
  LogMessageNotification,
  MessageType,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CollectEventLogsRequest,
  CollectHistoryServerRequest,
  CollectProgressNotification,
  WorkloadAnalysisRequest,
  ListWorkloadsRequest,
  RecordAppliedFixRequest,
  StoreInfoRequest,
  StoredWorkload,
} from '../../shared/src/protocol';
import { HistoryServerClient, tlsFromFiles } from './history/history-server/client';
import { collectFromHistoryServer } from './history/history-server/collect';
import { parseSettings, SETTINGS_SECTION, Settings } from '../../shared/src/settings';
import { onCodeActions } from './features/code-actions';
import { onCodeLens } from './features/code-lens';
import { instancesWhatIf, onInlayHints } from './features/inlay-hints';
import { workloadAnalysis } from './features/workload-analysis';
import { onCompletion } from './features/completion';
import { onDiagnostics } from './features/diagnostics';
import { onHover } from './features/hover';
import { collectEventLogs } from './history/collect';
import { describeCorrection } from './history/bounds';
import { collectSummaryOf, type IngestSummary } from './history/ingest';
import { AnalysisOptions, analysisOptions, clockFromEnvironment, DocumentAnalysis, SparkLanguageService } from './language-service';
import { levelLogger, LogLevel } from './logger';
import { HistoryStore } from './store/history-store';
import { fileURLToPath } from 'url';
import { registerConnectRequests } from './connect-requests';
import { DocumentAnalyses, documentKind, relatedContext } from './documents/document-analyses';
import { createServerConnection } from './transport/stdio-transport';
import { errorMessage } from '../../shared/src/errors';

const connection = createServerConnection((line) => log.warn(line));
const documents = new TextDocuments(TextDocument);
let logLevel: LogLevel = 'info';
/** LSP message types per level (window/logMessage; Debug is LSP 3.18). */
const MESSAGE_TYPE: Record<LogLevel, MessageType> = { error: MessageType.Error, warn: MessageType.Warning, info: MessageType.Info, debug: MessageType.Debug };
const log = levelLogger((level, message) => void connection.sendNotification(LogMessageNotification.type, { type: MESSAGE_TYPE[level], message }), () => logLevel);

let store: HistoryStore | null = null;
/** Workspace folders (absolute paths), for finding the other files of a job. */
let workspaceRoots: string[] = [];
let storePath = '';
let service: SparkLanguageService | null = null;
/** Document analyses, made in worker threads (documents/document-analyses.ts). */
let analyses: DocumentAnalyses | null = null;
const settingsCache = new Map<string, Promise<Settings>>();
const pending = new Map<string, NodeJS.Timeout>();
/** Diagnostics wait this long after the last keystroke (ms). */
const DIAGNOSTICS_DEBOUNCE_MS = 300;

/** The analysis clock (SPARK_OPTIMIZER_NOW or Date.now); a bad value is logged and the real clock used. */
function serverClock(): () => number {
  try {
    return clockFromEnvironment();
  } catch (e) {
    log.error(`${errorMessage(e)} Using the real clock.`);
    return Date.now;
  }
}

/** Whether the client accepts `workspace/codeLens/refresh` and `workspace/inlayHint/refresh`. */
let refreshSupport = { codeLens: false, inlayHint: false };

connection.onInitialize((params) => {
  refreshSupport = {
    codeLens: params.capabilities.workspace?.codeLens?.refreshSupport === true,
    inlayHint: params.capabilities.workspace?.inlayHint?.refreshSupport === true,
  };
  workspaceRoots = (params.workspaceFolders ?? []).filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri));
  const opts = (params.initializationOptions ?? {}) as { historyDatabase?: unknown };
  storePath =
    typeof opts.historyDatabase === 'string' && opts.historyDatabase.length > 0
      ? opts.historyDatabase
      : path.join(os.homedir(), '.local', 'share', 'spark-optimizer', 'history.db');
  try {
    store = HistoryStore.open(storePath);
    service = new SparkLanguageService(store, serverClock());
  } catch (e) {
    // Degrade: settings still parse, no history until the store can be opened.
    log.error(`Could not open the history store ${storePath}: ${errorMessage(e)}`);
    service = new SparkLanguageService({ appNames: () => [], runsByAppName: () => [] }, serverClock());
  }
  analyses = new DocumentAnalyses(store ? storePath : null, log);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['"', "'", '.', ' ', '=', ':'] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      codeLensProvider: { resolveProvider: false },
      inlayHintProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'spark-optimizer', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  log.info(`History store: ${storePath} (${store ? store.countApplications() : 0} applications)`);
  // Job names are read once here, after the handshake, not by the first hover.
  setImmediate(() => service?.workloadNames());
  void refreshLogLevel();
});

async function refreshLogLevel(): Promise<void> {
  try {
    const s = parseSettings(await connection.workspace.getConfiguration({ section: SETTINGS_SECTION }));
    logLevel = s.logLevel;
  } catch {
    // Client without workspace/configuration: keep the default.
  }
}

/** Settings per document, pulled with workspace/configuration and cached until they change. */
function documentSettings(uri: string): Promise<Settings> {
  let s = settingsCache.get(uri);
  if (!s) {
    s = connection.workspace
      .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
      .then(parseSettings, () => parseSettings(undefined));
    settingsCache.set(uri, s);
  }
  return s;
}

connection.onDidChangeConfiguration(() => {
  settingsCache.clear();
  optionsCache.clear();
  void refreshLogLevel();
  for (const d of documents.all()) scheduleDiagnostics(d);
  refreshEditorViews();
});

/** Analysis options per document, derived from its settings (same object while the settings are cached). */
const optionsCache = new Map<string, AnalysisOptions>();

async function documentOptions(uri: string): Promise<AnalysisOptions> {
  let o = optionsCache.get(uri);
  if (!o) {
    const s = await documentSettings(uri);
    o = analysisOptions(s);
    optionsCache.set(uri, o);
  }
  return o;
}

/** The document's analysis (from a worker thread), or null when it is of no kind the server reads. */
async function analyse(doc: TextDocument): Promise<DocumentAnalysis | null> {
  if (!analyses || !documentKind(doc)) return null;
  const options = await documentOptions(doc.uri);
  return (await analyses.analysis(doc, options, () => relatedContext(doc.uri, workspaceRoots, documents.all()))) ?? null;
}

function scheduleDiagnostics(doc: TextDocument): void {
  const t = pending.get(doc.uri);
  if (t) clearTimeout(t);
  pending.set(
    doc.uri,
    setTimeout(() => {
      pending.delete(doc.uri);
      void publishDiagnostics(doc);
    }, DIAGNOSTICS_DEBOUNCE_MS),
  );
}

async function publishDiagnostics(doc: TextDocument): Promise<void> {
  const analysis = await analyse(doc);
  // A version replaced (or a document closed) while it was analysed gets the newer version's diagnostics instead.
  if (documents.get(doc.uri)?.version !== doc.version) return;
  const diagnostics = analysis ? onDiagnostics(analysis) : [];
  log.debug(`${doc.uri}: ${diagnostics.length} diagnostics`);
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
}

documents.onDidChangeContent((e) => scheduleDiagnostics(e.document));
// Warm the caches (job names, the job's newest runs from the store) as soon as a document opens, off the
// hover path: the first hover then answers from memory instead of waiting for SQLite.
documents.onDidOpen((e) => setImmediate(() => void analyse(e.document)));
documents.onDidClose((e) => {
  analyses?.forget(e.document.uri);
  settingsCache.delete(e.document.uri);
  optionsCache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onHover(async (p) => {
  const doc = documents.get(p.textDocument.uri);
  const analysis = doc ? await analyse(doc) : null;
  return analysis ? onHover(analysis, p.position) : null;
});

connection.onCompletion((p) => {
  const doc = documents.get(p.textDocument.uri);
  const kind = doc ? documentKind(doc) : null;
  if (!doc || !kind) return [];
  const line = doc.getText({ start: { line: p.position.line, character: 0 }, end: p.position });
  const above = Math.max(0, p.position.line - 50);
  const previous = p.position.line > 0 ? doc.getText({ start: { line: above, character: 0 }, end: { line: p.position.line, character: 0 } }).split(/\r?\n/).slice(0, -1) : [];
  return onCompletion(kind, line, p.position, previous);
});

connection.onCodeAction(async (p) => {
  const doc = documents.get(p.textDocument.uri);
  const analysis = doc ? await analyse(doc) : null;
  return analysis ? onCodeActions(analysis, p.range) : [];
});

connection.onCodeLens(async (p) => {
  const doc = documents.get(p.textDocument.uri);
  const analysis = doc ? await analyse(doc) : null;
  return analysis ? onCodeLens(analysis) : [];
});

connection.languages.inlayHint.on(async (p) => {
  const doc = documents.get(p.textDocument.uri);
  const settings = doc ? await documentSettings(doc.uri) : null;
  if (!doc || !settings?.inlayHints.enabled) return [];
  const analysis = await analyse(doc);
  return analysis ? onInlayHints(analysis, p.range, instancesWhatIf) : [];
});

connection.onRequest(WorkloadAnalysisRequest.type, async (params) => {
  if (!service) return null;
  const doc = params.uri ? documents.get(params.uri) : undefined;
  const analysis = doc ? await analyse(doc) : null;
  const site = analysis?.sites.find((s) => s.workload?.appName === params.appName) ?? null;
  const options = params.uri ? await documentOptions(params.uri) : analysisOptions(parseSettings(await connection.workspace.getConfiguration({ section: SETTINGS_SECTION }).catch(() => undefined)));
  return workloadAnalysis(service, params, site, options);
});

/** The workload list for the workload-analysis quick pick, kept until the next collection (the GROUP BY over every run takes seconds on 100,000 runs). */
let workloadsCache: StoredWorkload[] | null = null;
connection.onRequest(ListWorkloadsRequest.type, () => (workloadsCache ??= store?.listWorkloads() ?? []));

connection.onRequest(CollectEventLogsRequest.type, async (params, token) => {
  if (!store) throw new ResponseError(1, `The history store ${storePath} could not be opened; see the Spark Optimizer Language Server output.`);
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  log.info(`Collecting event logs from ${params.folder}`);
  let summary;
  try {
    summary = await collectEventLogs(params.folder, store, {
      signal: abort.signal,
      onProgress: (done, total, p) => void connection.sendNotification(CollectProgressNotification.type, { done, total, path: p }),
    });
  } catch (e) {
    throw new ResponseError(2, `Could not read event logs from ${params.folder}: ${errorMessage(e)}`);
  }
  logCollection(params.folder, summary);
  return collectSummaryOf(summary, store.countApplications());
});

/** Logs one collection's failures, incomplete attempts and counts, and refreshes what depends on the history. */
function logCollection(from: string, s: IngestSummary): void {
  for (const f of s.failed) log.warn(`Skipped ${f.appId ? `${f.appId}${f.attemptId ? ` attempt ${f.attemptId}` : ''} (${f.path})` : f.path}: ${f.reason}`);
  for (const a of s.applications) if (a.incompleteReason) log.warn(`Stored ${a.appId}${a.attemptId ? ` attempt ${a.attemptId}` : ''} as incomplete: ${a.incompleteReason}`);
  for (const c of s.corrections) log.warn(`Impossible values in ${from}: ${describeCorrection(c)}`);
  for (const e of s.decodeErrors) log.warn(`Not fully decoded: ${e.file} (${e.codec}${e.offset !== null ? `, byte ${e.offset}` : ''}): ${e.message}`);
  for (const w of s.warnings) log.info(`${w.path}: ${w.message}`);
  log.info(`Collected from ${from}: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.incomplete} incomplete, ${s.failed.length} failed`);
  historyChanged();
}

connection.onRequest(CollectHistoryServerRequest.type, async (params, token) => {
  if (!store) throw new ResponseError(1, `The history store ${storePath} could not be opened; see the Spark Optimizer Language Server output.`);
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  let client: HistoryServerClient;
  try {
    client = new HistoryServerClient({
      baseUrl: params.url,
      auth: params.auth,
      tls: tlsFromFiles({ ca: params.caFile, cert: params.certFile, key: params.keyFile }, params.verifyTls),
      onRetry: (r) => log.warn(`History Server: retrying ${r.url}`),
    });
  } catch (e) {
    throw new ResponseError(2, `History Server: ${errorMessage(e)}`); // the message names the URL without its user info
  }
  log.info(`Collecting from the History Server ${client.baseUrl}`);
  const s = await collectFromHistoryServer(client, store, {
    signal: abort.signal,
    onProgress: (done, total, p) => void connection.sendNotification(CollectProgressNotification.type, { done, total, path: p }),
  });
  logCollection(client.baseUrl, s);
  return collectSummaryOf(s, store.countApplications());
});

connection.onRequest(RecordAppliedFixRequest.type, (params) => {
  if (!store) throw new ResponseError(1, `The history store ${storePath} could not be opened; see the Spark Resource Optimizer output.`);
  const now = Date.now();
  const ids = params.fixes.map((f) => store!.recordAppliedFix({ fileUri: f.uri, appName: f.appName, key: f.key, oldValue: f.oldValue, newValue: f.newValue, appliedAtMs: now }));
  log.info(`Remembered ${ids.length} applied fix(es): ${params.fixes.map((f) => `${f.key}=${f.newValue}`).join(', ')}`);
  service?.historyChanged();
  analyses?.historyChanged();
  return { ids };
});

connection.onRequest(StoreInfoRequest.type, () => ({
  path: storePath,
  applications: store?.countApplications() ?? 0,
  // The service's cached distinct names, not listWorkloads(): this request comes after every collection.
  workloads: service?.workloadNames().length ?? 0,
  lastCollectedAtMs: store?.lastCollectedAtMs() ?? null,
}));

/** After a collection: drop what was read from the store, re-check every open document, refresh the editor views. */
function historyChanged(): void {
  service?.historyChanged();
  analyses?.historyChanged();
  workloadsCache = null;
  for (const d of documents.all()) scheduleDiagnostics(d);
  refreshEditorViews();
}

/** After a collection or settings change: ask the client to re-pull code lenses and inlay hints (when it supports it). */
function refreshEditorViews(): void {
  if (refreshSupport.codeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  if (refreshSupport.inlayHint) void connection.languages.inlayHint.refresh().catch(() => undefined);
}

const connectSessions = registerConnectRequests(connection, log);

connection.onShutdown(async () => {
  analyses?.dispose();
  await connectSessions.dispose();
  store?.close();
  store = null;
});

documents.listen(connection);
connection.listen();
