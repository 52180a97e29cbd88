/**
 * The client's only way to register and run the extension's own commands: by name, with the arguments
 * shared/src/commands.ts declares for it (test/contract.test.ts checks that nothing else calls
 * `vscode.commands.registerCommand`, and that the names registered here are the shared list).
 */
import * as vscode from 'vscode';
import { COMMANDS, type CommandArgs, type CommandName } from '../../shared/src/commands';

/**
 * Registers the handler of the command `name`.
 * @returns the registration, to dispose with the extension.
 */
export function registerCommand<K extends CommandName>(
  name: K,
  run: (...args: CommandArgs[K]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS[name], run as (...args: unknown[]) => unknown);
}

/**
 * Runs the command `name` with its typed arguments.
 * @returns what its handler returns; rejects with what it throws.
 */
export function executeCommand<K extends CommandName>(name: K, ...args: CommandArgs[K]): Thenable<unknown> {
  return vscode.commands.executeCommand(COMMANDS[name], ...args);
}
