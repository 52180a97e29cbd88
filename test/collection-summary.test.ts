/**
 * The words at the end of a collection: the counts clause the editor and the CLI share (shared/src/collect-text.ts)
 * and the editor's message with its log lines (client/src/collection-summary.ts).
 */
import * as assert from 'assert';
import { collectCountsText } from '../shared/src/collect-text';
import { collectionMessage } from '../client/src/collection-summary';
import { historyServerRemedy, objectStoreRemedy } from '../client/src/remedies';
import type { CollectSummary } from '../shared/src/protocol';

const CLEAN: CollectSummary = {
  found: 9,
  inserted: 9,
  updated: 0,
  unchanged: 0,
  incomplete: 0,
  failed: [],
  malformedLines: 0,
  correctedValues: 0,
  cancelled: false,
  storedApplications: 9,
};

describe('collection summary words', () => {
  it('a clean collection: only the four counts, no extras', () => {
    assert.strictEqual(collectCountsText({ ...CLEAN, failed: 0 }), '9 new, 0 updated, 0 unchanged, 0 failed');
    const m = collectionMessage('/logs', CLEAN, historyServerRemedy);
    assert.deepStrictEqual(m, {
      text: 'Spark history from /logs: 9 new, 0 updated, 0 unchanged, 0 failed. 9 applications stored.',
      warn: false,
      log: [],
    });
  });

  it('non-zero extras in a fixed order, the fetched text after unchanged, and (cancelled) last', () => {
    assert.strictEqual(
      collectCountsText(
        {
          inserted: 1,
          updated: 2,
          unchanged: 3,
          failed: 4,
          incomplete: 1,
          malformedLines: 5,
          correctedValues: 8,
          cancelled: true,
        },
        ' (7 downloaded)',
      ),
      '1 new, 2 updated, 3 unchanged (7 downloaded), 4 failed, 1 stored incomplete (log only partly readable), 5 malformed line(s) skipped, 8 impossible value(s) dropped or clipped (cancelled)',
    );
  });

  it('failures: the first two in the message with their remedies, every one in the log; a warning', () => {
    const s: CollectSummary = {
      ...CLEAN,
      inserted: 1,
      storedApplications: 1,
      failed: [
        { path: 's3://b/a', reason: 'no credentials found', kind: 'credentials' },
        { path: 's3://b/c', reason: 'HTTP 404', kind: 'not-found' },
        { path: 's3://b/d', reason: 'truncated' },
      ],
      decodeErrors: [
        { path: 's3://b/e.zstd', file: 's3://b/e.zstd', codec: 'zstd', offset: 4096, message: 'corrupt frame' },
      ],
      warnings: [{ path: 's3://b/f', message: 'log cut at its end' }],
    };
    const m = collectionMessage('s3://b', s, (k) => objectStoreRemedy(k, 's3'));
    const cred =
      'no credentials found; sign in with the AWS CLI (aws configure, or aws sso login with a profile) where VS Code runs, then collect again (the language server reads the files it writes; credentials are never read from settings)';
    const notFound = 'HTTP 404; check the URL, and sparkOptimizer.objectStore.endpointUrl for a custom endpoint';
    assert.strictEqual(
      m.text,
      `Spark history from s3://b: 1 new, 0 updated, 0 unchanged, 3 failed. 1 applications stored. Failed: s3://b/a: ${cred} · s3://b/c: ${notFound} (and 1 more, see the logs) Not fully decoded: s3://b/e.zstd (see the logs).`,
    );
    assert.strictEqual(m.warn, true);
    assert.deepStrictEqual(m.log, [
      { level: 'warn', text: `Skipped s3://b/a: ${cred}` },
      { level: 'warn', text: `Skipped s3://b/c: ${notFound}` },
      { level: 'warn', text: 'Skipped s3://b/d: truncated' },
      { level: 'warn', text: 'Not fully decoded: s3://b/e.zstd (zstd, byte 4096): corrupt frame' },
      { level: 'info', text: 's3://b/f: log cut at its end' },
    ]);
  });

  it('an incomplete record alone makes the message a warning', () => {
    const m = collectionMessage('/logs', { ...CLEAN, incomplete: 1 }, historyServerRemedy);
    assert.strictEqual(m.warn, true);
    assert.match(m.text, /, 0 failed, 1 stored incomplete \(log only partly readable\)\. 9 applications stored\.$/);
  });
});
