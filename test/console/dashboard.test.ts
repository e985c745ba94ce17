/**
 * The dashboard over real HTTP: its tables hold what happened (tickets per day by category and door, SLA
 * outcomes per priority, response and resolution times, backlog by age, the classifier's record against
 * people's corrections), the 7/30/90-day picker lives in the URL, every table downloads as the same CSV,
 * and bad parameters fall back or 404 without reaching the database.
 */
import anyTest, { type TestFn } from 'ava';
import type { Classifier } from '../../src/domain/classification.ts';
import { chart, toCsv } from '../../src/console/dashboard.ts';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

/** "[billing 0.35 urgent]" in the subject decides the verdict. */
const classifier: Classifier = {
  name: 'scripted',
  async classify(input) {
    const m = /\[(\w+) ([\d.]+) (\w+)\]/.exec(input.subject ?? '');
    return { category: (m?.[1] ?? 'general') as never, confidence: Number(m?.[2] ?? 0.9), priority: (m?.[3] ?? 'medium') as never, language: 'en', summary: 's', modelName: 'scripted', classifier: 'local', processingTimeMs: 1 };
  },
};

interface Env {
  svc: TestService;
  client: ConsoleClient;
}
const test = anyTest.serial as TestFn<Env>;

test.before(async (t) => {
  const svc = await startTestService({ SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60,medium=480,low=960', SLA_RESOLUTION_MINUTES: 'urgent=120,high=240,medium=2880,low=5760', SLA_BUSINESS_HOURS: '24/7' }, { classifier });
  const create = async (subject: string, source = 'api') =>
    (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `About ${subject}`, requester_email: 'x@example.com', ...(source === 'api' ? {} : {}) } })).json.id as number;
  const ids = [
    await create('One [billing 0.95 urgent]'),
    await create('Two [billing 0.35 high]'),
    await create('Three [technical 0.82 medium]'),
    await create('Four [general 0.15 low]'),
  ];
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?status=processing')).json.total === 0, { what: 'classification' });
  // People correct two verdicts: one keeps the machine's category (only the priority changes), one does not.
  await api(svc.baseUrl, `/api/v1/requests/${ids[1]}/classification`, { method: 'PUT', json: { category: 'billing', priority: 'urgent' } });
  await api(svc.baseUrl, `/api/v1/requests/${ids[3]}/classification`, { method: 'PUT', json: { category: 'technical' } });
  await api(svc.baseUrl, `/api/v1/requests/${ids[0]}`, { method: 'PATCH', json: { status: 'resolved' } });
  // Ticket three is old: opened 10 days ago (its rollup day moves with it), still open.
  await svc.service.db.sql.query(`update tickets set created_at = now() - interval '10 days' where id = $1`, [ids[2]]);
  const client = await signedIn(svc.baseUrl, svc.service, 'viewer');
  t.context = { svc, client };
});
test.after.always(async (t) => t.context.svc?.stop());

/** The cells of the table named `label`, row by row. */
function table(page: string, label: string): string[][] {
  const m = new RegExp(`<table aria-label="${label.replace(/[()']/g, (c) => (c === "'" ? '&#39;' : `\\${c}`))}">([\\s\\S]*?)</table>`).exec(page);
  if (!m) throw new Error(`no table ${label}`);
  return [...m[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.trim()));
}

test('the tables hold the period\'s tickets, SLA outcomes, backlog and the classifier\'s record', async (t) => {
  const res = await t.context.client.get('/console/dashboard?days=7');
  const page = res.text;
  const byCategory = table(page, 'Tickets per day by category');
  t.deepEqual(byCategory[0], ['day', 'billing', 'technical', 'total']);
  const today = new Date().toISOString().slice(0, 10);
  // Ticket four was reclassified technical; ticket three is 10 days old, outside 7 days.
  t.deepEqual(byCategory.find((r) => r[0] === today), [today, '2', '1', '3']);
  t.is(byCategory.length, 1 + 7);
  t.deepEqual(table(page, 'Tickets per day by door').find((r) => r[0] === today), [today, '3', '3']);
  const backlog = table(page, 'Open backlog by age');
  t.deepEqual(backlog.slice(1), [['under 1 day', '2'], ['1–3 days', '0'], ['3–7 days', '0'], ['7–30 days', '1'], ['over 30 days', '0']]);
  const record = table(page, 'Classifier record');
  t.deepEqual(record[1], ['3', '2', '66.7%', '1', '50.0%']);
  const confidence = table(page, 'Confidence of machine verdicts');
  t.deepEqual(confidence.slice(1).map((r) => Number(r[1])), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 'only the uncorrected machine verdict (0.95) of the period');
  const sla = table(page, 'SLA met and breached per priority');
  t.is(sla[1]![0], 'urgent');
  t.true(page.includes('data-chart="'));
  // 30 days takes ticket three in.
  const month = (await t.context.client.get('/console/dashboard?days=30')).text;
  t.is(table(month, 'Tickets per day by category').length, 1 + 30);
  t.deepEqual(table(month, 'Classifier record')[1]!.slice(0, 2), ['4', '2']);
});

test('every table downloads as CSV with the same cells; a bad period falls back, an unknown table is 404', async (t) => {
  const { client } = t.context;
  const page = (await client.get('/console/dashboard?days=7')).text;
  const csv = await client.get('/console/dashboard?days=7&format=csv&table=backlog');
  t.is(csv.status, 200);
  t.regex(csv.headers.get('content-type') ?? '', /^text\/csv/);
  t.regex(csv.headers.get('content-disposition') ?? '', /attachment; filename="support-triage-backlog-7d.csv"/);
  t.is(csv.text, table(page, 'Open backlog by age').map((r) => r.join(',')).join('\r\n') + '\r\n');
  for (const name of ['daily-category', 'daily-door', 'sla', 'times', 'classifier', 'confidence']) t.is((await client.get(`/console/dashboard?format=csv&table=${name}`)).status, 200, name);
  t.is((await client.get('/console/dashboard?format=csv&table=__proto__')).status, 404);
  t.is((await client.get('/console/dashboard?format=csv&table=%3Cscript%3E')).status, 404);
  for (const days of ['0', '-1', '1000000', 'abc', "7'"]) {
    const res = await client.get(`/console/dashboard?days=${encodeURIComponent(days)}`);
    t.is(res.status, 200, days);
    t.true(res.text.includes(`<a href="/console/dashboard?days=30" hx-boost="false" aria-current="page">`), days);
  }
});

test('CSV cells are quoted where needed and never start a spreadsheet formula', (t) => {
  t.is(toCsv({ head: ['a', 'b'], rows: [['=1+1', 'x,"y"'], ['-2', 3], ['@sum', '+1']] }), `a,b\r\n'=1+1,"x,""y"""\r\n'-2,3\r\n'@sum,'+1\r\n`);
});

test('the dashboard needs a console session', async (t) => {
  const res = await fetch(`${t.context.svc.baseUrl}/console/dashboard`, { redirect: 'manual' });
  t.not(res.status, 200);
});

test('a chart label that looks like markup stays data: the attribute is escaped and parses back to the same text', (t) => {
  const label = `"><script>alert(1)</script><img src=x onerror=alert(2)> '&`;
  const markup = chart(label, { days: ['2026-01-01'], series: { [label]: [1] } }).value;
  t.false(markup.includes('<script>'));
  t.is(markup.match(/</g)?.length, 2, 'one element: the figure, opened and closed');
  const attribute = /data-chart="([^"]*)"/.exec(markup)![1]!;
  const decoded = attribute.replace(/&(quot|lt|gt|#39|#96|amp);/g, (_, e: string) => ({ quot: '"', lt: '<', gt: '>', '#39': "'", '#96': '`', amp: '&' })[e]!);
  t.deepEqual(JSON.parse(decoded), { title: label, days: ['2026-01-01'], series: { [label]: [1] } });
});
