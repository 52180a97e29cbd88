/**
 * The object-store pieces that need no server: object-store URLs, and discovery on a listing of keys giving the same
 * sources as on the local folder they were uploaded from (the rules are discover.ts's, run on a `listingTree`).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverEventLogs, discoverEventLogsIn, listingTree } from '../server/src/history/event-log/discover';
import { isObjectStoreUrl, parseObjectStoreUrl } from '../server/src/history/object-store/location';
import { buildLayout, filesBelow } from './helpers/object-store-fixtures';

describe('object-store locations and listings', () => {
  it('parses s3://, s3a://, gs://, abfss:// and wasbs:// URLs and tells them from folders', () => {
    assert.deepStrictEqual(parseObjectStoreUrl('s3://my-bucket/spark-events/'), {
      kind: 's3',
      bucket: 'my-bucket',
      account: null,
      host: null,
      prefix: 'spark-events',
      base: 's3://my-bucket',
    });
    assert.deepStrictEqual(parseObjectStoreUrl('s3a://my-bucket'), {
      kind: 's3',
      bucket: 'my-bucket',
      account: null,
      host: null,
      prefix: '',
      base: 's3://my-bucket',
    });
    assert.deepStrictEqual(parseObjectStoreUrl('gs://dataproc-temp/uuid/spark-job-history'), {
      kind: 'gcs',
      bucket: 'dataproc-temp',
      account: null,
      host: null,
      prefix: 'uuid/spark-job-history',
      base: 'gs://dataproc-temp',
    });
    assert.deepStrictEqual(parseObjectStoreUrl('abfss://logs@acct.dfs.core.windows.net/a/b'), {
      kind: 'azure',
      bucket: 'logs',
      account: 'acct',
      host: 'acct.dfs.core.windows.net',
      prefix: 'a/b',
      base: 'abfss://logs@acct.dfs.core.windows.net',
    });
    assert.strictEqual(
      parseObjectStoreUrl('wasbs://logs@acct.blob.core.windows.net/x').base,
      'wasbs://logs@acct.blob.core.windows.net',
    );
    assert.throws(() => parseObjectStoreUrl('abfss://acct.dfs.core.windows.net/x'), /names no container or account/);
    assert.throws(() => parseObjectStoreUrl('hdfs://nn/var/log/spark'), /scheme hdfs: is not an object store/);
    assert.deepStrictEqual(
      ['s3://b/p', 'GS://b', 'wasb://c@a.blob.core.windows.net', '/var/log/spark', 'C:\\logs', 'hdfs://nn/x'].map(
        isObjectStoreUrl,
      ),
      [true, true, true, false, false, false],
    );
  });

  it('finds in a listing of keys the same logs, files, codecs and kinds as in the folder the keys were made from', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-listing-'));
    try {
      const logs = buildLayout(tmp);
      const local = await discoverEventLogs(logs);
      const objects = filesBelow(logs).map((rel) => {
        const st = fs.statSync(path.join(logs, rel));
        return { key: `prefix/${rel}`, sizeBytes: st.size, mtimeMs: st.mtimeMs };
      });
      // A folder marker object (as consoles create) is not a file.
      objects.push({ key: 'prefix/emr/', sizeBytes: 0, mtimeMs: 0 });
      const remote = await discoverEventLogsIn(listingTree('s3://b', objects), 's3://b/prefix');
      const shape = (sources: typeof local, root: string) =>
        sources.map((s) => ({
          path: s.path.replace(root, ''),
          kind: s.kind,
          files: s.files.map((f) => f.replace(root, '')),
          inProgress: s.inProgress,
          sizeBytes: s.sizeBytes,
          nameHint: s.nameHint,
          sparkVersionHint: s.sparkVersionHint,
        }));
      assert.strictEqual(local.length, 25);
      assert.deepStrictEqual(shape(remote, 's3://b/prefix'), shape(local, logs));
      // Codecs from the names alone (the first bytes are checked before reading): here they agree with the bytes.
      assert.deepStrictEqual(
        remote.map((s) => s.codecs),
        local.map((s) => s.codecs),
      );
      const kinds = new Map<string, number>();
      for (const s of remote) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
      assert.deepStrictEqual(Object.fromEntries(kinds), { rolling: 11, single: 12, databricks: 1, legacy: 1 });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
