/**
 * Spark's own History Server (from the pip-installed pyspark) as a detached process group, for the live tests
 * and the benchmark: `scripts/start-history-server.sh` execs spark-class, which execs java, all bound to
 * 127.0.0.1. Every group started here is killed when the Node process exits or is sent SIGINT/SIGTERM (a
 * signal to mocha does not reach a detached group). `RealHistoryServer` adds waiting until the server lists the
 * applications a test expects (history-server-live, history-server-oauth2).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { killAllProcessGroups, stopProcessGroup, trackProcessGroup } from './process-groups';
import { REPO_ROOT } from './fixtures';

const START_SCRIPT = path.join(REPO_ROOT, 'scripts', 'start-history-server.sh');

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:`port` (a server started and listening). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** SIGKILLs every process group the tests started that is still running (process-groups.ts). */
export const killAll = killAllProcessGroups;

/** One History Server process group over `logDir`, listening on 127.0.0.1:`port`, output appended to `outFile`. */
export class HistoryServerProcess {
  protected proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private t0 = 0n;
  readonly url: string;

  constructor(
    readonly logDir: string,
    readonly port: number,
    private readonly home: string,
    readonly outFile: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Spawns the server and returns at once; `elapsed()` counts from here. */
  spawn(): void {
    const out = fs.openSync(this.outFile, 'a');
    this.t0 = process.hrtime.bigint();
    const proc = spawn('bash', [START_SCRIPT, this.logDir, String(this.port)], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, SPARK_HOME: this.home, ...this.env },
    });
    fs.closeSync(out);
    this.proc = proc;
    trackProcessGroup(proc);
    this.exited = new Promise((r) => proc.once('exit', () => r()));
  }

  /** ms since `spawn()`. */
  elapsed(): number {
    return Number(process.hrtime.bigint() - this.t0) / 1e6;
  }

  /** @throws Error with the server's last output when it has exited. */
  assertAlive(): void {
    if (this.proc && this.proc.exitCode !== null)
      throw new Error(`History Server exited with ${this.proc.exitCode}:\n${this.tail()}`);
  }

  /** Process id of the script (which the JVM exec'd into), or undefined before `spawn()`. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** SIGTERM to the group, SIGKILL after 15 s; waits for the exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    await stopProcessGroup(p, this.exited, 15_000);
  }

  /** The last 30 lines of the server's output. */
  tail(): string {
    try {
      return fs.readFileSync(this.outFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no output)';
    }
  }
}

/** GET a JSON body over loopback with plain node http (test side), or null on any failure. */
export function getJson(url: string): Promise<unknown> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** A History Server that the tests wait for until it lists the applications they expect. */
export class RealHistoryServer extends HistoryServerProcess {
  /** Starts the server and waits until its listing holds every id of `expectedIds`. */
  async start(expectedIds: string[], timeoutMs = 150_000): Promise<void> {
    this.spawn();
    await this.waitForListing(expectedIds, timeoutMs);
  }

  async waitForListing(
    expectedIds: string[],
    timeoutMs = 60_000,
    check: (apps: { id: string; attempts: { completed: boolean }[] }[]) => boolean = () => true,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertAlive();
      const apps = (await getJson(`${this.url}/api/v1/applications`)) as
        { id: string; attempts: { completed: boolean }[] }[] | null;
      if (apps) {
        const ids = new Set(apps.map((a) => a.id));
        if (expectedIds.every((id) => ids.has(id)) && check(apps)) return;
      }
      if (Date.now() > deadline)
        throw new Error(
          `History Server at ${this.url} did not list ${expectedIds.length} applications within ${timeoutMs} ms:\n${this.tail()}`,
        );
      await sleep(250);
    }
  }

  /** Stops the JVM and waits until nothing listens on its port any more. */
  override async stop(): Promise<void> {
    await super.stop();
    for (let i = 0; i < 40 && (await getJson(`${this.url}/api/v1/version`)) !== null; i++) await sleep(250);
  }
}
