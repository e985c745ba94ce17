/** A test service and a headless Chromium signed in to its console with a role (the console's browser tests). */
import { rmSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { linkFor, signInWithLink } from './console.ts';
import { startTestService, type TestService } from './service.ts';

export interface SignedInBrowser {
  svc: TestService;
  browser: BrowserContext;
  profile: string;
}

export async function signedInBrowser(role = 'agent'): Promise<SignedInBrowser> {
  const svc = await startTestService();
  const { cookie } = await signInWithLink(svc.baseUrl, await linkFor(svc.service, role));
  const { browser, profile } = await launchChromium();
  const [name, value] = cookie!.split('=') as [string, string];
  await browser.addCookies([{ name, value, url: svc.baseUrl }]);
  return { svc, browser, profile };
}

/** Closes what signedInBrowser opened, whatever of it was opened. */
export async function closeSignedInBrowser(c: Partial<SignedInBrowser> | undefined): Promise<void> {
  await c?.browser?.close();
  await c?.svc?.stop();
  if (c?.profile) rmSync(c.profile, { recursive: true, force: true });
}
