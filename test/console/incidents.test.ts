/**
 * The console's Incidents pages over real HTTP, with grouping on (3 similar tickets open an incident): the list
 * (open first, then closed) and an incident's page with its tickets, linked both ways with the tickets' pages;
 * an agent's Reply to all (a form sent twice with its nonce queues once: one reply per open ticket, sent through
 * the REST tickets' signed webhook), Resolve all, Close and Take out change what they say; a viewer sees no
 * action and is refused; hostile ids and fields are refused. GET /api/v1/stats and the dashboard count the
 * incidents opened.
 */
import anyTest, { type TestFn } from 'ava';
import { getIncident } from '../../src/db/repositories/incidents.ts';
import { openLiveStream, signedIn, type ConsoleClient } from '../kit/console.ts';
import { startFakeHelpdesk, type FakeHelpdesk } from '../kit/fake-helpdesk.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { sleep, waitFor } from '../kit/wait.ts';
import { scriptedClassifier } from '../slack/harness.ts';

interface Env {
  svc: TestService;
  hooks: FakeHelpdesk;
  agent: ConsoleClient;
  viewer: ConsoleClient;
}
const test = anyTest.serial as TestFn<Env>;

test.before(async (t) => {
  const hooks = await startFakeHelpdesk();
  hooks.route('POST', /^\/replies$/, { status: 200, json: {} });
  const svc = await startTestService(
    { INCIDENTS_ENABLED: 'true', INCIDENT_MIN_TICKETS: '3', API_REPLY_WEBHOOK_URL: `${hooks.url}/replies`, API_REPLY_WEBHOOK_SECRET: 'incident-replies-secret' },
    { classifier: scriptedClassifier() },
  );
  t.context = { svc, hooks, agent: await signedIn(svc.baseUrl, svc.service, 'agent'), viewer: await signedIn(svc.baseUrl, svc.service, 'viewer') };
});
test.after.always(async (t) => {
  await t.context.svc?.stop();
  await t.context.hooks?.close();
});

/** Texts unlike each other (few shared word triples), each long enough to be compared. */
const TOPICS = {
  login: 'Since this morning nobody on our team can log in, the sign in page just spins forever',
  invoice: 'We were charged twice for the December invoice and would like the duplicate payment refunded soon',
  export: 'The nightly export to our warehouse stopped producing files after your latest release went out',
  webhook: 'Our webhook endpoint receives every event three times which creates duplicated orders in our shop',
  upload: 'Uploading attachments larger than a few megabytes fails with a timeout message in the browser window',
  mobile: 'The mobile app crashes right after the splash screen on every Android phone we have tried today',
};

let seq = 0;
async function createTicket(svc: TestService, topic: keyof typeof TOPICS, category: string, name: string): Promise<number> {
  const res = await api(svc.baseUrl, '/api/v1/requests', {
    method: 'POST',
    json: { subject: `Problem ${++seq}`, body: `${TOPICS[topic]} [cat=${category} conf=0.9]`, requester_email: `customer${seq}@example.com`, requester_name: name },
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  return res.json.id as number;
}

const incidentOfTicket = async (svc: TestService, id: number) =>
  (await svc.service.db.sql.query<{ incident_id: number | null; category: string | null }>('select incident_id, category from tickets where id = $1', [id]))[0]!;

/** `count` similar tickets; waits until they are all classified and in one incident; returns it and them. */
async function flood(svc: TestService, topic: keyof typeof TOPICS, category: string, count = 3): Promise<{ incident: number; tickets: number[] }> {
  const tickets: number[] = [];
  for (let i = 0; i < count; i++) tickets.push(await createTicket(svc, topic, category, ['Ada Lovelace', 'Grace Hopper', 'Linus', 'Edsger Dijkstra', 'Barbara'][i % 5]!));
  const incident = await waitFor(async () => {
    const rows = await Promise.all(tickets.map((id) => incidentOfTicket(svc, id)));
    const ids = new Set(rows.map((r) => r.incident_id));
    return rows.every((r) => r.category !== null) && ids.size === 1 && !ids.has(null) ? rows[0]!.incident_id : undefined;
  }, { what: `incident of ${topic}`, timeoutMs: 20_000 });
  return { incident, tickets };
}

const statusOf = async (svc: TestService, id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.status as string;
const repliesOf = (svc: TestService, ids: number[]) =>
  svc.service.db.sql.query<{ ticket_id: number; body: string; state: string; agent_slack_id: string }>('select ticket_id, body, state, agent_slack_id from ticket_replies where ticket_id = any($1::int[]) order by ticket_id, id', [ids]);
const nonceOf = (page: string) => /name="request" value="([^"]+)"/.exec(page)?.[1];

test('the list and an incident\'s page show its counts and tickets, linked both ways; a ticket outside it has no link', async (t) => {
  const { svc, agent } = t.context;
  const { incident, tickets } = await flood(svc, 'login', 'technical', 4);
  const loner = await createTicket(svc, 'upload', 'general', 'Solo');
  await waitFor(async () => (await incidentOfTicket(svc, loner)).category, { what: 'the loner classified' });

  const list = await agent.get('/console/incidents');
  t.is(list.status, 200);
  t.regex(list.text, /<a href="\/console\/incidents" aria-current="page">Incidents<\/a>/, 'the navigation marks the page');
  const open = /<table aria-label="Open incidents">([\s\S]*?)<\/table>/.exec(list.text)?.[1] ?? '';
  t.regex(open, new RegExp(`<a href="/console/incidents/${incident}">#${incident}</a>`));
  t.regex(open, /<span class="chip">technical<\/span>/);
  t.regex(open, /data-label="Tickets">4<\/td><td data-label="Open">4<\/td>/);
  t.false(list.text.includes('aria-label="Closed incidents"'), 'none closed yet');

  const page = await agent.get(`/console/incidents/${incident}`);
  t.is(page.status, 200);
  t.regex(page.text, new RegExp(`<h1>Incident #${incident} `));
  for (const id of tickets) t.true(page.text.includes(`<a href="/console/tickets/${id}">#${id}</a>`), `links ticket ${id}`);
  t.false(page.text.includes(`/console/tickets/${loner}"`));
  t.regex(page.text, /<dt>Tickets<\/dt><dd>4<\/dd>\s*<dt>Open tickets<\/dt><dd>4<\/dd>/);
  t.regex(page.text, new RegExp(`action="/console/incidents/${incident}/reply"`));
  t.truthy(nonceOf(page.text), 'reply to all carries a nonce');
  t.regex(page.text, new RegExp(`action="/console/incidents/${incident}/resolve" hx-confirm="Resolve the 4 open tickets of this incident\\?"`));
  t.regex(page.text, new RegExp(`action="/console/incidents/${incident}/close" hx-confirm="Close the incident\\?`));
  t.is(page.text.split(`action="/console/incidents/${incident}/take-out"`).length - 1, 4, 'take out on each row');
  const again = await agent.get(`/console/incidents/${incident}`);
  t.not(nonceOf(again.text), nonceOf(page.text), 'each form gets its own nonce');

  const member = await agent.get(`/console/tickets/${tickets[1]}`);
  t.true(member.text.includes(`Part of <a href="/console/incidents/${incident}">incident #${incident}</a>`));
  t.false((await agent.get(`/console/tickets/${loner}`)).text.includes('Part of <a href="/console/incidents/'));
});

test('a viewer reads the pages but is offered no action and refused each one; nothing changes', async (t) => {
  const { svc, viewer } = t.context;
  const { incident, tickets } = await flood(svc, 'export', 'technical');
  const page = await viewer.get(`/console/incidents/${incident}`);
  t.is(page.status, 200);
  t.true(page.text.includes(`<a href="/console/tickets/${tickets[0]}">`));
  t.false(page.text.includes(`action="/console/incidents/${incident}/`), 'no action form');
  t.true(page.text.includes('acting needs the agent role'));
  t.is((await viewer.post(`/console/incidents/${incident}/reply`, { text: 'Hi', request: 'viewer-nonce-0123456789' })).status, 403);
  t.is((await viewer.post(`/console/incidents/${incident}/resolve`, {})).status, 403);
  t.is((await viewer.post(`/console/incidents/${incident}/close`, {})).status, 403);
  t.is((await viewer.post(`/console/incidents/${incident}/take-out`, { ticket: String(tickets[0]) })).status, 403);
  await sleep(300);
  t.is((await getIncident(svc.service.db.sql, incident))!.closed_at, null);
  for (const id of tickets) {
    t.not(await statusOf(svc, id), 'resolved');
    t.is((await incidentOfTicket(svc, id)).incident_id, incident);
  }
  t.deepEqual(await repliesOf(svc, tickets), []);
});

test('reply to all: sent twice with the same nonce it queues once, one personalised reply per open ticket, sent', async (t) => {
  const { svc, agent } = t.context;
  const { incident, tickets } = await flood(svc, 'webhook', 'billing', 4);
  // A resolved ticket gets no reply.
  await api(svc.baseUrl, `/api/v1/requests/${tickets[3]}`, { method: 'PATCH', json: { status: 'resolved' } });
  const nonce = nonceOf((await agent.get(`/console/incidents/${incident}`)).text)!;
  const form = { text: 'Hi {name},\r\n\r\nWe found the cause and fixed it.', request: nonce };
  const first = await agent.post(`/console/incidents/${incident}/reply`, form);
  t.is(first.status, 302, first.text);
  t.is(first.headers.get('location'), `/console/incidents/${incident}?done=replied`);
  const second = await agent.post(`/console/incidents/${incident}/reply`, form);
  t.is(second.status, 302, second.text);
  t.is(second.headers.get('location'), `/console/incidents/${incident}?done=replied-already`);
  t.true((await agent.get(second.headers.get('location')!)).text.includes('queued already'));

  const open = tickets.slice(0, 3);
  const sent = await waitFor(async () => {
    const rows = await repliesOf(svc, tickets);
    return rows.length === 3 && rows.every((r) => r.state === 'sent') ? rows : undefined;
  }, { what: 'the replies sent', timeoutMs: 20_000 });
  t.deepEqual(sent.map((r) => r.ticket_id), open, 'one reply per open ticket, none on the resolved one');
  t.deepEqual(sent.map((r) => r.body.split('\n')[0]), ['Hi Ada,', 'Hi Grace,', 'Hi Linus,']);
  t.true(sent.every((r) => r.agent_slack_id === 'link'));
  const jobs = await svc.service.db.sql.query<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'incident-reply' and data->>'requestKey' = $1`, [`console:${nonce}`]);
  t.is(jobs[0]!.n, 1, 'one job queued');
  await sleep(1500);
  t.is((await repliesOf(svc, tickets)).length, 3, 'still one each');
  const calls = t.context.hooks.callsTo('POST', /^\/replies$/).filter((c) => c.json?.type === 'reply' && tickets.includes(c.json.ticket_id));
  t.deepEqual(calls.map((c) => c.json.ticket_id as number).sort((a, b) => a - b), open, 'each customer got it once, through the webhook');

  // Refused: no nonce, a hostile nonce, no text.
  t.is((await agent.post(`/console/incidents/${incident}/reply`, { text: 'Hello' })).status, 422);
  t.is((await agent.post(`/console/incidents/${incident}/reply`, { text: 'Hello', request: '<script>x</script>' })).status, 422);
  t.is((await agent.post(`/console/incidents/${incident}/reply`, { text: '   ', request: 'another-nonce-0123456789' })).status, 422);
  t.is((await repliesOf(svc, tickets)).length, 3);
});

test('resolve all resolves every open ticket and leaves the incident open; again, it says so', async (t) => {
  const { svc, agent } = t.context;
  const { incident, tickets } = await flood(svc, 'invoice', 'billing');
  const res = await agent.post(`/console/incidents/${incident}/resolve`, {});
  t.is(res.status, 302, res.text);
  t.is(res.headers.get('location'), `/console/incidents/${incident}?done=resolved`);
  for (const id of tickets) t.is(await statusOf(svc, id), 'resolved');
  t.is((await getIncident(svc.service.db.sql, incident))!.closed_at, null);
  const page = (await agent.get(`/console/incidents/${incident}?done=resolved`)).text;
  t.regex(page, /<dt>Open tickets<\/dt><dd>0<\/dd>/);
  t.regex(page, /data-label="Status">Resolved<\/td>/);
  t.is((await agent.post(`/console/incidents/${incident}/resolve`, {})).headers.get('location'), `/console/incidents/${incident}?done=resolved-none`);
  const audit = await svc.service.db.sql.query<{ actor: string }>(`select actor from audit_entries where action = 'incident_resolve_all' order by id desc limit 1`);
  t.is(audit[0]?.actor, 'console:link');
});

test('take out: the ticket leaves the incident and its page loses the link; not a member is refused', async (t) => {
  const { svc, agent } = t.context;
  const { incident, tickets } = await flood(svc, 'upload', 'technical');
  const [out, stay] = tickets as [number, number];
  const res = await agent.post(`/console/incidents/${incident}/take-out`, { ticket: String(out) });
  t.is(res.status, 302, res.text);
  t.is(res.headers.get('location'), `/console/incidents/${incident}?done=taken-out`);
  t.is((await incidentOfTicket(svc, out)).incident_id, null);
  t.is((await incidentOfTicket(svc, stay)).incident_id, incident);
  const page = (await agent.get(`/console/incidents/${incident}`)).text;
  t.false(page.includes(`<a href="/console/tickets/${out}">`));
  t.regex(page, /<dt>Tickets<\/dt><dd>2<\/dd>/);
  t.false((await agent.get(`/console/tickets/${out}`)).text.includes('Part of <a href="/console/incidents/'));
  t.is((await agent.post(`/console/incidents/${incident}/take-out`, { ticket: String(out) })).status, 409, 'taken out already');
  for (const ticket of ['', 'abc', '0', '-1', '1e3', '9999999999', '<b>1</b>']) t.is((await agent.post(`/console/incidents/${incident}/take-out`, { ticket })).status, 422, ticket);
  t.is((await incidentOfTicket(svc, stay)).incident_id, incident);
});

test('close: the incident is closed by the agent and listed under closed; closing again is refused', async (t) => {
  const { svc, agent } = t.context;
  const { incident, tickets } = await flood(svc, 'login', 'general');
  const res = await agent.post(`/console/incidents/${incident}/close`, {});
  t.is(res.status, 302, res.text);
  t.is(res.headers.get('location'), `/console/incidents/${incident}?done=closed`);
  const row = (await getIncident(svc.service.db.sql, incident))!;
  t.truthy(row.closed_at);
  t.is(row.closed_by, 'console:link');
  for (const id of tickets) t.not(await statusOf(svc, id), 'resolved', 'closing leaves the tickets as they are');
  t.is((await agent.post(`/console/incidents/${incident}/close`, {})).status, 409);
  const page = (await agent.get(`/console/incidents/${incident}`)).text;
  t.regex(page, /<dt>State<\/dt><dd>Closed <time/);
  t.false(page.includes(`action="/console/incidents/${incident}/`), 'a closed incident offers no actions');
  const list = (await agent.get('/console/incidents')).text;
  const openAt = list.indexOf('aria-label="Open incidents"');
  const closedTable = /<table aria-label="Closed incidents">([\s\S]*?)<\/table>/.exec(list)?.[1] ?? '';
  t.true(closedTable.includes(`<a href="/console/incidents/${incident}">#${incident}</a>`));
  t.false((/<table aria-label="Open incidents">([\s\S]*?)<\/table>/.exec(list)?.[1] ?? '').includes(`/console/incidents/${incident}"`));
  t.true(openAt >= 0 && openAt < list.indexOf('aria-label="Closed incidents"'), 'open ones first');
});

test('hostile ids and requests: 4xx, never a page or a change', async (t) => {
  const { svc, agent } = t.context;
  for (const id of ['abc', '0', '-1', '1e3', '99999999', '9999999999', '1%27%20or%201=1', '%3Cscript%3E', '1.5']) {
    const res = await agent.get(`/console/incidents/${id}`);
    t.is(res.status, 404, id);
    t.false(res.text.includes('<script>'), id);
  }
  for (const action of ['reply', 'resolve', 'close', 'take-out']) {
    t.is((await agent.post(`/console/incidents/99999999/${action}`, { text: 'Hi', request: 'some-nonce-0123456789', ticket: '1' })).status, 404, action);
    t.is((await agent.post(`/console/incidents/abc/${action}`, {})).status, 404, action);
  }
  const { incident } = await flood(svc, 'export', 'billing');
  t.is((await agent.post(`/console/incidents/${incident}/close`, {}, { csrf: false })).status, 403, 'no CSRF token');
  t.is((await fetch(`${svc.baseUrl}/console/incidents/${incident}/close`, { method: 'POST', redirect: 'manual' })).status, 401, 'not signed in');
  t.is((await getIncident(svc.service.db.sql, incident))!.closed_at, null);
});

test('GET /api/v1/stats and the dashboard count the incidents opened and their tickets', async (t) => {
  const { svc, agent } = t.context;
  const stats = async (query = '') => (await api(svc.baseUrl, `/api/v1/stats?days=1${query}`)).json;
  const [before, generalBefore, billingBefore] = [await stats(), await stats('&category=general'), await stats('&category=billing')];
  const { tickets } = await flood(svc, 'invoice', 'general', 4);
  const after = await stats();
  t.is(after.incidents.opened, before.incidents.opened + 1);
  t.is(after.incidents.tickets, before.incidents.tickets + tickets.length);
  // With a category: that category's only.
  t.deepEqual((await stats('&category=general')).incidents, { opened: generalBefore.incidents.opened + 1, tickets: generalBefore.incidents.tickets + 4 });
  t.deepEqual((await stats('&category=billing')).incidents, billingBefore.incidents);
  const dash = (await agent.get('/console/dashboard?days=7')).text;
  const table = /<table aria-label="Incidents opened \(floods of similar tickets grouped into one\)">([\s\S]*?)<\/table>/.exec(dash)?.[1] ?? '';
  t.regex(table, new RegExp(`<td>${after.incidents.opened}</td><td data-label="tickets in them">${after.incidents.tickets}</td>`));
});

test('live: a change to an incident reaches the lists\' streams as an incident event, and the incident page reloads its tickets on it', async (t) => {
  const { svc, agent } = t.context;
  const { incident, tickets } = await flood(svc, 'mobile', 'technical');
  const lists = await openLiveStream(svc.baseUrl, agent.cookie);
  const onTicket = await openLiveStream(svc.baseUrl, agent.cookie, `/console/live?ticket=${incident}`);
  t.teardown(() => { lists.close(); onTicket.close(); });
  const page = await agent.get(`/console/incidents/${incident}`);
  t.regex(page.text, /id="incident-live" data-live="incident"[^>]*hx-get="\/console\/incidents\/\d+"/);
  t.is((await api(svc.baseUrl, `/api/v1/incidents/${incident}/tickets/${tickets[0]}`, { method: 'DELETE' })).status, 200);
  const event = await lists.next((e) => e.event === 'incident', 'the incident event');
  t.deepEqual(JSON.parse(event.data), { incident });
  await sleep(500);
  t.false(onTicket.events.some((e) => e.event === 'incident'), 'a ticket page\'s stream does not hear incidents');
});
