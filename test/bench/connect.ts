/**
 * Spark Connect benchmark: our TypeScript client next to pyspark's own Spark Connect client (pyspark 4.3.0 with
 * its `connect` extra, scripts/install-pyspark.sh) against the SAME real Spark Connect server, started here from
 * pyspark on 127.0.0.1 with a token, in the same run.
 *
 *   node build/test/bench/connect.js        (after `tsc -b`; BENCH_CONNECT_RUNS=N changes the repetitions)
 *
 * 1. Round trip of a trivial query, `SELECT 1`: median and p90 of 30 runs after 5 warm-ups. Ours:
 *    `SparkConnectClient.executeSql`. pyspark: `spark.sql("SELECT 1").collect()`.
 * 2. Transfer of a 1,000,000-row result (`SELECT id, id * 0.5 AS x, concat('row-', id) AS s FROM range(1000000)`):
 *    wall time, rows/s and Arrow MB/s, median of 3 after one warm-up. Ours decodes every value into JS rows (what the
 *    editor shows); pyspark is timed both for `toArrow()` (columnar, no per-value conversion) and `collect()`
 *    (Row objects, the per-value equivalent of ours).
 * Ratios are ours ÷ pyspark (latency: < 1 is faster; throughput: > 1 is faster).
 *
 * Without Java or pyspark's Connect packages it prints why it skipped and exits 0. The server is stopped in a
 * `finally` (and its process group killed on exit).
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SparkConnectClient } from '../../server/src/connect/client';
import { ConnectServerProcess } from '../helpers/connect-server-process';
import { freePort } from '../helpers/history-server-process';

const PYTHON = process.env.PYTHON ?? 'python3';
const RUNS = Number(process.env.BENCH_CONNECT_RUNS ?? 3);
const LATENCY_RUNS = 30;
const BIG_SQL = "SELECT id, id * 0.5 AS x, concat('row-', id) AS s FROM range(1000000)";

const PY = String.raw`
import json, sys, time, statistics, warnings
warnings.filterwarnings("ignore")
from pyspark.sql import SparkSession
url, latency_runs, runs, big_sql = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
spark = SparkSession.builder.remote(url).getOrCreate()
for _ in range(5): spark.sql("SELECT 1").collect()
lat = []
for _ in range(latency_runs):
    t = time.perf_counter(); spark.sql("SELECT 1").collect(); lat.append((time.perf_counter() - t) * 1000)
def timed(fn):
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter(); n = fn(); out.append((time.perf_counter() - t) * 1000)
    return out, n
arrow_ms, n1 = timed(lambda: spark.sql(big_sql).toArrow().num_rows)
collect_ms, n2 = timed(lambda: len(spark.sql(big_sql).collect()))
print(json.dumps({"latencyMs": lat, "toArrowMs": arrow_ms, "collectMs": collect_ms, "rows": [n1, n2]}))
spark.stop()
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)];
}

async function main(): Promise<void> {
  const check = spawnSync(PYTHON, ['-c', 'import pyspark, grpc, pyarrow, pandas, google.rpc'], { encoding: 'utf8' });
  if (check.status !== 0 || spawnSync('java', ['-version']).status !== 0) {
    console.log(`connect bench skipped: needs Java 17+ and pyspark with its Connect packages (bash scripts/install-pyspark.sh):\n${check.stderr}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-connect-bench-'));
  const server = new ConnectServerProcess(await freePort(), crypto.randomBytes(18).toString('hex'), dir);
  const t0 = Date.now();
  await server.start();
  console.log(`Spark Connect server 4.3.0 on 127.0.0.1:${server.port} started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  try {
    // --- ours
    const client = new SparkConnectClient({ url: server.url });
    for (let i = 0; i < 5; i++) await client.executeSql('SELECT 1');
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const t = performance.now();
      await client.executeSql('SELECT 1');
      lat.push(performance.now() - t);
    }
    const big = async () => client.executeSql(BIG_SQL, { maxRows: 1_000_000, maxBytes: 2 ** 31 });
    const warm = await big();
    if (warm.rows.length !== 1_000_000 || warm.truncated) throw new Error(`expected 1,000,000 rows, got ${warm.rows.length} (${warm.truncated})`);
    const bigMs: number[] = [];
    let arrowBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await big();
      bigMs.push(performance.now() - t);
      arrowBytes = r.arrowBytes;
    }
    await client.close();
    console.log(`ours: SELECT 1 median ${median(lat).toFixed(1)} ms (p90 ${p90(lat).toFixed(1)} ms); 1,000,000 rows median ${(median(bigMs) / 1000).toFixed(2)} s (${(arrowBytes / 1e6).toFixed(1)} MB Arrow)`);

    // --- pyspark, same server
    const py = spawnSync(PYTHON, ['-c', PY, server.url, String(LATENCY_RUNS), String(RUNS), BIG_SQL], { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 1_800_000 });
    if (py.status !== 0) throw new Error(`pyspark client failed (exit ${py.status}):\n${py.stderr.split('\n').slice(-20).join('\n')}`);
    const p = JSON.parse(py.stdout.trim().split('\n').pop() as string) as { latencyMs: number[]; toArrowMs: number[]; collectMs: number[]; rows: number[] };
    if (p.rows[0] !== 1_000_000 || p.rows[1] !== 1_000_000) throw new Error(`pyspark read ${p.rows.join('/')} rows`);

    const mb = arrowBytes / 1e6;
    const line = (name: string, ms: number) => `${name.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${((1_000_000 / ms) * 1000).toFixed(0).padStart(9)} rows/s  ${((mb / ms) * 1000).toFixed(1).padStart(6)} MB/s`;
    console.log(`\n1. Round trip of SELECT 1 (${LATENCY_RUNS} runs after 5 warm-ups)`);
    console.log(`   ours (TypeScript)                median ${median(lat).toFixed(1)} ms, p90 ${p90(lat).toFixed(1)} ms`);
    console.log(`   pyspark Connect client           median ${median(p.latencyMs).toFixed(1)} ms, p90 ${p90(p.latencyMs).toFixed(1)} ms`);
    console.log(`   ratio ours/pyspark (median)      ${(median(lat) / median(p.latencyMs)).toFixed(2)} (< 1: ours faster)`);
    console.log(`\n2. 1,000,000 rows (${mb.toFixed(1)} MB of Arrow IPC; median of ${RUNS} after a warm-up)`);
    console.log('   ' + line('ours: decoded into JS rows', median(bigMs)));
    console.log('   ' + line('pyspark toArrow() (columnar)', median(p.toArrowMs)));
    console.log('   ' + line('pyspark collect() (Row objects)', median(p.collectMs)));
    console.log(`   throughput ratio ours/pyspark toArrow  ${(median(p.toArrowMs) / median(bigMs)).toFixed(2)} (> 1: ours faster)`);
    console.log(`   throughput ratio ours/pyspark collect  ${(median(p.collectMs) / median(bigMs)).toFixed(2)} (> 1: ours faster)`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
