import * as vscode from 'vscode';
import { Ctx } from './ctx';
import { JobAnalysisPanel, OpenJobAnalysisArgs } from './job-analysis/panel';
import { RECORD_APPLIED_FIX_COMMAND, type RecordAppliedFixRequest } from '../../shared/src/protocol';
import { QueryFeatures } from './query/query-features';

let ctx: Ctx | undefined;

/** Status-bar menu entries: label and the command each runs. */
const ACTIONS: { label: string; detail: string; command: string }[] = [
  { label: '$(folder-opened) Collect History from Event Logs', detail: 'Read a folder of Spark event logs into the store', command: 'sparkOptimizer.collectFromEventLogs' },
  { label: '$(cloud-download) Collect History from History Server', detail: 'Download new runs from sparkOptimizer.historyServer.url', command: 'sparkOptimizer.collectFromHistoryServer' },
  { label: '$(graph) Open Job Analysis', detail: 'Runs over time, stage timeline, executors and recommendations of a job', command: 'sparkOptimizer.openJobAnalysis' },
  { label: '$(key) Set History Server Credentials', detail: 'Kept in VS Code SecretStorage', command: 'sparkOptimizer.setHistoryServerCredentials' },
  { label: '$(output) Show Logs', detail: 'The Spark Optimizer output channel', command: 'sparkOptimizer.showLogs' },
  { label: '$(output) Show Language Server Logs', detail: 'The Spark Optimizer Language Server output channel', command: 'sparkOptimizer.showServerLogs' },
  { label: '$(debug-restart) Restart Language Server', detail: '', command: 'sparkOptimizer.restartServer' },
  { label: '$(book) Get Started', detail: 'The walkthrough from install to the first recommendation', command: 'sparkOptimizer.openWalkthrough' },
];

/** Activates the extension: starts the language server and registers the commands. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const c = ctx;
  const jobAnalysis = new JobAnalysisPanel(context.extensionUri, () => c.languageClient, c.output);
  c.own(jobAnalysis);
  c.own(c.onCollected(() => void jobAnalysis.refresh().catch((e) => c.output.error(`Job analysis: ${e instanceof Error ? e.message : String(e)}`))));
  c.own(vscode.commands.registerCommand('sparkOptimizer.collectFromEventLogs', () => c.collectFromEventLogs()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.collectFromHistoryServer', () => c.collectFromHistoryServer(false)));
  c.own(vscode.commands.registerCommand('sparkOptimizer.setHistoryServerCredentials', () => c.setHistoryServerCredentials()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.showLogs', () => c.output.show()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.showServerLogs', () => c.serverOutput.show()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.restartServer', () => c.restart()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.openJobAnalysis', (args?: OpenJobAnalysisArgs) => jobAnalysis.open(args)));
  c.own(
    vscode.commands.registerCommand('sparkOptimizer.showActions', async () => {
      const pick = await vscode.window.showQuickPick(ACTIONS, { title: 'Spark Optimizer' });
      if (pick) await vscode.commands.executeCommand(pick.command);
    }),
  );
  c.own(
    vscode.commands.registerCommand('sparkOptimizer.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#sparkOptimizer.gettingStarted`, false),
    ),
  );
  // Carried by the server's quick fixes: remember the applied change for the before/after feedback.
  c.own(vscode.commands.registerCommand(RECORD_APPLIED_FIX_COMMAND, (fixes: RecordAppliedFixRequest.Fix[]) => c.recordAppliedFixes({ fixes })));
  c.own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Only launch-time settings restart the server.
      if (e.affectsConfiguration('sparkOptimizer.historyDatabase')) void c.restart();
      if (e.affectsConfiguration('sparkOptimizer.collectIntervalMinutes')) c.scheduleBackgroundCollection();
    }),
  );
  c.own(vscode.workspace.onDidGrantWorkspaceTrust(() => void c.refreshStatus()));
  void c.reportTrust();
  const query = new QueryFeatures(context, () => c.languageClient, c.output);
  c.own(query);
  await c.start();
  void query.healthCheck();
  c.scheduleBackgroundCollection();
  void c.collectOnStartup();
}

/** Stops the language server. */
export async function deactivate(): Promise<void> {
  ctx?.dispose();
  ctx = undefined;
}
