/**
 * Live updates, presence and keys in a real headless Chromium (Debian's, through playwright-core), with two
 * service instances on one PostgreSQL behind the consoles: a Slack button click and a REST change on instance
 * B show in a console open on instance A without a reload, pushed by its stream (not by polling); two people
 * with one ticket open see each other; hostile ticket text arriving by a live update stays inert; the keyboard
 * walk (j/k/Enter, ?, Ctrl+K, e) works.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshotDir, watchedPage } from '../kit/chromium.ts';
import { sessionOf } from '../kit/console.ts';
import { startFakeSlack, type FakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { signSlack } from '../kit/signing.ts';
import { blockActionBody, createTicket, postToSlackEvents, type SlackTestEnv, startSlackService, waitForAlert } from '../slack/harness.ts';

const ALMA = { userId: 'UALMA0001', name: 'Alma Agent', role: 'agent' };
const BRUNO = { userId: 'UBRUNO001', name: 'Bruno Agent', role: 'agent' };
const HOSTILE = {
  subject: '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> Live \u202Egnp.exe\u200B',
  body: 'Click <a href="javascript:window.__pwned=3">here</a> "><svg onload="window.__pwned=4"> \' onmouseover=\'window.__pwned=5',
  requester_name: '"><b id="injected">Mallory</b>',
  requester_email: 'mallory@example.com',
};
/** The push reaches the page within this; polling (2 s) alone would often miss it. */
const LIVE_MS = 2_000;

interface Env {
  fake: FakeSlack;
  a: SlackTestEnv;
  b: SlackTestEnv;
  alma: BrowserContext;
  bruno: BrowserContext;
  profiles: string[];
  shots: string;
}

const test = anyTest.serial as TestFn<Env>;

async function browserAs(baseUrl: string, cookie: string): Promise<{ browser: BrowserContext; profile: string }> {
  const launched = await launchChromium();
  const [name, value] = cookie.split('=') as [string, string];
  await launched.browser.addCookies([{ name, value, domain: new URL(baseUrl).hostname, path: '/console', httpOnly: true, sameSite: 'Lax' }]);
  return launched;
}

test.before(async (t) => {
  const fake = await startFakeSlack();
  const a = await startSlackService({ PUBLIC_URL: '' }, { database: 'postgres', fake });
  const b = await startSlackService({ PUBLIC_URL: '' }, { databaseUrl: a.svc.databaseUrl!, fake });
  const alma = await browserAs(a.svc.baseUrl, await sessionOf(a.svc.service, ALMA));
  const bruno = await browserAs(b.svc.baseUrl, await sessionOf(b.svc.service, BRUNO));
  t.context = { fake, a, b, alma: alma.browser, bruno: bruno.browser, profiles: [alma.profile, bruno.profile], shots: screenshotDir() };
});

test.after.always(async (t) => {
  await t.context.alma?.close();
  await t.context.bruno?.close();
  await t.context.b?.svc.service.stop();
  await t.context.a?.stop();
  await t.context.fake?.close();
  for (const profile of t.context.profiles ?? []) rmSync(profile, { recursive: true, force: true });
});

/** The page holds its live stream (html[data-live-state=stream]), so what arrives next is pushed, not polled. */
async function streaming(page: Page) {
  await page.locator('html[data-live-state="stream"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.evaluate('window.__sameDocument = true');
}

test('a Slack click and a REST change on instance B show in the console open on instance A within 2 s, without a reload', async (t) => {
  const { a, b, fake } = t.context;
  const id = await createTicket(b.svc, { subject: 'Printer on fire', body: 'The office printer is smoking [cat=technical conf=0.9 prio=high]', requester_email: 'pat@example.com' });
  const alert = await waitForAlert(fake, id);
  const page = await watchedPage(t.context.alma, t);
  await page.goto(`${a.svc.baseUrl}/console/tickets/${id}`);
  await streaming(page);

  // Resolve from the card, on instance B.
  const body = blockActionBody({ actionId: 'ticket_resolve', value: String(id), user: 'U0SLACKER', channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${fake.url}/response/${id}` });
  t.is((await postToSlackEvents(b.svc.baseUrl, body, signSlack(body))).status, 200);
  // Slack is answered first and the click handled after: the clock starts when B has committed the change.
  await waitFor(async () => (await api(b.svc.baseUrl, `/api/v1/requests/${id}`)).json.status === 'resolved', { intervalMs: 20, what: 'the click handled on B' });
  const committed = Date.now();
  await page.locator('#ticket-facts', { hasText: 'Resolved' }).waitFor({ timeout: LIVE_MS });
  t.log(`Slack click committed on B → A's ticket page: ${Date.now() - committed} ms`);

  // A REST change on B, seen on A's inbox.
  await page.goto(`${a.svc.baseUrl}/console?tab=resolved`);
  await streaming(page);
  const changed = Date.now();
  t.is((await api(b.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: 'U0RESTFUL' } })).status, 200);
  await page.locator('tbody tr', { hasText: 'U0RESTFUL' }).waitFor({ timeout: LIVE_MS });
  t.log(`REST change on B → A's inbox: ${Date.now() - changed} ms`);
  t.is(await page.evaluate('window.__sameDocument'), true, 'the page updated itself');
  await page.close();
});

test('two people with one ticket open, on different instances, each see the other', async (t) => {
  const { a, b } = t.context;
  const id = await createTicket(a.svc, { subject: 'Shared look', body: 'Two agents read this at once.', requester_email: 'sam@example.com' });
  const onA = await watchedPage(t.context.alma, t);
  await onA.goto(`${a.svc.baseUrl}/console/tickets/${id}`);
  await streaming(onA);
  const onB = await watchedPage(t.context.bruno, t);
  await onB.goto(`${b.svc.baseUrl}/console/tickets/${id}`);
  await streaming(onB);
  await onA.locator('#ticket-presence', { hasText: 'Bruno Agent' }).waitFor({ timeout: 10_000 });
  await onB.locator('#ticket-presence', { hasText: 'Alma Agent' }).waitFor({ timeout: 10_000 });
  t.regex(await onA.locator('#ticket-presence').innerText(), /Open now: Bruno Agent and you/);
  await onA.screenshot({ path: path.join(t.context.shots, 'console-presence.png') });
  // Bruno leaves: Alma's page says so.
  await onB.close();
  await onA.locator('#ticket-presence', { hasText: 'Nobody else' }).waitFor({ timeout: 10_000 });
  await onA.close();
  t.pass();
});

test('hostile ticket text that arrives by a live update stays inert', async (t) => {
  const { a, b } = t.context;
  const page = await watchedPage(t.context.alma, t);
  await page.goto(`${a.svc.baseUrl}/console?tab=unassigned`);
  await streaming(page);
  await createTicket(b.svc, HOSTILE);
  await page.locator('tbody tr', { hasText: 'window.__pwned=1' }).waitFor({ timeout: 10_000 });
  await page.mouse.move(300, 300);
  await page.mouse.move(500, 400);
  t.is(await page.evaluate('window.__pwned'), undefined);
  t.is(await page.locator('#injected').count(), 0);
  t.is(await page.locator('main script, main img[src="x"], main svg').count(), 0);
  t.is(await page.locator('a[href^="javascript:"]').count(), 0);
  t.true((await page.locator('main').innerText()).includes('⟨U+202E⟩'), 'the bidi override is shown, not obeyed');
  t.is(await page.evaluate('window.__sameDocument'), true);
  await page.close();
});

test('the keyboard walk: j/k move, Enter opens, ? shows the keys, Ctrl+K runs an action by name, e resolves', async (t) => {
  const { a } = t.context;
  const first = await createTicket(a.svc, { subject: 'Keyboard one', body: 'First for the keys.', requester_email: 'k1@example.com' });
  const second = await createTicket(a.svc, { subject: 'Keyboard two', body: 'Second for the keys.', requester_email: 'k2@example.com' });
  const page = await watchedPage(t.context.alma, t);
  await page.goto(`${a.svc.baseUrl}/console?tab=unassigned`);
  await page.locator('tbody tr', { hasText: 'Keyboard one' }).waitFor({ timeout: 10_000 });
  await streaming(page);
  await page.keyboard.press('j');
  t.regex(await page.locator('tbody tr.selected').innerText(), /Keyboard two/, 'newest first');
  await page.keyboard.press('j');
  t.regex(await page.locator('tbody tr.selected').innerText(), /Keyboard one/);
  await page.keyboard.press('k');
  t.regex(await page.locator('tbody tr.selected').innerText(), /Keyboard two/);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${a.svc.baseUrl}/console/tickets/${second}`);
  await page.locator('#ticket-live[data-live-ticket]').waitFor();

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard' });
  await help.waitFor();
  t.regex(await help.innerText(), /Ctrl\+K/);
  await page.screenshot({ path: path.join(t.context.shots, 'console-keys.png') });
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });

  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await palette.waitFor();
  await page.keyboard.type('assign to me');
  t.regex(await palette.locator('[aria-selected="true"]').innerText(), /Assign to me/);
  await page.keyboard.press('Enter');
  await page.locator('#ticket-facts', { hasText: /UALMA0001|Alma Agent/ }).waitFor({ timeout: 10_000 });

  await page.keyboard.press('e');
  await page.locator('#ticket-facts', { hasText: 'Resolved' }).waitFor({ timeout: 10_000 });
  const ticket = (await api(a.svc.baseUrl, `/api/v1/requests/${second}`)).json;
  t.is(ticket.status, 'resolved');
  t.is(ticket.assignee.slack_user_id, ALMA.userId);

  // Back in the inbox: e resolves the selected ticket in place, and the live list drops it.
  await page.goto(`${a.svc.baseUrl}/console?tab=unassigned`);
  await streaming(page);
  await page.keyboard.press('j');
  t.regex(await page.locator('tbody tr.selected').innerText(), /Keyboard one/);
  await page.keyboard.press('e');
  await page.locator('tbody tr', { hasText: 'Keyboard one' }).waitFor({ state: 'detached', timeout: 10_000 });
  t.is((await api(a.svc.baseUrl, `/api/v1/requests/${first}`)).json.status, 'resolved');
  t.is(await page.evaluate('window.__sameDocument'), true);
  await page.close();
});
