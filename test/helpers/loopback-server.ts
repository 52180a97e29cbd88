/**
 * Object-store servers the tests start on 127.0.0.1 as detached process groups, each a real server speaking its cloud's
 * REST API with its state in memory: moto's S3 server mode (PyPI `moto[server]`, installed by
 * scripts/install-object-store-tools.sh), Azurite's Blob service (npm `azurite`) and fake-gcs-server (Go). Killed with the test run
 * (process-groups.ts).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { freePort, sleep } from './history-server-process';
import { stopProcessGroup, trackProcessGroup, untrackProcessGroup } from './process-groups';
import { REPO_ROOT } from './fixtures';

const BIN = path.join(REPO_ROOT, 'node_modules', '.bin');

/** One server process group on a free port of 127.0.0.1. */
export class LoopbackServer {
  private proc: ChildProcess | null = null;
  private output = '';
  /** `http://127.0.0.1:<port>` once started. */
  url = '';

  /**
   * @param name for messages.
   * @param command the program.
   * @param args its arguments for a port.
   * @param readyPath a path that answers HTTP (any status) once the server is up.
   */
  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: (port: number) => string[],
    private readonly readyPath: string,
  ) {}

  /** Starts the server on a free port and waits (up to 60 s) until it answers HTTP. */
  async start(): Promise<void> {
    if (path.isAbsolute(this.command) && !fs.existsSync(this.command)) {
      throw new Error(
        `${this.command} is missing: run bash scripts/setup.sh (or bash scripts/install-object-store-tools.sh), which builds ${this.name}`,
      );
    }
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const proc = spawn(this.command, this.args(port), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    trackProcessGroup(proc);
    const keep = (b: Buffer) => (this.output = (this.output + b.toString()).slice(-4000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${this.name} exited with ${proc.exitCode}:\n${this.output}`);
      const up = await new Promise<boolean>((resolve) => {
        const req = http.get(`${this.url}${this.readyPath}`, (res) => {
          res.resume();
          resolve(true);
        });
        req.on('error', () => resolve(false));
        req.setTimeout(2000, () => req.destroy());
      });
      if (up) return;
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not answer on ${this.url} within 60 s:\n${this.output}`);
      await sleep(250);
    }
  }

  /** The port it listens on. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** SIGTERMs the group and waits for it (SIGKILL after 10 s). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    if (p.exitCode === null && p.signalCode === null)
      await stopProcessGroup(p, new Promise<void>((r) => p.once('exit', () => r())), 10_000);
    untrackProcessGroup(p);
    this.proc = null;
  }
}

/** moto's S3 server (`python3 -m moto.server`). */
export function motoServer(): LoopbackServer {
  return new LoopbackServer(
    'moto server',
    process.env.PYTHON ?? 'python3',
    (port) => ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    '/moto-api/',
  );
}

/**
 * Azurite's Blob service, in memory, accepting the storage SDK's newer API versions (`--skipApiVersionCheck`). Its
 * account is Azurite's built-in `devstoreaccount1` ({@link AZURITE_ACCOUNT_KEY}).
 */
export function azuriteBlobServer(): LoopbackServer {
  return new LoopbackServer(
    'azurite',
    path.join(BIN, 'azurite-blob'),
    (port) => [
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    '/devstoreaccount1?comp=list',
  );
}

/**
 * fake-gcs-server (Go module github.com/fsouza/fake-gcs-server, built into .tools/bin by
 * scripts/install-object-store-tools.sh): the GCS JSON API over plain HTTP, objects in memory.
 */
export function fakeGcsServer(): LoopbackServer {
  return new LoopbackServer(
    'fake-gcs-server',
    path.join(REPO_ROOT, '.tools', 'bin', 'fake-gcs-server'),
    (port) => [
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-backend',
      'memory',
      '-public-host',
      `127.0.0.1:${port}`,
      '-external-url',
      `http://127.0.0.1:${port}`,
      '-log-level',
      'error',
    ],
    '/storage/v1/b',
  );
}

/** Azurite's built-in development account and its published key (Azurite README, "Default storage account"): not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
