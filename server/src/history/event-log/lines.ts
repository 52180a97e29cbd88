/**
 * Streaming the text lines of an event log: file chunks → decompression → line split → UTF-8 text.
 *
 * Nothing holds a whole file: one read chunk (64 KiB) is decompressed at a time and the lines it yields
 * are handed out before the next chunk is decoded, so memory stays at one chunk's decompressed output
 * plus the current partial line, whatever the file size (the consumer pulling lines is the backpressure).
 *
 * Lines are cut on the byte `\n` before decoding; a UTF-8 multi-byte sequence never contains 0x0A, so
 * a character can never be split across chunks or lines. Invalid UTF-8 (Spark 2.x logs written in the
 * driver's default charset, spark-reference E3) decodes to U+FFFD instead of failing.
 *
 * Byte formats (spark-reference A2): zstd = concatenated RFC 8878 frames, one per flush, the last
 * possibly cut in a live or crashed log, decoded by Node's zlib ({@link decodeZstd}); lz4 = lz4-java
 * `LZ4BlockOutputStream` blocks ({@link Lz4BlockDecoder}); snappy = snappy-java `SnappyOutputStream`
 * blocks ({@link SnappyStreamDecoder}); lzf = ning `LZFOutputStream` chunks ({@link LzfChunkDecoder});
 * gzip = Databricks' rolled parts (Node's zlib). The block codecs hand back whole blocks (32 KiB by
 * default), so memory stays bounded for them too.
 *
 * Problems are sorted into two kinds (both in {@link LineProgress}): a file cut at its end (a live or
 * crashed application: everything before the cut is read) is a warning; bytes that are not a valid
 * stream of the codec (a corrupt block or frame, an lz4 checksum mismatch) are a {@link DecodeError}
 * naming the file, the compressed offset and the codec, and the rest of that file is not read: nothing
 * decoded from damaged data is ever handed out as lines.
 */

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DecodeError } from '../application-record';
import { CorruptStreamError, type BlockDecoder } from './block-stream';
import type { EventLogCodec, EventLogSource } from './discover';
import { lz4BlockChecksum, Lz4BlockDecoder } from './lz4-block-stream';
import { LzfChunkDecoder } from './lzf-chunk-stream';
import { SnappyStreamDecoder } from './snappy-stream';
import { decodeZstd, zstdUnavailable } from './zstd-frame-stream';

/** Counters the line reader updates while it runs; the caller reads them during or after reading. */
export interface LineProgress {
  /** Uncompressed bytes produced so far (line terminators included). */
  bytes: number;
  /** Files opened so far, in order. */
  files: string[];
  /** Files cut at their end (truncated zstd frame or lz4/snappy/lzf/gzip block, lz4 stream without end block), each with its file name. */
  warnings: string[];
  /** The same cuts as {@link warnings}, as records (file, compressed offset of the cut block or frame, codec). */
  cuts: DecodeError[];
  /** Corrupt data: each stopped its file (the rest of the file is not read); the next file of the source is still read. */
  decodeErrors: DecodeError[];
}

/** Creates an empty {@link LineProgress}. */
export function newLineProgress(): LineProgress {
  return { bytes: 0, files: [], warnings: [], cuts: [], decodeErrors: [] };
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
  /** Opens each file of the log (default: the local file, {@link openLocalFile}); an object store's reader passes its own. */
  openFile?: OpenFile;
}

/**
 * Opens one file of an event log as a stream of its stored (still compressed) bytes, from the start.
 * @param file the file's path as the source names it (a local path, or `s3://bucket/key` for an object store).
 * @param chunkBytes preferred read size, bytes (a network body may hand out other sizes).
 * @throws when the file cannot be opened; errors while streaming come from the stream.
 */
export type OpenFile = (file: string, chunkBytes: number) => Promise<Readable>;

/** The default {@link OpenFile}: a read stream of a local file. */
export const openLocalFile: OpenFile = async (file, chunkBytes) =>
  createReadStream(file, { highWaterMark: chunkBytes });

const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;
const NL = 0x0a;
const CR = 0x0d;

/**
 * Yields the text lines of one event log across its files in order, streaming.
 *
 * - Each file is split on its own: a last line without `\n` ends at the end of its file (as Spark's
 *   per-file `getLines()` does); `\r\n` endings lose the `\r`.
 * - A line longer than `maxLineBytes` is skipped and yielded as `null` (so line numbers stay right).
 * - zstd, lz4, snappy, lzf, gzip: a truncated last frame/block (live or crashed app) yields everything
 *   decoded before the cut, then a warning in `progress.warnings` (and a record in `progress.cuts`)
 *   naming the file and the byte offset of the cut block or frame; the partial last line is still
 *   yielded (it usually fails to parse). An lz4 file without its end block also gets a warning (lz4-java
 *   holds back up to one block until close).
 * - Corrupt data (a block or frame that does not decode, an lz4 checksum mismatch, a gzip stream that
 *   does not inflate) stops that file with a record in `progress.decodeErrors`; the lines decoded before
 *   the damaged block are yielded, nothing after it. The next file of the source is still read.
 *
 * @param source from `discoverEventLogs`.
 * @param progress updated as lines are produced (bytes, files, warnings).
 * @returns an async generator of lines without terminators (`null` = oversized line).
 * @throws the signal's reason when aborted; file-system errors (file deleted under us) as they come.
 *   Content problems never throw: they land in `progress`.
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

/**
 * The decoded bytes of one event-log file, streaming, in order (chunks of at most 64 KiB of decoded bytes
 * for zstd and gzip, one block for lz4/snappy/lzf, one read chunk uncompressed). Cuts and corrupt data are
 * recorded in `progress` as {@link eventLogLines} describes; `progress.bytes` counts the bytes yielded.
 *
 * @param file path of the file.
 * @param codec how the file is compressed (from `discoverEventLogs`).
 * @param progress receives the bytes count, warnings, cuts and decode errors.
 * @param options `signal`, `chunkBytes` and `openFile` as for {@link eventLogLines}.
 * @throws the signal's reason when aborted; file-system errors as they come.
 */
export async function* decodedFileChunks(
  file: string,
  codec: EventLogCodec,
  progress: LineProgress,
  options: Pick<LineOptions, 'signal' | 'chunkBytes' | 'openFile'> = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const signal = options.signal;
  const input = await (options.openFile ?? openLocalFile)(file, options.chunkBytes ?? 64 * 1024);
  const cut = (offset: number | null, message: string): void => {
    progress.cuts.push({ file, offset, codec, message });
    progress.warnings.push(`${file}: ${message}`);
  };
  const corrupt = (offset: number | null, message: string): void => {
    progress.decodeErrors.push({ file, offset, codec, message });
  };
  try {
    if (codec === 'zstd' && zstdUnavailable() !== null) {
      corrupt(null, `cannot decode: ${zstdUnavailable()}`);
    } else if (codec === 'zstd') {
      const decoded = decodeZstd(input as AsyncIterable<Buffer>, signal);
      try {
        for (;;) {
          const step = await decoded.next();
          if (step.done) {
            if (step.value.cutFrameStart !== null) {
              cut(
                step.value.cutFrameStart,
                `zstd stream ends inside the frame at byte ${step.value.cutFrameStart} (truncated: the application is still running or crashed); read what decoded before the cut`,
              );
            }
            break;
          }
          signal?.throwIfAborted();
          progress.bytes += step.value.length;
          yield step.value;
        }
      } catch (err) {
        if (!(err instanceof CorruptStreamError)) throw err;
        corrupt(err.offset, `corrupt zstd data: ${err.message}; the rest of this file is not read`);
      } finally {
        // A consumer that stops early leaves the generator suspended: close it so its decoder is freed now.
        await decoded.return({ frames: 0, cutFrameStart: null });
      }
    } else if (codec === 'lz4' || codec === 'snappy' || codec === 'lzf') {
      const decoder = await blockDecoderFor(codec);
      let failed = false;
      for await (const chunk of input as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        const blocks: Uint8Array[] = [];
        try {
          decoder.push(chunk, blocks);
        } catch (err) {
          if (!(err instanceof CorruptStreamError)) throw err;
          failed = true;
          corrupt(err.offset, `corrupt ${codec} data: ${err.message}; the rest of this file is not read`);
        }
        for (const b of blocks) {
          progress.bytes += b.length;
          yield b;
        }
        if (failed) break;
      }
      if (!failed) {
        const end = decoder.end();
        if (end !== null) cut(end.offset, end.message);
      }
    } else if (codec === 'gzip') {
      const gunzip = createGunzip({ chunkSize: 64 * 1024 });
      input.on('error', (err) => gunzip.destroy(err));
      input.pipe(gunzip);
      try {
        for await (const chunk of gunzip as AsyncIterable<Buffer>) {
          signal?.throwIfAborted();
          progress.bytes += chunk.length;
          yield chunk;
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Only zlib's own errors (code Z_*) are about the bytes; the input's (a file system or network failure) propagate.
        if (signal?.aborted || typeof code !== 'string' || !code.startsWith('Z_')) throw err;
        // zlib's "unexpected end of file" (Z_BUF_ERROR) is a member cut at the end of the file; any other zlib error is damage.
        if (code === 'Z_BUF_ERROR') {
          cut(null, `gzip stream is truncated (${(err as Error).message}); read the data before the cut`);
        } else {
          corrupt(
            null,
            `corrupt gzip data after about ${gunzip.bytesWritten} compressed bytes (${(err as Error).message}); the rest of this file is not read`,
          );
        }
      } finally {
        gunzip.destroy();
      }
    } else {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        progress.bytes += chunk.length;
        yield chunk;
      }
    }
  } finally {
    input.destroy();
  }
}

/** The streaming decoder of a block-container codec (lz4 waits for its checksum's WebAssembly module once). */
async function blockDecoderFor(codec: 'lz4' | 'snappy' | 'lzf'): Promise<BlockDecoder> {
  switch (codec) {
    case 'lz4':
      return new Lz4BlockDecoder(await lz4BlockChecksum());
    case 'snappy':
      return new SnappyStreamDecoder();
    case 'lzf':
      return new LzfChunkDecoder();
  }
}

async function* fileLineBatches(
  file: string,
  codec: EventLogCodec,
  progress: LineProgress,
  options: LineOptions,
): AsyncGenerator<LineBatch, void, undefined> {
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let pending: (string | null)[] = [];
  let nextLine = 1;
  // Takes the lines decoded so far as one batch (the caller yields it and suspends until asked for more).
  function take(): LineBatch {
    const batch: LineBatch = { file, firstLine: nextLine, lines: pending };
    nextLine += pending.length;
    pending = [];
    return batch;
  }
  for await (const chunk of decodedFileChunks(file, codec, progress, options)) {
    splitter.push(chunk, pending);
    if (pending.length > 0) yield take();
  }
  const tail = splitter.end();
  if (tail.present) pending.push(tail.line);
  if (pending.length > 0) yield take();
}
