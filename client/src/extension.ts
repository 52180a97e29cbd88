import * as vscode from 'vscode';
import { Ctx } from './ctx';
import { QueryFeatures } from './query/query-features';

let ctx: Ctx | undefined;

/** Activates the extension: starts the language server and registers the commands. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const c = ctx;
  c.own(vscode.commands.registerCommand('sparkOptimizer.collectFromEventLogs', () => c.collectFromEventLogs()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.collectFromHistoryServer', () => c.collectFromHistoryServer(false)));
  c.own(vscode.commands.registerCommand('sparkOptimizer.setHistoryServerCredentials', () => c.setHistoryServerCredentials()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.showLogs', () => c.output.show()));
  c.own(vscode.commands.registerCommand('sparkOptimizer.restartServer', () => c.restart()));
  c.own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Only launch-time settings restart the server.
      if (e.affectsConfiguration('sparkOptimizer.historyDatabase')) void c.restart();
      if (e.affectsConfiguration('sparkOptimizer.collectIntervalMinutes')) c.scheduleBackgroundCollection();
    }),
  );
  const query = new QueryFeatures(context, () => c.languageClient(), c.output);
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
