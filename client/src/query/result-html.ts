/**
 * HTML of the query result webview (no `vscode` import, so plain tests render it in a real browser). Its script is
 * client/out/webview/query-result.js (source client/src/webview/query-result.ts, which lists the messages).
 *
 * Security: the Content-Security-Policy allows nothing but this page's own nonce'd script and style
 * (`default-src 'none'`: no network, no images, no frames, no inline handlers). Results never go into the HTML:
 * they arrive with `postMessage` as Arrow bytes and are written with `textContent`, so a value like
 * `<img onerror=...>` shows as text.
 */

/** Rows per page in the table. */
export const PAGE_SIZE = 100;

/**
 * The page. `nonce` must be fresh per page (base64 or hex); `scriptUri` is the webview URI of
 * client/out/webview/query-result.js (`webview.asWebviewUri`).
 * @throws Error when the nonce has other characters or the URI has a quote or angle bracket (both go into attributes).
 */
export function resultPanelHtml(nonce: string, scriptUri: string): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('nonce must be base64 or hex');
  if (/["'<>\s]/.test(scriptUri)) throw new Error('script URI must not contain quotes, angle brackets or spaces');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Spark query</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; }
  header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
  #summary { flex: 1 1 auto; }
  button { font: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 3px 8px; cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
  #sql { opacity: 0.8; max-height: 6em; overflow: auto; }
  table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); }
  th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 2px 6px; text-align: left; vertical-align: top; white-space: pre; }
  th .type { display: block; font-weight: normal; opacity: 0.7; }
  td.null { opacity: 0.5; font-style: italic; }
  td.num { text-align: right; }
  .error { color: var(--vscode-errorForeground); }
  nav { margin: 8px 0; display: flex; gap: 8px; align-items: center; }
  /* An author display rule (nav's flex) beats the UA's [hidden] { display: none }: restore it for every element. */
  [hidden] { display: none !important; }
</style>
</head>
<body data-page-size="${PAGE_SIZE}">
<header><span id="summary">Waiting for a query…</span>
  <button id="copy-csv" disabled>Copy CSV</button><button id="copy-json" disabled>Copy JSON</button>
  <button id="save-csv" disabled>Save CSV…</button><button id="save-json" disabled>Save JSON…</button>
  <button id="analysis" hidden>Open run analysis</button></header>
<pre id="sql"></pre>
<div id="body"></div>
<nav id="pager" hidden><button id="prev">‹ Previous</button><span id="page"></span><button id="next">Next ›</button></nav>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
