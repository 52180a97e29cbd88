/**
 * HTTP access to a Spark History Server's REST API (`/api/v1`, spark-reference.md B). This is the only
 * module of the project that imports axios.
 *
 * Every request:
 * - has a timeout that is an idle timeout: it fires when no byte arrived for `timeoutMs` (waiting for
 *   the headers or in the middle of a body), so a big `/logs` download is not cut while bytes flow;
 * - is retried (`retries` times) on connection errors (refused, reset, cut short), timeouts, HTTP 5xx and
 *   429, with exponential backoff and full jitter (delay = random in [½, 1] × min(max, base × 2^n)),
 *   or the server's `Retry-After` (seconds or HTTP date) when it sends one. A `Retry-After` longer than
 *   the caller's budget for one wait (`maxRetryAfterMs`, by default the request timeout) is not waited
 *   for: the request fails at once and its error says how long the server asked for.
 *   A 503 "Event logs are not available" from `/logs` is an answer, not a fault: it is not retried;
 * - checks the status before reading the body; a non-2xx answer becomes a {@link HistoryServerError}
 *   that says what the server answered, to which URL, and what to do;
 * - with OAuth 2.0 client credentials, first gets an access token from the token endpoint (oauth2.ts: cached,
 *   renewed before it expires, asked for again once after a 401), through the same agents (TLS settings, proxy);
 *   the token request is a POST that follows no redirect, so the client secret goes to the token URL only;
 * - carries the caller's credentials (basic, bearer, extra headers, client certificate) to the History
 *   Server's origin only: on a redirect to another origin (scheme, host or port) `Authorization`,
 *   `Cookie`, `Proxy-Authorization` and every extra header are dropped (axios `sensitiveHeaders`), and a
 *   same-origin redirect keeps them;
 * - never puts a credential into an error message, a retry report or the URL it reports: every text
 *   made from a server's answer (a body that echoes the request headers, say) has each credential value
 *   replaced by `***` ({@link HistoryServerClient.redact}).
 */

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { formatBytes, formatDurationMs } from '../../config/spark-units';
import { parseApplicationList, formatSparkDate, type ListedAttempt, VersionInfoSchema } from './rest-types';
import { asError, errorMessage } from '../../../../shared/src/errors';
import type { HistoryServerAuth, SourceFailureKind } from '../../../../shared/src/protocol';
import { ClientCredentialsToken, clientSecretBasic, TokenRequestError } from './oauth2';

/** How the client authenticates (declared in shared/src/protocol.ts). Credentials come from the caller. */
export type { HistoryServerAuth };

/** TLS settings for an `https://` History Server. */
export interface HistoryServerTls {
  /** Verify the server certificate (default true). `false` only for a test server you trust. */
  rejectUnauthorized?: boolean;
  /** PEM CA certificate(s) to trust instead of Node's bundled roots (Node's `ca` option), e.g. a company CA. */
  ca?: string | Buffer;
  /** PEM client certificate for mutual TLS. */
  cert?: string | Buffer;
  /** PEM private key of `cert`. */
  key?: string | Buffer;
  /** Passphrase of `key`. */
  passphrase?: string;
}

/**
 * TLS options from file paths (as the CLI flags and the extension settings name them).
 * @param files PEM file paths; empty or undefined entries are left out.
 * @param verify verify the server certificate (false only for a server you trust).
 * @throws Error naming the file that cannot be read.
 */
export function tlsFromFiles(files: { ca?: string; cert?: string; key?: string }, verify: boolean): HistoryServerTls {
  const read = (file: string | undefined, what: string): Buffer | undefined => {
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`Could not read the ${what} ${file}: ${errorMessage(e)}`, { cause: e });
    }
  };
  return {
    rejectUnauthorized: verify,
    ca: read(files.ca, 'CA certificate file'),
    cert: read(files.cert, 'client certificate file'),
    key: read(files.key, 'client key file'),
  };
}

/** Options of {@link HistoryServerClient}. */
export interface HistoryServerClientOptions {
  /**
   * The History Server, e.g. `http://host:18080` (a trailing `/api/v1` is accepted). User info in the
   * URL (`http://u:p@host`) is taken as basic auth when `auth` is not given, and dropped from every
   * URL the client reports.
   */
  baseUrl: string;
  /** Default: none (or basic from the URL's user info). */
  auth?: HistoryServerAuth;
  /** Extra request headers (for an authenticating proxy: cookies, API keys). Values are never reported. */
  headers?: Record<string, string>;
  tls?: HistoryServerTls;
  /** Idle timeout of one request, ms: no byte received for this long aborts it (default 30 000). */
  timeoutMs?: number;
  /** Retries after the first try (default 4). */
  retries?: number;
  /** First backoff delay, ms (default 500); doubles per retry. */
  retryBaseDelayMs?: number;
  /** Backoff cap, ms (default 30 000). */
  retryMaxDelayMs?: number;
  /**
   * Longest `Retry-After` waited for, ms (default: `timeoutMs`, the caller's time budget for one request).
   * A server asking for longer fails the request at once, saying so, instead of blocking the run.
   */
  maxRetryAfterMs?: number;
  /** Largest JSON body read, bytes (default 64 MiB). */
  maxJsonBytes?: number;
  /** Called before each retry (for logging; never given credentials). */
  onRetry?: (info: RetryInfo) => void;
  /** An axios instance to use instead of the one the client creates (tests). Its agents and auth are left as they are. */
  http?: AxiosInstance;
}

/** What {@link HistoryServerClientOptions.onRetry} is told. */
export interface RetryInfo {
  /** The URL without credentials. */
  url: string;
  /** 1 for the first retry. */
  attempt: number;
  /** Wait before the retry, ms. */
  delayMs: number;
  /** Why the previous try failed. */
  reason: string;
}

/** Filters of `GET /api/v1/applications` (ApplicationListResource). Dates are epoch ms. */
export interface ApplicationListFilter {
  /** `status=completed|running` (absent: both). */
  status?: 'completed' | 'running';
  /** `minDate`: started at or after. */
  minStartMs?: number;
  /** `maxDate`: started at or before. */
  maxStartMs?: number;
  /** `minEndDate`: ended at or after (running apps pass when `maxEndDate` is in the future). Spark 2.2+. */
  minEndMs?: number;
  /** `maxEndDate`: ended at or before. Spark 2.2+. */
  maxEndMs?: number;
  /** `limit`: at most this many applications (the server lists newest end time first). */
  limit?: number;
}

/**
 * A failed request: what the server (or the network) did, to which URL, and of what kind. `message` is meant for
 * users but names no front end's remedy (no flag, variable, setting or command): each front end words it from `kind`
 * (the CLI: `SPARK_OPTIMIZER_HS_*` variables and `--ca`; VS Code: its credentials command and TLS settings).
 */
export class HistoryServerError extends Error {
  /**
   * @param message what happened, to which URL (without credentials).
   * @param url the URL without credentials.
   * @param status HTTP status, or null for network errors and timeouts.
   * @param retryable whether another try may succeed.
   * @param retryAfterMs the server's `Retry-After`, ms, when given.
   * @param kind `credentials` for 401, `access-denied` 403, `not-found` 404, `tls` for a certificate that could not be
   *   verified, `network` for a connection refused, cut or timed out, else `other`.
   */
  constructor(
    message: string,
    readonly url: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly kind: SourceFailureKind = 'other',
  ) {
    super(message);
    this.name = 'HistoryServerError';
  }
}

/** The body text Spark answers on `/logs` when it cannot read an application's event logs (OneApplicationResource.getEventLogs). */
const EVENT_LOGS_NOT_AVAILABLE = 'Event logs are not available';

/**
 * A client for one History Server. Create it once per collection and `close()` it afterwards (it keeps
 * connections alive between requests).
 */
export class HistoryServerClient {
  /** `scheme://host:port[/prefix]` without user info and without `/api/v1`; safe to show and to key sources by. */
  readonly baseUrl: string;
  private readonly api: string;
  private readonly http: AxiosInstance;
  private readonly agents: (http.Agent | https.Agent)[] = [];
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxJsonBytes: number;
  private readonly onRetry?: (info: RetryInfo) => void;
  /** Credential values as they could appear in a text (raw, base64 of basic, URL-encoded), longest first. */
  private secrets: string[];
  /** The OAuth2 access token source, for `oauth2` auth. */
  readonly oauth2: ClientCredentialsToken | null = null;

  /** @throws Error when `baseUrl` is not an http(s) URL (the message shows it without user info). */
  constructor(opts: HistoryServerClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new Error(
        `"${opts.baseUrl.replace(/\/\/[^/@]*@/, '//***@')}" is not a URL; give the History Server like http://host:18080`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`History Server URL must start with http:// or https://, got ${url.protocol}//`);
    let auth = opts.auth;
    if (!auth && url.username)
      auth = { kind: 'basic', user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    this.baseUrl = url
      .toString()
      .replace(/\/+$/, '')
      .replace(/\/api\/v1$/, '');
    this.api = `${this.baseUrl}/api/v1`;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = opts.retries ?? 4;
    this.retryBaseDelayMs = opts.retryBaseDelayMs ?? 500;
    this.retryMaxDelayMs = opts.retryMaxDelayMs ?? 30_000;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? this.timeoutMs;
    this.maxJsonBytes = opts.maxJsonBytes ?? 64 * 1024 * 1024;
    this.onRetry = opts.onRetry;
    this.secrets = secretForms(auth, opts.headers ?? {});
    if (opts.http) {
      this.http = opts.http;
    } else {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (auth?.kind === 'basic')
        headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
      else if (auth?.kind === 'bearer') headers.Authorization = `Bearer ${auth.token}`;
      const httpAgent = new http.Agent({ keepAlive: true });
      const httpsAgent = new https.Agent({
        keepAlive: true,
        rejectUnauthorized: opts.tls?.rejectUnauthorized ?? true,
        ca: opts.tls?.ca,
        cert: opts.tls?.cert,
        key: opts.tls?.key,
        passphrase: opts.tls?.passphrase,
      });
      this.agents.push(httpAgent, httpsAgent);
      if (auth?.kind === 'oauth2') {
        const tokenUrl = auth.tokenUrl;
        this.oauth2 = new ClientCredentialsToken(
          auth,
          (form, authorization) => this.postTokenRequest(tokenUrl, form, authorization, httpAgent, httpsAgent),
          (token) =>
            (this.secrets = [...new Set([...this.secrets, token, encodeURIComponent(token)])]
              .filter((v) => v.length >= 4)
              .sort((a, b) => b.length - a.length)),
        );
      }
      this.http = axios.create({
        headers,
        httpAgent,
        httpsAgent,
        // The proxy of http_proxy/https_proxy env vars still applies (axios default); redirects are followed,
        // and on one to another origin every credential-bearing header is dropped (same origin keeps them).
        maxRedirects: 5,
        sensitiveHeaders: ['Authorization', 'Proxy-Authorization', 'Cookie', ...Object.keys(opts.headers ?? {})],
        // Status handled here, bodies streamed: no axios-side buffering or throwing.
        validateStatus: () => true,
        responseType: 'stream',
        decompress: true,
        maxContentLength: -1,
        maxBodyLength: -1,
      });
    }
  }

  /** One token request (oauth2.ts builds the form and reads the answer): no redirect followed, body read as text. */
  private async postTokenRequest(
    tokenUrl: string,
    form: URLSearchParams,
    authorization: string,
    httpAgent: http.Agent,
    httpsAgent: https.Agent,
  ): Promise<{ status: number; body: string }> {
    try {
      const res = await axios.post<string>(tokenUrl, form.toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization },
        httpAgent,
        httpsAgent,
        maxRedirects: 0,
        timeout: this.timeoutMs,
        responseType: 'text',
        transformResponse: (x: string) => x,
        validateStatus: () => true,
        maxContentLength: 1024 * 1024,
      });
      return { status: res.status, body: String(res.data ?? '') };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      const tls = /certificate|self.signed|unable to verify/i.test(errorMessage(e));
      throw new TokenRequestError(
        `Token endpoint ${tokenUrl} could not be reached: ${errorMessage(e)}${code && !errorMessage(e).includes(code) ? ` (${code})` : ''}`,
        null,
        !tls && RETRYABLE_CODES.has(code),
        tls ? 'tls' : 'network',
      );
    }
  }

  /** Closes kept-alive connections. */
  close(): void {
    for (const a of this.agents) a.destroy();
  }

  /**
   * `text` with every credential this client sends (bearer token, basic password and its base64 form, each
   * extra header's value; also URL-encoded) replaced by `***`. Values shorter than 4 characters are left alone
   * (they would garble every message and hide next to nothing).
   */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  /** The same error with its message redacted (see {@link redact}); other values pass through. */
  private redacted<E>(e: E): E {
    if (e instanceof Error) e.message = this.redact(e.message);
    return e;
  }

  /** URL of an API path, without credentials. */
  urlOf(apiPath: string): string {
    return `${this.api}${apiPath}`;
  }

  /** URL of an attempt's `/logs` endpoint (also the `source_path` under which the store keeps its record). */
  logsUrl(appId: string, attemptId: string | null): string {
    return this.urlOf(
      `/applications/${encodeURIComponent(appId)}${attemptId !== null ? `/${encodeURIComponent(attemptId)}` : ''}/logs`,
    );
  }

  /**
   * `GET /api/v1/version`.
   * @returns the server's Spark version, e.g. `4.3.0`.
   * @throws HistoryServerError (after retries) or Error for an unexpected body.
   */
  async version(signal?: AbortSignal): Promise<string> {
    const body = await this.getJson('/version', new URLSearchParams(), signal).catch((e: unknown) =>
      Promise.reject(this.redacted(asError(e))),
    );
    const v = VersionInfoSchema.safeParse(body);
    if (!v.success)
      throw new Error(
        `History Server at ${this.baseUrl} answered /api/v1/version with no "spark" field; is this a Spark History Server?`,
      );
    return v.data.spark;
  }

  /**
   * `GET /api/v1/applications` with the given filters, flattened to one entry per attempt.
   * @throws HistoryServerError (after retries), or Error when the body is not an application list
   *   (not retried: a server or proxy that answers malformed JSON usually keeps doing so).
   */
  async listApplications(filter: ApplicationListFilter = {}, signal?: AbortSignal): Promise<ListedAttempt[]> {
    const q = new URLSearchParams();
    if (filter.status) q.append('status', filter.status);
    if (filter.minStartMs !== undefined) q.append('minDate', formatSparkDate(filter.minStartMs));
    if (filter.maxStartMs !== undefined) q.append('maxDate', formatSparkDate(filter.maxStartMs));
    if (filter.minEndMs !== undefined) q.append('minEndDate', formatSparkDate(filter.minEndMs));
    if (filter.maxEndMs !== undefined) q.append('maxEndDate', formatSparkDate(filter.maxEndMs));
    if (filter.limit !== undefined) q.append('limit', String(filter.limit));
    const body = await this.getJson('/applications', q, signal).catch((e: unknown) =>
      Promise.reject(this.redacted(asError(e))),
    );
    try {
      return parseApplicationList(body);
    } catch (e) {
      // eslint-disable-next-line preserve-caught-error -- no cause: every message of this client is redacted, a cause would be logged as it is.
      throw new Error(
        this.redact(`History Server at ${this.baseUrl} answered /api/v1/applications with ${(e as Error).message}`),
      );
    }
  }

  /**
   * `GET /api/v1/applications/{appId}`: one application's attempts (newest first), as in the listing.
   * @returns null when the server does not know the application (404: its log was removed).
   * @throws HistoryServerError (after retries) for other failures, Error for an unexpected body.
   */
  async getApplication(appId: string, signal?: AbortSignal): Promise<ListedAttempt[] | null> {
    let body: unknown;
    try {
      body = await this.getJson(`/applications/${encodeURIComponent(appId)}`, new URLSearchParams(), signal);
    } catch (e) {
      if (e instanceof HistoryServerError && e.status === 404) return null;
      throw this.redacted(e);
    }
    try {
      return parseApplicationList([body]);
    } catch (e) {
      // eslint-disable-next-line preserve-caught-error -- no cause: every message of this client is redacted, a cause would be logged as it is.
      throw new Error(
        this.redact(
          `History Server at ${this.baseUrl} answered /api/v1/applications/${appId} with ${(e as Error).message}`,
        ),
      );
    }
  }

  /**
   * `GET /api/v1/applications/{appId}[/{attemptId}]/{sub}` as parsed JSON (e.g. `environment`,
   * `allexecutors`, `stages`, `jobs`), unvalidated: the caller checks the shape.
   * @throws HistoryServerError (after retries), Error for a body that is not JSON.
   */
  async getAttemptResource(
    appId: string,
    attemptId: string | null,
    sub: string,
    query = new URLSearchParams(),
    signal?: AbortSignal,
  ): Promise<unknown> {
    return this.getJson(
      `/applications/${encodeURIComponent(appId)}${attemptId !== null ? `/${encodeURIComponent(attemptId)}` : ''}/${sub}`,
      query,
      signal,
    ).catch((e: unknown) => Promise.reject(this.redacted(asError(e))));
  }

  /**
   * Downloads `GET /api/v1/applications/{appId}[/{attemptId}]/logs` (a zip of the attempt's event-log
   * files as Spark stored them) to `destFile`, retrying as described in the module comment (each try
   * rewrites the file).
   * @param maxBytes largest download, bytes (default unlimited): a server sending more is cut off with a
   *   non-retryable error (a zip that big would be refused by the extraction anyway).
   * @returns bytes written.
   * @throws HistoryServerError; with `status` 503 and `retryable` false when Spark says the event logs
   *   are not available for this app.
   */
  async downloadEventLogs(
    appId: string,
    attemptId: string | null,
    destFile: string,
    signal?: AbortSignal,
    maxBytes = Infinity,
  ): Promise<number> {
    const apiPath = `/applications/${encodeURIComponent(appId)}${attemptId !== null ? `/${encodeURIComponent(attemptId)}` : ''}/logs`;
    const url = this.urlOf(apiPath);
    return this.withRetries(
      url,
      signal,
      (res, watchdog) =>
        pipeline(
          res.data,
          watchdog.counter(
            maxBytes,
            () =>
              new HistoryServerError(
                `History Server at ${url} sent more than ${formatBytes(maxBytes)} of event logs (the limit); refusing the download`,
                url,
                null,
                false,
              ),
          ),
          fs.createWriteStream(destFile),
        ).then(() => watchdog.bytes),
      apiPath,
    ).catch((e: unknown) => Promise.reject(this.redacted(asError(e))));
  }

  private async getJson(apiPath: string, query: URLSearchParams, signal?: AbortSignal): Promise<unknown> {
    const qs = query.toString();
    const full = `${apiPath}${qs ? `?${qs}` : ''}`;
    const url = this.urlOf(full);
    const text = await this.withRetries(
      url,
      signal,
      async (res, watchdog) => {
        const chunks: Buffer[] = [];
        let size = 0;
        // Iterating the response itself (not a pipe of it) so that its errors (cut short, destroyed by the watchdog) reject here.
        for await (const chunk of res.data as AsyncIterable<Buffer>) {
          watchdog.kick();
          size += chunk.length;
          if (size > this.maxJsonBytes)
            throw new HistoryServerError(
              `History Server at ${url} sent more than ${this.maxJsonBytes} bytes of JSON; narrow the listing with --since or --limit`,
              url,
              null,
              false,
            );
          chunks.push(chunk);
        }
        return Buffer.concat(chunks).toString('utf8');
      },
      full,
    );
    try {
      return JSON.parse(text);
    } catch (e) {
      // eslint-disable-next-line preserve-caught-error -- no cause: every message of this client is redacted, a cause would be logged as it is.
      throw new Error(
        this.redact(
          `History Server at ${url} answered malformed JSON (${(e as Error).message}; starts ${JSON.stringify(text.slice(0, 60))})`,
        ),
      );
    }
  }

  /**
   * Runs one GET with retries. `consume` reads a 2xx body; its failures (a body cut short, an idle
   * timeout) are retried like request failures.
   */
  private async withRetries<T>(
    url: string,
    signal: AbortSignal | undefined,
    consume: (res: AxiosResponse<Readable>, watchdog: Watchdog) => Promise<T>,
    apiPath: string,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      let err: unknown;
      try {
        return await this.once(url, apiPath, signal, consume);
      } catch (e) {
        err = e;
      }
      signal?.throwIfAborted();
      const failure = this.redacted(
        err instanceof HistoryServerError ? err : toHistoryServerError(err, url, this.baseUrl),
      );
      if (!failure.retryable || attempt >= this.retries) {
        if (attempt > 0 && failure.retryable)
          failure.message = `${failure.message} (gave up after ${attempt + 1} tries)`;
        throw failure;
      }
      if (failure.retryAfterMs !== null && failure.retryAfterMs > this.maxRetryAfterMs) {
        // Waiting that long would block the run past the caller's budget; retrying sooner ignores the server.
        failure.message = `${failure.message}; it asked to be retried after ${formatDurationMs(failure.retryAfterMs)} (Retry-After), longer than the ${formatDurationMs(this.maxRetryAfterMs)} this client waits (its timeout): not retried, try again later`;
        throw failure;
      }
      const backoff = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** attempt);
      const delayMs =
        failure.retryAfterMs !== null ? failure.retryAfterMs : Math.round(backoff * (0.5 + Math.random() * 0.5));
      this.onRetry?.({ url, attempt: attempt + 1, delayMs, reason: failure.message });
      await sleep(delayMs, signal);
    }
  }

  private async once<T>(
    url: string,
    apiPath: string,
    signal: AbortSignal | undefined,
    consume: (res: AxiosResponse<Readable>, watchdog: Watchdog) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let watchdog: Watchdog | null = null;
    try {
      let token: string | null = null;
      if (this.oauth2) {
        try {
          token = await this.oauth2.accessToken();
        } catch (e) {
          throw e instanceof TokenRequestError
            ? new HistoryServerError(e.message, this.oauth2.credentials.tokenUrl, e.status, e.retryable, null, e.kind)
            : e;
        }
      }
      watchdog = new Watchdog(this.timeoutMs, () =>
        controller.abort(
          new HistoryServerError(
            `History Server at ${url} sent nothing for ${this.timeoutMs} ms (timeout); check that it is up, or raise the timeout`,
            url,
            null,
            true,
            null,
            'network',
          ),
        ),
      );
      let res = await this.http.get<Readable>(`${this.api}${apiPath}`, {
        signal: controller.signal,
        responseType: 'stream',
        ...(token !== null ? { headers: { Authorization: `Bearer ${token}` } } : {}),
      });
      if (res.status === 401 && this.oauth2 && token !== null) {
        // The proxy no longer takes this token (expired early, keys rotated): one more try with a new one.
        res.data.resume();
        this.oauth2.invalidate(token);
        const fresh = await this.oauth2
          .accessToken()
          .catch((e: unknown) =>
            Promise.reject(
              e instanceof TokenRequestError
                ? new HistoryServerError(
                    e.message,
                    this.oauth2!.credentials.tokenUrl,
                    e.status,
                    e.retryable,
                    null,
                    e.kind,
                  )
                : asError(e),
            ),
          );
        watchdog.kick();
        res = await this.http.get<Readable>(`${this.api}${apiPath}`, {
          signal: controller.signal,
          responseType: 'stream',
          headers: { Authorization: `Bearer ${fresh}` },
        });
      }
      watchdog.kick();
      watchdog.stream = res.data;
      if (res.status < 200 || res.status > 299) {
        const body = await readSome(res.data, 2048).catch(() => '');
        if (res.status === 401 && this.oauth2) {
          throw new HistoryServerError(
            `History Server at ${url} answered 401 to a new access token from ${this.oauth2.credentials.tokenUrl}: the proxy in front of it does not accept this client's tokens; check the client, its scope and the resource (audience) asked for`,
            url,
            401,
            false,
          );
        }
        throw statusError(
          res.status,
          String(res.statusText ?? ''),
          body,
          url,
          this.baseUrl,
          retryAfterOf(res.headers['retry-after']),
        );
      }
      return await consume(res, watchdog);
    } catch (e) {
      if (controller.signal.aborted && controller.signal.reason instanceof HistoryServerError)
        throw controller.signal.reason;
      throw e;
    } finally {
      watchdog?.stop();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Idle timer of one request: fires when no byte arrived for `timeoutMs`. Also destroys the response
 * stream when it fires, since aborting axios after the headers arrived does not end a body being read.
 */
class Watchdog {
  bytes = 0;
  stream: Readable | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: () => void,
  ) {
    this.kick();
  }

  kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.onTimeout();
      this.stream?.destroy(new Error('timeout'));
    }, this.timeoutMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * A pass-through that counts bytes and kicks the timer on each chunk; past `maxBytes` it fails with
   * `tooMany()`'s error.
   */
  counter(maxBytes = Infinity, tooMany?: () => Error): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.bytes += chunk.length;
        this.kick();
        if (this.bytes > maxBytes) cb(tooMany?.() ?? new Error(`more than ${maxBytes} bytes`));
        else cb(null, chunk);
      },
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(asError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function readSome(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, max);
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 * @returns ms to wait, or null when absent or unreadable.
 */
export function retryAfterOf(header: unknown, nowMs = Date.now()): number | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : null;
}

/**
 * The forms in which a credential of `auth` or `headers` could show up in a text: the raw value, a cookie's
 * or a `Scheme token` header's secret part, the base64 `user:password` of basic auth, and each URL-encoded;
 * at least 4 characters long, longest first (so a value containing another is replaced whole).
 */
function secretForms(auth: HistoryServerAuth | undefined, headers: Record<string, string>): string[] {
  const raw: string[] = [];
  for (const v of Object.values(headers)) {
    raw.push(v);
    // A server may echo a part: a cookie's value (`a=1; session=s3cr3t`), the token of `Scheme token`.
    for (const m of v.matchAll(/[^=;,\s]+=([^;,\s]+)/g)) raw.push(m[1]);
    const scheme = /^[A-Za-z][\w-]*\s+(\S+)$/.exec(v);
    if (scheme) raw.push(scheme[1]);
  }
  if (auth?.kind === 'bearer') raw.push(auth.token);
  if (auth?.kind === 'basic') raw.push(auth.password, Buffer.from(`${auth.user}:${auth.password}`).toString('base64'));
  if (auth?.kind === 'oauth2') raw.push(auth.clientSecret, clientSecretBasic(auth).slice('Basic '.length));
  const forms = new Set<string>();
  for (const v of raw) {
    forms.add(v);
    forms.add(encodeURIComponent(v));
  }
  return [...forms].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

function statusError(
  status: number,
  statusText: string,
  body: string,
  url: string,
  base: string,
  retryAfterMs: number | null,
): HistoryServerError {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 300);
  const answered = `History Server at ${url} answered ${status}${statusText ? ` ${statusText}` : ''}${text ? `: ${text}` : ''}`;
  if (status === 503 && text.startsWith(EVENT_LOGS_NOT_AVAILABLE)) {
    return new HistoryServerError(
      `${answered} (the server lists the application but cannot read its event log files)`,
      url,
      status,
      false,
    );
  }
  // 401: the front end says how to give credentials (kind `credentials`).
  if (status === 401) return new HistoryServerError(answered, url, status, false, null, 'credentials');
  if (status === 403)
    return new HistoryServerError(
      `${answered}; the user is not allowed to view this application (spark.history.ui.acls.enable / spark.ui.view.acls on the server)`,
      url,
      status,
      false,
      null,
      'access-denied',
    );
  if (status === 404)
    return new HistoryServerError(
      `${answered}; check the URL (${base} should be the History Server, which serves /api/v1)`,
      url,
      status,
      false,
      null,
      'not-found',
    );
  const retryable = status >= 500 || status === 429 || status === 408;
  return new HistoryServerError(answered, url, status, retryable, retryAfterMs);
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_BAD_RESPONSE',
]);

function toHistoryServerError(err: unknown, url: string, base: string): HistoryServerError {
  const e = err as NodeJS.ErrnoException & { cause?: { code?: string } };
  const code = (e && (e.code ?? e.cause?.code)) || '';
  const message = errorMessage(err);
  if (e instanceof AxiosError || code || /aborted|socket hang up|premature/i.test(message)) {
    // A certificate that could not be verified: the front end says how to trust its CA (kind `tls`).
    const tls = /certificate|self.signed|unable to verify/i.test(message);
    const what =
      code === 'ECONNREFUSED'
        ? `is not reachable (connection refused); check that it runs and that ${base} is right`
        : `failed: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
    const retryable =
      !tls &&
      (RETRYABLE_CODES.has(code) || /aborted|socket hang up|premature|terminated/i.test(message) || code === '');
    return new HistoryServerError(
      `History Server at ${url} ${what}`,
      url,
      null,
      retryable,
      null,
      tls ? 'tls' : 'network',
    );
  }
  return new HistoryServerError(`History Server at ${url}: ${message}`, url, null, false);
}
