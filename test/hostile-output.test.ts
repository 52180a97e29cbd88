/**
 * Text from logs, servers and file names reaches a terminal or a webview only escaped (issue 12, item 5).
 *
 * The hostile input is a hand-edited copy of a real Spark 2.3.0 log (test/fixtures/spark/event-logs/qubole-sparklens/
 * local-1532512550423, built at run time and named `hostile-...`): its App ID holds a newline that would forge an
 * output line and an OSC 8 hyperlink, its App Name ANSI CSI colour codes, an 8-bit CSI (U+009B), a bidi override
 * and Markdown/HTML (a link, an image, an `<img onerror>`, bold, a table cell break, autolinks), and its stage
 * names HTML. A second file in the folder has a newline and ESC in its name and is not a log, so its path is
 * printed in a failure. Checked: the escaping helpers themselves (exact expected strings), every CLI command that
 * prints those texts (text and JSON), the hovers (rendered with marked, the renderer VS Code uses for hovers),
 * and the workload-analysis page.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { main } from '../server/src/cli/main';
import { onHover } from '../server/src/features/hover';
import { workloadAnalysis } from '../server/src/features/workload-analysis';
import { SparkLanguageService } from '../server/src/language-service';
import { HistoryStore } from '../server/src/store/history-store';
import { workloadAnalysisHtml } from '../client/src/workload-analysis/html';
import { escapeHtml, escapeMarkdown, escapeMessageLinks, escapeTerminal, markdownCode } from '../shared/src/escape';
import { EVENT_LOG_FIXTURES } from './helpers/fixtures';

const SOURCE_LOG = path.join(EVENT_LOG_FIXTURES, 'qubole-sparklens', 'local-1532512550423');

const ESC = '\u001b';

/** marked (ESM only), the Markdown renderer VS Code renders hovers with; loaded in `before`. */
let render: (md: string) => string;
/** An App ID that forges a second output line and carries an OSC 8 hyperlink. */
const HOSTILE_ID = `local-1532512550423\ninserted  app-forged  forged line ${ESC}]8;;https://evil.example/\u0007link${ESC}]8;;\u0007`;
/** An App Name with ANSI colours, an 8-bit CSI, a bidi override, and Markdown/HTML. No newline: a PySpark literal can hold it. */
const HOSTILE_NAME = `etl ${ESC}[31mRED${ESC}[0m \u009b2J \u202Eevil [x](https://evil.example/) ![t](https://evil.example/t.png) <img src=x onerror=alert(1)> **b** | c _u_ www.evil.example a@b.example`;
/** A file name with a newline and an erase-line sequence; the file is not an event log. */
const HOSTILE_FILE = `app-x\n${ESC}[2Kinserted  app-fake`;

/** Control characters that must not reach a terminal (C0 but for nothing, DEL, C1, bidi controls). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: the test fails when one reaches the output.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function hostileLog(): string {
  return (
    fs
      .readFileSync(SOURCE_LOG, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => {
        const e = JSON.parse(line) as Record<string, unknown>;
        if (e.Event === 'SparkListenerApplicationStart')
          Object.assign(e, { 'App ID': HOSTILE_ID, 'App Name': HOSTILE_NAME });
        const info = (e['Stage Info'] ?? null) as Record<string, unknown> | null;
        if (info) info['Stage Name'] = `<script>alert(3)</script> ${ESC}[5mstage`;
        return JSON.stringify(e);
      })
      .join('\n') + '\n'
  );
}

describe('escaping outside text for terminals and webviews', () => {
  before(async () => {
    const { marked } = await import('marked');
    render = (md) => marked.parse(md, { gfm: true, async: false });
  });

  describe('the helpers (shared/src/escape.ts)', () => {
    it('escapeTerminal shows every control as \\uXXXX, so no line is forged and no CSI/OSC sequence survives', () => {
      assert.strictEqual(
        escapeTerminal(`a\nb\r\tc${ESC}[31md\u009b1m\u007f\u202Ee`),
        'a\\nb\\r\\tc\\u001b[31md\\u009b1m\\u007f\\u202ee',
      );
      assert.strictEqual(escapeTerminal('plain ünïcode → 72.5 MiB'), 'plain ünïcode → 72.5 MiB');
      // keepNewlines keeps \n and \r\n (laid-out text, CSV), not a lone \r that could overwrite a line.
      assert.strictEqual(escapeTerminal(`a\r\nb\nc\rd${ESC}`, { keepNewlines: true }), 'a\r\nb\nc\\rd\\u001b');
      // The escaped form of a JSON document parses to the same value.
      const value = { name: HOSTILE_NAME, id: HOSTILE_ID };
      const text = escapeTerminal(JSON.stringify(value, null, 2), { keepNewlines: true });
      assert.ok(!RAW_CONTROL.test(text.replace(/\n/g, '')));
      assert.deepStrictEqual(JSON.parse(text), value);
    });

    it('escapeMarkdown renders as the very characters it was given; markdownCode keeps backticks inside', () => {
      assert.strictEqual(
        escapeMarkdown('[x](https://evil.example/) *b* <i> a|b'),
        '\\[x\\](https\\://evil.example/) \\*b\\* \\<i\\> a\\|b',
      );
      assert.strictEqual(
        escapeMarkdown('nightly_etl app-2026-0001 72.5 MiB (default)'),
        'nightly_etl app-2026-0001 72.5 MiB (default)',
      );
      assert.strictEqual(escapeMarkdown('# 1. www.x.example _u_'), '\\# 1. www\\.x.example \\_u\\_');
      // A newline is shown as `\n`, its backslash escaped in turn: `1) a\nb` on one line.
      assert.strictEqual(escapeMarkdown('1) a\nb'), '1\\) a\\\\nb');
      assert.strictEqual(render(escapeMarkdown('1) a\nb')), '<p>1) a\\nb</p>\n');
      assert.strictEqual(escapeMarkdown('    code  '), '&#32;&#32;&#32;&#32;code&#32;&#32;');
      assert.strictEqual(markdownCode('a`b'), '`` a`b ``');
      assert.strictEqual(markdownCode('4g'), '`4g`');
      const html = render(`| run |\n|---|\n| ${escapeMarkdown(HOSTILE_NAME)} |`);
      assert.ok(!/<a |<img|<strong>|<em>/.test(html), html);
      assert.strictEqual((html.match(/<td>/g) ?? []).length, 1, 'one cell: the | did not break the table');
      assert.strictEqual(
        escapeHtml(`<img src="x" onerror='y'>&`),
        '&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;',
      );
    });

    it('escapeMessageLinks leaves no [label](command:…) link for a VS Code notification to render', () => {
      const reason =
        'answered 500: [Fix it](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D) or [docs](https://evil.example/)';
      const shown = escapeMessageLinks(reason);
      assert.strictEqual(
        shown,
        'answered 500: [Fix it] (command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D) or [docs] (https://evil.example/)',
      );
      // VS Code's message links: [label](https://…|command:…|file:…), as its notifications document them.
      assert.doesNotMatch(shown, /\[[^\]]+\]\((?:https?:\/\/|command:|file:)/i);
    });
  });

  describe('on a hostile log', function () {
    this.timeout(60_000);
    let tmp: string;
    let logs: string;
    let db: string;

    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-hostile-'));
      logs = path.join(tmp, 'logs');
      fs.mkdirSync(logs);
      fs.writeFileSync(path.join(logs, 'hostile-local-1532512550423'), hostileLog());
      fs.writeFileSync(path.join(logs, HOSTILE_FILE), 'not an event log\n');
      db = path.join(tmp, 'h.db');
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        args,
        (s) => out.push(s),
        (s) => err.push(s),
      );
      return { code, out, err };
    }

    it('CLI collect prints each application and failure on one line, controls shown escaped', async () => {
      const r = await run('collect', '--path', logs, '--db', db);
      assert.strictEqual(r.code, 1, 'one log read, one file failed');
      assert.deepStrictEqual(r.out, [
        `inserted       ${escapeTerminal(HOSTILE_ID)}  ${escapeTerminal(HOSTILE_NAME)}`,
        `failed         ${logs}/app-x\\n\\u001b[2Kinserted  app-fake: no SparkListenerApplicationStart event in 1 line(s); not an application event log, or its start was lost`,
        `warning        ${logs}/app-x\\n\\u001b[2Kinserted  app-fake:1: malformed line skipped (invalid JSON: Unexpected token 'o', "not an event log" is not valid JSON)`,
        `2 event log(s) in ${logs}: 1 new, 0 updated, 0 unchanged, 1 failed, 1 malformed line(s) skipped. Store: ${db} (1 application attempts).`,
      ]);
      // The exact escaped forms, written out: what a terminal shows.
      assert.strictEqual(
        escapeTerminal(HOSTILE_ID),
        'local-1532512550423\\ninserted  app-forged  forged line \\u001b]8;;https://evil.example/\\u0007link\\u001b]8;;\\u0007',
      );
      for (const line of r.out) assert.ok(!RAW_CONTROL.test(line), JSON.stringify(line));
    });

    it('CLI --format json keeps the texts exactly (escaped JSON parses back to them) and holds no raw control', async () => {
      const r = await run('collect', '--path', logs, '--db', path.join(tmp, 'json.db'), '--format', 'json');
      const text = r.out.join('\n');
      assert.ok(!RAW_CONTROL.test(text.replace(/\n/g, '')));
      const json = JSON.parse(text) as {
        applications: { appId: string; appName: string }[];
        failed: { path: string }[];
      };
      assert.deepStrictEqual(
        json.applications.map((a) => [a.appId, a.appName]),
        [[HOSTILE_ID, HOSTILE_NAME]],
      );
      assert.deepStrictEqual(
        json.failed.map((f) => f.path),
        [path.join(logs, HOSTILE_FILE)],
      );
    });

    it('CLI workloads and analyze print the hostile names escaped', async () => {
      const workloads = await run('workloads', '--db', db);
      assert.strictEqual(workloads.out.length, 3);
      assert.ok(workloads.out[1].startsWith(escapeTerminal(HOSTILE_NAME)), workloads.out[1]);
      const analyze = await run('analyze', HOSTILE_ID, '--db', db);
      assert.strictEqual(analyze.code, 0);
      assert.ok(
        analyze.out[0].startsWith(`${escapeTerminal(HOSTILE_ID)} ${escapeTerminal(HOSTILE_NAME)}: `),
        analyze.out[0],
      );
      for (const line of [...workloads.out, ...analyze.out]) assert.ok(!RAW_CONTROL.test(line), JSON.stringify(line));
      // An unknown id typed with controls is echoed escaped on stderr.
      const missing = await run('analyze', `nope${ESC}[2J`, '--db', db);
      assert.strictEqual(missing.code, 2);
      assert.match(missing.err[0], /^spark-optimizer: no application nope\\u001b\[2J in /);
    });

    it('the workload hover shows the hostile name and id as text: no link, image, emphasis or broken table', () => {
      const store = HistoryStore.open(db);
      try {
        const service = new SparkLanguageService(store);
        const text = `from pyspark.sql import SparkSession\nspark = SparkSession.builder.appName("${HOSTILE_NAME}").getOrCreate()\n`;
        const analysis = service.analyse(pathToFileURL(path.join(tmp, 'job.py')).toString(), text, 'python');
        const hover = onHover(analysis, { line: 1, character: 10 });
        assert.ok(hover, 'a hover on the session line');
        const md = (hover.contents as { value: string }).value;
        assert.ok(
          md.startsWith(
            `**Spark workload ${escapeMarkdown(HOSTILE_NAME)}**: 1 run(s) in history (matched by spark.app.name)`,
          ),
          md,
        );
        const html = render(md);
        // The only link is the view's own command link; no image, no emphasis from the name.
        assert.deepStrictEqual(
          [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1].split('?')[0]),
          ['command:sparkOptimizer.openWorkloadAnalysis'],
        );
        assert.ok(!/<img|<strong>b<\/strong>|<em>u<\/em>/.test(html), html);
        // The run table still has its 9 columns in every row, the hostile id in the first; the plan's trade-off
        // table after it keeps its 5 (configuration, duration, core-hours, memory-GiB-hours, mark).
        const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) =>
          [...t[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1].match(/<t[dh]>/g) ?? []).length),
        );
        assert.deepStrictEqual(tables[0], [9, 9]);
        for (const t of tables.slice(1))
          assert.deepStrictEqual(
            t,
            t.map(() => 5),
          );
        assert.ok(
          html.includes(
            '<td>local-1532512550423\\ninserted  app-forged  forged line \\u001b]8;;https://evil.example/\\u0007link\\u001b]8;;\\u0007</td>',
          ),
          html,
        );
        assert.ok(
          html.includes(
            '[x](https://evil.example/) ![t](https://evil.example/t.png) &lt;img src=x onerror=alert(1)&gt; **b** | c _u_ www.evil.example a@b.example',
          ),
          html,
        );
      } finally {
        store.close();
      }
    });

    it('the workload-analysis page shows the hostile name and stage names as text', () => {
      const store = HistoryStore.open(db);
      try {
        const data = workloadAnalysis(new SparkLanguageService(store), { appName: HOSTILE_NAME }, null);
        assert.ok(data);
        const html = workloadAnalysisHtml({
          cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
          nonce: 'n0nce',
          scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/x.js',
          data,
        });
        assert.ok(!html.includes('<img'));
        assert.ok(!html.includes('<script>alert'));
        assert.strictEqual((html.match(/<script\b/g) ?? []).length, 2, 'the data block and the nonce script only');
        assert.ok(html.includes(`<span id="app-name">${escapeHtml(HOSTILE_NAME)}</span>`));
        assert.ok(
          html.includes('&lt;script&gt;alert(3)&lt;/script&gt;'),
          'the longest stage, named in its heading, as text',
        );
      } finally {
        store.close();
      }
    });
  });
});
