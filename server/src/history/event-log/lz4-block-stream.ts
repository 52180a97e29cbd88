/**
 * Decoder of Spark's `.lz4` event logs: the lz4-java `LZ4BlockOutputStream` container (NOT the LZ4
 * frame format that the `lz4` CLI, Python `lz4.frame` and `lz4js.decompress` read).
 *
 * Spark's `LZ4CompressionCodec.compressedOutputStream` writes `new LZ4BlockOutputStream(out, blockSize,
 * fastCompressor, newStreamingHash32(0x9747b28c).asChecksum, syncFlush=false)` (spark-reference A2).
 * Each block, little-endian (lz4/lz4-java `LZ4BlockOutputStream.java`, `LZ4BlockInputStream.java`):
 *
 *     magic "LZ4Block" (8) | token (1) = method | (log2(blockSize) - 10) | compressedLen int32 |
 *     decompressedLen int32 | checksum int32 | payload (compressedLen bytes)
 *
 * method 0x10 = stored (payload is the data), 0x20 = a raw LZ4 block. checksum = XXH32(seed 0x9747b28c)
 * of the decompressed bytes masked to 28 bits (`StreamingXXHash32.asChecksum().getValue()` returns
 * `getValue() & 0xFFFFFFFL`). `close()` writes an end block: method stored, all three ints 0. Streams may
 * be concatenated (Spark reads with `withStopOnEmptyBlock(false)`).
 *
 * Because `syncFlush=false`, a running or crashed application's file has no end block and lags its
 * events by up to one block; a SIGKILLed writer can also leave half a block.
 */

import { decompressBlock } from 'lz4js';
import { h32 } from 'xxhashjs';
import { asciiBytes, ByteQueue, CorruptStreamError, type BlockDecoder } from './block-stream';

const MAGIC = asciiBytes('LZ4Block');
const HEADER_BYTES = MAGIC.length + 1 + 4 + 4 + 4;
const METHOD_RAW = 0x10;
const METHOD_LZ4 = 0x20;
const COMPRESSION_LEVEL_BASE = 10;
/** lz4-java `LZ4BlockOutputStream.MAX_BLOCK_SIZE` (32 MiB): no block decodes to more. */
const MAX_BLOCK_BYTES = 1 << 25;
/** `DEFAULT_SEED` of lz4-java's LZ4BlockOutputStream, which Spark passes explicitly. */
export const LZ4_BLOCK_CHECKSUM_SEED = 0x9747b28c;

/**
 * The check value lz4-java stores for `data`: XXH32 with seed 0x9747b28c, low 28 bits.
 * @returns an unsigned value below 2^28.
 */
export function lz4BlockChecksum(data: Uint8Array): number {
  // xxhashjs reads a Uint8Array through Buffer methods (`copy`), so hand it a Buffer view.
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return h32(bytes, LZ4_BLOCK_CHECKSUM_SEED).toNumber() & 0x0fffffff;
}

/** Streams the blocks of an lz4-java `LZ4BlockOutputStream` file (see the module comment). */
export class Lz4BlockDecoder implements BlockDecoder {
  private readonly queue = new ByteQueue();
  /** Whether the last thing read was an end block (or nothing was read yet: an empty file is clean). */
  private ended = true;

  push(chunk: Uint8Array, out: Uint8Array[], warn: (message: string) => void): void {
    const q = this.queue;
    q.append(chunk);
    while (q.length >= HEADER_BYTES) {
      const offset = q.consumed;
      if (!q.startsWith(MAGIC)) throw new CorruptStreamError(`no LZ4Block magic at byte ${offset}`, offset);
      const token = q.byteAt(MAGIC.length);
      const method = token & 0xf0;
      const blockSize = 1 << (COMPRESSION_LEVEL_BASE + (token & 0x0f));
      const compressedLen = q.i32le(MAGIC.length + 1);
      const decompressedLen = q.i32le(MAGIC.length + 5);
      const check = q.i32le(MAGIC.length + 9) >>> 0;
      // The checks of LZ4BlockInputStream.refill ("Stream is corrupted").
      if (
        (method !== METHOD_RAW && method !== METHOD_LZ4) ||
        decompressedLen < 0 ||
        compressedLen < 0 ||
        decompressedLen > blockSize ||
        decompressedLen > MAX_BLOCK_BYTES ||
        (decompressedLen === 0) !== (compressedLen === 0) ||
        (method === METHOD_RAW && decompressedLen !== compressedLen)
      ) {
        throw new CorruptStreamError(
          `bad LZ4Block header at byte ${offset} (token 0x${token.toString(16)}, compressed ${compressedLen} B, decompressed ${decompressedLen} B)`,
          offset,
        );
      }
      if (decompressedLen === 0) {
        if (check !== 0) throw new CorruptStreamError(`end block at byte ${offset} has checksum ${check}, not 0`, offset);
        q.skip(HEADER_BYTES);
        this.ended = true;
        continue;
      }
      if (q.length < HEADER_BYTES + compressedLen) break;
      q.skip(HEADER_BYTES);
      this.ended = false;
      const payload = q.take(compressedLen);
      let data: Uint8Array;
      if (method === METHOD_RAW) {
        data = payload.slice();
      } else {
        data = new Uint8Array(decompressedLen);
        let end: number;
        try {
          end = decompressBlock(payload, data, 0, compressedLen, 0);
        } catch (err) {
          throw new CorruptStreamError(`LZ4 block at byte ${offset} does not decode (${(err as Error).message})`, offset);
        }
        if (end !== decompressedLen) {
          throw new CorruptStreamError(`LZ4 block at byte ${offset} decodes to ${end} bytes, its header says ${decompressedLen}`, offset);
        }
      }
      const actual = lz4BlockChecksum(data);
      if (actual !== check) {
        warn(
          `LZ4 block at byte ${offset} fails its checksum (stored 0x${check.toString(16)}, computed 0x${actual.toString(16)}): its ${decompressedLen} bytes may be damaged`,
        );
      }
      out.push(data);
    }
  }

  end(): string | null {
    const rest = this.queue.length;
    if (rest > 0) {
      return `lz4 stream ends inside the block at byte ${this.queue.consumed} (${rest} bytes of it on disk): the application is still running or crashed; read the complete blocks before it`;
    }
    if (!this.ended) {
      return `lz4 stream has no end block (the writer never closed it: the application is still running or crashed; lz4-java holds back up to one block of the latest events)`;
    }
    return null;
  }
}
