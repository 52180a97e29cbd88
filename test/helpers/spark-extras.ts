/**
 * Where the project's set-up put the Spark extras some tests need (they install nothing themselves):
 * - Delta Lake (scripts/install-delta.sh): pyspark of the Spark line the newest Delta release is built for, in its
 *   own virtual environment, and io.delta:delta-spark_2.13 resolved into a private Ivy folder for `--packages`;
 * - MariaDB Connector/J (scripts/install-mariadb.sh), resolved into another Ivy folder;
 * - the event-log codecs jar (scripts/build-event-log-codecs.sh) for `collect --engine spark`.
 * Versions are read from those scripts (their one definition). Each function throws, naming the script to run, when
 * set-up has not been run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EVENT_LOG_CODECS_JAR } from '../../server/src/history/spark-engine/collect';
import { REPO_ROOT } from './fixtures';

function cacheDir(): string {
  return process.env.SPARK_OPTIMIZER_CACHE || path.join(os.homedir(), '.cache', 'spark-optimizer');
}

/** `NAME=value` assignments at the start of a line of one of our scripts. */
function scriptVariable(script: string, name: string): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'scripts', script), 'utf8');
  const m = new RegExp(`^${name}=([^\\s#]+)`, 'm').exec(text);
  if (!m) throw new Error(`scripts/${script} has no ${name}=`);
  return m[1];
}

/** The Delta Lake set-up of scripts/install-delta.sh. */
export interface DeltaSetup {
  /** e.g. "4.4.0" */
  deltaVersion: string;
  /** pyspark version of the Delta server, e.g. "4.2.1" */
  sparkVersion: string;
  /** SPARK_HOME inside the virtual environment. */
  sparkHome: string;
  /** `io.delta:delta-spark_2.13:<deltaVersion>` */
  deltaPackage: string;
  /** spark.jars.ivy holding the resolved package and its dependencies. */
  ivyDir: string;
}

/**
 * The Delta set-up.
 * @throws Error when scripts/install-delta.sh has not run.
 */
export function deltaSetup(): DeltaSetup {
  const deltaVersion = scriptVariable('install-delta.sh', 'DELTA_VERSION');
  const sparkVersion = scriptVariable('install-delta.sh', 'PYSPARK_VERSION');
  const home = path.join(cacheDir(), `delta-${deltaVersion}-spark-${sparkVersion}`);
  const ivyDir = path.join(home, 'ivy');
  const lib = path.join(home, 'venv', 'lib');
  const python = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  const sparkHome = python ? path.join(lib, python, 'site-packages', 'pyspark') : '';
  if (
    !sparkHome ||
    !fs.existsSync(path.join(sparkHome, 'bin', 'spark-submit')) ||
    !fs.existsSync(path.join(ivyDir, `resolved-${deltaVersion}`))
  ) {
    throw new Error(
      `Delta Lake ${deltaVersion} with Spark ${sparkVersion} is not set up in ${home}: run bash scripts/setup.sh (or bash scripts/install-delta.sh)`,
    );
  }
  return { deltaVersion, sparkVersion, sparkHome, deltaPackage: `io.delta:delta-spark_2.13:${deltaVersion}`, ivyDir };
}

/**
 * The MariaDB Connector/J jar.
 * @throws Error when scripts/install-mariadb.sh has not run.
 */
export function mariadbJdbcJar(): string {
  const version = scriptVariable('install-mariadb.sh', 'DRIVER_VERSION');
  const jar = path.join(cacheDir(), 'jdbc-ivy', 'jars', `org.mariadb.jdbc_mariadb-java-client-${version}.jar`);
  if (!fs.existsSync(jar))
    throw new Error(
      `MariaDB Connector/J ${version} is not in ${jar}: run bash scripts/setup.sh (or bash scripts/install-mariadb.sh)`,
    );
  return jar;
}

/**
 * The event-log codecs jar (jvm/event-log-codecs, built by scripts/build-event-log-codecs.sh into .tools/jvm/), which a
 * Spark Connect server needs on its class path for `collect --engine spark` to read compressed logs.
 * @throws Error when the script has not run.
 */
export function eventLogCodecsJar(): string {
  const jar = path.join(REPO_ROOT, '.tools', 'jvm', EVENT_LOG_CODECS_JAR);
  if (!fs.existsSync(jar))
    throw new Error(`${jar} is missing: run bash scripts/setup.sh (or bash scripts/build-event-log-codecs.sh)`);
  return jar;
}
