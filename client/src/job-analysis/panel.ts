import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { JobAnalysisRequest, ListJobsRequest } from '../../../shared/src/protocol';
import { runLabel } from '../../../shared/src/run-label';
import { jobAnalysisHtml } from './html';
import { escapeMessageLinks } from '../../../shared/src/escape';
import type { OpenJobAnalysisArgs } from '../../../shared/src/commands';
import { executeCommand } from '../commands';
import { errorMessage } from '../../../shared/src/errors';

/**
 * The job-analysis webview: one panel, reused; its content is the server's `sparkOptimizer/jobAnalysis` answer
 * rendered by `jobAnalysisHtml`. Only `client/out/webview` is a local resource root; scripts need the page's
 * nonce; the page talks back only with `{ type: 'selectRun', appId, attemptId }` (`attemptId` '' for none).
 */
export class JobAnalysisPanel implements vscode.Disposable {
  /** The webview panel's view type (also the e2e tests' handle). */
  static readonly viewType = 'sparkOptimizer.jobAnalysis';
  private panel: vscode.WebviewPanel | null = null;
  private current: OpenJobAnalysisArgs = {};

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => BaseLanguageClient | null,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Opens (or updates) the view for a job. Without `appName`/`appId`, asks with a quick pick of the stored jobs.
   * @returns the job shown, or null when nothing was picked or the job is not stored (a message says so).
   */
  async open(args: OpenJobAnalysisArgs | undefined): Promise<string | null> {
    const client = this.client();
    if (!client) {
      void vscode.window.showErrorMessage('The Spark Optimizer language server is not running; see "Spark Optimizer: Show Logs".');
      return null;
    }
    let a = args && typeof args === 'object' ? { ...args } : {};
    if (!a.appName && !a.appId) {
      const jobs = await client.sendRequest(ListJobsRequest.type);
      if (jobs.length === 0) {
        const pick = await vscode.window.showInformationMessage('The Spark history store holds no runs yet.', 'Collect History from Event Logs');
        if (pick) await executeCommand('collectFromEventLogs');
        return null;
      }
      const picked = await vscode.window.showQuickPick(
        jobs.map((j) => ({ label: j.appName, description: `${j.runs} run(s)`, detail: `newest ${new Date(j.lastStartTimeMs).toLocaleString()} · median ${(j.medianDurationMs / 1000).toFixed(1)} s` })),
        { title: 'Spark job to analyse', matchOnDescription: true },
      );
      if (!picked) return null;
      a = { appName: picked.label };
    }
    this.current = a;
    return this.render();
  }

  /** Shows the same job again with the store's current runs (after a collection); nothing when the view is closed. */
  async refresh(): Promise<void> {
    if (this.panel) await this.render();
  }

  private async render(): Promise<string | null> {
    const client = this.client();
    if (!client) return null;
    const data = await client.sendRequest(JobAnalysisRequest.type, this.current);
    if (!data) {
      void vscode.window.showWarningMessage(escapeMessageLinks(`No runs of ${this.current.appName ?? this.current.appId} in the Spark history store.`));
      return null;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'client', 'out', 'webview');
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(JobAnalysisPanel.viewType, `Spark job ${data.appName}`, vscode.ViewColumn.Beside, {
        enableScripts: true,
        localResourceRoots: [root],
        retainContextWhenHidden: false,
      });
      this.panel.onDidDispose(() => (this.panel = null));
      this.panel.webview.onDidReceiveMessage((m: unknown) => {
        const msg = m as { type?: unknown; appId?: unknown; attemptId?: unknown } | null;
        if (typeof msg === 'object' && msg !== null && msg.type === 'selectRun' && typeof msg.appId === 'string') {
          const attemptId = typeof msg.attemptId === 'string' ? msg.attemptId || null : undefined;
          this.current = { ...this.current, appId: msg.appId, attemptId };
          void this.render().catch((e) => this.log.error(`Job analysis: ${errorMessage(e)}`));
        }
      });
    }
    const webview = this.panel.webview;
    this.panel.title = `Spark job ${data.appName}`;
    webview.html = jobAnalysisHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('hex'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'job-analysis.js')).toString(),
      data,
    });
    this.panel.reveal(undefined, true);
    this.log.info(`Job analysis of ${data.appName}: ${data.runs.length} run(s), showing ${runLabel(data.selectedAppId, data.selectedAttemptId)}`);
    return data.appName;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
