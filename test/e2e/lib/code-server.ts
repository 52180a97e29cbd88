/**
 * code-server (VS Code's own workbench with a Node extension host, installed by scripts/install-e2e.sh into
 * .e2e/code-server) as a detached process group on 127.0.0.1, with a throwaway HOME, user-data and extensions
 * folder, no gallery (EXTENSIONS_GALLERY='{}': no open-vsx.org look-ups), no telemetry, no auth.
 * Pitfalls of installing code-server offline: scripts/install-e2e.sh. Every group started here is killed when Node exits.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { freePort } from '../../helpers/history-server-process';
import { stopProcessGroup, trackProcessGroup } from '../../helpers/process-groups';
import { REPO_ROOT } from '../../helpers/fixtures';

/** Repository root (this file runs from build/test/e2e/lib). */
export const ROOT = REPO_ROOT;
/**
 * The code-server launcher installed by scripts/install-e2e.sh: .e2e/code-server (the default version), or
 * .e2e/code-server-<v> when $E2E_CODE_SERVER_VERSION names another (e.g. 4.103.2, the oldest the engines field
 * allows that npm has); $SPARK_E2E_CODE_SERVER overrides both.
 */
export const CODE_SERVER_BIN =
  process.env.SPARK_E2E_CODE_SERVER ??
  path.join(
    REPO_ROOT,
    '.e2e',
    process.env.E2E_CODE_SERVER_VERSION && process.env.E2E_CODE_SERVER_VERSION !== '4.117.0'
      ? `code-server-${process.env.E2E_CODE_SERVER_VERSION}`
      : 'code-server',
    'node_modules',
    '.bin',
    'code-server',
  );
/** The analysis clock of the e2e runs (see env()). */
export const E2E_NOW = '2026-12-01T00:00:00Z';
/** The VSIX built by `npm run package`. */
export const VSIX = path.join(REPO_ROOT, 'build', 'spark-resource-optimizer.vsix');
/** Screenshots and logs of the e2e runs (git-ignored). */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'e2e');
/** The extension's id as VS Code knows it (publisher.name from package.json). */
export const EXTENSION_ID = 'spark-optimizer.spark-resource-optimizer';

/** What a code-server run needs: its folders, user settings and extra environment for the extension host. */
export interface CodeServerOptions {
  /** Folder for HOME, user data, extensions and the server log; created if missing. */
  dir: string;
  /** User settings written before start, merged over quiet defaults (telemetry off, no tips, no update checks). */
  userSettings?: Record<string, unknown>;
  /** false: start without --disable-workspace-trust, so folders not trusted open in restricted mode. */
  workspaceTrust?: boolean;
  /** Variables for the server process; they reach the extension host and the tests running in it. */
  env?: Record<string, string>;
}

/** One code-server process group; `url` is http://127.0.0.1:<free port>. */
export class CodeServer {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  url = '';
  port = 0;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  private readonly home: string;

  constructor(private readonly options: CodeServerOptions) {
    this.userDataDir = path.join(options.dir, 'user-data');
    this.extensionsDir = path.join(options.dir, 'extensions');
    this.home = path.join(options.dir, 'home');
    this.logFile = path.join(options.dir, 'code-server.log');
  }

  private env(): NodeJS.ProcessEnv {
    // HOME: code-server writes ~/.config/code-server/config.yaml (with a password) on any invocation.
    // SPARK_OPTIMIZER_NOW: the examples' history dates from 2026-11-21 and a plan's confidence halves per 180 days of
    // age, so the expected "confidence medium" (a Warning) holds on any day the tests run.
    return {
      ...process.env,
      HOME: this.home,
      EXTENSIONS_GALLERY: '{}',
      SPARK_OPTIMIZER_NOW: E2E_NOW,
      ...this.options.env,
    };
  }

  private commonArgs(): string[] {
    return ['--auth', 'none', '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
  }

  /**
   * Writes the user settings (in User/ and Machine/: machine-scoped settings such as
   * sparkOptimizer.historyDatabase are read only from the latter in a remote window) and installs `vsix`
   * with `code-server --install-extension`. Throws with code-server's output when the install fails.
   */
  prepare(vsix: string): string {
    if (!fs.existsSync(CODE_SERVER_BIN)) throw new Error(`${CODE_SERVER_BIN} missing: run bash scripts/install-e2e.sh`);
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} missing: run npm run package`);
    for (const d of [this.home, this.extensionsDir]) fs.mkdirSync(d, { recursive: true });
    const settings = {
      'telemetry.telemetryLevel': 'off',
      'workbench.startupEditor': 'none',
      'workbench.enableExperiments': false,
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'security.workspace.trust.enabled': this.options.workspaceTrust === true,
      'security.workspace.trust.startupPrompt': 'never',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      ...this.options.userSettings,
    };
    for (const scope of ['User', 'Machine']) {
      fs.mkdirSync(path.join(this.userDataDir, scope), { recursive: true });
      fs.writeFileSync(path.join(this.userDataDir, scope, 'settings.json'), JSON.stringify(settings, null, 2));
    }
    return execFileSync(CODE_SERVER_BIN, [...this.commonArgs(), '--install-extension', vsix], {
      env: this.env(),
      encoding: 'utf8',
      stdio: 'pipe',
    });
  }

  /** Starts the server on a free 127.0.0.1 port and resolves when /healthz answers (throws after 60 s). */
  async start(): Promise<void> {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const out = fs.openSync(this.logFile, 'a');
    const args = [
      ...this.commonArgs(),
      '--bind-addr',
      `127.0.0.1:${this.port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(this.options.workspaceTrust === true ? [] : ['--disable-workspace-trust']),
    ];
    const proc = spawn(CODE_SERVER_BIN, args, { detached: true, stdio: ['ignore', out, out], env: this.env() });
    fs.closeSync(out);
    this.proc = proc;
    trackProcessGroup(proc);
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    const end = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}; see ${this.logFile}`);
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > end)
        throw new Error(`code-server did not answer ${this.url}/healthz within 60 s; see ${this.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The workbench URL for `folder`, with VS Code's extension-test payload when given. */
  workbenchUrl(folder: string, payload?: [string, string][]): string {
    let u = `${this.url}/?folder=${encodeURIComponent(folder)}`;
    if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return u;
  }

  /** A path on this machine as the remote URI the workbench's payload expects. */
  remoteUri(p: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${p}`;
  }

  /** Text of every extension-host log file whose name contains `nameContains` (e.g. the extension's output channel). */
  logs(nameContains: string): string {
    const found: string[] = [];
    const walk = (d: string): void => {
      if (!fs.existsSync(d)) return;
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.includes(nameContains)) found.push(fs.readFileSync(p, 'utf8'));
      }
    };
    walk(path.join(this.userDataDir, 'logs'));
    return found.join('\n');
  }

  /** SIGTERMs the whole process group (file watchers included), SIGKILLs what is left after 10 s. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.pid === undefined) return;
    this.proc = null;
    await stopProcessGroup(proc, this.exited, 10_000);
  }
}
