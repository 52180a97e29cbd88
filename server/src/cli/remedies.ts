/**
 * The CLI's words for what to do about a failure the core reports by kind (house style 27: the core names the
 * failure, each front end words the remedy; the VS Code client's counterpart is client/src/remedies.ts). Every remedy
 * names a flag or an environment variable of this CLI, never an editor setting or command.
 */
import type { SourceFailureKind } from '../../../shared/src/protocol';
import type { ObjectStoreLocation } from '../history/object-store/location';

/**
 * What to do about a History Server failure of this kind, or null when the core's message says it already.
 * Credentials come from the environment only (cli/collect-commands.ts `historyServerCredentials`); TLS from `--ca`/`--insecure`.
 * @param oauth2 the collection used OAuth2 client credentials (a `credentials` failure is then the client refused).
 */
export function historyServerRemedy(kind: SourceFailureKind | undefined, oauth2 = false): string | null {
  if (kind === 'credentials' && oauth2)
    return 'check --oauth2-client-id (or SPARK_OPTIMIZER_HS_CLIENT_ID) and the client secret in SPARK_OPTIMIZER_HS_CLIENT_SECRET or the file of --oauth2-client-secret-file';
  if (kind === 'credentials')
    return 'give credentials with SPARK_OPTIMIZER_HS_TOKEN, SPARK_OPTIMIZER_HS_USER/SPARK_OPTIMIZER_HS_PASSWORD or SPARK_OPTIMIZER_HS_HEADERS';
  if (kind === 'tls') return 'pass the CA with --ca (or --insecure for a test server)';
  return null;
}

/**
 * What to do when an object store found no credentials or refused them, per cloud (each SDK's own chain: the AWS
 * SDK's default provider chain, Google's Application Default Credentials, Azure's connection string, shared key or
 * DefaultAzureCredential); null for other kinds.
 */
export function objectStoreRemedy(
  kind: SourceFailureKind | undefined,
  cloud: ObjectStoreLocation['kind'],
): string | null {
  if (kind !== 'credentials') return null;
  switch (cloud) {
    case 's3':
      return 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile, or run where an instance or pod role applies.';
    case 'gcs':
      return 'Set GOOGLE_APPLICATION_CREDENTIALS to a key file, or run gcloud auth application-default login, or run where a service account applies.';
    case 'azure':
      return 'Set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_KEY, or sign in with az login, or run where a managed or workload identity applies.';
  }
}

/** What to do when the history store cannot be opened: name another file. */
export const STORE_REMEDY = 'Give another file with --db FILE or SPARK_OPTIMIZER_DB.';

/**
 * What to do about a failed Spark Connect call of this kind (connect/errors.ts SparkConnectErrorKind), or null.
 * @param tokenGiven for `auth`: whether a token was sent.
 */
export function sparkConnectRemedy(kind: string, tokenGiven: boolean | undefined): string | null {
  if (kind === 'auth')
    return `${tokenGiven ? 'check the token' : 'it needs a token'} (SPARK_CONNECT_TOKEN, or ;token= in the URL)`;
  if (kind === 'unavailable') return 'is it running? Check --remote';
  return null;
}
