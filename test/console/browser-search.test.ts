/**
 * Search in a real headless Chromium (system /usr/bin/chromium via playwright-core): "/" on any console page
 * focuses the search box, Enter lists the tickets that match, ranked; hostile ticket text in the results stays
 * inert. Its screenshot goes to docs/console-search.png with UPDATE_SCREENSHOTS=1 (else a temporary directory).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext, Page } from 'playwright-core';
import type { Classifier } from '../../src/domain/classification.ts';
import { signInWithLink, linkFor } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { launchChromium, screenshotDir, watchedPage } from '../kit/chromium.ts';

const VERDICTS: Record<string, { category: 'billing' | 'technical' | 'general'; priority: 'low' | 'medium' | 'high' | 'urgent' }> = {
  'Refund for a double charge': { category: 'billing', priority: 'high' },
  'Invoice address wrong': { category: 'billing', priority: 'medium' },
  'Export to CSV times out': { category: 'technical', priority: 'urgent' },
};
const classifier: Classifier = {
  name: 'scripted',
  async classify(input) {
    const v = VERDICTS[input.subject ?? ''] ?? { category: 'general', priority: 'low' };
    return { ...v, confidence: 0.9, summary: 'summary', language: 'en', modelName: 'gpt-4o-mini', classifier: 'llm', processingTimeMs: 500 };
  },
};

const HOSTILE_SUBJECT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> \u202Egnp.exe';

interface Env {
  svc: TestService;
  browser: BrowserContext;
  shots: string;
  profile: string;
}
const test = anyTest.serial as TestFn<Env>;

test.before(async (t) => {
  const svc = await startTestService({}, { classifier });
  const tickets = [
    { subject: 'Refund for a double charge', body: 'Hi, I was charged twice for my March invoice. Could you refund one of the charges?', requester_name: 'Bea Buyer', requester_email: 'bea@acme.example' },
    { subject: 'Invoice address wrong', body: 'Our new invoice still shows the old street address. Please update it to Hauptstraße 5.', requester_name: 'Dan Diaz', requester_email: 'dan@acme.example' },
    { subject: 'Export to CSV times out', body: 'Exporting last quarter as CSV fails after a minute; the invoice list exports fine.', requester_name: 'Eva Engel', requester_email: 'eva@northwind.example' },
    { subject: 'Thank you', body: 'Just wanted to say the new dashboard is great.', requester_name: 'Finn Fox', requester_email: 'finn@northwind.example' },
    { subject: HOSTILE_SUBJECT, body: 'Click <a href="javascript:window.__pwned=3">here</a> "><svg onload="window.__pwned=4">', requester_name: '"><b id="injected">Mallory</b>', requester_email: 'mallory@evil.example' },
  ];
  for (const json of tickets) await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json });
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?status=processing')).json.total === 0, { what: 'classification' });
  const { cookie } = await signInWithLink(svc.baseUrl, await linkFor(svc.service, 'viewer'));
  const { browser, profile } = await launchChromium();
  const [name, value] = cookie!.split('=') as [string, string];
  await browser.addCookies([{ name, value, url: svc.baseUrl }]);
  const shots = screenshotDir();
  t.context = { svc, browser, shots, profile };
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.svc?.stop();
  if (t.context.profile) rmSync(t.context.profile, { recursive: true, force: true });
});

const newPage = (t: { context: Env; fail(message: string): void }): Promise<Page> => watchedPage(t.context.browser, t);

test('"/" focuses the search box; Enter lists the matching tickets, subject hits first', async (t) => {
  const { svc } = t.context;
  const page = await newPage(t);
  await page.goto(`${svc.baseUrl}/console`);
  await page.keyboard.press('/');
  t.is(await page.evaluate('document.activeElement?.getAttribute("name")'), 'q');
  await page.keyboard.type('invoice');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/console\/search\?q=invoice/);
  const rows = await page.locator('tbody tr').allInnerTexts();
  t.is(rows.length, 3, 'every ticket that mentions an invoice, and only those');
  // A subject hit ranks above body-only hits.
  t.regex(rows[0]!, /Invoice address wrong/);
  t.false(rows.some((r) => r.includes('Thank you')));
  await page.screenshot({ path: path.join(t.context.shots, 'console-search.png'), fullPage: true });

  // On the search page itself, "/" goes to the page's own box, and a domain lists its requesters.
  await page.locator('body').click({ position: { x: 5, y: 400 } });
  await page.keyboard.press('/');
  t.is(await page.evaluate('document.activeElement?.closest("main") !== null'), true);
  await page.keyboard.type('@northwind.example');
  await page.keyboard.press('Enter');
  await page.waitForURL(/northwind/);
  t.deepEqual((await page.locator('tbody tr .subject a').allInnerTexts()).map((s) => s.replace(/^#\d+ /, '')).sort(), ['Export to CSV times out', 'Thank you']);
  await page.close();
});

test('hostile ticket text in the results renders as inert text', async (t) => {
  const { svc } = t.context;
  const page = await newPage(t);
  for (const q of ['mallory@evil.example', '<script>', 'javascript']) {
    await page.goto(`${svc.baseUrl}/console/search?q=${encodeURIComponent(q)}`);
    await page.mouse.move(300, 250);
    await page.mouse.move(500, 300);
    t.is(await page.evaluate('window.__pwned'), undefined, q);
    t.is(await page.locator('#injected').count(), 0, q);
    t.is(await page.locator('main script, main img[src="x"], main svg, a[href^="javascript:"]').count(), 0, q);
    const text = await page.locator('main').innerText();
    t.true(text.includes('<script>window.__pwned=1</script>'), `${q}: the subject shows as text`);
    t.true(text.includes('⟨U+202E⟩'), `${q}: the bidi override is shown, not obeyed`);
  }
  t.is(await page.locator('input[name="q"]').first().inputValue(), '', 'the header box starts empty');
  t.is(await page.locator('main input[name="q"]').inputValue(), 'javascript');
  await page.close();
});
