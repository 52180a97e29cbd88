/**
 * The LSP lifecycle rules that vscode-languageserver leaves to the server (LSP specification 3.17, "Lifecycle
 * Messages"), applied to every incoming message before any handler sees it:
 * - before `initialize`: a request is answered with error -32002 (ServerNotInitialized), a notification is dropped,
 *   except `exit` (which ends the server with code 1);
 * - `initialize` may be sent once: a second one is answered with -32600 (InvalidRequest) while the first is pending
 *   or has succeeded (a failed one may be retried);
 * - after `shutdown`: every request is answered with -32600 (InvalidRequest), every notification but `exit` dropped.
 */
import { ErrorCodes, Message, NotificationMessage, RequestMessage, ResponseMessage } from 'vscode-languageserver/node';

/** Where the server is in the LSP lifecycle. */
export type LifecycleState = 'uninitialized' | 'initializing' | 'running' | 'shutdown';

/** Decides, per incoming message, whether the connection's handlers may see it. */
export class LifecycleGate {
  private state: LifecycleState = 'uninitialized';
  private initializeId: number | string | null = null;

  /**
   * @param reply writes a response straight to the client (for the requests the gate answers itself).
   * @param onRejected called with a line for the log each time the gate answers or drops a message.
   */
  constructor(
    private readonly reply: (response: ResponseMessage) => void,
    private readonly onRejected: (what: string) => void = () => undefined,
  ) {}

  /** The lifecycle state (for tests and the exit code). */
  get current(): LifecycleState {
    return this.state;
  }

  /**
   * Looks at one incoming message; true when it goes on to the handlers. Answers the requests it stops.
   * @param message a decoded JSON-RPC message from the client.
   */
  admit(message: Message): boolean {
    const m = message as Partial<RequestMessage & NotificationMessage>;
    if (typeof m.method !== 'string') return true; // a response to a request of the server
    const isRequest = 'id' in m && (typeof m.id === 'number' || typeof m.id === 'string');
    if (m.method === 'exit') return true;
    switch (this.state) {
      case 'uninitialized':
        if (m.method === 'initialize' && isRequest) {
          this.state = 'initializing';
          this.initializeId = m.id!;
          return true;
        }
        return this.refuse(
          m,
          isRequest,
          ErrorCodes.ServerNotInitialized,
          `The server is not initialized: ${m.method} came before initialize.`,
        );
      case 'initializing':
      case 'running':
        if (m.method === 'initialize')
          return this.refuse(
            m,
            isRequest,
            ErrorCodes.InvalidRequest,
            'initialize may be sent only once (LSP specification, Lifecycle Messages).',
          );
        if (m.method === 'shutdown' && isRequest) this.state = 'shutdown';
        return true;
      case 'shutdown':
        return this.refuse(
          m,
          isRequest,
          ErrorCodes.InvalidRequest,
          `The server is shutting down: ${m.method} came after shutdown.`,
        );
    }
  }

  /**
   * Looks at one outgoing message: the answer to `initialize` moves the gate on (or back, when it failed).
   * @param message a message the server is writing to the client.
   */
  sent(message: Message): void {
    const r = message as Partial<ResponseMessage>;
    if (
      this.state !== 'initializing' ||
      !('id' in r) ||
      r.id !== this.initializeId ||
      typeof (r as { method?: unknown }).method === 'string'
    )
      return;
    this.state = r.error ? 'uninitialized' : 'running';
    this.initializeId = null;
  }

  private refuse(m: Partial<RequestMessage>, isRequest: boolean, code: number, text: string): false {
    if (isRequest) {
      this.reply({ jsonrpc: '2.0', id: m.id!, error: { code, message: text } });
      this.onRejected(`answered ${m.method} (id ${String(m.id)}) with error ${code}: ${text}`);
    } else {
      this.onRejected(`dropped the notification ${m.method}: ${text}`);
    }
    return false;
  }
}
