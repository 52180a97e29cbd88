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
 *
 * A block whose checksum does not match is corrupt, as for lz4-java (`LZ4BlockInputStream.refill` throws
 * "Stream is corrupted"): the file is not read past it. The check is XXH32 from `xxhash-wasm` (xxHash's C
 * code built to WebAssembly); it replaced `xxhashjs`, whose `new Buffer()` printed Node's DEP0005 warning
 * for every lz4 log read.
 */

import { decompressBlock } from 'lz4js';
import type { XXHashAPI } from 'xxhash-wasm' with { 'resolution-mode': 'import' };
import { asciiBytes, ByteQueue, CorruptStreamError, type BlockDecoder, type StreamEnd } from './block-stream';

// xxhash-wasm ships a CommonJS build (its `require` export) but types it as ES module only, so it is required here
// (esbuild bundles the CommonJS build) and typed from its own declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const xxhash = require('xxhash-wasm') as () => Promise<XXHashAPI>;

const MAGIC = asciiBytes('LZ4Block');
const HEADER_BYTES = MAGIC.length + 1 + 4 + 4 + 4;
const METHOD_RAW = 0x10;
const METHOD_LZ4 = 0x20;
const COMPRESSION_LEVEL_BASE = 10;
/** lz4-java `LZ4BlockOutputStream.MAX_BLOCK_SIZE` (32 MiB): no block decodes to more. */
const MAX_BLOCK_BYTES = 1 << 25;
/** `DEFAULT_SEED` of lz4-java's LZ4BlockOutputStream, which Spark passes explicitly. */
export const LZ4_BLOCK_CHECKSUM_SEED = 0x9747b28c;

/** The check value lz4-java stores for a block's decompressed bytes: an unsigned value below 2^28. */
export type Lz4BlockChecksum = (data: Uint8Array) => number;

let checksumReady: Promise<Lz4BlockChecksum> | null = null;

/**
 * The check lz4-java stores for a block: XXH32 (seed 0x9747b28c) of the decompressed bytes, low 28 bits.
 * Resolves once the WebAssembly module is compiled (the first call; later calls share it).
 */
export function lz4BlockChecksum(): Promise<Lz4BlockChecksum> {
  checksumReady ??= xxhash().then(
    (api) => (data: Uint8Array) => api.h32Raw(data, LZ4_BLOCK_CHECKSUM_SEED) & 0x0fffffff,
  );
  return checksumReady;
}

/** Streams the blocks of an lz4-java `LZ4BlockOutputStream` file (see the module comment). */
export class Lz4BlockDecoder implements BlockDecoder {
  private readonly queue = new ByteQueue();
  /** Whether the last thing read was an end block (or nothing was read yet: an empty file is clean). */
  private ended = true;

  /** @param checksum from {@link lz4BlockChecksum}. */
  constructor(private readonly checksum: Lz4BlockChecksum) {}

  push(chunk: Uint8Array, out: Uint8Array[]): void {
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
        if (check !== 0)
          throw new CorruptStreamError(`end block at byte ${offset} has checksum ${check}, not 0`, offset);
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
          throw new CorruptStreamError(
            `LZ4 block at byte ${offset} does not decode (${(err as Error).message})`,
            offset,
          );
        }
        if (end !== decompressedLen) {
          throw new CorruptStreamError(
            `LZ4 block at byte ${offset} decodes to ${end} bytes, its header says ${decompressedLen}`,
            offset,
          );
        }
      }
      const actual = this.checksum(data);
      if (actual !== check) {
        throw new CorruptStreamError(
          `LZ4 block at byte ${offset} fails its checksum (stored 0x${check.toString(16)}, computed 0x${actual.toString(16)} from its ${decompressedLen} decoded bytes)`,
          offset,
        );
      }
      out.push(data);
    }
  }

  end(): StreamEnd | null {
    const rest = this.queue.length;
    const offset = this.queue.consumed;
    if (rest > 0) {
      return {
        offset,
        message: `lz4 stream ends inside the block at byte ${offset} (${rest} bytes of it on disk): the application is still running or crashed; read the complete blocks before it`,
      };
    }
    if (!this.ended) {
      return {
        offset,
        message: `lz4 stream has no end block (the writer never closed it: the application is still running or crashed; lz4-java holds back up to one block of the latest events)`,
      };
    }
    return null;
  }
}
