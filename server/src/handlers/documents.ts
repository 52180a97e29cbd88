/**
 * LSP handlers of the open documents: diagnostics (debounced after each change, again after a settings change or a
 * collection), hover, completion, code actions, code lenses and inlay hints. Glue between the connection and
 * features/ (one module per feature), reading each document's analysis from the root's worker threads.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { errorMessage } from '../../../shared/src/errors';
import { onCodeActions } from '../features/code-actions';
import { onCodeLens } from '../features/code-lens';
import { onCompletion } from '../features/completion';
import { onDiagnostics } from '../features/diagnostics';
import { onHover } from '../features/hover';
import { instancesWhatIf, onInlayHints } from '../features/inlay-hints';
import { documentKind } from '../documents/document-analyses';
import type { ServerRoot } from '../server-root';

/** Diagnostics wait this long after the last keystroke (ms). */
export const DIAGNOSTICS_DEBOUNCE_MS = 300;

/** Lines above the cursor a completion reads for its context (the call or block it is in). */
const COMPLETION_CONTEXT_LINES = 50;

/**
 * Registers the document handlers on the root's connection and documents.
 * @param onSettingsChanged called after `workspace/didChangeConfiguration` dropped the settings cache (the wiring
 *   re-reads the log level there).
 */
export function registerDocumentHandlers(root: ServerRoot, onSettingsChanged: () => void): void {
  const { connection, documents, log } = root;
  const pending = new Map<string, NodeJS.Timeout>();

  const publishDiagnostics = async (doc: TextDocument): Promise<void> => {
    const analysis = await root.analyse(doc);
    // A version replaced (or a document closed) while it was analysed gets the newer version's diagnostics instead.
    if (documents.get(doc.uri)?.version !== doc.version) return;
    const diagnostics = analysis ? onDiagnostics(analysis) : [];
    log.debug(`${doc.uri}: ${diagnostics.length} diagnostics`);
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const scheduleDiagnostics = (doc: TextDocument): void => {
    const t = pending.get(doc.uri);
    if (t) clearTimeout(t);
    pending.set(
      doc.uri,
      setTimeout(() => {
        pending.delete(doc.uri);
        publishDiagnostics(doc).catch((e: unknown) =>
          log.error(`Diagnostics of ${doc.uri} failed: ${errorMessage(e)}`),
        );
      }, DIAGNOSTICS_DEBOUNCE_MS),
    );
  };

  const recheckAll = (): void => {
    for (const d of documents.all()) scheduleDiagnostics(d);
  };
  root.onHistoryChanged(recheckAll);

  connection.onDidChangeConfiguration(() => {
    root.settings.clear();
    onSettingsChanged();
    recheckAll();
    root.refreshEditorViews();
  });

  documents.onDidChangeContent((e) => scheduleDiagnostics(e.document));
  // Warm the caches (workload names, the workload's newest runs from the store) as soon as a document opens, off the
  // hover path: the first hover then answers from memory instead of waiting for SQLite.
  documents.onDidOpen((e) => setImmediate(() => void root.analyse(e.document)));
  documents.onDidClose((e) => {
    const t = pending.get(e.document.uri);
    if (t) clearTimeout(t);
    pending.delete(e.document.uri);
    root.analyses.forget(e.document.uri);
    root.settings.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const analysis = doc ? await root.analyse(doc) : null;
    return analysis ? onHover(analysis, p.position) : null;
  });

  connection.onCompletion((p) => {
    const doc = documents.get(p.textDocument.uri);
    const kind = doc ? documentKind(doc) : null;
    if (!doc || !kind) return [];
    const line = doc.getText({ start: { line: p.position.line, character: 0 }, end: p.position });
    const above = Math.max(0, p.position.line - COMPLETION_CONTEXT_LINES);
    const previous =
      p.position.line > 0
        ? doc
            .getText({ start: { line: above, character: 0 }, end: { line: p.position.line, character: 0 } })
            .split(/\r?\n/)
            .slice(0, -1)
        : [];
    return onCompletion(kind, line, p.position, previous);
  });

  connection.onCodeAction(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const analysis = doc ? await root.analyse(doc) : null;
    return analysis ? onCodeActions(analysis, p.range) : [];
  });

  connection.onCodeLens(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const analysis = doc ? await root.analyse(doc) : null;
    return analysis ? onCodeLens(analysis) : [];
  });

  connection.languages.inlayHint.on(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const settings = doc ? await root.settings.settings(doc.uri) : null;
    if (!doc || !settings?.inlayHints.enabled) return [];
    const analysis = await root.analyse(doc);
    return analysis ? onInlayHints(analysis, p.range, instancesWhatIf) : [];
  });
}
