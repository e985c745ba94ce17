/**
 * The incident page's Close in a real headless Chromium: htmx asks the browser's confirm() with the card's
 * question before anything is sent. Dismissed, nothing is sent and the incident stays open; accepted, it is
 * closed by the agent and the page says so, with no actions left.
 */
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext } from 'playwright-core';
import { getIncident, openIncident } from '../../src/db/repositories/incidents.ts';
import { closeSignedInBrowser, signedInBrowser } from '../kit/console-browser.ts';
import { api, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; browser: BrowserContext; profile: string }>;

test.before(async (t) => {
  t.context = await signedInBrowser('agent');
});
test.after.always(async (t) => closeSignedInBrowser(t.context));

const QUESTION = 'confirm: Close the incident? Its tickets stay as they are; new similar tickets get their own cards again.';

test('Close asks first: dismissed, nothing is sent; accepted, the incident is closed and the page says so', async (t) => {
  const { svc, browser } = t.context;
  const ids: number[] = [];
  for (const who of ['ann', 'bob']) {
    ids.push((await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Checkout down', body: 'The checkout page fails', requester_email: `${who}@customer.example` } })).json.id as number);
  }
  const db = svc.service.db;
  const incident = await db.transaction((tx) => openIncident(tx, { category: 'technical', title: 'Checkout down', titleTicketId: ids[0]!, ticketIds: ids, minhashes: [] }));

  const page = await browser.newPage();
  const asked: string[] = [];
  const posts: string[] = [];
  let answer: 'accept' | 'dismiss' | undefined;
  page.on('dialog', (dialog) => {
    asked.push(`${dialog.type()}: ${dialog.message()}`);
    if (answer === 'accept') void dialog.accept();
    else {
      if (!answer) t.fail(`a dialog nobody expected: ${dialog.message()}`);
      void dialog.dismiss();
    }
    answer = undefined;
  });
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname.startsWith(`/console/incidents/${incident}/`)) posts.push(new URL(req.url()).pathname);
  });
  await page.goto(`${svc.baseUrl}/console/incidents/${incident}`);
  t.is(await page.locator(`a[href="/console/tickets/${ids[0]}"]`).count(), 1);

  answer = 'dismiss';
  await page.getByRole('button', { name: 'Close incident', exact: true }).click();
  await waitFor(() => asked.length > 0 || undefined, { what: 'the browser to ask', timeoutMs: 5_000 });
  t.deepEqual(asked, [QUESTION]);
  await page.waitForTimeout(1_000);
  t.deepEqual(posts, [], 'nothing was sent');
  t.is((await getIncident(db.sql, incident))!.closed_at, null);

  answer = 'accept';
  await page.getByRole('button', { name: 'Close incident', exact: true }).click();
  const notice = page.locator('.notice[role="status"]');
  await notice.waitFor();
  t.is(await notice.innerText(), 'Closed: new similar tickets get their own cards again.');
  t.deepEqual(asked, [QUESTION, QUESTION]);
  t.deepEqual(posts, [`/console/incidents/${incident}/close`]);
  t.regex(await page.locator('#incident-facts dd').first().innerText(), /^Closed /);
  t.is(await page.getByRole('button', { name: 'Close incident' }).count(), 0, 'no actions on a closed incident');
  const row = (await getIncident(db.sql, incident))!;
  t.truthy(row.closed_at);
  t.is(row.closed_by, 'console:link');
  await page.close();
});
