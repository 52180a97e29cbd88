/**
 * fileKind (server/src/config/file-settings.ts): the same kind for the same file whatever the editor calls its
 * language. The ids are the ones each client really sends for these files:
 * - VS Code: `python`, `shellscript`, `spark-defaults` (this extension's language), `yaml`, `json`;
 * - Neovim: the buffer's 'filetype' (`python`, `sh`, `conf`, `yaml`, `json`; checked with Neovim 0.7.2 on examples/
 *   in test/live/lsp-neovim.test.ts; later Neovims say `bash` for bash scripts);
 * - Helix: its languages.toml `name` (`bash`, `python`, `yaml`, `json`; no language for a `.conf`: empty);
 * - Zed: the lower-cased language name (`shell script`, `python`, `yaml`, `json`, `plain text` → `plaintext`);
 * - Emacs eglot: the major mode without `-ts-mode`/`-mode` (`sh`, `bash`, `python`, `conf-space`, `yaml`, `js-json`).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { fileKind, SPARK_DEFAULTS_NAME } from '../server/src/config/file-settings';
import { REPO_ROOT } from './helpers/fixtures';

const read = (rel: string) => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');

describe('fileKind: one kind per file whatever the editor', () => {
  it('reads the PySpark example as python in every editor', () => {
    for (const id of ['python', 'python-ts', undefined, ''])
      assert.strictEqual(
        fileKind('file:///w/examples/nightly_etl.py', id, read('examples/nightly_etl.py')),
        'python',
        String(id),
      );
  });

  it('reads the spark-submit example as shellscript in every editor', () => {
    const head = read('examples/submit_nightly_etl.sh');
    for (const id of ['shellscript', 'sh', 'bash', 'shell script', 'bash-ts', undefined])
      assert.strictEqual(fileKind('file:///w/examples/submit_nightly_etl.sh', id, head), 'shellscript', String(id));
    // The same script without its extension: Neovim and Emacs still say sh (shebang), VS Code shellscript, Zed plain text.
    for (const id of ['sh', 'shellscript', 'plaintext', ''])
      assert.strictEqual(fileKind('file:///w/bin/submit_nightly_etl', id, head), 'shellscript', String(id));
  });

  it('reads spark-defaults.conf as spark-defaults in every editor', () => {
    const head = read('examples/conf/spark-defaults.conf');
    for (const id of ['spark-defaults', 'conf', 'conf-space', 'conf-unix', 'properties', 'plaintext', '', undefined]) {
      assert.strictEqual(
        fileKind('file:///w/examples/conf/spark-defaults.conf', id, head),
        'spark-defaults',
        String(id),
      );
    }
    // Spark's template and a renamed copy, by name and by content.
    assert.strictEqual(
      fileKind('file:///opt/spark/conf/spark-defaults.conf.template', 'plaintext', ''),
      'spark-defaults',
    );
    assert.strictEqual(fileKind('file:///w/conf/prod%20cluster.conf', 'conf', head), 'spark-defaults');
  });

  it('reads YAML and JSON by id or by name', () => {
    for (const id of ['yaml', 'yml', undefined])
      assert.strictEqual(fileKind('file:///w/spark-pi.yaml', id, 'apiVersion: sparkoperator.k8s.io/v1beta2\n'), 'yaml');
    for (const id of ['json', 'js-json', undefined])
      assert.strictEqual(fileKind('file:///w/cluster.json', id, '{}'), 'json');
    assert.strictEqual(fileKind('file:///w/cluster.jsonc', undefined, '{}'), 'jsonc');
  });

  it('reads nothing else', () => {
    assert.strictEqual(
      fileKind('file:///w/notes.txt', 'plaintext', 'spark-submit --executor-memory 4g app.py\n'),
      null,
    );
    // A .conf file that is not spark-defaults by content is read as INI/properties (ini-settings.ts: sections, or
    // `spark.*` properties); one without Spark keys then has no settings.
    assert.strictEqual(
      fileKind('file:///w/app.conf', 'conf', '# app\n[spark]\nspark.executor.memory = 4g\n'),
      'properties',
    );
    assert.strictEqual(fileKind('file:///w/nginx.conf', 'conf', 'worker_processes 4;\n'), 'properties');
    assert.strictEqual(fileKind('file:///w/jobs.ini', undefined, '[PROD]\nspark.executor.memory = 4g\n'), 'ini');
    assert.strictEqual(fileKind('untitled:Untitled-1', 'ini', '[PROD]\nspark.executor.memory = 4g\n'), 'ini');
    assert.strictEqual(fileKind('file:///w/run', 'plaintext', '#!/usr/bin/perl\n'), null);
    assert.strictEqual(fileKind('file:///w/README.md', 'markdown', '# spark.executor.memory 4g\n'), null);
  });

  it('agrees with the file names package.json gives the spark-defaults language in VS Code', () => {
    const pkg = JSON.parse(read('package.json')) as {
      contributes: { languages: { id: string; filenamePatterns: string[] }[] };
    };
    const globs = pkg.contributes.languages.find((l) => l.id === 'spark-defaults')!.filenamePatterns;
    const asRegExp = (g: string) =>
      new RegExp(
        `^${g
          .replace(/^\*\*\//, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')}$`,
      );
    const names = [
      'spark-defaults.conf',
      'spark-defaults-prod.conf',
      'spark-defaults.conf.template',
      'spark-defaults.conf-yarn',
      'spark-defaults.config',
      'my-spark-defaults.conf',
      'spark.conf',
    ];
    const byGlobs = names.filter((n) => globs.some((g) => asRegExp(g).test(n)));
    assert.deepStrictEqual(byGlobs, [
      'spark-defaults.conf',
      'spark-defaults-prod.conf',
      'spark-defaults.conf.template',
      'spark-defaults.conf-yarn',
    ]);
    assert.deepStrictEqual(
      names.filter((n) => SPARK_DEFAULTS_NAME.test(n)),
      byGlobs,
    );
  });
});
