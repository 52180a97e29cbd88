/**
 * Reading every event-log format Spark writes: lz4 (lz4-java blocks), snappy (snappy-java stream),
 * lzf (ning chunks) and zstd, as single files, rolling directories and logs of a driver killed with
 * SIGKILL mid-job; Databricks' rolled gzip parts; damaged and mislabelled files.
 *
 * The samples in test/fixtures/spark/event-logs/spark-codecs/ were written by PySpark 4.3.0 through
 * scripts/generate-codec-samples.sh. The expected numbers come from its expected.json, which the same
 * script wrote by decoding each file with Spark's own `CompressionCodec` (JVM, through py4j) and
 * counting lines, `SparkListenerTaskEnd` events and spill bytes with Python's `json` — never from the
 * code under test. The Databricks numbers are `zcat … | wc -l` / `grep -c` counts (see each test).
 */

import * as assert from 'node:assert/strict';
import { promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  discoverEventLogs,
  singleSource,
  databricksParts,
  type EventLogSource,
} from '../server/src/history/event-log/discover';
import { eventLogLines, newLineProgress, type LineProgress } from '../server/src/history/event-log/lines';
import { decodeLzfBlock } from '../server/src/history/event-log/lzf-chunk-stream';
import { lz4BlockChecksum } from '../server/src/history/event-log/lz4-block-stream';
import { readEventLog } from '../server/src/history/event-log/reader';
import { EVENT_LOG_FIXTURES } from './helpers/fixtures';

// lzfjs has no types, and the server's declarations of it (codec-libraries.d.ts) are not part of its build output.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { decompress: lzfjsDecompress } = require('lzfjs') as { decompress: (data: Uint8Array) => Uint8Array };

const FIXTURES = EVENT_LOG_FIXTURES;
const SAMPLES = path.join(FIXTURES, 'spark-codecs');

/** One entry of spark-codecs/expected.json (what Spark's own decoder read from one file). */
interface Expected {
  codec: 'lz4' | 'lzf' | 'snappy' | 'zstd';
  compressedBytes: number;
  /** Lines Spark's BufferedReader returned (the last one may be a partial line of a killed log). */
  lines: number;
  /** Of those, lines Python's json could not parse (the partial last line of a killed log). */
  unparsableLines: number;
  /** UTF-8 bytes of the lines, one `\n` counted after each. */
  decodedBytes: number;
  taskEnds: number;
  stagesCompleted: number;
  jobsEnded: number;
  applicationEnd: boolean;
  appId: string | null;
  appName: string | null;
  sparkVersion: string | null;
  memoryBytesSpilled: number;
  diskBytesSpilled: number;
  /** The exception Spark's decoder threw at the end of the file, or null when it reached EOF cleanly. */
  sparkDecoderError: string | null;
  /** Where the file ends, from a Python walk of the container (blocks/frames, not decoded). */
  fileEnds: 'inside' | 'boundary' | 'end';
}

const EXPECTED: Record<string, Expected> = (
  JSON.parse(readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as { files: Record<string, Expected> }
).files;
const entries = Object.entries(EXPECTED);
const singles = entries.filter(([rel]) => rel.startsWith('single/'));
const rollings = entries.filter(([rel]) => rel.startsWith('rolling/'));
const killed = entries.filter(([rel]) => rel.startsWith('inprogress/'));

async function collectLines(
  source: EventLogSource,
  progress: LineProgress = newLineProgress(),
): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for await (const line of eventLogLines(source, progress)) out.push(line);
  return out;
}

function sampleOf(codec: string, group: [string, Expected][] = singles): [string, Expected] {
  const hit = group.find(([, e]) => e.codec === codec);
  assert.ok(hit, `no ${codec} sample in expected.json`);
  return hit;
}

describe('event-log codecs (Spark-written samples)', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'event-log-codecs-'));
  });
  afterEach(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('has a single-file sample of every codec, rolling lz4 and zstd, and a killed log of every codec', () => {
    assert.deepEqual(singles.map(([, e]) => e.codec).sort(), ['lz4', 'lzf', 'snappy', 'zstd']);
    assert.deepEqual(rollings.map(([, e]) => e.codec).sort(), ['lz4', 'zstd']);
    assert.deepEqual(killed.map(([, e]) => e.codec).sort(), ['lz4', 'lzf', 'snappy', 'zstd']);
  });

  for (const [rel, exp] of [...singles, ...rollings]) {
    it(`reads ${exp.codec} ${rel.split('/')[0]} ${path.basename(rel)} as Spark's own decoder does`, async () => {
      const file = path.join(SAMPLES, rel);
      const source = rel.startsWith('rolling/')
        ? (await discoverEventLogs(path.dirname(file)))[0]
        : await singleSource(file);
      assert.deepEqual(source.codecs, [exp.codec]);
      assert.deepEqual(source.warnings, []);
      const { record, stats } = await readEventLog(source);
      assert.deepEqual(stats.warnings, []);
      assert.equal(stats.lines, exp.lines);
      assert.equal(stats.bytes, exp.decodedBytes);
      assert.equal(stats.malformedLines, 0);
      assert.ok(record);
      assert.equal(record.appId, exp.appId);
      assert.equal(record.appName, exp.appName);
      assert.equal(record.sparkVersion, '4.3.0');
      assert.equal(record.totalTasks, exp.taskEnds);
      assert.equal(record.memoryBytesSpilled, exp.memoryBytesSpilled);
      assert.equal(record.diskBytesSpilled, exp.diskBytesSpilled);
      assert.equal(record.completed, true);
    });
  }

  it('the same job reads to the same work in every codec (its zstd sibling included)', async () => {
    // The job is deterministic: 200 tasks in 5 stages, the same spill. Expected values from expected.json.
    const [, zstd] = sampleOf('zstd');
    assert.equal(zstd.taskEnds, 200);
    assert.ok(zstd.memoryBytesSpilled > 0 && zstd.diskBytesSpilled > 0, 'the sample job spills');
    const shape = async (rel: string): Promise<unknown> => {
      const { record } = await readEventLog(await singleSource(path.join(SAMPLES, rel)));
      assert.ok(record);
      return {
        totalTasks: record.totalTasks,
        totalStages: record.totalStages,
        totalJobs: record.totalJobs,
        memoryBytesSpilled: record.memoryBytesSpilled,
        diskBytesSpilled: record.diskBytesSpilled,
        stages: record.stages.map((s) => [s.stageId, s.numTasks, s.succeededTasks]),
      };
    };
    const reference = await shape(sampleOf('zstd')[0]);
    for (const codec of ['lz4', 'lzf', 'snappy']) assert.deepEqual(await shape(sampleOf(codec)[0]), reference, codec);
  });

  for (const [rel, exp] of killed) {
    it(`reads the complete lines of a ${exp.codec} log whose driver was killed (${path.basename(rel)}), with warnings`, async () => {
      const file = path.join(SAMPLES, rel);
      // zstd was killed inside an open frame. lz4-java, snappy-java and ning LZF write each block in one
      // write(), so those files end on a block boundary (lz4: without its end block); their last line is cut.
      assert.equal(exp.fileEnds, exp.codec === 'zstd' ? 'inside' : 'boundary');
      assert.equal(exp.unparsableLines, 1, 'the generator keeps only kills that cut the last line');
      const source = await singleSource(file);
      assert.equal(source.inProgress, true);
      const { record, stats } = await readEventLog(source);
      // Every line Spark's decoder returned; the cut last one is counted as malformed, with its number.
      assert.equal(stats.lines, exp.lines);
      assert.equal(stats.malformedLines, 1);
      assert.deepEqual(stats.malformedLineNumbers, [exp.lines]);
      assert.ok(
        stats.warnings.some((w) => w.startsWith(`${file}:${exp.lines}: malformed line skipped (invalid JSON`)),
        stats.warnings.join('\n'),
      );
      assert.ok(record);
      assert.equal(record.completed, false);
      // A live log cut at its end is read as far as it goes: a warning, not a decode error.
      assert.deepEqual(stats.decodeErrors, []);
      assert.equal(record.incompleteReason, undefined);
      assert.equal(record.totalTasks, exp.taskEnds);
      assert.equal(record.appName, exp.appName);
      // zstd: the open frame; lz4: the missing end block. snappy and lzf have no end marker to miss.
      const truncation = stats.warnings.filter((w) => w.startsWith(`${file}: `) && /still running or crashed/.test(w));
      assert.equal(truncation.length, exp.codec === 'zstd' || exp.codec === 'lz4' ? 1 : 0, stats.warnings.join('\n'));
    });
  }

  it('reports an lz4 block whose checksum does not match as a decode error naming the file and the block offset', async () => {
    const [rel] = sampleOf('lz4');
    const bytes = await fsp.readFile(path.join(SAMPLES, rel));
    // Second block: header at 21 + first block's compressed length; its checksum field is at +17.
    const firstBlockBytes = bytes.readInt32LE(13);
    const second = 21 + bytes.readInt32LE(9);
    bytes.writeInt32LE(bytes.readInt32LE(second + 17) ^ 0x5a5a5, second + 17);
    const file = path.join(tmp, 'local-1.lz4');
    await fsp.writeFile(file, bytes);
    const { stats } = await readEventLog(await singleSource(file));
    assert.deepEqual(
      stats.decodeErrors.map((e) => ({
        ...e,
        message: e.message.replace(/stored 0x[0-9a-f]+, computed 0x[0-9a-f]+/, 'stored …, computed …'),
      })),
      [
        {
          file,
          offset: second,
          codec: 'lz4',
          message: `corrupt lz4 data: LZ4 block at byte ${second} fails its checksum (stored …, computed … from its ${bytes.readInt32LE(second + 13)} decoded bytes); the rest of this file is not read`,
        },
      ],
    );
    // Only the first block is used (as lz4-java, which throws "Stream is corrupted" at the bad block).
    assert.equal(stats.bytes, firstBlockBytes);
    // The first block holds no SparkListenerApplicationStart: not an application, nothing stored.
    assert.match(stats.warnings[0], /no SparkListenerApplicationStart event/);
  });

  it('computes lz4-java checksums: XXH32 seed 0x9747b28c masked to 28 bits, as stored in the sample', async () => {
    const [rel] = sampleOf('lz4');
    const bytes = await fsp.readFile(path.join(SAMPLES, rel));
    assert.equal(bytes.toString('latin1', 0, 8), 'LZ4Block');
    // The first block: its stored checksum must equal ours over the decoded first block.
    const progress = newLineProgress();
    const lines = await collectLines(await singleSource(path.join(SAMPLES, rel)), progress);
    const decoded = Buffer.from(lines.join('\n') + '\n', 'utf8');
    const first = decoded.subarray(0, bytes.readInt32LE(13));
    assert.equal((await lz4BlockChecksum())(first), bytes.readInt32LE(17));
  });

  for (const codec of ['lz4', 'snappy', 'lzf', 'zstd']) {
    it(`reads a ${codec} sample cut in the middle: complete lines, then a warning, no throw`, async () => {
      const [rel, exp] = sampleOf(codec);
      const bytes = await fsp.readFile(path.join(SAMPLES, rel));
      const file = path.join(tmp, `local-2.${codec}.inprogress`);
      await fsp.writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const full = await collectLines(await singleSource(path.join(SAMPLES, rel)));
      const progress = newLineProgress();
      const cut = await collectLines(await singleSource(file), progress);
      assert.ok(cut.length > exp.lines / 3 && cut.length < exp.lines, `${cut.length} of ${exp.lines} lines`);
      // All but the last line are whole lines of the full log, in order.
      assert.deepEqual(cut.slice(0, -1), full.slice(0, cut.length - 1));
      assert.equal(progress.warnings.length, 1, progress.warnings.join('\n'));
      assert.ok(
        progress.warnings[0].startsWith(`${file}: `) && /ends inside|truncated/.test(progress.warnings[0]),
        progress.warnings[0],
      );
    });
  }

  it('reports a damaged snappy block and a damaged lzf chunk in the middle of a Spark log as decode errors at their offsets', async () => {
    // Block starts from the container layouts (snappy-java: 16-byte header, then [length BE][block]; ning LZF: "ZV",
    // type, lengths BE): the third block/chunk of each sample is damaged in its header.
    const cases: [string, (b: Buffer) => number, RegExp][] = [
      [
        'snappy',
        (b) => {
          let at = 16;
          for (let i = 0; i < 2; i++) at += 4 + b.readUInt32BE(at);
          b.writeUInt32BE(0x7fffffff, at); // a length no snappy-java block has
          return at;
        },
        /snappy block at byte \d+ has an impossible length/,
      ],
      [
        'lzf',
        (b) => {
          let at = 0;
          for (let i = 0; i < 2; i++) at += b[at + 2] === 0 ? 5 + b.readUInt16BE(at + 3) : 7 + b.readUInt16BE(at + 3);
          b[at] = 0x58; // 'X' instead of the 'Z' of "ZV"
          return at;
        },
        /no LZF chunk header "ZV" at byte \d+/,
      ],
    ];
    for (const [codec, damage, message] of cases) {
      const [rel] = sampleOf(codec);
      const bytes = await fsp.readFile(path.join(SAMPLES, rel));
      const full = await collectLines(await singleSource(path.join(SAMPLES, rel)));
      const at = damage(bytes);
      const file = path.join(tmp, `local-7.${codec}`);
      await fsp.writeFile(file, bytes);
      const progress = newLineProgress();
      const lines = await collectLines(await singleSource(file), progress);
      assert.deepEqual(
        progress.decodeErrors.map((e) => [e.file, e.offset, e.codec]),
        [[file, at, codec]],
        codec,
      );
      assert.match(progress.decodeErrors[0].message, message);
      assert.deepEqual(progress.warnings, [], codec);
      // Two blocks' worth of lines came out, all but the cut last one whole lines of the log.
      assert.ok(lines.length > 0 && lines.length < full.length, `${codec}: ${lines.length} lines`);
      assert.deepEqual(lines.slice(0, -1), full.slice(0, lines.length - 1), codec);
    }
  });

  it('reads concatenated lz4 and snappy streams (repeated headers, lz4 end blocks in between)', async () => {
    for (const codec of ['lz4', 'snappy']) {
      const [rel, exp] = sampleOf(codec);
      const bytes = await fsp.readFile(path.join(SAMPLES, rel));
      const file = path.join(tmp, `local-3.${codec}`);
      await fsp.writeFile(file, Buffer.concat([bytes, bytes]));
      const progress = newLineProgress();
      const lines = await collectLines(await singleSource(file), progress);
      assert.equal(lines.length, 2 * exp.lines, codec);
      assert.deepEqual(progress.warnings, [], codec);
    }
  });

  it('decodes every LZF chunk of the Spark sample exactly as the lzfjs package does', async () => {
    const [rel] = sampleOf('lzf');
    const bytes = await fsp.readFile(path.join(SAMPLES, rel));
    let off = 0;
    let compressed = 0;
    while (off < bytes.length) {
      assert.equal(bytes.toString('latin1', off, off + 2), 'ZV');
      if (bytes[off + 2] === 0) {
        off += 5 + bytes.readUInt16BE(off + 3);
        continue;
      }
      const clen = bytes.readUInt16BE(off + 3);
      const ulen = bytes.readUInt16BE(off + 5);
      const block = bytes.subarray(off + 7, off + 7 + clen);
      const ours = new Uint8Array(ulen);
      assert.equal(decodeLzfBlock(block, ours), null);
      assert.deepEqual(Buffer.from(ours), Buffer.from(lzfjsDecompress(block)));
      compressed++;
      off += 7 + clen;
    }
    assert.equal(off, bytes.length);
    assert.ok(compressed > 5, `${compressed} compressed chunks`);
  });

  it('reads the finished single files to their lz4 end block / last whole block', () => {
    for (const [rel, exp] of singles) assert.equal(exp.fileEnds, exp.codec === 'lz4' ? 'end' : 'boundary', rel);
  });

  it('reads a file by its magic bytes when its name names another codec, with a warning', async () => {
    const [zstdRel, zstdExp] = sampleOf('zstd');
    const asLz4 = path.join(tmp, 'local-4.lz4');
    await fsp.copyFile(path.join(SAMPLES, zstdRel), asLz4);
    const src = await singleSource(asLz4);
    assert.deepEqual(src.codecs, ['zstd']);
    assert.deepEqual(src.warnings, [`${asLz4}: name says lz4 but the content starts like zstd; reading it as zstd`]);
    const { record, stats } = await readEventLog(src);
    assert.equal(stats.lines, zstdExp.lines);
    assert.equal(record?.totalTasks, zstdExp.taskEnds);
    assert.ok(stats.warnings.includes(src.warnings[0]));

    const plainAsSnappy = path.join(tmp, 'local-5.snappy');
    await fsp.writeFile(plainAsSnappy, '{"Event":"SparkListenerLogStart","Spark Version":"4.3.0"}\n');
    const plain = await singleSource(plainAsSnappy);
    assert.deepEqual(plain.codecs, ['none']);
    assert.deepEqual(plain.warnings, [
      `${plainAsSnappy}: name says snappy but the content is plain JSON text; reading it uncompressed`,
    ]);
  });

  it('reports a file that is no stream of its codec as corrupt instead of throwing', async () => {
    for (const codec of ['lz4', 'snappy', 'lzf']) {
      const file = path.join(tmp, `local-6.${codec}`);
      await fsp.writeFile(file, Buffer.from('garbage that is neither JSON nor a known magic\n'.repeat(20)));
      const progress = newLineProgress();
      const lines = await collectLines(await singleSource(file), progress);
      assert.deepEqual(lines, [], codec);
      assert.deepEqual(progress.warnings, [], codec);
      assert.deepEqual(
        progress.decodeErrors.map((e) => [e.file, e.offset, e.codec]),
        [[file, 0, codec]],
      );
      assert.match(
        progress.decodeErrors[0].message,
        new RegExp(`^corrupt ${codec} data: .*; the rest of this file is not read$`),
      );
    }
  });
});

describe('Databricks event-log folders (eventlog + rolled eventlog-YYYY-MM-DD--HH-MM.gz)', () => {
  // Copied byte-for-byte from NVIDIA/spark-rapids-tools core/src/test/resources/spark-events-qualification/db_sim_eventlog/.
  const DB = path.join(SAMPLES, 'databricks', 'db_sim_eventlog');

  it('orders the rolled parts by the time in their names, then the current eventlog', () => {
    const entry = (name: string) => ({ name, isFile: () => true, isSymbolicLink: () => false });
    assert.deepEqual(
      databricksParts(
        [
          'eventlog',
          'eventlog-2021-06-15--16-00.gz',
          'notes.txt',
          'eventlog-2021-06-14--23-59.gz',
          'eventlog-2021-06-15--15-00.gz',
        ].map(entry),
      ),
      ['eventlog-2021-06-14--23-59.gz', 'eventlog-2021-06-15--15-00.gz', 'eventlog-2021-06-15--16-00.gz', 'eventlog'],
    );
    assert.equal(databricksParts(['eventlog-2021-06-15--15-00.gz'].map(entry)), null); // no current part: not grouped
  });

  it('discovers the folder as one application and reads the gzip part, then eventlog', async () => {
    const sources = await discoverEventLogs(DB);
    assert.equal(sources.length, 1);
    const [src] = sources;
    assert.equal(src.kind, 'databricks');
    assert.equal(src.path, DB);
    assert.deepEqual(
      src.files.map((f) => path.basename(f)),
      ['eventlog-2021-06-15--15-00.gz', 'eventlog'],
    );
    assert.deepEqual(src.codecs, ['gzip', 'none']);
    assert.equal(src.sizeBytes, 514040 + 951074); // `stat -c %s`
    const { record, stats } = await readEventLog(src);
    assert.deepEqual(stats.warnings, []);
    assert.equal(stats.lines, 5370 + 251); // `zcat eventlog-….gz | wc -l`, `wc -l eventlog`
    assert.ok(record);
    assert.equal(record.appId, 'local-1623876083964');
    assert.equal(record.sparkVersion, '3.1.1');
    assert.equal(record.totalTasks, 2672 + 129); // `grep -c SparkListenerTaskEnd` over both parts
    assert.equal(record.completed, true); // SparkListenerApplicationEnd is in `eventlog`
  });
});
