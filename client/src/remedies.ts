/**
 * The VS Code client's words for what to do about a failure the server reports by kind or error code (house style 27:
 * the core names the failure, each front end words the remedy; the CLI's counterpart is server/src/cli/remedies.ts).
 * Every remedy names a command of this extension or one of its settings, never a CLI flag or an environment variable.
 * No `vscode` import, so plain mocha tests it.
 */
import { RequestErrorCodes, type SourceFailureKind, type StoreUnavailableData } from '../../shared/src/protocol';

/** What to do about a History Server failure of this kind, or null when the server's message says it already. */
export function historyServerRemedy(kind: SourceFailureKind | undefined): string | null {
  if (kind === 'credentials') return 'run "Spark: Set History Server Credentials"';
  if (kind === 'tls')
    return 'set sparkOptimizer.historyServer.caFile to its CA (or sparkOptimizer.historyServer.verifyTls to false for a test server)';
  return null;
}

/** A collection failure's reason with the remedy for its kind after it (`reason; remedy`). */
export function failureText(f: { reason: string; kind?: SourceFailureKind }): string {
  const remedy = historyServerRemedy(f.kind);
  return remedy ? `${f.reason}; ${remedy}` : f.reason;
}

/** What to do when the server could not open the history store. */
export const STORE_REMEDY =
  'set sparkOptimizer.historyDatabase (in your user settings) to a file you can write: the server restarts with it';

/**
 * The message of a failed request with this client's remedy: a `storeUnavailable` error gets STORE_REMEDY; others
 * are shown as the server said them.
 * @param code the ResponseError's code, undefined for other errors.
 */
export function requestErrorText(message: string, code: number | undefined, data: unknown): string {
  if (code === RequestErrorCodes.storeUnavailable) {
    const d = data as Partial<StoreUnavailableData> | undefined;
    return `${d?.path && d.reason ? `The history store ${d.path} could not be opened: ${d.reason}` : message}. To use another, ${STORE_REMEDY}.`;
  }
  return message;
}

/**
 * What to do about a failed Spark Connect call of this kind (ConnectErrorData.kind), or null.
 * @param tokenGiven for `auth`: whether a token was sent.
 */
export function sparkConnectRemedy(kind: string | undefined, tokenGiven: boolean | undefined): string | null {
  if (kind === 'auth')
    return `${tokenGiven ? 'the token was refused' : 'the server needs a token'}: run "Spark: Set Spark Connect Token"`;
  if (kind === 'unavailable') return 'is it running? Check sparkOptimizer.sparkConnect.url';
  return null;
}
