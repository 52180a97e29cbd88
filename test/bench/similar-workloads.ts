/**
 * Similar-workloads benchmark: is `SimilarWorkloadIndex.nearest` fast enough for a hover on a history of 100,000
 * applications?
 *
 *   node build/test/bench/similar-workloads.js [apps=100000] [queries=1000]     (after `tsc -b`)
 *
 * The applications are SYNTHETIC: copies of the 9 real runs in examples/history (Spark 4.3.0) with
 * their volumes (input, shuffle read/write, output, disk spill bytes; CPU and run time) multiplied by
 * log-normal factors (one shared factor e^N(0,1) per copy, times e^N(0,0.3) per field) and their task
 * counts by e^N(0,0.5), each under its own app name, so the index holds one job per copy. Stages are
 * shared with the original record (only their shuffle flags are read). The generator is seeded, so
 * runs are comparable.
 *
 * Reports: index build time (features of every record + medians + spreads + scaled Float64Array),
 * the time of one `nearest(features, 5)` over 1,000 queries (fresh synthetic copies, not in the
 * index; median and p99 of per-query wall time), next to the baseline of one `workloadFeatures` call in
 * the same process (so machine speed can be read off). It also checks the first 20 answers against a
 * full sort by `distance`.
 *
 * Last, the cost of getting the data out of a real SQLite store: the first `storeApps` (default
 * 10,000) synthetic records are upserted into a temporary file store, and `similarWorkloadIndexFromStore`
 * (the totals-only `applicationTotals` query, then fromTotals) is timed on it next to the old path (allRuns
 * of every full record, then fromRecords), since that read, not the index, is what the language service
 * pays once per collection (it caches the index); a hover then pays only `nearest` + `describeSimilarity`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApplicationRecord } from '../../server/src/history/application-record';
import { collectEventLogs } from '../../server/src/history/collect';
import {
  describeSimilarity,
  SimilarWorkloadIndex,
  similarWorkloadIndexFromStore,
  workloadFeatures,
} from '../../server/src/recommend/similar-workloads';
import { HistoryStore } from '../../server/src/store/history-store';
import { rng, syntheticRecord, syntheticSource } from '../helpers/synthetic-store';
import { EXAMPLE_HISTORY } from '../helpers/fixtures';
import { markdownTable, writeBenchSection } from './report';

/** A copy named `name` (appId synthetic-<name>) with its task count drawn too. */
function syntheticCopy(base: ApplicationRecord, name: string, u: () => number): ApplicationRecord {
  return syntheticRecord(base, u, { appId: `synthetic-${name}`, appName: name, varyTotalTasks: true });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function main(): Promise<void> {
  const apps = Number(process.argv[2] ?? 100_000);
  const queries = Number(process.argv[3] ?? 1_000);
  const storeApps = Math.min(apps, Number(process.argv[4] ?? 10_000));
  const loadStart = os.loadavg();
  const store = HistoryStore.open(':memory:');
  await collectEventLogs(EXAMPLE_HISTORY, store);
  const real = store.allRuns();
  store.close();
  if (real.length === 0) throw new Error('no runs read from examples/history');

  const u = rng(42);
  const records = Array.from({ length: apps }, (_, i) =>
    syntheticCopy(real[i % real.length], `synthetic-${real[i % real.length].appName}-${i}`, u),
  );
  const queryRecords = Array.from({ length: queries }, (_, i) => syntheticCopy(real[i % real.length], `query-${i}`, u));

  process.stdout.write(
    `SYNTHETIC data: ${apps} applications, log-normal copies of the ${real.length} real runs in examples/history; node ${process.version}\n`,
  );

  SimilarWorkloadIndex.fromRecords(records.slice(0, 1000)); // warm-up
  const builds: number[] = [];
  let index = SimilarWorkloadIndex.fromRecords([]);
  for (let i = 0; i < 3; i++) {
    const t0 = nowMs();
    index = SimilarWorkloadIndex.fromRecords(records);
    builds.push(nowMs() - t0);
  }
  builds.sort((a, b) => a - b);

  const queryFeatures = queryRecords.map(workloadFeatures);
  for (let i = 0; i < 200; i++) index.nearest(queryFeatures[i % queries], 5); // warm-up (JIT)
  const times: number[] = [];
  let sink = 0;
  for (const q of queryFeatures) {
    const t0 = nowMs();
    const near = index.nearest(q, 5);
    times.push(nowMs() - t0);
    sink += near[0].distance;
  }
  times.sort((a, b) => a - b);
  // What a hover pays with the cached index: the 3 nearest and their evidence text.
  const hoverTimes: number[] = [];
  for (const q of queryFeatures) {
    const t0 = nowMs();
    const near = index.nearest(q, 3);
    for (const n of near) sink += describeSimilarity(q, n.features, index.spreads).length;
    hoverTimes.push(nowMs() - t0);
  }
  hoverTimes.sort((a, b) => a - b);

  // Baseline: one feature vector, timed in batches of 1,000 (a single call is below the timer's resolution).
  const base: number[] = [];
  for (let b = 0; b < 200; b++) {
    const t0 = nowMs();
    for (let i = 0; i < 1000; i++) sink += workloadFeatures(queryRecords[(b * 1000 + i) % queries]).logTasks;
    base.push((nowMs() - t0) / 1000);
  }
  base.sort((a, b) => a - b);

  // Correctness: nearest equals a full sort by distance for the first 20 queries.
  let mismatches = 0;
  for (const q of queryFeatures.slice(0, 20)) {
    const fast = index.nearest(q, 5).map((n) => n.appName);
    const full = records
      .map((r) => ({ name: r.appName, d: index.distance(q, index.featuresOf(r.appName) ?? workloadFeatures(r)) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 5)
      .map((x) => x.name);
    if (fast.join() !== full.join()) mismatches++;
  }

  // Reading the records back from a real store (file, WAL), as a server would.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-similar-'));
  let storeMs: number;
  let fullMs: number;
  try {
    const file = path.join(tmp, 'history.db');
    const s = HistoryStore.open(file);
    records.slice(0, storeApps).forEach((r, i) => s.upsert(r, syntheticSource(i)));
    s.close();
    const again = HistoryStore.open(file);
    const t0 = nowMs();
    const fromStore = similarWorkloadIndexFromStore(again);
    storeMs = nowMs() - t0;
    const t1 = nowMs();
    const fromFull = SimilarWorkloadIndex.fromRecords(again.allRuns(storeApps));
    fullMs = nowMs() - t1;
    again.close();
    if (fromStore.size !== storeApps) throw new Error(`store index has ${fromStore.size} jobs, expected ${storeApps}`);
    if ([...fromFull.spreads].some((x, j) => Math.abs(x - fromStore.spreads[j]) > 1e-9))
      throw new Error('totals and full-record indexes differ');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const rows: [string, string][] = [
    [`index build (fromRecords, ${index.size} jobs), median of 3`, ms(quantile(builds, 0.5))],
    [`nearest(features, 5), median of ${queries}`, ms(quantile(times, 0.5))],
    [`nearest(features, 5), p99 of ${queries}`, ms(quantile(times, 0.99))],
    [`nearest(features, 5), max of ${queries}`, ms(times[times.length - 1])],
    [
      'baseline: workloadFeatures(record), one call (median of 200 × 1,000)',
      `${(quantile(base, 0.5) * 1000).toFixed(3)} µs`,
    ],
    ['nearest / baseline (median)', `${(quantile(times, 0.5) / quantile(base, 0.5)).toFixed(0)}×`],
    ['answers equal to a full sort (first 20 queries)', `${20 - mismatches}/20`],
    [
      `hover lookup (cached index: nearest 3 + describeSimilarity), median of ${queries}`,
      ms(quantile(hoverTimes, 0.5)),
    ],
    [`hover lookup, p99 of ${queries}`, ms(quantile(hoverTimes, 0.99))],
    ['hover lookup / baseline (median)', `${(quantile(hoverTimes, 0.5) / quantile(base, 0.5)).toFixed(0)}×`],
    [`similarWorkloadIndexFromStore on a SQLite file of ${storeApps} of them (applicationTotals + build)`, ms(storeMs)],
    [`  … per application`, `${((storeMs / storeApps) * 1000).toFixed(1)} µs`],
    [`old path: allRuns + fromRecords on the same file`, ms(fullMs)],
    ['  totals / full records', `${(storeMs / fullMs).toFixed(3)}`],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(80)} ${v.padStart(12)}\n`);
  const md = [
    `\`SimilarWorkloadIndex\` (the similar-workloads lookup of hovers) over ${apps.toLocaleString('en-US')} SYNTHETIC applications (seeded log-normal copies of the`,
    '9 real Spark 4.3.0 runs of examples/history, one workload each; test/bench/similar-workloads.ts). Baseline, in the same run: one',
    '`workloadFeatures(record)` call, so the ratios read as "lookups cost this many feature extractions".',
    '',
    markdownTable(
      ['measurement', 'value'],
      rows.map(([k, v]) => [k.trim().replace(/^… /, '… '), v]),
    ),
  ].join('\n');
  writeBenchSection(
    {
      id: 'similar-workloads',
      title: 'Similar-workloads lookup',
      order: 35,
      markdown: md,
      figures: {
        nearestP50Ms: quantile(times, 0.5),
        nearestP99Ms: quantile(times, 0.99),
        hoverLookupP50Ms: quantile(hoverTimes, 0.5),
        hoverLookupP99Ms: quantile(hoverTimes, 0.99),
        nearestRatioToBaseline: quantile(times, 0.5) / quantile(base, 0.5),
        indexFromStoreMs: storeMs,
      },
    },
    loadStart,
  );
  if (!Number.isFinite(sink) || mismatches > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
