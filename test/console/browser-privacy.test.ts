/**
 * The privacy page in a real headless Chromium: an admin runs the dry run, downloads the export (a file, not a
 * page swap under htmx), and erases after typing the address again; the page's own notice confirms it. Its
 * screenshot goes to docs/console-privacy.png with UPDATE_SCREENSHOTS=1 (else a temporary directory).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { launchChromium, screenshotDir, watchedPage } from '../kit/chromium.ts';
import { linkFor, signInWithLink } from '../kit/console.ts';
import { api, startTestService } from '../kit/service.ts';

const PERSON = { requester_email: 'lena.brandt@privacy-browser.example', requester_name: 'Lena Brandt' };

test('dry run, export download and erasure from the page', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const ids: number[] = [];
  for (const subject of ['Cancel my subscription', 'Refund the last invoice']) {
    const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `${subject}, thanks. ${PERSON.requester_name}`, ...PERSON } });
    ids.push(res.json.id as number);
  }
  const { cookie } = await signInWithLink(svc.baseUrl, await linkFor(svc.service, 'admin'));
  const { browser, profile } = await launchChromium();
  t.teardown(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const [name, value] = cookie!.split('=') as [string, string];
  await browser.addCookies([{ name, value, url: svc.baseUrl }]);
  const page = await watchedPage(browser, t);
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${m.text()} ${m.location().url}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });

  await page.goto(`${svc.baseUrl}/console`);
  await page.getByRole('link', { name: 'Privacy' }).click();
  await page.waitForURL(/\/console\/privacy$/);
  await page.getByLabel('Address, domain or customer id').fill(PERSON.requester_email);
  await page.getByRole('button', { name: 'Dry run' }).click();
  await page.getByRole('heading', { name: /What erasing .* would change/ }).waitFor();
  t.regex(await page.locator('main').innerText(), /2 tickets/);
  t.false(page.url().includes('lena'), 'the address is not in the URL');
  await page.screenshot({ path: path.join(screenshotDir(), 'console-privacy.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download everything held/ }).click()]);
  t.regex(download.suggestedFilename(), /^personal-data-export-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  t.deepEqual(exported.tickets, ids);
  t.regex(await page.locator('h1').innerText(), /What erasing/, 'the page stayed');

  await page.getByLabel(/Type .* again to confirm/).fill(PERSON.requester_email);
  await page.getByRole('button', { name: 'Erase' }).click();
  await page.getByText(/Erasure #\d+ is done/).waitFor();
  for (const id of ids) t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.requester_email, null);
  t.deepEqual(problems, [], 'no script or CSP errors');
});
