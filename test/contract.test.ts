/**
 * The contract between package.json, the client and the server (shared/): the commands the client registers are
 * the shared command list, and package.json contributes exactly those meant for the user. Read from the source text
 * (TypeScript's own parser) and package.json; no VS Code needed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { COMMANDS, INTERNAL_COMMANDS } from '../shared/src/commands';
import { PACKAGE_JSON, REPO_ROOT } from './helpers/fixtures';

interface PackageJson {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    keybindings: { command: string }[];
  };
}
const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')) as PackageJson;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Every call of a function named `registerCommand` in client/src: file, callee as written, first argument's source text. */
function registerCommandCalls(): { file: string; callee: string; firstArg: ts.Expression | undefined }[] {
  const out: { file: string; callee: string; firstArg: ts.Expression | undefined }[] = [];
  for (const file of tsFiles(path.join(REPO_ROOT, 'client', 'src'))) {
    const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (name === 'registerCommand') out.push({ file: path.relative(REPO_ROOT, file), callee: callee.getText(src), firstArg: n.arguments[0] });
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
    assert.strictEqual(COMMANDS.openJobAnalysis, 'sparkOptimizer.openJobAnalysis');
  });

  it('only client/src/commands.ts calls vscode.commands.registerCommand (the typed helper does, with a shared id)', () => {
    const direct = calls.filter((c) => c.callee !== 'registerCommand').map((c) => `${c.file}: ${c.callee}(${c.firstArg?.getText() ?? ''})`);
    assert.deepStrictEqual(direct, ['client/src/commands.ts: vscode.commands.registerCommand(COMMANDS[name])']);
  });

  it('the client registers every shared command once, by a string-literal name in the shared list', () => {
    const names = calls
      .filter((c) => c.callee === 'registerCommand')
      .map((c) => {
        assert.ok(c.firstArg && ts.isStringLiteral(c.firstArg), `${c.file}: registerCommand's name must be a string literal, not ${c.firstArg?.getText()}`);
        return c.firstArg.text;
      });
    assert.ok(names.length >= 14, `found ${names.length} registrations`);
    for (const n of names) assert.ok(Object.prototype.hasOwnProperty.call(COMMANDS, n), `registered ${n} is not in shared/src/commands.ts`);
    assert.deepStrictEqual([...names].sort(), Object.keys(COMMANDS).sort());
  });

  it('package.json contributes the shared commands except the internal ones (recordAppliedFix, run by quick fixes)', () => {
    assert.deepStrictEqual(INTERNAL_COMMANDS, ['recordAppliedFix']);
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    const expected = Object.entries(COMMANDS)
      .filter(([name]) => !INTERNAL_COMMANDS.includes(name as keyof typeof COMMANDS))
      .map(([, id]) => id)
      .sort();
    assert.deepStrictEqual(contributed, expected);
    assert.strictEqual(contributed.length, 13);
  });

  it("package.json's menus and keybindings name only contributed commands", () => {
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    const used = [...Object.values(pkg.contributes.menus).flat(), ...pkg.contributes.keybindings].map((m) => m.command);
    assert.ok(used.length > 0);
    assert.deepStrictEqual(used.filter((c) => !contributed.has(c)), []);
  });
});
