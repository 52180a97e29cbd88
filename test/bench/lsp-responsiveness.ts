/**
 * Language-server responsiveness benchmark (issue 12, item 9): how long a hover on a small file takes while a 5 MB
 * file is being analysed, against the same hover on an idle server, measured in the same process.
 *
 *   node build/test/bench/lsp-responsiveness.js [SERVER_JS]     (after `npm run build`)
 *
 * SERVER_JS: another build of the server to measure (default: this checkout's server/out/server.js), e.g. an older
 * commit's, for a before/after comparison.
 *
 * It starts the BUILT server (server/out/server.js) over stdio, collects examples/history (9 real Spark 4 runs) and
 * opens examples/nightly_etl.py. Each sample is an edit of that file (didChange: a new version, so it is analysed
 * again) followed at once by a hover on its spark.executor.memory value; the time is from sending the hover to its
 * answer, the way an editor sees it. Samples start every SAMPLE_EVERY_MS (a fast typist's pace), so the benchmark does
 * not itself take the CPU the analysis needs.
 * - idle: 40 samples with nothing else open;
 * - loaded: a 5 MB PySpark file is opened (twice over: a generated-data module, then 5 MB of job code with ~2,700
 *   SparkSession builders, test/helpers/big-documents.ts); once the server has asked for its settings (its analysis
 *   has started), samples are taken back to back until the big file's diagnostics arrive (at least 10: when the
 *   analysis ends sooner the big file is edited again to restart it).
 * The target is a hover within 100 ms while the big file is analysed (issue 12); the report says whether the loaded
 * p95 meets it, with the load average (a report, not an exit code: absolute times follow the machine's load).
 * Writes its section of docs/benchmarks.md as build/bench/lsp-responsiveness.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { CollectEventLogsRequest } from '../../shared/src/protocol';
import { bigPySparkFile, repeatedJobFile } from '../helpers/big-documents';
import { frame, LspServerProcess, ServerMessage } from '../helpers/lsp-server-process';
import { EXAMPLES, EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from '../helpers/fixtures';
import { markdownTable, writeBenchSection } from './report';

const HOVER_BUDGET_MS = 100;
/** One sample starts this often (ms). */
const SAMPLE_EVERY_MS = 100;

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
}

/** Peak resident memory of a process (MiB), from /proc (Linux); null elsewhere. */
function peakRssMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const loadStart = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lsp-bench-'));
  const server = new LspServerProcess(process.argv[2]);
  let id = 10;
  let version = 1;
  try {
    await server.initialize(path.join(tmp, 'history.db'), pathToFileURL(EXAMPLES).toString());
    const collected = await server.request(2, CollectEventLogsRequest.method, { folder: EXAMPLE_HISTORY }, 120_000);
    if ((collected.result as { inserted?: number } | null)?.inserted !== 9)
      throw new Error(`collecting examples/history: ${JSON.stringify(collected)}`);

    const smallPath = NIGHTLY_ETL_PY;
    const smallUri = pathToFileURL(smallPath).toString();
    const smallText = fs.readFileSync(smallPath, 'utf8');
    const line = smallText.split('\n').findIndex((l) => l.includes('"spark.executor.memory"'));
    const character = smallText.split('\n')[line].indexOf('"1g"') + 1;
    const isDiagnosticsOf = (uri: string, after: number) => (m: ServerMessage) =>
      server.messages.indexOf(m) >= after &&
      m.method === 'textDocument/publishDiagnostics' &&
      (m.params as { uri: string }).uri === uri;
    server.write(
      frame({
        jsonrpc: '2.0',
        method: 'textDocument/didOpen',
        params: { textDocument: { uri: smallUri, languageId: 'python', version: version++, text: smallText } },
      }),
    );
    await server.waitFor('diagnostics of nightly_etl.py', isDiagnosticsOf(smallUri, 0), 60_000);

    /** One sample: an edit of the small file, then a hover on it; returns the hover's round trip (ms). */
    const sample = async (): Promise<number> => {
      const start = nowMs();
      server.write(
        frame({
          jsonrpc: '2.0',
          method: 'textDocument/didChange',
          params: { textDocument: { uri: smallUri, version: version++ }, contentChanges: [{ text: smallText }] },
        }),
      );
      const hoverId = id++;
      const t0 = nowMs();
      const answer = await server.request(
        hoverId,
        'textDocument/hover',
        { textDocument: { uri: smallUri }, position: { line, character } },
        120_000,
      );
      const ms = nowMs() - t0;
      const value = (answer.result as { contents?: { value?: string } } | null)?.contents?.value ?? '';
      if (!value.includes('Runs of **nightly_etl**'))
        throw new Error(`the hover does not show the job's runs: ${value.slice(0, 200)}`);
      const rest = SAMPLE_EVERY_MS - (nowMs() - start);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      return ms;
    };

    for (let i = 0; i < 10; i++) await sample(); // warm-up (JIT, worker start)
    const idle: number[] = [];
    for (let i = 0; i < 40; i++) idle.push(await sample());

    const rows: { label: string; samples: number[]; at: number[]; analysisMs: number; outcome: string }[] = [];
    for (const [label, make] of [
      ['5 MB generated-data module', () => bigPySparkFile(5 * 1024 * 1024)],
      ['5 MB of job code (~2,700 builders)', () => repeatedJobFile(5 * 1024 * 1024)],
    ] as const) {
      const bigUri = pathToFileURL(path.join(tmp, `${label.replace(/\W+/g, '_')}.py`)).toString();
      const text = make();
      let bigVersion = 1;
      const samples: number[] = [];
      /** When each sample started, ms after the big file was opened. */
      const at: number[] = [];
      let outcome = '';
      const t0 = nowMs();
      let from = server.messages.length;
      server.write(
        frame({
          jsonrpc: '2.0',
          method: 'textDocument/didOpen',
          params: { textDocument: { uri: bigUri, languageId: 'python', version: bigVersion, text } },
        }),
      );
      await server.waitFor(
        "the request for the big file's settings",
        (m) =>
          m.method === 'workspace/configuration' &&
          (m.params as { items: { scopeUri?: string }[] }).items.some((i) => i.scopeUri === bigUri),
        60_000,
      );
      let analysisMs = 0;
      for (;;) {
        at.push(nowMs() - t0);
        samples.push(await sample());
        const done = server.messages.find(isDiagnosticsOf(bigUri, from));
        if (done) {
          if (analysisMs === 0) {
            analysisMs = nowMs() - t0;
            const d = (done.params as { diagnostics: { code?: string; message: string }[] }).diagnostics;
            const notAnalysed = d.find((x) => x.code === 'not-analysed');
            outcome = notAnalysed ? `not analysed: ${notAnalysed.message}` : `${d.length} diagnostic(s)`;
          }
          if (samples.length >= 10) break;
          // Analysed before 10 samples: edit the big file to analyse it again and keep sampling.
          from = server.messages.length;
          server.write(
            frame({
              jsonrpc: '2.0',
              method: 'textDocument/didChange',
              params: {
                textDocument: { uri: bigUri, version: ++bigVersion },
                contentChanges: [
                  { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#\n' },
                ],
              },
            }),
          );
        }
      }
      rows.push({ label, samples, at, analysisMs, outcome });
      server.write(
        frame({ jsonrpc: '2.0', method: 'textDocument/didClose', params: { textDocument: { uri: bigUri } } }),
      );
    }

    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    process.stdout.write(
      `LSP responsiveness: hover on examples/nightly_etl.py after an edit, built server${process.argv[2] ? ` ${process.argv[2]}` : ''} over stdio; node ${process.version}; ${os.cpus().length} CPUs; load average ${load}\n`,
    );
    const fmt = (xs: number[]) =>
      `median ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} samples)`;
    process.stdout.write(`  idle server:                                ${fmt(idle)}\n`);
    let over = 0;
    for (const r of rows) {
      const ratio = quantile(r.samples, 0.5) / quantile(idle, 0.5);
      if (quantile(r.samples, 0.95) > HOVER_BUDGET_MS) over++;
      process.stdout.write(
        `  while analysing a ${r.label.padEnd(36)}${fmt(r.samples)}; median ${ratio.toFixed(1)}× idle\n`,
      );
      process.stdout.write(
        `    the big file's first diagnostics after ${(r.analysisMs / 1000).toFixed(1)} s: ${r.outcome.slice(0, 160)}\n`,
      );
      const slowest = r.samples
        .map((ms, i) => ({ ms, at: r.at[i] }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3);
      process.stdout.write(
        `    slowest: ${slowest.map((x) => `${x.ms.toFixed(0)} ms at ${(x.at / 1000).toFixed(1)} s`).join(', ')}\n`,
      );
    }
    const rss = peakRssMiB(server.pid);
    process.stdout.write(
      `  server peak RSS (main thread and analysis workers): ${rss === null ? 'n/a' : `${rss} MiB`}\n`,
    );
    const verdict = `Hover p95 within ${HOVER_BUDGET_MS} ms while a 5 MB file is analysed: ${over === 0 ? 'yes' : `**no** (${over} case(s) over; see the load average)`}.`;
    process.stdout.write(`${verdict}\n`);
    const cell = (xs: number[]) => [
      `${quantile(xs, 0.5).toFixed(1)} ms`,
      `${quantile(xs, 0.95).toFixed(1)} ms`,
      String(xs.length),
    ];
    const md = [
      'The BUILT language server over stdio (test/bench/lsp-responsiveness.ts): a hover on examples/nightly_etl.py right after',
      'an edit, timed as an editor sees it, while a 5 MB PySpark file is analysed in the analysis worker; baseline: the same',
      'hover on an idle server, in the same run.',
      '',
      markdownTable(
        ['while', 'hover p50', 'hover p95', 'samples', 'p50 ratio to idle', "big file's diagnostics after"],
        [
          ['idle (baseline)', ...cell(idle), '1.0', '–'],
          ...rows.map((r) => [
            `analysing a ${r.label}`,
            ...cell(r.samples),
            (quantile(r.samples, 0.5) / quantile(idle, 0.5)).toFixed(1),
            `${(r.analysisMs / 1000).toFixed(1)} s`,
          ]),
        ],
      ),
      '',
      verdict,
    ].join('\n');
    writeBenchSection(
      {
        id: 'lsp-responsiveness',
        title: 'Language-server responsiveness',
        order: 32,
        markdown: md,
        figures: {
          idleHoverP50Ms: quantile(idle, 0.5),
          ...Object.fromEntries(rows.map((r, i) => [`loaded${i + 1}HoverP95Ms`, quantile(r.samples, 0.95)])),
        },
      },
      loadStart,
    );
  } finally {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
