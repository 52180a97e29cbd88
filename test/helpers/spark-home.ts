/**
 * SPARK_HOME for the live tests: the Spark distribution inside the pip-installed pyspark that scripts/setup.sh
 * installs (scripts/install-pyspark.sh). Tests never install anything: when pyspark is missing this throws with the
 * set-up command to run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * $SPARK_HOME when it holds bin/spark-submit, else the folder of python3's pyspark module.
 * @throws Error naming scripts/setup.sh when neither holds a Spark distribution.
 */
export function sparkHome(): string {
  const env = process.env.SPARK_HOME;
  if (env && fs.existsSync(path.join(env, 'bin', 'spark-submit'))) return env;
  const python = process.env.PYTHON ?? 'python3';
  const r = spawnSync(python, ['-c', 'import pyspark, os; print(os.path.dirname(pyspark.__file__))'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const home = r.status === 0 ? r.stdout.trim() : '';
  if (!home || !fs.existsSync(path.join(home, 'bin', 'spark-submit'))) {
    throw new Error(
      `no Spark distribution: set SPARK_HOME or run bash scripts/setup.sh (it installs pyspark with scripts/install-pyspark.sh; Java 17+ needed)${r.stderr ? `:\n${r.stderr.trim()}` : ''}`,
    );
  }
  return home;
}
