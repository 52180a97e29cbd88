/**
 * `spark-optimizer serve` settings (server/src/service/config.ts): YAML config file < environment < flags, defaults
 * (127.0.0.1:8080, 9 MiB bodies), and clear errors for a typo or a bad value. Pure functions, no server.
 */
import * as assert from 'assert';
import { isLoopbackHost, ServiceConfigError, serviceConfig } from '../server/src/service/config';

describe('service config', () => {
  it('defaults: loopback, port 8080, the default store, 9 MiB bodies, info logs', () => {
    assert.deepStrictEqual(serviceConfig(null, 'config', {}, {}), { host: '127.0.0.1', port: 8080, db: undefined, bodyLimitBytes: 9 * 1024 * 1024, logLevel: 'info' });
  });

  it('environment variables override the file, flags override both', () => {
    const file = 'host: 0.0.0.0\nport: 9000\ndb: /srv/file.db\nbodyLimitBytes: 65536\nlogLevel: warn\n';
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', {}, {}), { host: '0.0.0.0', port: 9000, db: '/srv/file.db', bodyLimitBytes: 65536, logLevel: 'warn' });
    const env = { SPARK_OPTIMIZER_SERVICE_PORT: '9100', SPARK_OPTIMIZER_DB: '/srv/env.db', SPARK_OPTIMIZER_SERVICE_LOG_LEVEL: 'error' };
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', env, {}), { host: '0.0.0.0', port: 9100, db: '/srv/env.db', bodyLimitBytes: 65536, logLevel: 'error' });
    assert.deepStrictEqual(serviceConfig(file, 'svc.yaml', env, { port: '9200', host: '127.0.0.2', db: '/srv/flag.db' }), {
      host: '127.0.0.2',
      port: 9200,
      db: '/srv/flag.db',
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

  it('tells loopback hosts from others', () => {
    assert.deepStrictEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '10.0.0.1', '::'].map(isLoopbackHost), [true, true, true, true, false, false, false]);
  });
});
