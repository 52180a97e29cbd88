/**
 * Debian's chromium driven headless by playwright-core, with a loopback-only guard: every request to a host
 * other than 127.0.0.1/localhost is aborted and counted (the workbench must work without the internet).
 */
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the chromium binary is: $CHROMIUM_PATH, else Debian's /usr/bin/chromium (scripts/install-e2e.sh). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A browser with one context; `blocked` lists the non-loopback URLs the guard aborted. */
export class Workbench {
  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly blocked: string[],
  ) {}

  /**
   * Launches chromium (fresh temporary profile; HOME should point at a throwaway folder since chromium
   * writes ~/.config/chromium and ~/.cache/dconf) with a 1400x850 viewport.
   */
  static async launch(home: string): Promise<Workbench> {
    fs.mkdirSync(home, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      env: { ...process.env, HOME: home },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    // The machine may be busy (2 shared cores): every wait is for a state, with room for slowness.
    context.setDefaultTimeout(90_000);
    context.setDefaultNavigationTimeout(120_000);
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      const host = new URL(url).hostname;
      if (['127.0.0.1', 'localhost', '[::1]'].includes(host)) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    return new Workbench(browser, context, blocked);
  }

  /** A new page. */
  page(): Promise<Page> {
    return this.context.newPage();
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** Saves a full-window screenshot as `<dir>/<name>.png` and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Result of running an extension-host test suite through VS Code's test protocol. */
export interface ExtensionTestRun {
  /** The code passed to window.codeAutomationExit: 0 when every test passed. */
  exitCode: number;
  /** The extension host's console output as it reached the page (mocha's report). */
  log: string[];
}

/**
 * Opens `url` (a workbench URL whose payload names extensionDevelopmentPath and extensionTestsPath) and waits
 * for the workbench to call window.codeAutomationExit, collecting window.codeAutomationLog lines
 * (lib/vscode/out/vs/code/browser/workbench/workbench.js calls both when they exist). Throws after `timeoutMs`.
 */
export async function runExtensionTests(page: Page, url: string, timeoutMs: number): Promise<ExtensionTestRun> {
  const log: string[] = [];
  let done!: (code: number) => void;
  const exited = new Promise<number>((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
    // mocha's reporter writes printf-style ("%s%s", ...): format the arguments as console.log would.
    log.push(format(...(args as [unknown, ...unknown[]])));
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => done(code));
  await page.goto(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`extension tests did not finish within ${timeoutMs / 1000} s:\n${log.join('\n')}`)),
      timeoutMs,
    );
  });
  try {
    const exitCode = await Promise.race([exited, timeout]);
    return { exitCode, log };
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a file of the workspace's top folder from the Explorer (Quick Open's file search is slow under load). */
export async function openExplorerFile(page: Page, name: string): Promise<void> {
  await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first().click();
  await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** Opens the command palette and types a command title until it is the focused row; Enter is left to the caller. */
export async function typeCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).first().waitFor();
}
