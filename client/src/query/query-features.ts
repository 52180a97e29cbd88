/**
 * The editor side of running Spark SQL on a Spark Connect server: commands "Spark: Run Query", "Spark: Explain
 * Query", "Spark: Set Spark Connect Token", the "Run on Spark" code lenses, the result panel, a diagnostic at the
 * SQL position of a Spark error, and a status-bar item from a SparkVersion health check. All Spark work happens in
 * the language server (server/src/handlers/connect.ts); this file only asks and shows (and words the remedies,
 * client/src/remedies.ts).
 *
 * Security: the token lives only in SecretStorage (`sparkOptimizer.sparkConnect.token`); in an untrusted workspace
 * a URL or CA file set in workspace settings is not used.
 */
import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { ResponseError, type LanguageClient } from 'vscode-languageclient/node';
import {
  ConnectExplainRequest,
  ConnectQueryProgressNotification,
  ConnectRunQueryRequest,
  ConnectStatusRequest,
  SETTINGS_SECTION,
  SqlStatementsRequest,
  type SqlStatement,
  type ConnectErrorData,
  RequestErrorCodes,
  type JdbcViewTarget,
  type SparkConnectTarget,
} from '../../../shared/src/protocol';
import { sparkConnectBlockedReason } from './connect-trust';
import { ResultPanel } from './result-panel';
import { escapeMessageLinks } from '../../../shared/src/escape';
import { COMMANDS, commandOf, type QueryLocation } from '../../../shared/src/commands';
import { registerCommand } from '../commands';
import { errorMessage } from '../../../shared/src/errors';
import { setting, updateUserSetting } from '../settings';
import { sparkConnectRemedy } from '../remedies';

const TOKEN_KEY = 'sparkOptimizer.sparkConnect.token';
/** SecretStorage key of a JDBC view's password. */
const jdbcPasswordKey = (view: string) => `sparkOptimizer.sparkConnect.jdbcPassword.${view}`;
const SQL_LANGUAGES = ['sql', 'python'];

interface Picked {
  doc: vscode.TextDocument;
  sql: string;
  /** Document offset of each SQL character. */
  offsets: number[];
}

/** Owns the Spark Connect commands, lenses, diagnostics, panel and status item. */
export class QueryFeatures implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('spark-sql');
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 49);
  private readonly panel: ResultPanel;

  constructor(
    private readonly ext: vscode.ExtensionContext,
    private readonly client: () => LanguageClient | null,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.panel = new ResultPanel(output, ext.extensionUri);
    this.disposables.push(this.diagnostics, this.status, this.panel);
    this.disposables.push(
      registerCommand('runQuery', (loc) => this.run(loc)),
      registerCommand('explainQuery', (loc) => this.explain(loc)),
      registerCommand('setSparkConnectToken', () => this.setToken()),
      registerCommand('setJdbcPassword', () => this.setJdbcPassword()),
      vscode.languages.registerCodeLensProvider(
        SQL_LANGUAGES.flatMap((language) => [
          { language, scheme: 'file' },
          { language, scheme: 'untitled' },
        ]),
        { provideCodeLenses: (doc) => this.codeLenses(doc) },
      ),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sparkOptimizer.sparkConnect')) void this.healthCheck();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.diagnostics.delete(e.document.uri)),
    );
    this.status.command = COMMANDS.runQuery;
  }

  /**
   * The Spark Connect server to use, or undefined (after telling the user why when `interactive`).
   * In an untrusted workspace, a URL or CA file from workspace settings is refused.
   */
  private async target(interactive: boolean): Promise<SparkConnectTarget | undefined> {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const blocked = sparkConnectBlockedReason(vscode.workspace.isTrusted, (key) => config.inspect(key));
    if (blocked) {
      if (interactive) void vscode.window.showErrorMessage(blocked);
      this.showStatus(false, blocked);
      return undefined;
    }
    let url = setting('sparkConnect.url');
    if (!url && interactive) {
      url =
        (await vscode.window.showInputBox({
          title: 'Spark Connect server',
          prompt:
            'Connection string of the Spark Connect server (no token here: it is asked for next and kept in SecretStorage)',
          placeHolder: 'sc://spark-connect.example.com:15002/;use_ssl=true',
          ignoreFocusOut: true,
          validateInput: (v) => (v.startsWith('sc://') ? undefined : 'A Spark Connect URL starts with sc://'),
        })) ?? '';
      if (!url) return undefined;
      await updateUserSetting('sparkConnect.url', url);
    }
    if (!url) return undefined;
    const token = await this.ext.secrets.get(TOKEN_KEY);
    const caFile = setting('sparkConnect.caFile');
    return { url, ...(token ? { token } : {}), ...(caFile ? { caFile } : {}) };
  }

  /** "Spark: Set Spark Connect Token": stores (or, when empty, deletes) the bearer token in SecretStorage. */
  async setToken(): Promise<void> {
    const token = await vscode.window.showInputBox({
      title: 'Spark Connect token',
      prompt:
        'Bearer token of the Spark Connect server (spark.connect.authenticate.token). Empty to remove the stored token.',
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token) await this.ext.secrets.store(TOKEN_KEY, token);
    else await this.ext.secrets.delete(TOKEN_KEY);
    await this.healthCheck();
  }

  /** The JDBC views of the settings (`sparkOptimizer.sparkConnect.jdbcViews`), each with its password from SecretStorage. */
  private async jdbcViews(): Promise<JdbcViewTarget[]> {
    // Checked by the settings schema: an invalid list (a view without name, url or dbtable) reads as no views.
    const views = setting('sparkConnect.jdbcViews');
    return Promise.all(
      views.map(async (v) => {
        const password = await this.ext.secrets.get(jdbcPasswordKey(v.name));
        const { name, url, dbtable, user, options } = v;
        return {
          name,
          url,
          dbtable,
          ...(user ? { user } : {}),
          ...(options ? { options } : {}),
          ...(password ? { password } : {}),
        };
      }),
    );
  }

  /** "Spark: Set JDBC Password": stores (or, when empty, deletes) the password of one JDBC view in SecretStorage. */
  async setJdbcPassword(): Promise<void> {
    const views = setting('sparkConnect.jdbcViews');
    if (views.length === 0) {
      void vscode.window.showInformationMessage(
        'No JDBC views: add one to sparkOptimizer.sparkConnect.jdbcViews (name, url, dbtable, user) first.',
      );
      return;
    }
    const picked =
      views.length === 1
        ? views[0]
        : (
            await vscode.window.showQuickPick(
              views.map((v) => ({ label: v.name, description: `${v.dbtable} — ${v.url}`, view: v })),
              { title: 'JDBC view' },
            )
          )?.view;
    if (!picked) return;
    const password = await vscode.window.showInputBox({
      title: `Password of ${picked.user ?? 'the user'} for JDBC view ${picked.name}`,
      prompt: 'Kept in SecretStorage and sent to Spark only as a JDBC option of the view. Empty to remove it.',
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return;
    if (password) await this.ext.secrets.store(jdbcPasswordKey(picked.name), password);
    else await this.ext.secrets.delete(jdbcPasswordKey(picked.name));
  }

  /** Health check (AnalyzePlan SparkVersion) → status bar: "Spark 4.3.0" or why not. Hidden without a URL. */
  async healthCheck(): Promise<void> {
    const client = this.client();
    const target = await this.target(false);
    if (!client || !target) {
      if (!target) this.status.hide();
      return;
    }
    const r = await client
      .sendRequest(ConnectStatusRequest.type, { target })
      .catch((e: unknown): ConnectStatusRequest.Result => ({ ok: false, reason: errorMessage(e) }));
    if (r.ok)
      this.showStatus(
        true,
        `Spark Connect ${target.url.replace(/;token=[^;]*/i, ';token=***')}: Spark ${r.sparkVersion}${r.appId ? `, application ${r.appId}` : ''}. Click to run the query under the cursor.`,
        r.sparkVersion,
      );
    else {
      const remedy = sparkConnectRemedy(r.kind, r.tokenGiven);
      this.showStatus(false, `${r.reason}${remedy ? `; ${remedy}` : ''}`);
    }
  }

  private showStatus(ok: boolean, tooltip: string, version?: string): void {
    this.status.text = ok ? `$(zap) Spark ${version}` : '$(debug-disconnect) Spark Connect';
    this.status.tooltip = tooltip;
    this.status.backgroundColor = ok ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
    this.status.show();
  }

  private async statements(doc: vscode.TextDocument): Promise<SqlStatement[]> {
    const client = this.client();
    if (!client) return [];
    const r = await client.sendRequest(SqlStatementsRequest.type, { languageId: doc.languageId, text: doc.getText() });
    return r.statements;
  }

  private async codeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const statements = await this.statements(doc).catch(() => []);
    return statements.flatMap((s) => {
      const range = new vscode.Range(doc.positionAt(s.anchor), doc.positionAt(s.anchor));
      const loc: QueryLocation = { uri: doc.uri.toString(), offset: s.start };
      return [
        new vscode.CodeLens(range, commandOf('Run on Spark', 'runQuery', loc)),
        new vscode.CodeLens(range, commandOf('Explain', 'explainQuery', loc)),
      ];
    });
  }

  /** The SQL to run: the statement at a code lens location, else the selection, else the statement under the cursor. */
  private async pick(loc?: QueryLocation): Promise<Picked | undefined> {
    let doc: vscode.TextDocument | undefined;
    let offset: number;
    if (loc) {
      doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(loc.uri));
      offset = loc.offset;
    } else {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage(
          'Open a .sql file or a Python file with spark.sql("...") to run a query.',
        );
        return undefined;
      }
      doc = editor.document;
      if (!editor.selection.isEmpty) {
        const start = doc.offsetAt(editor.selection.start);
        const sql = doc.getText(editor.selection);
        return { doc, sql, offsets: Array.from({ length: sql.length }, (_, k) => start + k) };
      }
      offset = doc.offsetAt(editor.selection.active);
    }
    const statements = await this.statements(doc);
    const s = statements.find((x) => offset >= Math.min(x.anchor, x.start) && offset <= x.end + 1);
    if (!s) {
      void vscode.window.showInformationMessage(
        doc.languageId === 'python'
          ? 'Put the cursor on a spark.sql("...") call, or select the SQL to run.'
          : 'No SQL statement under the cursor; select the SQL to run.',
      );
      return undefined;
    }
    return { doc, sql: s.sql, offsets: s.offsets };
  }

  /** "Spark: Run Query". */
  async run(loc?: QueryLocation): Promise<void> {
    const client = this.client();
    const picked = await this.pick(loc);
    if (!client || !picked) return;
    const target = await this.target(true);
    if (!target) return;
    const queryId = randomUUID();
    const title = `Spark: ${picked.sql.replace(/\s+/g, ' ').slice(0, 40)}`;
    this.diagnostics.delete(picked.doc.uri);
    this.panel.running(title, picked.sql);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Running on Spark', cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const sub = client.onNotification(ConnectQueryProgressNotification.type, (p) => {
          if (p.queryId !== queryId) return;
          const pct = p.tasksTotal > 0 ? (p.tasksDone / p.tasksTotal) * 100 : 0;
          progress.report({
            message: `stages ${p.stagesDone}/${p.stages}, tasks ${p.tasksDone}/${p.tasksTotal}`,
            increment: Math.max(0, pct - reported),
          });
          reported = Math.max(reported, pct);
        });
        try {
          const result = await client.sendRequest(
            ConnectRunQueryRequest.type,
            {
              target,
              jdbcViews: await this.jdbcViews(),
              sql: picked.sql,
              queryId,
              maxRows: setting('sparkConnect.maxRows'),
              maxBytes: 64 * 1024 * 1024,
            },
            token,
          );
          this.panel.result(title, picked.sql, result);
          void this.healthCheck();
        } catch (e) {
          if (token.isCancellationRequested) {
            this.panel.cancelled(title, picked.sql, 'Cancelled: Spark was asked to interrupt the query.');
            return;
          }
          this.showError(title, picked, e);
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /** "Spark: Explain Query": Spark's formatted plan in the result panel. */
  async explain(loc?: QueryLocation): Promise<void> {
    const client = this.client();
    const picked = await this.pick(loc);
    if (!client || !picked) return;
    const target = await this.target(true);
    if (!target) return;
    const title = `Plan: ${picked.sql.replace(/\s+/g, ' ').slice(0, 40)}`;
    this.diagnostics.delete(picked.doc.uri);
    try {
      const r = await client.sendRequest(ConnectExplainRequest.type, { target, sql: picked.sql, mode: 'formatted' });
      this.panel.plan(title, picked.sql, r.plan);
    } catch (e) {
      this.showError(title, picked, e);
    }
  }

  /** Error message with Spark's error class, the panel, and a diagnostic at the SQL range Spark reported. */
  private showError(title: string, picked: Picked, e: unknown): void {
    const data =
      e instanceof ResponseError && e.code === RequestErrorCodes.connectFailed
        ? (e.data as ConnectErrorData | undefined)
        : undefined;
    const remedy = sparkConnectRemedy(data?.kind, data?.tokenGiven);
    const message = `${errorMessage(e)}${remedy ? `; ${remedy}` : ''}`;
    const firstLine = message.trim().split('\n')[0];
    this.panel.error(title, picked.sql, message, data?.errorClass, data?.sqlState);
    if (data?.sqlRange && picked.offsets.length > 0) {
      const at = (k: number) => picked.offsets[Math.max(0, Math.min(k, picked.offsets.length - 1))];
      const start = picked.doc.positionAt(at(data.sqlRange.start));
      const end = picked.doc.positionAt(at(data.sqlRange.end - 1) + 1);
      const d = new vscode.Diagnostic(new vscode.Range(start, end), firstLine, vscode.DiagnosticSeverity.Error);
      d.source = 'Spark';
      if (data.errorClass) d.code = data.errorClass;
      this.diagnostics.set(picked.doc.uri, [d]);
    }
    this.output.warn(`Spark query failed: ${firstLine}`);
    const action = data?.kind === 'auth' ? 'Set Token' : undefined;
    const shown =
      data?.errorClass && !firstLine.includes(data.errorClass) ? `[${data.errorClass}] ${firstLine}` : firstLine;
    void vscode.window.showErrorMessage(escapeMessageLinks(shown), ...(action ? [action] : [])).then((a) => {
      if (a) void this.setToken();
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
