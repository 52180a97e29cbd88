import * as assert from 'assert';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';
import * as fs from 'fs';
import * as path from 'path';
import { extractK8sSettings, maskTemplates } from '../server/src/config/k8s-settings';
import { CONFIG_FIXTURES } from './helpers/fixtures';

const { settings, only, rename } = settingsOf(extractK8sSettings);

const APP = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: not-spark',
  'data:',
  '  spark.executor.memory: "99g"',
  '---',
  'apiVersion: "sparkoperator.k8s.io/v1beta2"',
  'kind: SparkApplication',
  'metadata:',
  '  name: etl',
  'spec:',
  '  type: Python',
  '  mainApplicationFile: local:///opt/jobs/etl.py',
  '  sparkVersion: "3.5.1"',
  '  memoryOverheadFactor: "0.2"',
  '  sparkConf:',
  '    spark.sql.shuffle.partitions: "400"',
  "    'spark.eventLog.enabled': 'true'",
  '  hadoopConf:',
  '    fs.s3a.fast.upload: "true"',
  '  driver:',
  '    cores: 1',
  '    memory: 2g',
  '    memoryOverhead: 512m',
  '    javaOptions: "-XX:+UseG1GC"',
  '    serviceAccount: spark',
  '  executor:',
  '    instances: 4',
  '    cores: 2',
  '    coreRequest: "1500m"',
  '    coreLimit: 2',
  '    memory: {{ .Values.executorMemory }}',
  '    memoryOverhead: "{{ .Values.overhead }}"',
  '    deleteOnTermination: false',
  '    labels:',
  '      memory: not-a-setting',
  '  dynamicAllocation:',
  '    enabled: true',
  '    maxExecutors: 10',
  '    shuffleTrackingTimeout: 60s',
  '',
].join('\n');

describe('config: Kubernetes Spark operator manifests (k8s-settings.ts)', () => {
  describe('SparkApplication', () => {
    it('maps the operator fields to Spark keys, skipping other documents', () => {
      assert.deepStrictEqual(
        settings(APP).map((s) => [s.key, s.value, s.literal, s.sourceKey, s.range.start.line + 1]),
        [
          ['spark.kubernetes.memoryOverheadFactor', '0.2', true, 'spec.memoryOverheadFactor', 16],
          ['spark.sql.shuffle.partitions', '400', true, 'spark.sql.shuffle.partitions', 18],
          ['spark.eventLog.enabled', 'true', true, 'spark.eventLog.enabled', 19],
          ['spark.hadoop.fs.s3a.fast.upload', 'true', true, 'spec.hadoopConf.fs.s3a.fast.upload', 21],
          ['spark.driver.cores', '1', true, 'spec.driver.cores', 23],
          ['spark.driver.memory', '2g', true, 'spec.driver.memory', 24],
          ['spark.driver.memoryOverhead', '512m', true, 'spec.driver.memoryOverhead', 25],
          ['spark.driver.extraJavaOptions', '-XX:+UseG1GC', true, 'spec.driver.javaOptions', 26],
          ['spark.executor.instances', '4', true, 'spec.executor.instances', 29],
          ['spark.executor.cores', '2', true, 'spec.executor.cores', 30],
          ['spark.kubernetes.executor.request.cores', '1500m', true, 'spec.executor.coreRequest', 31],
          ['spark.kubernetes.executor.limit.cores', '2', true, 'spec.executor.coreLimit', 32],
          ['spark.executor.memory', null, false, 'spec.executor.memory', 33],
          ['spark.executor.memoryOverhead', null, false, 'spec.executor.memoryOverhead', 34],
          ['spark.kubernetes.executor.deleteOnTermination', 'false', true, 'spec.executor.deleteOnTermination', 35],
          ['spark.dynamicAllocation.enabled', 'true', true, 'spec.dynamicAllocation.enabled', 39],
          ['spark.dynamicAllocation.maxExecutors', '10', true, 'spec.dynamicAllocation.maxExecutors', 40],
          [
            'spark.dynamicAllocation.shuffleTrackingTimeout',
            '60s',
            true,
            'spec.dynamicAllocation.shuffleTrackingTimeout',
            41,
          ],
        ],
      );
      assert.ok(settings(APP).every((s) => s.origin === 'spark-operator'));
    });

    it('records the application facts on the block', () => {
      const [block] = extractK8sSettings(APP).blocks;
      assert.strictEqual(block.kind, 'spark-submit');
      assert.strictEqual(block.format, 'spark-application');
      assert.strictEqual(block.sparkVersion, '3.5.1');
      assert.strictEqual(block.resourceName, 'etl');
      assert.strictEqual(block.applicationFile, 'local:///opt/jobs/etl.py');
      assert.strictEqual(block.range.start.line, 6);
    });

    it('marks Helm templates non-literal with the template as raw', () => {
      assert.strictEqual(only(APP, 'spark.executor.memory').raw, '{{ .Values.executorMemory }}');
      assert.strictEqual(only(APP, 'spark.executor.memoryOverhead').raw, '{{ .Values.overhead }}');
    });

    it('gives ranges of the value text only (inside quotes), which edit the value in place', () => {
      assert.strictEqual(textAt(APP, only(APP, 'spark.sql.shuffle.partitions').range), '400');
      assert.strictEqual(textAt(APP, only(APP, 'spark.eventLog.enabled').range), 'true');
      assert.strictEqual(textAt(APP, only(APP, 'spark.driver.memory').range), '2g');
      assert.strictEqual(textAt(APP, only(APP, 'spark.kubernetes.executor.request.cores').range), '1500m');
      const edited = replaceAt(APP, only(APP, 'spark.driver.memory').range, '6g');
      assert.strictEqual(only(edited, 'spark.driver.memory').value, '6g');
      assert.ok(edited.includes('\n    memory: 6g\n'));
      const quoted = replaceAt(APP, only(APP, 'spark.sql.shuffle.partitions').range, '800');
      assert.ok(quoted.includes('spark.sql.shuffle.partitions: "800"'));
    });

    it('inserts a key: "value" line at the end of sparkConf, in its indentation and its first key\'s quoting', () => {
      const [block] = extractK8sSettings(APP).blocks;
      const edited = insert(APP, block, 'spark.executor.memoryOverheadFactor', '0.3');
      assert.ok(
        edited.includes(
          "    'spark.eventLog.enabled': 'true'\n    spark.executor.memoryOverheadFactor: \"0.3\"\n  hadoopConf:",
        ),
        edited,
      );
      const quoted = '  kind: SparkApplication\n  spec:\n    sparkConf:\n      "spark.a": "1"\n';
      assert.strictEqual(
        insert(quoted, extractK8sSettings(quoted).blocks[0], 'spark.b', '2'),
        '  kind: SparkApplication\n  spec:\n    sparkConf:\n      "spark.a": "1"\n      "spark.b": "2"\n',
      );
      assert.strictEqual(only(edited, 'spark.executor.memoryOverheadFactor').value, '0.3');
      assert.strictEqual(settings(edited).length, settings(APP).length + 1);
    });

    it('creates sparkConf under spec when there is none', () => {
      const text =
        'apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nspec:\n    type: Scala\n    driver:\n        cores: 1\n';
      const [block] = extractK8sSettings(text).blocks;
      const edited = insert(text, block, 'spark.sql.shuffle.partitions', '200');
      assert.strictEqual(
        edited,
        'apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nspec:\n    sparkConf:\n      spark.sql.shuffle.partitions: "200"\n    type: Scala\n    driver:\n        cores: 1\n',
      );
      assert.strictEqual(only(edited, 'spark.sql.shuffle.partitions').value, '200');
    });

    it('inserts into a flow-style sparkConf and at the end of a file without final newline', () => {
      const flow = 'kind: SparkApplication\nspec:\n  sparkConf: {spark.a: "1"}\n';
      const edited = insert(flow, extractK8sSettings(flow).blocks[0], 'spark.b', '2');
      assert.strictEqual(only(edited, 'spark.b').value, '2');
      const empty = 'kind: SparkApplication\nspec:\n  sparkConf: {}\n';
      assert.strictEqual(
        only(insert(empty, extractK8sSettings(empty).blocks[0], 'spark.b', '2'), 'spark.b').value,
        '2',
      );
      const noEol = 'kind: SparkApplication\nspec:\n  sparkConf:\n    spark.a: "1"';
      const edited2 = insert(noEol, extractK8sSettings(noEol).blocks[0], 'spark.b', '2');
      assert.strictEqual(edited2, 'kind: SparkApplication\nspec:\n  sparkConf:\n    spark.a: "1"\n    spark.b: "2"');
    });
  });

  describe('ScheduledSparkApplication and the spark.apache.org operator', () => {
    it('reads spec.template of a ScheduledSparkApplication', () => {
      const text =
        'apiVersion: sparkoperator.k8s.io/v1beta2\nkind: ScheduledSparkApplication\nspec:\n  schedule: "@every 1h"\n  template:\n    sparkVersion: 3.5.0\n    executor:\n      instances: 3\n';
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.range.start.line]),
        [['spark.executor.instances', '3', 7]],
      );
      assert.strictEqual(extractK8sSettings(text).blocks[0].sparkVersion, '3.5.0');
    });

    it('reads only spec.sparkConf for apiVersion spark.apache.org/v1', () => {
      const text =
        'apiVersion: spark.apache.org/v1\nkind: SparkApplication\nspec:\n  sparkConf:\n    spark.executor.instances: "5"\n  driverSpec:\n    cores: 1\n  executor:\n    cores: 4\n';
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value]),
        [['spark.executor.instances', '5']],
      );
    });

    it('ignores YAML that is not a Spark application', () => {
      assert.deepStrictEqual(extractK8sSettings('kind: Deployment\nspec:\n  sparkConf:\n    spark.a: 1\n').blocks, []);
      assert.deepStrictEqual(extractK8sSettings('').blocks, []);
    });
  });

  describe('YAML value forms', () => {
    const text =
      'kind: SparkApplication\r\nspec:\r\n  driver:\r\n    memory: 512m # comment\r\n    javaOptions: -Dx=1\r\n      -Dy=2\r\n  executor:\r\n    memory: &m 1g\r\n    memoryOverhead: *m\r\n    javaOptions: |\r\n      -Da=1\r\n';

    it('keeps comments out of the range, folds multi-line scalars, and marks aliases non-literal (CRLF file)', () => {
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.literal, s.range.start.line]),
        [
          ['spark.driver.memory', '512m', true, 3],
          ['spark.driver.extraJavaOptions', '-Dx=1 -Dy=2', true, 4],
          ['spark.executor.memory', '1g', true, 7],
          ['spark.executor.memoryOverhead', null, false, 8],
          ['spark.executor.extraJavaOptions', '-Da=1\n', true, 9],
        ],
      );
      assert.strictEqual(textAt(text, only(text, 'spark.driver.memory').range), '512m');
      const edited = replaceAt(text, only(text, 'spark.executor.extraJavaOptions').range, '-Xss4m');
      assert.strictEqual(only(edited, 'spark.executor.extraJavaOptions').value, '-Xss4m');
      const [block] = extractK8sSettings(text).blocks;
      const inserted = insert(text, block, 'spark.a', '1');
      assert.ok(
        inserted.startsWith('kind: SparkApplication\r\nspec:\r\n  sparkConf:\r\n    spark.a: "1"\r\n  driver:'),
        inserted,
      );
    });
  });

  describe('dispatch and broken input', () => {
    it('is chosen for .yaml and .yml files', () => {
      assert.strictEqual(languageIdForPath('deploy/spark-pi.yaml'), 'yaml');
      assert.strictEqual(languageIdForPath('spark-pi.YML'), 'yaml');
      assert.strictEqual(extractSettings(APP, 'yaml').blocks.length, 1);
    });

    it('never throws on any prefix of a manifest being typed', () => {
      for (let i = 0; i <= APP.length; i++) assert.doesNotThrow(() => extractK8sSettings(APP.slice(0, i)));
      const half = APP.slice(0, APP.indexOf('    cores: 2'));
      assert.strictEqual(only(half, 'spark.executor.instances').value, '4');
    });

    it('never throws on broken YAML', () => {
      for (const text of [
        'kind: SparkApplication\nspec: [\n',
        'kind: SparkApplication\nspec:\n  driver:\n   - 1\n  - : :\n',
        '\t\tkind: SparkApplication\n"',
        'kind: SparkApplication\nspec:\n  sparkConf:\n    spark.a: &x 1\n    spark.b: *x\n',
      ]) {
        assert.doesNotThrow(() => extractK8sSettings(text));
      }
    });
  });

  describe('keyRange', () => {
    /** `text` with the key of the one `key` setting rewritten through its keyRange. */
    const lines = [
      'apiVersion: "sparkoperator.k8s.io/v1beta2"',
      'kind: SparkApplication',
      'metadata:',
      '  name: données-😀',
      'spec:',
      '  sparkConf:',
      '    spark.sql.shuffle.partitions: "400"',
      '    "spark.a.b": "1"',
      "    'spark.c.d': '2'",
      '  hadoopConf:',
      '    fs.s3a.fast.upload: "true"',
      '  executor:',
      '    memory: 4g',
      '',
    ];

    it('covers the keys under sparkConf, plain or quoted', () => {
      const text = lines.join('\n');
      assert.strictEqual(
        rename(text, 'spark.sql.shuffle.partitions', 'spark.z'),
        text.replace('spark.sql.shuffle.partitions:', 'spark.z:'),
      );
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace('"spark.a.b"', '"spark.z"'));
      assert.strictEqual(rename(text, 'spark.c.d', 'spark.z'), text.replace("'spark.c.d'", "'spark.z'"));
    });

    it('covers the keys of a flow mapping after non-ASCII text', () => {
      const text = [
        'kind: SparkApplication',
        'spec:',
        '  sparkConf: {"spark.a.b": "1", spark.c.d: "2"} # données 😀',
        '',
      ].join('\n');
      assert.strictEqual(rename(text, 'spark.c.d', 'spark.z'), text.replace('spark.c.d:', 'spark.z:'));
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace('"spark.a.b"', '"spark.z"'));
    });

    it('is undefined for mapped fields (spec.executor.memory, hadoopConf)', () => {
      const text = lines.join('\n');
      assert.strictEqual(only(text, 'spark.executor.memory').keyRange, undefined);
      assert.strictEqual(only(text, 'spark.hadoop.fs.s3a.fast.upload').keyRange, undefined);
    });

    it('keeps working with CRLF line endings', () => {
      const text = lines.join('\r\n');
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace('"spark.a.b"', '"spark.z"'));
    });
  });

  describe('templates with placeholders (issue 11)', () => {
    it('reads a Go-template SparkApplication (KUDO): control lines between keys, {{ .X }} values non-literal', () => {
      const text = fs.readFileSync(
        path.join(CONFIG_FIXTURES, 'k8s-yaml', 'mesosphere__kudo-spark-operator__spark-mock-task-runner-job.yaml'),
        'utf8',
      );
      const s = settings(text);
      assert.deepStrictEqual(
        s.map((x) => [x.key, x.value, x.range.start.line]),
        [
          ['spark.scheduler.maxRegisteredResourcesWaitingTime', '2400s', 15],
          ['spark.scheduler.minRegisteredResourcesRatio', '1.0', 16],
          ['spark.local.dir', null, 18],
          ['spark.driver.cores', '1', 31],
          ['spark.driver.memory', '512m', 32],
          ['spark.executor.cores', '1', 82],
          ['spark.executor.instances', null, 83],
          ['spark.executor.memory', '512m', 84],
        ],
      );
      const instances = only(text, 'spark.executor.instances');
      assert.deepStrictEqual(
        [instances.raw, textAt(text, instances.range)],
        ['{{ .ExecutorsCount }}', '{{ .ExecutorsCount }}'],
      );
      assert.strictEqual(only(text, 'spark.local.dir').raw, '{{ .Params.MountPath }}/tmp');
    });

    it('masks template actions without moving any offset', () => {
      const t = '  {{- if .Values.x }}\n  memory: {{ .Values.mem }}\n  {{- end }}\r\n  a: "{{ x }}/y"\n';
      const m = maskTemplates(t);
      assert.strictEqual(m.length, t.length);
      assert.strictEqual(
        m,
        `${' '.repeat(21)}\n  memory: ${'x'.repeat(17)}\n${' '.repeat(12)}\r\n  a: "${'x'.repeat(7)}/y"\n`,
      );
      assert.strictEqual(maskTemplates('no templates: here'), 'no templates: here');
    });

    it('treats an envsubst $VAR in a value as a placeholder', () => {
      const text = fs.readFileSync(
        path.join(CONFIG_FIXTURES, 'k8s-yaml', 'awslabs__data-on-eks__ebs-node-storage.yaml'),
        'utf8',
      );
      const dir = only(text, 'spark.eventLog.dir');
      assert.deepStrictEqual([dir.value, dir.literal, dir.raw], [null, false, 's3a://$S3_BUCKET/spark-event-logs']);
      assert.strictEqual(only(text, 'spark.eventLog.rolling.maxFileSize').value, '64m');
    });
  });
});
