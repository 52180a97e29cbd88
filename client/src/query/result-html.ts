/**
 * HTML of the query result webview (no `vscode` import, so plain tests render it in a real browser).
 *
 * Security: the Content-Security-Policy allows nothing but this page's own nonce'd script and style
 * (`default-src 'none'`: no network, no images, no frames, no inline handlers). Results never go into the HTML:
 * they arrive with `postMessage` and are written with `textContent`, so a value like `<img onerror=...>` shows as
 * text.
 *
 * Messages in (extension → webview): `{ type: 'result', title, sql, result: QueryResultPayload }`,
 * `{ type: 'running', title, sql }`, `{ type: 'error', title, sql, message, errorClass?, sqlState? }`,
 * `{ type: 'plan', title, sql, plan }`, `{ type: 'cancelled', title, sql, message }`.
 * Messages out (webview → extension): `{ command: 'copy' | 'save', format: 'csv' | 'json' }`,
 * `{ command: 'openAnalysis', appId }`.
 */

/** Rows per page in the table. */
export const PAGE_SIZE = 100;

/**
 * The page. `nonce` must be fresh per page (base64 or hex).
 * @throws Error when the nonce has other characters (it goes into an attribute).
 */
export function resultPanelHtml(nonce: string): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('nonce must be base64 or hex');
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
<body>
<header><span id="summary">Waiting for a query…</span>
  <button id="copy-csv" disabled>Copy CSV</button><button id="copy-json" disabled>Copy JSON</button>
  <button id="save-csv" disabled>Save CSV…</button><button id="save-json" disabled>Save JSON…</button>
  <button id="analysis" hidden>Open run analysis</button></header>
<pre id="sql"></pre>
<div id="body"></div>
<nav id="pager" hidden><button id="prev">‹ Previous</button><span id="page"></span><button id="next">Next ›</button></nav>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const PAGE = ${PAGE_SIZE};
  const $ = (id) => document.getElementById(id);
  let result = null;
  let page = 0;
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const cellText = (v) => v === null ? 'NULL' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  const numeric = new Set(['byte', 'short', 'integer', 'long', 'float', 'double', 'decimal']);
  function setExport(on) { for (const id of ['copy-csv', 'copy-json', 'save-csv', 'save-json']) $(id).disabled = !on; }
  for (const [id, command, format] of [['copy-csv', 'copy', 'csv'], ['copy-json', 'copy', 'json'], ['save-csv', 'save', 'csv'], ['save-json', 'save', 'json']]) {
    $(id).addEventListener('click', () => vscode.postMessage({ command, format }));
  }
  $('analysis').addEventListener('click', () => { if (result && result.appId) vscode.postMessage({ command: 'openAnalysis', appId: result.appId }); });
  $('prev').addEventListener('click', () => { if (page > 0) { page--; renderPage(); } });
  $('next').addEventListener('click', () => { if (result && (page + 1) * PAGE < result.rows.length) { page++; renderPage(); } });
  function renderPage() {
    const body = $('body');
    body.replaceChildren();
    const table = el('table');
    const head = el('tr');
    for (const c of result.columns) { const th = el('th', c.name); th.appendChild(el('span', c.type.name, 'type')); head.appendChild(th); }
    const thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
    const tbody = el('tbody');
    const rows = result.rows.slice(page * PAGE, (page + 1) * PAGE);
    for (const r of rows) {
      const tr = el('tr');
      r.forEach((v, j) => tr.appendChild(el('td', cellText(v), v === null ? 'null' : numeric.has(result.columns[j].type.kind) ? 'num' : undefined)));
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    body.appendChild(table);
    const pages = Math.max(1, Math.ceil(result.rows.length / PAGE));
    $('pager').hidden = pages <= 1;
    $('page').textContent = 'Page ' + (page + 1) + ' of ' + pages;
    $('prev').disabled = page === 0;
    $('next').disabled = page + 1 >= pages;
  }
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || typeof m.type !== 'string') return;
    document.title = String(m.title || 'Spark query');
    $('sql').textContent = String(m.sql || '');
    $('body').replaceChildren();
    $('pager').hidden = true;
    $('analysis').hidden = true;
    setExport(false);
    result = null;
    if (m.type === 'running') {
      $('summary').textContent = 'Running…';
    } else if (m.type === 'result') {
      result = m.result;
      page = 0;
      const more = result.truncated === 'rows' ? ' (more rows on the server: raise sparkOptimizer.sparkConnect.maxRows)' : result.truncated === 'bytes' ? ' (stopped at the byte limit)' : '';
      $('summary').textContent = result.rows.length + ' row(s), ' + result.columns.length + ' column(s) in ' + (result.elapsedMs / 1000).toFixed(2) + ' s' + more;
      $('analysis').hidden = !result.appId;
      if (result.appId) $('analysis').title = 'Spark application ' + result.appId;
      setExport(true);
      renderPage();
    } else if (m.type === 'error') {
      $('summary').textContent = 'Query failed';
      const p = el('pre', (m.errorClass ? '[' + m.errorClass + ']' + (m.sqlState ? ' SQLSTATE ' + m.sqlState : '') + '\\n' : '') + String(m.message || ''), 'error');
      $('body').appendChild(p);
    } else if (m.type === 'cancelled') {
      $('summary').textContent = 'Cancelled';
      $('body').appendChild(el('pre', String(m.message || ''), 'error'));
    } else if (m.type === 'plan') {
      $('summary').textContent = 'Plan';
      $('body').appendChild(el('pre', String(m.plan || '')));
    }
  });
})();
</script>
</body>
</html>`;
}
