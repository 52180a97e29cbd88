#!/usr/bin/env node
// Builds the VSIX with @vscode/vsce from .vscodeignore's allow-list, then checks it:
//   node scripts/package-vsix.js [--out FILE]      (default build/spark-resource-optimizer.vsix)
// Run after `npm run build` (`npm run package` does both). The README's relative links stay relative
// (--no-rewrite-relative-links): the project has no public repository URL, and docs/images ships in the VSIX, so
// VS Code's extension page finds the pictures inside the installed extension.
//
// The VSIX is platform-specific (vsce --target, e.g. linux-x64): tree-sitter's prebuilt linux-x64 binary needs
// GLIBCXX_3.4.31 (GCC 13's libstdc++), so on an older glibc (Debian 12) its install script builds
// node_modules/tree-sitter/build/Release/tree_sitter_runtime_binding.node from source, and node-gyp-build loads
// build/Release before prebuilds/. That local build only runs on the machine kind it was built on.
// All native modules are Node-API builds, so the same files load in Node 22 and in VS Code's Electron runtime.
//
// Checks (exit 1 with the reason on failure): every file in the VSIX is under an allowed prefix (no sources,
// tests, node-gyp objects or other node_modules); the bundles and each native module are present; and a
// fresh Node process started in an unpacked copy (outside this repository, so no parent node_modules can
// help) opens an in-memory better-sqlite3 database and parses Python and bash with tree-sitter.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const yauzl = require('yauzl');

const root = path.join(__dirname, '..');

/** vsce's target name for this machine: linux-x64, alpine-x64, darwin-arm64, win32-x64, ... */
function vsceTarget() {
  let platform = process.platform;
  if (platform === 'linux') {
    const report = process.report.getReport();
    if (!report.header.glibcVersionRuntime) platform = 'alpine';
  }
  return `${platform}-${process.arch}`;
}

/** Entries of a zip file, as paths, sorted. */
function zipEntries(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      zip.on('entry', (e) => { names.push(e.fileName); zip.readEntry(); });
      zip.on('end', () => resolve(names.sort()));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Unpacks a zip file into a folder (entries are checked to stay below it). */
function unzip(file, dest) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (e) => {
        const target = path.resolve(dest, e.fileName);
        if (!target.startsWith(path.resolve(dest) + path.sep)) return reject(new Error(`zip entry escapes: ${e.fileName}`));
        if (e.fileName.endsWith('/')) { fs.mkdirSync(target, { recursive: true }); zip.readEntry(); return; }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          stream.pipe(fs.createWriteStream(target)).on('finish', () => zip.readEntry()).on('error', reject);
        });
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|readme\.md|LICENSE(\.txt)?|changelog\.md)$/i,
  /^extension\/client\/out\/extension\.js$/,
  /^extension\/client\/out\/webview\/(job-analysis|query-result)\.js$/,
  /^extension\/server\/out\/(server|analysis-worker|cli)\.js$/,
  /^extension\/server\/out\/.*\.proto$/,
  /^extension\/bin\/spark-optimizer$/,
  /^extension\/(syntaxes|media)\//,
  /^extension\/docs\/images\/[^/]+\.png$/,
  /^extension\/node_modules\/better-sqlite3\/(package\.json|LICENSE|lib\/.*\.js|prebuilds\/[^/]+\.node)$/,
  /^extension\/node_modules\/tree-sitter\/(package\.json|LICENSE|index\.js|prebuilds\/[^/]+\/[^/]+\.node|build\/Release\/[^/]+\.node)$/,
  /^extension\/node_modules\/tree-sitter-(python|bash)\/(package\.json|LICENSE|bindings\/node\/index\.js|src\/node-types\.json|prebuilds\/[^/]+\/[^/]+\.node|build\/Release\/[^/]+\.node)$/,
  /^extension\/node_modules\/node-gyp-build\/(package\.json|LICENSE|index\.js|node-gyp-build\.js)$/,
];
const REQUIRED = [
  'extension/package.json',
  'extension/client/out/extension.js',
  'extension/client/out/webview/job-analysis.js',
  'extension/client/out/webview/query-result.js',
  'extension/server/out/server.js',
  'extension/server/out/analysis-worker.js',
  'extension/server/out/cli.js',
  'extension/node_modules/better-sqlite3/lib/index.js',
  'extension/node_modules/tree-sitter/index.js',
  'extension/node_modules/tree-sitter-python/bindings/node/index.js',
  'extension/node_modules/tree-sitter-bash/bindings/node/index.js',
  'extension/node_modules/node-gyp-build/node-gyp-build.js',
];

// Loads every native module from the unpacked extension folder and uses it once, on the main thread and again in a
// worker thread (the language server parses and analyses documents in server/out/analysis-worker.js); prints one
// JSON line.
const USE_NATIVES = `
const path = require('path');
function useNatives() {
  const D = require(path.resolve('node_modules/better-sqlite3'));
  const sqlite = new D(':memory:').prepare('select sqlite_version() as v').get().v;
  const Parser = require(path.resolve('node_modules/tree-sitter'));
  const p = new Parser();
  p.setLanguage(require(path.resolve('node_modules/tree-sitter-python')));
  const py = p.parse('spark.conf.set("spark.executor.memory", "2g")').rootNode.firstChild.type;
  p.setLanguage(require(path.resolve('node_modules/tree-sitter-bash')));
  const sh = p.parse('spark-submit --executor-memory 2g job.py').rootNode.firstChild.type;
  return { sqlite, py, sh };
}
`;
const LOAD_NATIVES = `${USE_NATIVES}
const { Worker } = require('worker_threads');
const main = useNatives();
const w = new Worker(${JSON.stringify(USE_NATIVES)} + "require('worker_threads').parentPort.postMessage(useNatives());", { eval: true });
w.once('message', (worker) => console.log(JSON.stringify({ node: process.version, ...main, worker })));
w.once('error', (e) => console.log(JSON.stringify({ node: process.version, ...main, worker: { error: String(e) } })));
`;

async function main() {
  const outArg = process.argv.indexOf('--out');
  const out = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, 'build', 'spark-resource-optimizer.vsix'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const target = vsceTarget();
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const entries = (await zipEntries(out)).filter((e) => !e.endsWith('/'));
  const bad = entries.filter((e) => !ALLOWED.some((re) => re.test(e)));
  const missing = REQUIRED.filter((r) => !entries.includes(r));
  if (bad.length || missing.length) {
    throw new Error(`VSIX ${out} ${bad.length ? `holds files outside the allow-list: ${bad.join(', ')}` : ''}${missing.length ? ` lacks ${missing.join(', ')}` : ''}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-check-'));
  try {
    await unzip(out, tmp);
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', LOAD_NATIVES], { cwd: path.join(tmp, 'extension'), encoding: 'utf8' }));
    const same = loaded.worker && loaded.worker.sqlite === loaded.sqlite && loaded.worker.py === loaded.py && loaded.worker.sh === loaded.sh;
    if (!/^3\.\d+\.\d+$/.test(loaded.sqlite) || loaded.py !== 'expression_statement' || loaded.sh !== 'command' || !same) {
      throw new Error(`natives from the unpacked VSIX gave unexpected results: ${JSON.stringify(loaded)}`);
    }
    const size = fs.statSync(out).size;
    console.log(`package: ${path.relative(root, out)} (${target}, ${entries.length} files, ${(size / 1048576).toFixed(1)} MiB); natives load from the unpacked VSIX in Node ${loaded.node}, on the main thread and in a worker thread: SQLite ${loaded.sqlite}, tree-sitter python + bash`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`package: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
