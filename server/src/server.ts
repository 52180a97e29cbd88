/**
 * Language server entry point: wiring only. Creates the open documents, the logger (window/logMessage) and the
 * settings cache, installs the process-level error handlers, and when the client initializes builds the composition
 * root (server-root.ts: store, language service, analysis workers, clock) and registers the handlers (handlers/) on it.
 * Launch-time options (`initializationOptions`): `{ historyDatabase?: string }`, the SQLite file to use (default:
 * store/store-path.ts `defaultStorePath`, as the CLI's).
 */
import {
  CodeActionKind,
  type Connection,
  ErrorCodes,
  type InitializeResult,
  LogMessageNotification,
  MessageType,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SETTINGS_SECTION } from '../../shared/src/protocol';
import { registerCollectHandlers } from './handlers/collect';
import { registerConnectHandlers } from './handlers/connect';
import { registerDocumentHandlers } from './handlers/documents';
import { registerWorkloadAnalysisHandler } from './handlers/workload-analysis';
import { registerStoreHandlers } from './handlers/store';
import { registerTeamServiceCollectHandlers } from './handlers/team-service-collect';
import { levelLogger, type Logger, type LogLevel } from './logger';
import { describeFault, handleProcessFaults } from './process-errors';
import { ServerRoot } from './server-root';
import { SettingsCache } from './settings-cache';
import { createServerConnection } from './transport/stdio-transport';

/** LSP message types per level (window/logMessage; Debug is LSP 3.18). */
const MESSAGE_TYPE: Record<LogLevel, MessageType> = {
  error: MessageType.Error,
  warn: MessageType.Warning,
  info: MessageType.Info,
  debug: MessageType.Debug,
};

/** What the server offers (answer to initialize). */
const CAPABILITIES: InitializeResult['capabilities'] = {
  textDocumentSync: TextDocumentSyncKind.Incremental,
  hoverProvider: true,
  completionProvider: { triggerCharacters: ['"', "'", '.', ' ', '=', ':'] },
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
  codeLensProvider: { resolveProvider: false },
  inlayHintProvider: { resolveProvider: false },
};

/** A started language server: its logger, and its composition root once the client initialized. */
export interface StartedLanguageServer {
  log: Logger;
  /** The composition root, null before `initialize`. */
  root(): ServerRoot | null;
}

/**
 * Wires the language server on `connection` and starts listening. A rejected promise or an exception nobody catches
 * is logged (with its stack) and the server keeps serving.
 */
export function startLanguageServer(connection: Connection): StartedLanguageServer {
  const documents = new TextDocuments(TextDocument);
  let logLevel: LogLevel = 'info';
  // A failed send (the connection is gone) is dropped: reporting it would fail the same way.
  const log = levelLogger(
    (level, message) =>
      void connection
        .sendNotification(LogMessageNotification.type, { type: MESSAGE_TYPE[level], message })
        .catch(() => undefined),
    () => logLevel,
  );
  handleProcessFaults((fault, error) => {
    const line = describeFault(fault, error);
    process.stderr.write(`${line}\n`); // stderr outlives a broken protocol stream
    log.error(line);
  }, 'keep-running');
  const settings = new SettingsCache((scopeUri) =>
    connection.workspace.getConfiguration({ scopeUri, section: SETTINGS_SECTION }),
  );
  const refreshLogLevel = () => void settings.settings().then((s) => (logLevel = s.logLevel));
  let root: ServerRoot | null = null;

  connection.onInitialize((params) => {
    // The stdio transport refuses a second initialize itself; the others (--node-ipc, --socket) do not.
    if (root)
      throw new ResponseError(
        ErrorCodes.InvalidRequest,
        'initialize may be sent only once (LSP specification, Lifecycle Messages).',
      );
    const r = new ServerRoot({ connection, documents, log, settings }, params);
    root = r;
    registerDocumentHandlers(r, refreshLogLevel);
    registerCollectHandlers(r);
    registerStoreHandlers(r);
    registerTeamServiceCollectHandlers(r);
    registerWorkloadAnalysisHandler(r);
    registerConnectHandlers(r);
    return { capabilities: CAPABILITIES, serverInfo: { name: 'spark-optimizer', version: '0.1.0' } };
  });

  connection.onInitialized(() => {
    const r = root;
    if (!r) return;
    log.info(`History store: ${r.storePath} (${r.store ? r.store.countApplications() : 0} applications)`);
    // Job names are read once here, after the handshake, not by the first hover.
    setImmediate(() => void r.sources.run((service) => service.workloadNames()).catch(() => undefined));
    refreshLogLevel();
  });

  connection.onShutdown(async () => {
    await root?.dispose();
  });

  documents.listen(connection);
  connection.listen();
  return { log, root: () => root };
}

if (require.main === module) {
  let log: Logger | undefined;
  // Transport lines (framing errors, refused messages, the exit reason) go to stderr and, once it exists, the log.
  const connection = createServerConnection((line) => log?.warn(line));
  log = startLanguageServer(connection).log;
}
