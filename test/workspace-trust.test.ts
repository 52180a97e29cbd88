/**
 * Workspace Trust decisions of the client (client/src/trust.ts): what a restricted workspace's own settings may
 * not make the extension do.
 */
import * as assert from 'assert';
import {
  historyServerBlockedReason,
  ignoredWorkspaceSettings,
  objectStoreBlockedReason,
  restrictedKeysInSettingsText,
  serviceBlockedReason,
  WorkspaceValues,
} from '../client/src/trust';

/** A settings view like `inspect`: user values and workspace values per key. */
function settings(
  workspace: Record<string, unknown>,
  folder: Record<string, unknown> = {},
): (key: string) => WorkspaceValues | undefined {
  return (key) => ({ workspaceValue: workspace[key], workspaceFolderValue: folder[key] });
}

describe('workspace trust (client/src/trust.ts)', () => {
  it('a trusted workspace ignores nothing and may collect', () => {
    const s = settings({
      'sparkOptimizer.historyServer.url': 'http://evil:18080',
      'historyServer.url': 'http://evil:18080',
    });
    assert.deepStrictEqual(ignoredWorkspaceSettings(true, s), []);
    assert.strictEqual(historyServerBlockedReason(true, s), null);
  });

  it('a restricted workspace that names a History Server or certificate files is refused, naming the setting', () => {
    assert.strictEqual(
      historyServerBlockedReason(false, settings({ 'historyServer.url': 'http://evil:18080' })),
      'Not connecting: sparkOptimizer.historyServer.url comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.',
    );
    assert.match(
      historyServerBlockedReason(false, settings({}, { 'historyServer.caFile': '/tmp/ca.pem' })) ?? '',
      /sparkOptimizer\.historyServer\.caFile/,
    );
    assert.match(historyServerBlockedReason(false, settings({ 'historyServer.verifyTls': false })) ?? '', /verifyTls/);
    // The OAuth2 client secret from SecretStorage goes to the token URL: a workspace must not choose it.
    assert.match(
      historyServerBlockedReason(false, settings({ 'historyServer.oauth2TokenUrl': 'https://evil.example/token' })) ??
        '',
      /sparkOptimizer\.historyServer\.oauth2TokenUrl comes from the settings of an untrusted workspace/,
    );
    // verifyTls: true asks for nothing unsafe; no workspace values at all: the user's own settings are used.
    assert.strictEqual(historyServerBlockedReason(false, settings({ 'historyServer.verifyTls': true })), null);
    assert.strictEqual(historyServerBlockedReason(false, settings({})), null);
  });

  it("a restricted workspace that names the team service (which would get the user's token) is not connected to", () => {
    assert.strictEqual(
      serviceBlockedReason(false, settings({ 'service.url': 'https://evil.example:8080' })),
      'Not connecting: sparkOptimizer.service.url comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.',
    );
    assert.match(
      serviceBlockedReason(false, settings({}, { 'service.caFile': '/tmp/ca.pem' })) ?? '',
      /service\.caFile/,
    );
    // Trusted, or set only in the user's settings: used.
    assert.strictEqual(serviceBlockedReason(true, settings({ 'service.url': 'https://team.example' })), null);
    assert.strictEqual(serviceBlockedReason(false, settings({})), null);
    // A History Server setting does not block the service, and the reverse.
    assert.strictEqual(serviceBlockedReason(false, settings({ 'historyServer.url': 'http://shs:18080' })), null);
    assert.strictEqual(historyServerBlockedReason(false, settings({ 'service.url': 'https://team.example' })), null);
  });

  it('a restricted workspace that names an object-store endpoint is refused, naming the setting', () => {
    // The requests are signed with the user's cloud credentials: a workspace must not choose where they go.
    assert.strictEqual(
      objectStoreBlockedReason(false, settings({}, { 'objectStore.endpointUrl': 'http://evil:9000' })),
      'Not connecting: sparkOptimizer.objectStore.endpointUrl comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.',
    );
    assert.strictEqual(
      objectStoreBlockedReason(true, settings({ 'objectStore.endpointUrl': 'http://evil:9000' })),
      null,
    );
    assert.strictEqual(objectStoreBlockedReason(false, settings({ 'historyServer.url': 'http://evil:18080' })), null);
  });

  it('lists the restricted settings a restricted workspace sets, and only those', () => {
    const s = settings(
      {
        'sparkOptimizer.historyServer.url': 'http://evil:18080',
        'sparkOptimizer.cluster.nodeCores': 8,
        'sparkOptimizer.historyDatabase': '/tmp/other.db',
      },
      { 'sparkOptimizer.historyServer.keyFile': '/tmp/key.pem' },
    );
    assert.deepStrictEqual(ignoredWorkspaceSettings(false, s), [
      'sparkOptimizer.historyDatabase',
      'sparkOptimizer.historyServer.url',
      'sparkOptimizer.historyServer.keyFile',
    ]);
  });

  it('reads the restricted keys a settings file sets, which VS Code hides from inspect in restricted mode', () => {
    // A .vscode/settings.json as people write it: comments, a trailing comma, dotted keys.
    const folderFile = `{
      // team History Server
      "sparkOptimizer.historyServer.url": "http://evil:18080",
      "sparkOptimizer.cluster.nodeCores": 8,
      "sparkOptimizer.historyDatabase": null,
      "editor.tabSize": 2,
    }`;
    assert.deepStrictEqual(restrictedKeysInSettingsText(folderFile), ['sparkOptimizer.historyServer.url']);
    // A .code-workspace file: the "settings" object, here nested.
    const workspaceFile =
      '{ "folders": [{ "path": "." }], "settings": { "sparkOptimizer": { "sparkConnect": { "url": "sc://evil:15002" }, "eventLogFolder": "/tmp/logs" } } }';
    assert.deepStrictEqual(restrictedKeysInSettingsText(workspaceFile), [
      'sparkOptimizer.eventLogFolder',
      'sparkOptimizer.sparkConnect.url',
    ]);
    assert.deepStrictEqual(restrictedKeysInSettingsText('{ "sparkOptimizer.historyServer.url": '), []);
  });
});
