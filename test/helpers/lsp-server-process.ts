/**
 * The BUILT language server (server/out/server.js) as a child process spoken to in raw bytes: the test writes
 * exactly the bytes it wants (good frames, broken headers, garbage) and reads the server's answers with
 * vscode-jsonrpc's own stream reader (an implementation independent of the server's reader). Requests the server
 * sends (workspace/configuration, registrations) are answered with null, as a client without settings would.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { Message, StreamMessageReader } from 'vscode-languageserver-protocol/node';
import { BUILT_SERVER } from './fixtures';
import { signalProcessGroup, trackProcessGroup, untrackProcessGroup } from './process-groups';

export { BUILT_SERVER };

/** A JSON-RPC message the server wrote (a response, a notification or a request). */
export type ServerMessage = Message & {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
};

/** One LSP frame: `Content-Length` header and the UTF-8 JSON body. */
export function frame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

/** The language server process with the messages it wrote so far. */
export class LspServerProcess {
  readonly messages: ServerMessage[] = [];
  readonly stderr: string[] = [];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<{ test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }>();

  /**
   * Starts `node server.js --stdio`.
   * @param serverPath the bundle to run (default: this worktree's server/out/server.js).
   */
  constructor(serverPath = BUILT_SERVER) {
    if (!fs.existsSync(serverPath)) throw new Error(`${serverPath} missing: run npm run build`);
    this.child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    trackProcessGroup(this.child);
    this.child.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        untrackProcessGroup(this.child);
        resolve(code);
      }),
    );
    const reader = new StreamMessageReader(this.child.stdout!);
    reader.listen((m) => {
      const msg = m as ServerMessage;
      this.messages.push(msg);
      for (const w of this.waiters) {
        if (w.test(msg)) {
          this.waiters.delete(w);
          w.resolve(msg);
        }
      }
      if (typeof msg.method === 'string' && msg.id !== undefined) {
        const result =
          msg.method === 'workspace/configuration'
            ? ((msg.params as { items: unknown[] }).items ?? []).map(() => null)
            : null;
        this.write(frame({ jsonrpc: '2.0', id: msg.id, result }));
      }
    });
  }

  /** The server's process id. */
  get pid(): number {
    return this.child.pid as number;
  }

  /** Writes raw bytes to the server's stdin. */
  write(bytes: Buffer | string): void {
    this.child.stdin!.write(bytes);
  }

  /** Sends a well-framed request and waits for its response. */
  async request(id: number, method: string, params: unknown = null, timeoutMs = 20_000): Promise<ServerMessage> {
    this.write(frame({ jsonrpc: '2.0', id, method, params }));
    return this.response(id, timeoutMs);
  }

  /**
   * The handshake of a client without settings: initialize (request id 1, `initializeParams`) and initialized.
   * @returns the initialize response.
   */
  async initialize(historyDatabase: string, rootUri: string | null = null): Promise<ServerMessage> {
    const response = await this.request(1, 'initialize', initializeParams(historyDatabase, rootUri));
    this.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
    return response;
  }

  /** Waits for the response with this id. */
  response(id: number | string, timeoutMs = 20_000): Promise<ServerMessage> {
    return this.waitFor(`the response to request ${id}`, (m) => m.id === id && m.method === undefined, timeoutMs);
  }

  /** Waits for the first message (already received or to come) that satisfies `test`; resolves as it arrives. */
  waitFor(what: string, test: (m: ServerMessage) => boolean, timeoutMs = 20_000): Promise<ServerMessage> {
    const m = this.messages.find(test);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (msg: ServerMessage) => (clearTimeout(timer), resolve(msg)) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.join('').slice(-2000)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Closes stdin (the client going away). */
  closeInput(): void {
    this.child.stdin!.end();
  }

  /** Kills the server if it still runs. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) signalProcessGroup(this.child, 'SIGKILL');
    await this.exited;
  }
}

/** `initialize` params of a client with no capabilities beyond hover markdown, and a history store file. */
export function initializeParams(historyDatabase: string, rootUri: string | null = null): object {
  return {
    processId: process.pid,
    rootUri,
    capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } },
    initializationOptions: { historyDatabase },
  };
}
