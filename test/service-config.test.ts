/**
 * `spark-optimizer serve` settings (server/src/service/config.ts): YAML config file < environment < flags, defaults
 * (127.0.0.1:8080, 9 MiB bodies), and clear errors for a typo or a bad value. Pure functions, no server.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { isLoopbackHost, ServiceConfigError, serviceConfig } from '../server/src/service/config';
import { looksLikeJwt, scopeFromClaim } from '../server/src/service/oidc';
import { REPO_ROOT } from './helpers/fixtures';

/** No sources, a lease of 60 s, the schedule on: the collection settings when none is given. */
const COLLECTION_DEFAULTS = { sources: [], leaseTtlMs: 60_000, schedule: true };

describe('service config', () => {
  it('defaults: loopback, port 8080, the default store, 9 MiB bodies, info logs', () => {
    assert.deepStrictEqual(serviceConfig(null, 'config', {}, {}), {
      host: '127.0.0.1',
      port: 8080,
      db: undefined,
      bodyLimitBytes: 9 * 1024 * 1024,
      logLevel: 'info',
      sources: [],
      leaseTtlMs: 60_000,
      schedule: true,
    });
  });

  it('environment variables override the file, flags override both', () => {
    const file = 'host: 0.0.0.0\nport: 9000\ndb: /srv/file.db\nbodyLimitBytes: 65536\nlogLevel: warn\n';
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', {}, {}), {
      host: '0.0.0.0',
      port: 9000,
      db: '/srv/file.db',
      bodyLimitBytes: 65536,
      logLevel: 'warn',
      ...COLLECTION_DEFAULTS,
    });
    const env = {
      SPARK_OPTIMIZER_SERVICE_PORT: '9100',
      SPARK_OPTIMIZER_DB: '/srv/env.db',
      SPARK_OPTIMIZER_SERVICE_LOG_LEVEL: 'error',
    };
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', env, {}), {
      host: '0.0.0.0',
      port: 9100,
      db: '/srv/env.db',
      bodyLimitBytes: 65536,
      logLevel: 'error',
      ...COLLECTION_DEFAULTS,
    });
    assert.deepStrictEqual(
      serviceConfig(file, 'svc.yaml', env, { port: '9200', host: '127.0.0.2', db: '/srv/flag.db' }),
      {
        host: '127.0.0.2',
        port: 9200,
        db: '/srv/flag.db',
        bodyLimitBytes: 65536,
        logLevel: 'error',
        ...COLLECTION_DEFAULTS,
      },
    );
  });

  it('a misspelt key, a bad value, bad YAML or a bad variable is an error naming it', () => {
    assert.throws(
      () => serviceConfig('prot: 9000\n', 'svc.yaml', {}, {}),
      (e: Error) => e instanceof ServiceConfigError && /svc\.yaml/.test(e.message) && /prot/.test(e.message),
    );
    assert.throws(
      () => serviceConfig('port: 70000\n', 'svc.yaml', {}, {}),
      (e: Error) => e instanceof ServiceConfigError && /port/.test(e.message),
    );
    assert.throws(
      () => serviceConfig('port: [1\n', 'svc.yaml', {}, {}),
      (e: Error) => e instanceof ServiceConfigError && /not valid YAML/.test(e.message),
    );
    assert.throws(
      () => serviceConfig(null, 'config', { SPARK_OPTIMIZER_SERVICE_PORT: 'http' }, {}),
      /SPARK_OPTIMIZER_SERVICE_PORT must be a whole number, got "http"/,
    );
    assert.throws(() => serviceConfig(null, 'config', {}, { port: '80a' }), /--port must be a whole number/);
  });

  it('a PostgreSQL store: database block in the file, SPARK_OPTIMIZER_SERVICE_DB over it, --db over both; SQLite stays the default', () => {
    const file =
      'database:\n  url: postgres://optimizer@db.internal:5432/spark_optimizer\n  passwordFile: /run/secrets/db\n  poolSize: 20\n';
    const fromFile = serviceConfig(file, 'svc.yaml', {}, {});
    assert.deepStrictEqual(
      [fromFile.db, fromFile.dbPasswordFile, fromFile.dbPoolSize],
      ['postgres://optimizer@db.internal:5432/spark_optimizer', '/run/secrets/db', 20],
    );
    const env = {
      SPARK_OPTIMIZER_SERVICE_DB: 'postgres://optimizer@db2:5432/so',
      SPARK_OPTIMIZER_DB: '/ignored.db',
      SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE: '4',
    };
    const fromEnv = serviceConfig(file, 'svc.yaml', env, {});
    assert.deepStrictEqual(
      [fromEnv.db, fromEnv.dbPasswordFile, fromEnv.dbPoolSize],
      ['postgres://optimizer@db2:5432/so', '/run/secrets/db', 4],
    );
    assert.strictEqual(serviceConfig(file, 'svc.yaml', env, { db: '/local.db' }).db, '/local.db');
    assert.strictEqual(serviceConfig(null, 'config', {}, {}).db, undefined);
  });

  it('refuses a password in the URL (wherever it comes from, without echoing it), two stores in one layer, and a bad pool size', () => {
    for (const [text, env, flags, where] of [
      ['database:\n  url: postgres://u:s3cret@h/db\n', {}, {}, 'svc.yaml'],
      [null, { SPARK_OPTIMIZER_SERVICE_DB: 'postgresql://u:s3cret@h/db' }, {}, 'environment'],
      [null, {}, { db: 'postgres://u:s3cret@h/db' }, 'flags'],
    ] as const) {
      assert.throws(
        () => serviceConfig(text, 'svc.yaml', env, flags),
        (e: Error) =>
          e instanceof ServiceConfigError &&
          e.message.startsWith(`${where}: the PostgreSQL URL carries a password`) &&
          !e.message.includes('s3cret'),
      );
    }
    assert.throws(
      () => serviceConfig('db: /a.db\ndatabase:\n  url: postgres://u@h/db\n', 'svc.yaml', {}, {}),
      /svc\.yaml: give the store once/,
    );
    assert.throws(() => serviceConfig('database:\n  poolSize: 0\n', 'svc.yaml', {}, {}), /database\.poolSize/);
    assert.throws(() => serviceConfig('database:\n  password: x\n', 'svc.yaml', {}, {}), /password/);
  });

  it('tells loopback hosts from others', () => {
    assert.deepStrictEqual(
      ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '10.0.0.1', '::'].map(isLoopbackHost),
      [true, true, true, true, false, false, false],
    );
  });
});

describe('service config: TLS and OIDC', () => {
  it('reads tls and oidc from the file, the environment and the flags, merging nested keys one by one', () => {
    const file =
      'tls:\n  certFile: /etc/so/cert.pem\n  keyFile: /etc/so/key.pem\noidc:\n  issuer: https://idp.example.com/realms/data\n  audience: spark-optimizer\n  scopeClaim: scp\n  scopes:\n    admin: so.admin\n';
    const fromFile = serviceConfig(file, 'svc.yaml', {}, {});
    assert.deepStrictEqual(fromFile.tls, { certFile: '/etc/so/cert.pem', keyFile: '/etc/so/key.pem' });
    assert.deepStrictEqual(fromFile.oidc, {
      issuer: 'https://idp.example.com/realms/data',
      audience: 'spark-optimizer',
      scopeClaim: 'scp',
      scopes: { read: 'spark-optimizer:read', collect: 'spark-optimizer:collect', admin: 'so.admin' },
      clockToleranceSeconds: 30,
    });
    const env = {
      SPARK_OPTIMIZER_SERVICE_TLS_KEY_FILE: '/run/key.pem',
      SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_READ: 'so.read',
      SPARK_OPTIMIZER_SERVICE_OIDC_CLOCK_TOLERANCE_SECONDS: '5',
    };
    const withEnv = serviceConfig(file, 'svc.yaml', env, {
      oidcAudience: 'https://so.example.com',
      tlsCert: '/run/cert.pem',
    });
    assert.deepStrictEqual(withEnv.tls, { certFile: '/run/cert.pem', keyFile: '/run/key.pem' });
    assert.deepStrictEqual(withEnv.oidc, {
      issuer: 'https://idp.example.com/realms/data',
      audience: 'https://so.example.com',
      scopeClaim: 'scp',
      scopes: { read: 'so.read', collect: 'spark-optimizer:collect', admin: 'so.admin' },
      clockToleranceSeconds: 5,
    });
  });

  it('needs both certificate and key, and both issuer and audience; the issuer must be a URL', () => {
    assert.throws(
      () => serviceConfig(null, 'config', {}, { tlsCert: '/c.pem' }),
      /TLS needs both a certificate and its key/,
    );
    assert.throws(
      () => serviceConfig('oidc:\n  issuer: https://idp.example.com\n', 'svc.yaml', {}, {}),
      /need both oidc\.issuer and oidc\.audience/,
    );
    assert.throws(
      () => serviceConfig(null, 'config', {}, { oidcIssuer: 'idp.example.com', oidcAudience: 'x' }),
      (e: Error) => e instanceof ServiceConfigError && /flags: oidc\.issuer/.test(e.message),
    );
    assert.throws(
      () => serviceConfig('oidc:\n  scopeClaims: scp\n', 'svc.yaml', {}, {}),
      /svc\.yaml: oidc: .*scopeClaims/,
    );
  });
});

describe('OIDC scope mapping (service/oidc.ts scopeFromClaim)', () => {
  const scopes = { read: 'spark-optimizer:read', collect: 'spark-optimizer:collect', admin: 'spark-optimizer:admin' };
  it('reads a space-separated scope string (RFC 8693 section 4.2) and an array (Okta scp); the highest mapped scope wins', () => {
    assert.strictEqual(scopeFromClaim('openid spark-optimizer:read', scopes), 'read');
    assert.strictEqual(scopeFromClaim('spark-optimizer:read spark-optimizer:admin', scopes), 'admin');
    assert.strictEqual(scopeFromClaim(['spark-optimizer:collect', 'profile'], scopes), 'collect');
  });
  it('grants nothing for other values, other types, or a value that only contains a scope', () => {
    assert.strictEqual(scopeFromClaim('reports:read', scopes), null);
    assert.strictEqual(scopeFromClaim('spark-optimizer:reader', scopes), null);
    assert.strictEqual(scopeFromClaim(undefined, scopes), null);
    assert.strictEqual(scopeFromClaim({ read: true }, scopes), null);
  });
  it('tells a JWT (three base64url parts) from a spo_ token', () => {
    assert.deepStrictEqual(
      ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'spo_abc', 'a.b', 'a.b.c.d', 'a.b.c='].map(looksLikeJwt),
      [true, false, false, false, false],
    );
  });
});

describe('deployment files (deploy/, docs/service.md)', () => {
  const read = (...p: string[]) => fs.readFileSync(path.join(REPO_ROOT, ...p), 'utf8');
  /** The fenced code blocks of a Markdown text, by info string. */
  const blocks = (md: string, lang: string) =>
    [...md.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

  it('deploy/service.yaml is a valid config: HTTPS on 0.0.0.0:8443 with an OIDC issuer', () => {
    const c = serviceConfig(read('deploy', 'service.yaml'), 'deploy/service.yaml', {}, {});
    assert.deepStrictEqual(
      { host: c.host, port: c.port, db: c.db, tls: c.tls, issuer: c.oidc?.issuer, audience: c.oidc?.audience },
      {
        host: '0.0.0.0',
        port: 8443,
        db: '/var/lib/spark-optimizer/history.db',
        tls: { certFile: '/etc/spark-optimizer/tls/cert.pem', keyFile: '/etc/spark-optimizer/tls/key.pem' },
        issuer: 'https://idp.example.com/realms/data',
        audience: 'spark-optimizer',
      },
    );
    // Its sources: one of each kind, the History Server's secret named by a file, never written in the config.
    assert.deepStrictEqual(
      c.sources.map((s) => [s.name, s.kind, s.interval]),
      [
        ['spark-events', 'event-logs', 300_000],
        ['emr-logs', 'object-store', 900_000],
        ['prod-history', 'history-server', 600_000],
      ],
    );
    assert.deepStrictEqual(c.sources[2].kind === 'history-server' && c.sources[2].auth, {
      oauth2: {
        tokenUrl: 'https://idp.example.com/realms/data/protocol/openid-connect/token',
        clientId: 'spark-optimizer-collector',
        clientSecret: { file: '/etc/spark-optimizer/shs-client-secret' },
      },
    });
    assert.strictEqual(c.leaseTtlMs, 60_000);
  });

  it('docs/service.md shows the committed config file, Dockerfile and systemd unit, word for word', () => {
    const md = read('docs', 'service.md');
    assert.deepStrictEqual(blocks(md, 'yaml'), [read('deploy', 'service.yaml')]);
    assert.deepStrictEqual(blocks(md, 'dockerfile'), [read('deploy', 'Dockerfile')]);
    assert.deepStrictEqual(blocks(md, 'ini'), [read('deploy', 'spark-optimizer.service')]);
  });
});
