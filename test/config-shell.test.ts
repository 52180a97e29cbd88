import * as assert from 'assert';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { extractShellSettings } from '../server/src/config/shell-settings';

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
        ['spark.executor.memory', '4g', '  --executor-memory 8g --executor-cores=2 --num-executors 10 --total-executor-cores 40 \\'],
        ['spark.executor.cores', '2', '  --executor-memory 4g --executor-cores=8g --num-executors 10 --total-executor-cores 40 \\'],
        ['spark.app.name', 'nightly etl', '  --name "8g" \\'],
        ['spark.sql.shuffle.partitions', '400', '  --conf spark.sql.shuffle.partitions=8g \\'],
        ['spark.executor.memoryOverhead', '1g', '  --conf "spark.executor.memoryOverhead=8g" \\'],
        ['spark.executor.extraJavaOptions', '-XX:+UseG1GC -verbose:gc', "  --conf 'spark.executor.extraJavaOptions=8g' \\"],
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
      assert.deepStrictEqual(block.insertion, { position: { line: 14, character: 0 }, template: '  --conf {key}={value} \\\n' });
      const after = insert(text, block, 'spark.executor.memory', '8g');
      assert.strictEqual(after.split('\n')[14], '  --conf spark.executor.memory=8g \\');
      const again = extractShellSettings(after).blocks[0];
      assert.strictEqual(again.applicationFile, 'jobs/etl.py');
      assert.deepStrictEqual(again.settings.filter((s) => s.key === 'spark.executor.memory').map((s) => s.value), ['4g', '8g']);
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
      const text = ['OPTS=(--master yarn --conf "spark.executor.cores=4")', 'OPTS+=(--executor-memory 6g)', 'spark-submit "${OPTS[@]}" job.py'].join('\n');
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
      assert.strictEqual(insert(one, b1, 'spark.executor.memory', '4g'), 'spark-submit --master yarn --conf spark.executor.memory=4g job.py 2022-01-01\n');
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
      assert.deepStrictEqual(block.settings.map((s) => [s.key, s.value, textAt(text, s.range)]), [
        ['spark.executor.memory', '2g', '2g'],
        ['spark.executor.cores', '2', '2'],
      ]);
      const after = insert(text, block, 'spark.driver.memory', '1g');
      assert.strictEqual(after.split('\n')[4], '    "spark.driver.memory": "1g",');
      assert.strictEqual(only(after, 'spark.driver.memory').value, '1g');
    });
  });

  describe('variables', () => {
    it('keeps $VAR and "${VAR}" as raw, non-literal; the range covers the expansion', () => {
      const text = 'spark-submit --executor-memory $EXEC_MEM --conf spark.executor.cores="${CORES}" --num-executors "$N"x app.py\n';
      assert.deepStrictEqual(
        settings(text).map((s) => [s.key, s.value, s.raw, s.literal, textAt(text, s.range)]),
        [
          ['spark.executor.memory', null, '$EXEC_MEM', false, '$EXEC_MEM'],
          ['spark.executor.cores', null, '"${CORES}"', false, '${CORES}'],
          ['spark.executor.instances', null, '"$N"x', false, '$N"x'],
        ],
      );
    });

    it('resolves a variable assigned one constant before the command, not ${X:-default} or one assigned twice', () => {
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
        settings(text).map((s) => [s.key, s.value, s.literal, s.raw, s.resolvedFrom && textAt(text, s.resolvedFrom.range), s.resolvedFrom?.range.start.line]),
        [
          ['spark.executor.memory', '6g', false, '"$EXEC_MEM"', '6g', 0],
          ['spark.executor.cores', '4', false, '${CORES}', '4', 1],
          ['spark.sql.shuffle.partitions', null, false, '$PARTS', undefined, undefined],
          ['spark.master', null, false, '$MASTER', undefined, undefined],
          ['spark.driver.memory', null, false, '$LATER', undefined, undefined],
        ],
      );
    });
  });

  describe('text', () => {
    it('counts UTF-16 code units when non-ASCII text precedes a flag on its line', () => {
      const text = 'echo "héllo 😀 日本"; spark-submit --executor-memory 4g app.py\n';
      const s = only(text, 'spark.executor.memory');
      assert.strictEqual(s.range.start.character, text.indexOf('4g'));
      assert.strictEqual(replaceAt(text, s.range, '8g'), 'echo "héllo 😀 日本"; spark-submit --executor-memory 8g app.py\n');
    });

    it('handles CRLF scripts: ranges and the inserted line keep \\r\\n', () => {
      const text = 'spark-submit \\\r\n  --executor-memory 4g \\\r\n  app.py\r\n';
      const block = extractShellSettings(text).blocks[0];
      assert.deepStrictEqual(block.settings[0].range, { start: { line: 1, character: 20 }, end: { line: 1, character: 22 } });
      assert.deepStrictEqual(block.insertion, { position: { line: 2, character: 0 }, template: '  --conf {key}={value} \\\r\n' });
    });

    it('never throws on any prefix of a script being typed', () => {
      const complete = [
        'M=4g',
        'ARGS=(--conf "spark.a=1")',
        '$SPARK_HOME/bin/spark-submit --master "yarn" --conf \'spark.b=2\' \\',
        '  --executor-memory=$M -c spark.c="$X" "${ARGS[@]}" app.py arg',
        "curl -d '{\"action\": \"CreateSubmissionRequest\", \"sparkProperties\": {\"spark.d\": \"4\"}}' http://h:6066/v1/submissions/create",
        '',
      ].join('\n');
      for (let n = 0; n <= complete.length; n++) {
        const file = extractShellSettings(complete.slice(0, n));
        assert.strictEqual(file.languageId, 'shellscript');
      }
      assert.deepStrictEqual(settings(complete).map((s) => s.key), ['spark.master', 'spark.b', 'spark.executor.memory', 'spark.c', 'spark.a', 'spark.d']);
      for (const t of ['spark-submit --conf', 'spark-submit "', "spark-submit '--conf", 'spark-submit $(', 'spark-submit --conf=', '\u0000']) {
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

    it('covers the sparkProperties keys of a REST submission', () => {
      const rest = [
        'curl -X POST http://master:6066/v1/submissions/create -d \'{',
        '  "action": "CreateSubmissionRequest", "appResource": "job.py",',
        '  "sparkProperties": {"spark.executor.memory": "4g"}',
        "}'",
        '',
      ].join('\n');
      assert.strictEqual(rename(rest, 'spark.executor.memory', 'spark.z'), rest.replace('"spark.executor.memory"', '"spark.z"'));
    });
  });
});
