/**
 * Satisfaction surveys end to end over real HTTP: a resolved REST ticket gets one survey through its signed reply
 * webhook (type "survey", with the page's link); the page records nothing when fetched (GET, HEAD, a prefetch),
 * only its own form's POST records a score, once; a bad score reopens the ticket when configured; a reopened
 * ticket's pending survey is cancelled; helpdesk tickets, blocked senders, merged tickets and unsampled
 * resolutions get none; two instances send each survey once.
 */
import test from 'ava';
import { generic } from '../../src/inbound/webhooks/generic.ts';
import { startFakeHelpdesk, type FakeHelpdesk } from '../kit/fake-helpdesk.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { signedIn } from '../kit/console.ts';

const SECRET = 'survey-webhook-secret';
const PUBLIC = 'https://triage.example.com';
const env = (hooks: FakeHelpdesk, more: Record<string, string> = {}) => ({
  CSAT_ENABLED: 'true', CSAT_DELAY_MINUTES: '0', SLA_BUSINESS_HOURS: '24/7', PUBLIC_URL: PUBLIC, CSAT_REOPEN_ON_BAD: 'true',
  API_REPLY_WEBHOOK_URL: `${hooks.url}/surveys`, API_REPLY_WEBHOOK_SECRET: SECRET, ...more,
});

let hooks: FakeHelpdesk;
let svc: TestService;
test.before(async () => {
  hooks = await startFakeHelpdesk();
  hooks.route('POST', /^\/surveys$/, { status: 200, json: {} });
  svc = await startTestService(env(hooks));
});
test.after.always(async () => {
  await svc?.stop();
  await hooks?.close();
});

let seq = 0;
const create = async (s: TestService, email = `csat-${++seq}@customer.example`) =>
  (await api(s.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Question ${++seq}`, body: 'How do I export my data?', requester_email: email } })).json.id as number;
const setStatus = (s: TestService, id: number, status: string) => api(s.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status } });
const surveysOf = (s: TestService, id: number) =>
  s.service.db.sql.query<{ id: number; state: string; score: number | null }>('select id, state, score from csat_surveys where ticket_id = $1 order by id', [id]);
const callsFor = (id: number) => hooks.calls.filter((c) => c.json?.type === 'survey' && c.json.ticket_id === id);
const pagePath = (call: { json: any }) => new URL(call.json.survey_url).pathname;
const page = (path: string, init: RequestInit = {}) => fetch(`${svc.baseUrl}${path}`, { redirect: 'manual', ...init });
const answer = (path: string, score: string) => page(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ score }) });

test.serial('a resolve sends one signed survey; fetching its page records nothing; the form records one score, once', async (t) => {
  const id = await create(svc);
  t.is((await setStatus(svc, id, 'resolved')).status, 200);
  const call = await waitFor(() => callsFor(id)[0], { what: 'the survey webhook' });
  t.notThrows(() => generic.verify({ headers: call.headers, raw: Buffer.from(call.raw), now: new Date() }, SECRET));
  t.like(call.json, { type: 'survey', ticket_id: id, source: 'api' });
  t.regex(call.json.survey_url, /^https:\/\/triage\.example\.com\/survey\/[A-Za-z0-9_-]{43}$/);
  t.true(call.json.text.includes(call.json.survey_url));
  const path = pagePath(call);

  // A mail scanner, a link preview, a browser's prefetch: the page, and nothing recorded.
  for (const init of [{}, { method: 'HEAD' }, { headers: { purpose: 'prefetch', 'sec-purpose': 'prefetch' } }, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks)' } }]) {
    const res = await page(path, init);
    t.is(res.status, 200);
    t.is(res.headers.get('cache-control'), 'no-store');
  }
  const question = await (await page(path)).text();
  t.regex(question, /How did we do\?[\s\S]*<form method="post" action="\/survey\/[^"]+"><input type="hidden" name="score" value="5">/);
  t.deepEqual((await surveysOf(svc, id)).map((s) => [s.state, s.score]), [['sent', null]], 'no score from any fetch');

  t.is((await answer(path, '9')).status, 422);
  t.is((await answer(path, '')).status, 422);
  const thanks = await answer(path, '4');
  t.is(thanks.status, 200);
  t.true((await thanks.text()).includes('Your answer is recorded'));
  const again = await answer(path, '1');
  t.true((await again.text()).includes('This survey is closed'), 'one score per survey');
  t.deepEqual((await surveysOf(svc, id)).map((s) => [s.state, s.score]), [['answered', 4]]);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.status, 'resolved', 'a good score changes nothing');
  t.true((await (await page(path)).text()).includes('This survey is closed'));
  t.is((await page('/survey/not-a-token')).status, 404);
  t.is((await page(`/survey/${'A'.repeat(43)}`)).status, 404);

  // Resolved again later: another resolution, another survey.
  await setStatus(svc, id, 'open');
  await setStatus(svc, id, 'resolved');
  await waitFor(() => callsFor(id)[1], { what: 'the second survey' });
  t.is(new Set(callsFor(id).map((c) => c.json.survey_id)).size, 2);
});

test.serial('a bad score reopens the ticket (CSAT_REOPEN_ON_BAD) and is in its audit', async (t) => {
  const id = await create(svc);
  await setStatus(svc, id, 'resolved');
  const call = await waitFor(() => callsFor(id)[0], { what: 'the survey webhook' });
  t.is((await answer(pagePath(call), '1')).status, 200);
  const ticket = (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
  t.is(ticket.status, 'open');
  const audit = (await api(svc.baseUrl, `/api/v1/audit?ticket=${id}`)).json.items;
  t.true(audit.some((e: any) => e.action === 'survey' && e.after.score === 1));
  t.true(audit.some((e: any) => e.action === 'status' && e.actor === 'customer' && e.after.status === 'open'));
});

test.serial('none for a helpdesk ticket, a blocked sender, a merged ticket; a reopen cancels a pending one', async (t) => {
  const zendesk = await svc.service.ingest({ source: 'zendesk', externalId: `zd-csat-${++seq}`, body: 'Helpdesk ticket', requesterEmail: 'zd@customer.example' });
  await setStatus(svc, zendesk.ticketId!, 'resolved');
  const spammy = await create(svc, 'offers@spam-csat.example');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${spammy}/spam`, { method: 'POST', json: {} })).status, 200);
  const source = await create(svc, 'pat@customer.example');
  const target = await create(svc, 'pat@customer.example');
  await setStatus(svc, source, 'resolved');
  await api(svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', json: { into: target } });
  await new Promise((r) => setTimeout(r, 3000));
  t.deepEqual(await surveysOf(svc, zendesk.ticketId!), []);
  t.deepEqual(await surveysOf(svc, spammy), [], 'the Spam action resolves, and a blocked sender gets no survey');
  t.deepEqual(callsFor(zendesk.ticketId!), []);
  t.deepEqual(callsFor(spammy), []);
  // The merged ticket's survey was either sent before the merge or is skipped: never after it.
  for (const s of await surveysOf(svc, source)) t.true(s.state === 'sent' || s.state === 'skipped', s.state);

  const slow = await startTestService(env(hooks, { CSAT_DELAY_MINUTES: '60' }));
  t.teardown(() => slow.stop());
  const id = await create(slow);
  await setStatus(slow, id, 'resolved');
  t.deepEqual((await surveysOf(slow, id)).map((s) => s.state), ['pending']);
  await setStatus(slow, id, 'open');
  t.deepEqual((await surveysOf(slow, id)).map((s) => s.state), ['cancelled']);
});

test.serial('a survey due while the team is closed waits for the next business hour', async (t) => {
  // Open only from the start of the hour after next (UTC), every day: now is closed.
  const now = new Date();
  const opens = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), now.getUTCHours() + 2));
  const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:00`;
  const closes = new Date(opens.getTime() + 3_600_000);
  const hours = `Mon-Sun ${hh(opens)}-${hh(closes) === '00:00' ? '23:59' : hh(closes)}`;
  const own = await startFakeHelpdesk();
  own.route('POST', /^\/surveys$/, { status: 200, json: {} });
  t.teardown(() => own.close());
  const closed = await startTestService(env(own, { SLA_BUSINESS_HOURS: hours, SLA_TIME_ZONE: 'UTC' }));
  t.teardown(() => closed.stop());
  const id = await create(closed);
  await setStatus(closed, id, 'resolved');
  const [row] = await closed.service.db.sql.query<{ state: string; due_at: Date }>('select state, due_at from csat_surveys where ticket_id = $1', [id]);
  t.is(row!.state, 'pending');
  t.is(new Date(row!.due_at).toISOString(), opens.toISOString(), hours);
  await new Promise((r) => setTimeout(r, 1000));
  t.deepEqual(own.calls, [], 'not sent while closed');
});

test.serial('CSAT_SAMPLE_PERCENT=0 sends none; CSAT_ENABLED without PUBLIC_URL refuses to start', async (t) => {
  const none = await startTestService(env(hooks, { CSAT_SAMPLE_PERCENT: '0' }));
  t.teardown(() => none.stop());
  const id = await create(none);
  await setStatus(none, id, 'resolved');
  t.deepEqual(await surveysOf(none, id), []);
  await t.throwsAsync(startTestService({ CSAT_ENABLED: 'true' }), { message: /CSAT_ENABLED: satisfaction surveys need PUBLIC_URL/ });
});

test.serial('two instances on one database send each survey once', async (t) => {
  // A receiver of their own: ticket ids start again in a new database.
  const own = await startFakeHelpdesk();
  own.route('POST', /^\/surveys$/, { status: 200, json: {} });
  t.teardown(() => own.close());
  const callsFor = (id: number) => own.calls.filter((c) => c.json?.type === 'survey' && c.json.ticket_id === id);
  const first = await startTestService(env(own), { database: 'postgres' });
  t.teardown(() => first.stop());
  const second = await startTestService(env(own), { databaseUrl: first.databaseUrl! });
  t.teardown(() => second.stop());
  const ids: number[] = [];
  for (let i = 0; i < 12; i++) ids.push(await create(i % 2 ? first : second));
  await Promise.all(ids.map((id, i) => setStatus(i % 2 ? second : first, id, 'resolved')));
  await waitFor(() => (ids.every((id) => callsFor(id).length > 0) ? true : undefined), { timeoutMs: 30_000, what: 'every survey sent' });
  await new Promise((r) => setTimeout(r, 3000));
  t.deepEqual(ids.map((id) => callsFor(id).length), ids.map(() => 1));
});

test.serial('scores in /api/v1/stats per category, agent and company, and on the dashboard', async (t) => {
  const own = await startFakeHelpdesk();
  own.route('POST', /^\/surveys$/, { status: 200, json: {} });
  t.teardown(() => own.close());
  // An http address: the console's sign-in cookie is Secure under https, and this test signs in over plain HTTP.
  const s = await startTestService(env(own, { CSAT_REOPEN_ON_BAD: 'false', PUBLIC_URL: 'http://triage.test' }));
  t.teardown(() => s.stop());
  t.is((await api(s.baseUrl, '/api/v1/companies', { method: 'POST', json: { name: 'Acme', domains: ['acme-csat.example'] } })).status, 201);
  const scored = async (email: string, assignee: string, score: string, category: string) => {
    const id = await create(s, email);
    await api(s.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', json: { category } });
    await api(s.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee, status: 'resolved' } });
    const call = await waitFor(() => own.calls.find((c) => c.json?.type === 'survey' && c.json.ticket_id === id), { what: 'the survey' });
    const res = await fetch(`${s.baseUrl}${new URL(call.json.survey_url).pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `score=${score}` });
    t.is(res.status, 200);
  };
  await scored('a@acme-csat.example', 'UANN00001', '5', 'billing');
  await scored('b@acme-csat.example', 'UANN00001', '4', 'billing');
  await scored('c@elsewhere.example', 'UBOB00001', '1', 'technical');
  const csat = (await api(s.baseUrl, '/api/v1/stats?days=1')).json.csat;
  t.like(csat, { responses: 3, average: 3.33, distribution: { 1: 1, 2: 0, 3: 0, 4: 1, 5: 1 } });
  t.deepEqual(csat.by_category, { billing: { responses: 2, average: 4.5 }, technical: { responses: 1, average: 1 } });
  t.deepEqual(csat.by_agent, [{ slack_user_id: 'UANN00001', responses: 2, average: 4.5 }, { slack_user_id: 'UBOB00001', responses: 1, average: 1 }]);
  t.like(csat.by_company, [{ name: 'Acme', responses: 2, average: 4.5 }]);
  t.is(csat.by_company.length, 1, 'no company, no row');
  t.like((await api(s.baseUrl, '/api/v1/stats?days=1&category=technical')).json.csat, { responses: 1, average: 1 });
  t.like((await api(s.baseUrl, '/api/v1/stats?days=1')).json.csat.by_category, { billing: { responses: 2 } });

  const viewer = await signedIn(s.baseUrl, s.service, 'viewer');
  const csv = await viewer.get('/console/dashboard?days=7&format=csv&table=csat');
  t.is(csv.status, 200);
  t.true(csv.text.includes('all,,3,3.33'), csv.text);
  t.true(csv.text.includes('company,Acme,2,4.5'), csv.text);
  t.true(csv.text.includes('agent,UBOB00001,1,1'), csv.text);
  t.regex((await viewer.get('/console/dashboard?days=7')).text, /<table aria-label="Satisfaction scores answered \(1 to 5\)">/);
});
