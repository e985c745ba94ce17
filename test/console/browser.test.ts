/**
 * The operator console in a real headless Chromium (the system's /usr/bin/chromium driven by playwright-core,
 * no browser download): Sign in with Slack through a local fake OpenID provider, the inbox and the ticket page
 * render what they should, an action in the console edits the ticket's card on the fake Slack, hostile ticket
 * text stays inert, and a foreign workspace's sign-in is refused. Screenshots of each view are taken on the
 * way (into docs/ with UPDATE_SCREENSHOTS=1, else a temporary directory).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext, Page } from 'playwright-core';
import { startFakeOidc, oidcEnv, type FakeOidc } from '../kit/fake-oidc.ts';
import { waitFor } from '../kit/wait.ts';
import type { Classifier } from '../../src/domain/classification.ts';
import { alertsFor, createTicket, type SlackTestEnv, startSlackService, waitForAlert } from '../slack/harness.ts';
import { launchChromium, screenshotDir, watchedPage } from '../kit/chromium.ts';

const TEAM = 'TOURTEAM1';
const AGENT = { userId: 'UAGENT001', teamId: TEAM, name: 'Alma Agent' };
const HOSTILE = {
  subject: '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> \u202Egnp.exe\u200B',
  body: 'Click <a href="javascript:window.__pwned=3">here</a> "><svg onload="window.__pwned=4"> \' onmouseover=\'window.__pwned=5',
  requester_name: '"><b id="injected">Mallory</b>',
};

/** The verdict per subject (the screenshots show real-looking tickets, no test markers); others: general, sure, medium. */
const VERDICTS: Record<string, { category: 'billing' | 'technical' | 'general'; confidence: number; priority: 'low' | 'medium' | 'high' | 'urgent' }> = {
  'Refund for a double charge': { category: 'billing', confidence: 0.95, priority: 'high' },
  'Login loop': { category: 'technical', confidence: 0.42, priority: 'urgent' },
  'Invoice address wrong': { category: 'billing', confidence: 0.88, priority: 'medium' },
};

const classifier: Classifier = {
  name: 'scripted',
  async classify(input) {
    const v = VERDICTS[input.subject ?? ''] ?? { category: 'general', confidence: 0.9, priority: 'medium' };
    return { ...v, summary: `The customer writes about: ${(input.subject ?? input.body).slice(0, 60)}`, language: 'en', modelName: 'gpt-4o-mini', classifier: 'llm', processingTimeMs: 640 };
  },
};

interface Env {
  slack: SlackTestEnv;
  oidc: FakeOidc;
  browser: BrowserContext;
  shots: string;
  profile: string;
}

const test = anyTest.serial as TestFn<Env>;

test.before(async (t) => {
  const oidc = await startFakeOidc(AGENT);
  const slack = await startSlackService(
    { ...oidcEnv(oidc, TEAM), CONSOLE_AGENTS: AGENT.userId, PUBLIC_URL: '', SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=240,medium=480,low=960', SLA_BUSINESS_HOURS: '24/7' },
    { classifier },
  );
  const { browser, profile } = await launchChromium();
  const shots = screenshotDir();
  t.context = { slack, oidc, browser, shots, profile };
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.slack?.stop();
  await t.context.oidc?.close();
  if (t.context.profile) rmSync(t.context.profile, { recursive: true, force: true });
});

const newPage = (t: { context: Env; fail(message: string): void }): Promise<Page> => watchedPage(t.context.browser, t);

test('Sign in with Slack through the OpenID provider lands on the inbox with the tickets', async (t) => {
  const { slack, browser } = t.context;
  const first = await createTicket(slack.svc, { subject: 'Refund for a double charge', body: 'Hi, I was charged twice for my March subscription. Could you refund one of the charges?', requester_name: 'Bea Buyer', requester_email: 'bea@example.com' });
  const second = await createTicket(slack.svc, { subject: 'Login loop', body: 'Since this morning the login page keeps reloading after I enter my password.', requester_name: 'Carl Coder', requester_email: 'carl@example.com' });
  await waitForAlert(slack.fake, first);
  await waitForAlert(slack.fake, second);

  const page = await newPage(t);
  // A bookmarked view: after signing in, the browser is back on it.
  await page.goto(`${slack.svc.baseUrl}/console?tab=unassigned`);
  t.regex(page.url(), /\/console\/sign-in/);
  await page.screenshot({ path: path.join(t.context.shots, 'console-sign-in.png') });
  await page.getByRole('link', { name: 'Sign in with Slack' }).click();
  await page.waitForURL(`${slack.svc.baseUrl}/console?tab=unassigned`);
  t.is(await page.locator('.who').innerText().then((s) => s.includes('Alma Agent')), true);
  const rows = page.locator('tbody tr');
  t.is(await rows.count(), 2, 'nobody has either ticket');
  t.regex(await rows.nth(0).innerText(), /Login loop/);
  t.regex(await rows.nth(1).innerText(), /Refund for a double charge/);
  await page.screenshot({ path: path.join(t.context.shots, 'console-inbox.png'), fullPage: true });

  await page.getByRole('link', { name: /Low confidence/ }).click();
  await page.waitForURL(/tab=low_confidence/);
  t.is(await page.locator('tbody tr').count(), 1);
  t.regex(await page.locator('tbody tr').innerText(), /Login loop/);
  await page.getByRole('link', { name: /Breaching soon/ }).click();
  await page.waitForURL(/tab=breaching_soon/);
  t.regex(await page.locator('tbody tr').innerText(), /Login loop/, 'urgent: its 30-minute first-response clock runs out within the hour');
  t.regex(await page.locator('tbody tr').innerText(), /left/);
  await page.close();
  void browser;
});

test('an action in the console edits the ticket\'s card on Slack', async (t) => {
  const { slack } = t.context;
  const id = await createTicket(slack.svc, { subject: 'Invoice address wrong', body: 'Our company moved. Please change the billing address on invoice 2026-118 to 4 Quay Street, Dublin.', requester_email: 'dee@example.com' });
  const alert = await waitForAlert(slack.fake, id);
  const editsBefore = alert.edited;
  const page = await newPage(t);
  await page.goto(`${slack.svc.baseUrl}/console/tickets/${id}`);
  t.regex(await page.locator('h1').innerText(), /Invoice address wrong/);
  t.regex(await page.locator('.timeline').innerText(), /Classified by gpt-4o-mini/);
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.waitForURL(/done=assigned/);
  t.regex(await page.locator('.timeline').innerText(), /Assigned to .*UAGENT001|Assigned to/);
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.waitForURL(/done=resolved/);
  t.regex(await page.locator('.facts').first().innerText(), /Resolved/);
  await page.screenshot({ path: path.join(t.context.shots, 'console-ticket.png'), fullPage: true });
  const card = await waitFor(() => {
    const now = alertsFor(slack.fake, id)[0]!;
    const text = JSON.stringify(now.blocks ?? []);
    return now.edited > editsBefore && /UAGENT001/.test(text) && /[Rr]esolved/.test(text) ? now : undefined;
  }, { what: 'the card to show the assignment and the resolution' }).catch((error: Error) => {
    throw new Error(`${error.message}; the card: ${JSON.stringify(alertsFor(slack.fake, id)[0])}`);
  });
  t.truthy(card);
  const ticket = await (await fetch(`${slack.svc.baseUrl}/api/v1/requests/${id}`)).json() as { status: string; assignee: { slack_user_id: string } | null };
  t.is(ticket.status, 'resolved');
  t.is(ticket.assignee?.slack_user_id, AGENT.userId);
  await page.close();
});

test('hostile ticket text renders as inert text in the inbox and on the ticket page', async (t) => {
  const { slack } = t.context;
  const id = await createTicket(slack.svc, { ...HOSTILE, body: HOSTILE.body, requester_email: 'mallory@example.com' });
  await waitForAlert(slack.fake, id);
  const page = await newPage(t);
  for (const url of [`${slack.svc.baseUrl}/console`, `${slack.svc.baseUrl}/console/tickets/${id}`]) {
    await page.goto(url);
    await page.mouse.move(200, 200);
    await page.mouse.move(400, 300);
    t.is(await page.evaluate('window.__pwned'), undefined, url);
    t.is(await page.locator('#injected').count(), 0, url);
    t.is(await page.locator('main script, main img[src="x"], main svg').count(), 0, url);
    t.is(await page.locator('a[href^="javascript:"]').count(), 0, url);
    const text = await page.locator('main').innerText();
    t.true(text.includes('<script>window.__pwned=1</script>'), `${url}: the subject shows as text`);
    t.true(text.includes('⟨U+202E⟩'), `${url}: the bidi override is shown, not obeyed`);
  }
  const timeline = await page.locator('.timeline').innerText();
  t.true(timeline.includes('<a href="javascript:window.__pwned=3">here</a>'));
  t.true(timeline.includes('"><b id="injected">Mallory</b>'));
  await page.close();
});

test('the saved replies page lists what agents can start a reply from', async (t) => {
  const { slack } = t.context;
  for (const json of [
    { title: 'Refund on its way', body: 'We have refunded the duplicate charge; it shows on your statement within 5 business days.', category: 'billing', language: 'en' },
    { title: 'Password reset steps', body: 'Open the sign-in page, choose "Forgot password" and follow the link we e-mail you.', category: 'technical' },
  ]) {
    const res = await fetch(`${slack.svc.baseUrl}/api/v1/saved-replies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    t.is(res.status, 201);
  }
  const page = await newPage(t);
  await page.goto(`${slack.svc.baseUrl}/console/saved-replies`);
  t.is(await page.locator('tbody tr').count(), 2);
  await page.getByLabel('Title').fill('Thanks for waiting');
  await page.getByLabel('Text').fill('Thanks for your patience, we are on it.');
  await page.getByRole('button', { name: 'Save' }).click();
  // With htmx the form posts in place, without it the page reloads: a locator's wait survives either.
  await page.locator('tbody tr', { hasText: 'Thanks for waiting' }).waitFor({ timeout: 30_000 });
  t.is(await page.locator('tbody tr').count(), 3);
  await page.screenshot({ path: path.join(t.context.shots, 'console-saved-replies.png'), fullPage: true });
  await page.close();
});

test('an open console shows a change made elsewhere without a reload', async (t) => {
  const { slack } = t.context;
  const page = await newPage(t);
  await page.goto(`${slack.svc.baseUrl}/console?tab=unassigned`);
  await page.evaluate('window.__sameDocument = true');
  const id = await createTicket(slack.svc, { subject: 'Arrived while watching', body: 'A ticket that reaches an open console by itself.', requester_email: 'watch@example.com' });
  await page.locator('tbody tr', { hasText: 'Arrived while watching' }).waitFor({ timeout: 30_000 });
  await page.goto(`${slack.svc.baseUrl}/console/tickets/${id}`);
  await page.evaluate('window.__sameDocument = true');
  const res = await fetch(`${slack.svc.baseUrl}/api/v1/requests/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assignee: 'U0ELSEWHR' }) });
  t.is(res.status, 200);
  await page.locator('.timeline', { hasText: 'U0ELSEWHR' }).waitFor({ timeout: 30_000 });
  await page.locator('#ticket-facts', { hasText: 'U0ELSEWHR' }).waitFor({ timeout: 30_000 });
  t.is(await page.evaluate('window.__sameDocument'), true, 'no reload: the page updated itself');
  await page.close();
});

test('intake health shows every part and the doors that saw requests', async (t) => {
  const { slack } = t.context;
  const page = await newPage(t);
  await page.goto(`${slack.svc.baseUrl}/console/health`);
  const parts = await page.locator('table').first().innerText();
  for (const part of ['database', 'queue', 'slack']) t.regex(parts, new RegExp(part));
  t.regex(await page.locator('main').innerText(), /\brest\b/);
  await page.screenshot({ path: path.join(t.context.shots, 'console-health.png'), fullPage: true });
  await page.close();
});

test('a phone-sized screen gets the same inbox, readable', async (t) => {
  const { slack, browser } = t.context;
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${slack.svc.baseUrl}/console?tab=resolved`);
  t.is(await page.locator('tbody tr').count(), 1);
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  t.true(overflow <= 0, `no sideways scrolling (overflow ${overflow}px)`);
  await page.screenshot({ path: path.join(t.context.shots, 'console-phone.png'), fullPage: true });
  await page.close();
});

test('a member of another workspace is refused, and signs in nowhere', async (t) => {
  const { slack, oidc, browser } = t.context;
  await browser.clearCookies();
  oidc.nextUser = { userId: 'UOTHER001', teamId: 'TFOREIGN1', name: 'Olga Outsider' };
  const page = await newPage(t);
  await page.goto(`${slack.svc.baseUrl}/console/sign-in/slack`);
  t.regex(await page.locator('main').innerText(), /not the one this console belongs to/);
  await page.goto(`${slack.svc.baseUrl}/console`);
  t.regex(page.url(), /\/console\/sign-in/);
  // A member of our workspace without a role is refused too.
  oidc.nextUser = { userId: 'UNOROLE01', teamId: TEAM, name: 'Nora' };
  await page.goto(`${slack.svc.baseUrl}/console/sign-in/slack`);
  t.regex(await page.locator('main').innerText(), /has no console role/);
  oidc.nextUser = AGENT;
  await page.close();
});
