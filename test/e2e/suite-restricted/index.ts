/** extensionTestsPath of the restricted-workspace run (test/e2e/ui/restricted.e2e.ts starts it). */
import * as path from 'path';
import { runMochaFiles } from '../suite/mocha-runner';

/** Called by VS Code's extension host when the payload names this module as extensionTestsPath. */
export function run(): Promise<void> {
  return runMochaFiles([path.join(__dirname, 'restricted.e2e.js')]);
}
