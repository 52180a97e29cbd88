/**
 * Decoder of Spark's `.zstd` event logs: concatenated zstd frames (RFC 8878), decoded by Node's built-in
 * zlib (`zlib.createZstdDecompress`, Node >= 22.15 / 23.8; libzstd inside Node).
 *
 * Spark writes `ZstdOutputStreamNoFinalizer(...).setCloseFrameOnFlush(true)`, so a log is one frame per
 * flush, and the last frame of a live or crashed application may be cut; Spark reads it back with
 * `ZstdInputStreamNoFinalizer(...).setContinuous(true)`, which returns what decodes and treats the cut
 * frame as "more to come" (spark-reference A2). This module does the same:
 *
 * - Node's zstd stream decodes ONE frame per write: when a frame ends inside a written chunk it ends the
 *   stream and silently drops the rest of the chunk (checked with Node 22.23: `zstdDecompressSync` of two
 *   concatenated frames returns the first one only). So {@link ZstdFrameWalker} walks the frame and block
 *   headers (no decoding) and cuts the input at every frame end; each write then holds bytes of one
 *   frame, and libzstd starts the next frame on the next write.
 * - Node's stream also ends without an error on a frame cut short; the walker knows whether the input
 *   ended inside a frame, which is reported as a truncation (a warning), never as an error.
 * - Corrupt data makes libzstd fail ("Data corruption detected", a bad checksum, a reserved block type):
 *   that is thrown as a {@link CorruptStreamError} naming the byte offset of the damaged frame, after
 *   every byte decoded before it was handed out.
 *
 * Window: libzstd's default limit (`ZSTD_d_windowLogMax` 27, 128 MiB), the same as Spark's zstd-jni reader
 * (it does not raise it); a frame that needs more is reported as corrupt with libzstd's message
 * ("Frame requires too much memory for decoding").
 */

import { once } from 'node:events';
import { createZstdDecompress } from 'node:zlib';
import { CorruptStreamError } from './block-stream';

/** `Magic_Number` of a zstd frame (RFC 8878 3.1.1), little-endian 0xFD2FB528. */
const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50..0x184D2A5F, then a 4-byte size and that many bytes (RFC 8878 3.1.2). */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** `Block_Maximum_Size` (RFC 8878 3.1.1.2.3): no block holds more than 128 KiB. */
const MAX_BLOCK_BYTES = 128 * 1024;
/** Output chunk of Node's decoder (its default is 16 KiB); bigger chunks mean fewer thread-pool round trips. */
const OUTPUT_CHUNK_BYTES = 64 * 1024;
/** Decoded bytes waiting for the consumer before the decoder is paused. */
const MAX_QUEUED_BYTES = 1024 * 1024;

const enum Field {
  Magic,
  Descriptor,
  HeaderRest,
  BlockHeader,
  BlockBody,
  Checksum,
  SkipSize,
  SkipBody,
}

/**
 * Walks the structure of a zstd stream without decoding it: frame headers, block headers, checksums,
 * skippable frames. Feed it the file in chunks; it returns each chunk cut at the frame ends inside it.
 */
export class ZstdFrameWalker {
  /** Bytes walked so far: the file offset of the next byte. */
  offset = 0;
  /** Frames finished so far (skippable ones included). */
  frames = 0;
  /** File offset of the frame being walked, or null between frames. */
  frameStart: number | null = null;
  /** Set when the bytes stop being a zstd stream (offset = start of the frame); nothing after it is returned. */
  error: CorruptStreamError | null = null;
  /** Starts of the frames seen and not yet dropped by {@link forgetFramesBefore}, ascending. */
  private readonly starts: number[] = [];
  private field = Field.Magic;
  /** Bytes still to take for the current field. */
  private need = 4;
  /** The small fields (magic, descriptor, block header, skippable size) as they arrive. */
  private readonly small = new Uint8Array(4);
  private smallLen = 0;
  private contentChecksum = false;
  private lastBlock = false;

  /**
   * Walks `chunk` (the file's next bytes).
   * @returns `chunk` cut at every frame end in it: each piece holds bytes of one frame only (the last piece
   *   may continue in the next chunk). Views of `chunk`, not copies. When the bytes cannot be a zstd stream
   *   (no frame magic where a frame starts, a reserved bit or block type, a block larger than 128 KiB), the
   *   pieces stop before the bad header and {@link error} is set; later calls return nothing.
   */
  split(chunk: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    if (this.error !== null) return pieces;
    const chunkStart = this.offset;
    let pieceStart = 0;
    let i = 0;
    while (i < chunk.length) {
      if (
        this.field === Field.HeaderRest ||
        this.field === Field.BlockBody ||
        this.field === Field.Checksum ||
        this.field === Field.SkipBody
      ) {
        const take = Math.min(this.need, chunk.length - i);
        i += take;
        this.offset += take;
        this.need -= take;
      } else {
        while (this.need > 0 && i < chunk.length) {
          this.small[this.smallLen++] = chunk[i++];
          this.offset++;
          this.need--;
        }
      }
      if (this.need > 0) break;
      let frameEnded: boolean;
      try {
        frameEnded = this.fieldDone();
      } catch (err) {
        if (!(err instanceof BadHeader)) throw err;
        this.error = new CorruptStreamError(err.message, this.frameStart ?? err.at);
        const goodEnd = Math.max(pieceStart, err.at - chunkStart);
        if (goodEnd > pieceStart) pieces.push(chunk.subarray(pieceStart, goodEnd));
        return pieces;
      }
      if (frameEnded) {
        pieces.push(chunk.subarray(pieceStart, i));
        pieceStart = i;
      }
    }
    if (pieceStart < chunk.length) pieces.push(chunk.subarray(pieceStart));
    return pieces;
  }

  /** Null when the stream ended between frames (or was empty); else the file offset where the cut frame starts. */
  cutFrameStart(): number | null {
    if (this.frameStart === null && this.smallLen === 0) return null;
    return this.frameStart ?? this.offset - this.smallLen;
  }

  /** The start of the frame that holds byte `offset` (among those not forgotten), or `offset` itself when none is known. */
  frameAt(offset: number): number {
    let found = offset;
    for (const s of this.starts) {
      if (s > offset) break;
      found = s;
    }
    return found;
  }

  /** Forgets the starts of frames that end before byte `offset` (keeps the one holding it). */
  forgetFramesBefore(offset: number): void {
    while (this.starts.length > 1 && this.starts[1] <= offset) this.starts.shift();
  }

  /** Moves past a completed field; returns true when it completed a frame. */
  private fieldDone(): boolean {
    const b = this.small;
    const fieldStart = this.offset - this.smallLen;
    this.smallLen = 0;
    switch (this.field) {
      case Field.Magic: {
        const magic = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
        if (magic === ZSTD_MAGIC) {
          this.startFrame(fieldStart);
          return this.next(Field.Descriptor, 1);
        }
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.startFrame(fieldStart);
          return this.next(Field.SkipSize, 4);
        }
        return this.fail(
          fieldStart,
          `no zstd frame magic at byte ${fieldStart} (found 0x${magic.toString(16).padStart(8, '0')})`,
        );
      }
      case Field.Descriptor: {
        // Frame_Header_Descriptor (RFC 8878 3.1.1.1.1): FCS flag (2 bits), Single_Segment, unused, reserved, checksum, dictionary id flag (2 bits).
        const d = b[0];
        if ((d & 0x08) !== 0)
          return this.fail(fieldStart, `zstd frame at byte ${this.frameStart} sets the reserved bit of its header`);
        const singleSegment = (d & 0x20) !== 0;
        this.contentChecksum = (d & 0x04) !== 0;
        const rest = (singleSegment ? 0 : 1) + [0, 1, 2, 4][d & 0x03] + [singleSegment ? 1 : 0, 2, 4, 8][d >> 6];
        return rest > 0 ? this.next(Field.HeaderRest, rest) : this.next(Field.BlockHeader, 3);
      }
      case Field.HeaderRest:
        return this.next(Field.BlockHeader, 3);
      case Field.BlockHeader: {
        // Block_Header (RFC 8878 3.1.1.2): Last_Block (1 bit), Block_Type (2 bits), Block_Size (21 bits), little-endian.
        const h = b[0] | (b[1] << 8) | (b[2] << 16);
        this.lastBlock = (h & 1) !== 0;
        const type = (h >> 1) & 3;
        const size = h >>> 3;
        if (type === 3) return this.fail(fieldStart, `zstd block at byte ${fieldStart} has the reserved block type`);
        if (size > MAX_BLOCK_BYTES)
          return this.fail(fieldStart, `zstd block at byte ${fieldStart} claims ${size} bytes (at most 128 KiB)`);
        const body = type === 1 ? 1 : size; // an RLE block stores one byte
        if (body > 0) return this.next(Field.BlockBody, body);
        return this.blockDone();
      }
      case Field.BlockBody:
        return this.blockDone();
      case Field.Checksum:
        return this.frameDone();
      case Field.SkipSize: {
        const size = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
        return size > 0 ? this.next(Field.SkipBody, size) : this.frameDone();
      }
      case Field.SkipBody:
        return this.frameDone();
    }
  }

  private startFrame(at: number): void {
    this.frameStart = at;
    this.starts.push(at);
  }

  private blockDone(): boolean {
    if (!this.lastBlock) return this.next(Field.BlockHeader, 3);
    return this.contentChecksum ? this.next(Field.Checksum, 4) : this.frameDone();
  }

  private frameDone(): boolean {
    this.frames++;
    this.frameStart = null;
    this.next(Field.Magic, 4);
    return true;
  }

  private next(field: Field, need: number): false {
    this.field = field;
    this.need = need;
    return false;
  }

  private fail(at: number, message: string): never {
    throw new BadHeader(message, at);
  }
}

/** A header field that no zstd stream has, at file offset `at` (caught inside {@link ZstdFrameWalker.split}). */
class BadHeader extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/**
 * Null when this Node decodes zstd, else why not: `zlib.createZstdDecompress` exists from Node 22.15 / 23.8, and in
 * VS Code from 1.101 (Electron 35, Node 22.15.1), the oldest the extension declares (`engines.vscode`).
 */
export function zstdUnavailable(): string | null {
  if (typeof createZstdDecompress === 'function') return null;
  return `this Node (${process.version}) has no zstd in zlib; zstd event logs need Node 22.15 or later (VS Code 1.101 or later)`;
}

/** How a zstd file ended, the return value of {@link decodeZstd}. */
export interface ZstdEnd {
  /** Frames read completely (skippable ones included). */
  frames: number;
  /** Where the frame cut by the end of the file starts, or null when the file ends between frames. */
  cutFrameStart: number | null;
}

/**
 * Decodes one zstd file, streaming: yields the decoded bytes in order (chunks of at most 64 KiB) and
 * returns how the file ended. Memory stays at a few chunks: the decoder is fed only as fast as the
 * consumer pulls its output.
 *
 * @param input the file's bytes in order (e.g. an `fs.ReadStream`).
 * @param signal aborts reading; the generator then throws the signal's reason.
 * @throws {@link CorruptStreamError} (offset = start of the damaged frame) when the bytes are not a valid
 *   zstd stream, after yielding everything decoded before the damage; the input's own errors (file
 *   deleted, permissions) and the abort reason as they are.
 */
export async function* decodeZstd(
  input: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, ZstdEnd, undefined> {
  const walker = new ZstdFrameWalker();
  const decoder = createZstdDecompress({ chunkSize: OUTPUT_CHUNK_BYTES });
  const stopFeeding = new AbortController();
  let decoderError: Error | null = null;
  let feedError: unknown = null;

  // Output is taken with a 'data' listener into our own queue, not by async iteration: a stream that fails
  // discards what it buffered, and what decoded before a damaged block must still be handed out. The queue is
  // bounded by pausing the decoder (zlib then stops decoding until resumed, see its processCallback).
  const queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let finished = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  decoder.on('data', (out: Uint8Array) => {
    queue.push(out);
    queuedBytes += out.length;
    if (queuedBytes >= MAX_QUEUED_BYTES) decoder.pause();
    notify();
  });
  decoder.on('error', (err: Error) => {
    decoderError ??= err;
    notify();
  });
  decoder.on('end', () => {
    finished = true;
    notify();
  });
  decoder.on('close', () => {
    finished = true;
    notify();
  });

  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        if (stopFeeding.signal.aborted || decoderError !== null) return;
        signal?.throwIfAborted();
        // The pieces stop before a bad header, so what the bytes before it hold is still decoded.
        for (const piece of walker.split(chunk)) {
          if (!decoder.write(piece)) await once(decoder, 'drain', { signal: stopFeeding.signal });
          if (decoderError !== null) return;
        }
        walker.forgetFramesBefore(decoder.bytesWritten);
        if (walker.error !== null) break;
      }
      decoder.end();
    } catch (err) {
      if (err !== decoderError && !stopFeeding.signal.aborted) {
        feedError = err;
        decoder.destroy();
      }
    }
  })();

  try {
    for (;;) {
      const out = queue.shift();
      if (out !== undefined) {
        queuedBytes -= out.length;
        yield out;
        continue;
      }
      if (finished || decoderError !== null || feedError !== null) break;
      if (decoder.isPaused()) decoder.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    stopFeeding.abort();
    await feeding;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the input's own error or the abort reason, as they are (see above).
    if (feedError !== null) throw feedError;
    const consumed = decoder.bytesWritten;
    if (decoderError !== null) {
      const frame = walker.frameAt(consumed);
      throw new CorruptStreamError(
        `zstd frame at byte ${frame} does not decode (${(decoderError as Error).message}; the decoder had taken ${consumed} bytes of the file)`,
        frame,
      );
    }
    if (walker.error !== null) throw walker.error;
    if (consumed < walker.offset) {
      // libzstd finished a frame before its block headers said it ends.
      const frame = walker.frameAt(consumed);
      throw new CorruptStreamError(
        `zstd frame at byte ${frame} ends at byte ${consumed}, before the end its block headers give`,
        frame,
      );
    }
    return { frames: walker.frames, cutFrameStart: walker.cutFrameStart() };
  } finally {
    stopFeeding.abort();
    decoder.destroy();
    await feeding;
  }
}
