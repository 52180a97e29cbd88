/**
 * Writes a generated event-log archive for the `collect --engine spark` benchmark (test/bench/spark-engine.ts): N
 * application logs made by varying REAL logs of this repository (examples/history, written by Spark 4.3.0; and
 * test/fixtures, logs of Spark 1.x–3.x from Apache Spark, Qubole, Kubeflow and NVIDIA with the provenance in
 * test/fixtures/spark/README.md). Each generated log is one of the bases below, chosen by weight, with:
 * - its own application id (the base's id with `-g<N>` appended, everywhere in the log, in its file or folder name too);
 * - its times shifted (every epoch-ms `Timestamp`, `Submission Time`, `Completion Time`, `Launch Time`, `Finish Time`
 *   and `spark.app.startTime`/`submitTime` moved by the same offset: 1 to 400 days later, per log);
 * - its sizes varied (every byte figure: input, output, shuffle, spill, scaled by a factor from 0.5 to 2, per log);
 * - its base's layout and codec kept (Spark 4 rolling `eventlog_v2_*` folders of zstd, plain single files of Spark 1–3,
 *   single zstd files of EMR's 3.3).
 * Deterministic for a seed (a linear congruential generator), so two runs give the same archive.
 *
 *   bash scripts/generate-event-log-archive.sh [APPS] [DIR]      (after `tsc -b`)
 *
 * Generated data stays out of git (`.benchmark-data/` is ignored).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { discoverEventLogs, type EventLogSource } from '../../server/src/history/event-log/discover';
import { eventLogLines, newLineProgress } from '../../server/src/history/event-log/lines';
import { EVENT_LOG_FIXTURES, EXAMPLE_HISTORY, SPARK_FIXTURES } from '../helpers/fixtures';

/** One real log the archive varies, and how often (relative weight). */
interface Base {
  /** Path of the log (file or rolling folder). */
  source: string;
  weight: number;
}

/**
 * The bases: mostly small and medium logs, a few large ones (the examples' mix of sizes, from 5 KB to 3.4 MB of
 * JSON). Weights sum to 100.
 */
const BASES: Base[] = [
  { source: path.join(SPARK_FIXTURES, 'multi-attempt', 'apache-spark', 'local-1430917381535_1'), weight: 12 },
  { source: path.join(SPARK_FIXTURES, 'multi-attempt', 'apache-spark', 'local-1426533911241'), weight: 12 },
  { source: path.join(EVENT_LOG_FIXTURES, 'qubole-sparklens', 'local-1532512550423'), weight: 12 },
  {
    source: path.join(
      EVENT_LOG_FIXTURES,
      'kubeflow-mcp-apache-spark-history-server',
      'eventlog_v2_spark-bcec39f6201b42b9925124595baad260',
    ),
    weight: 12,
  },
  { source: path.join(EVENT_LOG_FIXTURES, 'apache-spark', 'app-20161115172038-0000'), weight: 10 },
  { source: path.join(EVENT_LOG_FIXTURES, 'apache-spark-26d03b62', 'application_1506645932520_24630151'), weight: 8 },
  { source: path.join(EVENT_LOG_FIXTURES, 'apache-spark-26d03b62', 'application_1538416563558_0014'), weight: 6 },
  {
    source: path.join(EVENT_LOG_FIXTURES, 'nvidia-spark-rapids-tools', 'multiple_attempts', 'attempt_1_eventlog.zstd'),
    weight: 4,
  },
  { source: path.join(EXAMPLE_HISTORY, 'eventlog_v2_app-20261121121550-0000'), weight: 6 },
  { source: path.join(EXAMPLE_HISTORY, 'eventlog_v2_app-20261121121652-0001'), weight: 5 },
  { source: path.join(EXAMPLE_HISTORY, 'eventlog_v2_app-20261121121748-0002'), weight: 5 },
  { source: path.join(EXAMPLE_HISTORY, 'eventlog_v2_app-20261121122321-0008'), weight: 5 },
  { source: path.join(EXAMPLE_HISTORY, 'eventlog_v2_app-20261121122041-0005'), weight: 3 },
];

/** Fields holding epoch milliseconds (JsonProtocol.scala), and the two properties Spark writes as epoch ms. */
const TIME_FIELDS =
  /"(Timestamp|Submission Time|Completion Time|Launch Time|Finish Time|Getting Result Time|spark\.app\.startTime|spark\.app\.submitTime)":("?)(\d{12,13})\2/g;
/** Byte figures of task metrics and executor metrics (JsonProtocol.scala `taskMetricsToJson`). */
const BYTE_FIELDS =
  /"(Bytes Read|Bytes Written|Shuffle Bytes Written|Remote Bytes Read|Remote Bytes Read To Disk|Local Bytes Read|Memory Bytes Spilled|Disk Bytes Spilled)":(\d+)/g;

/** The text of a base log, its app id, and its layout. */
interface LoadedBase {
  lines: string;
  appId: string;
  kind: EventLogSource['kind'];
  /** The base's single file name or folder name, where the app id is replaced. */
  name: string;
  /** The codec of its (first) file: kept in the generated log. */
  zstd: boolean;
}

async function loadBase(source: string): Promise<LoadedBase> {
  const [src] = await discoverEventLogs(source);
  if (!src) throw new Error(`${source}: no event log`);
  const lines: string[] = [];
  for await (const line of eventLogLines(src, newLineProgress())) if (line !== null) lines.push(line);
  const start = lines
    .map((l) => (l.includes('"SparkListenerApplicationStart"') ? (JSON.parse(l) as { 'App ID'?: string }) : null))
    .find((x) => x !== null);
  const appId = start?.['App ID'];
  if (!appId) throw new Error(`${source}: no App ID`);
  return {
    lines: lines.join('\n') + '\n',
    appId,
    kind: src.kind,
    name: path.basename(source),
    zstd: src.codecs[0] === 'zstd',
  };
}

/** A deterministic generator of numbers in [0, 1) (Numerical Recipes' LCG constants). */
function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** What {@link generateArchive} wrote. */
export interface ArchiveManifest {
  apps: number;
  seed: number;
  /** Logs per base (by its path relative to the repository). */
  perBase: Record<string, number>;
  /** Bytes on disk (compressed for zstd logs). */
  bytesOnDisk: number;
  /** Bytes of JSON lines, uncompressed. */
  jsonBytes: number;
}

/**
 * Writes `apps` generated logs below `dir` (in 100 sub-folders `part-NN`, as archives are split by date or cluster) and
 * `dir/manifest.json`; returns the manifest. Reuses an archive already written with the same apps and seed.
 */
export async function generateArchive(dir: string, apps: number, seed = 17): Promise<ArchiveManifest> {
  const manifestFile = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifestFile)) {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ArchiveManifest;
    if (m.apps === apps && m.seed === seed) return m;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const bases = await Promise.all(BASES.map((b) => loadBase(b.source)));
  const totalWeight = BASES.reduce((n, b) => n + b.weight, 0);
  const rnd = random(seed);
  const manifest: ArchiveManifest = { apps, seed, perBase: {}, bytesOnDisk: 0, jsonBytes: 0 };
  const root = path.resolve(__dirname, '..', '..', '..');
  for (let i = 0; i < apps; i++) {
    let pick = rnd() * totalWeight;
    let k = 0;
    while (pick >= BASES[k].weight) pick -= BASES[k++].weight;
    const base = bases[k];
    const id = `${base.appId}-g${String(i).padStart(7, '0')}`;
    const shiftMs = Math.floor((1 + rnd() * 399) * 86_400_000);
    const scale = 0.5 + rnd() * 1.5;
    const text = base.lines
      .split(base.appId)
      .join(id)
      .replace(
        TIME_FIELDS,
        (_, field: string, quote: string, ms: string) => `"${field}":${quote}${Number(ms) + shiftMs}${quote}`,
      )
      .replace(BYTE_FIELDS, (_, field: string, n: string) => `"${field}":${Math.round(Number(n) * scale)}`);
    const bytes = Buffer.from(text, 'utf8');
    const data = base.zstd ? zlib.zstdCompressSync(bytes) : bytes;
    const part = path.join(dir, `part-${String(i % 100).padStart(2, '0')}`);
    const name = base.name.split(base.appId).join(id);
    if (base.kind === 'rolling') {
      const folder = path.join(part, name.startsWith('eventlog_v2_') ? name : `eventlog_v2_${id}`);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `events_1_${id}${base.zstd ? '.zstd' : ''}`), data);
      fs.writeFileSync(path.join(folder, `appstatus_${id}`), '');
    } else {
      fs.mkdirSync(part, { recursive: true });
      // A single file: the base's name with the new id (attempt files of EMR keep their numbering; the id inside differs).
      const file = name === base.name ? `${id}${base.zstd ? '.zstd' : ''}` : name;
      fs.writeFileSync(path.join(part, file), data);
    }
    const rel = path.relative(root, BASES[k].source);
    manifest.perBase[rel] = (manifest.perBase[rel] ?? 0) + 1;
    manifest.bytesOnDisk += data.length;
    manifest.jsonBytes += bytes.length;
  }
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (require.main === module) {
  const apps = Number(process.argv[2] ?? 20_000);
  const dir = path.resolve(
    process.argv[3] ?? path.join(__dirname, '..', '..', '..', '.benchmark-data', `event-log-archive-${apps}`),
  );
  if (!Number.isInteger(apps) || apps < 1) throw new Error(`apps must be a whole number (got ${process.argv[2]})`);
  generateArchive(dir, apps).then(
    (m) => process.stdout.write(`${dir}\n${JSON.stringify(m)}\n`),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
