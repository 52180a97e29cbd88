import * as assert from 'assert';
import * as fs from 'fs';
import { visit } from 'jsonc-parser';
import { z } from 'zod';
import { RESTRICTED_SETTINGS } from '../shared/src/protocol';
import {
  parseSettings,
  readSetting,
  SETTING_DEFAULTS,
  SETTING_SCHEMAS,
  SETTING_SCOPES,
  settingsSchema,
  SETTINGS_SECTION,
  type SettingKey,
} from '../shared/src/settings';
import { PACKAGE_JSON } from './helpers/fixtures';

const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8'));

describe('settings schema (shared/src/settings.ts) vs package.json', () => {
  const props: Record<
    string,
    { default?: unknown; enum?: unknown[]; scope?: string; description?: string; type?: string }
  > = pkg.contributes.configuration.properties;

  /** Settings flattened to dotted keys, as package.json lists them (`cluster.nodeMemory`). */
  function flatten(obj: Record<string, unknown>, prefix = SETTINGS_SECTION): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}.${k}`));
      else out[`${prefix}.${k}`] = v;
    }
    return out;
  }

  it('contributes exactly the schema keys', () => {
    assert.deepStrictEqual(
      Object.keys(props).sort(),
      Object.keys(flatten(parseSettings(undefined) as Record<string, unknown>)).sort(),
    );
    assert.ok(Object.keys(settingsSchema.shape).length > 0);
  });

  it('has the same defaults and enums', () => {
    const defaults = flatten(parseSettings(undefined));
    for (const [k, v] of Object.entries(defaults)) assert.deepStrictEqual(props[k].default, v, k);
    assert.deepStrictEqual(props['sparkOptimizer.logLevel'].enum, ['error', 'warn', 'info', 'debug']);
  });

  it('has the same type, enum, bounds, pattern and item shape as the schema, setting by setting', () => {
    /** The JSON-schema words that say what a value may be (not how it is described); zod's implicit integer bound dropped. */
    const shape = (js: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const k of ['type', 'enum', 'minimum', 'maximum', 'minLength', 'pattern'])
        if (js[k] !== undefined && !(k === 'maximum' && js[k] === Number.MAX_SAFE_INTEGER)) out[k] = js[k];
      if (Array.isArray(js.required)) out.required = [...js.required].sort();
      for (const k of ['items', 'additionalProperties'])
        if (typeof js[k] === 'object' && js[k] !== null) out[k] = shape(js[k] as Record<string, unknown>);
      if (typeof js.properties === 'object' && js.properties !== null)
        out.properties = Object.fromEntries(
          Object.entries(js.properties).map(([p, v]) => [p, shape(v as Record<string, unknown>)]),
        );
      return out;
    };
    const keys = Object.keys(SETTING_SCHEMAS) as SettingKey[];
    assert.strictEqual(keys.length, 35);
    for (const key of keys) {
      const fromSchema = shape(z.toJSONSchema(SETTING_SCHEMAS[key], { io: 'input' }));
      assert.deepStrictEqual(shape(props[`${SETTINGS_SECTION}.${key}`] as Record<string, unknown>), fromSchema, key);
    }
    // Read by hand in package.json: counts are integers ≥ 0 (maxRows ≥ 1), the slowdown a percentage up to 1000.
    assert.deepStrictEqual(shape(props['sparkOptimizer.sparkConnect.maxRows'] as Record<string, unknown>), {
      type: 'integer',
      minimum: 1,
    });
    assert.deepStrictEqual(shape(props['sparkOptimizer.maxSlowdownPercent'] as Record<string, unknown>), {
      type: 'number',
      minimum: 0,
      maximum: 1000,
    });
  });

  it('the typed getter reads each setting by its dotted key, its default when missing or of the wrong type', () => {
    const user: Record<string, unknown> = {
      'historyServer.url': 'http://shs:18080',
      'sparkConnect.maxRows': 'many',
      'cluster.nodeCores': 16,
    };
    assert.strictEqual(
      readSetting((k) => user[k], 'historyServer.url'),
      'http://shs:18080',
    );
    assert.strictEqual(
      readSetting((k) => user[k], 'cluster.nodeCores'),
      16,
    );
    // Not an integer: the default, 10000 rows (package.json's default too, checked above).
    assert.strictEqual(
      readSetting((k) => user[k], 'sparkConnect.maxRows'),
      10000,
    );
    assert.strictEqual(
      readSetting((k) => user[k], 'historyServer.verifyTls'),
      true,
    );
    assert.deepStrictEqual(
      [SETTING_DEFAULTS.objective, SETTING_DEFAULTS['cost.currency'], SETTING_DEFAULTS['checks.disabled']],
      ['balanced', 'USD', []],
    );
  });

  it('declares every setting with a type, a description and the scope of SETTING_SCOPES', () => {
    assert.deepStrictEqual(
      Object.keys(SETTING_SCOPES)
        .map((k) => `${SETTINGS_SECTION}.${k}`)
        .sort(),
      Object.keys(props).sort(),
    );
    for (const [k, scope] of Object.entries(SETTING_SCOPES)) {
      const p = props[`${SETTINGS_SECTION}.${k}`];
      assert.strictEqual(p.scope, scope, k);
      assert.ok(p.type, `${k} has a type`);
      assert.ok((p.description ?? '').length > 20, `${k} has a description`);
    }
    // The store and collection folder can only come from user/machine settings.
    assert.strictEqual(props['sparkOptimizer.historyDatabase'].scope, 'machine');
    assert.deepStrictEqual(props['sparkOptimizer.trace.server'].enum, ['off', 'messages', 'verbose']);
  });

  it('lists every setting that names a server or a path as restricted in untrusted workspaces', () => {
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.strictEqual(untrusted.supported, 'limited');
    assert.deepStrictEqual([...untrusted.restrictedConfigurations].sort(), [...RESTRICTED_SETTINGS].sort());
    for (const k of [
      'historyServer.url',
      'historyServer.caFile',
      'historyServer.certFile',
      'historyServer.keyFile',
      'historyDatabase',
      'eventLogFolder',
    ]) {
      assert.ok(untrusted.restrictedConfigurations.includes(`${SETTINGS_SECTION}.${k}`), k);
    }
  });

  it('package.json has no key twice in one object (JSON.parse would silently keep the last; merges can write one twice)', () => {
    const text = fs.readFileSync(PACKAGE_JSON, 'utf8');
    const stack: Set<string>[] = [];
    const dup: string[] = [];
    visit(text, {
      onObjectBegin: () => void stack.push(new Set()),
      onObjectEnd: () => void stack.pop(),
      onObjectProperty: (name, offset) => {
        const keys = stack[stack.length - 1];
        if (keys.has(name)) dup.push(`${name} at offset ${offset}`);
        keys.add(name);
      },
    });
    assert.deepStrictEqual(dup, []);
  });

  it('falls back to defaults for invalid values and keeps valid ones', () => {
    const s = parseSettings({
      logLevel: 'verbose',
      eventLogFolder: '/data/spark-events',
      cluster: { nodeMemory: '64g', nodeCores: 16 },
    });
    assert.strictEqual(s.logLevel, 'info');
    assert.strictEqual(s.eventLogFolder, '/data/spark-events');
    assert.deepStrictEqual(s.cluster, { nodeMemory: '64g', nodeCores: 16, nodes: 0, totalCores: 0, totalMemory: '' });
    // The objective: an enum, balanced by default; the slowdown in percent, 10 by default, never negative.
    assert.deepStrictEqual([s.objective, s.maxSlowdownPercent], ['balanced', 10]);
    assert.deepStrictEqual(
      [parseSettings({ objective: 'cost' }).objective, parseSettings({ objective: 'cheapest' }).objective],
      ['cost', 'balanced'],
    );
    assert.strictEqual(parseSettings({ maxSlowdownPercent: -5 }).maxSlowdownPercent, 10);
    // Prices: a negative price is invalid, so the whole cost object falls back to its defaults.
    assert.deepStrictEqual(parseSettings({ cost: { pricePerCoreHour: 0.05, pricePerGiBHour: 0.006 } }).cost, {
      pricePerCoreHour: 0.05,
      pricePerGiBHour: 0.006,
      currency: 'USD',
    });
    assert.deepStrictEqual(parseSettings({ cost: { pricePerCoreHour: -1 } }).cost, {
      pricePerCoreHour: 0,
      pricePerGiBHour: 0,
      currency: 'USD',
    });
  });
});
