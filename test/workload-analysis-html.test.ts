/**
 * The workload-analysis webview page (client/src/workload-analysis/html.ts) on real data: the server-side assembly of the
 * skewed_join runs in examples/history, then the same data with store strings replaced by HTML, which must show
 * as text. Also the page's Content Security Policy.
 */
import * as assert from 'assert';
import { workloadAnalysisHtml, jsonForScript } from '../client/src/workload-analysis/html';
import { escapeHtml } from '../shared/src/escape';
import { workloadAnalysis } from '../server/src/features/workload-analysis';
import { collectEventLogs } from '../server/src/history/collect';
import { SparkLanguageService } from '../server/src/language-service';
import { HistoryStore } from '../server/src/store/history-store';
import type { WorkloadAnalysis } from '../shared/src/protocol';
import { EXAMPLE_HISTORY } from './helpers/fixtures';

const PAGE = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123nonce',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/client/out/webview/workload-analysis.js',
};
const EVIL = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>&amp;';

describe('workload-analysis webview page', function () {
  this.timeout(60_000);
  let data: WorkloadAnalysis;

  before(async () => {
    const store = HistoryStore.open(':memory:');
    await collectEventLogs(EXAMPLE_HISTORY, store);
    const ja = workloadAnalysis(new SparkLanguageService(store), { appName: 'skewed_join' }, null);
    store.close();
    assert.ok(ja);
    data = ja;
  });

  it('escapeHtml and jsonForScript neutralise markup', () => {
    assert.strictEqual(escapeHtml(`a<b>&"c"'`), 'a&lt;b&gt;&amp;&quot;c&quot;&#39;');
    const json = jsonForScript({ name: '</script><b>' });
    assert.ok(!json.includes('<') && !json.includes('>'), json);
    assert.deepStrictEqual(JSON.parse(json), { name: '</script><b>' });
  });

  it('renders the real runs of skewed_join with a strict CSP and only the nonce script', () => {
    const html = workloadAnalysisHtml({ ...PAGE, data });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.strictEqual(
      csp,
      `default-src &#39;none&#39;; img-src ${PAGE.cspSource} data:; style-src ${PAGE.cspSource} &#39;nonce-abc123nonce&#39;; font-src ${PAGE.cspSource}; script-src &#39;nonce-abc123nonce&#39;`,
    );
    // Exactly two script elements: the JSON data block (not executable) and the bundled script with the nonce.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepStrictEqual(scripts, [
      '<script type="application/json" id="workload-analysis-data">',
      `<script nonce="abc123nonce" src="${PAGE.scriptUri}">`,
    ]);
    assert.ok(!/https?:\/\/(?!file\+\.vscode-resource)/.test(html), 'no other origin is referenced');
    // Both runs are listed, newest first, the selected one marked; the worst stage is the 400-task join stage 2.
    const rows = [
      ...html.matchAll(/<tr class="(selected)?"><td><button class="run" data-app-id="([^"]+)" data-attempt-id="">/g),
    ].map((m) => [m[2], m[1] ?? '']);
    assert.deepStrictEqual(rows, [
      ['app-20261121122131-0006', 'selected'],
      ['app-20261121122041-0005', ''],
    ]);
    assert.match(
      html,
      /Task durations of the longest stage: 2 <span class="muted">save at NativeMethodAccessorImpl\.java:0<\/span>/,
    );
    assert.match(html, /<td>49\.8 s<\/td>/);
    // The engine's plan for the job, with its objective and the trade-off table.
    assert.match(
      html,
      /<h2>Plan<\/h2>\n<p>Objective <strong>balanced \(least cost within 10 % of the fastest\)<\/strong>/,
    );
    assert.ok(data.plan !== null && data.plan.pareto.length >= 2, JSON.stringify(data.plan));
    assert.ok(html.includes('<h3>Trade-off: duration vs cost</h3>'));
    const embedded = JSON.parse(
      /<script type="application\/json" id="workload-analysis-data">([^<]*)<\/script>/.exec(html)![1],
    ) as WorkloadAnalysis;
    assert.deepStrictEqual(embedded, data);
  });

  it('shows an app name, stage names, failure reasons and recommendation texts holding HTML as text', () => {
    const evil: WorkloadAnalysis = {
      ...data,
      appName: EVIL,
      stages: data.stages.map((s, i) => ({ ...s, name: EVIL, failureReason: i === 0 ? `boom ${EVIL}` : null })),
      executors: data.executors.map((x) => ({ ...x, removedReason: `lost ${EVIL}` })),
      recommendations: data.recommendations.map((r) => ({
        ...r,
        message: EVIL,
        evidence: r.evidence.map((e) => ({ ...e, value: EVIL })),
      })),
      findings: [{ rule: EVIL, message: EVIL }],
      plan: data.plan && {
        ...data.plan,
        keptBecause: EVIL,
        notes: [EVIL],
        pareto: data.plan.pareto.map((p) => ({ ...p, configuration: EVIL })),
      },
      runFindings: [{ id: 'skew', severity: 'critical', message: `run ${EVIL}`, source: EVIL }],
      runs: data.runs.map((r) => ({ ...r, money: { amount: 0.5, currency: EVIL } })),
    };
    const html = workloadAnalysisHtml({ ...PAGE, data: evil });
    assert.ok(!html.includes('<img'), 'no img element');
    assert.ok(!html.includes('<script>alert'), 'no injected script element');
    assert.strictEqual((html.match(/<script\b/g) ?? []).length, 2);
    const escaped =
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&amp;amp;';
    assert.ok(html.includes(`<title>Spark workload ${escaped}</title>`));
    assert.ok(html.includes(`<span id="app-name">${escaped}</span>`));
    assert.ok(html.includes(`boom ${escaped}`));
    assert.ok(html.includes(`lost ${escaped}`));
    assert.ok(html.includes(`<li class="sev-critical"><strong>critical</strong> run ${escaped}`));
    assert.ok(html.includes(`<td>0.500 ${escaped}</td>`));
    // The JSON block still round-trips the original text for the charts (drawn on canvas, never as markup).
    // The engine's plan for the job, with its objective and the trade-off table.
    assert.match(
      html,
      /<h2>Plan<\/h2>\n<p>Objective <strong>balanced \(least cost within 10 % of the fastest\)<\/strong>/,
    );
    assert.ok(data.plan !== null && data.plan.pareto.length >= 2, JSON.stringify(data.plan));
    assert.ok(html.includes('<h3>Trade-off: duration vs cost</h3>'));
    const embedded = JSON.parse(
      /<script type="application\/json" id="workload-analysis-data">([^<]*)<\/script>/.exec(html)![1],
    ) as WorkloadAnalysis;
    assert.strictEqual(embedded.appName, EVIL);
  });
});
