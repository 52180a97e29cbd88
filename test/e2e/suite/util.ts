/**
 * Helpers for the tests that run inside VS Code's extension host (real `vscode` API, the installed VSIX).
 * Environment set by the runner outside (test/e2e/extension-host.e2e.ts) on the code-server process:
 * SPARK_E2E_EXTENSIONS_DIR (where the VSIX was installed), SPARK_E2E_LOGS_DIR (the extension host's log
 * folder), SPARK_E2E_HISTORY_DB (the store collected from examples/history).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

/** publisher.name of the extension under test (package.json). */
export const EXTENSION_ID = 'spark-optimizer.spark-resource-optimizer';

/** A required environment variable; throws naming it when unset. */
export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the extension-host tests through test/e2e (npm run test:e2e)`);
  return v;
}

/**
 * Calls `get` every 100 ms until it returns something other than undefined, and returns that; throws after
 * `timeoutMs` with `what` and the last value seen by `describeLast` (never a fixed sleep).
 */
export async function poll<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
  describeLast?: () => string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${describeLast ? `; last: ${describeLast()}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first workspace folder's path (the copy of examples/). */
export function workspaceFolder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f.uri.fsPath;
}

/** Opens `relative` (below the workspace folder) in an editor and returns its document. */
export async function openInEditor(relative: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(path.join(workspaceFolder(), relative));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** The diagnostic with `code` on `uri`, once the language server has published it. */
export function diagnosticWithCode(uri: vscode.Uri, code: string): vscode.Diagnostic | undefined {
  return vscode.languages
    .getDiagnostics(uri)
    .find((d) => (typeof d.code === 'object' ? d.code.value : d.code) === code);
}

/** Short description of a document's diagnostics, for failure messages. */
export function describeDiagnostics(uri: vscode.Uri): string {
  return JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => [d.code, d.range.start.line, d.message]));
}

/** Every log file below `dir` whose text contains `needle`, as [path, text]. */
export function logFilesContaining(dir: string, needle: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) {
        const text = fs.readFileSync(p, 'utf8');
        if (text.includes(needle)) out.push([p, text]);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** A hover's contents as one markdown string. */
export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}
