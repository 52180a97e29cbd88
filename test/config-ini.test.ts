import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { insert, settingsOf, textAt } from './helpers/text-edits';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';
import { extractIniSettings } from '../server/src/config/ini-settings';
import { applicationSites } from '../server/src/config/application-sites';
import { CONFIG_FIXTURES } from './helpers/fixtures';

const FIXTURES = path.join(CONFIG_FIXTURES, 'ini');
const { settings, only } = settingsOf((t) => extractIniSettings(t, 'properties'));

describe('config: INI files read with configparser (ini-settings.ts)', () => {
  it('reads one block per section, every spark.* entry of each (LearningJournal SBDL/conf/spark.conf)', () => {
    const text = fs.readFileSync(
      path.join(FIXTURES, 'LearningJournal__Spark-Programming-In-Python__SBDL-spark.conf'),
      'utf8',
    );
    const file = extractIniSettings(text, 'properties');
    assert.deepStrictEqual(
      file.blocks.map((b) => [b.format, b.range.start.line, b.settings.length, b.settings[0].value]),
      [
        ['ini-section', 0, 2, 'sbdl-local'],
        ['ini-section', 3, 7, 'sbdl-qa'],
        ['ini-section', 11, 7, 'sbdl'],
      ],
    );
    // Each section is a configuration of its own: one application site per section.
    assert.deepStrictEqual(
      applicationSites(file, 'conf/spark.conf').map((s) => s.appName),
      ['sbdl-local', 'sbdl-qa', 'sbdl'],
    );
    const mem = file.blocks[1].settings.find((s) => s.key === 'spark.executor.memory')!;
    assert.deepStrictEqual(
      [mem.value, mem.literal, textAt(text, mem.range), mem.keyRange && textAt(text, mem.keyRange)],
      ['10GB', true, '10GB', 'spark.executor.memory'],
    );
  });

  it('skips comments and keys that are not Spark keys, keeps a # inside a value, joins continuation lines', () => {
    const text = [
      '# settings',
      '[spark]',
      'app.name = OSAS',
      '; spark.master = yarn',
      'spark.master = local[*]',
      'spark.driver.extraJavaOptions = -Da=1 # not a comment',
      'spark.executor.extraJavaOptions =',
      '    -Dx=1',
      '    -Dy=2',
      '',
    ].join('\n');
    assert.deepStrictEqual(
      settings(text).map((s) => [s.key, s.value, s.range.start.line]),
      [
        ['spark.master', 'local[*]', 4],
        ['spark.driver.extraJavaOptions', '-Da=1 # not a comment', 5],
        ['spark.executor.extraJavaOptions', '-Dx=1\n-Dy=2', 7],
      ],
    );
  });

  it("inserts a new entry after the section's last entry, in its separator style", () => {
    const text = ['[LOCAL]', 'spark.app.name=a', 'spark.master=local', '[QA]', 'spark.app.name=b', ''].join('\n');
    const [local, qa] = extractIniSettings(text, 'ini').blocks;
    assert.strictEqual(
      insert(text, local, 'spark.executor.memory', '2g'),
      [
        '[LOCAL]',
        'spark.app.name=a',
        'spark.master=local',
        'spark.executor.memory=2g',
        '[QA]',
        'spark.app.name=b',
        '',
      ].join('\n'),
    );
    assert.strictEqual(
      insert(text, qa, 'spark.executor.memory', '4g'),
      [
        '[LOCAL]',
        'spark.app.name=a',
        'spark.master=local',
        '[QA]',
        'spark.app.name=b',
        'spark.executor.memory=4g',
        '',
      ].join('\n'),
    );
    const noEol = '[spark]\nspark.master = yarn';
    assert.strictEqual(
      insert(noEol, extractIniSettings(noEol, 'ini').blocks[0], 'spark.executor.cores', '2'),
      '[spark]\nspark.master = yarn\nspark.executor.cores = 2',
    );
  });

  it('reads a .conf without sections as a Java properties file, and gives nothing for files without Spark keys', () => {
    assert.deepStrictEqual(
      settings('spark.executor.memory 16g\nspark.driver.memory=16g\n').map((s) => [s.key, s.value, s.origin]),
      [
        ['spark.executor.memory', '16g', 'spark-defaults'],
        ['spark.driver.memory', '16g', 'spark-defaults'],
      ],
    );
    assert.deepStrictEqual(extractIniSettings('[server]\nport = 80\n', 'ini').blocks, []);
    assert.deepStrictEqual(extractIniSettings('log4j.rootCategory=INFO, console\n', 'properties').blocks, []);
    assert.strictEqual(only('[a]\nspark.x = ${X}\n', 'spark.x').literal, false);
  });

  it('is what .ini, .cfg and other .conf files are read as', () => {
    assert.strictEqual(languageIdForPath('conf/spark.conf'), 'properties');
    assert.strictEqual(languageIdForPath('settings.ini'), 'ini');
    assert.strictEqual(languageIdForPath('setup.cfg'), 'properties');
    assert.strictEqual(languageIdForPath('conf/spark-defaults.conf'), 'spark-defaults');
    assert.strictEqual(extractSettings('[s]\nspark.master = yarn\n', 'ini').blocks[0].settings[0].value, 'yarn');
    for (let n = 0; n <= 40; n++)
      assert.doesNotThrow(() => extractIniSettings('[s]\nspark.a = 1\n  cont\n[t\nspark.b: 2'.slice(0, n), 'ini'));
  });
});
