/**
 * A collector process of the service load benchmark (test/bench/service-load.ts): stores the benchmark's SYNTHETIC
 * applications [FROM, TO) (test/helpers/synthetic-store.ts `workloadRecord`) through the one ingest pipeline
 * (history/ingest.ts `Ingest.accept`: checked, bounded, upserted) into a PostgreSQL store, CONCURRENCY at a time, and,
 * with AGAIN_FROM/AGAIN_TO, re-sends the already stored applications of that range between them (a collector reading
 * logs it has read before: each must come back `unchanged`). Prints the ingest counts as one JSON line.
 *
 *   SPARK_OPTIMIZER_SERVICE_DB_PASSWORD=... node build/test/bench/service-load-ingest.js URL FROM TO [CONCURRENCY] [AGAIN_FROM AGAIN_TO]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { collectEventLogs } from '../../server/src/history/collect';
import { Ingest } from '../../server/src/history/ingest';
import { HistoryStore } from '../../server/src/store/history-store';
import { PostgresStore } from '../../server/src/store/postgres-store';
import { EXAMPLE_HISTORY } from '../helpers/fixtures';
import { workloadRecord, workloadSource } from '../helpers/synthetic-store';
import type { ApplicationRecord } from '../../server/src/history/application-record';

/** The 9 real runs of examples/history, newest first (the bases of the synthetic copies). */
export async function realRuns(): Promise<ApplicationRecord[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-bench-real-'));
  try {
    const s = HistoryStore.open(path.join(tmp, 'real.db'));
    await collectEventLogs(EXAMPLE_HISTORY, s);
    const runs = s.allRuns();
    s.close();
    return runs;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [url, from, to, concurrency = '8', againFrom, againTo] = process.argv.slice(2);
  const real = await realRuns();
  const store = await PostgresStore.open({
    url,
    password: process.env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD,
    poolSize: Number(concurrency) + 1,
  });
  const ingest = new Ingest(store);
  const work: number[] = [];
  const fresh = Array.from({ length: Number(to) - Number(from) }, (_, k) => Number(from) + k);
  const again =
    againFrom !== undefined
      ? Array.from({ length: Number(againTo) - Number(againFrom) }, (_, k) => Number(againFrom) + k)
      : [];
  // Interleaved: one already stored, one new, ...
  for (let k = 0; k < Math.max(fresh.length, again.length); k++) {
    if (k < again.length) work.push(again[k]);
    if (k < fresh.length) work.push(fresh[k]);
  }
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const i = work[next++];
      try {
        await ingest.accept({ record: workloadRecord(real, i), stats: null }, workloadSource(i), 'event-log');
      } catch (e) {
        ingest.fail(workloadSource(i).path, (e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  const s = ingest.summary;
  process.stdout.write(
    `${JSON.stringify({ inserted: s.inserted, updated: s.updated, unchanged: s.unchanged, failed: s.failed.length, firstFailure: s.failed[0]?.reason ?? null, ms: Date.now() - started })}\n`,
  );
  await store.close();
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
