/**
 * Workspace Trust decisions, without `vscode` (so plain mocha tests them): which restricted settings a workspace
 * sets, and whether a History Server collection must be refused. VS Code's own restricted mode ignores workspace
 * values of `restrictedConfigurations`; these checks make the extension refuse and say why, rather than silently
 * use another value.
 */
import { parse as parseJsonc } from 'jsonc-parser';
import { RESTRICTED_SETTINGS } from '../../shared/src/protocol';
import type { SettingKey } from '../../shared/src/settings';

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
export function ignoredWorkspaceSettings(
  isTrusted: boolean,
  inspect: (key: string) => WorkspaceValues | undefined,
): string[] {
  if (isTrusted) return [];
  return RESTRICTED_SETTINGS.filter((key) => {
    const i = inspect(key);
    return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  });
}

/** History Server settings a collection reads; a workspace value of any of them blocks it in restricted mode. */
const HISTORY_SERVER_KEYS: readonly SettingKey[] = [
  'historyServer.url',
  'historyServer.verifyTls',
  'historyServer.caFile',
  'historyServer.certFile',
  'historyServer.keyFile',
  'historyServer.oauth2TokenUrl',
];

/** The team service settings the language server reads; a workspace value of any of them is not used in restricted mode. */
const SERVICE_KEYS: readonly SettingKey[] = ['service.url', 'service.caFile'];

/** Object-store settings a collection reads; a workspace value blocks it in restricted mode. */
const OBJECT_STORE_KEYS: readonly SettingKey[] = ['objectStore.endpointUrl'];

/**
 * Why a History Server collection must not run, or null when it may.
 * @param isTrusted `vscode.workspace.isTrusted`.
 * @param inspect `getConfiguration('sparkOptimizer').inspect` by key below the section.
 * @returns a sentence naming the setting and what to do; `verifyTls: true` from a workspace asks for nothing
 *   unsafe and does not block.
 */
export function historyServerBlockedReason(
  isTrusted: boolean,
  inspect: (key: string) => WorkspaceValues | undefined,
): string | null {
  return blockedReason(isTrusted, inspect, HISTORY_SERVER_KEYS);
}

/**
 * Why an object-store collection must not run, or null when it may: an endpoint from the settings of an untrusted
 * workspace (which could send the requests, signed with the user's cloud credentials, to a server the workspace names).
 * @param isTrusted `vscode.workspace.isTrusted`.
 * @param inspect `getConfiguration('sparkOptimizer').inspect` by key below the section.
 * @returns a sentence naming the setting and what to do.
 */
export function objectStoreBlockedReason(
  isTrusted: boolean,
  inspect: (key: string) => WorkspaceValues | undefined,
): string | null {
  return blockedReason(isTrusted, inspect, OBJECT_STORE_KEYS);
}

/**
 * Why the language server must not read the team service (`sparkOptimizer.service.url`), or null when it may: in an
 * untrusted workspace a URL or CA file from workspace settings is not used (the local store is read instead).
 * @param isTrusted `vscode.workspace.isTrusted`.
 * @param inspect `getConfiguration('sparkOptimizer').inspect` by key below the section.
 */
export function serviceBlockedReason(
  isTrusted: boolean,
  inspect: (key: string) => WorkspaceValues | undefined,
): string | null {
  return blockedReason(isTrusted, inspect, SERVICE_KEYS);
}

/** The first of `keys` an untrusted workspace sets (but `historyServer.verifyTls: true`), worded as a refusal. */
function blockedReason(
  isTrusted: boolean,
  inspect: (key: string) => WorkspaceValues | undefined,
  keys: readonly SettingKey[],
): string | null {
  if (isTrusted) return null;
  for (const key of keys) {
    const i = inspect(key);
    const fromWorkspace = i?.workspaceFolderValue ?? i?.workspaceValue;
    if (fromWorkspace === undefined || (key === 'historyServer.verifyTls' && fromWorkspace === true)) continue;
    return `Not connecting: sparkOptimizer.${key} comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.`;
  }
  return null;
}

/**
 * Restricted settings (full keys, `sparkOptimizer.…`) that a workspace settings file sets, read from its text.
 * In restricted mode VS Code hides these workspace values from the extension (`inspect` shows none), so telling
 * the user which ones are ignored needs the file itself: a folder's `.vscode/settings.json`, or a
 * `.code-workspace` file (its `"settings"` object).
 * @param text the file (JSON with comments and trailing commas, as VS Code reads it); broken JSON gives what
 *   could be read, never throws.
 * @returns keys from RESTRICTED_SETTINGS set to any value other than null, in RESTRICTED_SETTINGS order. Dotted
 *   keys (`"sparkOptimizer.historyServer.url"`) and nested objects (`"sparkOptimizer": {"historyServer": {...}}`)
 *   both count.
 */
export function restrictedKeysInSettingsText(text: string): string[] {
  const root: unknown = parseJsonc(text, [], { allowTrailingComma: true, disallowComments: false });
  const found = new Set<string>();
  const walk = (obj: unknown, prefix: string): void => {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && (RESTRICTED_SETTINGS as readonly string[]).includes(key)) found.add(key);
      else if (key === 'settings' || key.startsWith('sparkOptimizer')) walk(v, key === 'settings' ? '' : key);
    }
  };
  walk(root, '');
  return RESTRICTED_SETTINGS.filter((k) => found.has(k));
}
