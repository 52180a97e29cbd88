/** Checks before the job runs (server/src/config/checks.ts) on the example files and hand-written snippets. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { applicationSites } from '../server/src/config/application-sites';
import { checkSite, ClusterShape, executorContainer } from '../server/src/config/checks';
import { extractSettings } from '../server/src/config/file-settings';
import { onCodeActions } from '../server/src/features/code-actions';
import { analysisOptions } from '../server/src/language-service';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { replaceAt } from './helpers/text-edits';
import { EXAMPLES, NIGHTLY_ETL_PY } from './helpers/fixtures';
import { exampleHistoryService } from './helpers/example-service';

const NO_CLUSTER: ClusterShape = { nodeMemoryMiB: 0, nodeCores: 0 };

function site(text: string, languageId = 'python', file = '/jobs/job.py') {
  const [s] = applicationSites(extractSettings(text, languageId), file);
  assert.ok(s, 'one application in the snippet');
  return s;
}
const py = (...lines: string[]) =>
  [
    'from pyspark.sql import SparkSession',
    'spark = (SparkSession.builder.appName("j")',
    ...lines,
    '    .getOrCreate())',
    '',
  ].join('\n');

describe('checks before the job runs', () => {
  it("SPARK001-004: misspelt key, invalid and out-of-range values with Spark's own wording, deprecated key", () => {
    const text = py(
      '    .config("spark.executor.memroy", "4g")',
      '    .config("spark.executor.memory", "4.5g")',
      '    .config("spark.executor.cores", "0")',
      '    .config("spark.yarn.executor.memoryOverhead", "1g")',
      '    .config("spark.sql.shuffle.partitions", "four")',
      '    .config("spark.executor.instances", "4gb")',
    );
    const f = checkSite(site(text), NO_CLUSTER, 'python');
    assert.deepStrictEqual(
      f.map((x) => [x.code, x.severity, x.range.start.line, x.message.split('\n')[0]]),
      [
        [
          'SPARK001',
          'warning',
          2,
          'Spark has no key spark.executor.memroy: did you mean spark.executor.memory? Spark ignores unknown keys, so this value has no effect.',
        ],
        // JavaUtils.byteStringAs: the fractional case's wording.
        [
          'SPARK002',
          'error',
          3,
          'spark.executor.memory=4.5g: Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m.',
        ],
        // SparkSubmitArguments.validateSubmitArguments.
        ['SPARK002', 'error', 4, 'spark.executor.cores=0: Executor cores must be a positive number'],
        [
          'SPARK004',
          'warning',
          5,
          "spark.yarn.executor.memoryOverhead is deprecated (since Spark 2.3): use spark.executor.memoryOverhead. The configuration key 'spark.yarn.executor.memoryOverhead' has been deprecated as of Spark 2.3 and may be removed in the future. Please use the new key 'spark.executor.memoryOverhead' instead.",
        ],
        [
          'SPARK002',
          'error',
          6,
          'spark.sql.shuffle.partitions=four: spark.sql.shuffle.partitions should be int, but was four',
        ],
        // ConfigBuilder.intConf's conversion error.
        ['SPARK002', 'error', 7, 'spark.executor.instances=4gb: spark.executor.instances should be int, but was 4gb'],
      ],
    );
  });

  it('SPARK004 and SPARK001: quick fixes that rename the key as written', () => {
    const text = py('    .config("spark.yarn.executor.memoryOverhead", "1g")');
    const [dep] = checkSite(site(text), NO_CLUSTER, 'python');
    assert.strictEqual(dep.code, 'SPARK004');
    assert.deepStrictEqual(dep.fix && { title: dep.fix.title, newText: dep.fix.newText }, {
      title: 'Replace with spark.executor.memoryOverhead',
      newText: 'spark.executor.memoryOverhead',
    });
    assert.strictEqual(
      replaceAt(text, dep.fix!.range, dep.fix!.newText),
      text.replace('"spark.yarn.executor.memoryOverhead"', '"spark.executor.memoryOverhead"'),
    );

    const sh = 'spark-submit --master yarn \\\n  --conf spark.executor.memroy=4g \\\n  job.py\n';
    const [typo] = checkSite(site(sh, 'shellscript', '/jobs/run.sh'), NO_CLUSTER, 'shellscript');
    assert.strictEqual(typo.code, 'SPARK001');
    assert.strictEqual(typo.fix?.title, 'Replace with spark.executor.memory');
    assert.strictEqual(
      replaceAt(sh, typo.fix.range, typo.fix.newText),
      'spark-submit --master yarn \\\n  --conf spark.executor.memory=4g \\\n  job.py\n',
    );
  });

  it("SPARK004: no rename fix where Spark converts the old key's value", () => {
    // spark.kryoserializer.buffer.mb is read as `${mb * 1000}k` under its new name (SparkConf.configsWithAlternatives).
    const [kryo] = checkSite(site(py('    .config("spark.kryoserializer.buffer.mb", "0.064")')), NO_CLUSTER, 'python');
    assert.strictEqual(kryo.code, 'SPARK004');
    assert.strictEqual(kryo.fix, undefined);
  });

  it('SPARK005: executor sizing through spark.conf.set after the session exists', () => {
    const text = py('    .config("spark.executor.cores", "2")') + 'spark.conf.set("spark.executor.memory", "8g")\n';
    const f = checkSite(site(text), NO_CLUSTER, 'python');
    assert.deepStrictEqual(
      f.map((x) => [x.code, x.range.start.line]),
      [['SPARK005', 4]],
    );
    assert.match(f[0].message, /^spark\.executor\.memory: No effect once the session exists/);
  });

  it('SPARK006: driver memory set in code (client mode) but not on a spark-submit line', () => {
    const f = checkSite(site(py('    .config("spark.driver.memory", "4g")')), NO_CLUSTER, 'python');
    assert.deepStrictEqual(
      f.map((x) => x.code),
      ['SPARK006'],
    );
    const sh = site('spark-submit --driver-memory 4g job.py\n', 'shellscript', '/jobs/run.sh');
    assert.deepStrictEqual(checkSite(sh, NO_CLUSTER, 'shellscript'), []);
    const defaults = site('spark.driver.memory 4g\n', 'spark-defaults', '/conf/spark-defaults.conf');
    assert.deepStrictEqual(checkSite(defaults, NO_CLUSTER, 'spark-defaults'), []);
  });

  it('SPARK007 and SPARK008: dynamic allocation with fixed instances, and without shuffle tracking', () => {
    const text = [
      'spark-submit \\',
      '  --conf spark.dynamicAllocation.enabled=true \\',
      '  --conf spark.dynamicAllocation.shuffleTracking.enabled=false \\',
      '  --num-executors 10 \\',
      '  job.py',
      '',
    ].join('\n');
    const f = checkSite(site(text, 'shellscript', '/jobs/run.sh'), NO_CLUSTER, 'shellscript');
    assert.deepStrictEqual(
      f.map((x) => [x.code, x.severity, x.range.start.line]),
      [
        ['SPARK007', 'warning', 3],
        ['SPARK008', 'error', 1],
      ],
    );
  });

  it('SPARK009: more executor cores than a node has, with a fix', () => {
    const text = py('    .config("spark.executor.cores", "8")');
    const s = site(text);
    const [f] = checkSite(s, { nodeMemoryMiB: 0, nodeCores: 4 }, 'python');
    assert.strictEqual(f.code, 'SPARK009');
    assert.strictEqual(
      f.message,
      'spark.executor.cores=8 is more than the 4 cores of a node (sparkOptimizer.cluster.nodeCores): no executor can be placed.',
    );
    assert.deepStrictEqual(f.fix!.newText, '4');
  });

  it('SPARK010: the container arithmetic of examples/submit_nightly_etl.sh against a 1g node', () => {
    const file = path.join(EXAMPLES, 'submit_nightly_etl.sh');
    const s = site(fs.readFileSync(file, 'utf8'), 'shellscript', file);
    const [f] = checkSite(s, { nodeMemoryMiB: 1024, nodeCores: 0 }, 'shellscript');
    assert.strictEqual(f.code, 'SPARK010');
    // 1g executor memory + max(384 MiB, 0.10 × 1024 MiB) overhead = 1408 MiB.
    assert.strictEqual(
      f.message,
      "Executor container 1g + 384m overhead (max(384m, 0.10 × 1g)) + 0 off-heap + 0 PySpark = 1408m is more than a node's 1g (sparkOptimizer.cluster.nodeMemory): no executor can be placed.",
    );
    assert.deepStrictEqual(checkSite(s, { nodeMemoryMiB: 1408, nodeCores: 0 }, 'shellscript'), []);
  });

  it('uses the 0.40 overhead factor for PySpark on Kubernetes, and adds off-heap and PySpark memory', () => {
    const text = py(
      '    .master("k8s://https://kube:6443")',
      '    .config("spark.executor.memory", "4g")',
      '    .config("spark.memory.offHeap.enabled", "true")',
      '    .config("spark.memory.offHeap.size", "1g")',
      '    .config("spark.executor.pyspark.memory", "512m")',
    );
    const c = executorContainer(site(text), 'python')!;
    assert.deepStrictEqual(
      [c.heapMiB, c.overheadMiB, c.offHeapMiB, c.pysparkMiB, c.totalMiB],
      [4096, 1638, 1024, 512, 7270],
    );
  });

  it('leaves out disabled codes', () => {
    const f = checkSite(
      site(py('    .config("spark.driver.memory", "4g")')),
      NO_CLUSTER,
      'python',
      new Set(['SPARK006']),
    );
    assert.deepStrictEqual(f, []);
  });

  it('never recommends an executor memory the node could not hold, and offers the SPARK009 fix as a code action', async () => {
    const { store, service } = await exampleHistoryService();
    const file = NIGHTLY_ETL_PY;
    const text = fs.readFileSync(file, 'utf8');
    const roomy = service.analyse(
      `file://${file}`,
      text,
      'python',
      1,
      analysisOptions({ cluster: { nodeMemory: '64g', nodeCores: 16 }, checks: { disabled: [] } }),
    );
    assert.deepStrictEqual(
      roomy.sites[0].recommendations.map((r) => [r.key, r.recommendedValue]),
      [['spark.executor.memory', '2g']],
    );
    // Nodes of 1 core and 1g: the file's 2 cores do not fit (SPARK009). With one task slot the runs needed
    // (1271 MiB peak heap × 1.2 + 300 MiB) / 2 slots = 913 MiB of heap, so 1g executors of 1 core fit the standalone
    // workers (which set aside the heap only); the runs showed one host, so one such executor. Nothing exceeds a node.
    const small = service.analyse(
      `file://${file}`,
      text,
      'python',
      2,
      analysisOptions({ cluster: { nodeMemory: '1g', nodeCores: 1 }, checks: { disabled: [] } }),
    );
    const recs = new Map(small.sites[0].recommendations.map((r) => [r.key, r.recommendedValue]));
    assert.deepStrictEqual(
      [recs.get('spark.executor.cores'), recs.get('spark.cores.max'), recs.get('spark.executor.memory')],
      ['1', '1', undefined],
    );
    assert.strictEqual(small.sites[0].plan?.chosen?.choice.executorMemoryMiB, 1024);
    const cores = small.sites[0].checks.find((c) => c.code === 'SPARK009')!;
    const [fix] = onCodeActions(small, cores.range).filter((a) => a.title === 'Set spark.executor.cores to 1');
    const edited = TextDocument.applyEdits(
      TextDocument.create('u', 'python', 1, text),
      fix.edit!.changes![`file://${file}`],
    );
    assert.match(edited, /\.config\("spark\.executor\.cores", "1"\)/);
    store.close();
  });
});
