import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';
import type { SparkSetting } from '../server/src/config/setting';

/** Real files of every kind the readers know, with an answer key; see test/fixtures/configs/README.md. */
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

/** The LSP language id each kind of the answer key is served as (Airflow DAGs are Python files). */
const LANGUAGE_OF_KIND: Record<string, string> = {
  python: 'python',
  shell: 'shellscript',
  'spark-defaults': 'spark-defaults',
  'k8s-yaml': 'yaml',
  'databricks-emr-json': 'json',
  airflow: 'python',
};

/** One (key, value, line, literal) tuple, the unit the answer key is scored in. */
function tuple(s: { key: string; value: string | null; line: number; literal: boolean }): string {
  return JSON.stringify([s.key, s.value, s.line, s.literal]);
}

/** Size of the multiset intersection of two tuple lists. */
function matches(actual: string[], expected: string[]): number {
  const left = new Map<string, number>();
  for (const a of actual) left.set(a, (left.get(a) ?? 0) + 1);
  let n = 0;
  for (const e of expected) {
    const k = left.get(e) ?? 0;
    if (k > 0) {
      n++;
      left.set(e, k - 1);
    }
  }
  return n;
}

describe('config: answer key of the fixtures of every kind', () => {
  it('holds the 19 files and their 173 settings', () => {
    const perKind = new Map<string, number>();
    for (const a of answers) perKind.set(a.kind, (perKind.get(a.kind) ?? 0) + 1);
    assert.deepStrictEqual(Object.fromEntries([...perKind].sort()), {
      airflow: 3,
      'databricks-emr-json': 3,
      'k8s-yaml': 3,
      python: 4,
      shell: 3,
      'spark-defaults': 3,
    });
    assert.strictEqual(answers.reduce((n, a) => n + a.settings.length, 0), 173);
  });

  it('extracts every setting of the key and nothing else: precision = recall = 1 over all 19 files', () => {
    // No entry of the key is excluded: every one of the 173 is expected to be found, with nothing extra.
    let extractedCount = 0;
    let expectedCount = 0;
    let matched = 0;
    const perKind = new Map<string, { extracted: number; expected: number; matched: number }>();
    for (const entry of answers) {
      const text = fs.readFileSync(path.join(FIXTURES, entry.file), 'utf8');
      const actual = extracted(text, LANGUAGE_OF_KIND[entry.kind]).map((s) =>
        tuple({ key: s.key, value: s.value, line: s.range.start.line + 1, literal: s.literal }),
      );
      const expected = entry.settings.map(tuple);
      const m = matches(actual, expected);
      extractedCount += actual.length;
      expectedCount += expected.length;
      matched += m;
      const k = perKind.get(entry.kind) ?? { extracted: 0, expected: 0, matched: 0 };
      perKind.set(entry.kind, { extracted: k.extracted + actual.length, expected: k.expected + expected.length, matched: k.matched + m });
    }
    const precision = matched / extractedCount;
    const recall = matched / expectedCount;
    for (const [kind, k] of perKind) {
      console.log(`      ${kind}: ${k.matched} of ${k.expected} expected found, ${k.extracted} extracted`);
    }
    console.log(`      overall: precision ${precision.toFixed(3)} (${matched}/${extractedCount}), recall ${recall.toFixed(3)} (${matched}/${expectedCount})`);
    assert.strictEqual(expectedCount, 173);
    assert.strictEqual(precision, 1);
    assert.strictEqual(recall, 1);
  });

  for (const entry of answers) {
    describe(entry.file, () => {
      const bytes = fs.readFileSync(path.join(FIXTURES, entry.file));
      const text = bytes.toString('utf8');
      const languageId = LANGUAGE_OF_KIND[entry.kind];
      // The answer key lists settings by line; within a line, in source order.
      const expected = entry.settings.map((s, i) => ({ s, i })).sort((a, b) => a.s.line - b.s.line || a.i - b.i).map((x) => x.s);

      it('is the byte-exact copy the key describes', () => {
        assert.strictEqual(bytes.length, entry.bytes);
        assert.strictEqual(createHash('sha256').update(bytes).digest('hex'), entry.sha256);
        // Fixture names are `<owner>__<repo>__<file-name>`: the reader's choice depends on the original name.
        const originalName = path.basename(entry.file).split('__').slice(2).join('__');
        assert.strictEqual(languageIdForPath(originalName, text), languageId);
      });

      it('is read without an error', () => {
        assert.doesNotThrow(() => extractSettings(text, languageId));
        assert.strictEqual(extractSettings(text, languageId).languageId, languageId);
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
