#!/usr/bin/env node
// Builds a platform VSIX with @vscode/vsce from .vscodeignore's allow-list, then checks it:
//   node scripts/package-vsix.js [--target T] [--out FILE]
// T is a vsce target of TARGETS below (default: this machine's); FILE defaults to build/spark-resource-optimizer.vsix
// for this machine's target (what npm run test:e2e installs) and build/spark-resource-optimizer-<T>.vsix otherwise.
// Each VSIX holds only its target's native files: every native package ships Node-API prebuilds for all five
// targets in its npm tarball (better-sqlite3 13.2.0 prebuilds/<target>.node, tree-sitter 0.25 and its grammars
// prebuilds/<target>/*.node), and the local node-gyp build (build/Release) ships only in this machine's target.
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
// tests, node-gyp objects, other targets' natives or other node_modules); the bundles and each native module of the
// target are present; each native file has the target's binary format (the `file` command: ELF x86-64 / aarch64,
// Mach-O x86_64 / arm64, PE32+ x86-64); and, for this machine's target only, a fresh Node process started in an
// unpacked copy (outside this repository, so no parent node_modules can help) opens an in-memory better-sqlite3
// database and parses Python and bash with tree-sitter. Other targets' VSIXs are loaded by the release workflow
// (.github/workflows/release.yml) on a runner of that OS.
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
      zip.on('entry', (e) => {
        names.push(e.fileName);
        zip.readEntry();
      });
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
        if (!target.startsWith(path.resolve(dest) + path.sep))
          return reject(new Error(`zip entry escapes: ${e.fileName}`));
        if (e.fileName.endsWith('/')) {
          fs.mkdirSync(target, { recursive: true });
          zip.readEntry();
          return;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        zip.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          stream
            .pipe(fs.createWriteStream(target))
            .on('finish', () => zip.readEntry())
            .on('error', reject);
        });
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * The targets released, with what `file` (libmagic) prints for a native module built for each; the Node platform
 * and arch of a target are its two halves (the natives' prebuilds are named the same way).
 */
const TARGETS = {
  'linux-x64': /^ELF 64-bit LSB shared object, x86-64\b/,
  'linux-arm64': /^ELF 64-bit LSB shared object, ARM aarch64\b/,
  'darwin-x64': /^Mach-O 64-bit x86_64 bundle\b/,
  'darwin-arm64': /^Mach-O 64-bit arm64 bundle\b/,
  'win32-x64': /^PE32\+ executable \(DLL\) .*x86-64, for MS Windows\b/,
};
const TREE_SITTER_PACKAGES = ['tree-sitter', 'tree-sitter-python', 'tree-sitter-bash'];
const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Files allowed in the VSIX of `target` (regular expressions over zip entry names). */
function allowedFor(target, withLocalBuild) {
  const t = esc(target);
  const release = withLocalBuild ? '|build\\/Release\\/[^/]+\\.node' : '';
  return [
    /^\[Content_Types\]\.xml$/,
    /^extension\.vsixmanifest$/,
    /^extension\/(package\.json|readme\.md|LICENSE(\.txt)?|changelog\.md)$/i,
    /^extension\/client\/out\/extension\.js$/,
    /^extension\/client\/out\/webview\/(workload-analysis|query-result)\.js$/,
    /^extension\/server\/out\/(server|analysis-worker|cli)\.js$/,
    /^extension\/server\/out\/.*\.proto$/,
    /^extension\/bin\/spark-optimizer$/,
    /^extension\/(syntaxes|media)\//,
    /^extension\/docs\/images\/[^/]+\.png$/,
    new RegExp(
      `^extension\\/node_modules\\/better-sqlite3\\/(package\\.json|LICENSE|lib\\/.*\\.js|prebuilds\\/${t}\\.node)$`,
    ),
    new RegExp(
      `^extension\\/node_modules\\/tree-sitter\\/(package\\.json|LICENSE|index\\.js|prebuilds\\/${t}\\/[^/]+\\.node${release})$`,
    ),
    new RegExp(
      `^extension\\/node_modules\\/tree-sitter-(python|bash)\\/(package\\.json|LICENSE|bindings\\/node\\/index\\.js|src\\/node-types\\.json|prebuilds\\/${t}\\/[^/]+\\.node${release})$`,
    ),
    /^extension\/node_modules\/node-gyp-build\/(package\.json|LICENSE|index\.js|node-gyp-build\.js)$/,
  ];
}

/** Files the VSIX of `target` must hold. */
function requiredFor(target) {
  return [
    'extension/package.json',
    'extension/client/out/extension.js',
    'extension/client/out/webview/workload-analysis.js',
    'extension/client/out/webview/query-result.js',
    'extension/server/out/server.js',
    'extension/server/out/analysis-worker.js',
    'extension/server/out/cli.js',
    'extension/node_modules/better-sqlite3/lib/index.js',
    `extension/node_modules/better-sqlite3/prebuilds/${target}.node`,
    'extension/node_modules/tree-sitter/index.js',
    'extension/node_modules/tree-sitter-python/bindings/node/index.js',
    'extension/node_modules/tree-sitter-bash/bindings/node/index.js',
    ...TREE_SITTER_PACKAGES.map((p) => `extension/node_modules/${p}/prebuilds/${target}/${p}.node`),
    'extension/node_modules/node-gyp-build/node-gyp-build.js',
  ];
}

/**
 * The .vscodeignore of one target: the repository's allow-list with its re-includes of all targets' prebuilds
 * narrowed to this target's, and, for another machine's target, without the local node-gyp builds (build/Release
 * holds this machine's binaries). vsce keeps a file that any `!` pattern re-includes, whatever the order, so the
 * re-includes themselves are rewritten.
 */
function ignoreFileFor(target, withLocalBuild) {
  let text = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
  const swap = (from, to) => {
    if (!text.includes(from)) throw new Error(`.vscodeignore lacks the line ${from.trim()}`);
    text = text.replace(from, to);
  };
  swap('\n!node_modules/better-sqlite3/prebuilds/**\n', `\n!node_modules/better-sqlite3/prebuilds/${target}.node\n`);
  for (const p of TREE_SITTER_PACKAGES) {
    swap(`\n!node_modules/${p}/prebuilds/**\n`, `\n!node_modules/${p}/prebuilds/${target}/*.node\n`);
    if (!withLocalBuild) swap(`\n!node_modules/${p}/build/Release/*.node\n`, '\n');
  }
  return `${text}# (rewritten by scripts/package-vsix.js for ${target})\n`;
}

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

/** `file -b` of one file (libmagic's description of its format), or null when there is no `file` command. */
function fileFormat(file) {
  try {
    return execFileSync('file', ['-b', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

async function main() {
  const argValue = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const host = vsceTarget();
  const target = argValue('--target') ?? host;
  if (!(target in TARGETS)) throw new Error(`--target ${target}: not one of ${Object.keys(TARGETS).join(', ')}`);
  const native = target === host;
  const outArg = argValue('--out');
  const out = path.resolve(
    outArg ??
      path.join(root, 'build', native ? 'spark-resource-optimizer.vsix' : `spark-resource-optimizer-${target}.vsix`),
  );
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-check-'));
  try {
    const ignoreFile = path.join(tmp, '.vscodeignore');
    fs.writeFileSync(ignoreFile, ignoreFileFor(target, native));
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(
      process.execPath,
      [
        vsce,
        'package',
        '--target',
        target,
        '--ignoreFile',
        ignoreFile,
        '--skip-license',
        '--allow-missing-repository',
        '--no-rewrite-relative-links',
        '-o',
        out,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const entries = (await zipEntries(out)).filter((e) => !e.endsWith('/'));
    const allowed = allowedFor(target, native);
    const bad = entries.filter((e) => !allowed.some((re) => re.test(e)));
    const missing = requiredFor(target).filter((r) => !entries.includes(r));
    if (bad.length || missing.length) {
      throw new Error(
        `VSIX ${out} ${bad.length ? `holds files outside the allow-list: ${bad.join(', ')}` : ''}${missing.length ? ` lacks ${missing.join(', ')}` : ''}`,
      );
    }
    const unpacked = path.join(tmp, 'unpacked');
    await unzip(out, unpacked);
    const natives = entries.filter((e) => e.endsWith('.node'));
    // Without a `file` command (a Windows runner) only this machine's target can be checked, by loading it below.
    const described = natives.map((e) => ({
      entry: e.replace(/^extension\//, ''),
      format: fileFormat(path.join(unpacked, e)),
    }));
    if (described.some((d) => d.format === null) && !native)
      throw new Error(`the \`file\` command is needed to check the natives of ${target}`);
    const formats = described.map((d) => `${d.entry}: ${d.format ?? '(no file command: checked by loading)'}`);
    const wrong = described
      .filter((d) => d.format !== null && !TARGETS[target].test(d.format))
      .map((d) => `${d.entry}: ${d.format}`);
    if (wrong.length)
      throw new Error(`VSIX ${out} for ${target} holds natives of another format:\n  ${wrong.join('\n  ')}`);
    const size = fs.statSync(out).size;
    const head = `package: ${path.relative(root, out)} (${target}, ${entries.length} files, ${(size / 1048576).toFixed(1)} MiB)`;
    if (!native) {
      console.log(`${head}; natives in the target's format (not loadable on ${host}):\n  ${formats.join('\n  ')}`);
      return;
    }
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', LOAD_NATIVES], { cwd: path.join(unpacked, 'extension'), encoding: 'utf8' }),
    );
    const same =
      loaded.worker &&
      loaded.worker.sqlite === loaded.sqlite &&
      loaded.worker.py === loaded.py &&
      loaded.worker.sh === loaded.sh;
    if (
      !/^3\.\d+\.\d+$/.test(loaded.sqlite) ||
      loaded.py !== 'expression_statement' ||
      loaded.sh !== 'command' ||
      !same
    ) {
      throw new Error(`natives from the unpacked VSIX gave unexpected results: ${JSON.stringify(loaded)}`);
    }
    console.log(
      `${head}; natives load from the unpacked VSIX in Node ${loaded.node}, on the main thread and in a worker thread: SQLite ${loaded.sqlite}, tree-sitter python + bash:\n  ${formats.join('\n  ')}`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`package: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
