/**
 * The REST service's TLS and OIDC access tokens, end to end: the built CLI runs `spark-optimizer serve` as its own
 * process over a store filled from examples/history (9 runs: nightly_etl 5, skewed_join 2, tiny_tasks 2, as
 * examples/history/README.md lists), with a certificate signed by a throwaway CA (openssl, test/helpers/test-ca.ts) and
 * a REAL OpenID Connect provider on 127.0.0.1 (panva's oidc-provider, test/helpers/oidc-provider.ts) as its issuer.
 *
 * Tokens come from the provider's token endpoint by the client-credentials grant, as a CI job would get them; the
 * wrong ones are real tokens too: for another audience (resource), from a second provider with the same signing key
 * but another issuer, from a third that claims the right issuer but signs with a key the issuer does not publish, one
 * that expired (a 1-second lifetime), and one whose scope the service does not map. The config file sets
 * clockToleranceSeconds: 0 (so the expired token is refused a second after its `exp`), the flags set issuer and audience
 * (the config chain merges them).
 */
import * as assert from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { signalProcessGroup, stopProcessGroup, trackProcessGroup } from '../helpers/process-groups';
import { BUILT_CLI, EXAMPLE_HISTORY } from '../helpers/fixtures';
import { makeTestCa, type TestCa } from '../helpers/test-ca';
import { TestOidcProvider, type TestClient } from '../helpers/oidc-provider';

const AUDIENCE = 'urn:spark-optimizer:test-service';
const OTHER_AUDIENCE = 'urn:reports:test-service';
const SCOPES = 'spark-optimizer:read spark-optimizer:collect spark-optimizer:admin reports:read';
const READER: TestClient = {
  clientId: 'ci-reader',
  clientSecret: 'reader-secret-of-the-test-provider',
  scope: 'spark-optimizer:read reports:read',
};
const SHORT_LIVED: TestClient = {
  clientId: 'short-lived',
  clientSecret: 'short-lived-secret-of-the-test-provider',
  scope: 'spark-optimizer:read',
  accessTokenTtlSeconds: 1,
};
const ADMIN: TestClient = {
  clientId: 'ops-admin',
  clientSecret: 'admin-secret-of-the-test-provider',
  scope: 'spark-optimizer:admin',
};
const PROBLEM = 'application/problem+json';

interface Answer {
  status: number;
  contentType: string;
  wwwAuthenticate: string;
  json: any;
}

/** One HTTPS request that trusts only `ca` (never turns verification off). */
function call(base: string, url: string, ca: Buffer | undefined, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${base}${url}`,
      { method: 'GET', ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            wwwAuthenticate: String(res.headers['www-authenticate'] ?? ''),
            json,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function assertProblem(r: Answer, status: number, kind: string, detail: RegExp): void {
  assert.strictEqual(r.status, status, JSON.stringify(r.json));
  assert.strictEqual(r.contentType.split(';')[0], PROBLEM);
  assert.strictEqual(r.json.type, `urn:spark-optimizer:problem:${kind}`);
  assert.strictEqual(r.json.status, status);
  assert.match(r.json.detail, detail);
}

describe('REST service security: TLS and OIDC access tokens (serve, a real OIDC provider)', function () {
  this.timeout(180_000);
  let tmp: string;
  let ca: TestCa;
  let issuerProvider: TestOidcProvider;
  let otherIssuer: TestOidcProvider;
  let foreignKey: TestOidcProvider;
  let child: ChildProcess;
  let exited: Promise<void>;
  let base: string;
  let output = '';
  let spoToken: string;
  const tokensSeen: string[] = [];

  before(async function () {
    this.timeout(180_000);
    assert.ok(fs.existsSync(BUILT_CLI), 'build the bundle first (node esbuild.js)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-service-security-'));
    ca = makeTestCa(tmp);
    const resources = [
      { audience: AUDIENCE, scope: SCOPES, accessTokenTtlSeconds: 300 },
      { audience: OTHER_AUDIENCE, scope: SCOPES, accessTokenTtlSeconds: 300 },
    ];
    issuerProvider = await TestOidcProvider.start({ clients: [READER, ADMIN, SHORT_LIVED], resources });
    otherIssuer = await TestOidcProvider.start({ clients: [READER], resources, signingKey: issuerProvider.signingKey });
    foreignKey = await TestOidcProvider.start({ clients: [READER], resources, issuer: issuerProvider.issuer });
    assert.notStrictEqual(otherIssuer.issuer, issuerProvider.issuer);
    assert.strictEqual(foreignKey.issuer, issuerProvider.issuer);

    const db = path.join(tmp, 'h.db');
    const c = spawnSync(process.execPath, [BUILT_CLI, 'collect', '--path', EXAMPLE_HISTORY, '--db', db], {
      encoding: 'utf8',
    });
    assert.strictEqual(c.status, 0, c.stderr);
    const t = spawnSync(process.execPath, [BUILT_CLI, 'token', 'create', '--scope', 'read', '--db', db], {
      encoding: 'utf8',
    });
    assert.strictEqual(t.status, 0, t.stderr);
    spoToken = t.stdout.trim();
    const config = path.join(tmp, 'service.yaml');
    fs.writeFileSync(config, `oidc:\n  clockToleranceSeconds: 0\n`);
    child = spawn(
      process.execPath,
      [
        BUILT_CLI,
        'serve',
        '--port',
        '0',
        '--db',
        db,
        '--config',
        config,
        '--tls-cert',
        ca.certFile,
        '--tls-key',
        ca.keyFile,
        '--oidc-issuer',
        issuerProvider.issuer,
        '--oidc-audience',
        AUDIENCE,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackProcessGroup(child);
    exited = new Promise((r) => child.once('exit', () => r()));
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not listen in 120 s: ${output}`)), 120_000);
      const take = (d: Buffer) => {
        output += d.toString();
        const m = /^listening on (https:\/\/\S+) /m.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout?.on('data', take);
      child.stderr?.on('data', take);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    });
  });

  after(async function () {
    this.timeout(60_000);
    if (child && child.exitCode === null) await stopProcessGroup(child, exited, 10_000);
    await issuerProvider?.stop();
    await otherIssuer?.stop();
    await foreignKey?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves HTTPS with the given certificate: verified against the test CA, refused without it', async () => {
    assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(
      output,
      new RegExp(
        `accepting access tokens of ${issuerProvider.issuer.replace(/[.]/g, '\\.')} for audience ${AUDIENCE} \\(keys from ${issuerProvider.jwksUri.replace(/[.]/g, '\\.')}\\)`,
      ),
    );
    const r = await call(base, '/health', ca.caPem);
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(r.json, { status: 'ok', applications: 9 });
    // Node's own CA store does not hold the test CA: verification (on by default) refuses the certificate.
    const err = (await call(base, '/health', undefined).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    assert.ok(err instanceof Error, 'a request without the CA must fail');
    assert.match(
      String(err.code),
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
    );
  });

  it('gives plain HTTP on the TLS port no HTTP answer', async () => {
    const port = Number(new URL(base).port);
    const plain = await fetch(`http://127.0.0.1:${port}/health`).then(
      (res) => `answered ${res.status}`,
      (e: Error) => `failed: ${e.message}`,
    );
    assert.match(plain, /^failed: /);
    // The raw bytes back are a TLS alert record (content type 21) or nothing, never "HTTP/1.1 ...".
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = net.connect(port, '127.0.0.1', () => s.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', (e: NodeJS.ErrnoException) =>
        e.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks)) : reject(e),
      );
      s.setTimeout(15_000, () => s.destroy(new Error('the TLS port kept a plain-HTTP connection open for 15 s')));
    });
    assert.ok(!bytes.toString('latin1').startsWith('HTTP/'), bytes.toString('latin1'));
    assert.ok(bytes.length === 0 || bytes[0] === 21, `first byte ${bytes[0]}`);
  });

  it('still accepts its own spo_ tokens over TLS', async () => {
    const r = await call(base, '/api/v1/workloads', ca.caPem, spoToken);
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(
      Object.fromEntries(r.json.workloads.map((j: { appName: string; runs: number }) => [j.appName, j.runs])),
      { nightly_etl: 5, skewed_join: 2, tiny_tasks: 2 },
    );
  });

  it("accepts an access token from the issuer's token endpoint (client credentials) and maps its scope", async () => {
    const { accessToken, expiresIn } = await issuerProvider.clientCredentialsToken(
      READER,
      AUDIENCE,
      'spark-optimizer:read',
    );
    tokensSeen.push(accessToken);
    assert.strictEqual(expiresIn, 300);
    const workloads = await call(base, '/api/v1/workloads', ca.caPem, accessToken);
    assert.strictEqual(workloads.status, 200, JSON.stringify(workloads.json));
    assert.deepStrictEqual(
      Object.fromEntries(workloads.json.workloads.map((j: { appName: string; runs: number }) => [j.appName, j.runs])),
      { nightly_etl: 5, skewed_join: 2, tiny_tasks: 2 },
    );
    // read < admin: the admin route answers 403 with the scope named.
    const tokens = await call(base, '/api/v1/tokens', ca.caPem, accessToken);
    assertProblem(tokens, 403, 'insufficient-scope', /needs a token of scope admin; this token has scope read/);
    assert.match(tokens.wwwAuthenticate, /error="insufficient_scope"/);
    const admin = await issuerProvider.clientCredentialsToken(ADMIN, AUDIENCE, 'spark-optimizer:admin');
    tokensSeen.push(admin.accessToken);
    const list = await call(base, '/api/v1/tokens', ca.caPem, admin.accessToken);
    assert.strictEqual(list.status, 200, JSON.stringify(list.json));
    assert.deepStrictEqual(
      list.json.tokens.map((t: { id: number; scope: string }) => [t.id, t.scope]),
      [[1, 'read']],
    );
  });

  it('refuses a token for another audience (401, type unauthorized)', async () => {
    const { accessToken } = await issuerProvider.clientCredentialsToken(READER, OTHER_AUDIENCE, 'spark-optimizer:read');
    tokensSeen.push(accessToken);
    const r = await call(base, '/api/v1/workloads', ca.caPem, accessToken);
    assertProblem(
      r,
      401,
      'unauthorized',
      new RegExp(`audience "${OTHER_AUDIENCE}", not for this service \\(${AUDIENCE}\\)`),
    );
    assert.match(r.wwwAuthenticate, /error="invalid_token"/);
  });

  it('refuses a token of another issuer signed with the same key (401)', async () => {
    const { accessToken } = await otherIssuer.clientCredentialsToken(READER, AUDIENCE, 'spark-optimizer:read');
    tokensSeen.push(accessToken);
    const r = await call(base, '/api/v1/workloads', ca.caPem, accessToken);
    assertProblem(
      r,
      401,
      'unauthorized',
      new RegExp(`issued by "${otherIssuer.issuer}", not by ${issuerProvider.issuer}`),
    );
  });

  it('refuses a token naming the issuer but signed with a key the issuer does not publish (401)', async () => {
    const { accessToken } = await foreignKey.clientCredentialsToken(READER, AUDIENCE, 'spark-optimizer:read');
    tokensSeen.push(accessToken);
    const r = await call(base, '/api/v1/workloads', ca.caPem, accessToken);
    assertProblem(r, 401, 'unauthorized', /signed with a key that .* does not publish/);
  });

  it('refuses a token whose signature was altered (401)', async () => {
    const { accessToken } = await issuerProvider.clientCredentialsToken(READER, AUDIENCE, 'spark-optimizer:read');
    const [h, p, sig] = accessToken.split('.');
    const altered = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const r = await call(base, '/api/v1/workloads', ca.caPem, altered);
    assertProblem(r, 401, 'unauthorized', /signature does not verify/);
  });

  it('refuses an expired token (1-second lifetime, clock tolerance 0) (401)', async () => {
    const { accessToken, expiresIn } = await issuerProvider.clientCredentialsToken(
      SHORT_LIVED,
      AUDIENCE,
      'spark-optimizer:read',
    );
    assert.strictEqual(expiresIn, 1);
    tokensSeen.push(accessToken);
    const exp = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')).exp as number;
    // exp is whole seconds: wait until the clock is past it.
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1100));
    const r = await call(base, '/api/v1/workloads', ca.caPem, accessToken);
    assertProblem(r, 401, 'unauthorized', new RegExp(`access token expired \\(exp ${exp}, `));
  });

  it('refuses a valid token that carries none of the mapped scopes (403)', async () => {
    const { accessToken } = await issuerProvider.clientCredentialsToken(READER, AUDIENCE, 'reports:read');
    tokensSeen.push(accessToken);
    const r = await call(base, '/api/v1/workloads', ca.caPem, accessToken);
    assertProblem(
      r,
      403,
      'insufficient-scope',
      /"scope" claim carries none of the scopes this service grants \(spark-optimizer:read, spark-optimizer:collect, spark-optimizer:admin\)/,
    );
  });

  it('never writes a token to its output, and stops cleanly on SIGTERM', async () => {
    assert.ok(tokensSeen.length >= 7);
    for (const t of [...tokensSeen, spoToken])
      assert.ok(!output.includes(t) && !output.includes(t.split('.')[2] ?? t), 'a token reached the service output');
    signalProcessGroup(child, 'SIGTERM');
    await exited;
    assert.strictEqual(child.exitCode, 0, output);
  });
});
