/**
 * The client's typed settings getter: a `sparkOptimizer.*` setting by its dotted key, typed and checked by the shared
 * zod schema (shared/src/settings.ts), whose default it falls back to. No key or default is written here.
 */
import * as vscode from 'vscode';
import { readSetting, SETTINGS_SECTION, type SettingKey, type SettingValue } from '../../shared/src/settings';

/**
 * The setting `key` (e.g. `historyServer.url`) as VS Code resolves it for `scope` (user, workspace, folder values
 * over the default); a value of the wrong type reads as the schema's default.
 */
export function setting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return readSetting((k) => config.get(k), key);
}

/**
 * The user's own value of `key` (`inspect(key).globalValue`): for the machine-scoped settings a workspace may not set.
 * Undefined when the user did not set it or set a value of the wrong type.
 */
export function userSettingValue<K extends SettingKey>(key: K): SettingValue<K> | undefined {
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect(key)?.globalValue;
  return value === undefined ? undefined : readSetting(() => value, key);
}

/** Writes the setting `key` in the user settings (`ConfigurationTarget.Global`). */
export function updateUserSetting<K extends SettingKey>(key: K, value: SettingValue<K>): Thenable<void> {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}
