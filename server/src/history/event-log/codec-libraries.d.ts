/**
 * Type declarations for the pure-JS codec packages the event-log reader uses; none ships its own.
 * Only the functions called here are declared, with the signatures of the installed versions
 * (lz4js 0.2.0 `lz4.js`, snappyjs 0.7.0 `index.js`, lzfjs 1.0.1 `lzf.js`).
 */

declare module 'lz4js' {
  /**
   * Decodes one raw LZ4 block (no frame) from `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`.
   * Does no bounds checking. Returns the index in `dst` after the last byte written.
   */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
}

declare module 'snappyjs' {
  /** Decodes one raw snappy block (no framing); throws `Error('Invalid Snappy bitstream')` on bad input. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
}

declare module 'lzfjs' {
  /** Decodes one raw LZF block (liblzf `lzf_decompress`); throws `Error('Invalid input')` on bad input. */
  export function decompress(data: Uint8Array | ArrayBuffer): Uint8Array;
}
