/**
 * The inbox over real HTTP: each tab lists the tickets it should (and its count says so), filters in the URL
 * narrow every tab, paging follows the keyset without repeats or gaps, and a bad query value is ignored.
 */
import anyTest, { type TestFn } from 'ava';
import type { Classifier } from '../../src/domain/classification.ts';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

/** "[billing 0.3 urgent es]" in the subject decides the verdict. */
const classifier: Classifier = {
  name: 'scripted',
  async classify(input) {
    const m = /\[(\w+) ([\d.]+) (\w+) (\w+)\]/.exec(input.subject ?? '');
    return {
      category: (m?.[1] ?? 'general') as never, confidence: Number(m?.[2] ?? 0.9), priority: (m?.[3] ?? 'medium') as never, language: m?.[4] ?? 'en',
      summary: 'summary', modelName: 'scripted', classifier: 'local', processingTimeMs: 1,
    };
  },
};

interface Env {
  svc: TestService;
  client: ConsoleClient;
  ids: Record<string, number>;
}
const test = anyTest.serial as TestFn<Env>;

const ME = 'UME000001';

test.before(async (t) => {
  const svc = await startTestService({ CONSOLE_AGENTS: ME }, { classifier });
  const create = async (subject: string) => (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `About ${subject}`, requester_email: 'x@example.com' } })).json.id as number;
  const ids: Record<string, number> = {
    fresh: await create('Fresh [general 0.9 medium en]'),
    unsure: await create('Unsure [technical 0.3 high de]'),
    mine: await create('Mine [billing 0.9 urgent en]'),
    waiting: await create('Waiting [billing 0.9 low en]'),
    snoozed: await create('Snoozed [general 0.9 low en]'),
    done: await create('Done [technical 0.9 medium en]'),
  };
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?status=processing')).json.total === 0, { what: 'classification' });
  await api(svc.baseUrl, `/api/v1/requests/${ids.mine}`, { method: 'PATCH', json: { assignee: ME } });
  await api(svc.baseUrl, `/api/v1/requests/${ids.waiting}`, { method: 'PATCH', json: { status: 'waiting_on_customer' } });
  await api(svc.baseUrl, `/api/v1/requests/${ids.snoozed}`, { method: 'PATCH', json: { snooze: { until: new Date(Date.now() + 3_600_000).toISOString() } } });
  await api(svc.baseUrl, `/api/v1/requests/${ids.done}`, { method: 'PATCH', json: { status: 'resolved' } });
  // The console's link session is not ME; sign ME in by a session row of its own.
  const client = await signedIn(svc.baseUrl, svc.service, 'agent');
  await svc.service.db.sql.query(`update console_sessions set user_id = $1`, [ME]);
  t.context = { svc, client, ids };
});
test.after.always(async (t) => t.context.svc?.stop());

const listed = (page: string) => [...page.matchAll(/href="\/console\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));
const count = (page: string, label: string) => Number(new RegExp(`${label}<span class="count">(\\d+)</span>`).exec(page)?.[1]);

test('each tab lists its tickets, newest first, and its count agrees', async (t) => {
  const { client, ids } = t.context;
  const expected: Record<string, number[]> = {
    needs_first_reply: [ids.mine!, ids.unsure!, ids.fresh!],
    mine: [ids.mine!],
    unassigned: [ids.unsure!, ids.fresh!],
    snoozed: [ids.snoozed!],
    low_confidence: [ids.unsure!],
    waiting: [ids.waiting!],
    resolved: [ids.done!],
    breaching_soon: [],
  };
  // Unassigned: every open ticket nobody has that is not put aside, waiting on the customer or not.
  expected.unassigned = [ids.waiting!, ids.unsure!, ids.fresh!];
  const home = await client.get('/console');
  for (const [tab, want] of Object.entries(expected)) {
    const page = await client.get(`/console?tab=${tab}`);
    t.is(page.status, 200);
    t.deepEqual(listed(page.text), want.sort((a, b) => b - a), tab);
  }
  t.is(count(home.text, 'Needs first reply'), expected.needs_first_reply!.length);
  t.is(count(home.text, 'Low confidence'), 1);
  t.is(count(home.text, 'Resolved'), 1);
});

test('filters in the URL narrow the list and the counts; unknown values are ignored, not errors', async (t) => {
  const { client, ids } = t.context;
  t.deepEqual(listed((await client.get('/console?tab=needs_first_reply&category=billing')).text), [ids.mine!]);
  t.deepEqual(listed((await client.get('/console?tab=needs_first_reply&language=de')).text), [ids.unsure!]);
  t.deepEqual(listed((await client.get('/console?tab=needs_first_reply&priority=urgent')).text), [ids.mine!]);
  t.deepEqual(listed((await client.get(`/console?tab=needs_first_reply&assignee=${ME}`)).text), [ids.mine!]);
  const filtered = await client.get('/console?category=billing');
  t.is(count(filtered.text, 'Resolved'), 0);
  t.regex(filtered.text, /href="\/console\?category=billing&amp;tab=resolved"/, 'tabs keep the filters');
  for (const junk of ['after=2026-02-30T10:00:00.000000Z_5', 'after=2026-02-28T10:00:00.000000Z_99999999999', 'tab=drop%20table', 'category=<script>', 'since=yesterday', 'after=1_2_3', 'priority=', 'door=nowhere', `language=${'x'.repeat(500)}`]) {
    const res = await client.get(`/console?${junk}`);
    t.is(res.status, 200, junk);
    t.notRegex(res.text, /<script>/);
  }
  const today = new Date().toISOString().slice(0, 10);
  t.is(listed((await client.get(`/console?tab=resolved&since=${today}&until=${today}`)).text).length, 1);
  t.is(listed((await client.get('/console?tab=resolved&until=2000-01-01')).text).length, 0);
});

test('paging follows the keyset: every ticket once, in order, across pages', async (t) => {
  const { svc, client } = t.context;
  const created: number[] = [];
  for (let i = 0; i < 55; i++) {
    const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Bulk ${i} [general 0.9 low fr]`, body: `A bulk ticket, number ${i}`, requester_email: 'b@example.com' } });
    t.is(res.status, 201, res.text);
    created.push(res.json.id);
  }
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?status=processing')).json.total === 0, { what: 'classification' });
  // Ties and neighbours a microsecond apart, within one millisecond: a cursor rounded to the millisecond would skip rows.
  await svc.service.db.sql.query(`update tickets set created_at = timestamptz '2026-03-01T10:00:00.123456Z' + (id % 3) * interval '1 microsecond' where subject like 'Bulk %'`);
  const seen: number[] = [];
  let url: string | undefined = '/console?tab=needs_first_reply&language=fr';
  while (url) {
    const page = await client.get(url);
    seen.push(...listed(page.text));
    url = /<a class="button" href="(\/console\?[^"]*after=[^"]+)">Next page/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
  }
  const order = (id: number) => (id % 3) * 1e6 + id;
  t.deepEqual(seen, [...created].sort((a, b) => order(b) - order(a)));
  t.true(seen.length > 50, 'more than one page');
});

test('a tab\'s count stops at 1000+, the list still pages through everything', async (t) => {
  const { svc, client } = t.context;
  await svc.service.db.sql.query(`insert into tickets (source, subject, body, status, created_at, updated_at)
    select 'api', 'Old ' || g, 'An old resolved ticket', 'resolved', now() - (g || ' minutes')::interval, now() from generate_series(1, 1001) g`);
  const page = await client.get('/console?tab=resolved');
  t.regex(page.text, /Resolved<span class="count">1000\+<\/span>/);
  t.regex(page.text, /Next page/);
  t.regex((await client.get('/console?tab=snoozed')).text, /Snoozed<span class="count">1<\/span>/);
});
