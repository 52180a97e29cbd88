import * as assert from 'assert';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { extractAirflowSettings } from '../server/src/config/airflow-settings';
import { extractSettings } from '../server/src/config/file-settings';

const { settings, only } = settingsOf(extractAirflowSettings);
const merged = settingsOf((text) => extractSettings(text, 'python'));

const DAG = `from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MEM = "8g"

etl = SparkSubmitOperator(
    task_id="etl",
    application="jobs/etl.py",
    name="nightly-etl",
    executor_memory=MEM,
    executor_cores=4,
    num_executors=10,
    driver_memory="2g",
    total_executor_cores=40,
    conf={
        "spark.sql.shuffle.partitions": "400",
        "spark.dynamicAllocation.enabled": False,
        "spark.executor.memoryOverhead": f"{overhead}m",
        "spark.local.dir": "{{ var.value.local_dir }}",
        "fs.s3a.fast.upload": "true",
    },
)
`;

describe('config: Airflow DAGs (airflow-settings.ts)', () => {
  describe('SparkSubmitOperator', () => {
    it('maps the keywords and the conf dict to Spark keys', () => {
      assert.deepStrictEqual(
        settings(DAG).map((s) => [s.key, s.value, s.literal, s.raw, s.sourceKey, s.range.start.line + 1]),
        [
          ['spark.app.name', 'nightly-etl', true, '"nightly-etl"', 'name', 8],
          ['spark.executor.memory', '8g', false, 'MEM', 'executor_memory', 9],
          ['spark.executor.cores', '4', true, '4', 'executor_cores', 10],
          ['spark.executor.instances', '10', true, '10', 'num_executors', 11],
          ['spark.driver.memory', '2g', true, '"2g"', 'driver_memory', 12],
          ['spark.cores.max', '40', true, '40', 'total_executor_cores', 13],
          ['spark.sql.shuffle.partitions', '400', true, '"400"', 'spark.sql.shuffle.partitions', 15],
          ['spark.dynamicAllocation.enabled', 'False', true, 'False', 'spark.dynamicAllocation.enabled', 16],
          ['spark.executor.memoryOverhead', null, false, 'f"{overhead}m"', 'spark.executor.memoryOverhead', 17],
          ['spark.local.dir', null, false, '"{{ var.value.local_dir }}"', 'spark.local.dir', 18],
        ],
      );
      const [block] = extractAirflowSettings(DAG).blocks;
      assert.deepStrictEqual(
        [block.kind, block.format, block.applicationFile],
        ['spark-submit', 'airflow-spark-submit', 'jobs/etl.py'],
      );
      assert.ok(block.settings.every((s) => s.origin === 'airflow-operator'));
    });

    it('resolves a module constant like the PySpark reader, and says where it is written', () => {
      const mem = only(DAG, 'spark.executor.memory');
      assert.strictEqual(mem.resolvedFrom?.name, 'MEM');
      assert.strictEqual(mem.resolvedFrom && textAt(DAG, mem.resolvedFrom.range), '8g');
      assert.strictEqual(mem.resolvedFrom?.range.start.line, 2);
      const shadowed = `${DAG}MEM = "4g"\n`;
      assert.strictEqual(only(shadowed, 'spark.executor.memory').value, null);
    });

    it('reads a module-level conf dict once, where its entries are written, however many operators use it', () => {
      const text = [
        'SPARK_CONF = {',
        '    "spark.executor.memory": "4g",',
        '    "spark.sql.shuffle.partitions": 200,',
        '}',
        'a = SparkSubmitOperator(task_id="a", application="a.py", conf=SPARK_CONF)',
        'b = SparkSubmitOperator(task_id="b", application="b.py", conf=SPARK_CONF, num_executors=3)',
        '',
      ].join('\n');
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.range.start.line]),
        [
          ['spark.executor.memory', '4g', 1],
          ['spark.sql.shuffle.partitions', '200', 2],
          ['spark.executor.instances', '3', 5],
        ],
      );
      const [a] = extractAirflowSettings(text).blocks;
      const edited = insert(text, a, 'spark.driver.memory', '2g');
      assert.ok(
        edited.includes('    "spark.sql.shuffle.partitions": 200,\n    "spark.driver.memory": "2g",\n}'),
        edited,
      );
    });

    it('gives ranges inside the quotes that edit the value in place', () => {
      assert.strictEqual(textAt(DAG, only(DAG, 'spark.driver.memory').range), '2g');
      assert.strictEqual(textAt(DAG, only(DAG, 'spark.executor.cores').range), '4');
      assert.strictEqual(textAt(DAG, only(DAG, 'spark.executor.memory').range), 'MEM');
      const edited = replaceAt(DAG, only(DAG, 'spark.sql.shuffle.partitions').range, '800');
      assert.ok(edited.includes('"spark.sql.shuffle.partitions": "800",'));
      assert.strictEqual(only(edited, 'spark.sql.shuffle.partitions').value, '800');
    });

    it('inserts into the conf dict, keeping its trailing comma and indentation', () => {
      const [block] = extractAirflowSettings(DAG).blocks;
      const edited = insert(DAG, block, 'spark.driver.cores', '2');
      assert.ok(
        edited.includes('        "fs.s3a.fast.upload": "true",\n        "spark.driver.cores": "2",\n    },'),
        edited,
      );
      assert.strictEqual(only(edited, 'spark.driver.cores').value, '2');
    });

    it('adds a conf keyword when the call has none', () => {
      const text = 'op = SparkSubmitOperator(task_id="t", application="a.py")\n';
      const edited = insert(text, extractAirflowSettings(text).blocks[0], 'spark.executor.memory', '4g');
      assert.strictEqual(
        edited,
        'op = SparkSubmitOperator(task_id="t", application="a.py", conf={"spark.executor.memory": "4g"})\n',
      );
      assert.strictEqual(only(edited, 'spark.executor.memory').value, '4g');
      const multi = 'op = SparkSubmitOperator(\n    task_id="t",\n    application="a.py"\n)\n';
      const edited2 = insert(multi, extractAirflowSettings(multi).blocks[0], 'spark.executor.memory', '4g');
      assert.strictEqual(
        edited2,
        'op = SparkSubmitOperator(\n    task_id="t",\n    application="a.py",\n    conf={"spark.executor.memory": "4g"}\n)\n',
      );
    });

    it('does not read name= of other operators', () => {
      assert.deepStrictEqual(settings('t = EmrServerlessStartJobOperator(name="x", task_id="y")\n'), []);
    });
  });

  describe('EMR Serverless, Dataproc and embedded PySpark', () => {
    const text = [
      'job = EmrServerlessStartJobOperator(',
      '    job_driver={',
      '        "sparkSubmit": {',
      '            "entryPoint": "s3://b/job.py",',
      '            "sparkSubmitParameters": "--conf spark.executor.cores=2 --conf spark.executor.memory=4G",',
      '        }',
      '    },',
      ')',
      'params = f"--conf spark.executor.instances={n} --conf spark.driver.memory=2g"',
      'x = {"sparkSubmitParameters": f"--conf spark.executor.instances={n} --conf spark.driver.memory=2g"}',
      'cluster = {',
      '    "additional_properties": {',
      '        "spark:spark.driver.memory": "40g",',
      '        "yarn:yarn.nodemanager.resource.memory-mb": "1024",',
      '    },',
      '}',
      "script = '''from pyspark.sql import SparkSession",
      'spark = SparkSession.builder.appName("embedded").config("spark.executor.cores", "3").getOrCreate()',
      "'''",
      '',
    ].join('\n');

    it('reads --conf pairs inside sparkSubmitParameters, Dataproc spark: properties and PySpark inside a string', () => {
      assert.deepStrictEqual(
        merged.settings(text).map((s) => [s.key, s.value, s.literal, s.sourceKey, s.origin, s.range.start.line + 1]),
        [
          ['spark.executor.cores', '2', true, '--conf', 'spark-submit', 5],
          ['spark.executor.memory', '4G', true, '--conf', 'spark-submit', 5],
          ['spark.executor.instances', null, false, '--conf', 'spark-submit', 10],
          ['spark.driver.memory', '2g', true, '--conf', 'spark-submit', 10],
          ['spark.driver.memory', '40g', true, 'spark:spark.driver.memory', 'dataproc', 13],
          ['spark.app.name', 'embedded', true, '.appName()', 'spark-session-builder', 18],
          ['spark.executor.cores', '3', true, '.config()', 'spark-session-builder', 18],
        ],
      );
      const blocks = extractAirflowSettings(text).blocks;
      assert.deepStrictEqual(
        blocks.map((b) => b.format ?? b.kind),
        ['emr-serverless', 'emr-serverless', 'dataproc', 'spark-session-builder'],
      );
      assert.strictEqual(blocks[0].applicationFile, 's3://b/job.py');
    });

    it('gives ranges in the file for every one of them', () => {
      for (const s of merged.settings(text).filter((x) => x.literal))
        assert.strictEqual(textAt(text, s.range), s.value, s.key);
      const embedded = merged.settings(text).find((s) => s.key === 'spark.app.name');
      assert.ok(embedded);
      const edited = replaceAt(text, embedded.range, 'renamed');
      assert.strictEqual(merged.settings(edited).find((s) => s.key === 'spark.app.name')?.value, 'renamed');
    });

    it('inserts a --conf pair at the end of sparkSubmitParameters, a spark: property, and into the embedded builder', () => {
      const blocks = extractAirflowSettings(text).blocks;
      const e1 = insert(text, blocks[0], 'spark.driver.cores', '1');
      assert.ok(
        e1.includes('"--conf spark.executor.cores=2 --conf spark.executor.memory=4G --conf spark.driver.cores=1",'),
      );
      const e2 = insert(text, blocks[2], 'spark.executor.memory', '21g');
      assert.ok(
        e2.includes(
          '"yarn:yarn.nodemanager.resource.memory-mb": "1024",\n        "spark:spark.executor.memory": "21g",\n    },',
        ),
        e2,
      );
      assert.strictEqual(
        settings(e2).find((s) => s.key === 'spark.executor.memory' && s.origin === 'dataproc')?.value,
        '21g',
      );
      const e3 = insert(text, blocks[3], 'spark.executor.memory', '6g');
      assert.strictEqual(
        settings(e3).find((s) => s.key === 'spark.executor.memory' && s.origin === 'spark-session-builder')?.value,
        '6g',
      );
    });
  });

  describe('broken input', () => {
    it('never throws on any prefix of a DAG being typed', () => {
      for (let i = 0; i <= DAG.length; i++) assert.doesNotThrow(() => extractSettings(DAG.slice(0, i), 'python'));
      const half = DAG.slice(0, DAG.indexOf('        "spark.dynamicAllocation.enabled"'));
      assert.strictEqual(only(half, 'spark.sql.shuffle.partitions').value, '400');
    });

    it('never throws on garbage', () => {
      for (const t of [
        'SparkSubmitOperator(conf={',
        'x = {"sparkSubmitParameters": ',
        "'''SparkSession.builder.appName(",
        '{"spark:spark.a": }',
      ]) {
        assert.doesNotThrow(() => extractSettings(t, 'python'));
      }
    });
  });

  describe('keyRange', () => {
    /** `text` with the key of the setting of `key` that `pick` selects rewritten through its keyRange. */
    const rename = (text: string, key: string, newKey: string, origin?: string): string => {
      const found = merged.settings(text).filter((s) => s.key === key && (!origin || s.origin === origin));
      assert.strictEqual(found.length, 1, key);
      const [s] = found;
      assert.ok(s.keyRange, `${key} has a keyRange`);
      assert.strictEqual(textAt(text, s.keyRange), key);
      return replaceAt(text, s.keyRange, newKey);
    };

    it('covers the keys of the operator conf dict, not the keywords that imply a key', () => {
      assert.strictEqual(
        rename(DAG, 'spark.sql.shuffle.partitions', 'spark.z'),
        DAG.replace('"spark.sql.shuffle.partitions"', '"spark.z"'),
      );
      assert.strictEqual(
        rename(DAG, 'spark.dynamicAllocation.enabled', 'spark.z'),
        DAG.replace('"spark.dynamicAllocation.enabled"', '"spark.z"'),
      );
      for (const k of ['spark.executor.memory', 'spark.executor.cores', 'spark.app.name'])
        assert.strictEqual(only(DAG, k).keyRange, undefined, k);
    });

    it('covers --conf keys in sparkSubmitParameters, Dataproc keys after spark:, and keys of an embedded PySpark script', () => {
      const text = [
        'x = {"entryPoint": "s3://b/job.py", "sparkSubmitParameters": "--conf spark.a.b=1"}',
        'cluster = {"additional_properties": {"spark:spark.driver.memory": "40g"}}',
        "script = '''from pyspark.sql import SparkSession",
        '# données — 日本 😀',
        'spark = SparkSession.builder.appName("é😀").config("spark.executor.cores", "3").getOrCreate()',
        "'''",
        '',
      ].join('\n');
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace('spark.a.b=1', 'spark.z=1'));
      assert.strictEqual(
        rename(text, 'spark.driver.memory', 'spark.z'),
        text.replace('"spark:spark.driver.memory"', '"spark:spark.z"'),
      );
      assert.strictEqual(
        rename(text, 'spark.executor.cores', 'spark.z'),
        text.replace('"spark.executor.cores"', '"spark.z"'),
      );
      const crlf = text.split('\n').join('\r\n');
      assert.strictEqual(
        rename(crlf, 'spark.executor.cores', 'spark.z'),
        crlf.replace('"spark.executor.cores"', '"spark.z"'),
      );
    });
  });

  it('reads SparkSubmitOperator keyword arguments a helper returns as a dict with a conf dict (issue 11)', () => {
    const dag = [
      'def spark_args(name):',
      '    return {',
      '        "application": f"jobs/{name}.py",',
      '        "executor_memory": "4g",',
      '        "num_executors": 6,',
      '        "conf": {',
      '            "spark.sql.shuffle.partitions":',
      '                "400",',
      '        },',
      '    }',
      'SparkSubmitOperator(task_id="t", **spark_args("etl"))',
    ].join('\n');
    const blocks = extractSettings(dag, 'python').blocks;
    const all = blocks.flatMap((b) => b.settings);
    assert.deepStrictEqual(
      all.map((x) => [x.key, x.value, x.range.start.line, x.origin]),
      [
        ['spark.executor.memory', '4g', 3, 'airflow-operator'],
        ['spark.executor.instances', '6', 4, 'airflow-operator'],
        ['spark.sql.shuffle.partitions', '400', 7, 'airflow-operator'],
      ],
    );
    assert.strictEqual(blocks.filter((b) => b.settings.length > 0).length, 1);
  });
});
