/**
 * The LSP test harness: starts the BUILT language server (server/out/server.js) as a child process group, speaks
 * LSP to it over stdio through vscode-languageserver-protocol's own connection (an implementation independent of
 * the server's), runs the initialize handshake, and shuts it down. The protocol tests (lsp-protocol,
 * lsp-editor-features, live/connect-lsp) use it; tests of raw bytes use lsp-server-process.ts instead.
 *
 * Requests the server sends that a test does not answer itself get null (client/registerCapability,
 * window/workDoneProgress/create, workspace/codeLens/refresh, workspace/inlayHint/refresh), as VS Code does.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as assert from 'assert';
import {
  createProtocolConnection,
  type InitializeResult,
  type MarkupContent,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { BUILT_SERVER } from './fixtures';
import { stopProcessGroup, trackProcessGroup } from './process-groups';

/** How a test's client presents itself and answers the server. */
export interface LspClientOptions {
  /** The settings object answered for every item of workspace/configuration (read at each request). */
  configuration: () => unknown;
  /** `rootUri` of initialize (a file: URL), or null. */
  rootUri: string | null;
  /** Client capabilities sent in initialize. */
  capabilities: object;
  /** The history store file passed as initializationOptions.historyDatabase; null: none (the server's default). */
  historyDatabase: string | null;
  /** More initializationOptions beside historyDatabase (e.g. `service`, the team service of service mode). */
  initializationOptions?: Record<string, unknown>;
  /** The server's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The program to start (default: the built server, server/out/server.js). */
  serverModule?: string;
  /** Handlers of server requests, by method, over the defaults (which answer null). */
  onRequest?: Record<string, (params: never) => unknown>;
  /** Handlers of server notifications, by method (window/logMessage is always kept in `serverLog`). */
  onNotification?: Record<string, (params: never) => void>;
}

/** Requests the server may send that a plain client answers with null. */
const NULL_REQUESTS = [
  'client/registerCapability',
  'window/workDoneProgress/create',
  'workspace/codeLens/refresh',
  'workspace/inlayHint/refresh',
];

/** A started, initialized language server and the connection to it. */
export class LspClient {
  /** The server's stderr and its window/logMessage messages, in arrival order. */
  readonly serverLog: string[] = [];
  private readonly exited: Promise<unknown>;

  private constructor(
    readonly child: ChildProcess,
    readonly conn: ProtocolConnection,
    /** The server's answer to initialize. */
    public initializeResult: InitializeResult,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /**
   * Starts the built server, sends initialize with `options` and then initialized.
   * @throws Error when the server module (server/out/server.js) is missing (run npm run build) or initialize fails.
   */
  static async start(options: LspClientOptions): Promise<LspClient> {
    const module = options.serverModule ?? BUILT_SERVER;
    if (!fs.existsSync(module)) throw new Error(`${module} missing: run npm run build`);
    const child = spawn(process.execPath, [module, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: options.env ?? process.env,
    });
    trackProcessGroup(child);
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, conn, { capabilities: {} });
    child.stderr.on('data', (d) => client.serverLog.push(String(d)));
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => options.configuration()));
    for (const method of NULL_REQUESTS) if (!options.onRequest?.[method]) conn.onRequest(method, () => null);
    for (const [method, handler] of Object.entries(options.onRequest ?? {}))
      conn.onRequest(method, handler as (params: unknown) => unknown);
    conn.onNotification('window/logMessage', (p: { message: string }) => {
      client.serverLog.push(p.message);
    });
    for (const [method, handler] of Object.entries(options.onNotification ?? {}))
      conn.onNotification(method, handler as (params: unknown) => void);
    conn.listen();
    client.initializeResult = await conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: options.rootUri,
      capabilities: options.capabilities,
      initializationOptions: {
        ...(options.historyDatabase !== null ? { historyDatabase: options.historyDatabase } : {}),
        ...options.initializationOptions,
      },
    });
    await conn.sendNotification('initialized', {});
    return client;
  }

  /** shutdown and exit, then stops the process group (SIGTERM, SIGKILL after 5 s) and waits for it. */
  async stop(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    await stopProcessGroup(this.child, this.exited, 5_000);
    this.conn.dispose();
  }
}

/**
 * A diagnostic's message as text, checked to be a plain string: LSP 3.18 lets a message be MarkupContent, and this
 * server always sends a string.
 * @throws AssertionError when the message is MarkupContent.
 */
export function messageText(message: string | MarkupContent): string {
  assert.ok(typeof message === 'string', `a plain-string diagnostic message, got ${JSON.stringify(message)}`);
  return message;
}

/**
 * Polls `get` every 50 ms until it returns a value (what the server published or logged), or fails after `timeoutMs`.
 * @param what for the failure message.
 */
export async function poll<T>(what: string, get: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
