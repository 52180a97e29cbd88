/**
 * moto's S3-compatible server (PyPI `moto[server]`, installed by scripts/install-object-store-tools.sh) as a detached process
 * group on 127.0.0.1, for the object-store tests: a real HTTP server speaking the S3 REST API (ListObjectsV2 pages,
 * ranged GetObject, If-Match), with its state in memory. Killed with the test run (process-groups.ts).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as http from 'http';
import { freePort, sleep } from './history-server-process';
import { trackProcessGroup, untrackProcessGroup } from './process-groups';

/** One moto server. */
export class MotoServer {
  private proc: ChildProcess | null = null;
  private output = '';
  /** `http://127.0.0.1:<port>` once started. */
  url = '';

  /** Starts `python3 -m moto.server` on a free port and waits (up to 60 s) until it answers HTTP. */
  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const proc = spawn(process.env.PYTHON ?? 'python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    trackProcessGroup(proc);
    const keep = (b: Buffer) => (this.output = (this.output + b.toString()).slice(-4000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`moto server exited with ${proc.exitCode}:\n${this.output}`);
      const up = await new Promise<boolean>((resolve) => {
        const req = http.get(`${this.url}/moto-api/`, (res) => {
          res.resume();
          resolve(true);
        });
        req.on('error', () => resolve(false));
        req.setTimeout(2000, () => req.destroy());
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error(`moto server did not answer on ${this.url} within 60 s:\n${this.output}`);
      await sleep(250);
    }
  }

  /** SIGTERMs the group and waits for it (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      try {
        process.kill(-(p.pid as number), 'SIGTERM');
      } catch {
        // gone
      }
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
        try {
          process.kill(-(p.pid as number), 'SIGKILL');
        } catch {
          // gone
        }
        await exited;
      }
    }
    untrackProcessGroup(p);
    this.proc = null;
  }
}
