/** Workspace Trust for Spark Connect (client/src/query/connect-trust.ts): never a workspace's URL or CA when untrusted. */
import * as assert from 'assert';
import { sparkConnectBlockedReason, type WorkspaceValues } from '../client/src/query/connect-trust';

function inspectOf(values: Record<string, WorkspaceValues>): (key: string) => WorkspaceValues | undefined {
  return (key) => values[key];
}

describe('Spark Connect in an untrusted workspace', () => {
  it('refuses a URL from workspace settings, naming the setting', () => {
    const reason = sparkConnectBlockedReason(false, inspectOf({ 'sparkConnect.url': { workspaceValue: 'sc://evil.example:15002' } }));
    assert.strictEqual(reason, 'Not connecting: sparkOptimizer.sparkConnect.url comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.');
  });
  it('refuses a CA file from folder settings', () => {
    const reason = sparkConnectBlockedReason(false, inspectOf({ 'sparkConnect.caFile': { workspaceFolderValue: '/repo/ca.pem' } }));
    assert.match(reason ?? '', /sparkOptimizer\.sparkConnect\.caFile comes from the settings of an untrusted workspace/);
  });
  it('allows user settings when untrusted, and anything when trusted', () => {
    assert.strictEqual(sparkConnectBlockedReason(false, inspectOf({ 'sparkConnect.url': {} })), null);
    assert.strictEqual(sparkConnectBlockedReason(true, inspectOf({ 'sparkConnect.url': { workspaceValue: 'sc://h' } })), null);
  });
});
