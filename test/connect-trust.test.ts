/** Workspace Trust for Spark Connect (client/src/query/connect-trust.ts): never a workspace's URL or CA when untrusted. */
import * as assert from 'assert';
import { sparkConnectBlockedReason, type WorkspaceValues } from '../client/src/query/connect-trust';

function inspectOf(values: Record<string, WorkspaceValues>): (key: string) => WorkspaceValues | undefined {
  return (key) => values[key];
}

describe('Spark Connect in an untrusted workspace', () => {
  it('refuses a URL from workspace settings, naming the setting', () => {
    const reason = sparkConnectBlockedReason(
      false,
      inspectOf({ 'sparkConnect.url': { workspaceValue: 'sc://evil.example:15002' } }),
    );
    assert.strictEqual(
      reason,
      'Not connecting: sparkOptimizer.sparkConnect.url comes from the settings of an untrusted workspace. Trust the workspace, or set it in your user settings.',
    );
  });
  it('refuses a CA file from folder settings', () => {
    const reason = sparkConnectBlockedReason(
      false,
      inspectOf({ 'sparkConnect.caFile': { workspaceFolderValue: '/repo/ca.pem' } }),
    );
    assert.match(
      reason ?? '',
      /sparkOptimizer\.sparkConnect\.caFile comes from the settings of an untrusted workspace/,
    );
  });
  it('allows user settings when untrusted, and anything when trusted', () => {
    // A workspace's JDBC views name database servers too; an empty list is no value.
    const views = sparkConnectBlockedReason(
      false,
      inspectOf({
        'sparkConnect.jdbcViews': { workspaceValue: [{ name: 'o', url: 'jdbc:mysql://evil:3306/x', dbtable: 't' }] },
      }),
    );
    assert.match(
      views ?? '',
      /sparkOptimizer\.sparkConnect\.jdbcViews comes from the settings of an untrusted workspace/,
    );
    assert.strictEqual(
      sparkConnectBlockedReason(false, inspectOf({ 'sparkConnect.jdbcViews': { workspaceValue: [] } })),
      null,
    );
    assert.strictEqual(sparkConnectBlockedReason(false, inspectOf({ 'sparkConnect.url': {} })), null);
    assert.strictEqual(
      sparkConnectBlockedReason(true, inspectOf({ 'sparkConnect.url': { workspaceValue: 'sc://h' } })),
      null,
    );
  });
});
