/**
 * The text the extension shows for a failed request to the language server: the server's message with this client's
 * remedy for its error code (client/src/remedies.ts), or the plain message of any other error.
 */
import { ResponseError } from 'vscode-languageclient/node';
import { errorMessage } from '../../shared/src/errors';
import { requestErrorText } from './remedies';

/** `e` as text: a ResponseError (an LSP error response) with its remedy, anything else by errorMessage. */
export function requestErrorMessage(e: unknown): string {
  return e instanceof ResponseError ? requestErrorText(e.message, e.code, e.data) : errorMessage(e);
}
