import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { WorkloadAnalysisRequest, ListWorkloadsRequest } from '../../../shared/src/protocol';
import { runLabel } from '../../../shared/src/run-label';
import { workloadAnalysisHtml } from './html';
import { escapeMessageLinks } from '../../../shared/src/escape';
import type { OpenWorkloadAnalysisArgs } from '../../../shared/src/commands';
import { executeCommand } from '../commands';
import { errorMessage } from '../../../shared/src/errors';

/**
 * The workload-analysis webview: one panel, reused; its content is the server's `sparkOptimizer/workloadAnalysis` answer
 * rendered by `workloadAnalysisHtml`. Only `client/out/webview` is a local resource root; scripts need the page's
 * nonce; the page talks back only with `{ type: 'selectRun', appId, attemptId }` (`attemptId` '' for none).
 */
export class WorkloadAnalysisPanel implements vscode.Disposable {
  /** The webview panel's view type (also the e2e tests' handle). */
  static readonly viewType = 'sparkOptimizer.workloadAnalysis';
  private panel: vscode.WebviewPanel | null = null;
  private current: OpenWorkloadAnalysisArgs = {};

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => BaseLanguageClient | null,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Opens (or updates) the view for a workload (the runs of one `App Name`). Without `appName`/`appId`, asks with a
   * quick pick of the stored workloads.
   * @returns the workload shown, or null when nothing was picked or it is not stored (a message says so).
   */
  async open(args: OpenWorkloadAnalysisArgs | undefined): Promise<string | null> {
    const client = this.client();
    if (!client) {
      void vscode.window.showErrorMessage(
        'The Spark Optimizer language server is not running; see "Spark Optimizer: Show Logs".',
      );
      return null;
    }
    let a = args && typeof args === 'object' ? { ...args } : {};
    if (!a.appName && !a.appId) {
      const workloads = await client.sendRequest(ListWorkloadsRequest.type);
      if (workloads.length === 0) {
        const pick = await vscode.window.showInformationMessage(
          'The Spark history store holds no runs yet.',
          'Collect History from Event Logs',
        );
        if (pick) await executeCommand('collectFromEventLogs');
        return null;
      }
      const picked = await vscode.window.showQuickPick(
        workloads.map((w) => ({
          label: w.appName,
          description: `${w.runs} run(s)`,
          detail: `newest ${new Date(w.lastStartTimeMs).toLocaleString()} · median ${(w.medianDurationMs / 1000).toFixed(1)} s`,
        })),
        { title: 'Spark workload to analyse', matchOnDescription: true },
      );
      if (!picked) return null;
      a = { appName: picked.label };
    }
    this.current = a;
    return this.render();
  }

  /** Shows the same workload again with the store's current runs (after a collection); nothing when the view is closed. */
  async refresh(): Promise<void> {
    if (this.panel) await this.render();
  }

  private async render(): Promise<string | null> {
    const client = this.client();
    if (!client) return null;
    const data = await client.sendRequest(WorkloadAnalysisRequest.type, this.current);
    if (!data) {
      void vscode.window.showWarningMessage(
        escapeMessageLinks(`No runs of ${this.current.appName ?? this.current.appId} in the Spark history store.`),
      );
      return null;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'client', 'out', 'webview');
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        WorkloadAnalysisPanel.viewType,
        `Spark workload ${data.appName}`,
        vscode.ViewColumn.Beside,
        {
          enableScripts: true,
          localResourceRoots: [root],
          retainContextWhenHidden: false,
        },
      );
      this.panel.onDidDispose(() => (this.panel = null));
      this.panel.webview.onDidReceiveMessage((m: unknown) => {
        const msg = m as { type?: unknown; appId?: unknown; attemptId?: unknown } | null;
        if (typeof msg === 'object' && msg !== null && msg.type === 'selectRun' && typeof msg.appId === 'string') {
          const attemptId = typeof msg.attemptId === 'string' ? msg.attemptId || null : undefined;
          this.current = { ...this.current, appId: msg.appId, attemptId };
          void this.render().catch((e) => this.log.error(`Workload analysis: ${errorMessage(e)}`));
        }
      });
    }
    const webview = this.panel.webview;
    this.panel.title = `Spark workload ${data.appName}`;
    webview.html = workloadAnalysisHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('hex'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'workload-analysis.js')).toString(),
      data,
    });
    this.panel.reveal(undefined, true);
    this.log.info(
      `Workload analysis of ${data.appName}: ${data.runs.length} run(s), showing ${runLabel(data.selectedAppId, data.selectedAttemptId)}`,
    );
    return data.appName;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
