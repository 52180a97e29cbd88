import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { extractSettings, languageIdForPath } from '../server/src/config/file-settings';
import {
  flagForSparkKey,
  readSubmitArguments,
  sparkKeyForFlag,
  SPARK_SUBMIT_FLAG_KEYS,
  type SubmitArgument,
} from '../server/src/config/spark-submit-flags';
import { EXAMPLES } from './helpers/fixtures';

function literalArgs(...texts: string[]): SubmitArgument[] {
  return texts.map((text) => ({ text, literal: [...text].map(() => true) }));
}

describe('config: file dispatch and spark-submit flags', () => {
  describe('languageIdForPath', () => {
    it('maps extensions and shebangs to LSP language ids', () => {
      assert.strictEqual(languageIdForPath('/a/job.py'), 'python');
      assert.strictEqual(languageIdForPath('C:\\jobs\\JOB.PY'), 'python');
      assert.strictEqual(languageIdForPath('run.sh'), 'shellscript');
      assert.strictEqual(languageIdForPath('run.bash'), 'shellscript');
      assert.strictEqual(languageIdForPath('submit', '#!/bin/bash\nspark-submit app.py\n'), 'shellscript');
      assert.strictEqual(languageIdForPath('submit', '#!/usr/bin/env bash\r\n'), 'shellscript');
      assert.strictEqual(languageIdForPath('submit', '#!/bin/sh -e\n'), 'shellscript');
      assert.strictEqual(languageIdForPath('job', '#!/usr/bin/env python3\n'), 'python');
      assert.strictEqual(languageIdForPath('notes.txt', 'spark-submit app.py\n'), 'plaintext');
      assert.strictEqual(languageIdForPath('submit'), 'plaintext');
      assert.strictEqual(languageIdForPath('x', '#!/usr/bin/perl\n'), 'plaintext');
    });
  });

  describe('extractSettings', () => {
    it('dispatches on the language id', () => {
      const py = extractSettings('SparkSession.builder.master("local").getOrCreate()\n', 'python');
      assert.deepStrictEqual([py.languageId, py.blocks[0].settings[0].key], ['python', 'spark.master']);
      const sh = extractSettings('spark-submit --master local app.py\n', 'shellscript');
      assert.deepStrictEqual([sh.languageId, sh.blocks[0].settings[0].key], ['shellscript', 'spark.master']);
      assert.deepStrictEqual(extractSettings('spark-submit --master local app.py\n', 'plaintext'), {
        languageId: 'plaintext',
        blocks: [],
      });
    });

    it('reads large files (over 32k UTF-16 units) with exact positions', () => {
      const filler = '# filler line with ü and 😀 in it\n'.repeat(3000);
      const py = extractSettings(
        `${filler}spark = SparkSession.builder.config("spark.executor.memory", "4g").getOrCreate()\n`,
        'python',
      );
      assert.deepStrictEqual(py.blocks[0].settings[0].range.start, { line: 3000, character: 62 });
      const sh = extractSettings(`${filler}spark-submit --executor-memory 4g app.py\n`, 'shellscript');
      assert.deepStrictEqual(sh.blocks[0].settings[0].range.start, { line: 3000, character: 31 });
    });
  });

  describe('spark-submit-flags', () => {
    it('maps the flags of SparkSubmitArguments to keys, both ways', () => {
      assert.strictEqual(sparkKeyForFlag('--num-executors'), 'spark.executor.instances');
      assert.strictEqual(sparkKeyForFlag('--total-executor-cores'), 'spark.cores.max');
      assert.strictEqual(sparkKeyForFlag('--queue'), 'spark.yarn.queue');
      assert.strictEqual(sparkKeyForFlag('--keytab'), 'spark.kerberos.keytab');
      assert.strictEqual(sparkKeyForFlag('--jars'), undefined);
      assert.strictEqual(sparkKeyForFlag('--conf'), undefined);
      assert.strictEqual(flagForSparkKey('spark.driver.extraLibraryPath'), '--driver-library-path');
      assert.strictEqual(flagForSparkKey('spark.executor.memoryOverhead'), undefined);
      assert.strictEqual(SPARK_SUBMIT_FLAG_KEYS.size, 15);
    });

    it('walks arguments like SparkSubmitOptionParser: values, switches, --opt=value, stop at the application file', () => {
      const args = literalArgs(
        '--supervise',
        '--class',
        'a.Main',
        '--executor-memory=4g',
        '-c',
        'spark.a=b=c',
        '--conf',
        'nospark=1',
        '--conf',
        'noequals',
        '-v',
        'app.jar',
        '--master',
        'yarn',
      );
      const r = readSubmitArguments(args);
      assert.deepStrictEqual(r.settings, [
        { key: 'spark.executor.memory', sourceKey: '--executor-memory', argIndex: 3, valueStart: 18, valueEnd: 20 },
        { key: 'spark.a', sourceKey: '-c', argIndex: 5, valueStart: 8, valueEnd: 11, keyStart: 0, keyEnd: 7 },
      ]);
      // The key range leaves out blanks around the key, as the key itself does (SparkSubmitArguments trims it).
      const padded = readSubmitArguments(literalArgs('--conf', ' spark.b =1', 'app.py')).settings;
      assert.deepStrictEqual(
        padded.map((s) => [s.key, s.keyStart, s.keyEnd]),
        [['spark.b', 1, 8]],
      );
      assert.strictEqual(r.applicationFileIndex, 11);
      assert.strictEqual(r.lastOptionIndex, 10);
      assert.deepStrictEqual(readSubmitArguments(literalArgs('--master')), { settings: [], lastOptionIndex: 0 });
    });

    it('does not take a --conf key that comes from an expansion', () => {
      const dynamic: SubmitArgument = { text: '$K=1', literal: [false, false, true, true] };
      assert.deepStrictEqual(
        readSubmitArguments([...literalArgs('--conf'), dynamic, ...literalArgs('app.py')]).settings,
        [],
      );
    });
  });

  describe('examples/ (hand-read values)', () => {
    /** What the example files say, read by hand: key, value, 1-based line. */
    const expected: Record<string, [string, string, number][]> = {
      'nightly_etl.py': [
        ['spark.app.name', 'nightly_etl', 23],
        ['spark.executor.memory', '1g', 24],
        ['spark.executor.cores', '2', 25],
        ['spark.sql.shuffle.partitions', '200', 26],
      ],
      'skewed_join.py': [
        ['spark.app.name', 'skewed_join', 20],
        ['spark.executor.memory', '2g', 21],
        ['spark.executor.cores', '2', 22],
        ['spark.sql.shuffle.partitions', '200', 23],
        ['spark.sql.adaptive.enabled', 'false', 25],
        ['spark.sql.autoBroadcastJoinThreshold', '-1', 27],
      ],
      'tiny_tasks.py': [
        ['spark.app.name', 'tiny_tasks', 19],
        ['spark.executor.memory', '1g', 20],
        ['spark.executor.cores', '2', 21],
        ['spark.sql.shuffle.partitions', '2000', 22],
        ['spark.sql.adaptive.enabled', 'false', 24],
      ],
    };

    for (const [file, settings] of Object.entries(expected)) {
      it(`${file}: one builder block with the settings written in it, insertion before .getOrCreate()`, () => {
        const full = path.join(EXAMPLES, file);
        const text = fs.readFileSync(full, 'utf8');
        const result = extractSettings(text, languageIdForPath(full, text));
        assert.deepStrictEqual(
          result.blocks.flatMap((b) => b.settings).map((s) => [s.key, s.value, s.range.start.line + 1]),
          settings,
        );
        assert.ok(result.blocks.every((b) => b.settings.every((s) => s.literal && !s.ineffective)));
        const builder = result.blocks.find((b) => b.kind === 'spark-session-builder');
        assert.ok(builder?.insertion, 'the builder has an insertion point');
        const getOrCreate = text.split('\n').findIndex((l) => l.includes('.getOrCreate()'));
        assert.deepStrictEqual(builder.insertion.position, { line: getOrCreate, character: 0 });
        assert.strictEqual(builder.insertion.template, '    .config("{key}", "{value}")\n');
      });
    }

    /** The spark-submit scripts, read by hand: key, value, 1-based line; and the submitted file. */
    const submits: Record<string, { settings: [string, string, number][]; applicationFile: string }> = {
      'submit_nightly_etl.sh': {
        settings: [
          ['spark.master', 'yarn', 9],
          ['spark.submit.deployMode', 'cluster', 10],
          ['spark.app.name', 'nightly_etl', 11],
          ['spark.driver.memory', '1g', 12],
          ['spark.executor.memory', '1g', 13],
          ['spark.executor.cores', '2', 14],
          ['spark.executor.instances', '2', 15],
          ['spark.sql.shuffle.partitions', '200', 16],
        ],
        applicationFile: 'examples/nightly_etl.py',
      },
      'submit_tiny_tasks.sh': {
        settings: [
          ['spark.master', 'spark://127.0.0.1:7077', 10],
          ['spark.app.name', 'tiny_tasks', 11],
          ['spark.executor.memory', '1g', 12],
          ['spark.executor.cores', '2', 13],
          ['spark.cores.max', '4', 14],
          ['spark.sql.shuffle.partitions', '2000', 15],
          ['spark.sql.adaptive.enabled', 'false', 16],
        ],
        applicationFile: 'examples/tiny_tasks.py',
      },
    };
    for (const [file, want] of Object.entries(submits)) {
      it(`${file}: one spark-submit block with its flags and the submitted file`, () => {
        const full = path.join(EXAMPLES, file);
        const text = fs.readFileSync(full, 'utf8');
        const result = extractSettings(text, languageIdForPath(full, text));
        assert.strictEqual(result.blocks.length, 1);
        assert.deepStrictEqual(
          result.blocks[0].settings.map((s) => [s.key, s.value, s.range.start.line + 1]),
          want.settings,
        );
        assert.strictEqual(result.blocks[0].applicationFile, want.applicationFile);
      });
    }
  });
});
