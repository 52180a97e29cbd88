/**
 * extensionTestsPath of the trusted-workspace run: every `*.e2e.js` file beside this one except the
 * restricted-workspace tests (restricted/index.ts runs those in a workspace that is not trusted).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runMochaFiles } from './mocha-runner';

/** Called by VS Code's extension host when the payload names this module as extensionTestsPath. */
export function run(): Promise<void> {
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.e2e.js'))
    .sort()
    .map((f) => path.join(__dirname, f));
  return runMochaFiles(files);
}
