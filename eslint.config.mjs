// ESLint flat config (issue 15, item 5; house style 13 and 29). `npm run lint` runs it with `prettier --check`;
// `npm test` runs `npm run lint` first. Formatting is Prettier's alone (eslint-config-prettier turns off the rules
// that would disagree with it); this file holds the rules that catch bugs and the no-console boundary.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Files that really are command-line front ends: their stdout/stderr is the user's terminal, so they may print with
 * console. Everything else under server/ and shared/ may not: the language server's stdout is the LSP stream
 * (house style 13), and the CLI's own commands write through process.stdout/stderr in server/src/cli/.
 */
const CONSOLE_FRONT_ENDS = [
  // `npm run eval` / `eval:check`: prints the evaluation's tables and exits.
  'server/src/evaluation/main.ts',
];

export default tseslint.config(
  {
    // Built and bundled output, downloaded tools, the e2e code-server install, evaluation data.
    ignores: [
      'build/**',
      'client/out/**',
      'server/out/**',
      'node_modules/**',
      '.e2e/**',
      '.tools/**',
      '.demo/**',
      'test-artifacts/**',
      'eval/**',
      'tmp/**',
    ],
  },
  // A disable comment that no longer disables anything is an error, so none outlives its reason.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  // TypeScript: every project of tsconfig.json (shared, server, client, client/src/webview, test), with types.
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The two rules issue 15 names: a promise nobody awaits loses its rejection (the server then dies on an
      // unhandled rejection or a failure goes unreported); a promise where a void callback is expected is not awaited
      // by the caller.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: an async function without await is how this code keeps a Promise-returning contract (a throw becomes a
      // rejection: LogTree and OpenFile implementations, Fastify's async route handlers); the rule would ask for
      // Promise.resolve/Promise.reject wrappers that say the same less plainly. Floating and misused promises stay errors.
      '@typescript-eslint/require-await': 'off',
      // A binding read by a closure before its one assignment (a logger the transport uses once the server exists)
      // must stay let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A leading underscore marks a binding kept on purpose (a rest sibling dropped, a loop value not read), as tsc's
      // noUnusedParameters already allows.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  // shared/src/protocol.ts declares each custom LSP message as `export namespace XRequest { method; type }`, the
  // vscode-languageserver-node and vscode-eslint convention the house style follows (house style 6).
  {
    files: ['shared/src/protocol.ts'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  // Tests read untyped data on purpose (REST and LSP JSON bodies, package.json, JSON fixtures) and check it with
  // assert, which is the type check there; the product's own code keeps the no-unsafe-* rules.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Plain JavaScript (esbuild.js, scripts/*.js, .dependency-cruiser.cjs): CommonJS on Node, linted without types.
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  // The boundary: no console in the server, shared code or the client (the client logs to its output channel).
  {
    files: ['server/**/*.ts', 'shared/**/*.ts', 'client/**/*.ts'],
    ignores: CONSOLE_FRONT_ENDS,
    rules: { 'no-console': 'error' },
  },
  prettier,
);
