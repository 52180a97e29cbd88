/**
 * LSP base-protocol framing that survives a broken stream. A message is a header block (`Content-Length: N`,
 * optionally `Content-Type: ...`, each line ended by `\r\n`, the block by an empty line) and N bytes of UTF-8 JSON
 * (LSP specification, "Base Protocol"). vscode-jsonrpc's stream reader stops making sense of the stream after one
 * bad header or wrong length; this decoder drops what it cannot read, says why, and finds the next message.
 *
 * How it resynchronises:
 * - bytes before a header that are not header lines (garbage, a body sent without a header) are skipped;
 * - a header block without a numeric `Content-Length`, with a malformed line, or announcing more than
 *   `maxMessageBytes`, is skipped up to the next `Content-Length:`;
 * - a `Content-Length` larger than the message: the next header shows up inside the body being read (the bytes
 *   `Content-Length: <digits>\r\n` cannot occur in valid JSON: outside strings only JSON tokens may stand, and a
 *   string cannot hold a raw CR or LF), so the bytes before it are the message;
 * - a `Content-Length` smaller than the message: the N bytes are not JSON; the bytes up to the next header (or the
 *   end of what arrived) are tried instead;
 * - a body that is not JSON at all is dropped.
 * A message recovered from a wrong length is still delivered (with a warning); only bytes that are no message are lost.
 */

/** What `FrameDecoder.push` found in the bytes: a decoded message, or a framing problem (the bytes it dropped). */
export type FrameEvent = { kind: 'message'; message: unknown } | { kind: 'error'; reason: string };

/** Largest message accepted by default: 256 MiB (VS Code does not sync documents over 50 MB to extensions). */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** A header block longer than this (bytes) is not one. */
const MAX_HEADER_BYTES = 4096;

/** Header start, as clients write it (case-insensitive here: header names are). */
const HEADER_START = /^content-length[ \t]*:/i;

/** One header line (`name: value`, RFC 7230 token name). */
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[ \t]*([^\r\n]*)$/;

/** The next message's header as it can appear inside a body whose Content-Length was too large. */
const NEXT_HEADER_IN_BODY = /Content-Length[ \t]*:[ \t]*\d+[ \t]*\r\n/i;

const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');

/** Decodes LSP messages from a byte stream, chunk by chunk, recovering from framing errors. */
export class FrameDecoder {
  /** Bytes not yet decoded, as received (concatenated only when a whole message may be there). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** The last bytes received, to find a header split across two chunks. */
  private tail: Buffer = Buffer.alloc(0);
  /** Set while a body is being read: its announced length. */
  private bodyLength: number | null = null;
  /** After a framing error, until the next good message: bytes skipped are not reported again. */
  private resyncing = false;

  /** @param maxMessageBytes largest Content-Length accepted; a larger one is a framing error. */
  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  /**
   * Feeds bytes; returns what they complete, in stream order. Never throws.
   * @param chunk the next bytes read from the stream.
   */
  push(chunk: Buffer): FrameEvent[] {
    if (this.bodyLength !== null && this.partsBytes + chunk.length < this.bodyLength) {
      // The common case for a big message: no need to look at it until it is all there, unless a header shows
      // up in it (its Content-Length was too large).
      const scan = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
      this.tail = scan.subarray(Math.max(0, scan.length - 64));
      if (findNextHeader(scan, 0) < 0) {
        this.parts.push(chunk);
        this.partsBytes += chunk.length;
        return [];
      }
    }
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
    let pending = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    const out: FrameEvent[] = [];
    for (;;) {
      const consumed = this.bodyLength !== null ? this.readBody(pending, out) : this.readHeader(pending, out);
      if (consumed === 0) break;
      pending = pending.subarray(consumed);
    }
    this.parts = pending.length > 0 ? [pending] : [];
    this.partsBytes = pending.length;
    this.tail = pending.subarray(Math.max(0, pending.length - 64));
    return out;
  }

  /** Bytes held waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  private error(out: FrameEvent[], reason: string): void {
    out.push({ kind: 'error', reason });
    this.resyncing = true;
  }

  private skipped(out: FrameEvent[], pending: Buffer, bytes: number, what: string): void {
    if (!this.resyncing) this.error(out, `skipped ${bytes} byte(s) ${what}: ${preview(pending, 0, bytes)}`);
  }

  /** Looks for a header block at the start of `pending`; returns the bytes consumed (0: wait for more). */
  private readHeader(pending: Buffer, out: FrameEvent[]): number {
    if (pending.length === 0) return 0;
    const start = findHeaderStart(pending, 0);
    if (start < 0) {
      // Keep a tail that could be the start of a header split across chunks; drop the rest.
      const drop = pending.length - 64;
      if (drop > 0) this.skipped(out, pending, drop, 'that are not an LSP message header');
      return Math.max(0, drop);
    }
    if (start > 0) {
      // Header lines before Content-Length (Content-Type) belong to its block; anything else is not a message.
      const before = pending.toString('latin1', 0, start);
      if (!/^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n]*\r\n)+$/.test(before)) {
        this.skipped(
          out,
          pending,
          start,
          'before a message header (a message without a Content-Length header, or garbage)',
        );
        return start;
      }
    }
    const end = pending.indexOf(CRLF2, start);
    if (end < 0 || end - start > MAX_HEADER_BYTES) {
      if (end < 0 && pending.length - start <= MAX_HEADER_BYTES) return 0;
      return this.skipHeader(pending, out, start, 'no empty line ends it');
    }
    let length: number | null = null;
    for (const line of pending.toString('latin1', 0, end).split('\r\n')) {
      const h = HEADER_LINE.exec(line);
      if (!h) return this.skipHeader(pending, out, start, `malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      if (/^content-length[ \t]*:/i.test(line)) {
        if (!/^\d+$/.test(h[1].trim()))
          return this.skipHeader(
            pending,
            out,
            start,
            `Content-Length ${JSON.stringify(h[1].slice(0, 40))} is not a number`,
          );
        length = Number(h[1].trim());
      }
    }
    if (length === null) return this.skipHeader(pending, out, start, 'no Content-Length');
    if (length > this.maxMessageBytes)
      return this.skipHeader(
        pending,
        out,
        start,
        `Content-Length ${length} is over the ${this.maxMessageBytes}-byte limit`,
      );
    this.bodyLength = length;
    return end + CRLF2.length;
  }

  /** Drops a bad header block: everything up to the next header start after `at` (or all but a tail). */
  private skipHeader(pending: Buffer, out: FrameEvent[], at: number, why: string): number {
    this.error(out, `dropped a message with a bad header: ${why}`);
    const next = findHeaderStart(pending, at + 1);
    return next < 0 ? Math.max(at + 1, pending.length - 64) : next;
  }

  /** Reads the body being waited for at the start of `pending`; returns the bytes consumed (0: wait for more). */
  private readBody(pending: Buffer, out: FrameEvent[]): number {
    const length = this.bodyLength!;
    const have = pending.length;
    if (have >= length) {
      const message = parseJson(pending, 0, length);
      if (message !== undefined) {
        out.push({ kind: 'message', message });
        this.resyncing = false;
        this.bodyLength = null;
        return length;
      }
      // Content-Length too small (or a broken body): try the bytes up to the next header, or all that arrived.
      const next = findNextHeader(pending, 0);
      const until = next < 0 ? have : next;
      const recovered = parseJson(pending, 0, until);
      if (recovered !== undefined) {
        this.error(out, `Content-Length ${length} did not match the message (${until} bytes): read it from its JSON`);
        out.push({ kind: 'message', message: recovered });
        this.resyncing = false;
      } else if (next < 0 && have < length + 64 * 1024) {
        return 0; // the rest of a message longer than announced may still come
      } else {
        this.error(
          out,
          `dropped a message whose ${length}-byte body is not JSON: ${preview(pending, 0, Math.min(until, 200))}`,
        );
      }
      this.bodyLength = null;
      return until;
    }
    // Still waiting: a header inside what arrived means the Content-Length was too large.
    const next = findNextHeader(pending, 0);
    if (next < 0) return 0;
    const message = parseJson(pending, 0, next);
    if (message !== undefined) {
      this.error(out, `Content-Length ${length} did not match the message (${next} bytes): read it from its JSON`);
      out.push({ kind: 'message', message });
      this.resyncing = false;
    } else {
      this.error(
        out,
        `dropped ${next} byte(s) of a message that is not JSON: ${preview(pending, 0, Math.min(next, 200))}`,
      );
    }
    this.bodyLength = null;
    return next;
  }
}

/** Offset of the first `Content-Length:` (either case, spaces before the colon allowed) at or after `from`, or -1. */
function findHeaderStart(buf: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const i = indexOfCaseless(buf, at);
    if (i < 0) return -1;
    if (HEADER_START.test(buf.toString('latin1', i, Math.min(buf.length, i + 32)))) return i;
    at = i + 1;
  }
}

/** Offset of the next `Content-Length: <digits>\r\n` at or after `from`, or -1 (the header starts a line). */
function findNextHeader(buf: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const i = indexOfCaseless(buf, at);
    if (i < 0) return -1;
    const line = buf.toString('latin1', i, Math.min(buf.length, i + 64));
    if (NEXT_HEADER_IN_BODY.test(line) && NEXT_HEADER_IN_BODY.exec(line)!.index === 0) {
      // Take a Content-Type line right before it as part of the header block.
      const before = buf.toString('latin1', Math.max(from, i - 256), i);
      const ct = /(Content-Type:[^\r\n]*\r\n)$/i.exec(before);
      return ct ? i - ct[1].length : i;
    }
    at = i + 1;
  }
}

function indexOfCaseless(buf: Buffer, from: number): number {
  const a = buf.indexOf('Content-Length', from, 'latin1');
  const b = buf.indexOf('content-length', from, 'latin1');
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** The JSON value of `buf[from, to)` as UTF-8 when it is a JSON object or array; else undefined. */
function parseJson(buf: Buffer, from: number, to: number): unknown {
  const text = buf.toString('utf8', from, to).trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, printable view of dropped bytes for the log. */
function preview(buf: Buffer, from: number, to: number): string {
  const s = buf.toString('utf8', from, Math.min(to, from + 80));
  return JSON.stringify(s) + (to - from > 80 ? '…' : '');
}
