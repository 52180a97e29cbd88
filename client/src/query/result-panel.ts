/**
 * The query result webview panel (one, reused): shows results, plans and errors sent from `QueryFeatures`, and does
 * what its buttons ask — copy or save the result as CSV/JSON (shared/src/spark-query.ts), or open the run's
 * analysis (`sparkOptimizer.openJobAnalysis` with `{ appId }`, a command of the job-analysis view).
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { toCsv, toJsonRecords, type QueryResultPayload } from '../../../shared/src/spark-query';
import { resultPanelHtml } from './result-html';
import { escapeMessageLinks } from '../../../shared/src/escape';

type Message = Record<string, unknown> & { type: string };

/** The result panel. */
export class ResultPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private last: QueryResultPayload | undefined;

  constructor(private readonly output: vscode.LogOutputChannel) {}

  private post(m: Message): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('sparkOptimizer.queryResult', 'Spark Query', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [],
        retainContextWhenHidden: true,
      });
      this.panel.webview.html = resultPanelHtml(randomBytes(16).toString('base64'));
      this.panel.webview.onDidReceiveMessage((msg: unknown) => void this.onMessage(msg));
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.last = undefined;
      });
    }
    this.panel.title = String(m.title ?? 'Spark Query');
    this.panel.reveal(undefined, true);
    void this.panel.webview.postMessage(m);
  }

  running(title: string, sql: string): void {
    this.last = undefined;
    this.post({ type: 'running', title, sql });
  }

  result(title: string, sql: string, result: QueryResultPayload): void {
    this.last = result;
    this.post({ type: 'result', title, sql, result });
  }

  plan(title: string, sql: string, plan: string): void {
    this.last = undefined;
    this.post({ type: 'plan', title, sql, plan });
  }

  error(title: string, sql: string, message: string, errorClass?: string, sqlState?: string): void {
    this.last = undefined;
    this.post({ type: 'error', title, sql, message, errorClass, sqlState });
  }

  /** The query was cancelled by the user; `message` says what was done about it on Spark. */
  cancelled(title: string, sql: string, message: string): void {
    this.last = undefined;
    this.post({ type: 'cancelled', title, sql, message });
  }

  private async onMessage(msg: unknown): Promise<void> {
    const m = msg as { command?: string; format?: string; appId?: unknown };
    if (m.command === 'openAnalysis' && typeof m.appId === 'string') {
      await vscode.commands.executeCommand('sparkOptimizer.openJobAnalysis', { appId: m.appId }).then(undefined, (e: unknown) => {
        void vscode.window.showWarningMessage(escapeMessageLinks(`Could not open the analysis of ${m.appId}: ${e instanceof Error ? e.message : String(e)} (collect the Spark Connect server's event logs first).`));
      });
      return;
    }
    const r = this.last;
    if (!r || (m.format !== 'csv' && m.format !== 'json')) return;
    const text = m.format === 'csv' ? toCsv(r.columns, r.rows) : toJsonRecords(r.columns, r.rows);
    if (m.command === 'copy') {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage(`Copied ${r.rows.length} rows as ${m.format.toUpperCase()}`, 3000);
    } else if (m.command === 'save') {
      const uri = await vscode.window.showSaveDialog({ filters: m.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] }, saveLabel: 'Save result' });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
      this.output.info(`Saved ${r.rows.length} rows to ${uri.fsPath}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
