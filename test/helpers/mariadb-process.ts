/**
 * A REAL MariaDB server for the JDBC tests: Debian's mariadb-server (scripts/install-mariadb.sh), a fresh data
 * directory made by `mariadb-install-db` in a temporary folder, and `mariadbd` started as a detached process group
 * (registered in process-groups.ts, so it dies with the test run) on 127.0.0.1 and a free port, never the system
 * service. `--init-file` runs the given SQL as the server starts (creating the database, its tables and the user the
 * tests log in as), so nothing logs in as root. The server's time zone is UTC (`--default-time-zone=+00:00`) and its
 * character set utf8mb4, whatever the machine's.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { acceptsConnections, sleep } from './history-server-process';
import { stopProcessGroup, trackProcessGroup } from './process-groups';

/** `mariadbd` and `mariadb-install-db` from Debian's packages. */
function binary(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin']) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(
    `${name} is missing: run bash scripts/setup.sh (or bash scripts/install-mariadb.sh), which installs Debian's mariadb-server`,
  );
}

/** One MariaDB server process group. */
export class MariaDbProcess {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly dataDir: string;
  readonly errorLog: string;

  /**
   * @param port TCP port on 127.0.0.1.
   * @param workDir a private, empty folder.
   * @param initSql statements run by the server at start (`--init-file`).
   */
  constructor(
    readonly port: number,
    readonly workDir: string,
    private readonly initSql: string,
  ) {
    this.dataDir = path.join(workDir, 'data');
    this.errorLog = path.join(workDir, 'error.log');
  }

  /**
   * Makes the data directory and starts the server; resolves when it accepts connections on its port.
   * @throws Error with the server's log when it exits or does not start within `timeoutMs`.
   */
  async start(timeoutMs = 120_000): Promise<void> {
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    const install = spawnSync(
      binary('mariadb-install-db'),
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        '--skip-test-db',
        '--auth-root-authentication-method=socket',
        ...asRoot,
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    if (install.status !== 0)
      throw new Error(`mariadb-install-db failed (exit ${install.status}):\n${install.stdout}\n${install.stderr}`);
    const initFile = path.join(this.workDir, 'init.sql');
    fs.writeFileSync(initFile, this.initSql, { mode: 0o600 });
    const proc = spawn(
      binary('mariadbd'),
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.workDir, 'mariadb.sock')}`,
        `--pid-file=${path.join(this.workDir, 'mariadb.pid')}`,
        `--log-error=${this.errorLog}`,
        `--init-file=${initFile}`,
        '--default-time-zone=+00:00',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=16M',
        ...asRoot,
      ],
      { detached: true, stdio: 'ignore' },
    );
    this.proc = proc;
    trackProcessGroup(proc);
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = fs.existsSync(this.errorLog) ? fs.readFileSync(this.errorLog, 'utf8') : '';
      if (/ready for connections/.test(log) && (await acceptsConnections(this.port))) return;
      if (proc.exitCode !== null)
        throw new Error(`mariadbd exited with ${proc.exitCode}:\n${log.split('\n').slice(-30).join('\n')}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`mariadbd did not start within ${timeoutMs} ms:\n${log.split('\n').slice(-30).join('\n')}`);
      }
      await sleep(200);
    }
  }

  /** SIGTERM to the group (mariadbd shuts down cleanly on it), SIGKILL after 30 s; waits for the exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    await stopProcessGroup(p, this.exited, 30_000);
    this.proc = null;
  }
}
