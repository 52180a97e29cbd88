/**
 * One store query for many concurrent requests that ask the same thing (e.g. the bearer token's row: 50 clients with one
 * token would otherwise make 50 queries at a time, each waiting for a pooled connection), without ever answering a
 * request from a query made before the request arrived: a revoked token is refused from the moment the revocation is
 * stored, as with one query per request.
 *
 * How: per key, at most one query runs. A request arriving while none runs starts one; a request arriving while one
 * runs (started before it arrived, so possibly older than a change it must see) waits for the next query, started when
 * the running one ends and shared by every request that arrived meanwhile. At most two queries per key are thus
 * pending at once, whatever the number of requests.
 */

/** Shared store queries that are never older than the request that asks (see the module comment). */
export class FreshLookup<V> {
  private readonly running = new Map<string, Promise<V>>();
  private readonly queued = new Map<string, Promise<V>>();
  /** Queries made (for tests). */
  queries = 0;

  /** @param query the store query of one key (e.g. `store.tokenBySha256`). */
  constructor(private readonly query: (key: string) => Promise<V>) {}

  /**
   * The answer to `key`, from a query started after this call.
   * @throws what the query throws (every request sharing that query gets the error).
   */
  get(key: string): Promise<V> {
    const queued = this.queued.get(key);
    if (queued !== undefined) return queued;
    const running = this.running.get(key);
    if (running === undefined) return this.start(key);
    const ignore = () => undefined;
    const next = running.then(ignore, ignore).then(() => {
      this.queued.delete(key);
      return this.start(key);
    });
    this.queued.set(key, next);
    return next;
  }

  private start(key: string): Promise<V> {
    this.queries++;
    const p: Promise<V> = this.query(key).finally(() => {
      if (this.running.get(key) === p) this.running.delete(key);
    });
    this.running.set(key, p);
    return p;
  }
}
