/**
 * Layer rules the architecture relies on, checked on the source text (ARCHITECTURE.md): the history core declares the
 * sink it writes to (history/ingest.ts) and the reads it offers (history/history-reader.ts); the store implements them,
 * so nothing under server/src/history/ imports server/src/store/.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('dependency layers', () => {
  it('server/src/history/ imports nothing from server/src/store/', () => {
    const history = path.join(ROOT, 'server', 'src', 'history');
    const files = tsFiles(history);
    assert.ok(files.length >= 20, `${files.length} files under history/`);
    const offending = files.flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)]
        .map((m) => m[1])
        .filter((spec) => spec.startsWith('.') && path.resolve(path.dirname(f), spec).startsWith(path.join(ROOT, 'server', 'src', 'store')))
        .map((spec) => `${path.relative(ROOT, f)}: ${spec}`),
    );
    assert.deepStrictEqual(offending, []);
  });
});
