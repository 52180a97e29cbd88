/**
 * Every codec against an independent encoder on a 150 MB generated event log (issue 11): the decoded bytes must
 * equal the original byte for byte (SHA-256 computed by the Python generator while it wrote the original).
 *
 * Live and slow (Python, a JVM, ~1 GB of disk traffic; about two minutes the first time, the logs are then kept in
 * the OS temp folder): test/helpers/codec-logs.ts writes them, see test/helpers/codec-logs.py for the recipes.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { decodedFileChunks, newLineProgress } from '../../server/src/history/event-log/lines';
import { ZstdFrameWalker } from '../../server/src/history/event-log/zstd-frame-stream';
import { codecLogs, type CodecLogs } from '../helpers/codec-logs';

const TARGET_BYTES = 150_000_000;

describe('codecs on a 150 MB generated event log, against independent encoders (live)', function () {
  this.timeout(40 * 60_000);
  let logs: CodecLogs;

  before(function () {
    logs = codecLogs(TARGET_BYTES);
  });

  it('generated at least 150 MB of event-log JSON lines, compressed six ways', () => {
    assert.ok(logs.plainBytes >= TARGET_BYTES, `${logs.plainBytes} bytes`);
    assert.deepEqual(logs.files.map((f) => [f.name, f.codec]).sort(), [
      ['gzip.gz', 'gzip'],
      ['recipe.zstd', 'zstd'],
      ['spark.lz4', 'lz4'],
      ['spark.lzf', 'lzf'],
      ['spark.snappy', 'snappy'],
      ['spark.zstd', 'zstd'],
    ]);
    assert.ok(logs.flushes > 100, `${logs.flushes} flushes`);
  });

  const cases: [string, string][] = [
    [
      'recipe.zstd',
      "issue 11's recipe: python zstandard, level 3, window_log 27, one frame (fzstd 0.1.1 returned wrong bytes after ~120 MB)",
    ],
    ['spark.zstd', "Spark's ZStdCompressionCodec (zstd-jni), a frame per flush"],
    ['spark.lz4', "Spark's LZ4CompressionCodec (lz4-java LZ4BlockOutputStream, 32 KiB blocks with checksums)"],
    ['spark.snappy', "Spark's SnappyCompressionCodec (snappy-java SnappyOutputStream, 32 KiB blocks)"],
    ['spark.lzf', "Spark's LZFCompressionCodec (ning LZFOutputStream chunks)"],
    ['gzip.gz', 'python gzip, level 6 (Databricks rolls its parts as gzip)'],
  ];
  for (const [name, what] of cases) {
    it(`decodes ${name} to the original bytes: ${what}`, async () => {
      const file = logs.files.find((f) => f.name === name);
      assert.ok(file);
      const progress = newLineProgress();
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of decodedFileChunks(file.path, file.codec, progress)) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      assert.deepEqual(progress.decodeErrors, []);
      assert.deepEqual(progress.warnings, []);
      assert.equal(bytes, logs.plainBytes);
      assert.equal(progress.bytes, logs.plainBytes);
      assert.equal(hash.digest('hex'), logs.sha256);
    });
  }

  it("walks Spark's zstd file as one frame per flush (the JVM writer closes a frame on each flush)", async () => {
    const file = logs.files.find((f) => f.name === 'spark.zstd');
    assert.ok(file);
    const walker = new ZstdFrameWalker();
    for await (const chunk of createReadStream(file.path) as AsyncIterable<Buffer>) walker.split(chunk);
    assert.equal(walker.error, null);
    assert.equal(walker.cutFrameStart(), null);
    assert.equal(walker.offset, file.bytes);
    // Every flush ends a frame; close() may add one more (possibly empty) frame.
    assert.ok(
      walker.frames === logs.flushes || walker.frames === logs.flushes + 1,
      `${walker.frames} frames, ${logs.flushes} flushes`,
    );
  });
});
