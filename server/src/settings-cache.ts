/**
 * The language server's settings: pulled per document with `workspace/configuration`, parsed by the one zod schema
 * (shared/src/settings.ts), cached per URI until the client says they changed (house style 8: settings never live in
 * module globals). Also the analysis options derived from them, the same object while the settings are cached, so
 * the analyses keyed by options stay cached too.
 */
import { parseSettings, type Settings } from '../../shared/src/settings';
import { analysisOptions, type AnalysisOptions } from './language-service';

/** Key of the settings pulled without a document (the window's settings). */
const WINDOW = '';

/** Per-URI cache of settings and analysis options. */
export class SettingsCache {
  private readonly settingsByUri = new Map<string, Promise<Settings>>();
  private readonly optionsByUri = new Map<string, Promise<AnalysisOptions>>();

  /**
   * @param pull asks the client for the `sparkOptimizer` section, scoped to a document URI (undefined: the window's);
   *   a client that cannot answer (no `workspace/configuration`) rejects, and the defaults are used.
   */
  constructor(private readonly pull: (scopeUri: string | undefined) => Promise<unknown>) {}

  /** The settings of a document (`uri`), or of the window (undefined); the defaults when the client cannot answer. Never rejects. */
  settings(uri?: string): Promise<Settings> {
    const key = uri ?? WINDOW;
    let s = this.settingsByUri.get(key);
    if (!s) {
      s = this.pull(uri).then(parseSettings, () => parseSettings(undefined));
      this.settingsByUri.set(key, s);
    }
    return s;
  }

  /** The analysis options of a document (`uri`), or of the window (undefined), from its settings. Never rejects. */
  options(uri?: string): Promise<AnalysisOptions> {
    const key = uri ?? WINDOW;
    let o = this.optionsByUri.get(key);
    if (!o) {
      o = this.settings(uri).then(analysisOptions);
      this.optionsByUri.set(key, o);
    }
    return o;
  }

  /** Forgets a closed document's settings. */
  forget(uri: string): void {
    this.settingsByUri.delete(uri);
    this.optionsByUri.delete(uri);
  }

  /** Forgets everything (`workspace/didChangeConfiguration`). */
  clear(): void {
    this.settingsByUri.clear();
    this.optionsByUri.clear();
  }
}
