/**
 * What every `spark-optimizer` command shares: its output (escaped for the terminal), its flag parser and the usage
 * error that makes main() print the usage and exit 2. The commands are in main.ts (settings, workloads and the
 * dispatch), collect-commands.ts, engine-commands.ts and service-commands.ts.
 */
import { parseArgs } from 'util';
import { escapeTerminal } from '../../../shared/src/escape';

/** A wrong command line: main() prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

/**
 * Where a command prints (stdout or stderr). Everything goes through `escapeTerminal` (shared/src/escape.ts), so
 * no text from a log, a server or a file name reaches the terminal with its control characters: a `line` is one
 * output line (a newline or ESC inside an app name or path is shown as `\n`/`\u001b`, so it cannot forge a line
 * or send an ANSI/OSC sequence); `text` is text this program laid out over several lines (usage, a query table
 * or plan), which keeps its newlines only; `json` prints a value as indented JSON, escaped the same way (the
 * result parses to the same value).
 */
export interface Output {
  line: (s: string) => void;
  text: (s: string) => void;
  json: (value: unknown) => void;
}

/** An Output writing through `write` (one call per line or text). */
export function output(write: (s: string) => void): Output {
  return {
    line: (s) => write(escapeTerminal(s)),
    text: (s) => write(escapeTerminal(s, { keepNewlines: true })),
    json: (value) => write(escapeTerminal(JSON.stringify(value, null, 2), { keepNewlines: true })),
  };
}

/** A command's flags, as node:util parseArgs takes them. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/**
 * The flags and positionals of one command (strict: an unknown flag throws parseArgs' TypeError, code
 * ERR_PARSE_ARGS_*, which main() treats as a usage error). Every command also takes `--format` (default `text`).
 */
export function parse(
  args: string[],
  options: OptionSpec,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const r = parseArgs({
    args,
    options: { ...options, format: { type: 'string', default: 'text' } },
    allowPositionals: true,
    strict: true,
  });
  return { values: r.values, positionals: r.positionals };
}

/** A string flag's value; undefined when absent (or given as a boolean). */
export function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * A flag that must be a whole number ≥ 1.
 * @throws UsageError naming `--name` when it is not.
 */
export function positiveInt(name: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number of at least 1, got "${String(v)}".`);
  return n;
}
