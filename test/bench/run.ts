/**
 * `npm run bench`: speed of the event-log reader and of the hover path, each as a ratio against a
 * baseline run in the same process (so machine speed cancels out).
 *
 * 1. Reader: readEventLog (streaming zstd → lines → JSON.parse → fold) vs the baseline "decompress the
 *    whole file with fzstd, split lines, JSON.parse each" on the largest real fixture. Ratio > 1 means
 *    the reader is slower than bare parsing; the fold's cost is the difference.
 * 2. Analysis: SparkLanguageService.analyse of examples/nightly_etl.py against a store holding the example
 *    history (cold caches each time) vs extractSettings alone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decompress } from 'fzstd';
import { extractSettings } from '../../server/src/config/file-settings';
import { collectEventLogs } from '../../server/src/history/collect';
import { singleSource } from '../../server/src/history/event-log/discover';
import { readEventLog } from '../../server/src/history/event-log/reader';
import { SparkLanguageService } from '../../server/src/language-service';
import { HistoryStore } from '../../server/src/store/history-store';
import { EXAMPLE_HISTORY, NIGHTLY_ETL_PY, EVENT_LOG_FIXTURES } from '../helpers/fixtures';

async function time(label: string, runs: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  process.stdout.write(`${label.padEnd(58)} ${ms.toFixed(2).padStart(9)} ms/run\n`);
  return ms;
}

async function main(): Promise<void> {
  const big = path.join(EVENT_LOG_FIXTURES, 'nvidia-spark-rapids-tools', 'gpu_oom_eventlog.zstd');
  const raw = fs.readFileSync(big);
  const plainBytes = decompress(new Uint8Array(raw)).length;
  process.stdout.write(
    `reader input: ${path.basename(big)}, ${raw.length} B compressed, ${plainBytes} B of JSON lines\n`,
  );
  const base = await time('baseline: fzstd.decompress + split + JSON.parse', 3, () => {
    const text = Buffer.from(decompress(new Uint8Array(fs.readFileSync(big)))).toString('utf8');
    let n = 0;
    for (const line of text.split('\n')) if (line) n += JSON.parse(line) ? 1 : 0;
    return n;
  });
  const src = await singleSource(big);
  const reader = await time('readEventLog (streaming + fold)', 3, () => readEventLog(src));
  process.stdout.write(
    `reader / baseline = ${(reader / base).toFixed(2)}  (${(plainBytes / 1e6 / (reader / 1000)).toFixed(0)} MB/s of JSON)\n\n`,
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-bench-'));
  const store = HistoryStore.open(path.join(tmp, 'h.db'));
  await collectEventLogs(EXAMPLE_HISTORY, store);
  const file = NIGHTLY_ETL_PY;
  const text = fs.readFileSync(file, 'utf8');
  const parse = await time('baseline: extractSettings(nightly_etl.py)', 200, () => extractSettings(text, 'python'));
  const full = await time('analyse (settings + match + store + recommend), cold', 200, () =>
    new SparkLanguageService(store).analyse(`file://${file}`, text, 'python', 1),
  );
  process.stdout.write(
    `analyse / extractSettings = ${(full / parse).toFixed(2)}  (store: ${store.countApplications()} applications)\n`,
  );
  store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
