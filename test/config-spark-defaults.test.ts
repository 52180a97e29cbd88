import * as assert from 'assert';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';
import {
  extractSparkDefaultsSettings,
  isPlaceholderValue,
  readProperties,
} from '../server/src/config/spark-defaults-settings';

const { settings, only, rename } = settingsOf(extractSparkDefaultsSettings);

describe('config: spark-defaults.conf (spark-defaults-settings.ts)', () => {
  describe('Java Properties rules', () => {
    const text = [
      '# comment spark.a 1',
      '! also a comment',
      '   spark.driver.memory   4g   ',
      'spark.executor.memory=8g',
      'spark.executor.cores : 4',
      'spark.executor.extraJavaOptions -XX:+UseG1GC \\',
      '    -verbose:gc',
      'spark.key\\ with\\ space 1',
      'fs.s3a.fast.upload true',
      'spark.empty',
      'spark.app.name\tnight\\u00e9',
      '',
    ].join('\n');

    it('reads keys and values with whitespace, = and : separators, trimming the value', () => {
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.range.start.line + 1]),
        [
          ['spark.driver.memory', '4g', 3],
          ['spark.executor.memory', '8g', 4],
          ['spark.executor.cores', '4', 5],
          ['spark.executor.extraJavaOptions', '-XX:+UseG1GC -verbose:gc', 6],
          ['spark.key with space', '1', 8],
          ['spark.empty', '', 10],
          ['spark.app.name', 'night\u00e9', 11],
        ],
      );
      assert.ok(settings(text).every((s) => s.literal && s.origin === 'spark-defaults'));
    });

    it('gives value ranges that cover exactly the value text', () => {
      assert.strictEqual(textAt(text, only(text, 'spark.driver.memory').range), '4g');
      assert.strictEqual(textAt(text, only(text, 'spark.executor.cores').range), '4');
      assert.strictEqual(
        textAt(text, only(text, 'spark.executor.extraJavaOptions').range),
        '-XX:+UseG1GC \\\n    -verbose:gc',
      );
      const edited = replaceAt(text, only(text, 'spark.executor.memory').range, '16g');
      assert.ok(edited.includes('spark.executor.memory=16g\n'));
      assert.strictEqual(only(edited, 'spark.executor.memory').value, '16g');
      assert.strictEqual(
        only(replaceAt(text, only(text, 'spark.driver.memory').range, '2g'), 'spark.driver.memory').value,
        '2g',
      );
    });

    it('handles CRLF line endings and continuation with CRLF', () => {
      const crlf = 'spark.a 1\r\nspark.b x \\\r\n  y\r\n';
      assert.deepStrictEqual(
        settings(crlf).map((s) => [s.key, s.value, s.range.start.line]),
        [
          ['spark.a', '1', 0],
          ['spark.b', 'x y', 1],
        ],
      );
    });

    it('reads every duplicate (Properties keeps the last, the editor shows both)', () => {
      const dup = 'spark.executor.memory 4g\nspark.executor.memory 8g\n';
      assert.deepStrictEqual(
        settings(dup).map((s) => [s.value, s.range.start.line]),
        [
          ['4g', 0],
          ['8g', 1],
        ],
      );
    });

    it('reports separators as written', () => {
      assert.deepStrictEqual(
        readProperties('a=1\nb \t2\nc : 3\n').map((e) => e.separator),
        ['=', ' \t', ' : '],
      );
    });
  });

  describe('placeholders', () => {
    it('marks tokens substituted by other tools as non-literal, keeps Spark enum values literal', () => {
      const text =
        'spark.executor.cores SPARKYARNEXECUTORCORES\nspark.local.dir ${LOCAL_DIR}\nspark.log.level WARN\nspark.sql.legacy.timeParserPolicy LEGACY\n';
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.literal, s.raw]),
        [
          ['spark.executor.cores', null, false, 'SPARKYARNEXECUTORCORES'],
          ['spark.local.dir', null, false, '${LOCAL_DIR}'],
          ['spark.log.level', 'WARN', true, 'WARN'],
          ['spark.sql.legacy.timeParserPolicy', 'LEGACY', true, 'LEGACY'],
        ],
      );
      assert.strictEqual(isPlaceholderValue('MEMORY_AND_DISK'), false);
      assert.strictEqual(isPlaceholderValue('{{ executor_memory }}'), true);
      assert.strictEqual(isPlaceholderValue('<%= @mem %>'), true);
    });
  });

  describe('insertion', () => {
    it('appends a line with the separator the file uses, and the new line reads back', () => {
      for (const [text, line] of [
        ['spark.a=1\n', 'spark.executor.memory=8g'],
        ['spark.a 1\n', 'spark.executor.memory 8g'],
        ['spark.a\t1', 'spark.executor.memory\t8g'],
        ['# only a comment\n', 'spark.executor.memory 8g'],
        ['', 'spark.executor.memory 8g'],
      ]) {
        const block = extractSparkDefaultsSettings(text).blocks[0];
        const edited = insert(text, block, 'spark.executor.memory', '8g');
        assert.ok(edited.split(/\r?\n/).includes(line), JSON.stringify(edited));
        assert.strictEqual(only(edited, 'spark.executor.memory').value, '8g');
        assert.strictEqual(settings(edited).length, settings(text).length + 1);
      }
    });

    it('keeps CRLF line endings', () => {
      const text = 'spark.a 1\r\n';
      const edited = insert(text, extractSparkDefaultsSettings(text).blocks[0], 'spark.b', '2');
      assert.strictEqual(edited, 'spark.a 1\r\nspark.b 2\r\n');
    });
  });

  describe('dispatch and broken input', () => {
    it('is chosen for spark-defaults*.conf files', () => {
      for (const name of [
        'spark-defaults.conf',
        'conf/spark-defaults-prod.conf',
        'spark-defaults.conf.template',
        'C:\\spark\\conf\\spark-defaults.conf',
      ]) {
        assert.strictEqual(languageIdForPath(name), 'spark-defaults', name);
      }
      // Other .conf files are VS Code's `properties` (an INI or Java properties file, config/ini-settings.ts).
      assert.strictEqual(languageIdForPath('other.conf'), 'properties');
      assert.strictEqual(extractSettings('spark.a 1\n', 'spark-defaults').blocks[0].settings[0].value, '1');
    });

    it('never throws on any prefix of a file being typed', () => {
      const complete = 'spark.driver.memory 4g\nspark.executor.java\\\n  Options -Xss4m \\\n\nspark.x=\\u12\n\\';
      for (let i = 0; i <= complete.length; i++) {
        assert.doesNotThrow(() => extractSparkDefaultsSettings(complete.slice(0, i)));
      }
      assert.strictEqual(only(complete, 'spark.executor.javaOptions').value, '-Xss4m');
    });
  });

  describe('keyRange', () => {
    /** `text` with the key of the one `key` setting rewritten through its keyRange. */
    const lines = [
      '# données — 日本 😀',
      '   spark.driver.memory   4g',
      'spark.executor.memory=8g',
      'spark.executor.cores : 4',
      'spark.key\\ with\\ space 1',
      '',
    ];

    it('covers the key of each line, whatever the separator', () => {
      const text = lines.join('\n');
      assert.strictEqual(
        rename(text, 'spark.driver.memory', 'spark.z'),
        text.replace('   spark.driver.memory ', '   spark.z '),
      );
      assert.strictEqual(
        rename(text, 'spark.executor.memory', 'spark.z'),
        text.replace('spark.executor.memory=', 'spark.z='),
      );
      assert.strictEqual(
        rename(text, 'spark.executor.cores', 'spark.z'),
        text.replace('spark.executor.cores :', 'spark.z :'),
      );
      assert.deepStrictEqual(only(text, 'spark.driver.memory').keyRange, {
        start: { line: 1, character: 3 },
        end: { line: 1, character: 22 },
      });
    });

    it('is undefined for a key written with escapes', () => {
      assert.strictEqual(only(lines.join('\n'), 'spark.key with space').keyRange, undefined);
    });

    it('keeps working with CRLF line endings', () => {
      const text = lines.join('\r\n');
      assert.strictEqual(
        rename(text, 'spark.executor.cores', 'spark.z'),
        text.replace('spark.executor.cores :', 'spark.z :'),
      );
      assert.strictEqual(only(text, 'spark.executor.cores').keyRange?.start.line, 3);
    });
  });
});
