/**
 * Runs the same extension-host suite (test/e2e/suite) in a desktop VS Code (Electron) downloaded by
 * @vscode/test-electron, with the packaged VSIX installed into a throwaway extensions folder:
 *
 *   npm run package && node build/test/e2e/run-electron.js [--vscode-version 1.101.0|stable]
 *
 * For machines where VS Code can be downloaded (update.code.visualstudio.com) and a display is available
 * (on Linux CI: xvfb-run). It CANNOT run on the development machine of this project (no internet access), so
 * it has not been run there and is not part of `npm run test:e2e`, which runs the suite in code-server
 * instead (test/e2e/extension-host.e2e.ts). Both give the suite the same environment variables.
 * Exit code 0 when every test passed.
 */
import { runTests, downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath } from '@vscode/test-electron';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, ROOT, VSIX } from './lib/code-server';
import { prepareExampleWorkspace } from './lib/workspace';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--vscode-version');
  const version = i > 0 ? process.argv[i + 1] : 'stable';
  const dir = path.join(ARTIFACTS, 'electron');
  fs.rmSync(dir, { recursive: true, force: true });
  const ws = prepareExampleWorkspace(path.join(dir, 'ws'));
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  const settings = {
    'sparkOptimizer.historyDatabase': ws.historyDatabase,
    'sparkOptimizer.eventLogFolder': path.join(ws.folder, 'history'),
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    // The folder dialog the collect test accepts must be VS Code's own (quick input), not the OS dialog.
    'files.simpleDialog.enable': true,
  };
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const executable = await downloadAndUnzipVSCode(version);
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(executable);
  execFileSync(
    cli,
    [...cliArgs, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', VSIX],
    { stdio: 'inherit' },
  );
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: path.join(ROOT, 'test', 'e2e', 'harness'),
    extensionTestsPath: path.join(ROOT, 'build', 'test', 'e2e', 'suite', 'index.js'),
    launchArgs: [
      ws.folder,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-workspace-trust',
    ],
    extensionTestsEnv: {
      SPARK_E2E_RESULT: path.join(dir, 'result.json'),
      SPARK_E2E_EXTENSIONS_DIR: extensionsDir,
      SPARK_E2E_LOGS_DIR: path.join(userDataDir, 'logs'),
      SPARK_E2E_HISTORY_DB: ws.historyDatabase,
    },
  });
}

main().catch((e) => {
  process.stderr.write(`run-electron: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
