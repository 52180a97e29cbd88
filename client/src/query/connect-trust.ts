/**
 * Workspace Trust for Spark Connect, without `vscode` (plain mocha tests it): in an untrusted workspace the
 * extension never connects to a Spark Connect URL (or trusts a CA file) named in workspace or folder settings.
 */
import type { SettingKey } from '../../../shared/src/settings';

/** The parts of `WorkspaceConfiguration.inspect(key)` that come from the workspace. */
export interface WorkspaceValues {
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Settings (below `sparkOptimizer.`) a Spark Connect connection reads from the configuration. */
export const SPARK_CONNECT_KEYS: readonly SettingKey[] = [
  'sparkConnect.url',
  'sparkConnect.caFile',
  'sparkConnect.jdbcViews',
];

/**
 * Why connecting must be refused, or null when it may go ahead.
 * @param isTrusted `vscode.workspace.isTrusted`.
 * @param inspect `getConfiguration('sparkOptimizer').inspect` by key below the section.
 * @returns a sentence naming the setting and what to do.
 */
export function sparkConnectBlockedReason(
  isTrusted: boolean,
  inspect: (key: string) => WorkspaceValues | undefined,
): string | null {
  if (isTrusted) return null;
  for (const key of SPARK_CONNECT_KEYS) {
    const i = inspect(key);
    const set = (v: unknown) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
    if (set(i?.workspaceValue) || set(i?.workspaceFolderValue)) {
      return `Not connecting: sparkOptimizer.${key} comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.`;
    }
  }
  return null;
}
