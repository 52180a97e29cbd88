/** The CLI's collect and check commands on the real example runs (examples/history). */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../server/src/cli/main';
import { HistoryStore } from '../server/src/store/history-store';
import { EXAMPLE_HISTORY, NIGHTLY_ETL_PY, EVENT_LOG_FIXTURES, BUILT_CLI } from './helpers/fixtures';

/** `s` as a literal inside a RegExp. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('spark-optimizer CLI', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-cli-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const code = await main(
      args,
      (s) => out.push(s),
      (s) => out.push(s),
    );
    return { code, out };
  }

  it('collects a folder, reading sub-folders only with --recursive', async () => {
    const nested = path.join(tmp, 'logs', 'team-a');
    fs.mkdirSync(nested, { recursive: true });
    for (const d of fs
      .readdirSync(EXAMPLE_HISTORY)
      .filter((d) => d.startsWith('eventlog_v2_'))
      .slice(0, 2)) {
      fs.cpSync(path.join(EXAMPLE_HISTORY, d), path.join(nested, d), { recursive: true });
    }
    const db = path.join(tmp, 'h.db');
    const flat = await run('collect', '--source', 'event-logs', '--path', path.join(tmp, 'logs'), '--db', db);
    assert.strictEqual(flat.code, 0);
    assert.match(flat.out[flat.out.length - 1], /^0 event log\(s\) in /);
    const deep = await run(
      'collect',
      '--source',
      'event-logs',
      '--path',
      path.join(tmp, 'logs'),
      '--recursive',
      '--db',
      db,
    );
    assert.strictEqual(deep.code, 0);
    assert.match(deep.out[deep.out.length - 1], /^2 event log\(s\) in .*: 2 new, 0 updated, 0 unchanged, 0 failed\./);
  });

  it("collect shows the reader's warnings of a real log cut by a killed driver, and exits 0", async () => {
    // A zstd log whose driver was SIGKILLed inside an open frame (scripts/generate-codec-samples.sh); expected.json holds
    // what Spark's own decoder read from it: its line count, the last line cut.
    const codecs = path.join(EVENT_LOG_FIXTURES, 'spark-codecs');
    const expected = JSON.parse(fs.readFileSync(path.join(codecs, 'expected.json'), 'utf8')) as {
      files: Record<string, { lines: number; unparsableLines: number; fileEnds: string }>;
    };
    const rel = Object.keys(expected.files).find((f) => f.startsWith('inprogress/') && f.endsWith('.zstd.inprogress'));
    assert.ok(rel);
    const exp = expected.files[rel];
    assert.deepStrictEqual([exp.fileEnds, exp.unparsableLines], ['inside', 1]);
    fs.mkdirSync(path.join(tmp, 'logs'));
    const file = path.join(tmp, 'logs', path.basename(rel));
    fs.copyFileSync(path.join(codecs, rel), file);
    const r = await run('collect', '--path', path.join(tmp, 'logs'), '--db', path.join(tmp, 'h.db'));
    assert.strictEqual(r.code, 0);
    const warnings = r.out.filter((l) => l.startsWith('warning '));
    assert.strictEqual(warnings.length, 2, r.out.join('\n'));
    assert.match(
      warnings[0],
      new RegExp(
        `^warning +${escape(file)}: zstd stream ends inside the frame at byte \\d+ \\(truncated: the application is still running or crashed\\)`,
      ),
    );
    assert.match(
      warnings[1],
      new RegExp(`^warning +${escape(file)}:${exp.lines}: malformed line skipped \\(invalid JSON`),
    );
    assert.match(
      r.out[r.out.length - 1],
      /^1 event log\(s\) in .*: 1 new, 0 updated, 0 unchanged, 0 failed, 1 malformed line\(s\) skipped\./,
    );
    const json = await run(
      'collect',
      '--path',
      path.join(tmp, 'logs'),
      '--db',
      path.join(tmp, 'h2.db'),
      '--format',
      'json',
    );
    const summary = JSON.parse(json.out.join('\n')) as {
      warnings: { path: string; message: string }[];
      decodeErrors: unknown[];
    };
    assert.deepStrictEqual(summary.decodeErrors, []);
    assert.deepStrictEqual(
      summary.warnings.map((w) => w.path),
      [file, file],
    );
  });

  it('collect reports a corrupt lz4 block as a decode error of its file, keeps the run as incomplete, and exits 1', async () => {
    const single = path.join(EVENT_LOG_FIXTURES, 'spark-codecs', 'single');
    const name = fs.readdirSync(single).find((f) => f.endsWith('.lz4'));
    assert.ok(name);
    const bytes = fs.readFileSync(path.join(single, name));
    // The last data block (before the end block): its checksum field (header + 17) no longer matches its data
    // (lz4-java: "Stream is corrupted"). Block layout: 21-byte header, compressed length at +9.
    const starts: number[] = [];
    for (let at = 0; at < bytes.length; at += 21 + bytes.readInt32LE(at + 9)) starts.push(at);
    const badBlock = starts[starts.length - 2];
    assert.strictEqual(bytes.toString('latin1', badBlock, badBlock + 8), 'LZ4Block');
    bytes.writeInt32LE(bytes.readInt32LE(badBlock + 17) ^ 0x1234, badBlock + 17);
    fs.mkdirSync(path.join(tmp, 'logs'));
    const file = path.join(tmp, 'logs', name);
    fs.writeFileSync(file, bytes);
    const db = path.join(tmp, 'h.db');
    const r = await run('collect', '--path', path.join(tmp, 'logs'), '--db', db);
    assert.strictEqual(r.code, 1);
    const errors = r.out.filter((l) => l.startsWith('error '));
    assert.strictEqual(errors.length, 1, r.out.join('\n'));
    assert.ok(
      errors[0]
        .replace(/^error +/, 'error ')
        .startsWith(
          `error ${file} (lz4, byte ${badBlock}): corrupt lz4 data: LZ4 block at byte ${badBlock} fails its checksum`,
        ),
      errors[0],
    );
    assert.match(r.out[r.out.length - 1], /: 1 new, 0 updated, 0 unchanged, 0 failed, 1 stored incomplete/);
    const json = await run(
      'collect',
      '--path',
      path.join(tmp, 'logs'),
      '--db',
      path.join(tmp, 'h2.db'),
      '--format',
      'json',
    );
    assert.strictEqual(json.code, 1);
    const summary = JSON.parse(json.out.join('\n')) as {
      decodeErrors: { path: string; file: string; offset: number; codec: string }[];
    };
    assert.deepStrictEqual(
      summary.decodeErrors.map((e) => [e.path, e.file, e.offset, e.codec]),
      [[file, file, badBlock, 'lz4']],
    );
    const appId = name.replace(/\.lz4$/, '');
    const store = HistoryStore.open(db);
    try {
      assert.strictEqual(store.runById(appId)?.completed, false);
    } finally {
      store.close();
    }
  });

  it('reads lz4 logs without a Node deprecation warning (no new Buffer() in the lz4 path), in the bundled CLI', async () => {
    // xxhashjs 0.2.2 called `new Buffer()`, so Node printed DEP0005 on stderr once per process that read an lz4 log.
    const codecs = path.join(EVENT_LOG_FIXTURES, 'spark-codecs');
    const expected = JSON.parse(fs.readFileSync(path.join(codecs, 'expected.json'), 'utf8')) as {
      files: Record<string, { codec: string }>;
    };
    const lz4 = Object.keys(expected.files).filter(
      (f) => expected.files[f].codec === 'lz4' && !f.startsWith('rolling/'),
    );
    assert.strictEqual(lz4.length, 2); // the finished one and the killed one
    fs.mkdirSync(path.join(tmp, 'logs'));
    for (const rel of lz4) fs.copyFileSync(path.join(codecs, rel), path.join(tmp, 'logs', path.basename(rel)));
    const r = spawnSync(
      process.execPath,
      [BUILT_CLI, 'collect', '--path', path.join(tmp, 'logs'), '--db', path.join(tmp, 'h.db')],
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 event log\(s\) in .*: 2 new, 0 updated, 0 unchanged, 0 failed/);
    assert.doesNotMatch(r.stderr, /DeprecationWarning|DEP0005/);
    assert.strictEqual(r.stderr, '');
  });

  it('check prints one line per finding, exits 1, and --format json gives the recommendation', async () => {
    const db = path.join(tmp, 'h.db');
    assert.strictEqual((await run('collect', '--path', EXAMPLE_HISTORY, '--db', db)).code, 0);
    const bad = path.join(tmp, 'job.py');
    fs.writeFileSync(
      bad,
      'spark = SparkSession.builder.appName("nightly_etl").config("spark.executor.memory", "4.5g").getOrCreate()\n',
    );
    const text = await run('check', bad, '--db', db);
    assert.strictEqual(text.code, 1);
    // Spark's message for a fractional size has a newline; the linter line has none.
    const lines = text.out.filter((l) => l.startsWith(bad));
    assert.strictEqual(
      lines[0],
      `${bad}:1:86 error spark.executor.memory=4.5g: Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m. Fractional values are not supported. Input was: 4.5`,
    );
    // No recommendation rests on a value Spark would reject: the plan takes the runs' memory and says why nothing changes.
    assert.strictEqual(lines.length, 2);
    assert.match(
      lines[1],
      new RegExp(
        `^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:9 info nightly_etl: 5 run\\(s\\), median 55 s; nothing to change \\(objective balanced\\)`,
      ),
    );
    const file = NIGHTLY_ETL_PY;
    const json = await run('check', file, '--db', db, '--format', 'json');
    assert.strictEqual(json.code, 1);
    const findings = JSON.parse(json.out.join('\n')) as {
      code: string;
      line: number;
      recommendation: { recommendedValue: string } | null;
    }[];
    assert.deepStrictEqual(
      findings.map((f) => [f.code, f.line, f.recommendation?.recommendedValue]),
      [['recommend:spark.executor.memory', 24, '2g']],
    );
  });

  it('workloads lists the runs grouped by App Name, newest first; "jobs", its former name, prints the same', async () => {
    const db = path.join(tmp, 'h.db');
    assert.strictEqual((await run('collect', '--path', EXAMPLE_HISTORY, '--db', db)).code, 0);
    const json = await run('workloads', '--db', db, '--format', 'json');
    assert.strictEqual(json.code, 0);
    // examples/history/README.md: tiny_tasks ran last (12:23), then skewed_join, then the five nightly_etl runs.
    const list = JSON.parse(json.out.join('\n')) as { appName: string; runs: number }[];
    assert.deepStrictEqual(
      list.map((w) => [w.appName, w.runs]),
      [
        ['tiny_tasks', 2],
        ['skewed_join', 2],
        ['nightly_etl', 5],
      ],
    );
    const text = await run('workloads', '--db', db);
    assert.strictEqual(text.out[text.out.length - 1], `3 workload(s), 9 application(s) in ${db}`);
    assert.deepStrictEqual((await run('jobs', '--db', db)).out, text.out);
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const r = await run('collect', '--source', 'event-logs');
    assert.strictEqual(r.code, 2);
    assert.match(r.out[0], /collect needs --path DIR/);
  });
});

describe('CLI output into a pipe whose reader goes away (built CLI)', () => {
  it('`settings big.py | head -c 1`: exit 141 (SIGPIPE convention), no EPIPE stack trace', function () {
    this.timeout(60_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-epipe-'));
    try {
      // 4,000 settings: ~300 kB of output, more than a pipe holds (64 KiB on Linux), so the CLI is still writing when
      // `head` has read its byte and gone.
      const big = path.join(tmp, 'big.py');
      const lines = ['from pyspark.sql import SparkSession', 'spark = (SparkSession.builder.appName("big")'];
      for (let i = 0; i < 4000; i++) lines.push(`    .config("spark.sql.custom.setting${i}", "${i}")`);
      fs.writeFileSync(big, [...lines, '    .getOrCreate())', ''].join('\n'));
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${BUILT_CLI}" settings "${big}" | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        ],
        { encoding: 'utf8' },
      );
      assert.strictEqual(r.stdout.trim(), '141', r.stderr);
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
