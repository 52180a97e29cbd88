/**
 * The message of anything thrown, for logs and for people: an `Error`'s `message` (without its stack), anything else
 * as `String(value)`. One helper instead of `e instanceof Error ? e.message : String(e)` in every catch.
 * @param thrown the caught value (`unknown` in a catch clause).
 * @returns the text; never throws.
 */
export function errorMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  try {
    return String(thrown);
  } catch {
    return Object.prototype.toString.call(thrown);
  }
}

/**
 * A caught value as an `Error`, to reject a promise with or to rethrow: the value itself when it is an `Error` (its
 * class, message and stack kept), else a new `Error` whose message is {@link errorMessage} of the value.
 * @param thrown the caught value (`unknown` in a catch clause, an `AbortSignal`'s `reason`).
 * @returns an Error; never throws.
 */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(errorMessage(thrown));
}
