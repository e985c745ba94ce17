/**
 * Bulk actions in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core): an agent ticks
 * tickets in the inbox, the ticks survive the list's 2-second reload, Resolve changes exactly those tickets and
 * their Slack cards, and the result page says what happened to each.
 */
import { rmSync } from 'node:fs';
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext } from 'playwright-core';
import { launchChromium, watchedPage } from '../kit/chromium.ts';
import { linkFor, signInWithLink } from '../kit/console.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, type SlackTestEnv, startSlackService, waitForAlert } from '../slack/harness.ts';

const test = anyTest.serial as TestFn<{ slack: SlackTestEnv; browser: BrowserContext; profile: string }>;

test.before(async (t) => {
  const slack = await startSlackService({ PUBLIC_URL: '' });
  const { cookie } = await signInWithLink(slack.svc.baseUrl, await linkFor(slack.svc.service, 'agent'));
  const { browser, profile } = await launchChromium();
  const [name, value] = cookie!.split('=') as [string, string];
  await browser.addCookies([{ name, value, url: slack.svc.baseUrl }]);
  t.context = { slack, browser, profile };
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.slack?.stop();
  if (t.context.profile) rmSync(t.context.profile, { recursive: true, force: true });
});

test('ticked tickets keep their ticks through the live reload, and Resolve resolves those and edits their cards', async (t) => {
  const { slack, browser } = t.context;
  const ids: number[] = [];
  for (const subject of ['Printer on fire', 'Password reset loop', 'Invoice in wrong currency']) ids.push(await createTicket(slack.svc, { subject, body: `${subject}: please help [cat=general conf=0.9 prio=low]` }));
  for (const id of ids) await waitForAlert(slack.fake, id);
  const [first, second, untouched] = ids as [number, number, number];
  const edits = (id: number) => alertsFor(slack.fake, id)[0]!.edited;
  const before = { [first]: edits(first), [second]: edits(second) };

  const page = await watchedPage(browser, t);
  await page.goto(`${slack.svc.baseUrl}/console?tab=unassigned`);
  await page.getByLabel(`Choose #${first}`).check();
  await page.getByLabel(`Choose #${second}`).check();
  // The list reloads when a ticket changes anywhere (live updates): two new tickets reload it, and the ticks
  // must still be there afterwards.
  let reloads = 0;
  page.on('response', (res) => {
    if (res.url().includes('/console?tab=unassigned') && res.request().headers()['hx-request']) reloads += 1;
  });
  // One at a time: the page may fold changes that arrive together into one reload.
  for (const [n, subject] of ['Arrives meanwhile', 'Arrives later still'].entries()) {
    await createTicket(slack.svc, { subject, body: `${subject} [cat=general conf=0.9 prio=low]` });
    await waitFor(() => reloads >= n + 1 || undefined, { what: `live reload ${n + 1} of the list`, timeoutMs: 30_000 });
  }
  t.true(await page.getByLabel(`Choose #${first}`).isChecked());
  t.true(await page.getByLabel(`Choose #${second}`).isChecked());
  t.false(await page.getByLabel(`Choose #${untouched}`).isChecked());

  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await page.locator('#bulk-results').waitFor();
  t.regex(await page.locator('h1').innerText(), /Resolve: 2 of 2 changed/);
  t.is(await page.locator(`#bulk-results tr[data-ticket="${first}"]`).getAttribute('data-result'), 'done');
  t.is(await page.locator(`#bulk-results tr[data-ticket="${second}"]`).getAttribute('data-result'), 'done');
  for (const id of [first, second]) t.is((await api(slack.svc.baseUrl, `/api/v1/requests/${id}`)).json.status, 'resolved');
  t.not((await api(slack.svc.baseUrl, `/api/v1/requests/${untouched}`)).json.status, 'resolved');
  for (const id of [first, second]) {
    await waitFor(() => (edits(id) > before[id]! && /[Rr]esolved/.test(JSON.stringify(alertsFor(slack.fake, id)[0]!.blocks)) ? true : undefined), { what: `card of #${id}`, timeoutMs: 20_000 });
  }
  await page.getByRole('link', { name: 'Back to the inbox' }).click();
  await page.waitForURL(/\/console\?tab=unassigned$/);
  t.is(await page.getByLabel(`Choose #${first}`).count(), 0, 'resolved tickets left the Unassigned tab');
});
