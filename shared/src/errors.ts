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
