/**
 * Layer rules the architecture relies on, checked on the source text (ARCHITECTURE.md): the history core declares the
 * sink it writes to (history/ingest.ts) and the reads it offers (history/history-reader.ts); the store implements them,
 * so nothing under server/src/history/ imports server/src/store/; the REST service (server/src/service/) declares its
 * ServiceStore the same way; only the language server's glue (server.ts, server-root.ts, handlers/, features/,
 * transport/) imports LSP, so the CLI and the core render and compute without it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './helpers/fixtures';

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Imports of `server/src/<layer>/` (default store/) from the TypeScript files under `dir` (`file: specifier`), and how many files there are. */
function storeImports(dir: string, layer = 'store'): { files: number; offending: string[] } {
  const files = tsFiles(dir);
  const offending = files.flatMap((f) =>
    [...fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)]
      .map((m) => m[1])
      .filter((spec) => spec.startsWith('.') && path.resolve(path.dirname(f), spec).startsWith(path.join(REPO_ROOT, 'server', 'src', layer)))
      .map((spec) => `${path.relative(REPO_ROOT, f)}: ${spec}`),
  );
  return { files: files.length, offending };
}

describe('dependency layers', () => {
  it('server/src/history/ imports nothing from server/src/store/', () => {
    const { files, offending } = storeImports(path.join(REPO_ROOT, 'server', 'src', 'history'));
    assert.ok(files >= 20, `${files} files under history/`);
    assert.deepStrictEqual(offending, []);
  });

  it('server/src/history/ imports nothing from server/src/connect/ (the Spark engine reaches Spark through its SparkSql interface)', () => {
    const { offending } = storeImports(path.join(REPO_ROOT, 'server', 'src', 'history'), 'connect');
    assert.deepStrictEqual(offending, []);
  });

  it('server/src/service/ imports nothing from server/src/store/ (the service reads and writes through ServiceStore)', () => {
    const { files, offending } = storeImports(path.join(REPO_ROOT, 'server', 'src', 'service'));
    assert.ok(files >= 6, `${files} files under service/`);
    assert.deepStrictEqual(offending, []);
  });

  it('the database drivers are imported by the store only: pg by store/postgres-store.ts, better-sqlite3 by store/history-store.ts', () => {
    const server = path.join(REPO_ROOT, 'server', 'src');
    const owners: Record<string, string> = { pg: path.join('store', 'postgres-store.ts'), 'pg-connection-string': path.join('store', 'postgres-store.ts'), 'better-sqlite3': path.join('store', 'history-store.ts') };
    const offending = tsFiles(server).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)]
        .map((m) => m[1])
        .filter((spec) => owners[spec] !== undefined && path.relative(server, f) !== owners[spec])
        .map((spec) => `${path.relative(REPO_ROOT, f)}: ${spec}`),
    );
    assert.deepStrictEqual(offending, []);
  });

  it('only the language server\'s glue imports LSP: the core and the CLI (check prints the core\'s findings) do not', () => {
    const server = path.join(REPO_ROOT, 'server', 'src');
    // server.ts (wiring), server-root.ts (composition root), handlers/, features/ (LSP objects), transport/ (framing);
    // and evaluation/, which scores the very edits the editor's quick fix writes (features/code-actions.ts planTextEdits).
    const glue = (rel: string) => rel === 'server.ts' || rel === 'server-root.ts' || /^(handlers|features|transport|evaluation)\//.test(rel);
    const offending = tsFiles(server).flatMap((f) => {
      const rel = path.relative(server, f).split(path.sep).join('/');
      if (glue(rel)) return [];
      return [...fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)]
        .map((m) => m[1])
        .filter((spec) => /^vscode-languageserver(-protocol)?(\/|$)/.test(spec) || (spec.startsWith('.') && /^(features|handlers)\//.test(path.relative(server, path.resolve(path.dirname(f), spec)).split(path.sep).join('/'))))
        .map((spec) => `server/src/${rel}: ${spec}`);
    });
    assert.deepStrictEqual(offending, []);
  });

  it('each cloud SDK is imported by its one module under server/src/history/object-store/', () => {
    const server = path.join(REPO_ROOT, 'server', 'src');
    const owners: Record<string, string> = {
      '@aws-sdk/': path.join('history', 'object-store', 's3.ts'),
      '@azure/': path.join('history', 'object-store', 'azure.ts'),
      '@google-cloud/': path.join('history', 'object-store', 'gcs.ts'),
    };
    const offending = tsFiles(server).flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)]
        .map((m) => m[1])
        .filter((spec) => Object.entries(owners).some(([pkg, owner]) => spec.startsWith(pkg) && path.relative(server, f) !== owner))
        .map((spec) => `${path.relative(REPO_ROOT, f)}: ${spec}`),
    );
    assert.deepStrictEqual(offending, []);
  });
});
