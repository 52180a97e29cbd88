/**
 * Where the history store lives when nobody names a file: one rule for the language server and the CLI, so a store
 * collected with `spark-optimizer collect` is the one an editor without its own setting (Neovim, Helix, ...) reads.
 */
import * as os from 'os';
import * as path from 'path';
import { errorMessage } from '../../../shared/src/errors';

/**
 * The default history store file: `$SPARK_OPTIMIZER_DB` when set, else `$XDG_DATA_HOME/spark-optimizer/history.db`,
 * else `~/.local/share/spark-optimizer/history.db`. A relative `XDG_DATA_HOME` is ignored, as the XDG Base Directory
 * Specification says ("If an implementation encounters a relative path in any of these variables it should consider
 * the path invalid and ignore it"; https://specifications.freedesktop.org/basedir-spec/latest/).
 * The language server uses it when the client passes no `historyDatabase` (VS Code always passes its own), the CLI
 * when no `--db` is given, `serve` when neither its config, `--db` nor `SPARK_OPTIMIZER_DB` names one.
 * @param env the environment to read (default `process.env`).
 * @param home the home folder (default `os.homedir()`).
 * @returns an absolute path, unless `SPARK_OPTIMIZER_DB` is relative (then as given); the file may not exist yet.
 */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (env.SPARK_OPTIMIZER_DB) return env.SPARK_OPTIMIZER_DB;
  const xdg = env.XDG_DATA_HOME;
  const data = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share');
  return path.join(data, 'spark-optimizer', 'history.db');
}

/**
 * The history store could not be opened: its folder cannot be made, the file is not a SQLite database, a newer
 * version wrote it, or another process kept it locked. Carries the file and the reason; each front end words the
 * remedy (the CLI: `--db`/`SPARK_OPTIMIZER_DB`; VS Code: the `sparkOptimizer.historyDatabase` setting).
 */
export class StoreUnavailableError extends Error {
  /**
   * @param path the SQLite file.
   * @param reason why, in SQLite's or the file system's words, without the path.
   */
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`The history store ${path} could not be opened: ${reason}`);
    this.name = 'StoreUnavailableError';
  }

  /** The error for a failure to open `path` (a StoreUnavailableError unchanged; a leading "the history store PATH" dropped from the reason). */
  static of(path: string, thrown: unknown): StoreUnavailableError {
    if (thrown instanceof StoreUnavailableError) return thrown;
    const message = errorMessage(thrown);
    const prefix = [`the history store ${path} `, `The history store ${path} `].find((p) => message.startsWith(p));
    return new StoreUnavailableError(path, prefix ? `it ${message.slice(prefix.length)}` : message);
  }
}
