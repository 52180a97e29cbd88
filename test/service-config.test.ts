/**
 * `spark-optimizer serve` settings (server/src/service/config.ts): YAML config file < environment < flags, defaults
 * (127.0.0.1:8080, 9 MiB bodies), and clear errors for a typo or a bad value. Pure functions, no server.
 */
import * as assert from 'assert';
import { isLoopbackHost, ServiceConfigError, serviceConfig } from '../server/src/service/config';

describe('service config', () => {
  it('defaults: loopback, port 8080, the default store, 9 MiB bodies, info logs', () => {
    assert.deepStrictEqual(serviceConfig(null, 'config', {}, {}), { host: '127.0.0.1', port: 8080, db: undefined, dbPasswordFile: undefined, dbPoolSize: undefined, bodyLimitBytes: 9 * 1024 * 1024, logLevel: 'info' });
  });

  it('environment variables override the file, flags override both', () => {
    const file = 'host: 0.0.0.0\nport: 9000\ndb: /srv/file.db\nbodyLimitBytes: 65536\nlogLevel: warn\n';
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', {}, {}), { host: '0.0.0.0', port: 9000, db: '/srv/file.db', dbPasswordFile: undefined, dbPoolSize: undefined, bodyLimitBytes: 65536, logLevel: 'warn' });
    const env = { SPARK_OPTIMIZER_SERVICE_PORT: '9100', SPARK_OPTIMIZER_DB: '/srv/env.db', SPARK_OPTIMIZER_SERVICE_LOG_LEVEL: 'error' };
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', env, {}), { host: '0.0.0.0', port: 9100, db: '/srv/env.db', dbPasswordFile: undefined, dbPoolSize: undefined, bodyLimitBytes: 65536, logLevel: 'error' });
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', env, { port: '9200', host: '127.0.0.2', db: '/srv/flag.db' }), {
      host: '127.0.0.2',
      port: 9200,
      db: '/srv/flag.db',
      dbPasswordFile: undefined,
      dbPoolSize: undefined,
      bodyLimitBytes: 65536,
      logLevel: 'error',
    });
  });

  it('a misspelt key, a bad value, bad YAML or a bad variable is an error naming it', () => {
    assert.throws(() => serviceConfig('prot: 9000\n', 'svc.yaml', {}, {}), (e: Error) => e instanceof ServiceConfigError && /svc\.yaml/.test(e.message) && /prot/.test(e.message));
    assert.throws(() => serviceConfig('port: 70000\n', 'svc.yaml', {}, {}), (e: Error) => e instanceof ServiceConfigError && /port/.test(e.message));
    assert.throws(() => serviceConfig('port: [1\n', 'svc.yaml', {}, {}), (e: Error) => e instanceof ServiceConfigError && /not valid YAML/.test(e.message));
    assert.throws(() => serviceConfig(null, 'config', { SPARK_OPTIMIZER_SERVICE_PORT: 'http' }, {}), /SPARK_OPTIMIZER_SERVICE_PORT must be a whole number, got "http"/);
    assert.throws(() => serviceConfig(null, 'config', {}, { port: '80a' }), /--port must be a whole number/);
  });

  it('a PostgreSQL store: database block in the file, SPARK_OPTIMIZER_SERVICE_DB over it, --db over both; SQLite stays the default', () => {
    const file = 'database:\n  url: postgres://optimizer@db.internal:5432/spark_optimizer\n  passwordFile: /run/secrets/db\n  poolSize: 20\n';
    const fromFile = serviceConfig(file, 'svc.yaml', {}, {});
    assert.deepStrictEqual([fromFile.db, fromFile.dbPasswordFile, fromFile.dbPoolSize], ['postgres://optimizer@db.internal:5432/spark_optimizer', '/run/secrets/db', 20]);
    const env = { SPARK_OPTIMIZER_SERVICE_DB: 'postgres://optimizer@db2:5432/so', SPARK_OPTIMIZER_DB: '/ignored.db', SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE: '4' };
    const fromEnv = serviceConfig(file, 'svc.yaml', env, {});
    assert.deepStrictEqual([fromEnv.db, fromEnv.dbPasswordFile, fromEnv.dbPoolSize], ['postgres://optimizer@db2:5432/so', '/run/secrets/db', 4]);
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
        (e: Error) => e instanceof ServiceConfigError && e.message.startsWith(`${where}: the PostgreSQL URL carries a password`) && !e.message.includes('s3cret'),
      );
    }
    assert.throws(() => serviceConfig('db: /a.db\ndatabase:\n  url: postgres://u@h/db\n', 'svc.yaml', {}, {}), /svc\.yaml: give the store once/);
    assert.throws(() => serviceConfig('database:\n  poolSize: 0\n', 'svc.yaml', {}, {}), /database\.poolSize/);
    assert.throws(() => serviceConfig('database:\n  password: x\n', 'svc.yaml', {}, {}), /password/);
  });

  it('tells loopback hosts from others', () => {
    assert.deepStrictEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '10.0.0.1', '::'].map(isLoopbackHost), [true, true, true, true, false, false, false]);
  });
});
