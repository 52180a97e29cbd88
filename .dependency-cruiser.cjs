// The dependency layers of ARCHITECTURE.md ("Layers: what may import what"), checked by dependency-cruiser.
// test/dependency-layers.test.ts cruises client/src, server/src and shared/src with this file in the unit tier
// (npm test) and fails on any violation; `npm run lint:deps` prints the same check for a person.
//
//   shared/  ←  server core  ←  server front ends (language server, cli, service, evaluation)
//   shared/  ←  client/ (VS Code extension and its webviews)
//
// Paths are relative to the repository root. Type-only imports count (tsPreCompilationDeps): a type is a dependency
// as much as a value is.
'use strict';

/** Regular expressions of each layer's modules. */
const SHARED = '^shared/src/';
const CLIENT = '^client/src/';
/**
 * The server core: knows nothing of LSP, the CLI or HTTP routes; takes and returns plain data. I/O edges live here
 * behind their own modules (store/ SQLite, history/ files and HTTP, connect/ Spark Connect, workspace/ files beside a
 * document). language-service.ts is the core's facade; document-findings.ts a document's findings as plain data (the
 * editor's diagnostics and the CLI's check both render them); logger.ts the interface every front end gives the core;
 * process-errors.ts the process-level error handlers every server process installs.
 */
const CORE = [
  '^server/src/(config|history|store|analysis|recommend|resource-model|workspace)/',
  '^server/src/connect/(?!cli-query[.]ts$)',
  '^server/src/(language-service|document-findings|logger|process-errors)[.]ts$',
];
/**
 * The language server's LSP glue: server.ts (wiring), server-root.ts (the composition root), handlers/ (requests and
 * notifications), features/ (LSP objects from the core's analyses), transport/ (framing and lifecycle).
 */
const LSP_GLUE = ['^server/src/(features|handlers|transport)/', '^server/src/(server|server-root)[.]ts$'];
/**
 * The language server front end: its LSP glue, plus documents/ (each document analysed in a worker thread) and
 * settings-cache.ts (settings pulled per document), which know nothing of LSP.
 */
const LANGUAGE_SERVER = [...LSP_GLUE, '^server/src/documents/', '^server/src/settings-cache[.]ts$'];
/** The command-line front end (`spark-optimizer`); connect/cli-query.ts is its `query` command. */
const CLI = ['^server/src/cli/', '^server/src/connect/cli-query[.]ts$'];
/** The REST service front end (`spark-optimizer serve`). */
const SERVICE = '^server/src/service/';
/** The evaluation (`npm run eval`): scores the editor's features as a user sees them, so it drives them. */
const EVALUATION = '^server/src/evaluation/';
const FRONT_ENDS = [...LANGUAGE_SERVER, ...CLI, SERVICE, EVALUATION];
const SERVER_LAYERS = [...CORE, ...FRONT_ENDS];

/** npm packages of the LSP (types, connection, JSON-RPC) and of VS Code's client side. */
const LSP_PACKAGES = '^node_modules/(vscode-languageserver[^/]*|vscode-jsonrpc|vscode-languageclient)/';

/**
 * Imports that break a rule today and are to be moved (the part of the CLI's engine commands the service reuses belongs in the core). Each names its rule, the one importing file and the one
 * imported module (`from`: a file; `to`: a regular expression); every other import of that file still obeys the rule.
 * Delete an entry when its import is gone.
 */
const TEMPORARY_EXCEPTIONS = [
  {
    rule: 'front-ends-not-each-other',
    from: 'server/src/service/app.ts',
    to: '^server/src/cli/engine-commands[.]ts$',
    why: "/analyze and /recommend reuse the CLI's analyzeCommand/recommendText; that shared part belongs in the core.",
  },
];

/**
 * A forbidden rule, less its temporary exceptions: the rule without the excepted files, plus for each excepted file
 * the same rule without the excepted target. dependency-cruiser has no per-import exemption in a rule, so the pair is
 * cut out this way.
 */
function rule(name, comment, from, to) {
  const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const fromPaths = asList(from.path);
  const excepted = TEMPORARY_EXCEPTIONS.filter(
    (e) => e.rule === name && (fromPaths.length === 0 || fromPaths.some((p) => new RegExp(p).test(e.from))),
  );
  const exactly = (file) => `^${file.replace(/[.]/g, '[.]')}$`;
  const main = {
    name,
    comment,
    severity: 'error',
    from: { ...from, pathNot: [...asList(from.pathNot), ...excepted.map((e) => exactly(e.from))] },
    to,
  };
  const narrowed = excepted.map((e) => ({
    name,
    comment: `${comment} Temporary exception: ${e.from} → ${e.to}: ${e.why}`,
    severity: 'error',
    from: { path: exactly(e.from) },
    to: { ...to, pathNot: [...asList(to.pathNot), e.to] },
  }));
  return [main, ...narrowed];
}

/** One owner per outside library: house style 4 (I/O at the edges, one module per library). */
function owner(name, label, pkg, ownerPath) {
  return rule(
    name,
    `${label} is imported only by ${ownerPath} (house style 4: I/O at the edges, one module per library).`,
    { path: '^(server|shared|client)/src/', pathNot: `^${ownerPath.replace(/[.]/g, '[.]')}` },
    { path: `^node_modules/${pkg}` },
  );
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...rule(
      'shared-imports-only-shared',
      'shared/ is the contract both sides import; it imports neither side.',
      { path: SHARED },
      { path: '^(server|client)/' },
    ),
    ...rule(
      'client-imports-only-shared',
      'The client is thin (house style 10): of the project it imports only shared/, and talks to the server over LSP.',
      { path: CLIENT },
      { path: '^server/' },
    ),
    ...rule(
      'server-not-client',
      'The server never imports the client (it runs in another process).',
      { path: '^server/' },
      { path: '^client/' },
    ),
    ...rule(
      'core-not-front-ends',
      'The core knows nothing of its front ends (house style 2): the language server, the CLI, the service and the evaluation import the core, never the reverse.',
      { path: CORE },
      { path: FRONT_ENDS },
    ),
    ...rule(
      'lsp-only-in-the-language-server',
      "LSP packages are imported by the language server's LSP glue, shared/'s protocol, the client and the evaluation (which scores the edits the editor's quick fix writes); the core, documents/, the CLI and the service know nothing of LSP (house style 2; the CLI's check prints the core's findings).",
      { path: '^server/src/', pathNot: [...LSP_GLUE, EVALUATION] },
      { path: LSP_PACKAGES },
    ),
    ...rule(
      'lsp-glue-only-from-the-language-server',
      "features/ and handlers/ make LSP objects: only the language server's glue and the evaluation import them.",
      { path: '^server/src/', pathNot: [...LSP_GLUE, EVALUATION] },
      { path: '^server/src/(features|handlers)/' },
    ),
    ...rule(
      'no-vscode-outside-the-client',
      "Only the client runs in VS Code's extension host: the vscode module exists nowhere else.",
      { path: ['^server/', SHARED] },
      { path: '^vscode$' },
    ),
    ...rule(
      'front-ends-not-each-other',
      'Front ends share the core, not each other. Allowed: the CLI starts the service (`spark-optimizer serve`), the evaluation drives the language server features as the editor does.',
      { path: LANGUAGE_SERVER },
      { path: [...CLI, SERVICE, EVALUATION] },
    ),
    ...rule(
      'front-ends-not-each-other',
      'Front ends share the core, not each other.',
      { path: CLI },
      { path: [...LANGUAGE_SERVER, EVALUATION] },
    ),
    ...rule(
      'front-ends-not-each-other',
      'Front ends share the core, not each other.',
      { path: SERVICE },
      { path: [...LANGUAGE_SERVER, ...CLI, EVALUATION] },
    ),
    ...rule(
      'front-ends-not-each-other',
      'Front ends share the core, not each other.',
      { path: EVALUATION },
      { path: [...CLI, SERVICE] },
    ),
    ...rule(
      'history-not-store',
      'history/ declares what it needs of a store (HistorySink in history/ingest.ts, HistoryReader in history/history-reader.ts); store/ implements them.',
      { path: '^server/src/history/' },
      { path: '^server/src/store/' },
    ),
    ...rule(
      'service-not-store',
      'service/ reads and writes through ServiceStore (history/service-store.ts, a port in the core), which the store implements.',
      { path: SERVICE },
      { path: '^server/src/store/' },
    ),
    ...rule(
      'history-not-connect',
      'history/ reaches Spark through its own SparkSql interface (history/spark-engine/): the Spark Connect client (connect/) implements it, so collecting on Spark needs no gRPC in history/.',
      { path: '^server/src/history/' },
      { path: '^server/src/connect/' },
    ),
    ...owner('one-owner-aws-sdk', 'The AWS SDK', '@aws-sdk/', 'server/src/history/object-store/s3.ts'),
    ...owner('one-owner-azure-sdk', 'The Azure SDK', '@azure/', 'server/src/history/object-store/azure.ts'),
    ...owner(
      'one-owner-gcs-sdk',
      'The Google Cloud Storage SDK',
      '@google-cloud/',
      'server/src/history/object-store/gcs.ts',
    ),
    ...owner(
      'one-owner-axios',
      'axios (outgoing HTTP)',
      'axios(-retry)?/',
      'server/src/history/history-server/client.ts',
    ),
    ...owner('one-owner-sqlite', 'better-sqlite3', 'better-sqlite3/', 'server/src/store/'),
    ...owner('one-owner-pg', 'pg (PostgreSQL)', '(pg|pg-connection-string)/', 'server/src/store/postgres-store.ts'),
    ...owner('one-owner-grpc', 'gRPC (Spark Connect)', '@grpc/', 'server/src/connect/client.ts'),
    ...owner(
      'one-owner-http-listener',
      "Fastify and prom-client (the service's listener)",
      '(fastify|@fastify/|fastify-type-provider-zod/|prom-client/)',
      'server/src/service/app.ts',
    ),
    ...rule(
      'every-server-module-in-a-layer',
      'Each module under server/src/ belongs to a layer of this file (core or a front end): add a new folder or top-level file to one of them.',
      { path: '^server/src/', pathNot: SERVER_LAYERS },
      {},
    ),
    ...rule(
      'every-server-module-in-a-layer',
      'Each module under server/src/ belongs to a layer of this file (core or a front end): add a new folder or top-level file to one of them.',
      {},
      { path: '^server/src/', pathNot: SERVER_LAYERS },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // Node's own modules and the packages are not cruised into, only recorded as the target of an import.
    exclude: { path: '(^|/)(out|build)/' },
  },
};
