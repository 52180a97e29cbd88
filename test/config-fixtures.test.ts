import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';
import type { SparkSetting } from '../server/src/config/setting';

/** Real PySpark files and shell scripts with an answer key; see test/fixtures/configs/README.md. */
const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'configs');

interface AnswerSetting {
  key: string;
  value: string | null;
  line: number;
  literal: boolean;
  raw?: string;
  value_line?: number;
  source_key?: string;
  note?: string;
}

interface AnswerEntry {
  file: string;
  kind: string;
  bytes: number;
  sha256: string;
  settings: AnswerSetting[];
}

const answers: AnswerEntry[] = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'answers.json'), 'utf8'));

/** Settings of a file in source order, as the answer key lists them. */
function extracted(text: string, languageId: string): SparkSetting[] {
  return extractSettings(text, languageId)
    .blocks.flatMap((b) => b.settings)
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** Last word of a spelling: `.appName()` → `appName`, `SparkConf.setAll` → `setAll`, `--driver-class-path` → `path`. */
function lastWord(spelling: string): string {
  const words = spelling.match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
  return words[words.length - 1] ?? '';
}

describe('config: answer key of the python and shell fixtures', () => {
  it('holds the 7 python/shell files and their 81 settings', () => {
    assert.deepStrictEqual(
      answers.map((a) => a.kind).sort(),
      ['python', 'python', 'python', 'python', 'shell', 'shell', 'shell'],
    );
    assert.strictEqual(answers.reduce((n, a) => n + a.settings.length, 0), 81);
  });

  for (const entry of answers) {
    describe(entry.file, () => {
      const bytes = fs.readFileSync(path.join(FIXTURES, entry.file));
      const text = bytes.toString('utf8');
      const languageId = entry.kind === 'python' ? 'python' : 'shellscript';
      // The answer key lists settings by line; within a line, in source order.
      const expected = entry.settings.map((s, i) => ({ s, i })).sort((a, b) => a.s.line - b.s.line || a.i - b.i).map((x) => x.s);

      it('is the byte-exact copy the key describes', () => {
        assert.strictEqual(bytes.length, entry.bytes);
        assert.strictEqual(createHash('sha256').update(bytes).digest('hex'), entry.sha256);
        assert.strictEqual(languageIdForPath(entry.file, text), languageId);
      });

      it('gives exactly the (key, value, line, literal) list of the key', () => {
        const actual = extracted(text, languageId).map((s) => ({ key: s.key, value: s.value, line: s.range.start.line + 1, literal: s.literal }));
        assert.deepStrictEqual(
          actual,
          expected.map((s) => ({ key: s.key, value: s.value, line: s.line, literal: s.literal })),
        );
      });

      it('gives the raw text, resolved line and spelling the key records', () => {
        const actual = extracted(text, languageId);
        assert.strictEqual(actual.length, expected.length);
        expected.forEach((want, i) => {
          const got = actual[i];
          const where = `${want.key} on line ${want.line}`;
          if (want.raw !== undefined) assert.strictEqual(got.raw, want.raw, where);
          if (want.value_line !== undefined) assert.strictEqual(got.resolvedFrom && got.resolvedFrom.range.start.line + 1, want.value_line, where);
          else assert.strictEqual(got.resolvedFrom, undefined, where);
          if (want.source_key !== undefined) assert.strictEqual(lastWord(got.sourceKey), lastWord(want.source_key), where);
          // The range is where the value is: for a literal, exactly its text inside any quotes.
          const line = text.split(/\r\n|\n|\r/)[got.range.start.line];
          if (got.literal && got.range.start.line === got.range.end.line) {
            assert.strictEqual(line.slice(got.range.start.character, got.range.end.character), want.value, where);
          }
        });
      });
    });
  }
});
