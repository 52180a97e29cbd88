import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { extractShellSettings } from '../server/src/config/shell-settings';
import { CONFIG_FIXTURES } from './helpers/fixtures';

const { settings, only, rename } = settingsOf(extractShellSettings);

describe('config: spark-submit in shell scripts (shell-settings.ts)', () => {
  describe('flags', () => {
    const text = [
      '#!/bin/bash',
      'spark-submit --master yarn --deploy-mode=cluster \\',
      '  --name "nightly etl" \\',
      '  --executor-memory 4g --executor-cores=2 --num-executors 10 --total-executor-cores 40 \\',
      '  --driver-memory 2g --driver-cores 1 --queue etl \\',
      "  --driver-java-options '-XX:+UseG1GC' --driver-class-path /opt/a.jar --driver-library-path /opt/lib \\",
      '  --principal etl@EXAMPLE.COM --keytab /etc/etl.keytab \\',
      '  --jars a.jar --py-files deps.zip --supervise --verbose \\',
      '  --conf spark.sql.shuffle.partitions=400 \\',
      '  --conf "spark.executor.memoryOverhead=1g" \\',
      "  --conf 'spark.executor.extraJavaOptions=-XX:+UseG1GC -verbose:gc' \\",
      '  -c spark.dynamicAllocation.enabled=false \\',
      '  --conf=spark.memory.fraction=0.7 \\',
      '  --conf fs.s3a.fast.upload=true \\',
      '  jobs/etl.py --name not-a-setting --conf spark.x=1',
      '',
    ].join('\n');

    it('maps every flag to its key and stops at the application file', () => {
      const blocks = extractShellSettings(text).blocks;
      assert.strictEqual(blocks.length, 1);
      assert.strictEqual(blocks[0].applicationFile, 'jobs/etl.py');
      assert.deepStrictEqual(
        blocks[0].settings.map((s) => [s.key, s.value, s.sourceKey, s.range.start.line + 1]),
        [
          ['spark.master', 'yarn', '--master', 2],
          ['spark.submit.deployMode', 'cluster', '--deploy-mode', 2],
          ['spark.app.name', 'nightly etl', '--name', 3],
          ['spark.executor.memory', '4g', '--executor-memory', 4],
          ['spark.executor.cores', '2', '--executor-cores', 4],
          ['spark.executor.instances', '10', '--num-executors', 4],
          ['spark.cores.max', '40', '--total-executor-cores', 4],
          ['spark.driver.memory', '2g', '--driver-memory', 5],
          ['spark.driver.cores', '1', '--driver-cores', 5],
          ['spark.yarn.queue', 'etl', '--queue', 5],
          ['spark.driver.extraJavaOptions', '-XX:+UseG1GC', '--driver-java-options', 6],
          ['spark.driver.extraClassPath', '/opt/a.jar', '--driver-class-path', 6],
          ['spark.driver.extraLibraryPath', '/opt/lib', '--driver-library-path', 6],
          ['spark.kerberos.principal', 'etl@EXAMPLE.COM', '--principal', 7],
          ['spark.kerberos.keytab', '/etc/etl.keytab', '--keytab', 7],
          ['spark.sql.shuffle.partitions', '400', '--conf', 9],
          ['spark.executor.memoryOverhead', '1g', '--conf', 10],
          ['spark.executor.extraJavaOptions', '-XX:+UseG1GC -verbose:gc', '--conf', 11],
          ['spark.dynamicAllocation.enabled', 'false', '-c', 12],
          ['spark.memory.fraction', '0.7', '--conf', 13],
        ],
      );
      assert.ok(blocks[0].settings.every((s) => s.literal && s.origin === 'spark-submit'));
    });

    it('gives ranges that cover only the value (inside quotes, after k= and --flag=)', () => {
      const cases: [string, string, string][] = [
        [
          'spark.executor.memory',
          '4g',
          '  --executor-memory 8g --executor-cores=2 --num-executors 10 --total-executor-cores 40 \\',
        ],
        [
          'spark.executor.cores',
          '2',
          '  --executor-memory 4g --executor-cores=8g --num-executors 10 --total-executor-cores 40 \\',
        ],
        ['spark.app.name', 'nightly etl', '  --name "8g" \\'],
        ['spark.sql.shuffle.partitions', '400', '  --conf spark.sql.shuffle.partitions=8g \\'],
        ['spark.executor.memoryOverhead', '1g', '  --conf "spark.executor.memoryOverhead=8g" \\'],
        [
          'spark.executor.extraJavaOptions',
          '-XX:+UseG1GC -verbose:gc',
          "  --conf 'spark.executor.extraJavaOptions=8g' \\",
        ],
        ['spark.dynamicAllocation.enabled', 'false', '  -c spark.dynamicAllocation.enabled=8g \\'],
        ['spark.memory.fraction', '0.7', '  --conf=spark.memory.fraction=8g \\'],
      ];
      for (const [key, value, rewritten] of cases) {
        const s = only(text, key);
        assert.strictEqual(textAt(text, s.range), value, key);
        assert.strictEqual(s.range.start.line, s.range.end.line, key);
        const after = replaceAt(text, s.range, '8g');
        assert.strictEqual(after.split('\n')[s.range.start.line], rewritten, key);
        assert.strictEqual(only(after, key).value, '8g', key);
      }
      assert.deepStrictEqual(only(text, 'spark.executor.memoryOverhead').range, {
        start: { line: 9, character: 40 },
        end: { line: 9, character: 42 },
      });
      assert.strictEqual(only(text, 'spark.executor.memoryOverhead').raw, '1g');
    });

    it('inserts a --conf line before the application file, indented like the option lines', () => {
      const block = extractShellSettings(text).blocks[0];
      assert.deepStrictEqual(block.insertion, {
        position: { line: 14, character: 0 },
        template: '  --conf {key}={value} \\\n',
      });
      const after = insert(text, block, 'spark.executor.memory', '8g');
      assert.strictEqual(after.split('\n')[14], '  --conf spark.executor.memory=8g \\');
      const again = extractShellSettings(after).blocks[0];
      assert.strictEqual(again.applicationFile, 'jobs/etl.py');
      assert.deepStrictEqual(
        again.settings.filter((s) => s.key === 'spark.executor.memory').map((s) => s.value),
        ['4g', '8g'],
      );
    });
  });

  describe('commands', () => {
    it('finds spark-submit behind $SPARK_HOME, ${SPARK_HOME}, quotes, nohup, a $VAR, and pyspark; several per script', () => {
      const text = [
        '$SPARK_HOME/bin/spark-submit --executor-memory 1g a.py',
        '"${SPARK_HOME}"/bin/spark-submit --executor-memory 2g b.py',
        'nohup spark-submit --executor-memory 3g c.py > log 2>&1 &',
        'SUBMIT="$SPARK_HOME/bin/spark-submit"',
        '$SUBMIT --executor-memory 4g d.py',
        'pyspark --master local[4] --driver-memory 5g',
        'if true; then',
        '  out=$(spark-submit --executor-memory 6g f.py | tail -1)',
        'fi',
        'echo spark-submit --executor-memory 7g g.py',
        '# spark-submit --executor-memory 8g h.py',
        'spark-submit --executor-memory "8g" i.py \\',
        '  --executor-memory 9g',
      ].join('\n');
      const blocks = extractShellSettings(text).blocks;
      assert.deepStrictEqual(
        blocks.map((b) => [b.applicationFile, b.settings.map((s) => `${s.key}=${s.value}`).join(' ')]),
        [
          ['a.py', 'spark.executor.memory=1g'],
          ['b.py', 'spark.executor.memory=2g'],
          ['c.py', 'spark.executor.memory=3g'],
          ['d.py', 'spark.executor.memory=4g'],
          [undefined, 'spark.master=local[4] spark.driver.memory=5g'],
          ['f.py', 'spark.executor.memory=6g'],
          ['i.py', 'spark.executor.memory=8g'],
        ],
      );
    });

    it('reads options spliced in from a bash array', () => {
      const text = [
        'OPTS=(--master yarn --conf "spark.executor.cores=4")',
        'OPTS+=(--executor-memory 6g)',
        'spark-submit "${OPTS[@]}" job.py',
      ].join('\n');
      const block = extractShellSettings(text).blocks[0];
      assert.strictEqual(block.applicationFile, 'job.py');
      assert.deepStrictEqual(
        block.settings.map((s) => [s.key, s.value, s.range.start.line, textAt(text, s.range)]),
        [
          ['spark.master', 'yarn', 0, 'yarn'],
          ['spark.executor.cores', '4', 0, '4'],
          ['spark.executor.memory', '6g', 1, '6g'],
        ],
      );
    });

    it('inserts inline before the application file of a one-line command, and after the last option when there is none', () => {
      const one = 'spark-submit --master yarn job.py 2022-01-01\n';
      const b1 = extractShellSettings(one).blocks[0];
      assert.strictEqual(
        insert(one, b1, 'spark.executor.memory', '4g'),
        'spark-submit --master yarn --conf spark.executor.memory=4g job.py 2022-01-01\n',
      );
      const noApp = 'spark-submit --master yarn \\\n--conf "spark.driver.memoryOverhead=1G"\nsbdl_main.py qa\n';
      const b2 = extractShellSettings(noApp).blocks[0];
      assert.strictEqual(b2.applicationFile, undefined);
      assert.strictEqual(
        insert(noApp, b2, 'spark.executor.memory', '4g'),
        'spark-submit --master yarn \\\n--conf "spark.driver.memoryOverhead=1G" \\\n--conf "spark.executor.memory=4g"\nsbdl_main.py qa\n',
      );
    });

    it('reads sparkProperties of a REST submission (curl .../v1/submissions/create)', () => {
      const text = [
        "curl -XPOST http://master:6066/v1/submissions/create --data '{",
        '  "action": "CreateSubmissionRequest",',
        '  "appResource": "local:///opt/app.jar",',
        '  "sparkProperties": {',
        '    "spark.executor.memory": "2g",',
        '    "spark.executor.cores": 2,',
        '    "other.key": "x"',
        '  }',
        "}'",
      ].join('\n');
      const block = extractShellSettings(text).blocks[0];
      assert.strictEqual(block.kind, 'spark-submit');
      assert.strictEqual(block.applicationFile, 'local:///opt/app.jar');
      assert.deepStrictEqual(
        block.settings.map((s) => [s.key, s.value, textAt(text, s.range)]),
        [
          ['spark.executor.memory', '2g', '2g'],
          ['spark.executor.cores', '2', '2'],
        ],
      );
      const after = insert(text, block, 'spark.driver.memory', '1g');
      assert.strictEqual(after.split('\n')[4], '    "spark.driver.memory": "1g",');
      assert.strictEqual(only(after, 'spark.driver.memory').value, '1g');
    });
  });

  describe('variables', () => {
    it('keeps $VAR and "${VAR}" as raw, non-literal; the range covers the expansion', () => {
      const text =
        'spark-submit --executor-memory $EXEC_MEM --conf spark.executor.cores="${CORES}" --num-executors "$N"x app.py\n';
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.raw, s.literal, textAt(text, s.range)]),
        [
          ['spark.executor.memory', null, '$EXEC_MEM', false, '$EXEC_MEM'],
          ['spark.executor.cores', null, '"${CORES}"', false, '${CORES}'],
          ['spark.executor.instances', null, '"$N"x', false, '$N"x'],
        ],
      );
    });

    it('resolves a variable assigned one constant before the command, and ${X:-default} to its default, not one assigned twice', () => {
      const text = [
        'EXEC_MEM=6g',
        'export CORES="4"',
        'PARTS=100',
        'PARTS=200',
        'MASTER="${MASTER:-yarn}"',
        'spark-submit --executor-memory "$EXEC_MEM" --executor-cores ${CORES} \\',
        '  --conf spark.sql.shuffle.partitions=$PARTS --master $MASTER --driver-memory $LATER app.py',
        'LATER=1g',
      ].join('\n');
      assert.deepStrictEqual(
        settings(text).map((s) => [
          s.key,
          s.value,
          s.literal,
          s.raw,
          s.resolvedFrom && textAt(text, s.resolvedFrom.range),
          s.resolvedFrom?.range.start.line,
        ]),
        [
          ['spark.executor.memory', '6g', false, '"$EXEC_MEM"', '6g', 0],
          ['spark.executor.cores', '4', false, '${CORES}', '4', 1],
          ['spark.sql.shuffle.partitions', null, false, '$PARTS', undefined, undefined],
          // MASTER="${MASTER:-yarn}": the default, which the environment may override (so not safe to edit).
          ['spark.master', 'yarn', false, '$MASTER', 'yarn', 4],
          ['spark.driver.memory', null, false, '$LATER', undefined, undefined],
        ],
      );
    });
  });

  describe('options held for later, AWS CLI steps and JSON arguments (issue 11)', () => {
    const fixture = (name: string) => fs.readFileSync(path.join(CONFIG_FIXTURES, 'shell', name), 'utf8');

    it('reads a bash array that no command of the file expands as its own block, with an insertion before the ")"', () => {
      // NVIDIA/spark-rapids-benchmarks nds/convert_submit_cpu.template: SPARK_CONF=(...) expanded by spark-submit-template.
      const text = fixture('NVIDIA__spark-rapids-benchmarks__convert_submit_cpu.template');
      const blocks = extractShellSettings(text).blocks;
      assert.strictEqual(blocks.length, 1);
      assert.strictEqual(blocks[0].range.start.line, 20);
      const after = insert(text, blocks[0], 'spark.executor.memoryOverhead', '2g');
      assert.strictEqual(
        after.split('\n').slice(26, 28).join('\n'),
        '                   "--conf" "spark.sql.shuffle.partitions=${SHUFFLE_PARTITIONS}"\n                   "--conf" "spark.executor.memoryOverhead=2g")',
      );
      assert.strictEqual(
        extractShellSettings(after).blocks[0].settings.find((s) => s.key === 'spark.executor.memoryOverhead')?.value,
        '2g',
      );
    });

    it('resolves X=${X:-d} to its default d, not safe to edit; a variable from another file stays unknown', () => {
      const text = fixture('NVIDIA__spark-rapids-benchmarks__convert_submit_cpu.template');
      const parts = only(text, 'spark.sql.shuffle.partitions');
      assert.deepStrictEqual([parts.value, parts.literal, parts.raw], ['200', false, '${SHUFFLE_PARTITIONS}']);
      assert.strictEqual(textAt(text, parts.resolvedFrom!.range), '200');
      assert.strictEqual(parts.resolvedFrom!.range.start.line, 18);
      assert.strictEqual(parts.resolvedFrom!.safeToEdit, false);
      const mem = only(text, 'spark.driver.memory');
      assert.deepStrictEqual([mem.value, mem.resolvedFrom], [null, undefined]);
    });

    it('resolves ${X:-d} written in the option itself to d unless the script assigns X first', () => {
      const text = [
        'EXECUTOR_CORES=3',
        'spark-submit --executor-memory ${EXECUTOR_MEMORY:-4g} --executor-cores ${EXECUTOR_CORES:-1} app.py',
      ].join('\n');
      const mem = only(text, 'spark.executor.memory');
      assert.deepStrictEqual(
        [mem.value, textAt(text, mem.resolvedFrom!.range), mem.resolvedFrom!.safeToEdit],
        ['4g', '4g', false],
      );
      const cores = only(text, 'spark.executor.cores');
      assert.deepStrictEqual(
        [cores.value, cores.resolvedFrom!.range.start.line, cores.resolvedFrom!.safeToEdit],
        ['3', 0, true],
      );
    });

    it('reads a string of spark-submit options expanded unquoted ($cmd), once, where it is written', () => {
      // damslab/reproducibility save_scaleup_census_systemml.sh: cmd="--master yarn \ ..." then spark-submit $cmd twice.
      const text = fixture('damslab__reproducibility__save_scaleup_census_systemml.sh');
      const blocks = extractShellSettings(text).blocks;
      assert.deepStrictEqual(
        blocks.map((b) => [b.range.start.line, b.settings.length, b.applicationFile]),
        [
          [26, 9, '$HOME/github/systemml/target/SystemML.jar'],
          [34, 9, '$HOME/github/systemml/target/SystemML.jar'],
        ],
      );
      // Both commands expand the same string: each block holds the settings, at the one place they are written.
      const opts = settings(text).filter((x) => x.key === 'spark.driver.extraJavaOptions');
      assert.deepStrictEqual(opts[0], opts[1]);
      // The escaped quotes stay in the value: bash word splitting does not remove them.
      assert.deepStrictEqual(
        [opts[0].value, opts[0].range.start.line, textAt(text, opts[0].range)],
        ['"-Xms110g"', 9, '\\"-Xms110g\\"'],
      );
    });

    it("does not take another program's flags for spark-submit options", () => {
      const text = [
        'EMR_ARGS="--name nightly --release-label emr-6.9.0 --executor-memory 4g"',
        'PYSPARK_SUBMIT_ARGS="--master local[2] --driver-memory 2g pyspark-shell"',
      ].join('\n');
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.range.start.line]),
        [
          ['spark.master', 'local[2]', 1],
          ['spark.driver.memory', '2g', 1],
        ],
      );
    });

    it('reads aws emr add-steps shorthand steps; values from variables assigned once are safe to edit, shared ones are not', () => {
      const one = fixture('hotosm__oam-server-tiler__add-step1.sh');
      const mem = only(one, 'spark.executor.memory');
      assert.deepStrictEqual(
        [mem.value, mem.raw, textAt(one, mem.range), mem.resolvedFrom!.range.start.line, mem.resolvedFrom!.safeToEdit],
        ['2304m', '$EXECUTOR_MEMORY', '$EXECUTOR_MEMORY', 4, true],
      );
      const block = extractShellSettings(one).blocks[0];
      assert.deepStrictEqual([block.format, block.applicationFile], ['emr-step', 's3://oam-server-tiler/emr/chunk.py']);
      assert.ok(
        insert(one, block, 'spark.executor.memoryOverhead', '512m').includes(
          '--executor-cores,$EXECUTOR_CORES,--conf,spark.executor.memoryOverhead=512m,s3://',
        ),
      );
      const two = fixture('hotosm__oam-server-tiler__add-steps.sh');
      const both = settings(two).filter((s) => s.key === 'spark.executor.memory');
      assert.deepStrictEqual(
        both.map((s) => [s.range.start.line, s.value, s.resolvedFrom!.safeToEdit]),
        [
          [13, '2304m', false],
          [14, '2304m', false],
        ],
      );
    });

    it('reads the JSON of aws emr-containers start-job-run, with variables spliced into it; --name is not spark.app.name', () => {
      // awslabs/data-on-eks execute_emr_eks_job.sh
      const text = fixture('awslabs__data-on-eks__execute_emr_eks_job.sh');
      const keys = settings(text).map((s) => s.key);
      assert.ok(!keys.includes('spark.app.name'));
      assert.strictEqual(keys.length, 33);
      const prefix = only(text, 'spark.kubernetes.executor.podNamePrefix');
      assert.deepStrictEqual(
        [prefix.value, prefix.literal, textAt(text, prefix.range), prefix.resolvedFrom!.range.start.line],
        ['taxidata-nvme-ssd', false, '$JOB_NAME', 22],
      );
      // JOB_NAME is also the job-run name and part of a path: editing it for this setting is not safe.
      assert.strictEqual(prefix.resolvedFrom!.safeToEdit, false);
      const mem = only(text, 'spark.executor.memory');
      assert.deepStrictEqual(
        [mem.value, mem.literal, textAt(text, mem.range), mem.keyRange && textAt(text, mem.keyRange)],
        ['16g', true, '16g', 'spark.executor.memory'],
      );
      const template = only(text, 'spark.kubernetes.driver.podTemplateFile');
      assert.deepStrictEqual([template.value, template.literal], [null, false]);
    });

    it('resolves a variable spliced into sparkSubmitParameters, and one spliced inside a longer value (no place to edit)', () => {
      // aws-samples/emr-on-eks-benchmark benchmark-g6e-8xlarge-rapids.sh: --conf spark.executor.instances='$EXECUTORS'.
      const text = fixture('aws-samples__emr-on-eks-benchmark__benchmark-g6e-8xlarge-rapids.sh');
      const n = only(text, 'spark.executor.instances');
      assert.deepStrictEqual(
        [n.value, n.literal, textAt(text, n.range), n.resolvedFrom!.range.start.line, n.resolvedFrom!.safeToEdit],
        ['8', false, '$EXECUTORS', 12, true],
      );
      const prefix = only(text, 'spark.kubernetes.executor.podNamePrefix');
      assert.deepStrictEqual(
        [prefix.value, prefix.literal, prefix.resolvedFrom],
        ['emr-eks-tpcds-g6e-8xlarge-rapids', false, undefined],
      );
    });

    it('reads sparkSubmitParameters of --job-driver and skips JSON lines commented out in the script', () => {
      const text = fixture('aws-samples__emr-on-eks-benchmark__emr6.10-delta-benchmark.sh');
      const s = settings(text);
      assert.ok(!s.some((x) => x.key.startsWith('spark.dynamicAllocation')));
      const cores = s.filter((x) => x.key === 'spark.executor.cores');
      assert.deepStrictEqual(
        cores.map((x) => [x.value, x.range.start.line, textAt(text, x.range)]),
        [['4', 29, '4']],
      );
    });
  });

  describe('text', () => {
    it('counts UTF-16 code units when non-ASCII text precedes a flag on its line', () => {
      const text = 'echo "héllo 😀 日本"; spark-submit --executor-memory 4g app.py\n';
      const s = only(text, 'spark.executor.memory');
      assert.strictEqual(s.range.start.character, text.indexOf('4g'));
      assert.strictEqual(
        replaceAt(text, s.range, '8g'),
        'echo "héllo 😀 日本"; spark-submit --executor-memory 8g app.py\n',
      );
    });

    it('handles CRLF scripts: ranges and the inserted line keep \\r\\n', () => {
      const text = 'spark-submit \\\r\n  --executor-memory 4g \\\r\n  app.py\r\n';
      const block = extractShellSettings(text).blocks[0];
      assert.deepStrictEqual(block.settings[0].range, {
        start: { line: 1, character: 20 },
        end: { line: 1, character: 22 },
      });
      assert.deepStrictEqual(block.insertion, {
        position: { line: 2, character: 0 },
        template: '  --conf {key}={value} \\\r\n',
      });
    });

    it('never throws on any prefix of a script being typed', () => {
      const complete = [
        'M=4g',
        'ARGS=(--conf "spark.a=1")',
        '$SPARK_HOME/bin/spark-submit --master "yarn" --conf \'spark.b=2\' \\',
        '  --executor-memory=$M -c spark.c="$X" "${ARGS[@]}" app.py arg',
        'curl -d \'{"action": "CreateSubmissionRequest", "sparkProperties": {"spark.d": "4"}}\' http://h:6066/v1/submissions/create',
        '',
      ].join('\n');
      for (let n = 0; n <= complete.length; n++) {
        const file = extractShellSettings(complete.slice(0, n));
        assert.strictEqual(file.languageId, 'shellscript');
      }
      assert.deepStrictEqual(
        settings(complete).map((s) => s.key),
        ['spark.master', 'spark.b', 'spark.executor.memory', 'spark.c', 'spark.a', 'spark.d'],
      );
      for (const t of [
        'spark-submit --conf',
        'spark-submit "',
        "spark-submit '--conf",
        'spark-submit $(',
        'spark-submit --conf=',
        '\u0000',
      ]) {
        assert.doesNotThrow(() => extractShellSettings(t));
      }
    });
  });

  describe('keyRange', () => {
    /** `text` with the key of the one `key` setting rewritten through its keyRange. */
    const lines = [
      '#!/bin/bash',
      '# nächtlicher Lauf — 夜間 😀',
      'ARGS=(--conf spark.from.array=1)',
      'spark-submit --name "données 😀" --conf spark.a.b=1 \\',
      '  --conf "spark.c.d=2" -c \'spark.e.f=3\' --conf=spark.g.h=4 \\',
      '  --conf spark.i.j=$X --executor-memory 4g --conf spark.k\\.l=5 "${ARGS[@]}" \\',
      '  job.py',
      '',
    ];
    const text = lines.join('\n');

    it('covers just k of --conf k=v, quoted or not, -c k=v and --conf=k=v, also from an array', () => {
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace('spark.a.b=1', 'spark.z=1'));
      assert.strictEqual(rename(text, 'spark.c.d', 'spark.z'), text.replace('"spark.c.d=2"', '"spark.z=2"'));
      assert.strictEqual(rename(text, 'spark.e.f', 'spark.z'), text.replace("'spark.e.f=3'", "'spark.z=3'"));
      assert.strictEqual(rename(text, 'spark.g.h', 'spark.z'), text.replace('--conf=spark.g.h=4', '--conf=spark.z=4'));
      assert.strictEqual(rename(text, 'spark.i.j', 'spark.z'), text.replace('spark.i.j=$X', 'spark.z=$X'));
      assert.strictEqual(rename(text, 'spark.from.array', 'spark.z'), text.replace('spark.from.array=1', 'spark.z=1'));
    });

    it('counts UTF-16 units after non-ASCII text on the same line', () => {
      const s = only(text, 'spark.a.b');
      // `spark-submit --name "données 😀" --conf ` is 40 UTF-16 units (the emoji counts 2).
      assert.deepStrictEqual(s.keyRange, { start: { line: 3, character: 40 }, end: { line: 3, character: 49 } });
    });

    it('is undefined for flags that imply the key and for keys written with escapes', () => {
      assert.strictEqual(only(text, 'spark.executor.memory').keyRange, undefined);
      assert.strictEqual(only(text, 'spark.k.l').keyRange, undefined);
    });

    it('keeps working in a CRLF script', () => {
      const crlf = lines.join('\r\n');
      assert.strictEqual(rename(crlf, 'spark.c.d', 'spark.z'), crlf.replace('"spark.c.d=2"', '"spark.z=2"'));
      assert.strictEqual(only(crlf, 'spark.c.d').keyRange?.start.line, 4);
    });

    it('never puts a position inside a CRLF line break (fuzz case: a word that ends after the \\r)', () => {
      // Found by test/fuzz.test.ts: the insertion point came out as character 14 of the 13-unit line "spark-submit ".
      const text = 'spark-submit \r\n\\"';
      const [block] = extractShellSettings(text).blocks;
      assert.deepStrictEqual(block.insertion?.position, { line: 0, character: 13 });
    });

    it('covers the sparkProperties keys of a REST submission', () => {
      const rest = [
        "curl -X POST http://master:6066/v1/submissions/create -d '{",
        '  "action": "CreateSubmissionRequest", "appResource": "job.py",',
        '  "sparkProperties": {"spark.executor.memory": "4g"}',
        "}'",
        '',
      ].join('\n');
      assert.strictEqual(
        rename(rest, 'spark.executor.memory', 'spark.z'),
        rest.replace('"spark.executor.memory"', '"spark.z"'),
      );
    });
  });
});
