/**
 * Where the tests' real inputs and the built artefacts live, resolved once from this module's place
 * (build/test/helpers/fixtures.js) so a test in test/, test/live/, test/bench/ or test/e2e/ names a fixture the
 * same way. Provenance of every Spark fixture: test/fixtures/spark/README.md; of the example runs:
 * examples/history/README.md.
 */
import * as path from 'path';

/** The repository root (three folders above build/test/helpers). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** package.json of the extension (its contributes, engines and scripts). */
export const PACKAGE_JSON = path.join(REPO_ROOT, 'package.json');

/** examples/: the job files the README and the e2e workspace use. */
export const EXAMPLES = path.join(REPO_ROOT, 'examples');
/** examples/history: event logs written by real PySpark 4.3.0 runs of the example jobs. */
export const EXAMPLE_HISTORY = path.join(EXAMPLES, 'history');
/** examples/nightly_etl.py: the PySpark job whose runs fill most of examples/history. */
export const NIGHTLY_ETL_PY = path.join(EXAMPLES, 'nightly_etl.py');

/** test/fixtures: real files from Spark and from public repositories, with provenance tables. */
export const TEST_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
/** test/fixtures/spark: event logs and History Server responses. */
export const SPARK_FIXTURES = path.join(TEST_FIXTURES, 'spark');
/** test/fixtures/spark/event-logs: event logs from Spark's own test resources and other public projects. */
export const EVENT_LOG_FIXTURES = path.join(SPARK_FIXTURES, 'event-logs');
/** test/fixtures/spark/history-server: History Server REST responses. */
export const HISTORY_SERVER_FIXTURES = path.join(SPARK_FIXTURES, 'history-server');
/** test/fixtures/configs: job files and configuration files from public repositories, per file kind. */
export const CONFIG_FIXTURES = path.join(TEST_FIXTURES, 'configs');
/** test/fixtures/grammars: TextMate grammars the grammar tests embed ours in. */
export const GRAMMAR_FIXTURES = path.join(TEST_FIXTURES, 'grammars');
/** test/fixtures/store: history store files written by older schema versions. */
export const STORE_FIXTURES = path.join(TEST_FIXTURES, 'store');

/** eval/: the committed evaluation runs, grid and result. */
export const EVAL_DIR = path.join(REPO_ROOT, 'eval');

/** The bundled language server the protocol tests start (npm run build writes it). */
export const BUILT_SERVER = path.join(REPO_ROOT, 'server', 'out', 'server.js');
/** The bundled CLI (npm run build writes it). */
export const BUILT_CLI = path.join(REPO_ROOT, 'server', 'out', 'cli.js');
/** The CLI launcher users run (bin/spark-optimizer). */
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'spark-optimizer');
