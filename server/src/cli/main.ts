/**
 * `spark-optimizer`: the same core as the language server, for CI and cron.
 *
 *   spark-optimizer collect --source event-logs --path DIR [--db FILE] [--dry-run] [--format json]
 *   spark-optimizer settings FILE... [--format json]
 *   spark-optimizer check FILE... [--db FILE] [--format json]
 *   spark-optimizer jobs [--db FILE] [--format json]
 *
 * Exit codes: 0 ok, 1 `check` found something, 2 usage or input error.
 * Default store: $SPARK_OPTIMIZER_DB, else $XDG_DATA_HOME/spark-optimizer/history.db (~/.local/share/...).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { extractSettings, languageIdForPath } from '../config/file-settings';
import { onDiagnostics } from '../features/diagnostics';
import { collectEventLogs } from '../history/collect';
import { SparkLanguageService } from '../language-service';
import { HistoryStore } from '../store/history-store';
import { formatDurationMs } from '../config/spark-units';

const USAGE = `Usage:
  spark-optimizer collect --source event-logs --path DIR [--db FILE] [--dry-run] [--format json]
  spark-optimizer settings FILE... [--format json]
  spark-optimizer check FILE... [--db FILE] [--format json]
  spark-optimizer jobs [--db FILE] [--format json]`;

class UsageError extends Error {}

/** Default store path for the CLI. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPARK_OPTIMIZER_DB) return env.SPARK_OPTIMIZER_DB;
  const data = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'spark-optimizer', 'history.db');
}

/**
 * Runs one CLI invocation.
 * @param argv arguments after the program name.
 * @param out writes to stdout; err to stderr.
 * @returns the exit code.
 */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'collect':
        return await collect(rest, out);
      case 'settings':
        return settings(rest, out);
      case 'check':
        return check(rest, out);
      case 'jobs':
        return jobs(rest, out);
      case '--help':
      case '-h':
      case 'help':
        out(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      err(`spark-optimizer: ${e.message}\n${USAGE}`);
      return 2;
    }
    err(`spark-optimizer: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

function parse(args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const r = parseArgs({ args, options: { ...options, format: { type: 'string', default: 'text' } }, allowPositionals: true, strict: true });
  return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
}

async function collect(args: string[], out: (s: string) => void): Promise<number> {
  const { values } = parse(args, { source: { type: 'string', default: 'event-logs' }, path: { type: 'string' }, db: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } });
  if (values.source !== 'event-logs') throw new UsageError(`--source ${String(values.source)} is not supported yet (only event-logs).`);
  if (typeof values.path !== 'string') throw new UsageError('collect needs --path DIR (a folder of Spark event logs).');
  if (!fs.existsSync(values.path)) throw new Error(`No such folder: ${values.path}`);
  const dbPath = typeof values.db === 'string' ? values.db : defaultDbPath();
  const store = HistoryStore.open(dbPath);
  try {
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    const s = await collectEventLogs(values.path, store, { dryRun: values['dry-run'] === true, signal: abort.signal });
    process.removeListener('SIGINT', onSignal);
    if (values.format === 'json') {
      out(JSON.stringify({ db: dbPath, ...s, storedApplications: store.countApplications() }, null, 2));
    } else {
      for (const a of s.applications) out(`${a.outcome.padEnd(9)} ${a.appId}${a.attemptId ? ` (attempt ${a.attemptId})` : ''}  ${a.appName}`);
      for (const f of s.failed) out(`failed    ${f.path}: ${f.reason}`);
      out(
        `${values['dry-run'] ? 'Dry run: ' : ''}${s.found} event log(s) in ${values.path}: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.failed.length} failed` +
          `${s.malformedLines ? `, ${s.malformedLines} malformed line(s) skipped` : ''}${s.cancelled ? ' (cancelled)' : ''}. Store: ${dbPath} (${store.countApplications()} applications).`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

function filesOf(positionals: string[]): string[] {
  if (positionals.length === 0) throw new UsageError('Give at least one file.');
  for (const f of positionals) if (!fs.existsSync(f)) throw new Error(`No such file: ${f}`);
  return positionals;
}

function readSettings(file: string) {
  const text = fs.readFileSync(file, 'utf8');
  const languageId = languageIdForPath(file, text);
  return { text, languageId, settings: extractSettings(text, languageId) };
}

function settings(args: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(args, {});
  const result = filesOf(positionals).map((file) => {
    const { settings: fs_ } = readSettings(file);
    return {
      file,
      settings: fs_.blocks.flatMap((b) =>
        b.settings.map((s) => ({
          key: s.key,
          value: s.value,
          raw: s.raw,
          literal: s.literal,
          sourceKey: s.sourceKey,
          origin: s.origin,
          ineffective: s.ineffective ?? null,
          range: { start: { line: s.range.start.line + 1, column: s.range.start.character + 1 }, end: { line: s.range.end.line + 1, column: s.range.end.character + 1 } },
        })),
      ),
    };
  });
  if (values.format === 'json') out(JSON.stringify(result, null, 2));
  else
    for (const f of result)
      for (const s of f.settings)
        out(`${f.file}:${s.range.start.line}:${s.range.start.column}-${s.range.end.line}:${s.range.end.column}  ${s.key} = ${s.literal ? s.value : s.raw}${s.literal ? '' : '  (not a literal)'}${s.ineffective ? '  (no effect here)' : ''}`);
  return 0;
}

function check(args: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(args, { db: { type: 'string' } });
  const files = filesOf(positionals);
  const dbPath = typeof values.db === 'string' ? values.db : defaultDbPath();
  const store = HistoryStore.open(dbPath);
  try {
    const service = new SparkLanguageService(store);
    const findings: object[] = [];
    let count = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const analysis = service.analyse(pathToFileURL(path.resolve(file)).toString(), text, languageIdForPath(file, text));
      const diags = onDiagnostics(analysis);
      count += diags.length;
      for (const d of diags) {
        const severity = d.severity === DiagnosticSeverity.Error ? 'error' : d.severity === DiagnosticSeverity.Warning ? 'warning' : 'info';
        const rec = analysis.sites.flatMap((s) => s.recommendations).find((r) => d.code === `recommend:${r.key}`);
        if (values.format === 'json') {
          findings.push({ file, line: d.range.start.line + 1, column: d.range.start.character + 1, severity, code: d.code, message: d.message, recommendation: rec ?? null });
        } else {
          out(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${severity} ${d.message}`);
          for (const e of rec?.evidence ?? []) out(`    ${e.appId}: ${e.metric} ${e.value}${e.under ? ` (${e.under})` : ''}`);
        }
      }
      if (values.format !== 'json') {
        for (const s of analysis.sites) {
          if (!s.job) out(`${file}:${s.site.range.start.line + 1}:${s.site.range.start.character + 1} info no runs of this job in ${dbPath} (run "spark-optimizer collect" first)`);
          else if (s.recommendations.length === 0)
            out(`${file}:${s.site.range.start.line + 1}:${s.site.range.start.character + 1} info ${s.job.appName}: ${s.runs.length} run(s), median ${formatDurationMs(median(s.runs.map((r) => r.durationMs)))}; nothing to change`);
        }
      }
    }
    if (values.format === 'json') out(JSON.stringify(findings, null, 2));
    return count > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}

function jobs(args: string[], out: (s: string) => void): number {
  const { values } = parse(args, { db: { type: 'string' } });
  const dbPath = typeof values.db === 'string' ? values.db : defaultDbPath();
  const store = HistoryStore.open(dbPath);
  try {
    const list = store.listJobs();
    if (values.format === 'json') out(JSON.stringify(list, null, 2));
    else {
      out(`${'app name'.padEnd(32)} ${'runs'.padStart(5)}  ${'median'.padStart(9)}  last run (UTC)`);
      for (const j of list) out(`${j.appName.padEnd(32)} ${String(j.runs).padStart(5)}  ${formatDurationMs(j.medianDurationMs).padStart(9)}  ${new Date(j.lastStartTimeMs).toISOString().slice(0, 16).replace('T', ' ')}`);
      out(`${list.length} job(s), ${store.countApplications()} application(s) in ${dbPath}`);
    }
    return 0;
  } finally {
    store.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

if (require.main === module) {
  main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n')).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`spark-optimizer: ${String(e)}\n`);
      process.exit(2);
    },
  );
}
