/**
 * Streaming lines out of event-log files: line endings, UTF-8 across chunk borders, multi-frame and
 * truncated zstd, gzip, unsupported codecs, cancellation.
 */

import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decompress } from 'fzstd';
import {
  eventLogLines,
  newLineProgress,
  readEventLog,
  singleSource,
  type EventLogSource,
  type LineOptions,
  type LineProgress,
} from '../server/src/history/event-log';
import { EVENT_LOG_FIXTURES } from './helpers/fixtures';

const FIXTURES = EVENT_LOG_FIXTURES;
const QUBOLE = path.join(FIXTURES, 'qubole-sparklens/local-1532512550423');
/** Made from QUBOLE: 8 zstd frames of 4 lines each (last: 2), see test/fixtures/spark/README.md. */
const QUBOLE_FRAMES = path.join(FIXTURES, 'generated/local-1532512550423.zstd');
const GPU_OOM = path.join(FIXTURES, 'nvidia-spark-rapids-tools/gpu_oom_eventlog.zstd');

async function collect(
  source: EventLogSource,
  options: LineOptions = {},
  progress: LineProgress = newLineProgress(),
): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for await (const line of eventLogLines(source, progress, options)) out.push(line);
  return out;
}

describe('event-log lines', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'event-log-lines-'));
  });
  afterEach(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('splits \\n and \\r\\n, keeps a last line without newline, never splits a UTF-8 character', async () => {
    // 2-, 3- and 4-byte UTF-8 characters; chunk sizes 1..9 bytes put chunk borders inside each of them.
    const text = '{"a":"Prüfung"}\r\n{"b":"日本語"}\n\n{"c":"😀 ok"}';
    const file = path.join(tmp, 'local-utf8');
    await fsp.writeFile(file, text, 'utf8');
    const src = await singleSource(file);
    for (let chunkBytes = 1; chunkBytes <= 9; chunkBytes++) {
      assert.deepEqual(
        await collect(src, { chunkBytes }),
        ['{"a":"Prüfung"}', '{"b":"日本語"}', '', '{"c":"😀 ok"}'],
        `chunkBytes ${chunkBytes}`,
      );
    }
    const progress = newLineProgress();
    await collect(src, {}, progress);
    assert.equal(progress.bytes, Buffer.byteLength(text, 'utf8'));
  });

  it('decodes invalid UTF-8 to U+FFFD instead of failing', async () => {
    const file = path.join(tmp, 'latin1');
    await fsp.writeFile(file, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d, 0x0a])); // {"é"} in Latin-1
    assert.deepEqual(await collect(await singleSource(file)), ['{"\uFFFD"}']);
  });

  it('reads a multi-frame (Spark-style) zstd file to the same lines as the plain file', async () => {
    const plain = await collect(await singleSource(QUBOLE));
    const zstd = await collect(await singleSource(QUBOLE_FRAMES), { chunkBytes: 1000 });
    assert.equal(plain.length, 30); // `wc -l` of the plain log
    assert.deepEqual(zstd, plain);
  });

  it('reads a zstd file cut inside a later frame up to the last complete frame, with a warning', async () => {
    // Frames 0–4 end at byte 8433 and hold 20 lines, 46,640 bytes uncompressed (README: how the file was made).
    const bytes = await fsp.readFile(QUBOLE_FRAMES);
    const file = path.join(tmp, 'local-1532512550423.zstd.inprogress');
    await fsp.writeFile(file, bytes.subarray(0, 8433 + 300));
    const progress = newLineProgress();
    const lines = await collect(await singleSource(file), {}, progress);
    assert.equal(lines.length, 20);
    assert.deepEqual(lines, (await collect(await singleSource(QUBOLE))).slice(0, 20));
    assert.equal(progress.bytes, 46640);
    assert.equal(progress.warnings.length, 1);
    assert.equal(
      progress.warnings[0],
      `${file}: zstd stream ends inside the frame at byte 8433 (truncated: the application is still running or crashed); read what decoded before the cut`,
    );
    assert.deepEqual(
      progress.cuts.map((c) => [c.offset, c.codec]),
      [[8433, 'zstd']],
    );
    assert.deepEqual(progress.decodeErrors, []);
  });

  it('reads a real zstd log cut mid-frame: every complete line, the cut line counted as malformed', async () => {
    // Independent reference: `head -c 400000 gpu_oom_eventlog.zstd | zstd -dc` writes 16,908,288 bytes
    // (129 whole 128 KiB blocks) = 13,303 complete lines + a 2,336-byte partial line, then "premature end";
    // python3 json counts 6,575 SparkListenerTaskEnd among those lines.
    const bytes = await fsp.readFile(GPU_OOM);
    const file = path.join(tmp, 'gpu_oom_eventlog.zstd');
    await fsp.writeFile(file, bytes.subarray(0, 400000));
    const { record, stats } = await readEventLog(await singleSource(file), { validateAllLines: true });
    assert.equal(stats.bytes, 16908288);
    assert.equal(stats.lines, 13304);
    assert.equal(stats.malformedLines, 1);
    assert.deepEqual(stats.malformedLineNumbers, [13304]);
    assert.ok(stats.warnings.some((w) => /truncated/.test(w)));
    assert.ok(record !== null);
    assert.equal(record.totalTasks, 6575);
    assert.equal(record.endTimeMs, null);
    assert.equal(record.completed, false);

    // The complete lines equal the start of the full log (fzstd's one-shot decoder: a different code path).
    const full = Buffer.from(decompress(new Uint8Array(bytes)))
      .toString('utf8')
      .split('\n');
    const cut = await collect(await singleSource(file));
    assert.deepEqual(cut.slice(0, 13303), full.slice(0, 13303));
    assert.ok(full[13303].startsWith(cut[13303] as string) && (cut[13303] as string).length === 2336);
  });

  it('stops a corrupt zstd file with a decode error naming the damaged frame, after the lines before it', async () => {
    // Frame 5 starts at byte 8433: its header is 6 bytes, its first block header 3. Garbling the block header is caught
    // by the frame walker; garbling compressed bytes inside the block is caught by libzstd ("Data corruption detected"
    // or a bad checksum, as the zstd CLI says for this file).
    const cases: [string, number, number, RegExp][] = [
      ['block header', 8433 + 6, 8433 + 200, /^corrupt zstd data: zstd block at byte 8439 has the reserved block type/],
      ['block content', 8433 + 40, 8433 + 200, /^corrupt zstd data: zstd frame at byte 8433 does not decode \(/],
    ];
    const plain = await collect(await singleSource(QUBOLE));
    for (const [what, from, to, message] of cases) {
      const bytes = Buffer.from(await fsp.readFile(QUBOLE_FRAMES));
      bytes.fill(0xff, from, to);
      const file = path.join(tmp, 'corrupt.zstd');
      await fsp.writeFile(file, bytes);
      for (const chunkBytes of [64 * 1024, 1000, 7]) {
        const progress = newLineProgress();
        const lines = await collect(await singleSource(file), { chunkBytes }, progress);
        // Frames 0-4 hold 20 whole lines; nothing of the garbled frame is handed out as lines of its own.
        assert.deepEqual(lines.slice(0, 20), plain.slice(0, 20), `${what}, chunkBytes ${chunkBytes}`);
        assert.ok(lines.length <= 21, `${what}: ${lines.length} lines`);
        assert.deepEqual(progress.warnings, []);
        assert.equal(progress.decodeErrors.length, 1, what);
        const [error] = progress.decodeErrors;
        assert.deepEqual([error.file, error.offset, error.codec], [file, 8433, 'zstd']);
        assert.match(error.message, message);
      }
    }
  });

  it('stops a zstd file with bytes that are no zstd frame after a good frame, with a decode error at that byte', async () => {
    const bytes = await fsp.readFile(QUBOLE_FRAMES);
    const file = path.join(tmp, 'tail-garbage.zstd');
    await fsp.writeFile(file, Buffer.concat([bytes.subarray(0, 8433), Buffer.from('not zstd at all\n')]));
    const progress = newLineProgress();
    const lines = await collect(await singleSource(file), {}, progress);
    assert.deepEqual(lines, (await collect(await singleSource(QUBOLE))).slice(0, 20));
    assert.deepEqual(
      progress.decodeErrors.map((e) => [e.offset, e.codec]),
      [[8433, 'zstd']],
    );
    assert.match(progress.decodeErrors[0].message, /no zstd frame magic at byte 8433/);
  });

  it('reads gzip (Databricks-rolled) logs', async () => {
    const src = await singleSource(
      path.join(FIXTURES, 'nvidia-spark-rapids-tools/db_sim_eventlog/eventlog-2021-06-15--15-00.gz'),
    );
    const progress = newLineProgress();
    const lines = await collect(src, {}, progress);
    assert.equal(lines.length, 5370); // `zcat … | wc -l`
    assert.equal(progress.bytes, 10480446); // `zcat … | wc -c`
  });

  it('yields an oversized line as null and goes on', async () => {
    const file = path.join(tmp, 'long');
    await fsp.writeFile(file, `{"a":1}\n{"b":"${'x'.repeat(5000)}"}\n{"c":3}`);
    assert.deepEqual(await collect(await singleSource(file), { maxLineBytes: 1000, chunkBytes: 256 }), [
      '{"a":1}',
      null,
      '{"c":3}',
    ]);
  });

  it('reports an lz4 file with a broken block header as corrupt, without throwing', async () => {
    const file = path.join(tmp, 'app-1.lz4');
    await fsp.writeFile(file, Buffer.concat([Buffer.from('LZ4Block', 'latin1'), Buffer.alloc(13)]));
    const src = await singleSource(file);
    const progress = newLineProgress();
    assert.deepEqual(await collect(src, {}, progress), []);
    assert.deepEqual(progress.warnings, []);
    assert.deepEqual(progress.decodeErrors, [
      {
        file,
        offset: 0,
        codec: 'lz4',
        message:
          'corrupt lz4 data: bad LZ4Block header at byte 0 (token 0x0, compressed 0 B, decompressed 0 B); the rest of this file is not read',
      },
    ]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const src = await singleSource(GPU_OOM);
    let n = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of eventLogLines(src, newLineProgress(), { signal: controller.signal })) {
          if (++n === 100) controller.abort();
        }
      })(),
      { name: 'AbortError' },
    );
    assert.ok(n < 25084);
    await assert.rejects(readEventLog(src, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('keeps memory bounded: a consumer that stops early leaves no work behind', async () => {
    const src = await singleSource(GPU_OOM);
    const progress = newLineProgress();
    let n = 0;
    for await (const _ of eventLogLines(src, progress)) if (++n === 10) break;
    // Only the first read chunks were decompressed (the decoder is paused past 1 MiB of waiting output), not the 35.5 MB file.
    assert.ok(progress.bytes < 4 * 1024 * 1024, `decoded ${progress.bytes} bytes for 10 lines`);
  });
});
