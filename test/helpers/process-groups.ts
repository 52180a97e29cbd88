/**
 * Detached process groups the tests start (Spark History Server, Spark Connect server, code-server): each is
 * registered here and SIGKILLed as a group when the Node process exits, or is sent SIGINT/SIGTERM (a signal to
 * mocha does not reach a detached group, and Node emits no 'exit' for a signal by itself).
 */
import type { ChildProcess } from 'child_process';

const running = new Set<ChildProcess>();

/** Registers a detached child (the leader of its process group) to be killed with the test run. */
export function trackProcessGroup(p: ChildProcess): void {
  running.add(p);
}

/** Forgets a child once it has been stopped. */
export function untrackProcessGroup(p: ChildProcess): void {
  running.delete(p);
}

/** SIGKILLs every registered process group that is still running. */
export function killAllProcessGroups(): void {
  for (const p of running) {
    try {
      process.kill(-(p.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killAllProcessGroups);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllProcessGroups();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

/**
 * Stops a detached process group started by a test helper: SIGTERM to the group, SIGKILL after `graceMs`, waits for
 * the leader's exit (`exited`, a promise the helper made from its 'exit' event), then forgets it. Does nothing when
 * the leader has already exited.
 */
export async function stopProcessGroup(p: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (p.exitCode === null && p.signalCode === null) {
    try {
      process.kill(-(p.pid as number), 'SIGTERM');
    } catch {
      // gone
    }
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
    if (!done) {
      try {
        process.kill(-(p.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
      await exited;
    }
  }
  untrackProcessGroup(p);
}
