/**
 * The core names failures (kinds, error codes); each front end words the remedy in its own terms (house style 27):
 * the VS Code client (client/src/remedies.ts) names its contributed commands and settings, the CLI
 * (server/src/cli/remedies.ts) its flags and environment variables, and neither names the other's. The error codes
 * of the custom requests are one declaration (shared/src/protocol.ts RequestErrorCodes) that server and client use.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as client from '../client/src/remedies';
import * as cli from '../server/src/cli/remedies';
import { historyServerCredentials } from '../server/src/cli/collect-commands';
import { COMMANDS } from '../shared/src/commands';
import { RequestErrorCodes, type SourceFailureKind } from '../shared/src/protocol';
import { defaultStorePath } from '../server/src/store/store-path';
import { PACKAGE_JSON, REPO_ROOT } from './helpers/fixtures';

interface PackageJson {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, unknown> };
  };
}
const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as PackageJson;

/** The Command Palette label of a contributed command: `Category: Title`. */
function paletteLabel(id: string): string {
  const c = pkg.contributes.commands.find((x) => x.command === id);
  assert.ok(c, `${id} is contributed`);
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

/** Every `sparkOptimizer.x.y` setting a text names. */
const settingsIn = (text: string) => [...text.matchAll(/sparkOptimizer\.[A-Za-z.]+[A-Za-z]/g)].map((m) => m[0]);

const KINDS: SourceFailureKind[] = ['credentials', 'access-denied', 'not-found', 'tls', 'network', 'changed', 'other'];

describe('remedies: VS Code client', () => {
  it('a History Server 401 names the credentials command as the palette shows it', () => {
    assert.strictEqual(
      client.historyServerRemedy('credentials'),
      `run "${paletteLabel(COMMANDS.setHistoryServerCredentials)}"`,
    );
  });

  it('an object store without credentials names the cloud’s own sign-in, never a setting or variable', () => {
    assert.deepStrictEqual(
      (['s3', 'gcs', 'azure'] as const).map((store) => client.objectStoreRemedy('credentials', store)),
      [
        'sign in with the AWS CLI (aws configure, or aws sso login with a profile) where VS Code runs, then collect again (the language server reads the files it writes; credentials are never read from settings)',
        'sign in with gcloud auth application-default login where VS Code runs, then collect again (the language server reads the files it writes; credentials are never read from settings)',
        'sign in with az login where VS Code runs, then collect again (the language server reads the files it writes; credentials are never read from settings)',
      ],
    );
    // The History Server's remedy is not offered for an object store's credentials failure.
    const f = {
      reason: 'listing s3://b/p (s3://b): no AWS credentials found; the SDK chain tried …',
      kind: 'credentials' as const,
    };
    assert.strictEqual(
      client.failureText(f, (k) => client.objectStoreRemedy(k, 's3')),
      `${f.reason}; ${client.objectStoreRemedy('credentials', 's3')}`,
    );
    assert.strictEqual(client.objectStoreRemedy('network', 'gcs'), null);
  });

  it('a Spark Connect auth failure names the token command; unreachable names the URL setting', () => {
    assert.strictEqual(
      client.sparkConnectRemedy('auth', true),
      `the token was refused: run "${paletteLabel(COMMANDS.setSparkConnectToken)}"`,
    );
    assert.strictEqual(
      client.sparkConnectRemedy('auth', false),
      `the server needs a token: run "${paletteLabel(COMMANDS.setSparkConnectToken)}"`,
    );
    assert.strictEqual(client.sparkConnectRemedy('spark', undefined), null);
  });

  it('every setting a remedy names is contributed by package.json, and no remedy names a CLI flag or variable', () => {
    const texts = [
      ...KINDS.map((k) => client.historyServerRemedy(k)),
      client.STORE_REMEDY,
      client.sparkConnectRemedy('unavailable', undefined),
      client.sparkConnectRemedy('auth', true),
      ...(['s3', 'gcs', 'azure'] as const).flatMap((store) => KINDS.map((k) => client.objectStoreRemedy(k, store))),
    ].filter((t): t is string => t !== null);
    const named = texts.flatMap(settingsIn);
    assert.deepStrictEqual([...new Set(named)].sort(), [
      'sparkOptimizer.historyDatabase',
      'sparkOptimizer.historyServer.caFile',
      'sparkOptimizer.historyServer.verifyTls',
      'sparkOptimizer.objectStore.endpointUrl',
      'sparkOptimizer.sparkConnect.url',
    ]);
    for (const s of named) assert.ok(s in pkg.contributes.configuration.properties, s);
    for (const t of texts) assert.doesNotMatch(t, /--[a-z]|SPARK_[A-Z_]+|AWS_|AZURE_|GOOGLE_/, t);
  });

  it('a storeUnavailable error gets the store remedy; other codes are shown as the server said them', () => {
    const data = { path: '/x/h.db', reason: 'ENOTDIR: not a directory' };
    assert.strictEqual(
      client.requestErrorText(
        'The history store /x/h.db could not be opened: ENOTDIR: not a directory',
        RequestErrorCodes.storeUnavailable,
        data,
      ),
      `The history store /x/h.db could not be opened: ENOTDIR: not a directory. To use another, ${client.STORE_REMEDY}.`,
    );
    assert.strictEqual(
      client.requestErrorText(
        'Could not read event logs from /x: EACCES',
        RequestErrorCodes.collectionFailed,
        undefined,
      ),
      'Could not read event logs from /x: EACCES',
    );
  });

  it('a team-service refusal names the token command as the palette shows it; scope collect names how to make one', () => {
    const setToken = `"${paletteLabel(COMMANDS.setServiceToken)}"`;
    assert.strictEqual(
      client.teamServiceRemedy({ kind: 'unauthorized', status: 403, neededScope: 'collect' }),
      `the token needs scope collect (which also reads): create one with "spark-optimizer token create --scope collect --name <you>" on the service's store (its administrator can), then store it with ${setToken}`,
    );
    assert.strictEqual(
      client.teamServiceRemedy({ kind: 'unauthorized', status: 401 }),
      `store a valid token of the service (spark-optimizer token create --scope read) with ${setToken}`,
    );
    assert.strictEqual(
      client.teamServiceRemedy({ url: '', kind: 'not-service-mode' }),
      `set sparkOptimizer.service.url to the team service (https://host:port) and run ${setToken}`,
    );
    assert.ok('sparkOptimizer.service.url' in pkg.contributes.configuration.properties);
    // The service is down: nothing in the editor helps, the message is shown as the server said it.
    assert.strictEqual(client.teamServiceRemedy({ kind: 'unreachable' }), null);
    assert.strictEqual(
      client.requestErrorText(
        'The team service at https://h:8443 is not reachable (ECONNREFUSED).',
        RequestErrorCodes.teamServiceFailed,
        {
          url: 'https://h:8443',
          kind: 'unreachable',
        },
      ),
      'The team service at https://h:8443 is not reachable (ECONNREFUSED).',
    );
  });

  it('a collection failure of a known kind gets its remedy after the reason', () => {
    assert.strictEqual(
      client.failureText({
        reason: 'History Server at http://h/api/v1/applications answered 401 Unauthorized',
        kind: 'credentials',
      }),
      `History Server at http://h/api/v1/applications answered 401 Unauthorized; ${client.historyServerRemedy('credentials')}`,
    );
    assert.strictEqual(
      client.failureText({ reason: 'no SparkListenerApplicationStart event in the log' }),
      'no SparkListenerApplicationStart event in the log',
    );
  });
});

describe('remedies: CLI', () => {
  it('a History Server 401 names the variables the CLI reads credentials from', () => {
    const text = cli.historyServerRemedy('credentials') ?? '';
    const variables = [...text.matchAll(/SPARK_OPTIMIZER_HS_[A-Z]+/g)].map((m) => m[0]);
    assert.deepStrictEqual(variables, [
      'SPARK_OPTIMIZER_HS_TOKEN',
      'SPARK_OPTIMIZER_HS_USER',
      'SPARK_OPTIMIZER_HS_PASSWORD',
      'SPARK_OPTIMIZER_HS_HEADERS',
    ]);
    // Each is one historyServerCredentials reads.
    assert.deepStrictEqual(historyServerCredentials({ SPARK_OPTIMIZER_HS_TOKEN: 't' }).auth, {
      kind: 'bearer',
      token: 't',
    });
    assert.deepStrictEqual(
      historyServerCredentials({ SPARK_OPTIMIZER_HS_USER: 'u', SPARK_OPTIMIZER_HS_PASSWORD: 'p' }).auth,
      { kind: 'basic', user: 'u', password: 'p' },
    );
    assert.deepStrictEqual(historyServerCredentials({ SPARK_OPTIMIZER_HS_HEADERS: '{"X-K":"v"}' }).headers, {
      'X-K': 'v',
    });
  });

  it('a refused OAuth2 client names the client-id flag and where the secret is read from, which historyServerCredentials reads', () => {
    const text = cli.historyServerRemedy('credentials', true) ?? '';
    assert.deepStrictEqual(
      [...text.matchAll(/--[a-z0-9-]+|SPARK_OPTIMIZER_HS_[A-Z_]+/g)].map((m) => m[0]),
      [
        '--oauth2-client-id',
        'SPARK_OPTIMIZER_HS_CLIENT_ID',
        'SPARK_OPTIMIZER_HS_CLIENT_SECRET',
        '--oauth2-client-secret-file',
      ],
    );
    assert.deepStrictEqual(
      historyServerCredentials({
        SPARK_OPTIMIZER_HS_CLIENT_ID: 'c',
        SPARK_OPTIMIZER_HS_CLIENT_SECRET: 's',
        SPARK_OPTIMIZER_HS_TOKEN_URL: 'https://idp/t',
      }).auth,
      { kind: 'oauth2', tokenUrl: 'https://idp/t', clientId: 'c', clientSecret: 's' },
    );
    assert.strictEqual(cli.historyServerRemedy('tls', true), cli.historyServerRemedy('tls'));
  });

  it('the store remedy names --db and SPARK_OPTIMIZER_DB, which the default store path honours', () => {
    assert.match(cli.STORE_REMEDY, /--db FILE or SPARK_OPTIMIZER_DB/);
    assert.strictEqual(defaultStorePath({ SPARK_OPTIMIZER_DB: '/srv/h.db' }), '/srv/h.db');
  });

  it('no CLI remedy names an editor setting or command', () => {
    const texts = [
      ...KINDS.map((k) => cli.historyServerRemedy(k)),
      ...KINDS.flatMap((k) => (['s3', 'gcs', 'azure'] as const).map((c) => cli.objectStoreRemedy(k, c))),
      cli.STORE_REMEDY,
      cli.sparkConnectRemedy('auth', true),
      cli.sparkConnectRemedy('auth', false),
      cli.sparkConnectRemedy('unavailable', undefined),
    ].filter((t): t is string => t !== null);
    assert.strictEqual(texts.length, 9);
    for (const t of texts) assert.doesNotMatch(t, /sparkOptimizer\.|"Spark[^"]*:/, t);
  });
});

describe('error codes of the custom requests', () => {
  /** Every `.ts` file below `dir`. */
  const tsFiles = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
      );

  it('are distinct small positive numbers, outside the JSON-RPC range', () => {
    const codes = Object.values(RequestErrorCodes);
    assert.strictEqual(new Set(codes).size, codes.length);
    for (const c of codes) assert.ok(Number.isInteger(c) && c > 0 && c < 32_000, String(c));
  });

  it('no ResponseError in server/ or client/ is built with a literal code', () => {
    const literal: string[] = [];
    for (const file of [
      ...tsFiles(path.join(REPO_ROOT, 'server', 'src')),
      ...tsFiles(path.join(REPO_ROOT, 'client', 'src')),
    ]) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new ResponseError(?:<[^>]*>)?\(\s*(-?\d+)/g))
        literal.push(`${path.relative(REPO_ROOT, file)}: ${m[0]}`);
    }
    assert.deepStrictEqual(literal, []);
  });
});
