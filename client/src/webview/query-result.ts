/**
 * The query result webview's script (bundled by esbuild.js into client/out/webview/query-result.js, an IIFE with
 * apache-arrow inside: no network, no other files). The result arrives as the Arrow IPC streams Spark sent
 * (`Uint8Array`s in the `result` message); a page of the table reads only its own rows' values out of the Arrow
 * vectors (shared/src/arrow-values.ts), so a large result is never turned into row objects as a whole. Cells are
 * written with `textContent`: a value like `<img onerror=...>` shows as text.
 *
 * Messages in (extension → webview): `{ type: 'result', title, sql, result: QueryResultView }`,
 * `{ type: 'running', title, sql }`, `{ type: 'error', title, sql, message, errorClass?, sqlState? }`,
 * `{ type: 'plan', title, sql, plan }`, `{ type: 'cancelled', title, sql, message }`.
 * Messages out (webview → extension): `{ command: 'copy' | 'save', format: 'csv' | 'json', text, rowCount }` (the
 * whole result as CSV/JSON, made here from the Arrow batches), `{ command: 'openAnalysis', appId }`.
 */
import { ArrowRows } from '../../../shared/src/arrow-values';
import { toCsv, toJsonRecords, valueText, type QueryResultView } from '../../../shared/src/spark-query';
import { errorMessage } from '../../../shared/src/errors';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const PAGE = Number(document.body.dataset.pageSize ?? '100');
const vscode = acquireVsCodeApi();
const $ = (id: string) => document.getElementById(id) as HTMLElement;
const NUMERIC = new Set(['byte', 'short', 'integer', 'long', 'float', 'double', 'decimal']);
let result: QueryResultView | null = null;
let rows: ArrowRows | null = null;
let page = 0;

function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function setExport(on: boolean): void {
  for (const id of ['copy-csv', 'copy-json', 'save-csv', 'save-json']) ($(id) as HTMLButtonElement).disabled = !on;
}

for (const [id, command, format] of [
  ['copy-csv', 'copy', 'csv'],
  ['copy-json', 'copy', 'json'],
  ['save-csv', 'save', 'csv'],
  ['save-json', 'save', 'json'],
] as const) {
  $(id).addEventListener('click', () => {
    if (!result || !rows) return;
    const all = rows.rows(0, rows.rowCount);
    const text = format === 'csv' ? toCsv(result.columns, all) : toJsonRecords(result.columns, all);
    vscode.postMessage({ command, format, text, rowCount: rows.rowCount });
  });
}
$('analysis').addEventListener('click', () => {
  if (result?.appId) vscode.postMessage({ command: 'openAnalysis', appId: result.appId });
});
$('prev').addEventListener('click', () => {
  if (page > 0) {
    page--;
    renderPage();
  }
});
$('next').addEventListener('click', () => {
  if (rows && (page + 1) * PAGE < rows.rowCount) {
    page++;
    renderPage();
  }
});

function renderPage(): void {
  if (!result || !rows) return;
  const body = $('body');
  body.replaceChildren();
  const table = el('table');
  const head = el('tr');
  for (const c of result.columns) {
    const th = el('th', c.name);
    th.appendChild(el('span', c.type.name, 'type'));
    head.appendChild(th);
  }
  const thead = el('thead');
  thead.appendChild(head);
  table.appendChild(thead);
  const tbody = el('tbody');
  const columns = result.columns;
  for (const r of rows.rows(page * PAGE, (page + 1) * PAGE)) {
    const tr = el('tr');
    r.forEach((v, j) =>
      tr.appendChild(
        el('td', valueText(v), v === null ? 'null' : NUMERIC.has(columns[j].type.kind) ? 'num' : undefined),
      ),
    );
    tbody.appendChild(tr);
  }
  table.appendChild(tbody);
  body.appendChild(table);
  const pages = Math.max(1, Math.ceil(rows.rowCount / PAGE));
  $('pager').hidden = pages <= 1;
  $('page').textContent = `Page ${page + 1} of ${pages}`;
  ($('prev') as HTMLButtonElement).disabled = page === 0;
  ($('next') as HTMLButtonElement).disabled = page + 1 >= pages;
}

/** A message field that should be text: the string, or '' for anything else (never "[object Object]"). */
function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as { type?: unknown; title?: unknown; sql?: unknown; [k: string]: unknown } | null;
  if (!m || typeof m.type !== 'string') return;
  document.title = text(m.title) || 'Spark query';
  $('sql').textContent = text(m.sql);
  $('body').replaceChildren();
  $('pager').hidden = true;
  $('analysis').hidden = true;
  setExport(false);
  result = null;
  rows = null;
  if (m.type === 'running') {
    $('summary').textContent = 'Running…';
  } else if (m.type === 'result') {
    const r = m.result as QueryResultView;
    try {
      rows = new ArrowRows(r.arrow, r.columns);
    } catch (e) {
      $('summary').textContent = 'Query failed';
      $('body').appendChild(el('pre', `The result's Arrow data could not be read: ${errorMessage(e)}`, 'error'));
      return;
    }
    result = r;
    page = 0;
    const more =
      r.truncated === 'rows'
        ? ' (more rows on the server: raise sparkOptimizer.sparkConnect.maxRows)'
        : r.truncated === 'bytes'
          ? ' (stopped at the byte limit)'
          : '';
    $('summary').textContent =
      `${rows.rowCount} row(s), ${r.columns.length} column(s) in ${(r.elapsedMs / 1000).toFixed(2)} s${more}`;
    $('analysis').hidden = !r.appId;
    if (r.appId) $('analysis').title = `Spark application ${r.appId}`;
    setExport(true);
    renderPage();
  } else if (m.type === 'error') {
    $('summary').textContent = 'Query failed';
    const head = text(m.errorClass)
      ? `[${text(m.errorClass)}]${text(m.sqlState) ? ` SQLSTATE ${text(m.sqlState)}` : ''}\n`
      : '';
    $('body').appendChild(el('pre', head + text(m.message), 'error'));
  } else if (m.type === 'cancelled') {
    $('summary').textContent = 'Cancelled';
    $('body').appendChild(el('pre', text(m.message), 'error'));
  } else if (m.type === 'plan') {
    $('summary').textContent = 'Plan';
    $('body').appendChild(el('pre', text(m.plan)));
  }
});
