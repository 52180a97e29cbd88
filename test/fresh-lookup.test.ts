/**
 * service/fresh-lookup.ts: concurrent requests for one key share a query, and no request is answered by a query that
 * started before it arrived (a token revoked before a request arrives is refused). The query here is a real SQLite
 * store's `tokenBySha256` (a service token created and revoked in it), answered on the next tick as a pooled database
 * connection would.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FreshLookup } from '../server/src/service/fresh-lookup';
import type { ServiceToken } from '../server/src/history/service-store';
import { newToken } from '../server/src/service/tokens';
import { HistoryStore } from '../server/src/store/history-store';

describe('FreshLookup (one token lookup for concurrent requests, never older than the request)', () => {
  let tmp: string;
  let store: HistoryStore;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-fresh-lookup-'));
    store = HistoryStore.open(path.join(tmp, 'h.db'));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('50 concurrent lookups of one token make 2 queries (the first, then one for all that came while it ran)', async () => {
    const t = newToken();
    store.createToken({ name: 'ci', scope: 'read', tokenSha256: t.tokenSha256, createdAtMs: 1 });
    const lookup = new FreshLookup<ServiceToken | null>(
      (sha) => new Promise((r) => setImmediate(() => r(store.tokenBySha256(sha)))),
    );
    const answers = await Promise.all(Array.from({ length: 50 }, () => lookup.get(t.tokenSha256)));
    assert.strictEqual(lookup.queries, 2);
    assert.deepStrictEqual(
      [...new Set(answers.map((a) => `${a?.name} ${a?.scope} ${a?.revokedAtMs}`))],
      ['ci read null'],
    );
  });

  it('a lookup that arrives after the token was revoked sees the revocation, though a query from before still runs', async () => {
    const t = newToken();
    const id = store.createToken({ name: 'ci', scope: 'read', tokenSha256: t.tokenSha256, createdAtMs: 1 });
    // The query reads the row when it starts (as a database statement does), and answers a tick later.
    const lookup = new FreshLookup<ServiceToken | null>((sha) => {
      const row = store.tokenBySha256(sha);
      return new Promise((r) => setImmediate(() => r(row)));
    });
    const before = lookup.get(t.tokenSha256);
    assert.strictEqual(store.revokeToken(id, 7), true);
    const after = lookup.get(t.tokenSha256);
    assert.strictEqual((await before)?.revokedAtMs, null);
    assert.strictEqual((await after)?.revokedAtMs, 7);
    assert.strictEqual(lookup.queries, 2);
    // Nothing running: the next lookup makes a new query.
    assert.strictEqual((await lookup.get(t.tokenSha256))?.revokedAtMs, 7);
    assert.strictEqual(lookup.queries, 3);
  });
});
