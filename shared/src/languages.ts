/**
 * The kinds of file whose Spark settings the product reads, named by their VS Code language ids: the client's
 * document selector and the server's FileKind (server/src/config/file-settings.ts) both come from this list.
 */

/**
 * Every kind, one reader each in the server's `extractSettings`. All but CONTRIBUTED_LANGUAGES are VS Code's own
 * (built-in) language ids: `python`, `shellscript`, `yaml`, `json`, `jsonc`, `ini`, `properties`.
 */
export const FILE_KINDS = [
  'python',
  'shellscript',
  'spark-defaults',
  'yaml',
  'json',
  'jsonc',
  'ini',
  'properties',
] as const;

/** A kind of file the product reads, as its VS Code language id. */
export type FileKind = (typeof FILE_KINDS)[number];

/** The languages the extension itself contributes (package.json `contributes.languages`; test/contract.test.ts). */
export const CONTRIBUTED_LANGUAGES: readonly FileKind[] = ['spark-defaults'];

/**
 * Files the client sends the server besides those of FILE_KINDS' languages (globs): `.conf` files whatever their
 * language, as other editors do, for the server to decide by content (a spark-defaults file under another name is
 * read by its `spark.*` lines, an INI file by its sections).
 */
export const EXTRA_FILE_PATTERNS = ['**/*.conf'] as const;

/** The URI schemes the client's documents come from: files on disk and unsaved (`untitled`) editors. */
export const DOCUMENT_SCHEMES = ['file', 'untitled'] as const;

/** One entry of an LSP/VS Code document selector: by language or by path glob, for one scheme. */
export type DocumentFilter = { scheme: string; language: string } | { scheme: string; pattern: string };

/**
 * The client's document selector: every FILE_KINDS language and every EXTRA_FILE_PATTERNS glob, for each of
 * DOCUMENT_SCHEMES.
 */
export function documentSelector(): DocumentFilter[] {
  return DOCUMENT_SCHEMES.flatMap((scheme) => [
    ...FILE_KINDS.map((language) => ({ scheme, language })),
    ...EXTRA_FILE_PATTERNS.map((pattern) => ({ scheme, pattern })),
  ]);
}
