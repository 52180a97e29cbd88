/**
 * Settings of one job written in several files: which value Spark uses (SparkConf in code > spark-submit >
 * spark-defaults.conf, docs/configuration.md) and where the others are, shown in the hover.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MarkupContent } from 'vscode-languageserver';
import { onHover } from '../server/src/features/hover';
import { SparkLanguageService } from '../server/src/language-service';
import { findRelatedFiles } from '../server/src/workspace/related-files';
import { EXAMPLES } from './helpers/fixtures';

describe('settings of one job across files', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-precedence-'));
    fs.mkdirSync(path.join(tmp, 'examples'));
    for (const f of ['nightly_etl.py', 'submit_nightly_etl.sh', 'tiny_tasks.py'])
      fs.copyFileSync(path.join(EXAMPLES, f), path.join(tmp, 'examples', f));
    fs.mkdirSync(path.join(tmp, 'conf'));
    fs.writeFileSync(
      path.join(tmp, 'conf', 'spark-defaults.conf'),
      '# cluster defaults\nspark.executor.memory 4g\nspark.eventLog.enabled true\n',
    );
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('shows in the hover which value wins and where the others are', () => {
    const file = path.join(tmp, 'examples', 'nightly_etl.py');
    const text = fs.readFileSync(file, 'utf8');
    const related = findRelatedFiles(file, [tmp], () => undefined);
    assert.deepStrictEqual(related.map((r) => path.relative(tmp, r.uri)).sort(), [
      'conf/spark-defaults.conf',
      'examples/submit_nightly_etl.sh',
      'examples/tiny_tasks.py',
    ]);
    const service = new SparkLanguageService({ appNames: () => [], runsByAppName: () => [] });
    const analysis = service.analyse(file, text, 'python', 1, undefined, () => related);
    const line = text.split('\n').findIndex((l) => l.includes('"spark.executor.memory"'));
    const hover = onHover(analysis, { line, character: 40 })!;
    const md = (hover.contents as MarkupContent).value;
    assert.ok(
      md.includes(
        [
          '**Set in 3 places for this application** (Spark uses SparkConf in code, then spark-submit, then spark-defaults.conf):',
          '',
          `- **wins**: \`1g\` in nightly_etl.py:${line + 1} (SparkConf in code, .config())`,
          // The key as written in the script is escaped Markdown (a leading `-` could start a list): `\-` renders `-`.
          '- overridden: `1g` in submit_nightly_etl.sh:13 (spark-submit, \\--executor-memory)',
          '- overridden: `4g` in spark-defaults.conf:2 (cluster defaults (spark-defaults.conf), spark.executor.memory)',
        ].join('\n'),
      ),
      md,
    );
    // tiny_tasks.py is another job: none of its settings count.
    assert.ok(!md.includes('tiny_tasks'));
  });

  it('parses a neighbour again only when it changed (the diagnostics path runs on every edit)', () => {
    const file = path.join(tmp, 'examples', 'nightly_etl.py');
    const conf = path.join(tmp, 'conf', 'spark-defaults.conf');
    const first = findRelatedFiles(file, [tmp], () => undefined).find((r) => r.uri === conf)!;
    const again = findRelatedFiles(file, [tmp], () => undefined).find((r) => r.uri === conf)!;
    assert.strictEqual(again.settings, first.settings);
    fs.writeFileSync(conf, '# cluster defaults\nspark.executor.memory 8g\n');
    const later = new Date(Date.now() + 10_000);
    fs.utimesSync(conf, later, later);
    const changed = findRelatedFiles(file, [tmp], () => undefined).find((r) => r.uri === conf)!;
    assert.notStrictEqual(changed.settings, first.settings);
    assert.strictEqual(changed.settings.blocks[0].settings[0].value, '8g');
    // An open editor's text wins over the disk.
    const open = findRelatedFiles(file, [tmp], (f) => (f === conf ? 'spark.executor.memory 16g\n' : undefined)).find(
      (r) => r.uri === conf,
    )!;
    assert.strictEqual(open.settings.blocks[0].settings[0].value, '16g');
  });
});
