/**
 * A second, real LSP client: Neovim's built-in client, headless (`nvim --headless`, Debian 12's neovim package,
 * installed by scripts/setup.sh), driven by test/neovim/lsp-client.lua against the BUILT server. Neovim sends its
 * filetypes as language ids (`python`, `sh`, `conf`), not VS Code's, so this checks that the server decides the file
 * kind itself (issue 11, item 5). On a copy of examples/ (a PySpark job, its spark-submit script and
 * conf/spark-defaults.conf) with a store collected from examples/history, it checks each file's diagnostics, a hover's
 * content and a code action applied by Neovim (the buffer's text after the edit).
 * Expected values: examples/history/README.md (nightly_etl spilled with 1g executors, not with 2g) and
 * examples/conf/spark-defaults.conf read by hand (a key deprecated since Spark 2.3 on line 8, a misspelt key on line 10).
 */
import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { collectEventLogs } from '../../server/src/history/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { trackProcessGroup, untrackProcessGroup } from '../helpers/process-groups';
import { REPO_ROOT, EXAMPLES, BUILT_SERVER } from '../helpers/fixtures';

const LUA = path.join(REPO_ROOT, 'test', 'neovim', 'lsp-client.lua');

interface FileResult {
  path: string;
  filetype: string;
  diagnostics: {
    line: number;
    col: number;
    end_line: number;
    end_col: number;
    severity: number;
    code: string;
    message: string;
  }[];
  hover: string | null;
  actions: string[];
  text: string;
}

/** Runs nvim with the Lua driver and a plan; resolves with the driver's results. */
async function runNeovim(
  plan: object,
  dir: string,
): Promise<{ client: { name: string; version: string }; files: FileResult[]; error: string | null }> {
  const planFile = path.join(dir, 'plan.json');
  const out = path.join(dir, 'results.json');
  fs.writeFileSync(planFile, JSON.stringify({ ...plan, out }));
  const nvim = spawn('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-c', `luafile ${LUA}`], {
    env: {
      ...process.env,
      SPARK_LSP_PLAN: planFile,
      HOME: dir,
      XDG_STATE_HOME: path.join(dir, 'state'),
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  trackProcessGroup(nvim);
  let stderr = '';
  nvim.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => nvim.once('exit', (c) => resolve(c)));
  untrackProcessGroup(nvim);
  assert.ok(fs.existsSync(out), `nvim (exit ${code}) wrote no results; stderr: ${stderr}`);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

describe('a second LSP client: Neovim (headless, built-in LSP client)', function () {
  this.timeout(180_000);
  let tmp: string;
  let workspace: string;
  let results: Awaited<ReturnType<typeof runNeovim>>;
  const original: Record<string, string> = {};

  before(async () => {
    assert.ok(fs.existsSync(BUILT_SERVER), `${BUILT_SERVER} missing: run npm run build`);
    const version = execFileSync('nvim', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    assert.match(version, /^NVIM v0\.(?:[7-9]|\d\d)\./, 'Neovim 0.7+ (scripts/setup.sh installs Debian 12’s 0.7.2)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-nvim-'));
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(path.join(workspace, 'conf'), { recursive: true });
    for (const f of ['nightly_etl.py', 'submit_nightly_etl.sh', 'conf/spark-defaults.conf']) {
      fs.copyFileSync(path.join(EXAMPLES, f), path.join(workspace, f));
      original[f] = fs.readFileSync(path.join(EXAMPLES, f), 'utf8');
    }
    const db = path.join(tmp, 'history.db');
    const store = HistoryStore.open(db);
    try {
      const summary = await collectEventLogs(path.join(EXAMPLES, 'history'), store);
      assert.strictEqual(summary.inserted, 9, 'examples/history holds 9 runs (examples/history/README.md)');
    } finally {
      store.close();
    }
    results = await runNeovim(
      {
        node: process.execPath,
        server: BUILT_SERVER,
        root: workspace,
        historyDatabase: db,
        files: [
          {
            path: path.join(workspace, 'nightly_etl.py'),
            code: 'recommend:spark.executor.memory',
            action: 'Set spark.executor.memory to 2g',
          },
          {
            path: path.join(workspace, 'submit_nightly_etl.sh'),
            code: 'recommend:spark.executor.memory',
            action: 'Set spark.executor.memory to 2g',
          },
          {
            path: path.join(workspace, 'conf', 'spark-defaults.conf'),
            code: 'SPARK004',
            action: 'Replace with spark.executor.memoryOverhead',
          },
        ],
      },
      tmp,
    );
    assert.strictEqual(results.error, null, String(results.error));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const file = (name: string) => results.files.find((f) => f.path.endsWith(name))!;

  it('is Neovim sending its own language ids: python, sh, conf', () => {
    assert.match(results.client.version, /^0\.\d+\.\d+$/);
    assert.deepStrictEqual(
      results.files.map((f) => f.filetype),
      ['python', 'sh', 'conf'],
    );
  });

  it('PySpark file: the memory diagnostic names the runs, the hover shows them, the quick fix writes 2g', () => {
    const f = file('nightly_etl.py');
    const line = original['nightly_etl.py'].split('\n').findIndex((l) => l.includes('"spark.executor.memory"'));
    const d = f.diagnostics.find((x) => x.code === 'recommend:spark.executor.memory')!;
    assert.deepStrictEqual(
      [d.line, original['nightly_etl.py'].split('\n')[line].slice(d.col, d.end_col)],
      [line, '1g'],
    );
    assert.match(
      d.message,
      /^spark\.executor\.memory: 1g → 2g\. 2 of 2 runs of nightly_etl spilled 72\.5 MiB to disk with 1g executors; 1 run\(s\) with 2g did not \(app-20261121121849-0003\)/,
    );
    assert.match(f.hover!, /^\*\*spark\.executor\.memory\*\* = `1g`/);
    assert.match(f.hover!, /Runs of \*\*nightly_etl\*\* with this setting/);
    assert.strictEqual(
      f.text,
      original['nightly_etl.py'].replace(
        '.config("spark.executor.memory", "1g")',
        '.config("spark.executor.memory", "2g")',
      ),
    );
  });

  it('spark-submit script (filetype sh): the same recommendation on --executor-memory, fixed in place', () => {
    const f = file('submit_nightly_etl.sh');
    const d = f.diagnostics.find((x) => x.code === 'recommend:spark.executor.memory')!;
    // Line 13 (1-based) is `  --executor-memory 1g \`; the value is at column 21.
    assert.deepStrictEqual([d.line, d.col, d.end_col], [12, 20, 22]);
    assert.match(d.message, /^spark\.executor\.memory: 1g → 2g\. 2 of 2 runs of nightly_etl spilled 72\.5 MiB/);
    assert.match(f.hover!, /^\*\*spark\.executor\.memory\*\* = `1g`/);
    assert.strictEqual(
      f.text,
      original['submit_nightly_etl.sh'].replace('--executor-memory 1g', '--executor-memory 2g'),
    );
  });

  it('spark-defaults.conf (filetype conf): the deprecated and the misspelt key, the deprecation hover, the key replaced', () => {
    const f = file('spark-defaults.conf');
    assert.deepStrictEqual(f.diagnostics.map((d) => [d.code, d.line, d.col, d.end_col]).sort(), [
      ['SPARK001', 9, 0, 'spark.excutor.instances'.length],
      ['SPARK004', 7, 0, 'spark.yarn.executor.memoryOverhead'.length],
    ]);
    assert.match(
      f.diagnostics.find((d) => d.code === 'SPARK001')!.message,
      /did you mean spark\.executor\.instances\?/,
    );
    assert.match(f.hover!, /^\*\*spark\.yarn\.executor\.memoryOverhead\*\* = `512m`/);
    assert.match(f.hover!, /Deprecated since Spark 2\.3: use `spark\.executor\.memoryOverhead`/);
    assert.strictEqual(
      f.text,
      original['conf/spark-defaults.conf'].replace(
        'spark.yarn.executor.memoryOverhead',
        'spark.executor.memoryOverhead',
      ),
    );
  });
});
