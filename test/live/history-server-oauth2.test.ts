/**
 * Collecting from a History Server behind an OAuth2 proxy with client credentials: a REAL Spark History Server
 * (Spark 4.3.0 from the pip-installed pyspark, test/helpers/history-server-process.ts) over copies of the 9 example runs
 * (examples/history/eventlog_v2_*), a REAL OAuth 2.0 authorization server (panva's oidc-provider,
 * test/helpers/oidc-provider.ts) issuing 4-second JWT access tokens, and between them a small loopback proxy written
 * here that, like oauth2-proxy with bearer tokens, verifies each request's `Authorization: Bearer` JWT against the
 * provider's JWKS (jose: issuer, audience, expiry with no clock tolerance) before forwarding it, and answers 401
 * otherwise. The proxy holds each request 400 ms, so a collection (at least 10 requests, one at a time: ≥ 4 s) outlives
 * the 2 s the collector uses a 4-second token for (it renews half-way): it must renew its token mid-collection, or the
 * proxy refuses it.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { HistoryServerClient } from '../../server/src/history/history-server/client';
import { collectFromHistoryServer } from '../../server/src/history/history-server/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { freePort, RealHistoryServer } from '../helpers/history-server-process';
import { BUILT_CLI, EXAMPLE_HISTORY } from '../helpers/fixtures';
import { sparkHome } from '../helpers/spark-home';
import { TestOidcProvider, type TestClient } from '../helpers/oidc-provider';
import { LspClient } from '../helpers/lsp-client';
import { CollectHistoryServerRequest } from '../../shared/src/protocol';

const HISTORY_AUDIENCE = 'urn:spark-history:test';
const OTHER_AUDIENCE = 'urn:other:test';
const COLLECTOR: TestClient = {
  clientId: 'spark-optimizer-collector',
  clientSecret: 'collector-secret-only-the-provider-and-the-file-know',
  scope: 'history:read',
};
/** The example runs' application ids (examples/history/README.md). */
const EXAMPLE_APPS = 9;

/** One request the proxy saw: path, the bearer token (or null), and whether it let it through. */
interface Seen {
  path: string;
  token: string | null;
  verdict: 'forwarded' | 'refused';
  reason?: string;
}

/** The OAuth2-checking proxy in front of the History Server. */
class BearerCheckingProxy {
  readonly seen: Seen[] = [];
  /** Refuse the next N requests whatever their token (as a proxy does that has just rotated its keys). */
  refuseNext = 0;
  url = '';
  private server: http.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly upstreamPort: number,
    private readonly provider: TestOidcProvider,
    private readonly delayMs: number,
  ) {}

  async start(): Promise<void> {
    const jose = await import('jose');
    const keys = jose.createRemoteJWKSet(new URL(this.provider.jwksUri));
    this.server = http.createServer((req, res) => {
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      const token = m ? m[1] : null;
      const refuse = (reason: string) => {
        this.seen.push({ path: req.url ?? '', token, verdict: 'refused', reason });
        res
          .writeHead(401, { 'www-authenticate': `Bearer error="invalid_token"`, 'content-type': 'text/plain' })
          .end(`refused: ${reason}\n`);
      };
      if (token === null) return refuse('no bearer token');
      if (this.refuseNext > 0) {
        this.refuseNext--;
        return refuse('keys rotated');
      }
      jose
        .jwtVerify(token, keys, {
          issuer: this.provider.issuer,
          audience: HISTORY_AUDIENCE,
          clockTolerance: 0,
          requiredClaims: ['exp'],
        })
        .then(
          () => {
            this.seen.push({ path: req.url ?? '', token, verdict: 'forwarded' });
            setTimeout(() => {
              const up = http.request(
                {
                  host: '127.0.0.1',
                  port: this.upstreamPort,
                  path: req.url,
                  method: req.method,
                  headers: { ...req.headers, authorization: '' },
                },
                (ur) => {
                  res.writeHead(ur.statusCode ?? 502, ur.headers);
                  ur.pipe(res);
                },
              );
              up.on('error', () => res.destroy());
              req.pipe(up);
            }, this.delayMs);
          },
          (e: Error) => refuse(e.message),
        );
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  forwardedTokens(): string[] {
    return [...new Set(this.seen.filter((s) => s.verdict === 'forwarded').map((s) => s.token as string))];
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

/** Runs the built CLI; resolves with its exit code and output. */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('History Server behind an OAuth2 proxy: client credentials (real History Server, real OIDC provider)', function () {
  this.timeout(300_000);
  let tmp: string;
  let shs: RealHistoryServer;
  let provider: TestOidcProvider;
  let proxy: BearerCheckingProxy;
  let secretFile: string;
  /** The environment of the CLI: this one without any History Server credential variable. */
  let env: NodeJS.ProcessEnv;

  before(async function () {
    this.timeout(600_000); // the History Server's JVM starts in seconds on an idle machine, minutes on a busy one
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-hs-oauth2-'));
    const logDir = path.join(tmp, 'logs');
    fs.mkdirSync(logDir);
    const ids: string[] = [];
    for (const name of fs.readdirSync(EXAMPLE_HISTORY).filter((n) => n.startsWith('eventlog_v2_'))) {
      fs.cpSync(path.join(EXAMPLE_HISTORY, name), path.join(logDir, name), { recursive: true });
      ids.push(name.slice('eventlog_v2_'.length));
    }
    assert.strictEqual(ids.length, EXAMPLE_APPS);
    provider = await TestOidcProvider.start({
      clients: [COLLECTOR],
      resources: [
        { audience: HISTORY_AUDIENCE, scope: 'history:read', accessTokenTtlSeconds: 4 },
        { audience: OTHER_AUDIENCE, scope: 'history:read', accessTokenTtlSeconds: 4 },
      ],
    });
    shs = new RealHistoryServer(logDir, await freePort(), sparkHome(), path.join(tmp, 'history-server.out'));
    await shs.start(ids, 480_000);
    proxy = new BearerCheckingProxy(shs.port, provider, 400);
    await proxy.start();
    secretFile = path.join(tmp, 'client-secret');
    fs.writeFileSync(secretFile, `${COLLECTOR.clientSecret}\n`, { mode: 0o600 });
    env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SPARK_OPTIMIZER_HS_') && k !== 'SPARK_OPTIMIZER_DB'),
    );
  });

  /** A client of the proxy with the collector's credentials, asking for tokens of `resource`; no retries. */
  function oauth2Client(resource: string): HistoryServerClient {
    return new HistoryServerClient({
      baseUrl: proxy.url,
      auth: {
        kind: 'oauth2',
        tokenUrl: provider.tokenUrl,
        clientId: COLLECTOR.clientId,
        clientSecret: COLLECTOR.clientSecret,
        resource,
      },
      retries: 0,
    });
  }

  after(async function () {
    this.timeout(60_000);
    await proxy?.stop();
    await provider?.stop();
    await shs?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the proxy refuses a request without a token (the History Server is really behind it)', async () => {
    const res = await fetch(`${proxy.url}/api/v1/applications`);
    assert.strictEqual(res.status, 401);
    assert.match(await res.text(), /no bearer token/);
  });

  it('collect --oauth2-* (secret from a file) stores every run, renewing its 4-second token mid-collection', async function () {
    this.timeout(240_000);
    const db = path.join(tmp, 'cli.db');
    const before = { tokenRequests: provider.tokenRequests, seen: proxy.seen.length };
    const r = await runCli(
      [
        'collect',
        '--source',
        'history-server',
        '--url',
        proxy.url,
        '--concurrency',
        '1',
        '--db',
        db,
        '--format',
        'json',
        '--oauth2-token-url',
        provider.tokenUrl,
        '--oauth2-client-id',
        COLLECTOR.clientId,
        '--oauth2-client-secret-file',
        secretFile,
        '--oauth2-resource',
        HISTORY_AUDIENCE,
        '--oauth2-scope',
        'history:read',
      ],
      env,
    );
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    const summary = JSON.parse(r.stdout) as { inserted: number; failed: unknown[] };
    assert.strictEqual(summary.inserted, EXAMPLE_APPS);
    assert.deepStrictEqual(summary.failed, []);
    const store = HistoryStore.open(db);
    assert.strictEqual(store.countApplications(), EXAMPLE_APPS);
    store.close();
    const seen = proxy.seen.slice(before.seen);
    // Every request carried a token the proxy took: none expired on the way (clock tolerance 0).
    assert.deepStrictEqual(
      seen.filter((s) => s.verdict === 'refused'),
      [],
    );
    assert.ok(seen.length >= EXAMPLE_APPS + 1, `${seen.length} requests`);
    // The collection (≥ 10 requests × 400 ms held, one at a time) outlived the 2 s a token is used for: it renewed it, and asked the provider
    // once per token used (cached in between), never once per request.
    const tokens = [...new Set(seen.map((s) => s.token))];
    const asked = provider.tokenRequests - before.tokenRequests;
    assert.ok(tokens.length >= 2, `only ${tokens.length} token(s) used for ${seen.length} requests`);
    assert.strictEqual(asked, tokens.length);
    assert.ok(asked < seen.length, `${asked} token requests for ${seen.length} requests`);
    console.log(`      (${seen.length} requests through the proxy with ${tokens.length} tokens)`);
    // Neither the secret nor a token reaches the output.
    for (const secret of [COLLECTOR.clientSecret, ...tokens.map(String)])
      assert.ok(!(r.stdout + r.stderr).includes(secret), 'a credential reached the output');
  });

  it('asks for a new token once when the proxy refuses a fresh one (key rotation), and carries on', async function () {
    this.timeout(120_000);
    const client = oauth2Client(HISTORY_AUDIENCE);
    const store = HistoryStore.open(':memory:');
    try {
      await client.version(); // gets and caches a token
      assert.strictEqual(client.oauth2?.requests, 1);
      const from = proxy.seen.length;
      proxy.refuseNext = 1;
      const s = await collectFromHistoryServer(client, store, { concurrency: 2, tempDir: tmp });
      assert.deepStrictEqual(s.failed, []);
      assert.strictEqual(s.inserted, EXAMPLE_APPS);
      // The listing was refused once, then sent again with a new token (no retry budget: retries 0).
      const [refused, again] = proxy.seen.slice(from, from + 2);
      assert.deepStrictEqual(
        [refused.path, refused.verdict, refused.reason, again.path, again.verdict],
        ['/api/v1/applications', 'refused', 'keys rotated', '/api/v1/applications', 'forwarded'],
      );
      assert.notStrictEqual(again.token, refused.token);
      assert.ok((client.oauth2?.requests ?? 0) >= 2, `${client.oauth2?.requests} token requests`);
    } finally {
      client.close();
      store.close();
    }
  });

  it('a wrong client secret (from SPARK_OPTIMIZER_HS_CLIENT_SECRET) fails with what the token endpoint said, never the secret', async function () {
    this.timeout(120_000);
    const wrong = 'not-the-secret-but-also-never-printed';
    const r = await runCli(
      [
        'collect',
        '--source',
        'history-server',
        '--url',
        proxy.url,
        '--db',
        path.join(tmp, 'wrong.db'),
        '--oauth2-token-url',
        provider.tokenUrl,
        '--oauth2-client-id',
        COLLECTOR.clientId,
        '--timeout',
        '10',
      ],
      { ...env, SPARK_OPTIMIZER_HS_CLIENT_SECRET: wrong },
    );
    assert.strictEqual(r.code, 2, r.stdout + r.stderr);
    // The listing failed: reported as the collection's one failure (stdout), nothing collected (exit 2).
    // The core names the failure (kind credentials), the CLI adds where its OAuth2 secret comes from.
    assert.match(
      r.stdout + r.stderr,
      new RegExp(
        `Token endpoint ${provider.tokenUrl} answered 401: invalid_client \\(client authentication failed\\); check --oauth2-client-id \\(or SPARK_OPTIMIZER_HS_CLIENT_ID\\) and the client secret in SPARK_OPTIMIZER_HS_CLIENT_SECRET`,
      ),
    );
    assert.ok(!(r.stdout + r.stderr).includes(wrong));
    assert.ok(!(r.stdout + r.stderr).includes(Buffer.from(`${COLLECTOR.clientId}:${wrong}`).toString('base64')));
  });

  it("a token for another audience is refused by the proxy: the error says the proxy does not accept the client's tokens", async function () {
    this.timeout(120_000);
    const client = oauth2Client(OTHER_AUDIENCE);
    try {
      const err = (await client.listApplications().catch((e: unknown) => e)) as Error & { status?: number };
      assert.strictEqual(err.status, 401);
      assert.match(
        err.message,
        /answered 401 to a new access token from .*: the proxy in front of it does not accept this client's tokens/,
      );
      assert.strictEqual(client.oauth2?.requests, 2);
    } finally {
      client.close();
    }
  });

  it('the language server collects with the oauth2 credentials the VS Code client sends (CollectHistoryServerRequest)', async function () {
    this.timeout(240_000);
    const db = path.join(tmp, 'lsp.db');
    const lsp = await LspClient.start({
      configuration: () => ({}),
      rootUri: null,
      capabilities: {},
      historyDatabase: db,
    });
    try {
      const from = proxy.seen.length;
      const s = await lsp.conn.sendRequest(CollectHistoryServerRequest.type, {
        url: proxy.url,
        auth: {
          kind: 'oauth2',
          tokenUrl: provider.tokenUrl,
          clientId: COLLECTOR.clientId,
          clientSecret: COLLECTOR.clientSecret,
          resource: HISTORY_AUDIENCE,
          scope: 'history:read',
        },
        verifyTls: true,
        caFile: '',
        certFile: '',
        keyFile: '',
      });
      assert.deepStrictEqual([s.inserted, s.failed], [EXAMPLE_APPS, []]);
      const seen = proxy.seen.slice(from);
      assert.deepStrictEqual(
        seen.filter((x) => x.verdict === 'refused'),
        [],
      );
      const tokens = [...new Set(seen.map((x) => String(x.token)))];
      const log = lsp.serverLog.join('\n');
      for (const secret of [COLLECTOR.clientSecret, ...tokens])
        assert.ok(!log.includes(secret), 'a credential reached the server log');
    } finally {
      await lsp.stop();
    }
  });

  it('takes no client secret as a flag value', async () => {
    const r = await runCli(
      [
        'collect',
        '--source',
        'history-server',
        '--url',
        proxy.url,
        '--oauth2-token-url',
        provider.tokenUrl,
        '--oauth2-client-id',
        COLLECTOR.clientId,
        '--oauth2-client-secret',
        'x',
      ],
      env,
    );
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /Unknown option '--oauth2-client-secret'/);
  });
});
