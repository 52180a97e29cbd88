/**
 * `collect --engine spark` against a REAL Spark Connect server (Spark 4.3.0 from the pip-installed pyspark, started here
 * on 127.0.0.1 with the event-log codecs jar of scripts/build-event-log-codecs.sh on its class path): Spark reads and
 * folds every real event log of examples/history and test/fixtures (rolling zstd folders, single lz4/lzf/snappy/zstd
 * files, `.inprogress` logs, a Databricks `eventlog` + dated `.gz` part, a Spark 1.2 folder, attempts of one
 * application, logs of Spark 1.x to 4.x from Apache Spark, NVIDIA, Kubeflow, Qubole and sparkscope), and the store it
 * fills is compared with the local reader's on the same files: the same logs found, failed and stored, and per
 * application attempt every field of the stored record (stages with their task durations, executors, jobs, task
 * failures, settings) and its malformed-line count.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { main } from '../../server/src/cli/main';
import { SparkConnectClient } from '../../server/src/connect/client';
import { SparkConnectSql } from '../../server/src/connect/spark-sql';
import { collectEventLogs } from '../../server/src/history/collect';
import { collectWithSpark, sparkQualifiedPath } from '../../server/src/history/spark-engine/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { ConnectServerProcess, sharedConnectServer } from '../helpers/connect-server-process';
import { EVENT_LOG_FIXTURES, EXAMPLE_HISTORY, SPARK_FIXTURES } from '../helpers/fixtures';
import { freePort } from '../helpers/history-server-process';
import { recordsOf } from '../helpers/object-store-fixtures';
import { eventLogCodecsJar } from '../helpers/spark-extras';

/** Malformed lines stored per attempt (applications.malformed_lines), by `appId/attemptId`. */
function malformedOf(dbFile: string): Map<string, number> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT app_id, attempt_id, malformed_lines FROM applications').all() as {
      app_id: string;
      attempt_id: string;
      malformed_lines: number;
    }[];
    return new Map(rows.map((r) => [`${r.app_id}/${r.attempt_id}`, r.malformed_lines]));
  } finally {
    db.close();
  }
}

describe('collect --engine spark (Spark reads and folds the logs; a real Spark Connect server on 127.0.0.1)', function () {
  // A JVM start and Spark jobs on a shared 2-core machine; the test's own work is a few seconds on an idle one.
  this.timeout(1_800_000);
  let tmp: string;
  let logs: string;
  let server: ConnectServerProcess;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-spark-engine-'));
    // Every real log the local reader's tests read, in one folder as an archive would hold them.
    logs = path.join(tmp, 'archive');
    fs.cpSync(EXAMPLE_HISTORY, path.join(logs, 'examples'), { recursive: true });
    fs.cpSync(EVENT_LOG_FIXTURES, path.join(logs, 'fixtures'), { recursive: true });
    fs.cpSync(path.join(SPARK_FIXTURES, 'multi-attempt'), path.join(logs, 'multi-attempt'), { recursive: true });
    // A damaged copy of a real log (lines 10–15 of qubole's local-1532512550423 overwritten, the rest intact): 6
    // malformed lines in a row make the file a `json` decode error, and the record incomplete, for both readers.
    // (Its own app id, so that it is not another copy of an application stored from the intact log.)
    const real = fs
      .readFileSync(path.join(EVENT_LOG_FIXTURES, 'qubole-sparklens', 'local-1532512550423'), 'utf8')
      .split('local-1532512550423')
      .join('local-1532512550423-damaged')
      .split('\n');
    for (let i = 9; i < 15; i++) real[i] = `#${real[i].slice(0, 40)}`;
    fs.mkdirSync(path.join(logs, 'damaged'));
    fs.writeFileSync(path.join(logs, 'damaged', 'local-1532512550423-damaged'), real.join('\n'));
    server = new ConnectServerProcess(
      await freePort(),
      crypto.randomBytes(18).toString('hex'),
      path.join(tmp, 'server'),
      {},
      { jars: [eventLogCodecsJar()], driverMemory: '2g' },
    );
    await server.start();
  });

  after(async () => {
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('gives the local reader’s records, every field of every stored attempt, for every real log', async () => {
    const localDb = path.join(tmp, 'local.db');
    const sparkDb = path.join(tmp, 'spark.db');
    const local = HistoryStore.open(localDb);
    const viaSpark = HistoryStore.open(sparkDb);
    const client = new SparkConnectClient({ url: server.url });
    try {
      const a = await collectEventLogs(logs, local);
      const b = await collectWithSpark(new SparkConnectSql(client), logs, viaSpark);
      const root = sparkQualifiedPath(logs);
      // Found in examples/ (9 rolling folders), fixtures/ and multi-attempt/: the same logs, stored or failed alike.
      assert.deepStrictEqual(
        {
          found: b.found,
          inserted: b.inserted,
          incomplete: b.incomplete,
          failed: b.failed.map((f) => `${f.path.slice(root.length)}: ${f.reason}`),
          malformed: b.malformedLines,
        },
        {
          found: a.found,
          inserted: a.inserted,
          incomplete: a.incomplete,
          failed: a.failed.map((f) => `${f.path.slice(logs.length)}: ${f.reason}`),
          malformed: a.malformedLines,
        },
      );
      assert.ok(a.inserted >= 40, `${a.inserted} attempts stored`);
      const want = recordsOf(local);
      const got = recordsOf(viaSpark);
      assert.deepStrictEqual([...got.keys()].sort(), [...want.keys()].sort());
      for (const [key, r] of want) assert.deepStrictEqual(got.get(key), r, key);
      local.close();
      viaSpark.close();
      assert.deepStrictEqual(malformedOf(sparkDb), malformedOf(localDb));

      // Figures known independently of both readers: examples/history/README.md's table, from Spark's own run
      // (app-20261121121550-0000: 20 tasks, 2 executors, 383,971,666 B spilled to disk, 2,071,184,080 B in memory;
      // app-20261121122226-0007: 2,002 tasks), and test/fixtures/spark/README.md (malformed_json_eventlog.zstd: one
      // line made invalid JSON; the Spark 1.2 folder's version from its SPARK_VERSION_1.2.0 marker file).
      const first = got.get('app-20261121121550-0000/')!;
      assert.deepStrictEqual(
        [first.totalTasks, first.maxExecutors, first.diskBytesSpilled, first.memoryBytesSpilled],
        [20, 2, 383971666, 2071184080],
      );
      assert.strictEqual(got.get('app-20261121122226-0007/')!.totalTasks, 2002);
      assert.strictEqual(malformedOf(sparkDb).get('application_1603128018386_7759/'), 1);
      assert.strictEqual(got.get('local-1422981780767/')!.sparkVersion, '1.2.0');
      // The damaged copy: its record incomplete for the same reason (6 of 30 lines, the run from line 10), one decode error.
      assert.strictEqual(b.decodeErrors.length, a.decodeErrors.length);
      assert.match(
        b.decodeErrors.map((e) => e.message).join('\n'),
        /6 of 30 lines are not JSON events \(the longest run: 6 from line 10\)/,
      );
      // Spark read the logs where they lie: every file it read came from its listing of the archive.
      assert.ok(b.readFiles > 0 && b.readFiles < b.listedFiles, `${b.readFiles} of ${b.listedFiles}`);
    } finally {
      await client.close();
    }
  });

  it('collect --engine spark --remote … --path …: exit 0, the records stored; a second run reads nothing', async () => {
    const db = path.join(tmp, 'cli.db');
    const examples = path.join(logs, 'examples');
    const run = async (): Promise<{ code: number; out: string[] }> => {
      const out: string[] = [];
      const code = await main(
        ['collect', '--engine', 'spark', '--remote', server.url, '--path', examples, '--db', db, '--format', 'json'],
        (l) => out.push(l),
        (l) => out.push(l),
      );
      return { code, out };
    };
    const first = await run();
    assert.strictEqual(first.code, 0, first.out.join('\n'));
    const one = JSON.parse(first.out.join('\n')) as {
      found: number;
      inserted: number;
      readFiles: number;
      listedFiles: number;
      storedApplications: number;
    };
    // examples/history: 9 rolling folders, each one events_ file (+ appstatus_ and its hidden .crc), README.md, manifest.json.
    assert.deepStrictEqual([one.found, one.inserted, one.readFiles, one.storedApplications], [9, 9, 9, 9]);
    const second = await run();
    assert.strictEqual(second.code, 0, second.out.join('\n'));
    const two = JSON.parse(second.out.join('\n')) as {
      found: number;
      inserted: number;
      unchanged: number;
      readFiles: number;
    };
    assert.deepStrictEqual([two.found, two.inserted, two.unchanged, two.readFiles], [9, 0, 9, 0]);
  });

  it('a Spark Connect server without the codecs jar: exit 2, saying to start it with --jars', async () => {
    const plain = await sharedConnectServer();
    const out: string[] = [];
    const code = await main(
      [
        'collect',
        '--engine',
        'spark',
        '--remote',
        plain.url,
        '--path',
        path.join(logs, 'examples'),
        '--db',
        path.join(tmp, 'nojar.db'),
      ],
      (l) => out.push(l),
      (l) => out.push(l),
    );
    assert.strictEqual(code, 2, out.join('\n'));
    assert.match(out.join('\n'), /cannot load the event-log codecs .*--jars spark-optimizer-event-log-codecs\.jar/s);
  });

  it('a path Spark cannot list: exit 2 with Spark’s reason, nothing stored', async () => {
    const out: string[] = [];
    const missing = path.join(tmp, 'no-such-archive');
    const code = await main(
      ['collect', '--engine', 'spark', '--remote', server.url, '--path', missing, '--db', path.join(tmp, 'missing.db')],
      (l) => out.push(l),
      (l) => out.push(l),
    );
    assert.strictEqual(code, 2, out.join('\n'));
    assert.match(out.join('\n'), /PATH_NOT_FOUND|does not exist/);
  });
});
