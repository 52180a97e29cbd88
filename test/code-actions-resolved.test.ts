/**
 * Quick fixes on values a file defines away from the setting (issue 11): the edit goes where the value is written when
 * that changes this setting and nothing else, and there is no edit otherwise. Runs are the real nightly_etl runs of
 * examples/history (1g executors spilled; the recommendation raises spark.executor.memory).
 */
import * as assert from 'assert';
import { editFor } from '../server/src/features/code-actions';
import { onHover } from '../server/src/features/hover';
import { collectEventLogs } from '../server/src/history/collect';
import { SparkLanguageService } from '../server/src/language-service';
import { HistoryStore } from '../server/src/store/history-store';
import { replaceAt, textAt } from './helpers/text-edits';
import { EXAMPLE_HISTORY } from './helpers/fixtures';

describe('code actions: values resolved through a variable', () => {
  let store: HistoryStore;
  let service: SparkLanguageService;
  before(async () => {
    store = HistoryStore.open(':memory:');
    await collectEventLogs(EXAMPLE_HISTORY, store);
    service = new SparkLanguageService(store);
  });
  after(() => store.close());

  /** The executor-memory recommendation of a script and the edit its quick fix makes. */
  let n = 0;
  function fix(script: string) {
    // A document of its own each time (the service caches an analysis per document and version).
    const doc = service.analyse(`file:///w/submit_${++n}.sh`, script, 'shellscript', 1);
    const sa = doc.sites[0];
    const rec = sa.recommendations.find((r) => r.key === 'spark.executor.memory');
    return { rec, edit: rec ? editFor(sa, rec) : null };
  }

  it('edits the assignment of a variable used once (MEM=1g ... --executor-memory $MEM)', () => {
    const script = [
      'MEM=1g',
      'spark-submit --name nightly_etl --executor-memory $MEM examples/nightly_etl.py',
      '',
    ].join('\n');
    const { rec, edit } = fix(script);
    assert.ok(rec && edit);
    assert.strictEqual(textAt(script, edit.range), '1g');
    assert.strictEqual(replaceAt(script, edit.range, edit.newText).split('\n')[0], `MEM=${rec.recommendedValue}`);
  });

  it('says in the hover where a resolved value is written and whether a fix edits it there', () => {
    const script = [
      'MEM=1g',
      'spark-submit --name nightly_etl --executor-memory $MEM --driver-memory ${DRIVER_MEM:-2g} examples/nightly_etl.py',
      '',
    ].join('\n');
    const doc = service.analyse('file:///w/hover.sh', script, 'shellscript', 1);
    const md = (pos: number) =>
      (onHover(doc, { line: 1, character: pos })?.contents as { value: string }).value.split('\n')[0];
    assert.strictEqual(
      md(script.split('\n')[1].indexOf('$MEM') + 1),
      '**spark.executor.memory** = `$MEM` = `1g` (from MEM, line 1; a fix edits it there)',
    );
    assert.strictEqual(
      md(script.split('\n')[1].indexOf('${DRIVER_MEM') + 2),
      '**spark.driver.memory** = `${DRIVER_MEM:-2g}` = `2g` (from DRIVER_MEM, line 2; never rewritten: the environment may override it or it is used elsewhere)',
    );
  });

  it('offers no edit (and so no recommendation to apply) for an environment default (${MEM:-1g}) nor a variable used twice', () => {
    const fromEnv = ['spark-submit --name nightly_etl --executor-memory ${MEM:-1g} examples/nightly_etl.py', ''].join(
      '\n',
    );
    assert.strictEqual(fix(fromEnv).edit, null);
    const shared = [
      'MEM=1g',
      'spark-submit --name nightly_etl --executor-memory $MEM --driver-memory $MEM examples/nightly_etl.py',
      '',
    ].join('\n');
    assert.strictEqual(fix(shared).edit, null);
  });
});
