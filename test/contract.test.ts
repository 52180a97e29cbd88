/**
 * The contract between package.json, the client and the server (shared/): the commands the client registers are
 * the shared command list, and package.json contributes exactly those meant for the user; the languages the client
 * selects are the server's file kinds, and package.json contributes the one of them VS Code does not know.
 * Read from the source text (TypeScript's own parser) and package.json; no VS Code needed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { COMMANDS, INTERNAL_COMMANDS } from '../shared/src/commands';
import { CONTRIBUTED_LANGUAGES, FILE_KINDS, documentSelector } from '../shared/src/languages';
import { fileKind } from '../server/src/config/file-settings';
import { PACKAGE_JSON, REPO_ROOT } from './helpers/fixtures';

interface PackageJson {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    keybindings: { command: string }[];
    languages: { id: string }[];
  };
  activationEvents: string[];
}
const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as PackageJson;

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

/** Every call of a function named `registerCommand` in client/src: file, callee as written, first argument's source text. */
function registerCommandCalls(): { file: string; callee: string; firstArg: ts.Expression | undefined }[] {
  const out: { file: string; callee: string; firstArg: ts.Expression | undefined }[] = [];
  for (const file of tsFiles(path.join(REPO_ROOT, 'client', 'src'))) {
    const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        const name = ts.isIdentifier(callee)
          ? callee.text
          : ts.isPropertyAccessExpression(callee)
            ? callee.name.text
            : '';
        if (name === 'registerCommand')
          out.push({ file: path.relative(REPO_ROOT, file), callee: callee.getText(src), firstArg: n.arguments[0] });
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return out;
}

describe('contract: commands', () => {
  const calls = registerCommandCalls();

  it('each shared command id is sparkOptimizer.<its name>', () => {
    for (const [name, id] of Object.entries(COMMANDS)) assert.strictEqual(id, `sparkOptimizer.${name}`);
    assert.strictEqual(COMMANDS.openWorkloadAnalysis, 'sparkOptimizer.openWorkloadAnalysis');
  });

  it('only client/src/commands.ts calls vscode.commands.registerCommand (the typed helper does, with a shared id)', () => {
    const direct = calls
      .filter((c) => c.callee !== 'registerCommand')
      .map((c) => `${c.file}: ${c.callee}(${c.firstArg?.getText() ?? ''})`);
    assert.deepStrictEqual(direct, ['client/src/commands.ts: vscode.commands.registerCommand(COMMANDS[name])']);
  });

  it('the client registers every shared command once, by a string-literal name in the shared list', () => {
    const names = calls
      .filter((c) => c.callee === 'registerCommand')
      .map((c) => {
        assert.ok(
          c.firstArg && ts.isStringLiteral(c.firstArg),
          `${c.file}: registerCommand's name must be a string literal, not ${c.firstArg?.getText()}`,
        );
        return c.firstArg.text;
      });
    assert.ok(names.length >= 14, `found ${names.length} registrations`);
    for (const n of names)
      assert.ok(Object.prototype.hasOwnProperty.call(COMMANDS, n), `registered ${n} is not in shared/src/commands.ts`);
    assert.deepStrictEqual([...names].sort(), Object.keys(COMMANDS).sort());
  });

  it('package.json contributes the shared commands except the internal ones (recordAppliedFix and dismissRecommendation, run by quick fixes; openJobAnalysis, the former name of openWorkloadAnalysis)', () => {
    assert.deepStrictEqual(INTERNAL_COMMANDS, ['recordAppliedFix', 'dismissRecommendation', 'openJobAnalysis']);
    // The former command id still activates the extension (package.json activationEvents), as a contributed one would.
    assert.ok(pkg.activationEvents.includes('onCommand:sparkOptimizer.openJobAnalysis'));
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    const expected = Object.entries(COMMANDS)
      .filter(([name]) => !INTERNAL_COMMANDS.includes(name as keyof typeof COMMANDS))
      .map(([, id]) => id)
      .sort();
    assert.deepStrictEqual(contributed, expected);
    assert.strictEqual(contributed.length, 17);
  });

  it("package.json's menus and keybindings name only contributed commands", () => {
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    const used = [...Object.values(pkg.contributes.menus).flat(), ...pkg.contributes.keybindings].map((m) => m.command);
    assert.ok(used.length > 0);
    assert.deepStrictEqual(
      used.filter((c) => !contributed.has(c)),
      [],
    );
  });
});

/**
 * Language ids. package.json can only be checked for the languages the extension contributes (`spark-defaults`): the
 * others (`python`, `shellscript`, `yaml`, `json`, `jsonc`, `ini`, `properties`) are VS Code's built-in ids, which
 * package.json must not contribute again (that would register a second language of the same id), and whether VS Code
 * knows them is not visible without VS Code (the e2e tier opens such files). So the check is: `contributes.languages`
 * ids equal CONTRIBUTED_LANGUAGES, a subset of FILE_KINDS; the client's selector is FILE_KINDS; the server maps each
 * of them to the kind of the same name.
 */
describe('contract: languages', () => {
  it('package.json contributes exactly the shared contributed languages (spark-defaults), each a file kind', () => {
    assert.deepStrictEqual(
      pkg.contributes.languages.map((l) => l.id),
      ['spark-defaults'],
    );
    assert.deepStrictEqual([...CONTRIBUTED_LANGUAGES], ['spark-defaults']);
    for (const id of CONTRIBUTED_LANGUAGES) assert.ok(FILE_KINDS.includes(id));
  });

  it("the client's document selector is every file kind plus *.conf, for file and untitled documents", () => {
    const sel = documentSelector();
    for (const scheme of ['file', 'untitled']) {
      const languages = sel
        .filter((f) => f.scheme === scheme && 'language' in f)
        .map((f) => ('language' in f ? f.language : ''));
      assert.deepStrictEqual(languages, [
        'python',
        'shellscript',
        'spark-defaults',
        'yaml',
        'json',
        'jsonc',
        'ini',
        'properties',
      ]);
      assert.deepStrictEqual(languages, [...FILE_KINDS]);
      assert.deepStrictEqual(
        sel.filter((f) => f.scheme === scheme && 'pattern' in f),
        [{ scheme, pattern: '**/*.conf' }],
      );
    }
    assert.strictEqual(sel.length, 18);
  });

  it('the client passes the shared selector to the language client (no second list in client/src)', () => {
    const file = path.join(REPO_ROOT, 'client', 'src', 'ctx.ts');
    const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAssignment(n) && n.name.getText(src) === 'documentSelector')
        found.push(n.initializer.getText(src));
      ts.forEachChild(n, visit);
    };
    visit(src);
    assert.deepStrictEqual(found, ['documentSelector()']);
  });

  it('the server reads a document of each selected language as the kind of the same name', () => {
    for (const id of FILE_KINDS) assert.strictEqual(fileKind('untitled:Untitled-1', id, ''), id, id);
  });
});

/** Top-level interface and type-alias names declared in a TypeScript file. */
function declaredTypeNames(file: string): string[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  return src.statements
    .filter(
      (s): s is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
        ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s),
    )
    .map((s) => s.name.text);
}

describe('contract: types', () => {
  it('no interface or type of shared/src is declared again in client/src or server/src', () => {
    const shared = new Set(tsFiles(path.join(REPO_ROOT, 'shared', 'src')).flatMap(declaredTypeNames));
    for (const name of ['SqlStatement', 'StoredWorkload', 'OpenWorkloadAnalysisArgs', 'QueryLocation', 'FileKind'])
      assert.ok(shared.has(name), name);
    const again = ['client', 'server']
      .flatMap((side) => tsFiles(path.join(REPO_ROOT, side, 'src')))
      .flatMap((f) =>
        declaredTypeNames(f)
          .filter((n) => shared.has(n))
          .map((n) => `${path.relative(REPO_ROOT, f)}: ${n}`),
      );
    assert.deepStrictEqual(again, []);
  });
});
