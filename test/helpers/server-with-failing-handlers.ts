/**
 * The language server exactly as server/out/server.js wires it (server.ts `startLanguageServer`: the composition root,
 * every handler, the process-level error handlers), started over stdio, plus two test-only notifications whose
 * handlers fail with nothing to catch the failure, as a bug in a handler would:
 * - `sparkOptimizerTest/rejectWithoutCatch`: starts an async job that rejects, not awaited (`void job()`);
 * - `sparkOptimizerTest/throwFromTimer`: throws out of a timer callback.
 * Each error's message is the notification's `marker` parameter. Run by test/lsp-process-faults.test.ts (built by tsc
 * to build/test/helpers/server-with-failing-handlers.js).
 */
import { startLanguageServer, type StartedLanguageServer } from '../../server/src/server';
import { createServerConnection } from '../../server/src/transport/stdio-transport';

let server: StartedLanguageServer | undefined;
const connection = createServerConnection((line) => server?.log.warn(line));
server = startLanguageServer(connection);

async function failLater(marker: string): Promise<void> {
  await new Promise((r) => setImmediate(r));
  throw new Error(marker);
}

connection.onNotification('sparkOptimizerTest/rejectWithoutCatch', (p: { marker: string }) => {
  void failLater(p.marker);
});

connection.onNotification('sparkOptimizerTest/throwFromTimer', (p: { marker: string }) => {
  setTimeout(() => {
    throw new Error(p.marker);
  }, 0);
});
