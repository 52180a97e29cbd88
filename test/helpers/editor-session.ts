/**
 * A language server as the VS Code client runs it, for the protocol tests of local and service mode
 * (test/lsp-team-service.test.ts, test/lsp-dismiss-recommendation.test.ts): on a given store, in service mode when a
 * team service is given (the token in the server's environment, as the client passes it), keeping every diagnostic it
 * publishes and every message it shows. Also the stores they read: the example runs collected by the built CLI, and a
 * service token made by it.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { SERVICE_TOKEN_ENV } from '../../shared/src/protocol';
import { BUILT_CLI, EXAMPLE_HISTORY } from './fixtures';
import { LspClient } from './lsp-client';

/** A started language server with what it published (`uri#version` → diagnostics) and showed. */
export interface EditorSession {
  lsp: LspClient;
  diagnostics: Map<string, Diagnostic[]>;
  shown: { type: number; message: string }[];
}

/**
 * Starts the built language server on `db` (service mode when `service` is given) with `SPARK_OPTIMIZER_NOW=now`, so
 * plans (whose confidence falls with the age of the newest run) are equal in every server of a test.
 */
export async function startEditor(
  db: string,
  now: string,
  service?: { url: string; token: string; retryMs: number },
): Promise<EditorSession> {
  const diagnostics = new Map<string, Diagnostic[]>();
  const shown: { type: number; message: string }[] = [];
  const lsp = await LspClient.start({
    configuration: () => ({}),
    rootUri: null,
    capabilities: { workspace: { configuration: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
    historyDatabase: db,
    initializationOptions: service ? { service: { url: service.url, retryMs: service.retryMs } } : {},
    // The token travels as the VS Code client sends it: in the server's environment, not in any LSP message.
    env: { ...process.env, SPARK_OPTIMIZER_NOW: now, ...(service ? { [SERVICE_TOKEN_ENV]: service.token } : {}) },
    // The server's warnings are window/showMessageRequest (VS Code shows them as notifications); kept with any plain
    // window/showMessage.
    onRequest: {
      'window/showMessageRequest': (p: { type: number; message: string }) => {
        shown.push({ type: p.type, message: p.message });
        return null;
      },
    },
    onNotification: {
      'textDocument/publishDiagnostics': (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) =>
        diagnostics.set(`${p.uri}#${p.version ?? ''}`, p.diagnostics),
      'window/showMessage': (p: { type: number; message: string }) => shown.push(p),
    },
  });
  return { lsp, diagnostics, shown };
}

/** Collects the example runs (examples/history: 9 runs, nightly_etl 5) into `db` with the built CLI. */
export function collectExampleHistory(db: string): void {
  const c = spawnSync(process.execPath, [BUILT_CLI, 'collect', '--path', EXAMPLE_HISTORY, '--db', db], {
    encoding: 'utf8',
  });
  assert.strictEqual(c.status, 0, c.stderr);
}

/** Creates a service token of scope `read` in `db` (`spark-optimizer token create`). @returns the token. */
export function createReadToken(db: string): string {
  const t = spawnSync(
    process.execPath,
    [BUILT_CLI, 'token', 'create', '--scope', 'read', '--name', 'editor', '--db', db],
    {
      encoding: 'utf8',
    },
  );
  assert.strictEqual(t.status, 0, t.stderr);
  return t.stdout.trim();
}
