import * as vscode from 'vscode';
import { Ctx } from './ctx';
import { WorkloadAnalysisPanel } from './workload-analysis/panel';
import { executeCommand, registerCommand } from './commands';
import { setting } from './settings';
import type { CommandName } from '../../shared/src/commands';
import { QueryFeatures } from './query/query-features';
import { errorMessage } from '../../shared/src/errors';

let ctx: Ctx | undefined;

/** Status-bar menu entries: label and the command each runs. */
const ACTIONS: { label: string; detail: string; command: CommandName }[] = [
  {
    label: '$(folder-opened) Collect History from Event Logs',
    detail: 'Read a folder of Spark event logs into the store',
    command: 'collectFromEventLogs',
  },
  {
    label: '$(cloud-download) Collect History from History Server',
    detail: 'Download new runs from sparkOptimizer.historyServer.url',
    command: 'collectFromHistoryServer',
  },
  {
    label: '$(cloud-download) Collect History from Object Storage',
    detail: 'Read the event logs under an s3://, gs://, abfss:// or wasbs:// URL',
    command: 'collectFromObjectStorage',
  },
  {
    label: '$(organization) Collect History on the Team Service',
    detail: 'Service mode: start a collection of one of the service’s sources and follow it',
    command: 'collectOnTeamService',
  },
  {
    label: '$(graph) Open Workload Analysis',
    detail: 'Runs over time, stage timeline, executors and recommendations of a workload',
    command: 'openWorkloadAnalysis',
  },
  {
    label: '$(eye) Show Dismissed Recommendations',
    detail: 'Recommendations dismissed in the open files; pick one to show it again',
    command: 'showDismissedRecommendations',
  },
  {
    label: '$(key) Set History Server Credentials',
    detail: 'Kept in VS Code SecretStorage',
    command: 'setHistoryServerCredentials',
  },
  {
    label: '$(organization) Set Team Service Token',
    detail: 'For sparkOptimizer.service.url; kept in VS Code SecretStorage',
    command: 'setServiceToken',
  },
  { label: '$(output) Show Logs', detail: 'The Spark Optimizer output channel', command: 'showLogs' },
  {
    label: '$(output) Show Language Server Logs',
    detail: 'The Spark Optimizer Language Server output channel',
    command: 'showServerLogs',
  },
  { label: '$(debug-restart) Restart Language Server', detail: '', command: 'restartServer' },
  {
    label: '$(book) Get Started',
    detail: 'The walkthrough from install to the first recommendation',
    command: 'openWalkthrough',
  },
];

/** Activates the extension: starts the language server and registers the commands. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const c = ctx;
  const workloadAnalysis = new WorkloadAnalysisPanel(context.extensionUri, () => c.languageClient, c.output);
  c.own(workloadAnalysis);
  c.own(
    c.onCollected(
      () => void workloadAnalysis.refresh().catch((e) => c.output.error(`Workload analysis: ${errorMessage(e)}`)),
    ),
  );
  c.own(registerCommand('collectFromEventLogs', () => c.collectFromEventLogs()));
  c.own(registerCommand('collectFromHistoryServer', () => c.collectFromHistoryServer(false)));
  c.own(registerCommand('collectFromObjectStorage', () => c.collectFromObjectStorage()));
  c.own(registerCommand('collectOnTeamService', () => c.collectOnTeamService()));
  c.own(registerCommand('setHistoryServerCredentials', () => c.setHistoryServerCredentials()));
  c.own(registerCommand('setServiceToken', () => c.setServiceToken()));
  c.own(registerCommand('showLogs', () => c.output.show()));
  c.own(registerCommand('showServerLogs', () => c.serverOutput.show()));
  c.own(registerCommand('restartServer', () => c.restart()));
  c.own(registerCommand('openWorkloadAnalysis', (args) => workloadAnalysis.open(args)));
  // The command's name before the product's recurring job was called a workload (shared/src/commands.ts).
  c.own(registerCommand('openJobAnalysis', (args) => workloadAnalysis.open(args)));
  c.own(
    registerCommand('showActions', async () => {
      const pick = await vscode.window.showQuickPick(ACTIONS, { title: 'Spark Optimizer' });
      if (pick) await executeCommand(pick.command);
    }),
  );
  c.own(
    registerCommand('openWalkthrough', () =>
      vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        `${context.extension.id}#sparkOptimizer.gettingStarted`,
        false,
      ),
    ),
  );
  // Carried by the server's quick fixes: remember the applied change for the before/after feedback.
  c.own(registerCommand('recordAppliedFix', (fixes) => c.recordAppliedFixes({ fixes })));
  // Carried by the server's "Dismiss recommendation…" code actions.
  c.own(registerCommand('dismissRecommendation', (rec) => c.dismissRecommendation(rec)));
  c.own(registerCommand('showDismissedRecommendations', () => c.showDismissedRecommendations()));
  c.own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Only launch-time settings restart the server.
      if (
        e.affectsConfiguration('sparkOptimizer.historyDatabase') ||
        e.affectsConfiguration('sparkOptimizer.service.url') ||
        e.affectsConfiguration('sparkOptimizer.service.caFile')
      )
        void c.restart();
      if (e.affectsConfiguration('sparkOptimizer.collectIntervalMinutes')) c.scheduleBackgroundCollection();
    }),
  );
  // Trust may unblock a team service URL from the workspace settings: a restart reads it.
  c.own(
    vscode.workspace.onDidGrantWorkspaceTrust(() =>
      setting('service.url') ? void c.restart() : void c.refreshStatus(),
    ),
  );
  void c.reportTrust();
  const query = new QueryFeatures(context, () => c.languageClient, c.output);
  c.own(query);
  await c.start();
  void query.healthCheck();
  c.scheduleBackgroundCollection();
  void c.collectOnStartup();
}

/** Stops the language server. */
export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
