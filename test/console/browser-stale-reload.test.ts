/**
 * A live reload of the ticket page that is still on its way when the agent acts (Resolve, Spam: a boosted form,
 * whose answer replaces the page) must not overwrite the newer page when it lands: its facts were read before the
 * action. In a real headless Chromium; the reload's answer is read from the service at once and handed to the
 * page only after the action's page is shown, which is the order a slow answer arrives in.
 */
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext, Route } from 'playwright-core';
import { watchedPage } from '../kit/chromium.ts';
import { closeSignedInBrowser, signedInBrowser } from '../kit/console-browser.ts';
import { api, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; browser: BrowserContext; profile: string }>;

test.before(async (t) => {
  t.context = await signedInBrowser('agent');
});

test.after.always(async (t) => closeSignedInBrowser(t.context));

test('a live reload read before Resolve and arriving after it leaves the page showing the ticket resolved', async (t) => {
  const { svc, browser } = t.context;
  const made = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Printer jams', body: 'The printer jams on every page', requester_email: 'ida@printing.example' } });
  const id = made.json.id as number;
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.status !== 'processing', { what: 'classified' });

  const page = await watchedPage(browser, t);
  await page.goto(`${svc.baseUrl}/console/tickets/${id}`);
  await page.locator('html[data-live-state="stream"]').waitFor({ state: 'attached', timeout: 30_000 });
  const status = page.locator('#ticket-facts dd').first();
  const before = await status.innerText();
  t.not(before, 'Resolved');

  // The next reload (the ticket page itself, asked for by htmx) is answered now and delivered later.
  const held: { route: Route; response: Awaited<ReturnType<Route['fetch']>> }[] = [];
  await page.route((url) => url.pathname === `/console/tickets/${id}` && url.search === '', async (route) => {
    if (route.request().headers()['hx-request'] !== 'true' || held.length > 0) return route.continue();
    held.push({ route, response: await route.fetch() });
  });
  // A change elsewhere (REST) makes the page reload its live part.
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: 'U0HELPER1' } })).status, 200);
  await waitFor(() => held.length > 0 || undefined, { what: 'the live reload', timeoutMs: 20_000 });

  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await page.locator('.notice[role="status"]').waitFor();
  t.is(await status.innerText(), 'Resolved');

  const late = page.waitForResponse((res) => res.request() === held[0]!.route.request());
  await held[0]!.route.fulfill({ response: held[0]!.response });
  await late;
  await page.waitForTimeout(500); // htmx swaps on the answer's load event, within a few milliseconds
  t.is(await status.innerText(), 'Resolved', 'the older reload did not overwrite the page');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.status, 'resolved');
});
