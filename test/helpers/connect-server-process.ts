/**
 * A REAL Spark Connect server for the tests and the benchmark: Spark 4.3.0's own
 * `org.apache.spark.sql.connect.service.SparkConnectServer` (in pyspark's jars/spark-connect_2.13-4.3.0.jar)
 * started with `bin/spark-submit --class ...` from the pip-installed pyspark, as a detached process group
 * (or, with `launch.sparkHome`, another Spark: test/helpers/delta.ts starts Spark 4.2 with Delta Lake).
 *
 * - bound to 127.0.0.1 (`spark.connect.grpc.binding.address`) on a free port (`spark.connect.grpc.binding.port`),
 *   driver and block manager on 127.0.0.1 too, Spark UI off;
 * - a pre-shared token (`SPARK_CONNECT_AUTHENTICATE_TOKEN` in the environment, the variable Spark 4.3's
 *   `spark.connect.authenticate.token` falls back to; names read from `sql/connect/config/Connect.scala` as
 *   compiled into the jar), so it never shows in `ps`; the server checks `Authorization: Bearer <token>`;
 * - event logging on (`spark.eventLog.enabled`) into a temp folder, so the queries' runs can be collected.
 *
 * Delta: no Delta Lake release runs on Spark 4.3 (delta-spark 4.4.0, the newest, is built against Spark 4.2.0 and
 * fails on 4.3 with `NoSuchMethodError: LogicalRDD.<init>` when writing; tried with `--packages
 * io.delta:delta-spark_2.13:4.4.0` on 2026-11-21), so this default server has no Delta; the Delta tests start a
 * Spark 4.2 server with it (test/helpers/delta.ts).
 *
 * `sharedConnectServer()` starts one server per test run (memoised) and a root `after` hook stops it; every
 * process group started here is also SIGKILLed when Node exits.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverEventLogs } from '../../server/src/history/event-log/discover';
import { eventLogLines, newLineProgress } from '../../server/src/history/event-log/lines';
import { freePort, sleep } from './history-server-process';
import { sparkHome } from './spark-home';
import { stopProcessGroup, trackProcessGroup } from './process-groups';
import { mariadbJdbcJar } from './spark-extras';

/** What to start besides the defaults (all optional). */
export interface ConnectServerLaunch {
  /** SPARK_HOME of another Spark (default: the pip-installed pyspark, `sparkHome()`). */
  sparkHome?: string;
  /** Maven coordinates for `--packages`; resolved from `ivyDir` (spark.jars.ivy), which set-up filled beforehand. */
  packages?: string[];
  ivyDir?: string;
  /** Jars for `--jars` (e.g. a JDBC driver). */
  jars?: string[];
  /** `--driver-memory` (default 1g; the driver runs the tasks with `local[2]`). */
  driverMemory?: string;
  /** `--master` (default `local[2]`), e.g. a standalone master `spark://127.0.0.1:7077` whose executors run the tasks. */
  master?: string;
  /** Environment variables besides the token (e.g. SPARK_LOCAL_IP). */
  env?: Record<string, string>;
}

/** One Spark Connect server process group. */
export class ConnectServerProcess {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Folder of the server's event logs (spark.eventLog.dir). */
  readonly eventLogDir: string;
  /** Scratch folder for data the tests write through the server. */
  readonly dataDir: string;
  readonly outFile: string;

  /**
   * @param port TCP port on 127.0.0.1.
   * @param token the pre-shared token the server requires.
   * @param workDir a private folder for logs, event logs and data.
   * @param extraConf more `--conf key=value` settings.
   * @param launch another Spark, packages, jars.
   */
  constructor(
    readonly port: number,
    readonly token: string,
    readonly workDir: string,
    private readonly extraConf: Record<string, string> = {},
    private readonly launch: ConnectServerLaunch = {},
  ) {
    this.eventLogDir = path.join(workDir, 'event-logs');
    this.dataDir = path.join(workDir, 'data');
    this.outFile = path.join(workDir, 'server.log');
    fs.mkdirSync(this.eventLogDir, { recursive: true });
    fs.mkdirSync(this.dataDir, { recursive: true });
  }

  /** `sc://localhost:PORT/;token=...` (Spark's clients send a token in plain text only to `localhost`). */
  get url(): string {
    return `sc://localhost:${this.port}/;token=${this.token}`;
  }

  /**
   * Starts the server and waits until it logs "Spark Connect server started".
   * @throws Error with the server's last output when it exits or does not start within `timeoutMs`.
   */
  async start(timeoutMs = 540_000): Promise<void> {
    const home = this.launch.sparkHome ?? sparkHome();
    const startOffset = fs.existsSync(this.outFile) ? fs.statSync(this.outFile).size : 0;
    const out = fs.openSync(this.outFile, 'a');
    const args = [
      '--class',
      'org.apache.spark.sql.connect.service.SparkConnectServer',
      '--name',
      'Spark Connect server',
      '--master',
      this.launch.master ?? 'local[2]',
      '--driver-memory',
      this.launch.driverMemory ?? '1g',
      '--conf',
      'spark.connect.grpc.binding.address=127.0.0.1',
      '--conf',
      `spark.connect.grpc.binding.port=${this.port}`,
      '--conf',
      'spark.driver.host=127.0.0.1',
      '--conf',
      'spark.driver.bindAddress=127.0.0.1',
      '--conf',
      'spark.ui.enabled=false',
      '--conf',
      'spark.eventLog.enabled=true',
      '--conf',
      `spark.eventLog.dir=${this.eventLogDir}`,
      '--conf',
      `spark.sql.warehouse.dir=${path.join(this.workDir, 'warehouse')}`,
      // The JVM's zone is the session time zone's default and the one JDBC drivers read timestamps in: UTC everywhere.
      '--conf',
      `spark.driver.extraJavaOptions=-Dderby.system.home=${this.workDir} -Duser.timezone=UTC`,
      '--conf',
      'spark.sql.shuffle.partitions=4',
      ...Object.entries(this.extraConf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
      ...(this.launch.packages?.length ? ['--packages', this.launch.packages.join(',')] : []),
      ...(this.launch.ivyDir ? ['--conf', `spark.jars.ivy=${this.launch.ivyDir}`] : []),
      ...(this.launch.jars?.length ? ['--jars', this.launch.jars.join(',')] : []),
    ];
    const proc = spawn(path.join(home, 'bin', 'spark-submit'), args, {
      detached: true,
      cwd: this.workDir,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...this.launch.env, SPARK_HOME: home, SPARK_CONNECT_AUTHENTICATE_TOKEN: this.token },
    });
    fs.closeSync(out);
    this.proc = proc;
    trackProcessGroup(proc);
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = fs.readFileSync(this.outFile, 'utf8').slice(startOffset);
      if (text.includes('Spark Connect server started at')) return;
      if (proc.exitCode !== null) throw new Error(`Spark Connect server exited with ${proc.exitCode}:\n${this.tail()}`);
      if (Date.now() > deadline) {
        // Nobody holds a server that failed to start: stop its process group here, or it outlives the tests.
        const tail = this.tail();
        await this.stop();
        throw new Error(`Spark Connect server did not start within ${timeoutMs} ms:\n${tail}`);
      }
      await sleep(250);
    }
  }

  /** SIGTERM to the group, SIGKILL after 15 s; waits for the exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    await stopProcessGroup(p, this.exited, 15_000);
    this.proc = null;
  }

  /** The last 40 lines of the server's output. */
  tail(): string {
    try {
      return fs.readFileSync(this.outFile, 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '(no output)';
    }
  }
}

let shared: Promise<ConnectServerProcess> | null = null;

/** The one Spark Connect server of this test run (started on first use, stopped by the root `after` hook). */
export function sharedConnectServer(): Promise<ConnectServerProcess> {
  if (!shared) {
    shared = (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-connect-test-'));
      // Small result streams (1 MiB) so a larger result makes the server close the stream and the client reattach,
      // and progress every 300 ms so a short query reports it.
      // MariaDB Connector/J on the classpath for the JDBC tests (test/live/connect-mysql.test.ts).
      const server = new ConnectServerProcess(
        await freePort(),
        crypto.randomBytes(18).toString('hex'),
        dir,
        {
          'spark.connect.execute.reattachable.senderMaxStreamSize': '1m',
          'spark.connect.progress.reportInterval': '300ms',
        },
        { jars: [mariadbJdbcJar()] },
      );
      await server.start();
      return server;
    })();
  }
  return shared;
}

/** Stops the shared server if one was started. */
export async function stopSharedConnectServer(): Promise<void> {
  if (!shared) return;
  const s = shared;
  shared = null;
  try {
    await (await s).stop();
  } catch {
    // it never started; nothing to stop
  }
}

// Root hook: registered when a spec file imports this module (mocha defines `after` while loading specs).
if (typeof after === 'function') after(stopSharedConnectServer);

/**
 * The lines of each application's event log in `dir` (a server's `eventLogDir`), read with the product's own reader
 * (Spark 4 writes rolling zstd logs; a running server's log holds every listener event it flushed so far). The shared
 * server may have been restarted by another test: one array per application, so stage ids stay per log.
 */
export async function eventLogLinesByApp(dir: string): Promise<string[][]> {
  const apps: string[][] = [];
  for (const source of await discoverEventLogs(dir)) {
    const lines: string[] = [];
    for await (const line of eventLogLines(source, newLineProgress())) if (line) lines.push(line);
    apps.push(lines);
  }
  return apps;
}
