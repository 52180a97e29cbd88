/**
 * Streaming the text lines of an event log: file chunks → decompression → line split → UTF-8 text.
 *
 * Nothing holds a whole file: one read chunk (64 KiB) is decompressed at a time, fed to the zstd
 * decoder in 16 KiB slices, and the lines it yields are handed out before the next slice is pushed,
 * so memory stays at one slice's decompressed output plus the current partial line, whatever the
 * file size (the consumer pulling lines is the backpressure).
 *
 * Lines are cut on the byte `\n` before decoding; a UTF-8 multi-byte sequence never contains 0x0A, so
 * a character can never be split across chunks or lines. Invalid UTF-8 (Spark 2.x logs written in the
 * driver's default charset, spark-reference E3) decodes to U+FFFD instead of failing.
 *
 * Byte formats (spark-reference A2): zstd = concatenated RFC 8878 frames, one per flush, the last
 * possibly incomplete in a live or crashed log (Spark's reader uses `ZstdInputStreamNoFinalizer.setContinuous(true)`);
 * lz4 = lz4-java `LZ4BlockOutputStream` blocks ({@link Lz4BlockDecoder}); snappy = snappy-java
 * `SnappyOutputStream` blocks ({@link SnappyStreamDecoder}); lzf = ning `LZFOutputStream` chunks
 * ({@link LzfChunkDecoder}); gzip = Databricks' rolled parts. The block codecs are fed one read chunk
 * at a time and hand back whole blocks (32 KiB by default), so memory stays bounded for them too.
 */

import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { CorruptStreamError, type BlockDecoder } from './block-stream';
import type { EventLogCodec, EventLogSource } from './discover';
import { Lz4BlockDecoder } from './lz4-block-stream';
import { LzfChunkDecoder } from './lzf-chunk-stream';
import { SnappyStreamDecoder } from './snappy-stream';

/** Counters the line reader updates while it runs; the caller reads them during or after reading. */
export interface LineProgress {
  /** Uncompressed bytes produced so far (line terminators included). */
  bytes: number;
  /** Files opened so far, in order. */
  files: string[];
  /** Problems met: truncated zstd frame or lz4/snappy/lzf block, lz4 checksum mismatch, corrupt data. */
  warnings: string[];
}

/** Creates an empty {@link LineProgress}. */
export function newLineProgress(): LineProgress {
  return { bytes: 0, files: [], warnings: [] };
}

/** Consecutive lines of one file. */
export interface LineBatch {
  /** The file the lines come from. */
  file: string;
  /** 1-based line number of `lines[0]` within `file`. */
  firstLine: number;
  /** Lines without terminators; `null` stands for a line longer than `maxLineBytes` (skipped). */
  lines: (string | null)[];
}

/** Options of {@link eventLogLines} and {@link eventLogLineBatches}. */
export interface LineOptions {
  /** Aborts reading: the generator throws the signal's reason at the next chunk. */
  signal?: AbortSignal;
  /** Longest line kept, in bytes (default 256 MiB, under V8's ~512 Mi-character string limit); longer lines come out as null. */
  maxLineBytes?: number;
  /** Bytes read from disk per chunk (default 64 KiB). */
  chunkBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;
const ZSTD_SLICE_BYTES = 16 * 1024;
const NL = 0x0a;
const CR = 0x0d;

/**
 * Yields the text lines of one event log across its files in order, streaming.
 *
 * - Each file is split on its own: a last line without `\n` ends at the end of its file (as Spark's
 *   per-file `getLines()` does); `\r\n` endings lose the `\r`.
 * - A line longer than `maxLineBytes` is skipped and yielded as `null` (so line numbers stay right).
 * - zstd, lz4, snappy, lzf, gzip: a truncated last frame/block (live or crashed app) yields every
 *   complete block, then a warning in `progress.warnings` naming the file (lz4/snappy/lzf: and the byte
 *   offset of the cut block); the partial last line is still yielded (it usually fails to parse). An
 *   lz4 file without its end block also gets a warning (lz4-java holds back up to one block until
 *   close). An lz4 checksum mismatch is a warning and the block is used. Corrupt data stops that file
 *   with a warning; the next file is still read.
 *
 * @param source from `discoverEventLogs`.
 * @param progress updated as lines are produced (bytes, files, warnings).
 * @returns an async generator of lines without terminators (`null` = oversized line).
 * @throws the signal's reason when aborted; file-system errors (file deleted under us) as they come.
 *   Content problems never throw.
 */
export async function* eventLogLines(
  source: EventLogSource,
  progress: LineProgress,
  options: LineOptions = {},
): AsyncGenerator<string | null, void, undefined> {
  for await (const batch of eventLogLineBatches(source, progress, options)) {
    for (const line of batch.lines) yield line;
  }
}

/**
 * Same as {@link eventLogLines} but yields the lines in batches (those decoded from one input slice),
 * which saves an async step per line: the reader's hot path.
 */
export async function* eventLogLineBatches(
  source: EventLogSource,
  progress: LineProgress,
  options: LineOptions = {},
): AsyncGenerator<LineBatch, void, undefined> {
  for (let i = 0; i < source.files.length; i++) {
    const file = source.files[i];
    const codec = source.codecs[i] ?? 'none';
    progress.files.push(file);
    yield* fileLineBatches(file, codec, progress, options);
  }
}

/** Splits bytes into lines; keeps the partial last line between pushes. */
class LineSplitter {
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  private oversized = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Appends the complete lines found in `chunk` to `out` (null for an oversized line). */
  push(chunk: Uint8Array, out: (string | null)[]): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NL, start);
      if (nl < 0) break;
      out.push(this.take(buf, start, nl));
      start = nl + 1;
    }
    if (start < buf.length) this.keep(buf.subarray(start));
  }

  /** The partial last line: `present` false when there is none; `line` null when it was oversized. */
  end(): { line: string | null; present: boolean } {
    if (this.partsBytes === 0 && !this.oversized) return { line: null, present: false };
    const line = this.take(Buffer.alloc(0), 0, 0);
    return { line, present: true };
  }

  private keep(tail: Buffer): void {
    if (this.oversized) return;
    if (this.partsBytes + tail.length > this.maxLineBytes) {
      this.oversized = true;
      this.parts = [];
      this.partsBytes = 0;
      return;
    }
    // Copy: the caller's buffer may be reused or large; keep only the tail.
    this.parts.push(Buffer.from(tail));
    this.partsBytes += tail.length;
  }

  private take(buf: Buffer, start: number, end: number): string | null {
    if (this.oversized || this.partsBytes + (end - start) > this.maxLineBytes) {
      this.oversized = false;
      this.parts = [];
      this.partsBytes = 0;
      return null;
    }
    let line: Buffer;
    if (this.partsBytes > 0) {
      this.parts.push(buf.subarray(start, end));
      line = Buffer.concat(this.parts, this.partsBytes + (end - start));
      this.parts = [];
      this.partsBytes = 0;
      start = 0;
      end = line.length;
    } else {
      line = buf;
    }
    if (end > start && line[end - 1] === CR) end--;
    return line.toString('utf8', start, end);
  }
}

/** The streaming decoder of a block-container codec. */
function blockDecoderFor(codec: 'lz4' | 'snappy' | 'lzf'): BlockDecoder {
  switch (codec) {
    case 'lz4':
      return new Lz4BlockDecoder();
    case 'snappy':
      return new SnappyStreamDecoder();
    case 'lzf':
      return new LzfChunkDecoder();
  }
}

/** Wraps fzstd's streaming decoder: push compressed bytes, get decompressed blocks back. */
class ZstdStream {
  private blocks: Uint8Array[] = [];
  private readonly decoder = new Decompress((data) => {
    if (data.length > 0) this.blocks.push(data);
  });

  /** Decompresses `chunk`; returns the blocks it completed and the error that stopped it, if any. */
  push(chunk: Uint8Array, final: boolean): { blocks: Uint8Array[]; error: Error | null } {
    let error: Error | null = null;
    try {
      this.decoder.push(chunk, final);
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    const blocks = this.blocks;
    this.blocks = [];
    return { blocks, error };
  }
}

async function* fileLineBatches(
  file: string,
  codec: EventLogCodec,
  progress: LineProgress,
  options: LineOptions,
): AsyncGenerator<LineBatch, void, undefined> {
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const signal = options.signal;
  const input = createReadStream(file, { highWaterMark: options.chunkBytes ?? 64 * 1024 });
  let pending: (string | null)[] = [];
  let nextLine = 1;

  function feed(block: Uint8Array): void {
    progress.bytes += block.length;
    splitter.push(block, pending);
  }
  // Takes the lines decoded so far as one batch (the caller yields it and suspends until asked for more).
  function take(): LineBatch {
    const batch: LineBatch = { file, firstLine: nextLine, lines: pending };
    nextLine += pending.length;
    pending = [];
    return batch;
  }

  try {
    if (codec === 'zstd') {
      const zstd = new ZstdStream();
      let failed = false;
      for await (const chunk of input as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        for (let off = 0; off < chunk.length && !failed; off += ZSTD_SLICE_BYTES) {
          const { blocks, error } = zstd.push(chunk.subarray(off, off + ZSTD_SLICE_BYTES), false);
          for (const b of blocks) feed(b);
          if (error) {
            failed = true;
            progress.warnings.push(
              `${file}: corrupt zstd data after ${progress.bytes} uncompressed bytes (${error.message}); the rest of this file is skipped`,
            );
          }
          if (pending.length > 0) yield take();
        }
        if (failed) break;
      }
      if (!failed) {
        const { blocks, error } = zstd.push(new Uint8Array(0), true);
        for (const b of blocks) feed(b);
        if (error) {
          progress.warnings.push(
            `${file}: zstd stream ends inside a frame (truncated: the application is still running or crashed); read the ${progress.bytes} bytes decoded before the cut`,
          );
        }
      }
    } else if (codec === 'lz4' || codec === 'snappy' || codec === 'lzf') {
      const decoder = blockDecoderFor(codec);
      const warn = (message: string): void => {
        progress.warnings.push(`${file}: ${message}`);
      };
      let failed = false;
      for await (const chunk of input as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        const blocks: Uint8Array[] = [];
        try {
          decoder.push(chunk, blocks, warn);
        } catch (err) {
          if (!(err instanceof CorruptStreamError)) throw err;
          failed = true;
          warn(`corrupt ${codec} data: ${err.message}; the rest of this file (from byte ${err.offset}) is skipped`);
        }
        for (const b of blocks) feed(b);
        if (pending.length > 0) yield take();
        if (failed) break;
      }
      if (!failed) {
        const truncated = decoder.end();
        if (truncated !== null) warn(truncated);
      }
    } else if (codec === 'gzip') {
      const gunzip = createGunzip();
      input.on('error', (err) => gunzip.destroy(err));
      input.pipe(gunzip);
      try {
        for await (const chunk of gunzip as AsyncIterable<Buffer>) {
          signal?.throwIfAborted();
          feed(chunk);
          if (pending.length > 0) yield take();
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (signal?.aborted || code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw err;
        progress.warnings.push(`${file}: gzip stream is truncated or corrupt (${(err as Error).message}); read the data before it`);
      } finally {
        gunzip.destroy();
      }
    } else {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        feed(chunk);
        if (pending.length > 0) yield take();
      }
    }
    const tail = splitter.end();
    if (tail.present) pending.push(tail.line);
    if (pending.length > 0) yield take();
  } finally {
    input.destroy();
  }
}
