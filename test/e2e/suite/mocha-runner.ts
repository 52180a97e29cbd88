/**
 * Runs mocha files inside VS Code's extension host (the test protocol's extensionTestsPath module calls this).
 * mocha 12 is an ES module, so it is imported, not required. Results go to the console (which the workbench
 * forwards to window.codeAutomationLog) and, when $SPARK_E2E_RESULT names a file, as JSON
 * `{ passed: string[], failed: { title, error }[] }` there, for the runner outside to assert on.
 */
import * as fs from 'fs';

/** Runs `files` with mocha (bdd, 60 s per test); rejects when a test fails. */
export async function runMochaFiles(files: string[]): Promise<void> {
  const { default: Mocha } = await import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const passed: string[] = [];
  const failed: { title: string; error: string }[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((n) => resolve(n));
    runner.on('pass', (t) => passed.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) }));
  });
  console.log(`${passed.length} passed, ${failed.length} failed`);
  if (process.env.SPARK_E2E_RESULT)
    fs.writeFileSync(process.env.SPARK_E2E_RESULT, JSON.stringify({ passed, failed }, null, 2));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
