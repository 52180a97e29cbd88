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
 * `{ type: 'plan', title, sql, plan }`.
 * Messages out (webview → extension): `{ command: 'copy' | 'save', format: 'csv' | 'json' }`,
 * `{ command: 'openAnalysis', appId }`.
 */
/** Rows per page in the table. */
export declare const PAGE_SIZE = 100;
/**
 * The page. `nonce` must be fresh per page (base64 or hex).
 * @throws Error when the nonce has other characters (it goes into an attribute).
 */
export declare function resultPanelHtml(nonce: string): string;
