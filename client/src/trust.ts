/**
 * Workspace Trust decisions, without `vscode` (so plain mocha tests them): which restricted settings a workspace
 * sets, and whether a History Server collection must be refused. VS Code's own restricted mode ignores workspace
 * values of `restrictedConfigurations`; these checks make the extension refuse and say why, rather than silently
 * use another value.
 */
import { RESTRICTED_SETTINGS } from '../../shared/src/protocol';

/** The parts of `WorkspaceConfiguration.inspect(key)` that come from the workspace. */
export interface WorkspaceValues {
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * Restricted settings (full keys, `sparkOptimizer.…`) that the workspace or a folder of it sets.
 * @param isTrusted `vscode.workspace.isTrusted`; a trusted workspace ignores nothing.
 * @param inspect `getConfiguration().inspect` by full key.
 */
export function ignoredWorkspaceSettings(isTrusted: boolean, inspect: (key: string) => WorkspaceValues | undefined): string[] {
  if (isTrusted) return [];
  return RESTRICTED_SETTINGS.filter((key) => {
    const i = inspect(key);
    return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  });
}

/** History Server settings a collection reads; a workspace value of any of them blocks it in restricted mode. */
const HISTORY_SERVER_KEYS = ['historyServer.url', 'historyServer.verifyTls', 'historyServer.caFile', 'historyServer.certFile', 'historyServer.keyFile'];

/**
 * Why a History Server collection must not run, or null when it may.
 * @param isTrusted `vscode.workspace.isTrusted`.
 * @param inspect `getConfiguration('sparkOptimizer').inspect` by key below the section.
 * @returns a sentence naming the setting and what to do; `verifyTls: true` from a workspace asks for nothing
 *   unsafe and does not block.
 */
export function historyServerBlockedReason(isTrusted: boolean, inspect: (key: string) => WorkspaceValues | undefined): string | null {
  if (isTrusted) return null;
  for (const key of HISTORY_SERVER_KEYS) {
    const i = inspect(key);
    const fromWorkspace = i?.workspaceFolderValue ?? i?.workspaceValue;
    if (fromWorkspace === undefined || (key === 'historyServer.verifyTls' && fromWorkspace === true)) continue;
    return `Not connecting: sparkOptimizer.${key} comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.`;
  }
  return null;
}
