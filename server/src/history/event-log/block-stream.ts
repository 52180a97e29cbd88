/**
 * What the block-container codecs (lz4, snappy, lzf) share: a decoder that takes a file's bytes in
 * arbitrary chunks and hands back each decompressed block as soon as it is complete, and the queue
 * of not-yet-used input bytes it keeps between chunks.
 *
 * Memory: the queue holds at most one compressed block plus one read chunk (lz4-java and snappy-java
 * blocks are `spark.io.compression.{lz4,snappy}.blockSize`, 32 KiB by default; an LZF chunk is at
 * most 64 KiB), so a decoder's memory does not grow with the file.
 */

/** Thrown by {@link BlockDecoder.push} when the bytes cannot be a stream of this codec; the rest of the file is unreadable. */
export class CorruptStreamError extends Error {
  constructor(
    message: string,
    /** Byte offset in the (compressed) file where the bad block or header starts. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CorruptStreamError';
  }
}

/** Where and why a stream ends before its writer finished it (the file ends inside a block, or an lz4 stream lacks its end block). */
export interface StreamEnd {
  /** Byte offset in the (compressed) file of the cut block, or the file's size when only an end marker is missing. */
  offset: number;
  /** Why, for a person, without the file name. */
  message: string;
}

/** A streaming decoder of one compressed event-log file. */
export interface BlockDecoder {
  /**
   * Consumes `chunk` (the file's next bytes) and appends the decompressed blocks it completes to `out`, in order.
   * @throws {@link CorruptStreamError} when the stream is corrupt, a checksum mismatch included (the blocks
   *   before the bad one are in `out` by then); do not push more after that.
   */
  push(chunk: Uint8Array, out: Uint8Array[]): void;
  /** Called once at the end of the file: null when the stream ended cleanly, else where and why it is cut. */
  end(): StreamEnd | null;
}

/** FIFO of input bytes: append chunks, look at and take bytes from the front, across chunk boundaries. */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Read position inside `chunks[0]`. */
  private head = 0;
  /** Bytes queued. */
  length = 0;
  /** Bytes taken so far: the file offset of the first queued byte. */
  consumed = 0;

  /** Appends `chunk` (kept by reference: the caller must not reuse its memory). */
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The byte `i` positions from the front (`i < length`). */
  byteAt(i: number): number {
    let idx = this.head + i;
    for (const c of this.chunks) {
      if (idx < c.length) return c[idx];
      idx -= c.length;
    }
    throw new RangeError(`byteAt(${i}) beyond ${this.length} queued bytes`);
  }

  /** Big-endian unsigned 16-bit value at `i`. */
  u16be(i: number): number {
    return (this.byteAt(i) << 8) | this.byteAt(i + 1);
  }

  /** Big-endian unsigned 32-bit value at `i`. */
  u32be(i: number): number {
    return ((this.byteAt(i) << 24) | (this.byteAt(i + 1) << 16) | (this.byteAt(i + 2) << 8) | this.byteAt(i + 3)) >>> 0;
  }

  /** Little-endian signed 32-bit value at `i` (Java `int`). */
  i32le(i: number): number {
    return this.byteAt(i) | (this.byteAt(i + 1) << 8) | (this.byteAt(i + 2) << 16) | (this.byteAt(i + 3) << 24);
  }

  /** Whether the `bytes` start the queue. */
  startsWith(bytes: Uint8Array): boolean {
    if (this.length < bytes.length) return false;
    for (let i = 0; i < bytes.length; i++) if (this.byteAt(i) !== bytes[i]) return false;
    return true;
  }

  /** Removes `n` bytes (`n <= length`) from the front and returns them (a view when they lie in one chunk, else a copy). */
  take(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`take(${n}) beyond ${this.length} queued bytes`);
    this.length -= n;
    this.consumed += n;
    const first = this.chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (this.head + n <= first.length) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const step = Math.min(c.length - this.head, n - filled);
      out.set(c.subarray(this.head, this.head + step), filled);
      filled += step;
      this.head += step;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }

  /** Drops `n` bytes from the front. */
  skip(n: number): void {
    this.take(n);
  }
}

/** The bytes of an ASCII string. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
