/**
 * The server's side of the stdio stream: LSP messages read with `FrameDecoder` (recovers from framing errors) and
 * checked by `LifecycleGate` (ServerNotInitialized, one initialize, nothing after shutdown), written with
 * vscode-jsonrpc's writer. When stdin ends, or stdout breaks, the server exits with a logged reason: code 0 after a
 * `shutdown` request, else 1 (LSP specification, `exit`), so the client knows to restart it.
 */
import {
  AbstractMessageReader,
  createConnection,
  DataCallback,
  Disposable,
  Message,
  MessageReader,
  MessageWriter,
  ProposedFeatures,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { FrameDecoder } from './framing';
import { LifecycleGate } from './lifecycle-gate';

/** Reads LSP messages from a byte stream through a `FrameDecoder`, passing each through the gate. */
export class ResyncingMessageReader extends AbstractMessageReader implements MessageReader {
  private readonly decoder: FrameDecoder;

  /**
   * @param input the byte stream (process.stdin).
   * @param gate lifecycle checks applied to each message before the connection sees it.
   * @param onFramingError called with a reason for each framing problem (what was dropped or recovered).
   * @param maxMessageBytes largest Content-Length accepted (FrameDecoder's default when absent).
   */
  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly gate: LifecycleGate,
    private readonly onFramingError: (reason: string) => void,
    maxMessageBytes?: number,
  ) {
    super();
    this.decoder = new FrameDecoder(maxMessageBytes);
  }

  /** Starts reading; each decoded message that passes the gate goes to `callback`. */
  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer | string) => {
      for (const e of this.decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)) {
        if (e.kind === 'error') this.onFramingError(e.reason);
        else if (!isMessage(e.message))
          this.onFramingError(
            `dropped a JSON value that is not a JSON-RPC 2.0 message: ${JSON.stringify(e.message).slice(0, 120)}`,
          );
        else if (this.gate.admit(e.message)) callback(e.message);
      }
    };
    const onError = (e: Error) => this.fireError(e);
    const onClose = () => this.fireClose();
    this.input.on('data', onData);
    this.input.on('error', onError);
    this.input.on('end', onClose);
    this.input.on('close', onClose);
    return Disposable.create(() => {
      this.input.off('data', onData);
      this.input.off('error', onError);
      this.input.off('end', onClose);
      this.input.off('close', onClose);
    });
  }
}

function isMessage(v: unknown): v is Message {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { jsonrpc?: unknown }).jsonrpc === '2.0';
}

/** A writer that shows each outgoing message to the gate before writing it. */
class GatedWriter implements MessageWriter {
  constructor(
    private readonly inner: MessageWriter,
    private readonly gate: LifecycleGate,
  ) {}
  get onError() {
    return this.inner.onError;
  }
  get onClose() {
    return this.inner.onClose;
  }
  write(msg: Message): Promise<void> {
    this.gate.sent(msg);
    return this.inner.write(msg);
  }
  end(): void {
    this.inner.end();
  }
  dispose(): void {
    this.inner.dispose();
  }
}

/** Reader and writer for `createConnection`, plus the gate (whose state gives the exit code). */
export interface ServerTransport {
  reader: MessageReader;
  writer: MessageWriter;
  gate: LifecycleGate;
}

/**
 * The stdio transport of the language server.
 * @param log writes one line to the client's log (window/logMessage) and to stderr; used for framing errors, messages
 *   the gate refused, and the reason the server exits.
 * @param input the stream read (process.stdin); output the stream written (process.stdout).
 * @param exit ends the process with a code (process.exit), after stdin ended or stdout failed.
 */
export function stdioTransport(
  log: (line: string) => void,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): ServerTransport {
  const streamWriter = new StreamMessageWriter(output);
  // The gate's own answers go straight to the stream: they are no answer to the initialize it waits for.
  const gate = new LifecycleGate(
    (response) => void streamWriter.write(response).catch(() => undefined),
    (what) => log(`LSP lifecycle: ${what}`),
  );
  const reader = new ResyncingMessageReader(input, gate, (reason) =>
    log(`LSP framing error: ${reason}; reading on from the next message.`),
  );
  const writer = new GatedWriter(streamWriter, gate);
  let exiting = false;
  const end = (why: string) => {
    if (exiting) return;
    exiting = true;
    const code = gate.current === 'shutdown' ? 0 : 1;
    log(`Language server exits (code ${code}): ${why}.`);
    exit(code);
  };
  input.on('end', () => end('the client closed stdin'));
  input.on('close', () => end('stdin was closed'));
  input.on('error', (e: Error) => end(`reading stdin failed: ${e.message}`));
  writer.onError(([e]) => end(`writing to stdout failed: ${e.message}`));
  return { reader, writer, gate };
}

/**
 * The language server's connection with all proposed features: over `stdioTransport` when the server runs on stdio
 * (`--stdio`, or no transport argument); with vscode-languageserver's own transport for `--node-ipc`, `--socket=`
 * and `--pipe=` (where no byte framing is read by the server, and the lifecycle rules are not applied).
 * @param log writes a line to the client's log; each line also goes to stderr, which outlives a broken protocol stream.
 */
export function createServerConnection(log: (line: string) => void) {
  if (process.argv.slice(2).some((a) => /^--(?:node-ipc|socket|pipe)(?:=|$)/.test(a)))
    return createConnection(ProposedFeatures.all);
  const both = (line: string) => {
    process.stderr.write(`${line}\n`);
    try {
      log(line);
    } catch {
      // the connection is not there yet, or gone: stderr has the line
    }
  };
  const t = stdioTransport(both);
  return createConnection(ProposedFeatures.all, t.reader, t.writer);
}
