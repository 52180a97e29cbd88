/** The default history store path (server/src/store/store-path.ts), the one rule of the language server and the CLI. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultStorePath, StoreUnavailableError } from '../server/src/store/store-path';
import { HistoryStore } from '../server/src/store/history-store';

describe('default history store path', () => {
  const home = '/home/alice';

  it('is ~/.local/share/spark-optimizer/history.db without variables', () => {
    assert.strictEqual(defaultStorePath({}, home), '/home/alice/.local/share/spark-optimizer/history.db');
  });

  it('honours an absolute XDG_DATA_HOME', () => {
    assert.strictEqual(defaultStorePath({ XDG_DATA_HOME: '/data/xdg' }, home), '/data/xdg/spark-optimizer/history.db');
  });

  it('ignores an empty or relative XDG_DATA_HOME, as the XDG Base Directory Specification says', () => {
    assert.strictEqual(
      defaultStorePath({ XDG_DATA_HOME: '' }, home),
      '/home/alice/.local/share/spark-optimizer/history.db',
    );
    assert.strictEqual(
      defaultStorePath({ XDG_DATA_HOME: 'relative/data' }, home),
      '/home/alice/.local/share/spark-optimizer/history.db',
    );
  });

  it('takes SPARK_OPTIMIZER_DB first, as given', () => {
    assert.strictEqual(
      defaultStorePath({ SPARK_OPTIMIZER_DB: '/srv/h.db', XDG_DATA_HOME: '/data/xdg' }, home),
      '/srv/h.db',
    );
    assert.strictEqual(
      defaultStorePath({ SPARK_OPTIMIZER_DB: '', XDG_DATA_HOME: '/data/xdg' }, home),
      '/data/xdg/spark-optimizer/history.db',
    );
  });
});

describe('StoreUnavailableError', () => {
  it("is what HistoryStore.open throws, with the file and the reason in the file system's words", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-store-path-'));
    try {
      const blocker = path.join(tmp, 'file');
      fs.writeFileSync(blocker, 'not a folder');
      const file = path.join(blocker, 'history.db');
      const e = (() => {
        try {
          HistoryStore.open(file).close();
        } catch (thrown) {
          return thrown;
        }
        return null;
      })();
      assert.ok(e instanceof StoreUnavailableError, String(e));
      assert.strictEqual(e.path, file);
      assert.match(e.reason, /^ENOTDIR|^EEXIST/);
      assert.strictEqual(e.message, `The history store ${file} could not be opened: ${e.reason}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('drops a leading "the history store PATH" from the reason', () => {
    const e = StoreUnavailableError.of(
      '/x/h.db',
      new Error(
        'the history store /x/h.db stayed locked by another process while opening it (3 tries over 2.0 s, busy timeout 500 ms): database is locked',
      ),
    );
    assert.strictEqual(
      e.message,
      'The history store /x/h.db could not be opened: it stayed locked by another process while opening it (3 tries over 2.0 s, busy timeout 500 ms): database is locked',
    );
  });
});
