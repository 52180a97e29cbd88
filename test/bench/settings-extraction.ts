/**
 * `npm run bench` (settings extraction): is reading the Spark settings of a file linear in its size, and is its
 * memory bounded?
 *
 *   node build/test/bench/settings-extraction.js          (after `tsc -b`)
 *
 * Inputs are generated here (nothing committed):
 * 1. A PySpark builder chain of N `.config("spark.kN", "vN")` calls, N = 1,000, 10,000 and 100,000 (each call adds one
 *    level of nesting to the syntax tree: the shape that was quadratic). The figure is time per call; its ratio to the
 *    1,000-call run (the baseline, measured the same way) should stay near 1.
 * 2. A 5 MB PySpark file of ordinary jobs (functions with a builder chain, a SparkConf, a runtime `spark.conf.set`, a
 *    dict of options), read by extractSettings and by the whole `spark-optimizer check` path on an empty store.
 * 3. A 50 MB Databricks Jobs API JSON (42,000 jobs with a `new_cluster.spark_conf` each), the same two ways.
 *
 * Each case runs in a child process of its own so that its peak resident memory (`maxRSS`) is its own. Timing on a
 * shared machine is noisy: the load average is printed with the figures, and the linearity figures are ratios to a
 * baseline measured in the same way in the same run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extractSettings } from '../../server/src/config/file-settings';
import { main as cliMain } from '../../server/src/cli/main';

/** A builder chain of `n` `.config()` calls, one per line with backslash continuations. */
function chain(n: number): string {
  const parts = ['from pyspark.sql import SparkSession\n', 'spark = SparkSession.builder \\\n'];
  for (let i = 0; i < n; i++) parts.push(`    .config("spark.k${i}", "v${i}") \\\n`);
  parts.push('    .getOrCreate()\n');
  return parts.join('');
}

/** About `bytes` of ordinary PySpark jobs. */
function pysparkFile(bytes: number): string {
  const parts = [
    'from pyspark import SparkConf\nfrom pyspark.sql import SparkSession\nfrom pyspark.sql import functions as F\n',
  ];
  let size = parts[0].length;
  for (let i = 0; size < bytes; i++) {
    const unit = `
def job_${i}(path_${i}):
    """Job ${i}: read, aggregate, write."""
    conf_${i} = SparkConf().setAppName("job_${i}").set("spark.executor.memory", "${(i % 8) + 1}g")
    spark = (
        SparkSession.builder.appName("job_${i}")
        .config("spark.executor.cores", "${(i % 4) + 1}")
        .config("spark.sql.shuffle.partitions", "${((i % 10) + 1) * 20}")
        .config(conf=conf_${i})
        .getOrCreate()
    )
    spark.conf.set("spark.sql.adaptive.enabled", "true")
    df = spark.read.parquet(path_${i}).groupBy("customer_id").agg(F.sum("amount").alias("revenue"))
    rows = [(k, v * 2) for k, v in enumerate(range(${i % 50}))]
    options = {"compression": "snappy", "mode": "overwrite", "partitionBy": ["day", "hour"]}
    df.write.options(**options).parquet(path_${i} + "/out")
    return len(rows)
`;
    parts.push(unit);
    size += unit.length;
  }
  return parts.join('');
}

/** About `bytes` of a Databricks Jobs API listing, pretty-printed. */
function jobsJson(bytes: number): string {
  const parts = ['{"jobs": [\n'];
  let size = parts[0].length;
  for (let j = 0; size < bytes; j++) {
    const job = {
      job_id: j,
      settings: {
        name: `job_${j}`,
        tasks: [
          {
            task_key: 't',
            new_cluster: {
              spark_version: '14.3.x-scala2.12',
              node_type_id: 'i3.xlarge',
              num_workers: j % 10,
              spark_conf: {
                'spark.executor.memory': `${(j % 8) + 1}g`,
                'spark.sql.shuffle.partitions': String(j % 400),
              },
              custom_tags: { team: 'data', cost_center: String(j) },
            },
            spark_python_task: {
              python_file: `dbfs:/jobs/job_${j}.py`,
              parameters: Array.from({ length: 20 }, (_, k) => `--arg${k}=value${k}`),
            },
          },
        ],
      },
    };
    const text = (j > 0 ? ',\n' : '') + JSON.stringify(job, null, 2);
    parts.push(text);
    size += text.length;
  }
  parts.push('\n]}\n');
  return parts.join('');
}

interface CaseResult {
  /** Wall time and CPU time (user + system) of the measured call, ms. */
  ms: number;
  cpuMs: number;
  settings: number;
  bytes: number;
  maxRssMiB: number;
}

/** Runs one case in this process (the child side): generate, warm up, measure once. */
async function runCase(name: string, dir: string): Promise<CaseResult> {
  // Warm-up: load the parsers' native code and the modules with a small file of each kind.
  extractSettings(chain(10), 'python');
  extractSettings(jobsJson(2_000), 'json');
  let file: string;
  let languageId: string;
  let text: string;
  const [kind, arg] = name.split(':');
  if (kind === 'chain') {
    text = chain(Number(arg));
    languageId = 'python';
    file = path.join(dir, `chain-${arg}.py`);
  } else if (kind === 'python' || kind === 'check-python') {
    text = pysparkFile(5 * 1024 * 1024);
    languageId = 'python';
    file = path.join(dir, 'big.py');
  } else {
    text = jobsJson(50 * 1024 * 1024);
    languageId = 'json';
    file = path.join(dir, 'big.json');
  }
  let settings = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (kind.startsWith('check')) {
    fs.writeFileSync(file, text);
    await cliMain(
      ['check', '--db', path.join(dir, `${kind}.db`), file],
      () => settings++,
      () => undefined,
    );
  } else {
    for (const b of extractSettings(text, languageId).blocks) settings += b.settings.length;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    settings,
    bytes: text.length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Runs one case in a child process and reads its result. */
function child(name: string, dir: string): CaseResult {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', __filename, '--case', name, dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    throw new Error(`case ${name} failed (${r.status}): ${r.stderr || r.stdout}`);
  return JSON.parse(line) as CaseResult;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--case');
  if (at >= 0) {
    const result = await runCase(process.argv[at + 1], process.argv[at + 2]);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-bench-'));
  try {
    const load = () =>
      os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    process.stdout.write(`settings extraction (load average ${load()}, ${os.cpus().length} CPUs)\n`);
    const base = child('chain:1000', dir);
    // Per call: CPU time (less disturbed than wall time by other processes on a shared machine).
    const perCall = (r: CaseResult, n: number) => (r.cpuMs * 1000) / n;
    process.stdout.write(
      `  ${'chained .config() calls'.padEnd(24)} ${'wall'.padStart(9)} ${'cpu'.padStart(9)} ${'cpu µs/call'.padStart(12)} ${'vs 1k'.padStart(6)} ${'settings'.padStart(9)} ${'peak RSS'.padStart(9)}\n`,
    );
    for (const n of [1_000, 10_000, 100_000]) {
      const r = n === 1_000 ? base : child(`chain:${n}`, dir);
      const ratio = perCall(r, n) / perCall(base, 1_000);
      process.stdout.write(
        `  ${n.toLocaleString('en').padEnd(24)} ${`${r.ms.toFixed(0)} ms`.padStart(9)} ${`${r.cpuMs.toFixed(0)} ms`.padStart(9)} ${perCall(r, n).toFixed(1).padStart(12)} ${ratio.toFixed(2).padStart(6)} ${String(r.settings).padStart(9)} ${`${r.maxRssMiB.toFixed(0)} MiB`.padStart(9)}\n`,
      );
    }
    for (const [label, name] of [
      ['5 MB PySpark, extractSettings', 'python'],
      ['5 MB PySpark, spark-optimizer check', 'check-python'],
      ['50 MB JSON, extractSettings', 'json'],
      ['50 MB JSON, spark-optimizer check', 'check-json'],
    ]) {
      const r = child(name, dir);
      const mb = r.bytes / 1024 / 1024;
      process.stdout.write(
        `  ${label.padEnd(38)} wall ${`${r.ms.toFixed(0)} ms`.padStart(8)}, cpu ${`${r.cpuMs.toFixed(0)} ms`.padStart(8)} (${(mb / (r.cpuMs / 1000)).toFixed(1)} MB/s), ${r.settings} ${name.startsWith('check') ? 'lines out' : 'settings'}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB (${(r.maxRssMiB / mb).toFixed(1)}× the input)\n`,
      );
    }
    process.stdout.write(`  (load average after: ${load()})\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
