/**
 * A loopback TCP proxy in front of a real HTTP server (moto, Azurite, ...) that injects the faults the object-store
 * tests need, leaving every other byte as the real server sent it: it answers chosen requests itself with an error
 * status and `Retry-After` (as S3 does when throttling), or cuts the connection after some bytes of a chosen response
 * (a connection lost mid-object). Requests are HTTP/1.1 on keep-alive connections, one in flight per connection (as
 * Node's agents send them); request bodies are passed on by their Content-Length.
 */
import * as net from 'net';

/** One fault: which requests it hits and what it does to them. */
export interface Fault {
  /** Hits requests whose request line (`GET /bucket/key?x HTTP/1.1`) matches. */
  requestLine: RegExp;
  /** Hits only requests without a `Range` (or Azure's `x-ms-range`) header: the first read of an object, not a resume or a head read. */
  withoutRange?: boolean;
  /** How many matching requests it hits (then it lets them through). */
  times: number;
  /** Answer with this status, an S3-style XML error body and `Retry-After: retryAfterSeconds`, without asking the server. */
  status?: number;
  retryAfterSeconds?: number;
  /** Cut the connection after this many bytes of the real server's response. */
  cutAfterBytes?: number;
}

/** A request the proxy saw, with what it did to it. */
export interface SeenRequest {
  requestLine: string;
  range: string | null;
  atMs: number;
  fault: 'status' | 'cut' | null;
}

/** The proxy. */
export class FaultProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Every request seen, in order. */
  readonly seen: SeenRequest[] = [];
  /** `http://127.0.0.1:<port>` once listening. */
  url = '';

  /**
   * @param upstreamPort the real server's port on 127.0.0.1.
   * @param faults what to inject (each counts down its `times`).
   */
  constructor(
    private readonly upstreamPort: number,
    readonly faults: Fault[],
  ) {}

  /** Listens on a free port of 127.0.0.1. */
  async start(): Promise<void> {
    this.server = net.createServer((client) => this.connection(client));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Closes the listener and every open connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private connection(client: net.Socket): void {
    const upstream = net.connect(this.upstreamPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    let pending = Buffer.alloc(0);
    let bodyLeft = 0;
    let cutIn: number | null = null;
    upstream.on('data', (chunk: Buffer) => {
      if (cutIn !== null) {
        if (chunk.length >= cutIn) {
          client.write(chunk.subarray(0, cutIn), () => close());
          cutIn = null;
          return;
        }
        cutIn -= chunk.length;
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const n = Math.min(bodyLeft, pending.length);
          upstream.write(pending.subarray(0, n));
          pending = pending.subarray(n);
          bodyLeft -= n;
          if (bodyLeft > 0) return;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end + 4);
        pending = pending.subarray(end + 4);
        const lines = head.toString('latin1').split('\r\n');
        const header = (name: string) =>
          lines
            .find((l) => l.toLowerCase().startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim() ?? null;
        bodyLeft = Number(header('content-length') ?? 0);
        const seen: SeenRequest = {
          requestLine: lines[0],
          range: header('range') ?? header('x-ms-range'),
          atMs: Date.now(),
          fault: null,
        };
        this.seen.push(seen);
        const fault = this.faults.find(
          (f) => f.times > 0 && f.requestLine.test(lines[0]) && !(f.withoutRange && seen.range !== null),
        );
        if (fault?.status !== undefined) {
          fault.times--;
          seen.fault = 'status';
          const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.status === 503 ? 'SlowDown' : 'InternalError'}</Code><Message>injected by the test's fault proxy</Message></Error>`;
          client.write(
            `HTTP/1.1 ${fault.status} ${fault.status === 503 ? 'Slow Down' : 'Internal Server Error'}\r\nContent-Type: application/xml\r\n` +
              `Retry-After: ${fault.retryAfterSeconds ?? 1}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
          // The request's body (none for GET) is dropped with it.
          pending = pending.subarray(Math.min(bodyLeft, pending.length));
          bodyLeft = 0;
          continue;
        }
        if (fault?.cutAfterBytes !== undefined) {
          fault.times--;
          seen.fault = 'cut';
          cutIn = fault.cutAfterBytes;
        }
        upstream.write(head);
      }
    });
  }
}
