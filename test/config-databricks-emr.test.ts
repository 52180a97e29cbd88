import * as assert from 'assert';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { extractDatabricksEmrSettings } from '../server/src/config/databricks-emr-settings';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';

const { settings, only, rename } = settingsOf(extractDatabricksEmrSettings);

const JOB = `{
  "name": "nightly",
  "job_clusters": [
    {
      "job_cluster_key": "main",
      "new_cluster": {
        "spark_version": "14.3.x-scala2.12",
        "node_type_id": "i3.xlarge",
        "driver_node_type_id": "i3.2xlarge",
        "autoscale": { "min_workers": 2, "max_workers": 8 },
        "spark_conf": {
          "spark.executor.memory": "8g",
          "spark.sql.shuffle.partitions": 400,
          "spark.speculation": true,
          "spark.password": "{{secrets/etl/pw}}",
          "fs.azure.account.key": "not-spark"
        }
      }
    }
  ],
  "tasks": [
    {
      "task_key": "t",
      "new_cluster": { "num_workers": 4, "spark_version": "13.3.x-scala2.12" }
    }
  ]
}
`;

const EMR = `[
  { "Classification": "spark", "Properties": { "maximizeResourceAllocation": "true" } },
  {
    "Classification": "spark-defaults",
    "Properties": {
      "spark.executor.memory": "\${executor_memory}",
      "spark.executor.cores": "4"
    }
  },
  {
    "Classification": "yarn-site",
    "Properties": { "spark.not.really": "1" },
    "Configurations": [
      { "classification": "spark-defaults", "properties": { "spark.driver.memory": "2g" } }
    ]
  }
]
`;

const STEPS = `{
  "Steps": [
    {
      "Name": "etl",
      "HadoopJarStep": {
        "Jar": "command-runner.jar",
        "Args": ["spark-submit", "--deploy-mode", "cluster", "--executor-memory", "6g",
                 "--conf", "spark.executor.cores=3", "--conf", "spark.x=\${X}", "s3://b/etl.py", "--name", "arg"]
      }
    }
  ],
  "jobDriver": {
    "sparkSubmit": {
      "entryPoint": "s3://b/job.py",
      "sparkSubmitParameters": "--conf spark.executor.instances=2  --conf spark.executor.memory=4G --class x.Y"
    }
  }
}
`;

describe('config: Databricks and EMR JSON (databricks-emr-settings.ts)', () => {
  describe('Databricks cluster and job specs', () => {
    it('reads spark_conf entries with exact values; non-spark keys are skipped', () => {
      assert.deepStrictEqual(
        settings(JOB).map((s) => [s.key, s.value, s.literal, s.raw, s.range.start.line + 1]),
        [
          ['spark.executor.memory', '8g', true, '8g', 12],
          ['spark.sql.shuffle.partitions', '400', true, '400', 13],
          ['spark.speculation', 'true', true, 'true', 14],
          ['spark.password', null, false, '{{secrets/etl/pw}}', 15],
        ],
      );
      assert.ok(settings(JOB).every((s) => s.origin === 'databricks'));
    });

    it('records cluster facts on one block per cluster', () => {
      const blocks = extractDatabricksEmrSettings(JOB).blocks;
      assert.deepStrictEqual(
        blocks.map((b) => [b.kind, b.format, b.cluster]),
        [
          [
            'spark-conf',
            'databricks-cluster',
            {
              minWorkers: 2,
              maxWorkers: 8,
              nodeTypeId: 'i3.xlarge',
              driverNodeTypeId: 'i3.2xlarge',
              sparkVersion: '14.3.x-scala2.12',
            },
          ],
          ['spark-conf', 'databricks-cluster', { numWorkers: 4, sparkVersion: '13.3.x-scala2.12' }],
        ],
      );
    });

    it('gives ranges inside the quotes that edit the value in place', () => {
      assert.strictEqual(textAt(JOB, only(JOB, 'spark.executor.memory').range), '8g');
      assert.strictEqual(textAt(JOB, only(JOB, 'spark.sql.shuffle.partitions').range), '400');
      const edited = replaceAt(JOB, only(JOB, 'spark.executor.memory').range, '16g');
      assert.ok(edited.includes('"spark.executor.memory": "16g",'));
      assert.strictEqual(only(edited, 'spark.executor.memory').value, '16g');
    });

    it('inserts a property after the last spark_conf entry, or a spark_conf object into a cluster without one', () => {
      const [withConf, withoutConf] = extractDatabricksEmrSettings(JOB).blocks;
      const edited = insert(JOB, withConf, 'spark.driver.memory', '4g');
      assert.ok(
        edited.includes('"fs.azure.account.key": "not-spark",\n          "spark.driver.memory": "4g"\n'),
        edited,
      );
      assert.doesNotThrow(() => JSON.parse(edited));
      assert.strictEqual(only(edited, 'spark.driver.memory').value, '4g');
      const edited2 = insert(JOB, withoutConf, 'spark.driver.memory', '4g');
      assert.deepStrictEqual(JSON.parse(edited2).tasks[0].new_cluster.spark_conf, { 'spark.driver.memory': '4g' });
      assert.strictEqual(only(edited2, 'spark.driver.memory').value, '4g');
    });

    it('reads a top-level cluster spec', () => {
      const text = '{"cluster_name": "c", "num_workers": 1, "spark_conf": {}}';
      const [block] = extractDatabricksEmrSettings(text).blocks;
      assert.deepStrictEqual(block.cluster, { numWorkers: 1 });
      const edited = insert(text, block, 'spark.executor.cores', '4');
      assert.deepStrictEqual(JSON.parse(edited).spark_conf, { 'spark.executor.cores': '4' });
    });
  });

  describe('EMR configurations', () => {
    it('reads only spark-defaults classifications, nested ones too, with ${...} non-literal', () => {
      assert.deepStrictEqual(
        settings(EMR).map((s) => [s.key, s.value, s.literal, s.raw, s.origin, s.range.start.line + 1]),
        [
          ['spark.executor.memory', null, false, '${executor_memory}', 'emr-configuration', 6],
          ['spark.executor.cores', '4', true, '4', 'emr-configuration', 7],
          ['spark.driver.memory', '2g', true, '2g', 'emr-configuration', 14],
        ],
      );
    });

    it('inserts into Properties and the result reads back as valid JSON', () => {
      const block = extractDatabricksEmrSettings(EMR).blocks.find((b) =>
        b.settings.some((s) => s.key === 'spark.executor.cores'),
      );
      assert.ok(block);
      const edited = insert(EMR, block, 'spark.executor.memoryOverhead', '1g');
      assert.strictEqual(JSON.parse(edited)[1].Properties['spark.executor.memoryOverhead'], '1g');
      assert.strictEqual(only(edited, 'spark.executor.memoryOverhead').value, '1g');
    });
  });

  describe('EMR steps and EMR Serverless', () => {
    it('reads spark-submit in step Args and sparkSubmitParameters strings', () => {
      assert.deepStrictEqual(
        settings(STEPS).map((s) => [s.key, s.value, s.literal, s.sourceKey, s.range.start.line + 1]),
        [
          ['spark.submit.deployMode', 'cluster', true, '--deploy-mode', 7],
          ['spark.executor.memory', '6g', true, '--executor-memory', 7],
          ['spark.executor.cores', '3', true, '--conf', 8],
          ['spark.x', null, false, '--conf', 8],
          ['spark.executor.instances', '2', true, '--conf', 15],
          ['spark.executor.memory', '4G', true, '--conf', 15],
        ],
      );
      const blocks = extractDatabricksEmrSettings(STEPS).blocks;
      assert.deepStrictEqual(
        blocks.map((b) => [b.format, b.applicationFile]),
        [
          ['emr-step', 's3://b/etl.py'],
          ['emr-serverless', 's3://b/job.py'],
        ],
      );
    });

    it('reads the Args of a "Type": "Spark" step (aws emr add-steps), which has no spark-submit program', () => {
      const text =
        '[{"Type": "Spark", "Name": "s", "Args": ["--deploy-mode", "cluster", "--executor-cores", "5", "s3://b/app.py", "--executor-cores", "9"]}]';
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, textAt(text, s.range)]),
        [
          ['spark.submit.deployMode', 'cluster', 'cluster'],
          ['spark.executor.cores', '5', '5'],
        ],
      );
      assert.strictEqual(extractDatabricksEmrSettings(text).blocks[0].applicationFile, 's3://b/app.py');
      assert.deepStrictEqual(
        extractDatabricksEmrSettings('[{"Type": "CUSTOM_JAR", "Args": ["--executor-cores", "5"]}]').blocks,
        [],
      );
    });

    it('gives ranges of the value inside k=v inside the string', () => {
      const [cores, , instances, mem] = settings(STEPS).slice(2);
      assert.strictEqual(textAt(STEPS, cores.range), '3');
      assert.strictEqual(textAt(STEPS, instances.range), '2');
      assert.strictEqual(textAt(STEPS, mem.range), '4G');
      const edited = replaceAt(STEPS, mem.range, '8G');
      assert.ok(edited.includes('--conf spark.executor.memory=8G --class'));
    });

    it('inserts --conf pairs before the application file and at the end of the parameter string', () => {
      const [step, serverless] = extractDatabricksEmrSettings(STEPS).blocks;
      const e1 = insert(STEPS, step, 'spark.driver.memory', '2g');
      assert.deepStrictEqual(JSON.parse(e1).Steps[0].HadoopJarStep.Args.slice(9, 12), [
        '--conf',
        'spark.driver.memory=2g',
        's3://b/etl.py',
      ]);
      const e2 = insert(STEPS, serverless, 'spark.driver.memory', '2g');
      assert.strictEqual(
        JSON.parse(e2).jobDriver.sparkSubmit.sparkSubmitParameters,
        '--conf spark.executor.instances=2  --conf spark.executor.memory=4G --class x.Y --conf spark.driver.memory=2g',
      );
      assert.strictEqual(settings(e2).filter((s) => s.key === 'spark.driver.memory').length, 1);
    });
  });

  describe('dispatch and broken input', () => {
    it('is chosen for .json files and serves json and jsonc', () => {
      assert.strictEqual(languageIdForPath('cluster.json'), 'json');
      assert.strictEqual(extractSettings(JOB, 'json').languageId, 'json');
      assert.strictEqual(
        extractSettings(`// cluster\n${JOB.replace('"i3.xlarge",', '"i3.xlarge", // comment')}`, 'jsonc').blocks[0]
          .settings.length,
        4,
      );
      const jsonc = '/* job */ {"spark_conf": {"spark.a": "1", /* two */ "spark.b": 2,},}';
      assert.deepStrictEqual(
        settings(jsonc).map((s) => [s.key, s.value]),
        [
          ['spark.a', '1'],
          ['spark.b', '2'],
        ],
      );
    });

    it('never throws on any prefix of a file being typed', () => {
      for (const text of [JOB, EMR, STEPS]) {
        for (let i = 0; i <= text.length; i++)
          assert.doesNotThrow(() => extractDatabricksEmrSettings(text.slice(0, i)));
      }
      const half = JOB.slice(0, JOB.indexOf('"spark.speculation"'));
      assert.strictEqual(only(half, 'spark.sql.shuffle.partitions').value, '400');
    });
  });

  describe('keyRange', () => {
    /** `text` with the key of the one `key` setting rewritten through its keyRange. */

    it('covers the keys of a Databricks spark_conf, after non-ASCII text on the line', () => {
      const text =
        '{"cluster_name": "données 😀", "spark_conf": {"spark.a.b": "1", "spark\\u002ec.d": "2"}, "num_workers": 2}\n';
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace('"spark.a.b"', '"spark.z"'));
      // A key written with an escape is not the key's text: no range to rewrite.
      assert.strictEqual(
        settings(text).find((s) => s.sourceKey === 'spark\\u002ec.d' || s.key === 'spark.c.d')?.keyRange,
        undefined,
      );
    });

    it('covers the keys of EMR Properties, in a CRLF file', () => {
      const text = [
        '[',
        '  {',
        '    "Classification": "spark-defaults",',
        '    "Properties": { "spark.executor.memory": "4g" }',
        '  }',
        ']',
        '',
      ].join('\r\n');
      assert.strictEqual(
        rename(text, 'spark.executor.memory', 'spark.z'),
        text.replace('"spark.executor.memory"', '"spark.z"'),
      );
      assert.strictEqual(only(text, 'spark.executor.memory').keyRange?.start.line, 3);
    });

    it('covers just k of --conf k=v in step Args and in sparkSubmitParameters, not implied keys', () => {
      const step =
        '{"Args": ["spark-submit", "--conf", "spark.a.b=1", "--conf=spark.c.d=2", "--executor-memory", "4g", "job.py"]}\n';
      assert.strictEqual(rename(step, 'spark.a.b', 'spark.z'), step.replace('"spark.a.b=1"', '"spark.z=1"'));
      assert.strictEqual(
        rename(step, 'spark.c.d', 'spark.z'),
        step.replace('"--conf=spark.c.d=2"', '"--conf=spark.z=2"'),
      );
      assert.strictEqual(only(step, 'spark.executor.memory').keyRange, undefined);
      const serverless =
        '{"entryPoint": "s3://b/job.py", "sparkSubmitParameters": "--conf spark.a.b=1 --conf spark.c.d=2 --executor-memory 4g"}\n';
      assert.strictEqual(rename(serverless, 'spark.c.d', 'spark.z'), serverless.replace('spark.c.d=2', 'spark.z=2'));
      assert.strictEqual(only(serverless, 'spark.executor.memory').keyRange, undefined);
    });
  });
});
