/**
 * The extension's commands: each id written once, with the arguments it takes. The client registers every one of
 * them (client/src/commands.ts); the server names them in code lenses, hovers and quick fixes; package.json
 * contributes all but INTERNAL_COMMANDS (test/contract.test.ts checks both).
 */
import type { RecordAppliedFixRequest, RecordFeedbackRequest } from './protocol';

/** Command ids by name (`sparkOptimizer.<name>`). */
export const COMMANDS = {
  collectFromEventLogs: 'sparkOptimizer.collectFromEventLogs',
  collectFromHistoryServer: 'sparkOptimizer.collectFromHistoryServer',
  collectFromObjectStorage: 'sparkOptimizer.collectFromObjectStorage',
  collectOnTeamService: 'sparkOptimizer.collectOnTeamService',
  setHistoryServerCredentials: 'sparkOptimizer.setHistoryServerCredentials',
  showLogs: 'sparkOptimizer.showLogs',
  restartServer: 'sparkOptimizer.restartServer',
  openWorkloadAnalysis: 'sparkOptimizer.openWorkloadAnalysis',
  openJobAnalysis: 'sparkOptimizer.openJobAnalysis',
  showServerLogs: 'sparkOptimizer.showServerLogs',
  showActions: 'sparkOptimizer.showActions',
  openWalkthrough: 'sparkOptimizer.openWalkthrough',
  runQuery: 'sparkOptimizer.runQuery',
  explainQuery: 'sparkOptimizer.explainQuery',
  setSparkConnectToken: 'sparkOptimizer.setSparkConnectToken',
  setJdbcPassword: 'sparkOptimizer.setJdbcPassword',
  setServiceToken: 'sparkOptimizer.setServiceToken',
  recordAppliedFix: 'sparkOptimizer.recordAppliedFix',
  dismissRecommendation: 'sparkOptimizer.dismissRecommendation',
  showDismissedRecommendations: 'sparkOptimizer.showDismissedRecommendations',
} as const;

/** A command's name (a key of COMMANDS). */
export type CommandName = keyof typeof COMMANDS;

/** A command id (a value of COMMANDS). */
export type CommandId = (typeof COMMANDS)[CommandName];

/**
 * Commands the client registers that package.json does not contribute (not in the Command Palette):
 * `recordAppliedFix` is run only by the server's quick fixes, after VS Code applied their edit; `dismissRecommendation`
 * only by the server's "Dismiss recommendation" code actions (it needs the recommendation they carry);
 * `openJobAnalysis` is the name `openWorkloadAnalysis` had before the product's recurring job was called a workload,
 * kept as an alias (same handler) so keybindings, links and scripts written with it keep working (package.json
 * activates the extension on it).
 */
export const INTERNAL_COMMANDS: readonly CommandName[] = [
  'recordAppliedFix',
  'dismissRecommendation',
  'openJobAnalysis',
];

/**
 * Argument of `openWorkloadAnalysis` (from a code lens, a hover link, the query result panel, or a test): the workload
 * (all runs of one `App Name`) to show, and the run to detail.
 */
export interface OpenWorkloadAnalysisArgs {
  appId?: string;
  /** The attempt of `appId` (null: none); omitted: the newest. */
  attemptId?: string | null;
  appName?: string;
  /** Document whose settings count as current (a code lens passes its own). */
  uri?: string;
}

/** Argument of `runQuery` / `explainQuery` (from the SQL code lens); omitted: the statement at the cursor. */
export interface QueryLocation {
  /** Document URI. */
  uri: string;
  /** Document offset inside the statement. */
  offset: number;
}

/** The arguments each command takes, by name (a command run from the palette gets none, so most are optional). */
export interface CommandArgs {
  collectFromEventLogs: [];
  collectFromHistoryServer: [];
  collectFromObjectStorage: [];
  collectOnTeamService: [];
  setHistoryServerCredentials: [];
  showLogs: [];
  restartServer: [];
  openWorkloadAnalysis: [args?: OpenWorkloadAnalysisArgs];
  openJobAnalysis: [args?: OpenWorkloadAnalysisArgs];
  showServerLogs: [];
  showActions: [];
  openWalkthrough: [];
  runQuery: [loc?: QueryLocation];
  explainQuery: [loc?: QueryLocation];
  setSparkConnectToken: [];
  setJdbcPassword: [];
  setServiceToken: [];
  /** The fixes one code action applied. */
  recordAppliedFix: [fixes: RecordAppliedFixRequest.Fix[]];
  /** The recommendation to dismiss (the client asks for the reason and fills `reason`). */
  dismissRecommendation: [rec: Omit<RecordFeedbackRequest.Feedback, 'reason'>];
  showDismissedRecommendations: [];
}

/** An LSP `Command` (as code lenses and code actions carry it) running `name` with its typed arguments. */
export function commandOf<K extends CommandName>(
  title: string,
  name: K,
  ...args: CommandArgs[K]
): { title: string; command: CommandId; arguments?: CommandArgs[K] } {
  return args.length > 0 ? { title, command: COMMANDS[name], arguments: args } : { title, command: COMMANDS[name] };
}

/** A `command:` link (Markdown in a hover) running `name` with its typed arguments (JSON, URI-encoded as VS Code reads it). */
export function commandLink<K extends CommandName>(name: K, ...args: CommandArgs[K]): string {
  return `command:${COMMANDS[name]}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** Compile-time check that CommandArgs has exactly the names of COMMANDS. */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const commandArgsCoverCommands: Exactly<keyof CommandArgs, CommandName> = true;
void commandArgsCoverCommands;
