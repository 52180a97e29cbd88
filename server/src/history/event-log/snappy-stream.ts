/**
 * Decoder of Spark's `.snappy` event logs: the xerial snappy-java `SnappyOutputStream` format (NOT
 * Google's snappy framing format, which `snzip` and Python `snappy.stream_decompress` read).
 *
 * Spark's `SnappyCompressionCodec.compressedOutputStream` writes `new SnappyOutputStream(out, blockSize)`
 * (spark-reference A2). Layout (xerial/snappy-java `SnappyCodec.java`, `SnappyOutputStream.java`,
 * `SnappyInputStream.java`):
 *
 *     header (16) = 0x82 "SNAPPY" 0x00 | version int32 BE | compatibleVersion int32 BE
 *     then blocks: compressedLen int32 BE | raw snappy block (compressedLen bytes)
 *
 * `flush()` writes the partial block, so a live log is complete up to its last flush; a SIGKILLed writer
 * can leave half a block. Streams may be concatenated: `SnappyInputStream.hasNextChunk` takes a length
 * whose four bytes are the header's first four as the start of a new header.
 */

import { uncompress } from 'snappyjs';
import { ByteQueue, CorruptStreamError, type BlockDecoder, type StreamEnd } from './block-stream';

const MAGIC = Uint8Array.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_BYTES = 16;
/** `SnappyCodec.MAGIC_HEADER_HEAD`: the header's first four bytes read as a big-endian int. */
const MAGIC_HEAD = 0x82534e41;
/** No block Spark writes comes near this (blocks are `spark.io.compression.snappy.blockSize`, 32 KiB); guards against garbage lengths. */
const MAX_BLOCK_BYTES = 1 << 30;

/** Streams the blocks of a snappy-java `SnappyOutputStream` file (see the module comment). */
export class SnappyStreamDecoder implements BlockDecoder {
  private readonly queue = new ByteQueue();
  private sawHeader = false;

  push(chunk: Uint8Array, out: Uint8Array[]): void {
    const q = this.queue;
    q.append(chunk);
    for (;;) {
      const offset = q.consumed;
      if (!this.sawHeader) {
        if (q.length < HEADER_BYTES) break;
        if (!q.startsWith(MAGIC))
          throw new CorruptStreamError(`no snappy-java stream header at byte ${offset}`, offset);
        q.skip(HEADER_BYTES);
        this.sawHeader = true;
        continue;
      }
      if (q.length < 4) break;
      const len = q.u32be(0);
      if (len === MAGIC_HEAD) {
        // A concatenated stream: a new header instead of a block length.
        this.sawHeader = false;
        continue;
      }
      if (len > MAX_BLOCK_BYTES)
        throw new CorruptStreamError(`snappy block at byte ${offset} has an impossible length ${len}`, offset);
      if (q.length < 4 + len) break;
      q.skip(4);
      if (len === 0) continue;
      const block = q.take(len);
      let data: Uint8Array;
      try {
        // snappyjs returns a Buffer for a Buffer and a Uint8Array for a Uint8Array; both are Uint8Arrays.
        data = uncompress(block);
      } catch (err) {
        throw new CorruptStreamError(
          `snappy block at byte ${offset} does not decode (${(err as Error).message})`,
          offset,
        );
      }
      out.push(data);
    }
  }

  end(): StreamEnd | null {
    const rest = this.queue.length;
    if (rest === 0) return null;
    const offset = this.queue.consumed;
    const what = this.sawHeader ? 'block' : 'stream header';
    return {
      offset,
      message: `snappy stream ends inside the ${what} at byte ${offset} (${rest} bytes of it on disk): the application is still running or crashed; read the complete blocks before it`,
    };
  }
}
