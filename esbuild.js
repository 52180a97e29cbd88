// Builds the two shipped bundles: client/out/extension.js (VS Code extension) and
// server/out/server.js (language server) with its analysis worker server/out/analysis-worker.js, plus
// server/out/cli.js (command-line tool).
// Native modules stay external and ship in node_modules (house style 23).
const esbuild = require('esbuild');

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // jsonc-parser's UMD main does dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  external: ['vscode', 'better-sqlite3', 'tree-sitter', 'tree-sitter-python', 'tree-sitter-bash'],
};

async function main() {
  const builds = [
    { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js' },
    { ...common, entryPoints: ['server/src/server.ts'], outfile: 'server/out/server.js' },
    // The server's analysis worker thread (documents/document-analyses.ts loads it from beside server.js).
    { ...common, entryPoints: ['server/src/documents/analysis-worker.ts'], outfile: 'server/out/analysis-worker.js' },
    { ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'server/out/cli.js' },
    // The workload-analysis webview's script: a browser IIFE with chart.js bundled in (the webview loads nothing else).
    {
      ...common,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      external: [],
      entryPoints: ['client/src/webview/workload-analysis.ts'],
      outfile: 'client/out/webview/workload-analysis.js',
      minify: true,
    },
    // The query result webview's script: apache-arrow bundled in, so pages are read from the result's Arrow batches.
    {
      ...common,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      external: [],
      entryPoints: ['client/src/webview/query-result.ts'],
      outfile: 'client/out/webview/query-result.js',
      minify: true,
    },
  ].filter((b) => require('fs').existsSync(b.entryPoints[0]));
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}
main().catch((e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
