/**
 * The VS Code client's words for what to do about a failure the server reports by kind or error code (house style 27:
 * the core names the failure, each front end words the remedy; the CLI's counterpart is server/src/cli/remedies.ts).
 * Every remedy names a command of this extension or one of its settings, never a CLI flag or an environment variable.
 * No `vscode` import, so plain mocha tests it.
 */
import {
  RequestErrorCodes,
  type ObjectStoreKind,
  type SourceFailureKind,
  type StoreUnavailableData,
  type TeamServiceErrorData,
} from '../../shared/src/protocol';

/** What to do about a History Server failure of this kind, or null when the server's message says it already. */
export function historyServerRemedy(kind: SourceFailureKind | undefined): string | null {
  if (kind === 'credentials') return 'run "Spark: Set History Server Credentials"';
  if (kind === 'tls')
    return 'set sparkOptimizer.historyServer.caFile to its CA (or sparkOptimizer.historyServer.verifyTls to false for a test server)';
  return null;
}

/**
 * What to do about an object-store failure of this kind, or null when the server's message says it already. The
 * language server takes credentials from each cloud SDK's own chain only (its message names the chain it tried), never
 * from the editor: the remedy is to sign in with the cloud's own tool, whose files the chain reads (again at each
 * collection, which opens a new client).
 */
export function objectStoreRemedy(kind: SourceFailureKind | undefined, store: ObjectStoreKind): string | null {
  if (kind === 'credentials') {
    const signIn = {
      s3: 'sign in with the AWS CLI (aws configure, or aws sso login with a profile)',
      gcs: 'sign in with gcloud auth application-default login',
      azure: 'sign in with az login',
    }[store];
    return `${signIn} where VS Code runs, then collect again (the language server reads the files it writes; credentials are never read from settings)`;
  }
  if (kind === 'access-denied') return 'the credentials found need permission to list the prefix and read its objects';
  if (kind === 'not-found') return 'check the URL, and sparkOptimizer.objectStore.endpointUrl for a custom endpoint';
  return null;
}

/**
 * A collection failure's reason with the remedy for its kind after it (`reason; remedy`).
 * @param remedyOf the remedies of the collection's source (default: the History Server's).
 */
export function failureText(
  f: { reason: string; kind?: SourceFailureKind },
  remedyOf: (kind: SourceFailureKind | undefined) => string | null = historyServerRemedy,
): string {
  const remedy = remedyOf(f.kind);
  return remedy ? `${f.reason}; ${remedy}` : f.reason;
}

/** What to do when the server could not open the history store. */
export const STORE_REMEDY =
  'set sparkOptimizer.historyDatabase (in your user settings) to a file you can write: the server restarts with it';

/**
 * What to do about a failed request to the team service (TeamServiceErrorData), or null when nothing in the editor helps
 * (the service is down). A token whose scope does not allow the request names the service's own command that makes one
 * (run by the service's administrator on its store): the editor cannot make a token.
 */
export function teamServiceRemedy(data: Partial<TeamServiceErrorData> | undefined): string | null {
  if (data?.kind === 'not-service-mode')
    return 'set sparkOptimizer.service.url to the team service (https://host:port) and run "Spark: Set Team Service Token"';
  if (data?.neededScope === 'collect')
    return 'the token needs scope collect (which also reads): create one with "spark-optimizer token create --scope collect --name <you>" on the service\'s store (its administrator can), then store it with "Spark: Set Team Service Token"';
  if (data?.kind === 'unauthorized')
    return 'store a valid token of the service (spark-optimizer token create --scope read) with "Spark: Set Team Service Token"';
  return null;
}

/**
 * The message of a failed request with this client's remedy: a `storeUnavailable` error gets STORE_REMEDY, a
 * `teamServiceFailed` one its teamServiceRemedy; others are shown as the server said them.
 * @param code the ResponseError's code, undefined for other errors.
 */
export function requestErrorText(message: string, code: number | undefined, data: unknown): string {
  if (code === RequestErrorCodes.storeUnavailable) {
    const d = data as Partial<StoreUnavailableData> | undefined;
    return `${d?.path && d.reason ? `The history store ${d.path} could not be opened: ${d.reason}` : message}. To use another, ${STORE_REMEDY}.`;
  }
  if (code === RequestErrorCodes.teamServiceFailed) {
    const remedy = teamServiceRemedy(data as Partial<TeamServiceErrorData> | undefined);
    return remedy ? `${message.replace(/\.?$/, '.')} To fix it: ${remedy}.` : message;
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
