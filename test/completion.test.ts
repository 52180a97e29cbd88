/** Completion of Spark keys and values (server/src/features/completion.ts) in each place settings are written. */
import * as assert from 'assert';
import { completionContext, onCompletion } from '../server/src/features/completion';

describe('completion of Spark keys and values', () => {
  const at = (line: string) => ({ line: 3, character: line.length });

  it('recognises the places a key or value is typed, per file kind', () => {
    assert.deepStrictEqual(completionContext('python', '    .config("spark.executor.mem'), {
      kind: 'key',
      partial: 'spark.executor.mem',
      suffix: '',
    });
    assert.deepStrictEqual(completionContext('python', 'conf.set("spark.serializer", "org.apache.spark.serializer.K'), {
      kind: 'value',
      key: 'spark.serializer',
      partial: 'org.apache.spark.serializer.K',
    });
    assert.deepStrictEqual(completionContext('python', 'spark.conf.set("'), { kind: 'key', partial: '', suffix: '' });
    assert.deepStrictEqual(completionContext('shellscript', '  --conf spark.dyn'), {
      kind: 'key',
      partial: 'spark.dyn',
      suffix: '=',
    });
    assert.deepStrictEqual(completionContext('shellscript', '  --conf "spark.dynamicAllocation.enabled=t'), {
      kind: 'value',
      key: 'spark.dynamicAllocation.enabled',
      partial: 't',
    });
    assert.deepStrictEqual(completionContext('spark-defaults', 'spark.sql.adaptive.en'), {
      kind: 'key',
      partial: 'spark.sql.adaptive.en',
      suffix: ' ',
    });
    assert.deepStrictEqual(completionContext('spark-defaults', '# spark.sql'), null);
    assert.deepStrictEqual(completionContext('yaml', '    spark.eventLog.', ['spec:', '  sparkConf:']), {
      kind: 'key',
      partial: 'spark.eventLog.',
      suffix: ': ',
    });
    assert.deepStrictEqual(completionContext('yaml', '    spark.eventLog.', ['spec:', '  hadoopConf:']), null);
    assert.deepStrictEqual(completionContext('json', '      "spark.sql.shuffle.p'), {
      kind: 'key',
      partial: 'spark.sql.shuffle.p',
      suffix: '',
    });
    assert.strictEqual(completionContext('python', 'x = 1'), null);
  });

  it('offers catalogue keys with type, default and documentation, replacing what was typed', () => {
    const line = '    .config("spark.executor.mem';
    const items = onCompletion('python', line, at(line));
    const mem = items.find((i) => i.label === 'spark.executor.memory')!;
    assert.ok(mem, items.map((i) => i.label).join(', '));
    assert.strictEqual(mem.detail, 'size (bare number: m) · default 1g');
    assert.deepStrictEqual(mem.textEdit, {
      range: { start: { line: 3, character: 13 }, end: { line: 3, character: line.length } },
      newText: 'spark.executor.memory',
    });
    assert.match(
      (mem.documentation as { value: string }).value,
      /\[Spark documentation\]\(https:\/\/spark\.apache\.org\/docs\/latest\/configuration\.html/,
    );
    // Deprecated keys are not offered.
    assert.ok(!items.some((i) => i.label === 'spark.yarn.executor.memoryOverhead'));
    // spark-submit keys end with '=' so the value can follow.
    const sh = onCompletion('shellscript', '  --conf spark.executor.co', at('  --conf spark.executor.co')).find(
      (i) => i.label === 'spark.executor.cores',
    )!;
    assert.strictEqual((sh.textEdit as { newText: string }).newText, 'spark.executor.cores=');
  });

  it('offers the values of enumerated and boolean keys', () => {
    const line = 'spark.eventLog.compression.codec ';
    assert.deepStrictEqual(
      onCompletion('spark-defaults', line, at(line))
        .map((i) => i.label)
        .sort(),
      ['lz4', 'lzf', 'snappy', 'zstd'],
    );
    const b = '  --conf spark.dynamicAllocation.enabled=';
    assert.deepStrictEqual(
      onCompletion('shellscript', b, at(b)).map((i) => i.label),
      ['true', 'false'],
    );
  });
});
