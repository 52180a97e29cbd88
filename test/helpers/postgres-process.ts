/**
 * A REAL PostgreSQL server for the store and service tests: Debian's postgresql package (scripts/install-postgresql.sh),
 * a fresh cluster made by `initdb` in a temporary folder and `postgres` started as a detached process group (registered
 * in process-groups.ts, so it dies with the test run) on 127.0.0.1 and a free port, never the system service.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root both programs run as `nobody` (uid/gid 65534), which
 * owns the temporary folder; as any other user they run as that user. The cluster's superuser is `spark_optimizer`
 * with a random password (scram-sha-256 on TCP, nothing on a Unix socket: the socket lives in the private folder), so
 * every connection the tests make authenticates with a password, as a team's server would.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acceptsConnections, freePort, sleep } from './history-server-process';
import { stopProcessGroup, trackProcessGroup } from './process-groups';

/** Where Debian's postgresql-15 package puts its programs (scripts/install-postgresql.sh installs it). */
export function postgresBinary(name: 'initdb' | 'postgres' | 'psql'): string {
  const found = [
    '/usr/lib/postgresql/15/bin',
    ...fs
      .readdirSync('/usr/lib/postgresql', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join('/usr/lib/postgresql', d.name, 'bin'))
      .sort()
      .reverse(),
  ]
    .map((dir) => path.join(dir, name))
    .find((p) => fs.existsSync(p));
  if (!found)
    throw new Error(
      `${name} is missing: run bash scripts/setup.sh (or bash scripts/install-postgresql.sh), which installs Debian's postgresql package`,
    );
  return found;
}

/** The user the server runs as: nobody when we are root (PostgreSQL refuses root), else ourselves. */
function serverUser(): { uid: number; gid: number } | null {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;
}

/** One PostgreSQL server process group with its own cluster. */
export class PostgresProcess {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** The cluster's superuser, that the tests log in as. */
  readonly user = 'spark_optimizer';
  /** Its password (random per server; the tests pass it through the environment or a file, never in a URL). */
  readonly password = crypto.randomBytes(18).toString('base64url');
  /** The database the tests use (made by initdb: `postgres`). */
  readonly database = 'postgres';
  readonly workDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  port = 0;

  constructor() {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-pg-'));
    this.dataDir = path.join(this.workDir, 'data');
    this.logFile = path.join(this.workDir, 'postgres.log');
  }

  /** `postgres://spark_optimizer@127.0.0.1:PORT/postgres`: the URL without the password. */
  get url(): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/${this.database}`;
  }

  /**
   * Makes the cluster (initdb) and starts the server on a free loopback port; resolves when it accepts connections.
   * @param settings extra `-c name=value` server settings (e.g. `max_connections`).
   * @throws Error with the server's log when it exits or does not start within `timeoutMs`.
   */
  async start(settings: Record<string, string> = {}, timeoutMs = 120_000): Promise<void> {
    const owner = serverUser();
    if (owner) fs.chownSync(this.workDir, owner.uid, owner.gid);
    const pwfile = path.join(this.workDir, 'pwfile');
    fs.writeFileSync(pwfile, `${this.password}\n`, { mode: 0o600 });
    if (owner) fs.chownSync(pwfile, owner.uid, owner.gid);
    const spawnAs = owner ? { uid: owner.uid, gid: owner.gid } : {};
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: this.workDir };
    const init = spawnSync(
      postgresBinary('initdb'),
      [
        '-D',
        this.dataDir,
        '-U',
        this.user,
        `--pwfile=${pwfile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ],
      { encoding: 'utf8', timeout: 300_000, cwd: this.workDir, env, ...spawnAs },
    );
    fs.rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}):\n${init.stdout}\n${init.stderr}`);
    this.port = await freePort();
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${this.workDir}`,
      '-c',
      `logging_collector=off`,
    ];
    for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
    const log = fs.openSync(this.logFile, 'a');
    if (owner) fs.fchownSync(log, owner.uid, owner.gid);
    const proc = spawn(postgresBinary('postgres'), args, {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: this.workDir,
      env,
      ...spawnAs,
    });
    fs.closeSync(log);
    this.proc = proc;
    trackProcessGroup(proc);
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
      if (/database system is ready to accept connections/.test(text) && (await acceptsConnections(this.port))) return;
      if (proc.exitCode !== null)
        throw new Error(`postgres exited with ${proc.exitCode}:\n${text.split('\n').slice(-30).join('\n')}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`postgres did not start within ${timeoutMs} ms:\n${text.split('\n').slice(-30).join('\n')}`);
      }
      await sleep(200);
    }
  }

  /** The server's log so far (for failure messages and the checks that a password never reaches it). */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /**
   * Runs SQL as the superuser through Debian's psql over the private Unix socket (set-up of databases and roles).
   * @throws Error with psql's output when it fails.
   */
  psql(sql: string, database = this.database): string {
    const owner = serverUser();
    const r = spawnSync(
      postgresBinary('psql'),
      [
        '-h',
        this.workDir,
        '-p',
        String(this.port),
        '-U',
        this.user,
        '-d',
        database,
        '-v',
        'ON_ERROR_STOP=1',
        '-Atq',
        '-c',
        sql,
      ],
      {
        encoding: 'utf8',
        cwd: this.workDir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
        ...(owner ?? {}),
      },
    );
    if (r.status !== 0) throw new Error(`psql failed (exit ${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Fast shutdown (SIGINT to the postmaster: open sessions are ended, the cluster is written out), SIGKILL to the group
   * after 30 s; waits for the exit and removes the temporary folder.
   */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p) {
      if (p.pid !== undefined && p.exitCode === null) {
        try {
          process.kill(p.pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
      await stopProcessGroup(p, this.exited, 30_000);
      this.proc = null;
    }
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
