/**
 * The dependency layers of ARCHITECTURE.md, checked by dependency-cruiser with the committed .dependency-cruiser.cjs:
 * shared/ ← server core ← server front ends, shared/ ← client/; only the language server's LSP glue (and the evaluation)
 * imports LSP or features/ and handlers/, so the core and the CLI compute and render without it; history/ and service/
 * never import store/; each outside I/O library has one owner module. The first test cruises the product's sources; the second cruises a small tree
 * written for the test with imports known to break those rules, so a config that matched nothing would fail it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ICruiseOptions, ICruiseResult } from 'dependency-cruiser' with { 'resolution-mode': 'import' };
import { REPO_ROOT } from './helpers/fixtures';

const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');

/** Cruises `dirs` (relative to `baseDir`) with the project's rules; the violations as `rule: from → to`, sorted. */
async function violations(baseDir: string, dirs: string[]): Promise<{ modules: number; found: string[] }> {
  // dependency-cruiser is ESM only; import() stays a dynamic import in the compiled CommonJS test (module node16).
  const { cruise } = await import('dependency-cruiser');
  const { default: extractDepcruiseOptions } = await import('dependency-cruiser/config-utl/extract-depcruise-options');
  const options: ICruiseOptions = { ...(await extractDepcruiseOptions(CONFIG)), validate: true, baseDir };
  const result = (await cruise(dirs, options)).output as ICruiseResult;
  const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
  return { modules: result.modules.length, found };
}

describe('dependency layers (dependency-cruiser, .dependency-cruiser.cjs)', function () {
  this.timeout(120_000);

  it('client/src, server/src and shared/src import nothing against the layers', async () => {
    const { modules, found } = await violations(REPO_ROOT, ['client/src', 'server/src', 'shared/src']);
    // Every source file and the packages they import (node_modules is not followed): well over the ~180 files.
    assert.ok(modules >= 150, `${modules} modules cruised`);
    assert.deepStrictEqual(found, []);
  });

  it('fails on imports against the layers (a tree written for this test)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-layers-'));
    try {
      const files: Record<string, string> = {
        'shared/src/protocol.ts':
          "import { HistoryStore } from '../../server/src/store/history-store';\nexport const s = HistoryStore;\n",
        'client/src/extension.ts':
          "import { s } from '../../shared/src/protocol';\nimport { key } from '../../server/src/config/setting';\nexport const c = [s, key];\n",
        'server/src/config/setting.ts': "import { onHover } from '../features/hover';\nexport const key = onHover;\n",
        'server/src/features/hover.ts': 'export const onHover = 1;\n',
        'server/src/history/ingest.ts':
          "import { HistoryStore } from '../store/history-store';\nexport const i = HistoryStore;\n",
        'server/src/store/history-store.ts': 'export const HistoryStore = 1;\n',
        // The temporary exception lets service/app.ts import cli/engine-commands.ts and nothing else of cli/.
        'server/src/service/app.ts':
          "import { e } from '../cli/engine-commands';\nimport { m } from '../cli/main';\nexport const a = [e, m];\n",
        'server/src/cli/engine-commands.ts': 'export const e = 1;\n',
        'server/src/cli/main.ts':
          "import { e } from './engine-commands';\nimport { x } from '../stray/x';\nexport const m = [e, x];\n",
        'server/src/stray/x.ts': "import { key } from '../config/setting';\nexport const x = key;\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), text);
      }
      const { found } = await violations(tmp, ['client/src', 'server/src', 'shared/src']);
      assert.deepStrictEqual(found, [
        'client-imports-only-shared: client/src/extension.ts → server/src/config/setting.ts',
        'core-not-front-ends: server/src/config/setting.ts → server/src/features/hover.ts',
        'every-server-module-in-a-layer: server/src/cli/main.ts → server/src/stray/x.ts',
        'every-server-module-in-a-layer: server/src/stray/x.ts → server/src/config/setting.ts',
        'front-ends-not-each-other: server/src/service/app.ts → server/src/cli/main.ts',
        'history-not-store: server/src/history/ingest.ts → server/src/store/history-store.ts',
        'lsp-glue-only-from-the-language-server: server/src/config/setting.ts → server/src/features/hover.ts',
        'shared-imports-only-shared: shared/src/protocol.ts → server/src/store/history-store.ts',
      ]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
