/**
 * The query result webview panel (one, reused): shows results, plans and errors sent from `QueryFeatures`, and does
 * what its buttons ask — copy or save the CSV/JSON text the page made from the result's Arrow batches, or open the
 * run's analysis (`sparkOptimizer.openWorkloadAnalysis` with `{ appId }`, a command of the workload-analysis view). A result
 * goes to the page as the Arrow IPC bytes the language server passed on (client/src/webview/query-result.ts reads
 * them), never as rows.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { QueryResultPayload, QueryResultView } from '../../../shared/src/spark-query';
import { resultPanelHtml } from './result-html';
import { executeCommand } from '../commands';
import { escapeMessageLinks } from '../../../shared/src/escape';
import { errorMessage } from '../../../shared/src/errors';

type Message = Record<string, unknown> & { type: string };

/** The result panel. */
export class ResultPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** Whether the page shows a result (copy/save requests are honoured only then). */
  private hasResult = false;

  /** @param extensionUri the extension's folder (the page's script is client/out/webview/query-result.js in it). */
  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly extensionUri: vscode.Uri,
  ) {}

  private post(m: Message): void {
    if (!this.panel) {
      const root = vscode.Uri.joinPath(this.extensionUri, 'client', 'out', 'webview');
      this.panel = vscode.window.createWebviewPanel(
        'sparkOptimizer.queryResult',
        'Spark Query',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          localResourceRoots: [root],
          retainContextWhenHidden: true,
        },
      );
      const webview = this.panel.webview;
      webview.html = resultPanelHtml(
        randomBytes(16).toString('base64'),
        webview.asWebviewUri(vscode.Uri.joinPath(root, 'query-result.js')).toString(),
      );
      webview.onDidReceiveMessage((msg: unknown) => void this.onMessage(msg));
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.hasResult = false;
      });
    }
    this.panel.title = typeof m.title === 'string' ? m.title : 'Spark Query';
    this.panel.reveal(undefined, true);
    void this.panel.webview.postMessage(m);
  }

  running(title: string, sql: string): void {
    this.hasResult = false;
    this.post({ type: 'running', title, sql });
  }

  /** Shows a result: its Arrow IPC streams go to the page as bytes (base64 from the language server decoded here). */
  result(title: string, sql: string, payload: QueryResultPayload): void {
    const { arrowBase64, ...meta } = payload;
    const result: QueryResultView = {
      ...meta,
      arrow: arrowBase64.map((b) => new Uint8Array(Buffer.from(b, 'base64'))),
    };
    this.hasResult = true;
    this.post({ type: 'result', title, sql, result });
  }

  plan(title: string, sql: string, plan: string): void {
    this.hasResult = false;
    this.post({ type: 'plan', title, sql, plan });
  }

  error(title: string, sql: string, message: string, errorClass?: string, sqlState?: string): void {
    this.hasResult = false;
    this.post({ type: 'error', title, sql, message, errorClass, sqlState });
  }

  /** The query was cancelled by the user; `message` says what was done about it on Spark. */
  cancelled(title: string, sql: string, message: string): void {
    this.hasResult = false;
    this.post({ type: 'cancelled', title, sql, message });
  }

  private async onMessage(msg: unknown): Promise<void> {
    const m = msg as { command?: string; format?: string; appId?: unknown; text?: unknown; rowCount?: unknown };
    if (m.command === 'openAnalysis' && typeof m.appId === 'string') {
      const appId = m.appId;
      await executeCommand('openWorkloadAnalysis', { appId }).then(undefined, (e: unknown) => {
        void vscode.window.showWarningMessage(
          escapeMessageLinks(
            `Could not open the analysis of ${appId}: ${errorMessage(e)} (collect the Spark Connect server's event logs first).`,
          ),
        );
      });
      return;
    }
    if (!this.hasResult || (m.format !== 'csv' && m.format !== 'json') || typeof m.text !== 'string') return;
    const text = m.text;
    const rows = typeof m.rowCount === 'number' ? m.rowCount : 0;
    if (m.command === 'copy') {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage(`Copied ${rows} rows as ${m.format.toUpperCase()}`, 3000);
    } else if (m.command === 'save') {
      const uri = await vscode.window.showSaveDialog({
        filters: m.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
        saveLabel: 'Save result',
      });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
      this.output.info(`Saved ${rows} rows to ${uri.fsPath}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
