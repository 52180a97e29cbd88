/**
 * Codec benchmark (issue 11 "Measured"): decode speed of each event-log codec, the decoder in the product
 * (`decodedFileChunks`) against the one it replaced, on the same ~150 MB generated log, as MB/s of decoded bytes and
 * the ratio new / old measured in the same process (so machine speed and load cancel out).
 *
 *   node build/test/bench/codecs.js            (after `tsc -b`; part of `npm run bench`)
 *
 * The logs come from test/helpers/codec-logs.ts (python zstandard's recipe from issue 11, python gzip, Spark's JVM
 * codecs), generated on first use and kept in the OS temp folder. Without Python/PySpark/Java it prints why it
 * skipped and exits 0.
 *
 * "Old" is the decoding path of the previous release, rebuilt here from the dev-only packages it used:
 * - zstd: fzstd 0.1.1's streaming `Decompress`, fed 16 KiB slices (it decodes the recipe file to wrong bytes; the
 *   benchmark says so from a hash of its output);
 * - lz4: the same lz4-java block decoder with the xxhashjs checksum (xxhash-wasm now);
 * - snappy, lzf: the same block decoders driven by a plain loop (the old lines.ts), vs the new generator plumbing;
 * - gzip: Node's gunzip piped with its default 16 KiB output chunks (64 KiB now).
 *
 * Writes its section of docs/benchmarks.md as build/bench/codecs.json (report.ts; render.ts writes the page).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { createGunzip } from 'zlib';
import { Decompress } from 'fzstd';
import { h32 } from 'xxhashjs';
import type { BlockDecoder } from '../../server/src/history/event-log/block-stream';
import type { EventLogCodec } from '../../server/src/history/event-log/discover';
import { decodedFileChunks, newLineProgress } from '../../server/src/history/event-log/lines';
import { LZ4_BLOCK_CHECKSUM_SEED, Lz4BlockDecoder } from '../../server/src/history/event-log/lz4-block-stream';
import { LzfChunkDecoder } from '../../server/src/history/event-log/lzf-chunk-stream';
import { SnappyStreamDecoder } from '../../server/src/history/event-log/snappy-stream';
import { codecLogs, type CodecLogs } from '../helpers/codec-logs';
import { markdownTable, writeBenchSection } from './report';

const READ_CHUNK = 64 * 1024;

/** The old lz4 checksum: xxhashjs (reads Uint8Arrays through Buffer methods, so a Buffer view). */
function xxhashjsChecksum(data: Uint8Array): number {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return h32(bytes, LZ4_BLOCK_CHECKSUM_SEED).toNumber() & 0x0fffffff;
}

/** Decodes `file` the old way, calling `sink` with each decoded chunk; resolves to the decoded byte count. */
async function oldDecode(file: string, codec: EventLogCodec, sink: (b: Uint8Array) => void): Promise<number> {
  let n = 0;
  const emit = (b: Uint8Array): void => {
    n += b.length;
    sink(b);
  };
  const input = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  if (codec === 'zstd') {
    const d = new Decompress((b) => {
      if (b.length > 0) emit(b);
    });
    for await (const chunk of input as AsyncIterable<Buffer>) {
      for (let off = 0; off < chunk.length; off += 16 * 1024) d.push(chunk.subarray(off, off + 16 * 1024), false);
    }
    d.push(new Uint8Array(0), true);
  } else if (codec === 'gzip') {
    const gunzip = createGunzip();
    input.pipe(gunzip);
    for await (const b of gunzip as AsyncIterable<Buffer>) emit(b);
  } else {
    const decoder: BlockDecoder =
      codec === 'lz4'
        ? new Lz4BlockDecoder(xxhashjsChecksum)
        : codec === 'snappy'
          ? new SnappyStreamDecoder()
          : new LzfChunkDecoder();
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const blocks: Uint8Array[] = [];
      decoder.push(chunk, blocks);
      for (const b of blocks) emit(b);
    }
  }
  return n;
}

/** Decodes `file` with the product's decoder; resolves to the decoded byte count (throws on a decode error). */
async function newDecode(file: string, codec: EventLogCodec, sink: (b: Uint8Array) => void): Promise<number> {
  const progress = newLineProgress();
  for await (const b of decodedFileChunks(file, codec, progress)) sink(b);
  if (progress.decodeErrors.length > 0) throw new Error(`${file}: ${progress.decodeErrors[0].message}`);
  return progress.bytes;
}

async function seconds(fn: () => Promise<number>, expectBytes: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const n = await fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (n !== expectBytes) throw new Error(`decoded ${n} bytes, expected ${expectBytes}`);
  return s;
}

async function sha256Of(decode: (sink: (b: Uint8Array) => void) => Promise<number>): Promise<string> {
  const h = createHash('sha256');
  await decode((b) => h.update(b));
  return h.digest('hex');
}

async function main(): Promise<void> {
  let logs: CodecLogs;
  try {
    logs = codecLogs(150_000_000);
  } catch (e) {
    process.stdout.write(`codec bench skipped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    return;
  }
  const loadStart = os.loadavg();
  const mb = logs.plainBytes / 1e6;
  const table: string[][] = [];
  const figures: Record<string, number> = {};
  process.stdout.write(`codec bench: ${mb.toFixed(1)} MB of JSON lines (${logs.lines} lines) from ${logs.dir}\n`);
  process.stdout.write(
    `load average before: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${os.cpus().length} CPUs)\n`,
  );
  process.stdout.write(
    `${'file'.padEnd(14)}${'codec'.padEnd(8)}${'old MB/s'.padStart(10)}${'new MB/s'.padStart(10)}${'new/old'.padStart(9)}\n`,
  );
  const none = (): void => undefined;
  for (const f of logs.files) {
    let oldBest = Infinity;
    let newBest = Infinity;
    for (let round = 0; round < 3; round++) {
      oldBest = Math.min(oldBest, await seconds(() => oldDecode(f.path, f.codec, none), logs.plainBytes));
      newBest = Math.min(newBest, await seconds(() => newDecode(f.path, f.codec, none), logs.plainBytes));
    }
    const oldRate = mb / oldBest;
    const newRate = mb / newBest;
    process.stdout.write(
      `${f.name.padEnd(14)}${f.codec.padEnd(8)}${oldRate.toFixed(0).padStart(10)}${newRate.toFixed(0).padStart(10)}${(newRate / oldRate).toFixed(2).padStart(9)}\n`,
    );
    const onDisk = fs.statSync(f.path).size / 1e6;
    table.push([
      f.name,
      f.codec,
      onDisk.toFixed(1),
      newRate.toFixed(0),
      oldRate.toFixed(0),
      (newRate / oldRate).toFixed(2),
    ]);
    const key = f.name.replace(/\W+(\w)/g, (_m, c: string) => c.toUpperCase());
    figures[`${key}DecodedMBPerS`] = newRate;
    figures[`${key}OldDecoderMBPerS`] = oldRate;
  }
  let recipeNote = '';
  // Correctness of both on the recipe file (not timed).
  const recipe = logs.files.find((f) => f.name === 'recipe.zstd');
  if (recipe) {
    const oldSha = await sha256Of((sink) => oldDecode(recipe.path, 'zstd', sink));
    const newSha = await sha256Of((sink) => newDecode(recipe.path, 'zstd', sink));
    recipeNote =
      `recipe.zstd (issue 11): original sha256 ${logs.sha256.slice(0, 16)}…; old (fzstd) ${oldSha === logs.sha256 ? 'equal' : `DIFFERENT (${oldSha.slice(0, 16)}…)`}; ` +
      `new (node:zlib) ${newSha === logs.sha256 ? 'equal' : `DIFFERENT (${newSha.slice(0, 16)}…)`}`;
    process.stdout.write(`${recipeNote}\n`);
  }
  const md = [
    `Decode speed of each event-log codec on the same ${mb.toFixed(1)} MB of Spark event-log JSON lines (${logs.lines.toLocaleString('en-US')} lines),`,
    "as MB/s of decoded bytes, best of 3 (test/bench/codecs.ts). The product's decoder (`decodedFileChunks`: Node's zlib for",
    'gzip and zstd, its own lz4/snappy/lzf block decoders) against the baseline of the decoder it replaced, in the same run.',
    '',
    markdownTable(['file', 'codec', 'MB on disk', 'decode MB/s', 'baseline (old decoder) MB/s', 'ratio'], table),
    '',
    ...(recipeNote ? [`Correctness: ${recipeNote}.`] : []),
  ].join('\n');
  writeBenchSection({ id: 'codecs', title: 'Event-log codecs', order: 10, markdown: md, figures }, loadStart);
  process.stdout.write(
    `load average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
