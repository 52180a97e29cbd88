/**
 * Collecting from a folder a hostile environment prepared (issue 12, items 3 and 6), through the built CLI
 * (server/out/cli.js) in its own process:
 * - files and folders the user cannot read are failures naming the path and the reason, and make the exit code 1.
 *   Permission bits do not stop root, so when the tests run as root the CLI runs as the unprivileged user
 *   `nobody` (uid/gid 65534) under `setpriv` (util-linux); as any other user it runs as that user. The test
 *   first checks that the user really cannot read the files;
 * - symbolic links to `.` and to a parent make no cycle: each log is read once and counted once, and a second
 *   run finds it unchanged.
 * The logs are real: copies of the example runs (examples/history) and of a Spark 2.3.0 fixture log.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES, BUILT_CLI } from './helpers/fixtures';

const CLI = BUILT_CLI;
const EXAMPLES = EXAMPLE_HISTORY;
const QUBOLE = path.join(EVENT_LOG_FIXTURES, 'qubole-sparklens', 'local-1532512550423');
const NOBODY = 65534;

/** `argv` run as an unprivileged user: `nobody` under setpriv when we are root, else ourselves. */
function unprivileged(argv: string[]): { cmd: string; args: string[] } {
  if (process.getuid?.() !== 0) return { cmd: argv[0], args: argv.slice(1) };
  return { cmd: 'setpriv', args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv] };
}

function runUnprivileged(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const { cmd, args } = unprivileged(argv);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hostile folders: unreadable entries and symbolic-link cycles (built CLI)', function () {
  this.timeout(120_000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-files-'));
    fs.chmodSync(tmp, 0o755);
  });
  afterEach(() => {
    // Give the owner back what the test took away, then remove everything.
    spawnSync('chmod', ['-R', 'u+rwX', tmp]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reports each unreadable file and folder as failed with its path and reason, and exits 1', () => {
    const logs = path.join(tmp, 'logs');
    fs.mkdirSync(logs);
    const [readable, unreadableRolling, inSub] = fs.readdirSync(EXAMPLES).filter((d) => d.startsWith('eventlog_v2_'));
    fs.cpSync(path.join(EXAMPLES, readable), path.join(logs, readable), { recursive: true });
    fs.cpSync(path.join(EXAMPLES, unreadableRolling), path.join(logs, unreadableRolling), { recursive: true });
    fs.copyFileSync(QUBOLE, path.join(logs, 'local-1532512550423'));
    fs.mkdirSync(path.join(logs, 'team-b'));
    fs.cpSync(path.join(EXAMPLES, inSub), path.join(logs, 'team-b', inSub), { recursive: true });
    const eventsFile = fs
      .readdirSync(path.join(logs, unreadableRolling))
      .find((n) => n.startsWith('events_')) as string;
    spawnSync('chmod', ['-R', 'a+rX', logs]);
    // One file inside a rolling folder, one single-file log, one whole folder: not readable by the user.
    fs.chmodSync(path.join(logs, unreadableRolling, eventsFile), 0o600);
    fs.chmodSync(path.join(logs, 'local-1532512550423'), 0o600);
    fs.chmodSync(path.join(logs, 'team-b'), 0o700);
    const out = path.join(tmp, 'store');
    fs.mkdirSync(out, { mode: 0o777 });
    fs.chmodSync(out, 0o777);
    if (process.getuid?.() === 0) {
      // The test is only worth something if the user really is denied: `cat` as that user must fail.
      assert.notStrictEqual(
        runUnprivileged(['cat', path.join(logs, 'local-1532512550423')]).status,
        0,
        'nobody can read the file: permissions are not enforced',
      );
    }

    // The unprivileged user runs the built CLI from this checkout: a checkout in a folder only root can enter (e.g.
    // `mktemp -d`, mode 0700) makes node fail to load it, which is no finding of the product.
    assert.strictEqual(
      runUnprivileged(['test', '-r', CLI]).status,
      0,
      `the unprivileged user cannot read ${CLI}: run the tests from a checkout every user can enter`,
    );
    const r = runUnprivileged([
      process.execPath,
      CLI,
      'collect',
      '--path',
      logs,
      '--recursive',
      '--db',
      path.join(out, 'h.db'),
      '--format',
      'json',
    ]);
    assert.strictEqual(r.status, 1, r.stderr);
    const s = JSON.parse(r.stdout) as {
      found: number;
      inserted: number;
      failed: { path: string; appId: string | null; attemptId: string | null; reason: string }[];
      applications: { appId: string }[];
    };
    assert.strictEqual(s.found, 4);
    assert.strictEqual(s.inserted, 1);
    assert.deepStrictEqual(
      s.applications.map((a) => a.appId),
      [readable.slice('eventlog_v2_'.length)],
    );
    const denied = 'permission denied (EACCES): the user running this cannot read it';
    assert.deepStrictEqual(s.failed, [
      {
        path: path.join(logs, unreadableRolling),
        appId: null,
        attemptId: null,
        reason: `could not be read: ${eventsFile}: ${denied}`,
      },
      {
        path: path.join(logs, 'local-1532512550423'),
        appId: null,
        attemptId: null,
        reason: `could not be read: ${denied}`,
      },
      { path: path.join(logs, 'team-b'), appId: null, attemptId: null, reason: `could not be read: ${denied}` },
    ]);

    // The text output names each path and reason on its own line.
    const text = runUnprivileged([
      process.execPath,
      CLI,
      'collect',
      '--path',
      logs,
      '--recursive',
      '--db',
      path.join(out, 'h.db'),
    ]);
    assert.strictEqual(text.status, 1);
    assert.ok(
      text.stdout.includes(`failed         ${path.join(logs, 'team-b')}: could not be read: ${denied}\n`),
      text.stdout,
    );
    assert.match(text.stdout, /4 event log\(s\) in .*: 0 new, 0 updated, 1 unchanged, 3 failed\./);
  });

  it('reads a log once through three links to `.` and one to its parent; the next run finds it unchanged', () => {
    const logs = path.join(tmp, 'logs');
    fs.mkdirSync(path.join(logs, 'nested'), { recursive: true });
    fs.copyFileSync(QUBOLE, path.join(logs, 'local-1532512550423'));
    for (const name of ['a', 'b', 'c']) fs.symlinkSync('.', path.join(logs, name));
    fs.symlinkSync('..', path.join(logs, 'nested', 'up'));
    const db = path.join(tmp, 'h.db');
    const run = () =>
      spawnSync(process.execPath, [CLI, 'collect', '--path', logs, '--recursive', '--db', db, '--format', 'json'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    const first = run();
    assert.strictEqual(first.status, 0, first.stderr);
    const s1 = JSON.parse(first.stdout) as {
      found: number;
      inserted: number;
      updated: number;
      applications: { path: string }[];
    };
    assert.deepStrictEqual([s1.found, s1.inserted, s1.updated], [1, 1, 0]);
    assert.deepStrictEqual(
      s1.applications.map((a) => a.path),
      [path.join(logs, 'local-1532512550423')],
    );
    const s2 = JSON.parse(run().stdout) as { found: number; inserted: number; updated: number; unchanged: number };
    assert.deepStrictEqual([s2.found, s2.inserted, s2.updated, s2.unchanged], [1, 0, 0, 1]);
  });
});
