/**
 * Example workspaces for the e2e tests: a copy of examples/ (the job files and the real Spark 4 event logs in
 * examples/history, see examples/history/README.md) in a temporary folder, with a history store collected
 * from examples/history by the built CLI (server/out/cli.js), so the extension under test only reads it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './code-server';

/** A prepared workspace: the folder to open and the SQLite store holding the example runs. */
export interface ExampleWorkspace {
  folder: string;
  historyDatabase: string;
  /** The CLI's summary line, e.g. "9 event log(s) in ...: 9 new, 0 updated, 0 unchanged, 0 failed. ..." */
  collectSummary: string;
}

/**
 * Copies examples/ to `<dir>/workspace`, collects examples/history into `<dir>/store/history.db` with
 * `node server/out/cli.js collect`, and writes `.vscode/settings.json` from `workspaceSettings` when given.
 * Throws when the CLI fails or does not report the 9 example runs (examples/history/README.md lists 9).
 */
export function prepareExampleWorkspace(dir: string, workspaceSettings?: Record<string, unknown>): ExampleWorkspace {
  const folder = path.join(dir, 'workspace');
  const historyDatabase = path.join(dir, 'store', 'history.db');
  fs.mkdirSync(path.dirname(historyDatabase), { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples'), folder, { recursive: true });
  if (workspaceSettings) {
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings, null, 2));
  }
  const out = execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'server', 'out', 'cli.js'),
      'collect',
      '--source',
      'event-logs',
      '--path',
      path.join(folder, 'history'),
      '--db',
      historyDatabase,
    ],
    { encoding: 'utf8' },
  );
  const collectSummary = out.trim().split('\n').pop() ?? '';
  if (!/: 9 new, 0 updated, 0 unchanged, 0 failed\./.test(collectSummary)) {
    throw new Error(`collecting examples/history gave: ${collectSummary}`);
  }
  return { folder, historyDatabase, collectSummary };
}
