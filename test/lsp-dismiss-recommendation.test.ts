/**
 * Dismissing a recommendation (issue 16 items 1 and 5: feedback `rejected` with a reason) over stdio against the BUILT
 * language server, in local mode and in service mode against a real `spark-optimizer serve` (the CLI bundle, own
 * process on a loopback port), both on the real runs of examples/history (nightly_etl: 5 runs,
 * examples/history/README.md).
 *
 * nightly_etl.py is opened with three sets of its own two settings; the plans on those runs (seen with
 * `spark-optimizer check` on the same store, SPARK_OPTIMIZER_NOW as here):
 * - memory 512m, cores 4: spark.executor.memory 512m → 4g and spark.sql.shuffle.partitions 200 → 8;
 * - memory 1g, cores 4: spark.executor.memory 1g → 4g (the same recommended value);
 * - memory 512m, cores 2: spark.executor.memory 512m → 2g (another value).
 * The dismiss code action on the memory setting, answered with a reason as the client's quick pick gives it, stores a
 * `rejected` row; the memory diagnostic goes, the shuffle one stays, the hover says when and why; the same value
 * recommended from other settings stays hidden; another value is shown again; "Show Dismissed Recommendations" lists it
 * and restoring it (feedback `accepted`) shows it again. In service mode the row is read back
 * through the service's history-read route (`feedbackOf`) and the local store holds one too.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CodeAction, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import type { RecommendationFeedback } from '../server/src/history/service-store';
import { HistoryStore } from '../server/src/store/history-store';
import { COMMANDS, type CommandArgs } from '../shared/src/commands';
import { ListDismissedRequest, RecordFeedbackRequest } from '../shared/src/protocol';
import { collectExampleHistory, createReadToken, type EditorSession, startEditor } from './helpers/editor-session';
import { NIGHTLY_ETL_PY } from './helpers/fixtures';
import { messageText, poll } from './helpers/lsp-client';
import { signalProcessGroup, untrackProcessGroup } from './helpers/process-groups';
import { startServe, type ServeProcess } from './helpers/serve-process';

/** "Now" of every plan here (confidences fall with the age of the newest run). */
const NOW = '2026-12-01T00:00:00Z';

/** One of the client's reasons (client/src/dismiss.ts DISMISS_REASONS). */
const REASON = 'Cluster limits (queue, quota or node size)';

const original = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');
/** nightly_etl.py with its executor memory and cores replaced. */
function variant(memory: string, cores: string): string {
  const out = original
    .replace('.config("spark.executor.memory", "1g")', `.config("spark.executor.memory", "${memory}")`)
    .replace('.config("spark.executor.cores", "2")', `.config("spark.executor.cores", "${cores}")`);
  assert.ok(out.includes(`.config("spark.executor.cores", "${cores}")`), 'examples/nightly_etl.py changed');
  return out;
}
const lines = original.split('\n');
const memoryLine = lines.findIndex((l) => l.includes('"spark.executor.memory"'));
const shuffleLine = lines.findIndex((l) => l.includes('"spark.sql.shuffle.partitions"'));

/** The recommendation diagnostics (`recommend:<key>`) as key → line. */
function recommended(ds: Diagnostic[]): Record<string, number> {
  return Object.fromEntries(
    ds
      .filter((d) => String(d.code).startsWith('recommend:'))
      .map((d) => [String(d.code).slice(10), d.range.start.line]),
  );
}

describe('dismissing a recommendation (feedback rejected): local store and team service (built server and CLI)', function () {
  this.timeout(180_000);
  const uri = pathToFileURL(NIGHTLY_ETL_PY).toString();
  let tmp: string;
  let localDb: string;
  let emptyDb: string;
  let serve: ServeProcess;
  let token: string;
  let local: EditorSession;
  let remote: EditorSession;
  let localAfter: Diagnostic[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-dismiss-'));
    const serviceDb = path.join(tmp, 'service.db');
    localDb = path.join(tmp, 'local.db');
    emptyDb = path.join(tmp, 'empty.db');
    collectExampleHistory(serviceDb);
    collectExampleHistory(localDb);
    token = createReadToken(serviceDb);
    serve = await startServe(['--db', serviceDb], { SPARK_OPTIMIZER_NOW: NOW });
    local = await startEditor(localDb, NOW);
    remote = await startEditor(emptyDb, NOW, { url: serve.base, token, retryMs: 1000 });
  });

  after(async () => {
    await local?.lsp.stop();
    await remote?.lsp.stop();
    if (serve && serve.child.exitCode === null) signalProcessGroup(serve.child, 'SIGKILL');
    if (serve) untrackProcessGroup(serve.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The feedback rows of nightly_etl in a local store file. */
  const storedLocally = (db: string): RecommendationFeedback[] => {
    const store = HistoryStore.open(db);
    try {
      return store.feedbackOf('nightly_etl');
    } finally {
      store.close();
    }
  };
  /** The feedback rows of nightly_etl on the service, through its history-read route (as the editor reads them). */
  const storedOnService = async (): Promise<RecommendationFeedback[]> => {
    const res = await fetch(`${serve.base}/api/v1/history/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ read: 'feedbackOf', args: ['nightly_etl'] }),
    });
    assert.strictEqual(res.status, 200, await res.clone().text());
    return ((await res.json()) as { value: RecommendationFeedback[] }).value;
  };

  /** The newest diagnostics published for `version` once `ok` holds for them. */
  const diagnosticsWhen = (
    e: EditorSession,
    version: number,
    what: string,
    ok: (r: Record<string, number>) => boolean,
  ) =>
    poll(
      what,
      () => {
        const ds = e.diagnostics.get(`${uri}#${version}`);
        return ds && ok(recommended(ds)) ? ds : undefined;
      },
      60_000,
    );
  const setText = async (e: EditorSession, version: number, text: string) => {
    if (version === 1)
      await e.lsp.conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'python', version, text },
      });
    else
      await e.lsp.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
  };
  const actionsAt = (e: EditorSession, line: number) =>
    e.lsp.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line, character: 0 }, end: { line, character: lines[line].length } },
      context: { diagnostics: [] },
    });
  const hoverAt = async (e: EditorSession, line: number) => {
    const h = await e.lsp.conn.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: lines[line].indexOf('spark.') + 2 },
    });
    return h ? (h.contents as MarkupContent).value : '';
  };

  /**
   * The whole story in one editor; `stored` reads the rows where that mode keeps them.
   * @returns the diagnostics after dismissing, and the feedback answer.
   */
  async function dismissStory(
    e: EditorSession,
    stored: () => Promise<RecommendationFeedback[]> | RecommendationFeedback[],
  ): Promise<{ after: Diagnostic[]; result: RecordFeedbackRequest.Result }> {
    await setText(e, 1, variant('512m', '4'));
    const before = await diagnosticsWhen(e, 1, 'memory and shuffle recommended', (r) => Object.keys(r).length === 2);
    assert.deepStrictEqual(recommended(before), {
      'spark.executor.memory': memoryLine,
      'spark.sql.shuffle.partitions': shuffleLine,
    });

    // Next to "Set spark.executor.memory to 4g": "Dismiss recommendation for spark.executor.memory=4g…".
    const actions = await actionsAt(e, memoryLine);
    assert.deepStrictEqual(
      actions.map((a) => a.title),
      [
        'Set spark.executor.memory to 4g',
        'Dismiss recommendation for spark.executor.memory=4g…',
        'Keep spark.executor.memory=512m (mark as intended)',
        'Apply all 2 Spark recommendations for nightly_etl',
      ],
    );
    const dismiss = actions[1].command;
    assert.strictEqual(dismiss?.command, COMMANDS.dismissRecommendation);
    const [rec] = dismiss.arguments as CommandArgs['dismissRecommendation'];
    assert.deepStrictEqual(rec, {
      verdict: 'rejected',
      uri,
      appName: 'nightly_etl',
      key: 'spark.executor.memory',
      recommendedValue: '4g',
      previousValue: '512m',
    });
    // What the client sends once the user picked a reason.
    const result = await e.lsp.conn.sendRequest(RecordFeedbackRequest.type, { ...rec, reason: REASON });
    const rows = await stored();
    assert.deepStrictEqual(
      rows.map((f) => [f.verdict, f.appName, f.key, f.recommendedValue, f.previousValue, f.reason, f.fileUri]),
      [['rejected', 'nightly_etl', 'spark.executor.memory', '4g', '512m', REASON, uri]],
    );

    // Re-published without the memory recommendation; the shuffle one stays.
    const after = await diagnosticsWhen(e, 1, 'memory dismissed', (r) => !('spark.executor.memory' in r));
    assert.deepStrictEqual(recommended(after), { 'spark.sql.shuffle.partitions': shuffleLine });
    assert.deepStrictEqual(
      (await actionsAt(e, memoryLine)).map((a) => a.title),
      [],
      'no quick fix for the dismissed recommendation',
    );
    assert.deepStrictEqual(
      (await actionsAt(e, shuffleLine)).map((a) => a.title),
      [
        'Set spark.sql.shuffle.partitions to 8',
        'Dismiss recommendation for spark.sql.shuffle.partitions=8…',
        'Keep spark.sql.shuffle.partitions=200 (mark as intended)',
      ],
    );
    // The hover still shows it, with when and why.
    const day = new Date(rows[0].receivedAtMs).toISOString().slice(0, 10);
    const hover = await hoverAt(e, memoryLine);
    assert.ok(hover.includes(`✗ **spark.executor.memory = 4g** dismissed on ${day}: ${REASON}.`), hover.slice(0, 2000));
    assert.ok(hover.includes('→ **spark.executor.memory = 4g** (now 512m)'), hover.slice(0, 2000));

    // 1g with 4 cores: the plan still recommends 4g, still dismissed.
    await setText(e, 2, variant('1g', '4'));
    const same = await diagnosticsWhen(e, 2, 'version 2 analysed', () => true);
    assert.deepStrictEqual(recommended(same), {});
    // 512m with 2 cores: the plan recommends 2g, another value: shown again.
    await setText(e, 3, variant('512m', '2'));
    const other = await diagnosticsWhen(e, 3, 'memory shown again', (r) => 'spark.executor.memory' in r);
    assert.deepStrictEqual(recommended(other), { 'spark.executor.memory': memoryLine });
    assert.match(
      messageText(other.find((d) => d.code === 'recommend:spark.executor.memory')?.message ?? ''),
      /512m → 2g/,
    );

    // Back to 512m with 4 cores (4g again: hidden); "Spark: Show Dismissed Recommendations" lists it, and restoring it
    // (what the client sends for the one picked) shows it again.
    await setText(e, 4, variant('512m', '4'));
    await diagnosticsWhen(e, 4, 'memory hidden again', (r) => Object.keys(r).length === 1);
    assert.deepStrictEqual(await e.lsp.conn.sendRequest(ListDismissedRequest.type), [
      {
        uri,
        appName: 'nightly_etl',
        key: 'spark.executor.memory',
        recommendedValue: '4g',
        previousValue: '512m',
        reason: REASON,
        dismissedAtMs: rows[0].receivedAtMs,
      },
    ]);
    await e.lsp.conn.sendRequest(RecordFeedbackRequest.type, {
      ...rec,
      verdict: 'accepted',
      reason: 'shown again after it was dismissed',
    });
    const restored = await diagnosticsWhen(e, 4, 'memory restored', (r) => Object.keys(r).length === 2);
    assert.deepStrictEqual(recommended(restored), recommended(before));
    assert.deepStrictEqual(
      (await stored()).map((f) => [f.verdict, f.key, f.recommendedValue]),
      [
        ['rejected', 'spark.executor.memory', '4g'],
        ['accepted', 'spark.executor.memory', '4g'],
      ],
    );
    assert.deepStrictEqual(await e.lsp.conn.sendRequest(ListDismissedRequest.type), []);
    await e.lsp.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    return { after, result };
  }

  it('local store: dismissed with a reason, stored as rejected, hidden for that value only', async () => {
    const { after, result } = await dismissStory(local, () => storedLocally(localDb));
    localAfter = after;
    assert.deepStrictEqual(result, { serviceId: null, localId: 1 });
  });

  it('service mode: the same, stored on the service (read back through it) and in the local store', async () => {
    const { after, result } = await dismissStory(remote, storedOnService);
    assert.strictEqual(result.serviceId, (await storedOnService())[0].id);
    assert.strictEqual(result.localId, 1);
    assert.deepStrictEqual(
      storedLocally(emptyDb).map((f) => [f.verdict, f.key, f.recommendedValue, f.reason]),
      [
        ['rejected', 'spark.executor.memory', '4g', REASON],
        ['accepted', 'spark.executor.memory', '4g', 'shown again after it was dismissed'],
      ],
    );
    // Same answers in both modes: the local editor dismissed the same recommendation on the same runs.
    assert.deepStrictEqual(after, localAfter);
    assert.deepStrictEqual(remote.shown, []);
  });
});
