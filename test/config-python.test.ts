import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { extractSettings } from '../server/src/config/file-settings';
import { extractPythonSettings } from '../server/src/config/python-settings';
import { insert, replaceAt, settingsOf, textAt } from './helpers/text-edits';
import { CONFIG_FIXTURES } from './helpers/fixtures';

const { settings, only, rename } = settingsOf(extractPythonSettings);
function summary(text: string): [string, string | null, boolean][] {
  return settings(text).map((s) => [s.key, s.value, s.literal]);
}

describe('config: PySpark settings (python-settings.ts)', () => {
  describe('SparkSession.builder', () => {
    const src = [
      'from pyspark.sql import SparkSession',
      '',
      'spark = SparkSession.builder.config("spark.executor.memory", "4g").getOrCreate()',
      '',
    ].join('\n');

    it('gives the range of "4g" as exactly 4g, and replacing it rewrites only the value', () => {
      const s = only(src, 'spark.executor.memory');
      assert.deepStrictEqual(s.range, { start: { line: 2, character: 62 }, end: { line: 2, character: 64 } });
      assert.strictEqual(textAt(src, s.range), '4g');
      assert.strictEqual(
        replaceAt(src, s.range, '8g').split('\n')[2],
        'spark = SparkSession.builder.config("spark.executor.memory", "8g").getOrCreate()',
      );
      assert.deepStrictEqual(
        { value: s.value, raw: s.raw, literal: s.literal, origin: s.origin, sourceKey: s.sourceKey },
        { value: '4g', raw: '"4g"', literal: true, origin: 'spark-session-builder', sourceKey: '.config()' },
      );
    });

    it('reads .config(key=, value=), .config(map={...}), .master(), .appName() and steps over .enableHiveSupport()', () => {
      const text = [
        'spark = (',
        '    SparkSession.builder',
        '    .appName("etl")',
        '    .master("yarn")',
        '    .enableHiveSupport()',
        '    .config(key="spark.executor.cores", value=4)',
        '    .config(map={"spark.sql.shuffle.partitions": "400", "spark.executor.instances": 10, "not.spark": "x"})',
        '    .config("spark.dynamicAllocation.enabled", True)',
        '    .getOrCreate()',
        ')',
      ].join('\n');
      assert.deepStrictEqual(summary(text), [
        ['spark.app.name', 'etl', true],
        ['spark.master', 'yarn', true],
        ['spark.executor.cores', '4', true],
        ['spark.sql.shuffle.partitions', '400', true],
        ['spark.executor.instances', '10', true],
        ['spark.dynamicAllocation.enabled', 'True', true],
      ]);
      const blocks = extractPythonSettings(text).blocks;
      assert.strictEqual(blocks.length, 1);
      assert.strictEqual(blocks[0].kind, 'spark-session-builder');
      assert.deepStrictEqual(blocks[0].range, { start: { line: 1, character: 4 }, end: { line: 8, character: 18 } });
    });

    it('records nothing for .config(conf=...) and does not throw', () => {
      const text = 'spark = SparkSession.builder.config(conf=make_conf()).appName("a").getOrCreate()\n';
      assert.deepStrictEqual(summary(text), [['spark.app.name', 'a', true]]);
    });

    it('inserts a .config line before .getOrCreate() in a parenthesized chain, indented like the others', () => {
      const text = [
        'spark = (',
        '    SparkSession.builder.appName("etl")',
        '    .config("spark.executor.memory", "1g")',
        '    .getOrCreate()',
        ')',
        '',
      ].join('\n');
      const block = extractPythonSettings(text).blocks[0];
      assert.deepStrictEqual(block.insertion, {
        position: { line: 3, character: 0 },
        template: '    .config("{key}", "{value}")\n',
      });
      const after = insert(text, block, 'spark.executor.cores', '4');
      assert.strictEqual(after.split('\n')[3], '    .config("spark.executor.cores", "4")');
      assert.deepStrictEqual(summary(after), [
        ['spark.app.name', 'etl', true],
        ['spark.executor.memory', '1g', true],
        ['spark.executor.cores', '4', true],
      ]);
    });

    it('keeps the backslash continuation and the quote style in a backslash-continued chain', () => {
      const text = [
        'if True:',
        '    spark = SparkSession \\',
        '        .builder \\',
        "        .appName('demo') \\",
        '        .getOrCreate()',
        '',
      ].join('\n');
      const block = extractPythonSettings(text).blocks[0];
      assert.deepStrictEqual(block.insertion, {
        position: { line: 4, character: 0 },
        template: "        .config('{key}', '{value}') \\\n",
      });
      const after = insert(insert(text, block, 'spark.executor.memory', '8g'), block, 'spark.executor.cores', '4');
      assert.deepStrictEqual(after.split('\n').slice(3, 7), [
        "        .appName('demo') \\",
        "        .config('spark.executor.cores', '4') \\",
        "        .config('spark.executor.memory', '8g') \\",
        '        .getOrCreate()',
      ]);
      assert.deepStrictEqual(
        summary(after).map((s) => s[0]),
        ['spark.app.name', 'spark.executor.cores', 'spark.executor.memory'],
      );
    });

    it('inserts inline before .getOrCreate() in a one-line chain', () => {
      const text = 'spark = SparkSession.builder.master("local[2]").getOrCreate()\n';
      const block = extractPythonSettings(text).blocks[0];
      assert.deepStrictEqual(block.insertion?.position, { line: 0, character: 47 });
      assert.strictEqual(
        insert(text, block, 'spark.driver.memory', '2g'),
        'spark = SparkSession.builder.master("local[2]").config("spark.driver.memory", "2g").getOrCreate()\n',
      );
    });

    it('follows a builder kept in a variable: a later .master() joins its block; insertion extends the chain', () => {
      const text = [
        'def run(spark_master=None):',
        '    b = SparkSession \\',
        '        .builder \\',
        "        .appName('x') \\",
        "        .config('spark.driver.memory', '10g')  # note",
        '    if spark_master:',
        '        b.master(spark_master)',
        '    spark = b.getOrCreate()',
        '',
      ].join('\n');
      const blocks = extractPythonSettings(text).blocks;
      assert.strictEqual(blocks.length, 1);
      assert.deepStrictEqual(
        blocks[0].settings.map((s) => [s.key, s.value, s.raw, s.literal, s.range.start.line]),
        [
          ['spark.app.name', 'x', "'x'", true, 3],
          ['spark.driver.memory', '10g', "'10g'", true, 4],
          ['spark.master', null, 'spark_master', false, 6],
        ],
      );
      const after = insert(text, blocks[0], 'spark.executor.memory', '4g');
      assert.deepStrictEqual(after.split('\n').slice(4, 6), [
        "        .config('spark.driver.memory', '10g') \\",
        "        .config('spark.executor.memory', '4g')  # note",
      ]);
      assert.strictEqual(only(after, 'spark.executor.memory').value, '4g');
    });
  });

  describe('SparkConf', () => {
    it('reads .set, .setIfMissing, .setAll, .setAppName, .setMaster, .setExecutorEnv on a chain and a variable', () => {
      const text = [
        'from pyspark import SparkConf, SparkContext',
        'conf = SparkConf().setAppName("job").setMaster("yarn")',
        'conf.set("spark.executor.memory", "4g")',
        'conf.setIfMissing("spark.executor.cores", 2)',
        'conf = conf.setAll([',
        '    ("spark.executor.instances", "8"),',
        '    ("fs.s3a.fast.upload", "true"),',
        '    ["spark.driver.memory", "2g"],',
        '])',
        'conf.setExecutorEnv("PYSPARK_PYTHON", "/usr/bin/python3")',
        'conf.get("spark.executor.memory")',
        'sc = SparkContext(conf=conf)',
      ].join('\n');
      const blocks = extractPythonSettings(text).blocks;
      assert.strictEqual(blocks.length, 1);
      assert.strictEqual(blocks[0].kind, 'spark-conf');
      assert.deepStrictEqual(
        blocks[0].settings.map((s) => [s.key, s.value, s.sourceKey, s.origin, s.range.start.line]),
        [
          ['spark.app.name', 'job', '.setAppName()', 'spark-conf', 1],
          ['spark.master', 'yarn', '.setMaster()', 'spark-conf', 1],
          ['spark.executor.memory', '4g', '.set()', 'spark-conf', 2],
          ['spark.executor.cores', '2', '.setIfMissing()', 'spark-conf', 3],
          ['spark.executor.instances', '8', '.setAll()', 'spark-conf', 5],
          ['spark.driver.memory', '2g', '.setAll()', 'spark-conf', 7],
          ['spark.executorEnv.PYSPARK_PYTHON', '/usr/bin/python3', '.setExecutorEnv()', 'spark-conf', 9],
        ],
      );
    });

    it('inserts .set("{key}", "{value}") into the chain that creates the SparkConf', () => {
      const text = 'conf = SparkConf()\nconf.set("spark.executor.memory", "4g")\n';
      const block = extractPythonSettings(text).blocks[0];
      assert.deepStrictEqual(block.insertion, {
        position: { line: 0, character: 18 },
        template: '.set("{key}", "{value}")',
      });
      const after = insert(text, block, 'spark.executor.cores', '4');
      assert.strictEqual(
        after,
        'conf = SparkConf().set("spark.executor.cores", "4")\nconf.set("spark.executor.memory", "4g")\n',
      );
      assert.deepStrictEqual(summary(after), [
        ['spark.executor.cores', '4', true],
        ['spark.executor.memory', '4g', true],
      ]);
    });

    it('reads SparkContext(master, appName) positional and by keyword', () => {
      assert.deepStrictEqual(summary('sc = SparkContext("local[4]", "wordcount")\n'), [
        ['spark.master', 'local[4]', true],
        ['spark.app.name', 'wordcount', true],
      ]);
      assert.deepStrictEqual(summary('sc = pyspark.SparkContext(appName="wc", conf=conf)\n'), [
        ['spark.app.name', 'wc', true],
      ]);
    });
  });

  describe('spark.conf.set on a live session', () => {
    const text = [
      'spark = SparkSession.builder.getOrCreate()',
      'spark.conf.set("spark.sql.shuffle.partitions", 64)',
      'spark.conf.set("spark.executor.memory", "8g")',
      'spark.conf.set("spark.dynamicAllocation.maxExecutors", "20")',
      '',
    ].join('\n');

    it('gives runtime-conf settings; executor sizing and dynamic allocation are marked ineffective', () => {
      const blocks = extractPythonSettings(text).blocks;
      assert.deepStrictEqual(
        blocks.map((b) => b.kind),
        ['spark-session-builder', 'runtime-conf'],
      );
      const [partitions, memory, maxExec] = blocks[1].settings;
      assert.deepStrictEqual(
        [partitions.key, partitions.value, partitions.origin, partitions.ineffective],
        ['spark.sql.shuffle.partitions', '64', 'runtime-conf', undefined],
      );
      assert.strictEqual(memory.origin, 'runtime-conf');
      assert.match(
        memory.ineffective ?? '',
        /^No effect once the session exists: spark\.executor\.memory is read when the SparkContext starts/,
      );
      assert.match(
        memory.ineffective ?? '',
        /SparkSession\.builder\.config\("spark\.executor\.memory", value\) before getOrCreate\(\)/,
      );
      assert.match(memory.ineffective ?? '', /spark-submit --executor-memory value\.$/);
      assert.match(maxExec.ineffective ?? '', /--conf spark\.dynamicAllocation\.maxExecutors=value\.$/);
    });

    it('inserts a new spark.conf.set statement after the last one', () => {
      const block = extractPythonSettings(text).blocks[1];
      const after = insert(text, block, 'spark.sql.adaptive.enabled', 'true');
      assert.strictEqual(after.split('\n')[4], 'spark.conf.set("spark.sql.adaptive.enabled", "true")');
      assert.strictEqual(only(after, 'spark.sql.adaptive.enabled').origin, 'runtime-conf');
    });

    it('recognises a session parameter named spark and self.spark', () => {
      const t =
        'def f(spark):\n    spark.conf.set("spark.executor.cores", "4")\nclass A:\n    def g(self):\n        self.spark.conf.set("spark.sql.shuffle.partitions", "8")\n';
      assert.deepStrictEqual(
        settings(t).map((s) => [s.key, s.origin, !!s.ineffective]),
        [
          ['spark.executor.cores', 'runtime-conf', true],
          ['spark.sql.shuffle.partitions', 'runtime-conf', false],
        ],
      );
    });
  });

  describe('values', () => {
    it('keeps the source text of non-string literals', () => {
      const t =
        'SparkSession.builder.config("spark.executor.instances", 4).config("spark.ui.enabled", False).config("spark.memory.fraction", 0.6).config("spark.locality.wait", -1).getOrCreate()';
      assert.deepStrictEqual(summary(t), [
        ['spark.executor.instances', '4', true],
        ['spark.ui.enabled', 'False', true],
        ['spark.memory.fraction', '0.6', true],
        ['spark.locality.wait', '-1', true],
      ]);
    });

    it('gives raw text and null for expressions, and resolves a module constant assigned once', () => {
      const t = [
        'EXEC_MEM = "6g"',
        'CORES = 4',
        'PARTS = "100"',
        'PARTS = "200"',
        'def build(mem_gb):',
        '    return (SparkSession.builder',
        '        .config("spark.executor.memory", EXEC_MEM)',
        '        .config("spark.executor.cores", CORES)',
        '        .config("spark.sql.shuffle.partitions", PARTS)',
        '        .config("spark.driver.memory", str(mem_gb) + "g")',
        '        .config("spark.app.name", f"job-{mem_gb}")',
        '        .getOrCreate())',
      ].join('\n');
      const got = settings(t).map((s) => ({
        key: s.key,
        value: s.value,
        raw: s.raw,
        literal: s.literal,
        from: s.resolvedFrom,
      }));
      assert.deepStrictEqual(got, [
        {
          key: 'spark.executor.memory',
          value: '6g',
          raw: 'EXEC_MEM',
          literal: false,
          from: {
            name: 'EXEC_MEM',
            range: { start: { line: 0, character: 12 }, end: { line: 0, character: 14 } },
            safeToEdit: true,
          },
        },
        {
          key: 'spark.executor.cores',
          value: '4',
          raw: 'CORES',
          literal: false,
          from: {
            name: 'CORES',
            range: { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } },
            safeToEdit: true,
          },
        },
        { key: 'spark.sql.shuffle.partitions', value: null, raw: 'PARTS', literal: false, from: undefined },
        { key: 'spark.driver.memory', value: null, raw: 'str(mem_gb) + "g"', literal: false, from: undefined },
        { key: 'spark.app.name', value: null, raw: 'f"job-{mem_gb}"', literal: false, from: undefined },
      ]);
      const mem = only(t, 'spark.executor.memory');
      assert.strictEqual(textAt(t, mem.range), 'EXEC_MEM');
    });

    it('does not resolve a name that is rebound anywhere (parameter, local, loop)', () => {
      const t = [
        'MEM = "4g"',
        'def f(MEM):',
        '    SparkSession.builder.config("spark.executor.memory", MEM).getOrCreate()',
        'CORES = "2"',
        'for CORES in range(3): pass',
        'SparkSession.builder.config("spark.executor.cores", CORES).getOrCreate()',
      ].join('\n');
      assert.deepStrictEqual(summary(t), [
        ['spark.executor.memory', null, false],
        ['spark.executor.cores', null, false],
      ]);
    });

    it('counts UTF-16 code units when non-ASCII text precedes a setting on its line', () => {
      const t =
        'msg = "héllo 😀 日本"; spark = SparkSession.builder.config("spark.executor.memory", "4g").getOrCreate()\n';
      const s = only(t, 'spark.executor.memory');
      const line = t.split('\n')[0];
      assert.strictEqual(s.range.start.character, line.indexOf('4g"'));
      // 83 UTF-16 units before "4g" (😀 is 2 units); UTF-8 would give 90 bytes and code points 82.
      assert.strictEqual(s.range.start.character, 83);
      assert.strictEqual(textAt(t, s.range), '4g');
      assert.strictEqual(
        replaceAt(t, s.range, '8g'),
        'msg = "héllo 😀 日本"; spark = SparkSession.builder.config("spark.executor.memory", "8g").getOrCreate()\n',
      );
    });

    it('counts lines the way LSP does with CRLF and lone CR line endings', () => {
      // The lone \r inside the docstring ends a line for LSP (not for tree-sitter's row count).
      const t = '"""a\rb"""\r\nspark = (SparkSession.builder.appName("x")\r\n    .getOrCreate())\r\n';
      const s = only(t, 'spark.app.name');
      assert.deepStrictEqual(s.range, { start: { line: 2, character: 39 }, end: { line: 2, character: 40 } });
      assert.strictEqual(textAt(t, s.range), 'x');
    });
  });

  describe('spark-submit argv lists', () => {
    it('reads flags up to the application file; insertion goes before it', () => {
      const t = [
        'subprocess.run([',
        '    "spark-submit",',
        '    "--master", "yarn",',
        '    "--executor-memory=4g",',
        '    "--conf", "spark.executor.cores=2",',
        '    "--conf", f"spark.executor.instances={n}",',
        '    "jobs/etl.py",',
        '    "--name", "not-a-setting",',
        '])',
      ].join('\n');
      const block = extractPythonSettings(t).blocks[0];
      assert.strictEqual(block.kind, 'spark-submit');
      assert.strictEqual(block.applicationFile, 'jobs/etl.py');
      assert.deepStrictEqual(
        block.settings.map((s) => [s.key, s.value, s.raw, s.literal, textAt(t, s.range)]),
        [
          ['spark.master', 'yarn', '"yarn"', true, 'yarn'],
          ['spark.executor.memory', '4g', '4g', true, '4g'],
          ['spark.executor.cores', '2', '2', true, '2'],
          ['spark.executor.instances', null, '{n}', false, '{n}'],
        ],
      );
      const after = insert(t, block, 'spark.driver.memory', '2g');
      assert.strictEqual(after.split('\n')[6], '    "--conf", "spark.driver.memory=2g",');
      assert.strictEqual(only(after, 'spark.driver.memory').value, '2g');
    });
  });

  describe('broken and half-typed code', () => {
    const complete = [
      'from pyspark import SparkConf',
      'from pyspark.sql import SparkSession',
      'MEM = "4g"',
      'conf = SparkConf().setAll([("spark.executor.cores", "2"), ("spark.executor.instances", 4)])',
      'spark = (SparkSession.builder  # comment',
      '    .appName("ünïcode 😀")',
      '    .config("spark.executor.memory", MEM)',
      '    .config(map={"spark.sql.shuffle.partitions": "8"})',
      '    .config(conf=conf)',
      '    .getOrCreate())',
      'spark.conf.set("spark.executor.memory", "8g")',
      'cmd = ["spark-submit", "--conf", "spark.x=1", "app.py"]',
      '',
    ].join('\n');

    it('never throws on any prefix of a file being typed, and reads what is complete', () => {
      for (let n = 0; n <= complete.length; n++) {
        const prefix = complete.slice(0, n);
        const file = extractPythonSettings(prefix);
        assert.strictEqual(file.languageId, 'python');
        for (const s of file.blocks.flatMap((b) => b.settings)) assert.ok(s.key.startsWith('spark.'), prefix);
      }
      const half = complete.slice(0, complete.indexOf('    .config(map='));
      assert.deepStrictEqual(only(half, 'spark.executor.memory').value, '4g');
    });

    it('never throws on garbage', () => {
      for (const t of [
        '',
        ')))',
        'SparkSession.builder.config(',
        'SparkConf().setAll([(',
        'spark.conf.set(',
        '\u0000\uffff',
        '"""',
        'x = SparkConf(\n'.repeat(200),
      ]) {
        assert.doesNotThrow(() => extractPythonSettings(t));
      }
    });
  });

  describe('keyRange', () => {
    /** `text` with the key of the one `key` setting rewritten through its keyRange. */
    const text = [
      'from pyspark import SparkConf',
      'from pyspark.sql import SparkSession',
      'conf = SparkConf().set(\'spark.a.b\', \'1\').setAll([("spark.c.d", "2")]).setAppName("x")',
      'spark = (SparkSession.builder',
      '    .appName("données — 日本 😀").config("spark.executor.memory", "4g")',
      '    .config(map={"spark.e.f": "3"})',
      '    .master("local[2]")',
      '    .getOrCreate())',
      'spark.conf.set("spark.sql.shuffle.partitions", 200)',
      'argv = ["spark-submit", "--conf", "spark.g.h=1", "--conf=spark.i.j=2", "--executor-memory", "4g", "job.py"]',
      '',
    ].join('\n');

    it('covers the key inside the quotes of .set(), setAll tuples, .config(), map= and spark.conf.set()', () => {
      assert.strictEqual(rename(text, 'spark.a.b', 'spark.z'), text.replace("'spark.a.b'", "'spark.z'"));
      assert.strictEqual(rename(text, 'spark.c.d', 'spark.z'), text.replace('"spark.c.d"', '"spark.z"'));
      assert.strictEqual(rename(text, 'spark.e.f', 'spark.z'), text.replace('"spark.e.f"', '"spark.z"'));
      assert.strictEqual(
        rename(text, 'spark.sql.shuffle.partitions', 'spark.z'),
        text.replace('set("spark.sql.shuffle.partitions"', 'set("spark.z"'),
      );
    });

    it('counts UTF-16 units on a line with accents, CJK and an astral character before the key', () => {
      const s = settings(text).find((x) => x.key === 'spark.executor.memory' && x.origin === 'spark-session-builder');
      assert.ok(s?.keyRange);
      // `    .appName("données — 日本 😀").config("` is 40 UTF-16 units (the emoji counts 2).
      assert.deepStrictEqual(s.keyRange, { start: { line: 4, character: 40 }, end: { line: 4, character: 61 } });
      assert.strictEqual(
        replaceAt(text, s.keyRange, 'spark.executor.memoryOverhead').split('\n')[4],
        '    .appName("données — 日本 😀").config("spark.executor.memoryOverhead", "4g")',
      );
    });

    it('covers just k of --conf k=v and --conf=k=v in spark-submit argv lists', () => {
      assert.strictEqual(rename(text, 'spark.g.h', 'spark.z'), text.replace('"spark.g.h=1"', '"spark.z=1"'));
      assert.strictEqual(
        rename(text, 'spark.i.j', 'spark.z'),
        text.replace('"--conf=spark.i.j=2"', '"--conf=spark.z=2"'),
      );
    });

    it('is undefined where a method or flag implies the key, or the key is a variable', () => {
      for (const key of ['spark.app.name', 'spark.master']) {
        for (const s of settings(text).filter((x) => x.key === key)) assert.strictEqual(s.keyRange, undefined, key);
      }
      assert.strictEqual(settings(text).find((s) => s.sourceKey === '--executor-memory')?.keyRange, undefined);
      const constant = [
        'from pyspark.sql import SparkSession',
        'KEY = "spark.executor.cores"',
        'spark = SparkSession.builder.config(KEY, "2").getOrCreate()',
        '',
      ].join('\n');
      assert.strictEqual(only(constant, 'spark.executor.cores').keyRange, undefined);
    });

    it('keeps working with CRLF line endings', () => {
      const crlf = text.split('\n').join('\r\n');
      assert.strictEqual(rename(crlf, 'spark.e.f', 'spark.z'), crlf.replace('"spark.e.f"', '"spark.z"'));
      assert.strictEqual(
        rename(crlf, 'spark.sql.shuffle.partitions', 'spark.z'),
        crlf.replace('"spark.sql.shuffle.partitions"', '"spark.z"'),
      );
    });
  });

  describe('dicts, pair lists and argv lists built step by step (issue 11)', () => {
    const RUN = fs.readFileSync(path.join(CONFIG_FIXTURES, 'python', 'apache__datafusion-comet__run.py'), 'utf8');

    it('reads a module dict of settings, keys and values on their lines, with an environment default', () => {
      // apache/datafusion-comet benchmarks/tpc/run.py: COMMON_SPARK_CONF, merged into the --conf list at run time.
      const mem = only(RUN, 'spark.executor.memory');
      assert.deepStrictEqual(
        [mem.value, mem.literal, mem.range.start.line, textAt(RUN, mem.keyRange!)],
        ['16g', true, 108, 'spark.executor.memory'],
      );
      const dir = only(RUN, 'spark.eventLog.dir');
      assert.deepStrictEqual(
        [dir.value, dir.literal, textAt(RUN, dir.resolvedFrom!.range), dir.resolvedFrom!.safeToEdit],
        ['/tmp/spark-events', false, '/tmp/spark-events', false],
      );
    });

    it('resolves a lookup in another dict when every candidate is the same, with no single place to edit', () => {
      const cores = only(RUN, 'spark.executor.cores');
      assert.deepStrictEqual(
        [cores.value, cores.literal, cores.raw, cores.resolvedFrom],
        ['8', false, 'profile["executor_cores"]', undefined],
      );
      const t = [
        'PROFILES = {"a": {"mem": "2g"}, "b": {"mem": "4g"}}',
        'def f(name):',
        '    p = PROFILES[name]',
        '    conf["spark.executor.memory"] = p["mem"]',
        '    conf["spark.driver.memory"] = PROFILES["a"]["mem"]',
      ].join('\n');
      assert.deepStrictEqual(summary(t), [
        ['spark.executor.memory', null, false],
        ['spark.driver.memory', '2g', false],
      ]);
      assert.strictEqual(textAt(t, only(t, 'spark.driver.memory').resolvedFrom!.range), '2g');
    });

    it("reads a spark-submit argv built with +=; a --name after the application file is the application's", () => {
      const master = only(RUN, 'spark.master');
      assert.deepStrictEqual([master.value, master.raw, master.range.start.line], [null, 'spark_master', 239]);
      assert.strictEqual(only(RUN, 'spark.driver.extraClassPath').range.start.line, 249);
      assert.ok(!settings(RUN).some((s) => s.key === 'spark.app.name'));
      const block = extractPythonSettings(RUN).blocks.find((b) => b.kind === 'spark-submit')!;
      assert.strictEqual(block.applicationFile, 'tpcbench.py');
    });

    it('reads pair lists outside setAll, and X["spark.k"] = v, without reading setAll or .config(map=) twice', () => {
      const t = [
        'conf = SparkConf().setAll([("spark.a", "1")])',
        'spark = SparkSession.builder.config(map={"spark.b": "2"}).getOrCreate()',
        'for k, v in [("spark.c", opts), ("other.key", 1)]:',
        '    cfg[k] = v',
        'cfg["spark.d"] = "4"',
        'print(cfg["spark.d"], cfg.get("spark.e"))',
      ].join('\n');
      assert.deepStrictEqual(
        settings(t).map((s) => [s.key, s.value, s.origin]),
        [
          ['spark.a', '1', 'spark-conf'],
          ['spark.b', '2', 'spark-session-builder'],
          ['spark.c', null, 'spark-conf'],
          ['spark.d', '4', 'spark-conf'],
        ],
      );
    });

    it('inserts into a dict in its layout and quotes', () => {
      const t = ['SPARK_CONF = {', "    'spark.executor.memory': '4g',", "    'spark.executor.cores': 2", '}', ''].join(
        '\n',
      );
      const block = extractPythonSettings(t).blocks[0];
      assert.strictEqual(
        insert(t, block, 'spark.sql.shuffle.partitions', '64'),
        [
          'SPARK_CONF = {',
          "    'spark.executor.memory': '4g',",
          "    'spark.executor.cores': 2,",
          "    'spark.sql.shuffle.partitions': '64'",
          '}',
          '',
        ].join('\n'),
      );
    });

    it('reads PYSPARK_SUBMIT_ARGS set through os.environ', () => {
      const t = 'import os\nos.environ["PYSPARK_SUBMIT_ARGS"] = "--master local[4] --driver-memory 8g pyspark-shell"\n';
      assert.deepStrictEqual(summary(t), [
        ['spark.master', 'local[4]', true],
        ['spark.driver.memory', '8g', true],
      ]);
    });

    it('keeps one copy of a SparkSubmitOperator conf dict the Airflow reader also reads', () => {
      const t = [
        'from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator',
        'CONF = {"spark.executor.memory": "2g"}',
        'SparkSubmitOperator(task_id="t", application="a.py", conf=CONF)',
      ].join('\n');
      const all = extractSettings(t, 'python').blocks.flatMap((b) => b.settings);
      assert.deepStrictEqual(
        all.map((s) => [s.key, s.origin]),
        [['spark.executor.memory', 'airflow-operator']],
      );
    });
  });
});
