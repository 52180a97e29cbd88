/**
 * Process-level error handlers: a promise rejected with nobody to catch it, or an exception thrown out of a callback
 * (a timer, an event listener), is logged through the program's own logger instead of Node's default (print to
 * stderr and end the process: since Node 15 an unhandled rejection ends it too). The language server (server.ts), its
 * analysis workers (documents/analysis-worker.ts) and `spark-optimizer serve` (cli/service-commands.ts) install them;
 * each says what happens after an uncaught exception (UncaughtPolicy).
 */
import { errorMessage } from '../../shared/src/errors';

/** What happened: `unhandledRejection` (a promise nobody awaited failed) or `uncaughtException`. */
export type ProcessFault = 'unhandledRejection' | 'uncaughtException';

/** The events these handlers listen to (`process`, or a worker thread's `process`). */
export interface ProcessEvents {
  on(event: ProcessFault, listener: (error: unknown) => void): unknown;
  removeListener(event: ProcessFault, listener: (error: unknown) => void): unknown;
}

/**
 * One line for the log: what happened and the error with its stack (the stack is what a maintainer needs; the
 * logs are for them, never shown as a notification).
 */
export function describeFault(fault: ProcessFault, error: unknown): string {
  const what =
    fault === 'unhandledRejection'
      ? 'A promise was rejected and nothing caught it'
      : 'An exception was thrown and nothing caught it';
  const detail = error instanceof Error && error.stack ? error.stack : errorMessage(error);
  return `${what}: ${detail}`;
}

/**
 * What happens after an uncaught exception was reported: `keep-running` (the language server: its state is caches
 * rebuilt on demand and its store writes are transactions), `node-default` (not handled: Node ends the process or
 * thread as usual; an analysis worker, which its main thread restarts), or a function that stops the program cleanly
 * (the service: Node's advice after an uncaught exception).
 */
export type UncaughtPolicy = 'keep-running' | 'node-default' | ((error: unknown) => void);

/**
 * Installs the process-fault handlers: every unhandled rejection is reported and the program keeps running; an uncaught
 * exception is reported and then handled by `uncaught`.
 * @param report called with the fault and the error; an error thrown inside it is dropped (the log may be the broken part).
 * @param proc the events source (default `process`; a worker thread's own `process`).
 * @returns a function that removes the handlers.
 */
export function handleProcessFaults(
  report: (fault: ProcessFault, error: unknown) => void,
  uncaught: UncaughtPolicy,
  proc: ProcessEvents = process,
): () => void {
  const safeReport = (fault: ProcessFault, error: unknown) => {
    try {
      report(fault, error);
    } catch {
      // Reporting failed (the connection is gone): nothing else can be done with it.
    }
  };
  const onRejection = (error: unknown) => safeReport('unhandledRejection', error);
  const onException = (error: unknown) => {
    safeReport('uncaughtException', error);
    if (typeof uncaught === 'function') uncaught(error);
  };
  proc.on('unhandledRejection', onRejection);
  if (uncaught !== 'node-default') proc.on('uncaughtException', onException);
  return () => {
    proc.removeListener('unhandledRejection', onRejection);
    proc.removeListener('uncaughtException', onException);
  };
}
