/** Log levels in increasing verbosity. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** The one logger of the server core. The LSP server writes through the connection, the CLI to stderr. */
export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

/**
 * A logger that forwards messages at or above `level()` to `sink`.
 * @param sink writes one line (never stdout in the server: stdout is the protocol).
 * @param level read at each call so a settings change takes effect at once.
 */
export function levelLogger(sink: (level: LogLevel, msg: string) => void, level: () => LogLevel): Logger {
  const at = (l: LogLevel) => (msg: string) => {
    if (ORDER[l] <= ORDER[level()]) sink(l, msg);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
