/**
 * Core errors as the `ResponseError`s the client tells apart by code (shared/src/protocol.ts RequestErrorCodes). The
 * message says what happened and to what; the client words the remedy (client/src/remedies.ts).
 */
import { ResponseError } from 'vscode-languageserver/node';
import { errorMessage } from '../../../shared/src/errors';
import { RequestErrorCodes, type RequestErrorCode, type StoreUnavailableData } from '../../../shared/src/protocol';
import type { ServerRoot } from '../server-root';
import type { HistoryStore } from '../store/history-store';
import { StoreUnavailableError } from '../store/store-path';

/**
 * The ResponseError of a failed request: a StoreUnavailableError as `storeUnavailable` with its path and reason as
 * data; anything else with `code` and its message after `context` (e.g. `Could not read event logs from /logs`).
 */
export function responseErrorOf(
  e: unknown,
  code: RequestErrorCode,
  context?: string,
): ResponseError<StoreUnavailableData | undefined> {
  if (e instanceof StoreUnavailableError)
    return new ResponseError<StoreUnavailableData>(RequestErrorCodes.storeUnavailable, e.message, {
      path: e.path,
      reason: e.reason,
    });
  return new ResponseError<undefined>(code, context ? `${context}: ${errorMessage(e)}` : errorMessage(e));
}

/**
 * The root's open store for a request that needs it.
 * @throws ResponseError RequestErrorCodes.storeUnavailable (data: path and reason) when it could not be opened.
 */
export function storeFor(root: ServerRoot): HistoryStore {
  try {
    return root.requireStore();
  } catch (e) {
    throw responseErrorOf(e, RequestErrorCodes.storeUnavailable);
  }
}
