import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseSettings, settingsSchema, SETTINGS_SECTION } from '../shared/src/settings';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('settings schema (shared/src/settings.ts) vs package.json', () => {
  const props: Record<string, { default?: unknown; enum?: unknown[] }> = pkg.contributes.configuration.properties;

  it('contributes exactly the schema keys', () => {
    const schemaKeys = Object.keys(settingsSchema.shape).map((k) => `${SETTINGS_SECTION}.${k}`).sort();
    assert.deepStrictEqual(Object.keys(props).sort(), schemaKeys);
  });

  it('has the same defaults and enums', () => {
    const defaults = parseSettings(undefined) as Record<string, unknown>;
    for (const [k, v] of Object.entries(defaults)) assert.deepStrictEqual(props[`${SETTINGS_SECTION}.${k}`].default, v, k);
    assert.deepStrictEqual(props['sparkOptimizer.logLevel'].enum, ['error', 'warn', 'info', 'debug']);
  });

  it('falls back to defaults for invalid values and keeps valid ones', () => {
    const s = parseSettings({ logLevel: 'verbose', eventLogFolder: '/data/spark-events' });
    assert.strictEqual(s.logLevel, 'info');
    assert.strictEqual(s.eventLogFolder, '/data/spark-events');
  });
});
