/**
 * `spark-optimizer serve` (the built CLI bundle) as its own detached process group (process-groups.ts), for the
 * service tests and the load benchmark: started on a free port (`--port 0`), ready once it prints
 * `listening on http://HOST:PORT (...)`.
 */
import { spawn, type ChildProcess } from 'child_process';
import { BUILT_CLI } from './fixtures';
import { trackProcessGroup } from './process-groups';

/** A running service: its process, base URL, everything it printed so far, and its exit. */
export interface ServeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** stdout and stderr so far (its log lines included). */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/**
 * Starts `serve --port 0` with `args` (e.g. `['--db', file]`) and `env` (over this process's environment).
 * @throws Error with its output when it exits or does not listen within `timeoutMs`.
 */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BUILT_CLI, 'serve', '--port', '0', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  trackProcessGroup(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not listen in ${timeoutMs / 1000} s: ${stdout} ${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^listening on (http:\/\/\S+) /m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stdout} ${stderr}`));
    });
  });
  return { child, base, output: () => ({ stdout, stderr }), exited };
}
