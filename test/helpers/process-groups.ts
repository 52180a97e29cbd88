/**
 * Detached process groups the tests start (Spark History Server, Spark Connect server, language server, Neovim,
 * code-server): the one place that signals, stops and tracks them. Each is registered here and SIGKILLed as a group
 * when the Node process exits, or is sent SIGINT/SIGTERM (a signal to mocha does not reach a detached group, and
 * Node emits no 'exit' for a signal by itself).
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

/**
 * Sends `signal` to every process of the group `p` leads (0 only tests that one is left).
 * @returns false when no process of the group is left (or `p` never started).
 */
export function signalProcessGroup(p: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (p.pid === undefined) return false;
  try {
    process.kill(-p.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the group `p` leads: SIGTERM, then SIGKILL to what is left after `graceMs` (servers get time to flush),
 * then waits for `exited` (the leader's exit) and forgets the group.
 * @param exited resolves when the leader has exited (its 'exit' event).
 */
export async function stopProcessGroup(p: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (signalProcessGroup(p, 'SIGTERM')) {
    const end = Date.now() + graceMs;
    while (signalProcessGroup(p, 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    signalProcessGroup(p, 'SIGKILL');
  }
  await exited;
  untrackProcessGroup(p);
}

/** SIGKILLs every registered process group that is still running. */
export function killAllProcessGroups(): void {
  for (const p of running) signalProcessGroup(p, 'SIGKILL');
}

process.on('exit', killAllProcessGroups);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllProcessGroups();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
