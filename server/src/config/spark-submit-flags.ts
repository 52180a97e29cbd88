/**
 * spark-submit command-line options and the Spark configuration keys they set, plus a reader that walks
 * an argument list the way spark-submit does. Shared by the shell reader (`spark-submit ...` commands)
 * and the Python reader (`["spark-submit", "--master", ...]` argv lists).
 *
 * Sources (Apache Spark, `master`):
 * - `launcher/src/main/java/org/apache/spark/launcher/SparkSubmitOptionParser.java`: which options take
 *   a value (`opts`), which do not (`switches`), the `--opt=value` form (`(--[^=]+)=(.+)`), and the rule
 *   that the first argument that is not an option is the primary resource (application file); what
 *   follows it is passed to the application.
 * - `core/src/main/scala/org/apache/spark/deploy/SparkSubmitArguments.scala`: `--conf`/`-c` take
 *   `key=value` split at the first `=`, and keys not starting with `spark.` are ignored with a warning.
 * - `core/src/main/scala/org/apache/spark/deploy/SparkSubmit.scala` (`OptionAssigner` list): which
 *   option ends up in which configuration key (`--num-executors` → `spark.executor.instances`,
 *   `--total-executor-cores` → `spark.cores.max`, `--queue` → `spark.yarn.queue`, ...).
 */

/**
 * Options whose value becomes one Spark configuration key, option → key. Options whose target depends on
 * the cluster manager (`--jars`, `--packages`, `--py-files`, `--files`, `--archives`, `--class`, ...) are
 * deliberately absent (SparkSubmit.scala assigns them differently per manager and deploy mode).
 */
export const SPARK_SUBMIT_FLAG_KEYS: ReadonlyMap<string, string> = new Map([
  ['--master', 'spark.master'],
  ['--deploy-mode', 'spark.submit.deployMode'],
  ['--name', 'spark.app.name'],
  ['--driver-memory', 'spark.driver.memory'],
  ['--driver-cores', 'spark.driver.cores'],
  ['--executor-memory', 'spark.executor.memory'],
  ['--executor-cores', 'spark.executor.cores'],
  ['--num-executors', 'spark.executor.instances'],
  ['--total-executor-cores', 'spark.cores.max'],
  ['--queue', 'spark.yarn.queue'],
  ['--driver-java-options', 'spark.driver.extraJavaOptions'],
  ['--driver-class-path', 'spark.driver.extraClassPath'],
  ['--driver-library-path', 'spark.driver.extraLibraryPath'],
  ['--principal', 'spark.kerberos.principal'],
  ['--keytab', 'spark.kerberos.keytab'],
]);

/** Spellings of the option that takes a `key=value` Spark property (`SparkSubmitOptionParser.opts`: `{ CONF, "-c" }`). */
export const SPARK_SUBMIT_CONF_FLAGS: ReadonlySet<string> = new Set(['--conf', '-c']);

/** Every option that consumes a value (`SparkSubmitOptionParser.opts`, Spark 4.0, plus the Spark 2.x Kubernetes ones). */
export const SPARK_SUBMIT_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set([
  ...SPARK_SUBMIT_FLAG_KEYS.keys(),
  ...SPARK_SUBMIT_CONF_FLAGS,
  '--archives',
  '--class',
  '--exclude-packages',
  '--files',
  '--jars',
  '--kill',
  '--packages',
  '--properties-file',
  '--proxy-user',
  '--py-files',
  '--remote',
  '--repositories',
  '--status',
  '--kubernetes-master',
  '--kubernetes-namespace',
  '--upload-jars',
  '--upload-driver-extra-classpath',
]);

/** Options that take no value (`SparkSubmitOptionParser.switches`, Spark 4.0). */
export const SPARK_SUBMIT_SWITCHES: ReadonlySet<string> = new Set([
  '--help',
  '-h',
  '--supervise',
  '--usage-error',
  '--verbose',
  '-v',
  '--version',
  '--load-spark-defaults',
]);

/**
 * Spark key set by a spark-submit option, or undefined for `--conf` (its key is in its value) and for
 * options that set no single key.
 * @param flag the option as written, without any `=value` (`--executor-memory`).
 */
export function sparkKeyForFlag(flag: string): string | undefined {
  return SPARK_SUBMIT_FLAG_KEYS.get(flag);
}

/** The spark-submit option that sets `key`, if there is one (`spark.executor.memory` → `--executor-memory`). */
export function flagForSparkKey(key: string): string | undefined {
  for (const [flag, k] of SPARK_SUBMIT_FLAG_KEYS) if (k === key) return flag;
  return undefined;
}

/**
 * One argument as the program receives it, independent of how the file quotes it.
 * `text` is the argument after quote removal; parts that come from an expansion the reader cannot evaluate
 * (`$EXEC_MEM`, `$(cmd)`, a Python expression) appear as written and are marked non-literal in `literal`.
 */
export interface SubmitArgument {
  text: string;
  /** `literal[i]` is false when `text[i]` comes from an expansion or expression (same length as `text`). */
  literal: boolean[];
}

/** A setting found by {@link readSubmitArguments}: where its value lies, in argument coordinates. */
export interface SubmitArgumentSetting {
  /** Canonical Spark key. */
  key: string;
  /** The option as written (`--executor-memory`, `--conf`, `-c`). */
  sourceKey: string;
  /** Index of the argument holding the value. */
  argIndex: number;
  /** `[valueStart, valueEnd)`: the value inside `args[argIndex].text` (after `=` for `--opt=v` and `--conf k=v`). */
  valueStart: number;
  valueEnd: number;
  /**
   * `[keyStart, keyEnd)`: for `--conf k=v` / `-c k=v` / `--conf=k=v`, the key `k` inside `args[argIndex].text`
   * (without surrounding spaces); absent for options that imply their key (`--executor-memory`).
   */
  keyStart?: number;
  keyEnd?: number;
}

/** What {@link readSubmitArguments} found in one argument list. */
export interface SubmitArgumentsReading {
  /** Settings in argument order. */
  settings: SubmitArgumentSetting[];
  /** Index of the application file (first argument that is not an option or an option's value), if any. */
  applicationFileIndex?: number;
  /** Index of the last argument that belongs to spark-submit (an option or its value); -1 when none. */
  lastOptionIndex: number;
}

const EQ_SEPARATED_OPTION = /^(--[^=]+)=(.+)$/s;

/**
 * Reads spark-submit options from the arguments that follow the program name, as
 * `SparkSubmitOptionParser.parse` does: `--opt value` and `--opt=value`, `--conf k=v` / `-c k=v` /
 * `--conf=k=v`, switches, and a stop at the first argument that is not an option (the application file);
 * everything after it belongs to the application. Unknown `-x` options are skipped (spark-submit would
 * reject them). `--conf` values whose key is not a literal, has no `=`, or does not start with `spark.` are
 * not settings (spark-submit ignores non-`spark.` keys).
 * @param args the arguments after `spark-submit` / `pyspark`.
 * @returns the settings with value offsets inside their argument; never throws.
 */
export function readSubmitArguments(args: readonly SubmitArgument[]): SubmitArgumentsReading {
  const settings: SubmitArgumentSetting[] = [];
  let lastOptionIndex = -1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let flag = arg.text;
    let valueArg = -1;
    let valueStart = 0;
    const eq = EQ_SEPARATED_OPTION.exec(arg.text);
    if (eq && allLiteral(arg, 0, eq[1].length)) {
      flag = eq[1];
      valueArg = i;
      valueStart = eq[1].length + 1;
    }
    const flagIsLiteral = allLiteral(arg, 0, flag.length);
    if (flagIsLiteral && SPARK_SUBMIT_OPTIONS_WITH_VALUE.has(flag)) {
      if (valueArg < 0) {
        if (i + 1 >= args.length) {
          lastOptionIndex = i;
          break;
        }
        valueArg = ++i;
        valueStart = 0;
      }
      lastOptionIndex = i;
      const v = args[valueArg];
      if (SPARK_SUBMIT_CONF_FLAGS.has(flag)) {
        const sep = v.text.indexOf('=', valueStart);
        if (sep < 0 || !allLiteral(v, valueStart, sep)) continue;
        const rawKey = v.text.slice(valueStart, sep);
        const key = rawKey.trim();
        if (!key.startsWith('spark.')) continue;
        const keyStart = valueStart + rawKey.indexOf(key);
        settings.push({
          key,
          sourceKey: flag,
          argIndex: valueArg,
          valueStart: sep + 1,
          valueEnd: v.text.length,
          keyStart,
          keyEnd: keyStart + key.length,
        });
      } else {
        const key = sparkKeyForFlag(flag);
        if (key) settings.push({ key, sourceKey: flag, argIndex: valueArg, valueStart, valueEnd: v.text.length });
      }
      continue;
    }
    if (flagIsLiteral && (SPARK_SUBMIT_SWITCHES.has(flag) || (flag.startsWith('-') && flag.length > 1))) {
      lastOptionIndex = i;
      continue;
    }
    return { settings, applicationFileIndex: i, lastOptionIndex };
  }
  return { settings, lastOptionIndex };
}

function allLiteral(arg: SubmitArgument, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!arg.literal[i]) return false;
  return true;
}
