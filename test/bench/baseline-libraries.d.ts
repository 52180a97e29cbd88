/**
 * Types of the dev-only packages test/bench/codecs.ts uses as the old decoders' baseline (xxhashjs 0.2.2
 * `lib/xxhash.js` ships none). Only what the benchmark calls.
 */
declare module 'xxhashjs' {
  /** An unsigned 32-bit value from the `cuint` package. */
  interface UINT32 {
    toNumber(): number;
  }
  /** XXH32 of `data` with `seed`. */
  export function h32(data: Uint8Array | ArrayBuffer, seed: number): UINT32;
}
