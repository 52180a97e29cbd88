/**
 * The service's read path (server/src/history/loaded-history.ts): the engine runs synchronously on records loaded from
 * the asynchronous store, and gives exactly the plan it gives on the synchronous SQLite store the editor and the CLI use
 * (one code path). The store is the real SQLite store of examples/history (9 real runs, examples/history/README.md),
 * wrapped only to record which reads reach it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { engineOptions, recommendText } from '../server/src/cli/engine-commands';
import { collectEventLogs } from '../server/src/history/collect';
import { SparkLanguageService } from '../server/src/language-service';
import { LoadedHistory } from '../server/src/history/loaded-history';
import type { ServiceStore } from '../server/src/history/service-store';
import { HistoryStore } from '../server/src/store/history-store';
import { SqliteServiceStore } from '../server/src/store/sqlite-service-store';
import { EXAMPLES, EXAMPLE_HISTORY } from './helpers/fixtures';

const NOW = Date.parse('2026-12-01T00:00:00Z');

/** The store, with every method call it answers recorded by name. */
function recording(store: ServiceStore): { store: ServiceStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe('LoadedHistory: the engine on records loaded from the asynchronous store', function () {
  this.timeout(120_000);
  let tmp: string;
  let sqlite: SqliteServiceStore;
  const file = path.join(EXAMPLES, 'submit_nightly_etl.sh');
  const source = () => ({
    uri: pathToFileURL(file).toString(),
    text: fs.readFileSync(file, 'utf8'),
    languageId: 'shellscript',
    label: 'submit_nightly_etl.sh',
  });

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-loaded-'));
    sqlite = SqliteServiceStore.open(path.join(tmp, 'h.db'));
    assert.strictEqual((await collectEventLogs(EXAMPLE_HISTORY, sqlite)).inserted, 9);
  });

  after(async () => {
    await sqlite.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('gives the plan the synchronous store gives, loading each read the engine makes once, and nothing the second time', async () => {
    const { store, calls } = recording(sqlite);
    const history = new LoadedHistory(store, { recheckMs: 60_000 });
    const language = new SparkLanguageService(history, () => NOW);
    history.onChange(() => language.historyChanged());
    await history.fresh();
    const loaded = await history.run(() => recommendText(language, source(), engineOptions({}), 'the history store'));
    const direct = recommendText(
      new SparkLanguageService(sqlite.store, () => NOW),
      source(),
      engineOptions({}),
      'the history store',
    );
    assert.strictEqual(loaded.code, 0);
    assert.deepStrictEqual(loaded.json, direct.json);
    // What the language service reads for a file whose spark.app.name is a job (recommend/job-matcher.ts): the job
    // names, the job's runs with the runs of its stage signature (loaded together), its applied fixes and the feedback
    // on its recommendations (dismissed ones are not shown), and the jobs run on its master with their runs (the two other
    // jobs of examples/history, loaded like the job's own), from which its model takes the cluster's facts; 5 runs need
    // no similar jobs (workload totals are read below 3 runs).
    assert.deepStrictEqual([...calls].sort(), [
      'appNames',
      'appNamesByMaster',
      'appliedFixes',
      'feedbackOf',
      'historyVersion',
      'runsByAppName',
      'runsByAppName',
      'runsByAppName',
      'runsWithSameSignature',
      'runsWithSameSignature',
      'runsWithSameSignature',
    ]);
    calls.length = 0;
    await history.fresh();
    const again = await history.run(() => recommendText(language, source(), engineOptions({}), 'the history store'));
    assert.deepStrictEqual(again.json, direct.json);
    assert.deepStrictEqual(
      calls,
      [],
      'a second request for the same job reads nothing (version trusted for recheckMs)',
    );
  });

  it('drops what it loaded when another process changes the history, and after the service wrote', async () => {
    const { store, calls } = recording(sqlite);
    const history = new LoadedHistory(store, { recheckMs: 0 });
    await history.fresh();
    assert.strictEqual(await history.run(() => history.countApplications()), 9);
    // Another process (a second connection to the file) stores a tenth run: a copy of a real one under a new id.
    const other = HistoryStore.open(path.join(tmp, 'h.db'));
    const copy = { ...other.runById('app-20261121121550-0000')!, appId: 'app-copy-0001' };
    assert.strictEqual(
      other.upsert(copy, { path: '/copies/app-copy-0001', sizeBytes: 1, mtimeMs: 1, malformedLines: 0 }),
      'inserted',
    );
    other.close();
    calls.length = 0;
    await history.fresh();
    assert.strictEqual(await history.run(() => history.countApplications()), 10);
    assert.deepStrictEqual(calls, ['historyVersion', 'countApplications']);
    // Own write: invalidate() drops it at once, even with a long recheck interval.
    const slow = new LoadedHistory(sqlite, { recheckMs: 60_000 });
    await slow.fresh();
    assert.deepStrictEqual(await slow.run(() => slow.appliedFixes('nightly_etl')), []);
    await sqlite.recordAppliedFix({
      fileUri: 'file:///a.sh',
      appName: 'nightly_etl',
      key: 'spark.executor.memory',
      oldValue: '1g',
      newValue: '2g',
      appliedAtMs: NOW,
    });
    slow.invalidate();
    await slow.fresh();
    assert.deepStrictEqual(
      (await slow.run(() => slow.appliedFixes('nightly_etl'))).map((f) => f.newValue),
      ['2g'],
    );
  });

  it('passes on what the work throws, and fails a request that keeps asking for new reads', async () => {
    const history = new LoadedHistory(sqlite, { maxRounds: 3 });
    await history.fresh();
    await assert.rejects(
      history.run(() => {
        throw new RangeError('from the engine');
      }),
      RangeError,
    );
    let i = 0;
    await assert.rejects(
      history.run(() => history.runsByAppName(`job-${i++}`)),
      /needed more than 3 reads of the history store/,
    );
  });
});
