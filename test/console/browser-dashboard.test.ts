/**
 * The dashboard in a real headless Chromium (system /usr/bin/chromium via playwright-core): the uPlot charts
 * draw (canvas present, no CSP violation, no script error), the period picker changes the URL and the tables,
 * and the tables stay readable. Screenshot into docs/console-dashboard.png with UPDATE_SCREENSHOTS=1.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { BrowserContext } from 'playwright-core';
import type { Classifier } from '../../src/domain/classification.ts';
import { linkFor, signInWithLink } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { launchChromium, screenshotDir } from '../kit/chromium.ts';

const CATEGORIES = ['billing', 'technical', 'general'] as const;
const classifier: Classifier = {
  name: 'scripted',
  async classify(input) {
    const n = Number(/(\d+)/.exec(input.subject ?? '')?.[1] ?? 0);
    return { category: CATEGORIES[n % 3]!, confidence: 0.45 + ((n * 37) % 55) / 100, priority: (['urgent', 'high', 'medium', 'low'] as const)[n % 4]!, language: 'en', summary: 's', modelName: 'gpt-4o-mini', classifier: 'llm', processingTimeMs: 400 };
  },
};

interface Env {
  svc: TestService;
  browser: BrowserContext;
  shots: string;
  profile: string;
}
const test = anyTest.serial as TestFn<Env>;

test.before(async (t) => {
  const svc = await startTestService({ SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60,medium=480,low=960', SLA_BUSINESS_HOURS: '24/7' }, { classifier });
  const subjects = ['Refund 1 for a double charge', 'Login 2 loop after reset', 'Invoice 3 address wrong', 'Export 4 to CSV times out', 'Question 5 about plans', 'Card 6 declined', 'API 7 returns 500', 'Welcome 8 mail missing', 'Billing 9 cycle change', 'SSO 10 setup', 'Receipt 11 needed', 'Webhook 12 retries'];
  for (const subject of subjects) await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `About: ${subject}.`, requester_email: 'x@example.com' } });
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?status=processing')).json.total === 0, { what: 'classification' });
  // A busy month, as the rollup holds it: spread the tickets over the last 30 days (the rollup follows updates).
  await svc.service.db.sql.query(`update tickets set created_at = now() - ((id * 7919) % 30) * interval '1 day' - (id % 5) * interval '1 hour'`);
  // And a month of earlier traffic, straight into the table (the rollup triggers count it as any insert).
  await svc.service.db.sql.query(`select setseed(0.42)`);
  await svc.service.db.sql.query(
    `insert into tickets (source, subject, body, status, priority, category, confidence, classifier, low_confidence, created_at, updated_at)
     select source, 'Earlier ' || g, 'Earlier ticket ' || g, case when g % 4 = 0 then 'open' else 'resolved' end,
            (array['low','medium','high','urgent'])[1 + (g % 4)], category, confidence,
            case when g % 9 = 0 then 'human' else 'local' end, confidence < 0.6, created_at, now()
       from (select g, (array['email','email','email','zendesk','api','helpscout'])[1 + floor(random() * 6)::int] as source,
                    (array['billing','technical','technical','general'])[1 + floor(random() * 4)::int] as category,
                    round((0.3 + 0.7 * sqrt(random()))::numeric, 2)::float8 as confidence,
                    now() - floor(30 * power(random(), 1.3)) * interval '1 day' - floor(random() * 600) * interval '1 minute' as created_at
               from generate_series(1, 420) g) x`,
  );
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

test('the charts draw under the strict CSP, the picker changes the period, the tables hold the numbers', async (t) => {
  const { svc, browser } = t.context;
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  // The browser asks for /favicon.ico on its own; every file the page names must load.
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${svc.baseUrl}/console/dashboard`);
  await page.locator('figure[data-chart] canvas').nth(1).waitFor();
  t.deepEqual(problems, [], 'no script error and no CSP violation');
  await page.screenshot({ path: path.join(t.context.shots, 'console-dashboard.png'), fullPage: true });
  const legend = await page.locator('#daily-category').innerText();
  for (const c of CATEGORIES) t.true(legend.toLowerCase().includes(c), c);

  // From another page through the top bar (a full load, so the chart script runs).
  await page.goto(`${svc.baseUrl}/console`);
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL(/\/console\/dashboard$/);
  await page.locator('figure[data-chart] canvas').nth(1).waitFor();

  await page.getByRole('link', { name: '7 days' }).click();
  await page.waitForURL(/days=7/);
  await page.locator('figure[data-chart] canvas').nth(1).waitFor();
  const rows = await page.locator('table[aria-label="Tickets per day by category"] tbody tr').count();
  t.is(rows, 7);
  t.deepEqual(problems, []);
  await page.close();
});
