/**
 * A large generated event log compressed by independent encoders (issue 11): python `zstandard` with the recipe
 * that broke fzstd, python `gzip`, and Spark's own JVM codecs (lz4, snappy, lzf, zstd) stacked as Spark's
 * EventLogFileWriter stacks them. Written by test/helpers/codec-logs.py (see its docstring for the exact recipe)
 * and kept under `<os.tmpdir()>/spark-optimizer-codec-logs/` for later runs (the manifest is written last, so a
 * half-written folder is rebuilt). Used by test/live/codecs-large.test.ts and test/bench/codecs.ts.
 *
 * Needs python3 with pyspark and zstandard (scripts/install-pyspark.sh) and Java 17+.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EventLogCodec } from '../../server/src/history/event-log/discover';
import { REPO_ROOT, EXAMPLE_HISTORY } from './fixtures';

const PYTHON = process.env.PYTHON ?? 'python3';

/** The generated log and its compressed copies. */
export interface CodecLogs {
  dir: string;
  /** plain.jsonl: the uncompressed JSON lines. */
  plainPath: string;
  plainBytes: number;
  lines: number;
  /** SHA-256 (hex) of plain.jsonl, computed by the Python generator while writing it. */
  sha256: string;
  /** Flushes of each JVM writer (= zstd frames, as Spark's zstd stream closes a frame on flush). */
  flushes: number;
  /** recipe.zstd, gzip.gz, spark.lz4, spark.snappy, spark.lzf, spark.zstd. */
  files: { name: string; path: string; codec: EventLogCodec; bytes: number }[];
}

/**
 * The logs for `targetBytes` of JSON lines (at least; the last line ends past it), generated on first use.
 * @throws Error with the generator's stderr when Python, pyspark, zstandard or Java is missing or fails.
 */
export function codecLogs(targetBytes = 150_000_000): CodecLogs {
  const dir = path.join(os.tmpdir(), 'spark-optimizer-codec-logs', `v1-${targetBytes}`);
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const r = spawnSync(
      PYTHON,
      [path.join(REPO_ROOT, 'test', 'helpers', 'codec-logs.py'), dir, String(targetBytes), EXAMPLE_HISTORY],
      {
        encoding: 'utf8',
        env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1' },
        timeout: 30 * 60_000,
        maxBuffer: 64 << 20,
      },
    );
    if (r.status !== 0 || !fs.existsSync(manifestPath)) {
      throw new Error(
        `test/helpers/codec-logs.py failed (status ${r.status}${r.error ? `, ${r.error.message}` : ''}); it needs ${PYTHON} with pyspark and zstandard ` +
          `(bash scripts/install-pyspark.sh) and Java 17+:\n${r.stderr
            .split('\n')
            .filter((l) => !/ WARN /.test(l))
            .slice(-20)
            .join('\n')}`,
      );
    }
  }
  const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    plainBytes: number;
    lines: number;
    sha256: string;
    flushes: number;
    files: Record<string, { codec: EventLogCodec; bytes: number }>;
  };
  return {
    dir,
    plainPath: path.join(dir, 'plain.jsonl'),
    plainBytes: m.plainBytes,
    lines: m.lines,
    sha256: m.sha256,
    flushes: m.flushes,
    files: Object.entries(m.files).map(([name, f]) => ({
      name,
      path: path.join(dir, name),
      codec: f.codec,
      bytes: f.bytes,
    })),
  };
}
