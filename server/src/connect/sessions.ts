/**
 * Spark Connect sessions kept for the language server: one `SparkConnectClient` (one Spark session) per
 * target (URL, token, CA file), reused by every query and released when the target changes or the server stops.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { errorMessage } from '../../../shared/src/errors';
import type { JdbcViewTarget } from '../../../shared/src/protocol';
import { SparkConnectClient } from './client';

/** What a session is opened with. */
export interface SessionTarget {
  url: string;
  token?: string;
  caFile?: string;
}

/** A pool of Spark Connect sessions by target. */
export class ConnectSessions {
  private readonly clients = new Map<
    string,
    { client: SparkConnectClient; appId?: Promise<string | undefined>; views: Map<string, string> }
  >();

  constructor(private readonly log: (msg: string) => void = () => undefined) {}

  /**
   * The session for `target`, created on first use.
   * @throws Error for a bad URL or an unreadable CA file (message names the file).
   */
  get(target: SessionTarget): SparkConnectClient {
    return this.entry(target).client;
  }

  private entry(target: SessionTarget) {
    const key = createHash('sha256')
      .update(JSON.stringify([target.url, target.token ?? '', target.caFile ?? '']))
      .digest('hex');
    let e = this.clients.get(key);
    if (!e) {
      let caPem: Buffer | undefined;
      if (target.caFile) {
        try {
          caPem = fs.readFileSync(target.caFile);
        } catch (err) {
          throw new Error(`Cannot read the CA file ${target.caFile}: ${errorMessage(err)}`, { cause: err });
        }
      }
      e = {
        client: new SparkConnectClient({ url: target.url, token: target.token || undefined, caPem, log: this.log }),
        views: new Map(),
      };
      this.clients.set(key, e);
    }
    return e;
  }

  /**
   * `spark.app.id` of the server's Spark application (Config Get), cached per session; undefined when Spark
   * does not tell. This is the id the server's event log carries, so the run can be found in collected history.
   */
  async appId(target: SessionTarget): Promise<string | undefined> {
    const e = this.entry(target);
    if (!e.appId) {
      e.appId = e.client.getConfig(['spark.app.id']).then(
        (c) => c['spark.app.id'] || undefined,
        () => undefined,
      );
      const id = await e.appId;
      if (!id) e.appId = undefined;
      return id;
    }
    return e.appId;
  }

  /**
   * Registers a JDBC view on the session of `target` (`SparkConnectClient.createJdbcView`) unless the same view, with
   * the same password, is registered on the same server-side session already.
   * @returns whether it was registered now.
   * @throws SparkConnectError from Spark (e.g. FAILED_JDBC.CONNECTION for a wrong password).
   */
  async registerJdbcView(target: SessionTarget, view: JdbcViewTarget): Promise<boolean> {
    const e = this.entry(target);
    const { password, ...definition } = view;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([definition, password ?? '']))
      .digest('hex');
    const key = `${view.name}`;
    const seen = e.views.get(key);
    if (seen === `${e.client.serverSideSessionId}:${fingerprint}`) return false;
    await e.client.createJdbcView(definition, password);
    e.views.set(key, `${e.client.serverSideSessionId}:${fingerprint}`);
    return true;
  }

  /** Releases every session (ReleaseSession) and closes the channels. */
  async dispose(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((e) => e.client.close()));
  }
}
