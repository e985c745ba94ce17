/**
 * The ticket page's Spam action in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core):
 * htmx asks the browser's confirm() before anything is sent, and the question names what will be blocked (the
 * address, or every address at its domain). Dismissed, nothing is sent: no block, the ticket as it was, the
 * sender's next message still a ticket. Accepted, the block is made, the ticket resolved, and the page says so.
 */
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext, Page } from 'playwright-core';
import { closeSignedInBrowser, signedInBrowser } from '../kit/console-browser.ts';
import { api, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; browser: BrowserContext; profile: string }>;

test.before(async (t) => {
  t.context = await signedInBrowser('agent');
});

test.after.always(async (t) => closeSignedInBrowser(t.context));

interface Block {
  kind: string;
  value: string;
  ticket_id: number | null;
  blocked_by: string;
}

const AFTER = 'Their next messages will be kept as spam and make no ticket, and this ticket will be resolved.';

/** A ticket over REST from `email`, once classified (so nothing but the Spam action changes it afterwards). */
async function ticketFrom(svc: TestService, email: string, subject: string): Promise<number> {
  const made = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `${subject}: act now, limited offer`, requester_email: email, requester_name: 'Pat Promo' } });
  if (made.status !== 201) throw new Error(`ticket not made: ${made.status} ${made.text}`);
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${made.json.id}`)).json.status !== 'processing', { what: `ticket ${made.json.id} classified` });
  return made.json.id;
}

const blocks = async (svc: TestService) => (await api(svc.baseUrl, '/api/v1/sender-blocks')).json.items as Block[];
const ticket = async (svc: TestService, id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json as { status: string; updated_at: string };

/**
 * The ticket page, with every browser dialog recorded and answered as `answer` says (set before each click);
 * a dialog nobody expected fails the test. `posts`: the Spam POSTs the page sent.
 */
async function ticketPage(t: { fail(message: string): void }, browser: BrowserContext, baseUrl: string, id: number) {
  const page: Page = await browser.newPage();
  const asked: string[] = [];
  const posts: string[] = [];
  const state = { answer: undefined as 'accept' | 'dismiss' | undefined };
  page.on('dialog', (dialog) => {
    asked.push(`${dialog.type()}: ${dialog.message()}`);
    const answer = state.answer;
    state.answer = undefined;
    if (answer === 'accept') void dialog.accept();
    else {
      if (!answer) t.fail(`a dialog nobody expected: ${dialog.message()}`);
      void dialog.dismiss();
    }
  });
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === `/console/tickets/${id}/spam`) posts.push(req.postData() ?? '');
  });
  await page.goto(`${baseUrl}/console/tickets/${id}`);
  /** Clicks the button answering its dialog; resolves with the dialogs it raised (waits a while for one). */
  const click = async (button: string, answer: 'accept' | 'dismiss') => {
    const before = asked.length;
    state.answer = answer;
    await page.getByRole('button', { name: button, exact: true }).click();
    await waitFor(() => asked.length > before || undefined, { what: 'the browser to ask', timeoutMs: 5_000 }).catch(() => undefined);
    state.answer = undefined;
    return asked.slice(before);
  };
  return { page, posts, click };
}

test('dismissing the Spam question sends nothing: no block, the ticket unchanged, the sender still makes tickets', async (t) => {
  const { svc, browser } = t.context;
  const id = await ticketFrom(svc, 'Pat@Offers-Dismissed.example', 'Cheap watches');
  const before = await ticket(svc, id);
  const { page, posts, click } = await ticketPage(t, browser, svc.baseUrl, id);
  const shown = await page.locator('#ticket-facts dd').first().innerText();

  t.deepEqual(await click('Spam: block the sender', 'dismiss'), [`confirm: Block pat@offers-dismissed.example as spam? ${AFTER}`]);
  t.deepEqual(await click('Spam: block their domain', 'dismiss'), [`confirm: Block every address at offers-dismissed.example as spam? ${AFTER}`]);
  // A request the answer did not stop would be on its way by now.
  await page.waitForTimeout(1_000);
  t.deepEqual(posts, [], 'no Spam request was sent');
  t.is(await page.locator('.notice').count(), 0, 'the page shows no outcome');
  t.is(await page.locator('#ticket-facts dd').first().innerText(), shown, 'the page shows the status it did');
  t.deepEqual(await blocks(svc), [], 'nobody is blocked');
  const after = await ticket(svc, id);
  t.is(after.status, before.status);
  t.is(after.updated_at, before.updated_at, 'the ticket is unchanged');
  const next = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Still here', body: 'more offers for you', requester_email: 'pat@offers-dismissed.example' } });
  t.is(next.status, 201, 'the sender\'s next message is still a ticket');
  await page.close();
});

test('accepting it blocks the address, resolves the ticket, and the page says so; the sender\'s next message makes no ticket', async (t) => {
  const { svc, browser } = t.context;
  const id = await ticketFrom(svc, 'win@prize-accepted.example', 'You won a prize');
  const { page, posts, click } = await ticketPage(t, browser, svc.baseUrl, id);

  t.deepEqual(await click('Spam: block the sender', 'accept'), [`confirm: Block win@prize-accepted.example as spam? ${AFTER}`]);
  const notice = page.locator('.notice[role="status"]');
  await notice.waitFor();
  t.is(await notice.innerText(), 'Marked as spam: the sender\'s address is blocked (see Spam) and the ticket resolved.');
  t.is(await page.locator('#ticket-facts dd').first().innerText(), 'Resolved');
  t.is(posts.length, 1, 'one Spam request');
  t.true(new URLSearchParams(posts[0]).get('scope') === 'email', posts[0]);

  const made = (await blocks(svc)).filter((b) => b.value.endsWith('prize-accepted.example'));
  t.is(made.length, 1);
  t.like(made[0], { kind: 'email', value: 'win@prize-accepted.example', ticket_id: id });
  t.regex(made[0]!.blocked_by, /^console:/);
  t.is((await ticket(svc, id)).status, 'resolved');
  const next = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'You won again', body: 'claim it before midnight', requester_email: 'win@prize-accepted.example' } });
  t.deepEqual([next.status, next.json.status], [202, 'suppressed'], 'the blocked sender\'s next message makes no ticket');
  const colleague = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'A real question', body: 'how do I log in?', requester_email: 'ann@prize-accepted.example' } });
  t.is(colleague.status, 201, 'only the address is blocked, not its domain');
  await page.close();
});

test('accepting the domain question blocks every address at the domain, and the page says so', async (t) => {
  const { svc, browser } = t.context;
  const id = await ticketFrom(svc, 'deals@Bulk-Accepted.example', 'Deals of the week');
  const { page, posts, click } = await ticketPage(t, browser, svc.baseUrl, id);

  t.deepEqual(await click('Spam: block their domain', 'accept'), [`confirm: Block every address at bulk-accepted.example as spam? ${AFTER}`]);
  const notice = page.locator('.notice[role="status"]');
  await notice.waitFor();
  t.is(await notice.innerText(), 'Marked as spam: every address at the sender\'s domain is blocked (see Spam) and the ticket resolved.');
  t.is(await page.locator('#ticket-facts dd').first().innerText(), 'Resolved');
  t.is(posts.length, 1, 'one Spam request');

  t.like((await blocks(svc)).find((b) => b.value === 'bulk-accepted.example'), { kind: 'domain', ticket_id: id });
  t.is((await ticket(svc, id)).status, 'resolved');
  const other = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'More deals', body: 'buy now, only today', requester_email: 'other@bulk-accepted.example' } });
  t.deepEqual([other.status, other.json.status], [202, 'suppressed'], 'another address at the domain makes no ticket');
  await page.close();
});
