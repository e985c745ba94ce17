/**
 * The audit of people's actions: each change over REST (by key fingerprint, never the key) and the console is
 * one append-only entry with before and after; GET /api/v1/audit filters by ticket and actor, pages by keyset,
 * needs an admin key, and holds no personal data.
 */
import anyTest, { type TestFn } from 'ava';
import { createHash } from 'node:crypto';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { signedIn } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const test = anyTest.serial as TestFn<{ svc: TestService }>;
const AGENT_KEY = 'agent-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);
const as = (key: string) => ({ authorization: `Bearer ${key}` });

test.before(async (t) => {
  t.context = { svc: await startTestService({ API_KEYS: `${AGENT_KEY},${ADMIN_KEY}`, API_ADMIN_KEYS: ADMIN_KEY }, { classifier: createKeywordClassifier() }) };
});
test.after.always(async (t) => t.context.svc?.stop());

async function ticket(svc: TestService, email: string): Promise<number> {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: as(AGENT_KEY), json: { subject: 'Invoice wrong', body: 'My invoice for March is wrong.', requester_email: email, requester_name: 'Olga Audit' } });
  const id = res.json.id as number;
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: as(AGENT_KEY) })).json.status !== 'processing', { what: 'classification' });
  return id;
}

test('REST changes are recorded with the key fingerprint, before and after, newest first', async (t) => {
  const { svc } = t.context;
  const id = await ticket(svc, 'olga.audit@example.com');
  const patch = (json: unknown) => api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', headers: as(AGENT_KEY), json });
  t.is((await patch({ status: 'acknowledged' })).status, 200);
  t.is((await patch({ assignee: 'UAUDIT001' })).status, 200);
  t.is((await patch({ status: 'acknowledged' })).status, 200, 'the same status again changes nothing and records nothing');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', headers: as(AGENT_KEY), json: { category: 'billing', priority: 'high', note: 'Olga called about it' } })).status, 200);

  const res = await api(svc.baseUrl, `/api/v1/audit?ticket=${id}`, { headers: as(ADMIN_KEY) });
  t.is(res.status, 200, res.text);
  const actor = `api-key:${fingerprint(AGENT_KEY)}`;
  const [classified, assigned, acknowledged] = res.json.items;
  t.is(res.json.items.length, 3);
  t.like(classified, { action: 'classification', actor, before: { classifier: 'keyword' }, after: { category: 'billing', priority: 'high', classifier: 'human' } });
  t.like(assigned, { action: 'assignment', actor, ticket_id: id, before: { assignee: null }, after: { assignee: 'UAUDIT001' } });
  t.like(acknowledged, { action: 'status', actor, before: { status: 'open' }, after: { status: 'acknowledged' } });
  t.is(res.json.items[0].before.classifier, 'keyword');
  t.is(res.json.next, null);
  const text = JSON.stringify(res.json);
  for (const secret of [AGENT_KEY, 'olga.audit@example.com', 'Olga', 'Olga called']) t.false(text.includes(secret), `no ${secret} in the audit`);
});

test('filter by actor and keyset paging walk every entry once', async (t) => {
  const { svc } = t.context;
  const id = await ticket(svc, 'pager@example.com');
  for (const status of ['acknowledged', 'resolved', 'open', 'acknowledged', 'resolved'] as const) {
    t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', headers: as(ADMIN_KEY), json: { status } })).status, 200);
  }
  const actor = `api-key:${fingerprint(ADMIN_KEY)}`;
  const seen: number[] = [];
  let before: number | null | undefined;
  do {
    const res = await api(svc.baseUrl, `/api/v1/audit?actor=${encodeURIComponent(actor)}&limit=2${before ? `&before=${before}` : ''}`, { headers: as(ADMIN_KEY) });
    t.is(res.status, 200, res.text);
    t.true(res.json.items.length <= 2);
    for (const e of res.json.items) {
      t.is(e.actor, actor);
      seen.push(e.id);
    }
    before = res.json.next;
  } while (before);
  t.is(seen.length, 5);
  t.deepEqual([...seen].sort((a, b) => b - a), seen, 'newest first');
  t.is(new Set(seen).size, 5);
});

test('the console\'s changes are recorded with the signed-in user', async (t) => {
  const { svc } = t.context;
  const id = await ticket(svc, 'console@example.com');
  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  t.is((await agent.post(`/console/tickets/${id}/assign`, { assignee: 'U0HELPER1' })).status, 302);
  const res = await api(svc.baseUrl, `/api/v1/audit?ticket=${id}`, { headers: as(ADMIN_KEY) });
  t.is(res.json.items.length, 1);
  t.regex(res.json.items[0].actor, /^console:/);
  t.deepEqual(res.json.items[0].after, { assignee: 'U0HELPER1' });
});

test('the audit needs an admin key; bad filters are 422', async (t) => {
  const { svc } = t.context;
  t.is((await api(svc.baseUrl, '/api/v1/audit', { headers: as(AGENT_KEY) })).status, 403);
  t.is((await api(svc.baseUrl, '/api/v1/audit')).status, 401);
  for (const q of ['ticket=0', 'ticket=abc', 'limit=0', 'limit=501', 'before=-1', 'actor=', 'actor=a%20b']) {
    t.is((await api(svc.baseUrl, `/api/v1/audit?${q}`, { headers: as(ADMIN_KEY) })).status, 422, q);
  }
});

test('the console\'s audit page: admins only, filtered by ticket and by person, older pages by keyset', async (t) => {
  const { svc } = t.context;
  const id = await ticket(svc, 'page@example.com');
  for (const status of ['acknowledged', 'resolved'] as const) await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', headers: as(AGENT_KEY), json: { status } });
  const adminUser = await signedIn(svc.baseUrl, svc.service, 'admin');
  const res = await adminUser.get(`/console/audit?ticket=${id}`);
  t.is(res.status, 200);
  t.regex(res.text, /<td class="excerpt">status: acknowledged<\/td>\s*<td class="excerpt">status: resolved<\/td>/);
  t.is(res.text.match(/<td data-label="What">status<\/td>/g)?.length, 2);
  t.false(res.text.includes('page@example.com'), 'references, not the customer');
  const byPerson = await adminUser.get(`/console/audit?actor=${encodeURIComponent(`api-key:${fingerprint(AGENT_KEY)}`)}`);
  t.true(byPerson.text.includes(`#${id}`));
  t.false((await adminUser.get('/console/audit?actor=slack:UNOBODY00')).text.includes(`#${id}`));
  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  t.is((await agent.get('/console/audit')).status, 403);
});
