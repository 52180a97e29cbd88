/**
 * The grammars in syntaxes/, tokenized with vscode-textmate + vscode-oniguruma (the engine VS Code uses)
 * next to VS Code's own Python and SQL grammars (test/fixtures/grammars, provenance in its README).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { INITIAL, IGrammar, parseRawGrammar, Registry } from 'vscode-textmate';
import { loadWASM, OnigScanner, OnigString } from 'vscode-oniguruma';
import { REPO_ROOT, GRAMMAR_FIXTURES } from './helpers/fixtures';

const GRAMMARS: Record<string, string> = {
  'source.python': path.join(GRAMMAR_FIXTURES, 'MagicPython.tmLanguage.json'),
  'source.sql': path.join(GRAMMAR_FIXTURES, 'sql.tmLanguage.json'),
  'source.python.spark-sql-injection': path.join(REPO_ROOT, 'syntaxes', 'pyspark-sql.injection.tmLanguage.json'),
  'source.spark-defaults': path.join(REPO_ROOT, 'syntaxes', 'spark-defaults.tmLanguage.json'),
};

/** [text, scopes] for each token of one line. */
function tokens(grammar: IGrammar, line: string): [string, string[]][] {
  return grammar.tokenizeLine(line, INITIAL).tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]);
}

describe('TextMate grammars (syntaxes/)', () => {
  let registry: Registry;
  before(async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (p: string[]) => new OnigScanner(p),
        createOnigString: (s: string) => new OnigString(s),
      }),
      loadGrammar: async (scope) =>
        GRAMMARS[scope] ? parseRawGrammar(fs.readFileSync(GRAMMARS[scope], 'utf8'), GRAMMARS[scope]) : null,
      getInjections: (scope) => (scope === 'source.python' ? ['source.python.spark-sql-injection'] : undefined),
    });
  });

  it('highlights the SQL inside spark.sql("...") as embedded SQL', async () => {
    const g = (await registry.loadGrammar('source.python'))!;
    const t = tokens(g, 'df = spark.sql("SELECT customer_id, count(*) FROM orders GROUP BY customer_id")');
    const select = t.find(([text]) => text === 'SELECT')!;
    assert.ok(select[1].includes('meta.embedded.block.sql'), JSON.stringify(select));
    assert.ok(
      select[1].some((s) => s.startsWith('keyword.other.DML.sql')),
      JSON.stringify(select),
    );
    // Text outside the call is still Python.
    assert.ok(!t.find(([text]) => text.startsWith('df'))![1].includes('meta.embedded.block.sql'));
  });

  it('also inside triple-quoted strings and for self.spark.sql(sqlQuery=...)', async () => {
    const g = (await registry.loadGrammar('source.python'))!;
    const t = tokens(g, "rows = self.spark.sql(sqlQuery='''SELECT 1''')");
    assert.ok(t.find(([text]) => text === 'SELECT')![1].includes('meta.embedded.block.sql'));
  });

  it('gives spark-defaults.conf keys, separators, values and comments their scopes', async () => {
    const g = (await registry.loadGrammar('source.spark-defaults'))!;
    const kv = tokens(g, 'spark.executor.memory   4g');
    assert.deepStrictEqual(kv.find(([text]) => text === 'spark.executor.memory')![1], [
      'source.spark-defaults',
      'support.type.property-name.spark-defaults',
    ]);
    assert.deepStrictEqual(kv.find(([text]) => text === '4g')![1], [
      'source.spark-defaults',
      'string.unquoted.value.spark-defaults',
    ]);
    const eq = tokens(g, 'spark.sql.shuffle.partitions=64');
    assert.deepStrictEqual(eq.find(([text]) => text === '=')![1], [
      'source.spark-defaults',
      'keyword.operator.assignment.spark-defaults',
    ]);
    assert.deepStrictEqual(tokens(g, '# spark.executor.cores 4')[0][1], [
      'source.spark-defaults',
      'comment.line.number-sign.spark-defaults',
    ]);
  });
});
