/**
 * Debian's Chromium for the console's browser tests, driven by playwright-core (no browser download): a fresh
 * profile per launch, the flags this closed network needs, and pages that fail the test on any dialog.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** A headless Chromium on a new profile directory (the caller removes it after closing the browser). */
export async function launchChromium(): Promise<{ browser: BrowserContext; profile: string }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'console-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
  });
  return { browser, profile };
}

/** docs/ with UPDATE_SCREENSHOTS=1 (the README's pictures), else a scratch directory. */
export const screenshotDir = () => (process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve('docs') : mkdtempSync(path.join(tmpdir(), 'console-shots-')));

/** A page that fails the test on any dialog (alert/confirm/prompt: injected script ran). */
export async function watchedPage(browser: BrowserContext, t: { fail(message: string): void }): Promise<Page> {
  const page = await browser.newPage();
  page.on('dialog', (dialog) => {
    t.fail(`a dialog fired: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}
