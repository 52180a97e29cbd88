import * as assert from 'assert';
import {
  formatSparkSizeMiB,
  javaTrim,
  parseSparkSizeAs,
  parseSparkSizeBytes,
  parseSparkSizeConf,
  parseSparkSizeMiB,
  parseSparkTime,
  SparkSizeError,
  SparkTimeError,
} from '../server/src/config/spark-units';

// Accepted and rejected examples are Spark's own, from apache/spark
// core/src/test/scala/org/apache/spark/util/UtilsSuite.scala, tests "timeConversion" and
// "Test byteString conversion" (Utils.timeStringAs* and Utils.byteStringAs* delegate to
// JavaUtils.timeStringAs / byteStringAs). Messages are JavaUtils.java's.

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const SIZE_HEAD =
  'Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m.';
const TIME_HEAD =
  'Time must be specified as seconds (s), milliseconds (ms), microseconds (us), minutes (m or min), hour (h), or day (d). E.g. 50s, 100ms, or 250us.';

function sizeError(text: string, unit: Parameters<typeof parseSparkSizeAs>[1] = 'b'): string {
  try {
    parseSparkSizeAs(text, unit);
  } catch (e) {
    assert.ok(e instanceof SparkSizeError, `expected SparkSizeError for ${text}`);
    return e.message;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

function timeError(text: string): string {
  try {
    parseSparkTime(text, 'ms');
  } catch (e) {
    assert.ok(e instanceof SparkTimeError, `expected SparkTimeError for ${text}`);
    return e.message;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe('config: Spark size and time strings (spark-units.ts)', () => {
  describe('parseSparkTime = JavaUtils.timeStringAs (UtilsSuite "timeConversion")', () => {
    it('reads the cases UtilsSuite asserts for seconds', () => {
      const cases: [string, number][] = [
        ['-1', -1],
        ['0', 0],
        ['1', 1],
        ['1s', 1],
        ['1000ms', 1],
        ['1000000us', 1],
        ['1m', 60],
        ['1min', 60],
        ['1h', 3600],
        ['1d', 86400],
      ];
      for (const [text, seconds] of cases) assert.strictEqual(parseSparkTime(text, 's'), seconds, text);
    });

    it('reads the cases UtilsSuite asserts for milliseconds', () => {
      const cases: [string, number][] = [
        ['1', 1],
        ['1ms', 1],
        ['1000us', 1],
        ['1s', 1000],
        ['1m', 60_000],
        ['1min', 60_000],
        ['1h', 3_600_000],
        ['1d', 86_400_000],
      ];
      for (const [text, ms] of cases) assert.strictEqual(parseSparkTime(text, 'ms'), ms, text);
    });

    it("rejects the invalid strings UtilsSuite lists, with Spark's message", () => {
      assert.strictEqual(timeError('600l'), `${TIME_HEAD}\nInvalid suffix: "l"`);
      for (const text of ['This breaks 600s', 'This breaks 600ds', '600s This breaks', 'This 123s breaks']) {
        assert.strictEqual(timeError(text), `${TIME_HEAD}\nFailed to parse time string: ${text}`);
      }
    });

    it('lower-cases and trims, but rejects inner spaces, fractions, a plus sign and "ns"', () => {
      assert.strictEqual(parseSparkTime(' 120S ', 's'), 120);
      assert.strictEqual(parseSparkTime('5MIN', 'ms'), 300_000);
      assert.match(timeError('4 s'), /Failed to parse time string: 4 s$/);
      assert.match(timeError('1.5s'), /Failed to parse time string: 1\.5s$/);
      assert.match(timeError('+5s'), /Failed to parse time string: \+5s$/);
      assert.match(timeError('5ns'), /Invalid suffix: "ns"$/);
    });

    it('truncates toward zero when converting to a coarser unit, like TimeUnit.convert', () => {
      assert.strictEqual(parseSparkTime('1500ms', 's'), 1);
      assert.strictEqual(parseSparkTime('-1500ms', 's'), -1);
      assert.strictEqual(parseSparkTime('59s', 'min'), 0);
    });
  });

  describe('parseSparkSizeAs = JavaUtils.byteStringAs (UtilsSuite "Test byteString conversion")', () => {
    it('reads the cases UtilsSuite asserts, truncating to the requested unit', () => {
      const cases: [string, Parameters<typeof parseSparkSizeAs>[1], number][] = [
        ['0', 'b', 0],
        ['1', 'g', 1],
        ['1g', 'g', 1],
        ['1023m', 'g', 0],
        ['1024m', 'g', 1],
        ['1048575k', 'g', 0],
        ['1048576k', 'g', 1],
        ['1k', 'g', 0],
        ['1t', 'g', 1024],
        ['1p', 'g', 1024 * 1024],
        ['1', 'm', 1],
        ['1m', 'm', 1],
        ['1048575b', 'm', 0],
        ['1048576b', 'm', 1],
        ['1023k', 'm', 0],
        ['1024k', 'm', 1],
        ['3645k', 'm', 3],
        ['1024gb', 'm', 1048576],
        ['1g', 'm', 1024],
        ['1t', 'm', 1024 * 1024],
        ['1p', 'm', 1024 ** 3],
        ['1', 'k', 1],
        ['1k', 'k', 1],
        ['1m', 'k', 1024],
        ['1g', 'k', 1024 ** 2],
        ['1t', 'k', 1024 ** 3],
        ['1p', 'k', 1024 ** 4],
        ['1', 'b', 1],
        ['1k', 'b', KiB],
        ['1m', 'b', MiB],
        ['1g', 'b', GiB],
        ['1t', 'b', 1024 ** 4],
        ['1p', 'b', 1024 ** 5],
        ['1073741824p', 'g', 1073741824 * 1024 * 1024],
        ['1073741824p', 'm', 1073741824 * 1024 ** 3],
        ['9223372036854775807', 'b', Number(9223372036854775807n)], // Long.MaxValue as the nearest double, 2^63
      ];
      for (const [text, unit, expected] of cases)
        assert.strictEqual(parseSparkSizeAs(text, unit), expected, `${text} as ${unit}`);
    });

    it("rejects what UtilsSuite rejects, with Spark's messages", () => {
      assert.strictEqual(sizeError('9223372036854775808'), `${SIZE_HEAD}\nFor input string: "9223372036854775808"`);
      assert.strictEqual(
        sizeError('0.064', 'm'),
        `${SIZE_HEAD}\nFractional values are not supported. Input was: 0.064`,
      );
      assert.strictEqual(
        sizeError('0.064m', 'm'),
        `${SIZE_HEAD}\nFractional values are not supported. Input was: 0.064`,
      );
      assert.strictEqual(sizeError('500ub'), `${SIZE_HEAD}\nInvalid suffix: "ub"`);
      for (const text of ['This breaks 600b', 'This breaks 600', '600gb This breaks', 'This 123mb breaks']) {
        assert.strictEqual(sizeError(text), `${SIZE_HEAD}\nFailed to parse byte string: ${text}`);
      }
    });

    it('overflowing a conversion to a finer unit fails as ByteUnit.convertTo does', () => {
      assert.match(
        sizeError('1073741824p', 'b'),
        /^Conversion of 1073741824 exceeds Long.MAX_VALUE in PiB\. Try a larger unit/,
      );
    });

    it('accepts gb/mb/kb and upper case; rejects inner spaces, signs and fractions', () => {
      assert.strictEqual(parseSparkSizeAs('4gb', 'm'), 4096);
      assert.strictEqual(parseSparkSizeAs('4G', 'm'), 4096);
      assert.strictEqual(parseSparkSizeAs('  512MB\t', 'm'), 512);
      assert.match(sizeError('4 g'), /Failed to parse byte string: 4 g$/);
      assert.match(sizeError('-1g'), /Failed to parse byte string: -1g$/);
      assert.match(sizeError('+1g'), /Failed to parse byte string: \+1g$/);
      assert.match(sizeError('4.5g'), /Fractional values are not supported. Input was: 4\.5$/);
      assert.match(sizeError('four'), /Failed to parse byte string: four$/);
      assert.match(sizeError('4\u00a0g'), /Failed to parse byte string/);
    });
  });

  describe('parseSparkSizeConf = ConfigHelpers.byteFromString (bytesConf keys)', () => {
    it('negates a leading minus on the raw text, so -1 disables a broadcast threshold', () => {
      assert.strictEqual(parseSparkSizeConf('-1', 'b'), -1);
      assert.strictEqual(parseSparkSizeConf('-10MB', 'b'), -10 * MiB);
      assert.throws(() => parseSparkSizeConf(' -1', 'b'), /Failed to parse byte string: {2}-1/);
      assert.throws(() => parseSparkSizeConf('--1', 'b'), /Failed to parse byte string: -1/);
    });
  });

  describe('existing helpers keep their behaviour', () => {
    it('parseSparkSizeBytes: bare numbers in the default unit, suffixes exact', () => {
      assert.strictEqual(parseSparkSizeBytes('4g'), 4 * GiB);
      assert.strictEqual(parseSparkSizeBytes('1024'), GiB);
      assert.strictEqual(parseSparkSizeBytes('512k'), 512 * KiB);
      assert.strictEqual(parseSparkSizeBytes('1024', 'b'), 1024);
      assert.throws(
        () => parseSparkSizeBytes('4.5g'),
        (e: unknown) => e instanceof SparkSizeError && /Input was: 4\.5$/.test(e.message),
      );
      assert.throws(() => parseSparkSizeBytes('-1g'), SparkSizeError);
    });

    it('parseSparkSizeMiB truncates like byteStringAs(…, MiB) and gives null for invalid text', () => {
      assert.strictEqual(parseSparkSizeMiB('4g'), 4096);
      assert.strictEqual(parseSparkSizeMiB('1023k'), 0);
      assert.strictEqual(parseSparkSizeMiB('3645k'), 3);
      assert.strictEqual(parseSparkSizeMiB('4 g'), null);
      assert.strictEqual(parseSparkSizeMiB(undefined), null);
      assert.strictEqual(formatSparkSizeMiB(4096), '4g');
      assert.strictEqual(formatSparkSizeMiB(1536), '1536m');
    });

    it('javaTrim strips characters up to U+0020 only', () => {
      assert.strictEqual(javaTrim('\t 4g \n'), '4g');
      assert.strictEqual(javaTrim('\u00a04g'), '\u00a04g');
    });
  });
});
