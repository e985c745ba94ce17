/**
 * The ticket page's actions over real HTTP: each one changes the ticket as the same action through REST would
 * (the shared code in src/ingest/), shows in the timeline, and refuses bad input without changing anything.
 */
import anyTest, { type TestFn } from 'ava';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService; agent: ConsoleClient }>;

test.before(async (t) => {
  const svc = await startTestService();
  t.context = { svc, agent: await signedIn(svc.baseUrl, svc.service, 'agent') };
});
test.after.always(async (t) => t.context.svc?.stop());

async function newTicket(svc: TestService): Promise<number> {
  const id = (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Cannot export my data', body: 'The export button does nothing when I click it.', requester_email: 'eve@example.com' } })).json.id as number;
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.status !== 'processing', { what: 'classification' });
  return id;
}

const rest = async (svc: TestService, id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;

test('assign, reclassify, snooze, unsnooze, resolve and reopen change the ticket and its history', async (t) => {
  const { svc, agent } = t.context;
  const id = await newTicket(svc);
  const post = async (action: string, form: Record<string, string>, done: string) => {
    const res = await agent.post(`/console/tickets/${id}/${action}`, form);
    t.is(res.status, 302, `${action}: ${res.text.slice(0, 200)}`);
    t.is(res.headers.get('location'), `/console/tickets/${id}?done=${done}`);
  };
  await post('assign', { assignee: 'U0HELPER1' }, 'assigned');
  t.is((await rest(svc, id)).assignee.slack_user_id, 'U0HELPER1');
  await post('assign', { assignee: '' }, 'assigned');
  t.is((await rest(svc, id)).assignee, null);
  await post('reclassify', { category: 'billing', priority: 'urgent', note: 'about the invoice export' }, 'reclassified');
  const classified = await rest(svc, id);
  t.is(classified.classification.category, 'billing');
  t.is(classified.classification.classifier, 'human');
  t.is(classified.priority, 'urgent');
  await post('snooze', { for: '4h' }, 'snoozed');
  t.truthy((await rest(svc, id)).snooze);
  await post('snooze', { for: 'end' }, 'unsnoozed');
  t.falsy((await rest(svc, id)).snooze);
  await post('status', { status: 'resolved' }, 'resolved');
  t.is((await rest(svc, id)).status, 'resolved');
  const refused = await agent.post(`/console/tickets/${id}/snooze`, { for: '1h' });
  t.is(refused.status, 422);
  t.regex(refused.text, /cannot be snoozed: reopen it first/);
  await post('status', { status: 'open' }, 'open');
  t.is((await rest(svc, id)).status, 'open');

  const page = await agent.get(`/console/tickets/${id}?done=open`);
  t.regex(page.text, /Reopened\./);
  t.regex(page.text, /Assigned to <strong>U0HELPER1<\/strong> \(was nobody\) by the console \(sign-in link\)/);
  t.regex(page.text, /Assigned to <strong>nobody<\/strong>/);
  t.regex(page.text, /<strong>the console \(sign-in link\)<\/strong> corrected the classification/);
  t.regex(page.text, /Note: about the invoice export/);
});

test('a reply is stored and queued through the shared reply code, and the ticket waits on the customer', async (t) => {
  const { svc, agent } = t.context;
  const id = await newTicket(svc);
  const empty = await agent.post(`/console/tickets/${id}/reply`, { text: '  \u0000 ' });
  t.is(empty.status, 422);
  t.regex(empty.text, /Write a reply first/);
  const res = await agent.post(`/console/tickets/${id}/reply`, { text: 'Thanks, we are looking at the export.' });
  t.is(res.status, 302);
  const detail = await rest(svc, id);
  t.is(detail.status, 'waiting_on_customer');
  t.is(detail.replies.length, 1);
  t.is(detail.replies[0].body, 'Thanks, we are looking at the export.');
  const page = await agent.get(`/console/tickets/${id}`);
  t.regex(page.text, /Thanks, we are looking at the export\./);
  t.regex(page.text, /replied · (queued|sent|<span class="due-late">failed)/);
});

test('a saved reply fills the reply box', async (t) => {
  const { svc, agent } = t.context;
  const id = await newTicket(svc);
  const saved = await api(svc.baseUrl, '/api/v1/saved-replies', { method: 'POST', json: { title: 'Export help', body: 'Try the export again from Settings > Data.' } });
  t.is(saved.status, 201);
  const page = await agent.get(`/console/tickets/${id}?saved=${saved.json.id}`);
  t.regex(page.text, /<textarea name="text" maxlength="20000">Try the export again from Settings &gt; Data\.<\/textarea>/);
  t.regex(page.text, /<option value="\d+">Export help<\/option>/);
});

test('unknown tickets are 404 and bad input is 422, with nothing changed', async (t) => {
  const { svc, agent } = t.context;
  const id = await newTicket(svc);
  for (const path of ['/console/tickets/999999', '/console/tickets/0', '/console/tickets/abc', '/console/tickets/1e3', '/console/nowhere']) {
    const res = await agent.get(path);
    t.is(res.status, 404, path);
    t.regex(res.headers.get('content-type')!, /text\/html/);
  }
  t.is((await agent.post('/console/tickets/999999/status', { status: 'resolved' })).status, 404);
  const before = await rest(svc, id);
  for (const [action, form] of [
    ['assign', { assignee: '<script>' }], ['assign', { assignee: 'U1 OR 1=1' }], ['reclassify', { category: 'spam' }],
    ['reclassify', { category: 'billing', priority: 'asap' }], ['snooze', { for: '100y' }], ['status', { status: 'deleted' }],
  ] as const) {
    const res = await agent.post(`/console/tickets/${id}/${action}`, form);
    t.is(res.status, 422, `${action} ${JSON.stringify(form)}`);
    t.notRegex(res.text, /<script>/);
  }
  const after = await rest(svc, id);
  t.deepEqual({ ...after, updated_at: null }, { ...before, updated_at: null });
  // Not a form: refused before any route runs.
  const json = await fetch(`${svc.baseUrl}/console/tickets/${id}/status`, { method: 'POST', headers: { cookie: agent.cookie, 'content-type': 'application/json', 'x-csrf-token': agent.csrf }, body: '{"status":"resolved"}' });
  t.is(json.status, 415);
  const put = await fetch(`${svc.baseUrl}/console/tickets/${id}`, { method: 'PUT', headers: { cookie: agent.cookie } });
  t.is(put.status, 405);
});

test('the timeline tells the status history: resolved and reopened by whom, waiting on the customer after a reply', async (t) => {
  const { svc, agent } = t.context;
  const id = await newTicket(svc);
  t.is((await agent.post(`/console/tickets/${id}/status`, { status: 'resolved' })).status, 302);
  t.is((await agent.post(`/console/tickets/${id}/status`, { status: 'resolved' })).status, 302, 'resolving again is no change');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status: 'open' } })).status, 200);
  t.is((await agent.post(`/console/tickets/${id}/reply`, { text: 'We are on it.' })).status, 302);
  t.is((await agent.post(`/console/tickets/${id}/status`, { status: 'resolved' })).status, 302);
  const page = (await agent.get(`/console/tickets/${id}`)).text;
  const lines = [...page.matchAll(/<li class="status">.*?<\/li>/gs)].map((m) => m[0].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());
  t.is(lines.length, 4, lines.join('\n'));
  t.regex(lines[0]!, /UTC ?Resolved \(was Open\) by the console \(sign-in link\)$/);
  t.regex(lines[1]!, /UTC ?Reopened \(was Resolved\) by api$/);
  t.regex(lines[2]!, /UTC ?Waiting on the customer \(was Open\) by link$/);
  t.regex(lines[3]!, /UTC ?Resolved \(was Waiting on customer\) by the console \(sign-in link\)$/);
});
